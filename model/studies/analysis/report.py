"""The report: every table and figure of a sweep, written to its ``analysis/`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from model.studies.analysis import answers, markdown
from model.studies.analysis.figures import (
    _fmt,
    _short_names,
    convergence_chart,
    fan_chart,
    gradient_chart,
    replication_chart,
    sensitivity_chart,
)
from model.studies.analysis.results import (
    EDU_COLUMNS,
    FAN_INDICATORS,
    MAIN_INDICATORS,
    SENSITIVITY_DESIGNS,
    final_values,
    load_failures,
    load_manifest,
    load_results,
    param_columns,
)
from model.studies.analysis.rule_differences import section_rules
from model.studies.analysis.sensitivity import (
    convergence,
    replication_convergence,
    sensitivity,
    warnings_for,
)
from model.studies.analysis.structural import rule_columns
from model.studies.analysis.tables import differences_from_baseline, reference_group, summary_table


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns with values of mixed types (a categorical parameter such as [0.5, "auto"])
    as text, since Parquet needs one type per column."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            types = {type(v) for v in out[c].dropna()}
            if len(types) > 1:
                out[c] = out[c].map(lambda v: v if v is None else str(v))
    return out


def _write_table(df: pd.DataFrame, stem: Path) -> None:
    df.to_csv(stem.with_suffix(".csv"), index=False)
    _parquet_safe(df).to_parquet(stem.with_suffix(".parquet"), index=False)


def _save_figure(fig: Figure, stem: Path) -> None:
    fig.savefig(stem.with_suffix(".png"), dpi=130)
    fig.savefig(stem.with_suffix(".svg"))


def _md_cell(v: Any) -> str:
    text = _fmt(v) if not isinstance(v, str) else v
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return markdown.table(header, rows, _md_cell)


def _key_results(summary: pd.DataFrame, indicators: list[str], max_rows: int = 20) -> list[str]:
    """Markdown table: mean [q05, q95] of the key indicators per group."""
    pcols = param_columns(summary)
    groups = summary.drop_duplicates(["scenario", "point"])
    if groups.empty or len(groups) > max_rows:
        return []
    short = _short_names(pcols)
    header = ["scenario", "point", *(short[c] for c in pcols), *indicators]
    rows = []
    for rec in groups.to_dict("records"):
        cells = [rec["scenario"], rec["point"], *(rec[c] for c in pcols)]
        sub = summary[(summary["scenario"] == rec["scenario"]) & (summary["point"] == rec["point"])]
        by_ind = sub.set_index("indicator")
        for ind in indicators:
            s = by_ind.loc[ind]
            cells.append(f"{s['mean']:.3g} [{s['q05']:.3g}, {s['q95']:.3g}]")
        rows.append(cells)
    return _md_table(header, rows)


def write_report(
    results_dir: str | Path,
    out_dir: str | Path | None = None,
    indicators: tuple[str, ...] = MAIN_INDICATORS,
    fan_indicators: tuple[str, ...] = FAN_INDICATORS,
    options: answers.Options | None = None,
) -> Path:
    """Write tables, figures and a Markdown report for a results directory.

    Files (in ``out_dir``): ``summary.csv``/``.parquet`` (:func:`summary_table`),
    ``differences.csv``/``.parquet`` (:func:`differences_from_baseline`), for Sobol and
    Morris designs ``sensitivity_<indicator>.csv``/``.parquet`` and ``.png``/``.svg``, fan
    charts ``fan_<indicator>.png``/``.svg`` (monthly series only), ``gradient.png``/``.svg``,
    for grids varying ``rules.*`` ``between_rules`` and ``conclusions_by_rule``
    (:mod:`model.studies.analysis.rule_differences`), and ``report.md`` linking all of them
    and listing failed runs.

    Parameters
    ----------
    results_dir : str or Path
        The results directory written by the sweep runner.
    out_dir : str or Path, optional
        Where to write; default ``<results_dir>/analysis``.
    indicators : tuple of str
        Indicators for the sensitivity analysis and the key-results table.
    fan_indicators : tuple of str
        Indicators that get a fan chart.
    options : answers.Options, optional
        What ``coprod analyze`` was asked: indicators, window, reference, ``--by`` and a
        condition for scenario discovery (:mod:`model.studies.analysis.answers`).

    Returns
    -------
    Path
        The path of ``report.md``.
    """
    results_dir = Path(results_dir)
    out = Path(out_dir) if out_dir is not None else results_dir / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(results_dir)
    exp = manifest["experiment"]
    df = load_results(results_dir)
    failures = load_failures(results_dir)
    planned = {r["run_id"]: r for r in manifest.get("runs", [])}
    finished = set(df["run_id"].unique().tolist()) if not df.empty else set()
    failed = {f["run_id"] for f in failures}
    not_done = sorted(set(planned) - finished - failed)
    design = exp.get("design", "?")

    md = [f"# Sweep analysis: {exp.get('name', results_dir.name)}", ""]
    if exp.get("question"):
        md += [exp["question"], ""]
    options = options or answers.Options()
    if options.indicators:
        indicators = fan_indicators = tuple(options.indicators)
    params = {**exp.get("parameters", {}), **exp.get("levers", {}), **exp.get("uncertainties", {})}
    md += [
        f"- Design: **{design}**; parameters: "
        + (", ".join(f"`{k}` {_describe_param(v)}" for k, v in params.items()) or "none"),
        f"- Scenarios: {', '.join(dict.fromkeys(r['scenario'] for r in planned.values()))}",
        f"- Replications: {exp.get('replications')}, experiment seed {exp.get('seed')}, "
        f"kept: {exp.get('keep')}",
        f"- Runs: {len(planned)} planned, **{len(finished)} finished**, "
        f"**{len(failed)} failed**, {len(not_done)} not finished",
        f"- Experiment file: `{manifest.get('experiment_file')}` "
        f"(sha256 `{str(manifest.get('experiment_hash'))[:12]}`), "
        f"git commit `{manifest.get('git_commit') or 'unknown'}`"
        + (" with uncommitted changes" if manifest.get("dirty") else ""),
        "",
        "Values are those of the final month of each run. Replication *r* has the same seed "
        "at every design point, so differences are paired by replication.",
        "",
    ]
    notes: list[str] = options.notes
    if not df.empty:
        final, reference = answers.prepare(df, manifest, options)
        window = options.window_months
        if window and window > 1:
            md += [
                f"Key results, derived outcomes, policies, scenario discovery and the rule "
                f"variants are averaged over the last {window} months of each run (at least "
                f"{final.attrs.get('months_averaged', window)}); the other tables and figures "
                "show the final month.",
                "",
            ]
        extra = ("education_gap", "cost_eur_per_year")
        wanted = [i for i in dict.fromkeys((*indicators, *extra)) if i in final]
        md += answers.section_effects(
            final,
            out,
            wanted,
            _save_figure,
            _write_table,
            options.by,
            answers.sampled_ranges(manifest),
        )
        md += answers.section_derived(final, reference, out, _write_table, manifest)
        md += answers.section_policies(final, manifest, out, wanted, _write_table)
        if options.discover:
            md += answers.section_discovery(
                final, out, options.discover, options.threshold, _save_figure, _write_table
            )
        md += _report_tables(df, out, indicators)
        if rule_columns(df):
            if design == "grid":
                # the values of the key results (window, derived outcomes), so that every
                # indicator --indicators accepts can be compared between rules
                md += section_rules(
                    final,
                    manifest,
                    out,
                    notes,
                    _write_table,
                    _save_figure,
                    _md_table,
                    tuple(options.indicators),
                )
            else:
                notes.append(
                    "Rule variants vary, but the differences between rules and the "
                    f"conclusions-by-rule table need a grid design (this one is {design!r}): "
                    "not written."
                )
        md += _report_figures(df, out, fan_indicators, notes, _break_down_by(df, exp, options))
        if design in SENSITIVITY_DESIGNS:
            md += _report_sensitivity(df, manifest, out, indicators, notes)
        elif (exp.get("replications") or 1) > 1:
            md += _report_replications(df, out, indicators[0] if indicators else None)
    else:
        notes.append("No run has finished: no tables or figures.")
    if notes:
        md += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    md += _report_failures(failures, planned, not_done)
    path = out / "report.md"
    path.write_text("\n".join(md).rstrip() + "\n", encoding="utf-8")
    return path


def _break_down_by(df: pd.DataFrame, exp: dict, options: answers.Options) -> list[str] | None:
    """What figures with too many design points are broken down by instead of pooled: the
    ``--by`` factor, else the levers (one panel per policy), else the first varied factor
    with few values."""
    if options.by:
        return [options.by]
    if exp.get("levers"):
        return list(exp["levers"])
    for col in param_columns(df):
        if 1 < df[col].nunique() <= 8:
            return [col]
    return None


def _describe_param(spec: dict) -> str:
    if spec.get("range") is not None:
        lo, hi = spec["range"]
        steps = f", {spec['steps']} steps" if spec.get("steps") else ""
        return f"[{_fmt(float(lo))}, {_fmt(float(hi))}]{steps}"
    if spec.get("values") is not None:
        return "{" + ", ".join(_fmt(v) for v in spec["values"]) + "}"
    return ""


def _report_tables(df: pd.DataFrame, out: Path, indicators: tuple[str, ...]) -> list[str]:
    summary = summary_table(df)
    _write_table(summary, out / "summary")
    diffs = differences_from_baseline(df)
    _write_table(diffs, out / "differences")
    ref_scen, ref_point = reference_group(df)
    md = [
        "## Tables",
        "",
        "- [Summary](summary.csv) ([Parquet](summary.parquet)): every indicator per scenario "
        "and design point: mean, sd, 5% and 95% quantiles over replications, n.",
        "- [Differences from the reference](differences.csv) ([Parquet](differences.parquet)): "
        f"paired differences from scenario `{ref_scen}`, point {ref_point}: mean, sd, 95% "
        "confidence interval of the mean (`ci95_low`, `ci95_high`: does the effect differ from "
        "zero?) and 5-95% range over replications (how much it varies from run to run).",
        "",
    ]
    key = _key_results(summary, [i for i in indicators if i in set(summary["indicator"])])
    if key:
        md += ["### Key results (mean [5%, 95%])", "", *key, ""]
    return md


def _report_figures(
    df: pd.DataFrame,
    out: Path,
    fan_indicators: tuple[str, ...],
    notes: list[str],
    by: str | list[str] | None = None,
) -> list[str]:
    md = ["## Figures", ""]
    series = df.groupby("run_id")["date"].nunique().max() > 1 if "date" in df.columns else False
    for ind in fan_indicators:
        if not series:
            notes.append("Only final values were kept (keep = 'final'): no fan charts.")
            break
        if ind not in df.columns:
            notes.append(f"No fan chart of `{ind}`: not in the results.")
            continue
        _save_figure(fan_chart(df, ind, by=by), out / f"fan_{ind}")
        md += [
            f"### {ind} over time",
            "",
            f"![{ind} fan chart](fan_{ind}.png) ([SVG](fan_{ind}.svg))",
            "",
        ]
    if all(c in df.columns for c in EDU_COLUMNS):
        _save_figure(gradient_chart(df, by=by), out / "gradient")
        md += [
            "### Engagement by education (final month)",
            "",
            "![education gradient](gradient.png) ([SVG](gradient.svg))",
            "",
        ]
    else:
        notes.append("No education gradient chart: the engaged_share_edu_* columns are missing.")
    if len(md) == 2:  # nothing to show: say so under the heading rather than leave it empty
        md += ["No figures for these results (see the notes below).", ""]
    return md


def _report_sensitivity(
    df: pd.DataFrame, manifest: dict, out: Path, indicators: tuple[str, ...], notes: list[str]
) -> list[str]:
    design = manifest["experiment"]["design"]
    if design == "sobol":
        text = (
            "S1: share of the output variance due to the parameter alone; ST: including its "
            "interactions. ± is the half-width of the 95% bootstrap interval."
        )
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        text = (
            "mu*: mean absolute elementary effect (overall importance); sigma: spread of the "
            "effects (interactions, non-linearity). ± is the 95% bootstrap half-width."
        )
        cols = ["mu_star", "mu_star_conf", "sigma"]
    md = ["## Sensitivity", "", text, ""]
    reps = manifest["experiment"].get("replications")
    counts = final_values(df).groupby(["scenario", "point"])["run_id"].nunique()
    short = int((counts < reps).sum()) if reps else 0
    if short:
        notes.append(
            f"{short} design points have fewer than {reps} finished replications (failed runs); "
            "their response in the sensitivity analysis is the mean of the remaining ones."
        )
    for ind in indicators:
        if ind not in df.columns:
            notes.append(f"No sensitivity analysis of `{ind}`: not in the results.")
            continue
        try:
            table = sensitivity(df, manifest, ind)
        except ValueError as exc:
            notes.append(f"No sensitivity analysis of `{ind}`: {exc}")
            continue
        stem = f"sensitivity_{ind}"
        _write_table(table, out / stem)
        _save_figure(sensitivity_chart(table), out / stem)
        exp = manifest["experiment"]
        warned = warnings_for(table, design, exp.get("samples", 0), reps or 1)
        notes.extend(warned)
        converged = convergence(df, manifest, ind)
        _write_table(converged, out / f"convergence_{ind}")
        _save_figure(convergence_chart(converged), out / f"convergence_{ind}")
        rows = [
            [r["scenario"], r["parameter"], *(r[c] for c in cols)] for r in table.to_dict("records")
        ]
        md += [
            f"### {ind}",
            "",
            *_md_table(["scenario", "parameter", *cols], rows),
            "",
            f"[CSV]({stem}.csv) · [Parquet]({stem}.parquet) · [SVG]({stem}.svg)",
            "",
            f"![sensitivity of {ind}]({stem}.png)",
            "",
            *(f"**Warning.** {w}" for w in warned),
            "",
            f"Convergence: the indices on the first quarter, half and all of the samples "
            f"([CSV](convergence_{ind}.csv)); lines that still move, or wide bars, mean the "
            "sample is too small to read.",
            "",
            f"![convergence of {ind}](convergence_{ind}.png)",
            "",
        ]
    return md


def _report_replications(df: pd.DataFrame, out: Path, indicator: str | None) -> list[str]:
    """The running mean over replications with its interval: would more replications still
    change the answer?"""
    if not indicator or indicator not in df.columns:
        return []
    table = replication_convergence(final_values(df), indicator)
    _write_table(table, out / "replications")
    _save_figure(replication_chart(table, indicator), out / "replications")
    last = table.sort_values("replications").groupby(["scenario", "point"]).tail(1)
    widest = float((last["ci_high"] - last["ci_low"]).max() / 2)
    return [
        "## Replications",
        "",
        f"The running mean of `{indicator}` over replications 1 to r, with its 95% interval, "
        f"for the first design points ([CSV](replications.csv)). With all replications the "
        f"widest half-width is {widest:.3g}.",
        "",
        "![running mean over replications](replications.png)",
        "",
    ]


def _report_failures(
    failures: list[dict], planned: dict[int, dict], not_done: list[int]
) -> list[str]:
    md = ["## Failed runs", ""]
    if not failures:
        md += ["None.", ""]
    else:
        rows = []
        for f in failures:
            run = planned.get(f.get("run_id"), {})
            error = str(f.get("error", "")).strip().splitlines() or [""]
            params = ", ".join(f"{k}={_fmt(v)}" for k, v in (f.get("params") or {}).items())
            rows.append(
                [
                    f.get("run_id"),
                    run.get("scenario", ""),
                    run.get("point", ""),
                    run.get("replication", ""),
                    params,
                    error[0][:200],
                ]
            )
        md += _md_table(["run", "scenario", "point", "replication", "parameters", "error"], rows)
        md += ["", "Tracebacks are in `failures/run-<id>.json`.", ""]
    if not_done:
        shown = ", ".join(map(str, not_done[:50])) + (" ..." if len(not_done) > 50 else "")
        md += [f"Not finished (neither result nor failure): {shown}", ""]
    return md
