"""``coprod analyze``: tables, figures and a report that answer a researcher's question
(:mod:`model.studies.analysis`); its options are checked against the results first, so a
mistake is one line and exit status 2."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from model.simulation.scenario.files import ScenarioError


def cmd_analyze(args: argparse.Namespace) -> int:
    from model.studies.analysis import write_report
    from model.studies.analysis.answers import Options

    results = Path(args.results)
    if not (results / "manifest.json").is_file():
        raise ScenarioError(
            results,
            "",
            str(results),
            "a results folder written by `coprod sweep` (with manifest.json)",
        )
    try:
        options = _analysis_options(args, results)
        report = write_report(results, options=Options(**options))
    except _OptionError as exc:
        print(f"{results}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {report}")
    if args.doc:
        from model.interface.documents import report_as_document
        from model.studies.analysis.results import load_manifest

        manifest = load_manifest(results)
        sweep = f"uv run coprod sweep {manifest.get('experiment_file')} --out {results}"
        analyze = "uv run coprod analyze " + " ".join(
            shlex.quote(a) for a in (args.argv or []) if a
        )
        command = f"{sweep}` and `{analyze.strip()}"
        print(f"wrote {report_as_document(report, Path(args.doc), command)}")
    return 0


class _OptionError(ValueError):
    """An option of ``coprod analyze`` that does not fit the results (one line, exit 2)."""


def _analysis_options(args: argparse.Namespace, results: Path) -> dict:
    """Check the options of ``coprod analyze`` against the results before any work."""
    from model.studies.analysis import load_results
    from model.studies.analysis.answers import parse_reference, reference_mask
    from model.studies.analysis.derived import DERIVED, window_values
    from model.studies.analysis.discovery import parse_condition
    from model.studies.analysis.results import indicator_columns, load_manifest

    df = load_results(results)
    manifest = load_manifest(results)
    declared = list(((manifest.get("experiment") or {}).get("derived")) or {})
    known = [*indicator_columns(df), *DERIVED, *declared]
    indicators = tuple(i.strip() for i in (args.indicators or "").split(",") if i.strip())
    for ind in indicators:
        if ind not in known:
            raise _OptionError(f"--indicators: given {ind!r}; allowed: {', '.join(known)}")
    window = None
    if args.window:
        text = args.window.strip().lower()
        try:
            window = int(text[:-1]) * 12 if text.endswith("y") else int(text)
        except ValueError:
            window = 0
        if window < 1:
            raise _OptionError(
                f"--window: given {args.window!r}; allowed: months (e.g. 12) or years (e.g. 2y)"
            )
    try:
        reference = parse_reference(args.reference)
        if reference is not None and not df.empty:
            reference_mask(window_values(df), reference, manifest)
        if args.discover:
            try:
                parse_condition(args.discover, known)
            except ValueError as exc:
                raise ValueError(f"--discover: {exc}") from None
    except ValueError as exc:
        raise _OptionError(str(exc).replace("\n", " ")) from None
    if not 0 < args.threshold <= 1:
        raise _OptionError(
            f"--threshold: given {args.threshold:g}; allowed: a density above 0 and at most 1"
        )
    if (
        window
        and not df.empty
        and "step" in df
        and df.groupby("run_id")["step"].nunique().max() < 2
    ):
        raise _OptionError(
            f"--window: given {args.window!r}; allowed: no window for these results, which "
            "keep only the final month (keep = 'final' in the experiment)"
        )
    if args.by:
        col = args.by if args.by.startswith("param:") else f"param:{args.by}"
        if col not in df.columns:
            allowed = ", ".join(c.removeprefix("param:") for c in df if c.startswith("param:"))
            raise _OptionError(f"--by: given {args.by!r}; allowed: {allowed or 'no factor varies'}")
    return {
        "indicators": indicators,
        "window_months": window,
        "reference": reference,
        "by": args.by,
        "discover": args.discover,
        "threshold": args.threshold,
    }


def add_analyze_parser(sub) -> None:
    """The ``analyze`` subcommand and its options."""
    z = sub.add_parser("analyze", help="tables, figures and a report from sweep results")
    z.add_argument("results", help="results folder of `coprod sweep`")
    z.add_argument(
        "--indicators",
        help="comma-separated indicators or derived outcomes to analyse (default: the main "
        "ones, the education gap and the yearly cost)",
    )
    z.add_argument("--window", help="average the last N months (e.g. 12) or years (e.g. 2y)")
    z.add_argument(
        "--reference",
        help="reference for differences and cost per additional engaged resident: a scenario "
        "name, or KEY=VALUE,... of the varied parameters (default: the first design point)",
    )
    z.add_argument("--by", help="also break the effects down by this factor (a varied key)")
    z.add_argument(
        "--discover",
        help="scenario discovery (PRIM, CART) for a condition, e.g. "
        "'engaged_share_edu_low >= 0.27 and cost_eur_total <= 30e6'",
    )
    z.add_argument(
        "--threshold", type=float, default=0.8, help="density a PRIM box must reach (0.8)"
    )
    z.add_argument("--doc", help="also write the report as one Markdown document here")
    z.set_defaults(func=cmd_analyze)
