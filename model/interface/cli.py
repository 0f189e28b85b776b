"""The ``coprod`` command line.

    coprod run SCENARIO [--seed N] [--citizens N] [--months N] [--out DIR]
    coprod scenarios
    coprod check FILE...
    coprod schema [--experiment] [--out FILE]
    coprod calibrate [--seeds N] [--citizens N] [--fit]
    coprod compare [--seeds N] [--citizens N] [--until YEAR]
    coprod docs
    coprod app [--host ADDRESS] [--port N] [--max-sessions N]
    coprod sweep EXPERIMENT [--out DIR] [--workers N] [--backend local|dask]
                 [--scheduler ADDRESS] [--resume] [--stall-timeout SECONDS]
    coprod analyze RESULTS_DIR
    coprod rules
    coprod new-rule MECHANISM NAME [--whole] [--force] [--root DIR]

Bad input exits with status 2 and one line naming file, key, given value and what is
allowed; no traceback. A sweep stopped with Ctrl-C or SIGTERM exits with status 130 or 143
and one line with the command that resumes it; one that lost its Dask scheduler or made no
progress for --stall-timeout seconds likewise, with status 1 (docs/reliability.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

from model.interface.analyze import add_analyze_parser
from model.rules.contract import RuleContractError
from model.rules.registry import VariantError
from model.simulation.scenario.files import PACKAGE_ROOT, ScenarioError, load_scenario, scenario_dir
from model.studies.stopping import STALL_TIMEOUT_S

DOCS = PACKAGE_ROOT / "docs"


def _nonneg_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {text!r}; allowed: a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"given {value}; allowed: a number of at least 0")
    return value


def _nonneg_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {text!r}; allowed: a number") from None
    if not value >= 0 or value == float("inf"):  # NaN fails the first test
        raise argparse.ArgumentTypeError(f"given {text}; allowed: a number of at least 0")
    return value


def _port(text: str) -> int:
    value = _nonneg_int(text)
    if value > 65535:  # a TCP port is 16 bits; more would overflow deep in the socket layer
        raise argparse.ArgumentTypeError(f"given {value}; allowed: a port from 0 to 65535")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {text!r}; allowed: a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"given {value}; allowed: a number of at least 1")
    return value


class Progress:
    """A minimal progress bar on stderr (only for long runs)."""

    def __init__(self, total: int, label: str, enabled: bool):
        self.total, self.label, self.enabled = total, label, enabled
        self.done, self.t0 = 0, time.perf_counter()

    def __call__(self, k: int = 1) -> None:
        self.done += k
        if not self.enabled:
            return
        frac = self.done / self.total
        bar = "#" * int(30 * frac)
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / frac - elapsed if frac else 0
        sys.stderr.write(
            f"\r{self.label} [{bar:<30}] {self.done}/{self.total}  "
            f"{elapsed:5.1f}s, ~{eta:4.0f}s left"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


# ---------------------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    from model.interface.output import FILES, write_run
    from model.simulation.model import DEFAULT_SEED, CoProductionModel

    overrides: dict = {"run": {}}
    if args.citizens is not None:
        overrides["run"]["citizens"] = args.citizens
    if args.months is not None:
        overrides["run"]["months"] = args.months
    scenario = load_scenario(args.scenario, overrides=overrides)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("runs") / scenario.name
    months = scenario.run.months
    long_run = scenario.run.citizens * months >= 2_000_000
    bar = Progress(months, f"{scenario.name}", enabled=long_run and not args.quiet)
    t0 = time.perf_counter()
    model = CoProductionModel(scenario, rng=seed)
    t_init = time.perf_counter() - t0
    for _ in range(months):
        model.step()
        bar()
    elapsed = time.perf_counter() - t0
    write_run(model, out, str(args.scenario))
    df = model.dataframe()
    first, last = df.iloc[0], df.iloc[-1]
    print(f"{scenario.name}: {scenario.question}" if scenario.question else scenario.name)
    print(
        f"  {scenario.run.citizens:,} citizens x {months} months, seed {seed}, {elapsed:.1f} s "
        f"(initialisation {t_init:.1f} s: population, network, burn-in; months "
        f"{elapsed - t_init:.1f} s)"
    )
    rows = [
        ("engaged (all)", "engaged_share"),
        ("  low education", "engaged_share_edu_low"),
        ("  high education", "engaged_share_edu_high"),
        ("  silent groups", "engaged_share_silent"),
        ("trust (mean)", "trust_mean"),
        ("climate progress", "climate_progress"),
        ("lonely", "lonely_share"),
        ("satisfied with democracy", "democracy_satisfaction"),
    ]
    print(f"  {'indicator':<26}{first['date']:>9}{last['date']:>9}")
    for label, col in rows:
        print(f"  {label:<26}{float(first[col]):>9.3f}{float(last[col]):>9.3f}")
    print(
        f"  cost of all levers: {float(last['cost_eur_total']) / 1e6:.2f} million EUR "
        f"(infrastructure {float(last['infrastructure_spend_eur']) / 1e6:.2f})"
    )
    print(f"  results: {out}/ ({', '.join(FILES)})")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    folder = Path(args.dir) if args.dir else scenario_dir()
    files = sorted(folder.glob("*.toml"))
    if not files:
        print(f"no scenarios in {folder}", file=sys.stderr)
        return 2
    width = max(len(f.stem) for f in files)
    for f in files:
        try:
            question = load_scenario(f).question
        except ScenarioError as exc:
            question = f"(invalid: {exc})"
        print(f"{f.stem:<{width}}  {question}")
    return 0


# keys only an experiment file has at its top level: a file with one of them is checked as an
# experiment, not as a scenario. Not months, citizens or seed, which experiments also have:
# a scenario's author who writes them at the top level (not under [run]) should hear which
# keys a scenario takes.
EXPERIMENT_KEYS = {"design", "parameters", "replications", "samples", "scenarios", "keep"}


def _is_experiment(ref: str) -> bool:
    from model.simulation.scenario.files import read_toml, resolve
    from model.studies.experiment import experiment_dir

    path = resolve(ref)
    if not path.is_file():  # a bare name: a shipped experiment if there is no such scenario
        return (experiment_dir() / f"{ref}.toml").is_file()
    try:
        return bool(EXPERIMENT_KEYS & set(read_toml(path)))
    except ScenarioError:
        return False  # the scenario check reports what is wrong with the file


def _check_experiment(ref: str) -> str:
    from model.studies.experiment import load_experiment

    exp, path, _ = load_experiment(ref)
    return (
        f"ok: {path} (experiment {exp.name}: {exp.design} design, {_design_size(exp)} = "
        f"{len(exp.runs())} runs)"
    )


def _design_size(exp) -> str:
    """'8 points x 20 replications x 1 scenario': how an experiment's runs come about."""
    scenarios = len(exp.scenarios)
    return (
        f"{len(exp.points())} points x {exp.replications} replications x {scenarios} "
        f"scenario{'s' if scenarios != 1 else ''}"
    )


def cmd_check(args: argparse.Namespace) -> int:
    status = 0
    for ref in args.files:
        try:
            if _is_experiment(ref):
                print(_check_experiment(ref))
                continue
            sc = load_scenario(ref)
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 2
        else:
            print(
                f"ok: {ref} ({sc.name}: {sc.run.months} months from {sc.run.start}, "
                f"{len(sc.timeline)} timeline entries)"
            )
    return status


def cmd_schema(args: argparse.Namespace) -> int:
    from model.simulation.scenario import Scenario
    from model.studies.experiment import Experiment

    files = Experiment if args.experiment else Scenario
    schema = files.model_json_schema()
    schema["title"] = "coprod experiment" if args.experiment else "coprod scenario"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from model.studies import calibration

    scenario = load_scenario("baseline")
    seeds = list(range(1, args.seeds + 1))
    if args.fit:
        values = calibration.fit(scenario, seeds, args.citizens)
        print("fitted values (copy into model/simulation/scenario/):")
        print(json.dumps(values, indent=2))
        return 0
    tab = calibration.table(scenario, seeds, args.citizens)
    cmd = f"uv run coprod calibrate --seeds {args.seeds} --citizens {args.citizens}"
    text = calibration.markdown(tab, seeds, args.citizens, cmd)
    out = Path(args.out) if args.out else DOCS / "calibration.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    if not args.out:  # the capacity table of docs/ODD.md 7.6, from the same seeds
        from model.interface.docs import fill

        capacity = calibration.capacity_sensitivity(scenario, seeds[:5], args.citizens)
        odd = DOCS / "ODD.md"
        block = calibration.capacity_markdown(capacity, seeds[:5], args.citizens, cmd)
        odd.write_text(fill(odd.read_text(encoding="utf-8"), "capacity-sensitivity", block))
        print(capacity.round(3).to_string(index=False))
    print(
        tab[["indicator", "survey", "model", "gap_pp", "within_tolerance"]]
        .round(3)
        .to_string(index=False)
    )
    print(f"wrote {out}")
    return 0 if tab["within_tolerance"].all() else 1


def cmd_compare(args: argparse.Namespace) -> int:
    from model.studies.comparison import compare

    if args.until < 2035:
        print(
            f"error: --until: given {args.until}; allowed: a year from 2035 on (the scenarios "
            "are read in 2035)",
            file=sys.stderr,
        )
        return 2
    return compare(args.seeds, args.citizens, Path(args.out) if args.out else DOCS, args.until)


def cmd_sweep(args: argparse.Namespace) -> int:
    from model.studies.experiment import load_experiment
    from model.studies.stopping import Aborted, Stopped, StopSignals

    if args.scheduler and args.backend != "dask":
        raise ScenarioError(
            "coprod sweep",
            "--scheduler",
            args.scheduler,
            "together with --backend dask (local processes need no scheduler)",
        )
    stop = StopSignals()
    exp = out = None
    with stop.installed():  # Ctrl-C and SIGTERM stop the sweep within seconds, resumably
        try:
            exp, path, digest = load_experiment(args.experiment)
            out = Path(args.out) if args.out else Path("results") / exp.name
            return _sweep(args, exp, path, digest, out, stop)
        except (Stopped, Aborted) as stopped:  # a signal, a lost scheduler, the watchdog
            print(_stopped_line(args, exp, out, stopped), file=sys.stderr, flush=True)
            return stopped.status


def _sweep(args: argparse.Namespace, exp, path: Path, digest: str, out: Path, stop) -> int:
    from model.studies.executors import make_executor
    from model.studies.stopping import Aborted
    from model.studies.sweep import Progress, check_out, job_of, prepare, run_sweep

    job = job_of(exp, path)
    check_out(out, path, digest, job["scenarios"], args.resume)
    if args.resume and not (out / "manifest.json").is_file():
        # the same command starts a sweep and continues it; a mistyped --out says so here
        print(f"{out}/ holds no sweep to resume: starting a new one", flush=True)
    executor = close = progress = None
    aborted = False
    if args.scheduler:  # connect before writing anything: an unreachable address leaves no trace
        with stop.deferred():
            executor, close = make_executor(args.backend, args.workers, args.scheduler)
    try:
        todo = prepare(exp, path, digest, out, args.resume, job["scenarios"])
        total = len(exp.runs())
        print(
            f"{exp.name}: {total} runs ({exp.design}, {_design_size(exp)}); "
            f"{total - len(todo)} already done; writing to {out}/",
            flush=True,
        )
        if not todo:
            return 0
        # from here a signal is only noted, and acted on where the sweep next looks: not
        # inside the compiled rules' loading, the cluster's start or the process pool's locks
        with stop.deferred():
            if executor is None:
                executor, close = make_executor(args.backend, args.workers, args.scheduler)
            progress = Progress(len(todo), enabled=not args.quiet)
            # several runs per Dask task: each task costs a round trip through the scheduler,
            # which for the embedded cluster runs in this process, on the workers' cores, and
            # wakes the worker's event loop beside its runs. Measured on the levers sweep (this
            # process's CPU while the runs go): batches of 4 0.84 s, of 8 0.27-0.39 s, of 16
            # 0.22-0.28 s (and each worker's event loop 0.14-0.20 s -> 0.11-0.15 s). Batches
            # shrink to single runs at the end (_batches), so larger ones do not unbalance it.
            batch = 16 if args.backend == "dask" else 1
            # local processes and the embedded cluster share this disk: they write their parts
            failures = run_sweep(
                job,
                todo,
                out,
                executor,
                progress,
                batch=batch,
                shared_disk=args.scheduler is None,
                stop=stop,
                stall_timeout=args.stall_timeout,
            )
    except Aborted:
        aborted = True
        raise
    finally:
        stopping = stop.signum is not None or aborted
        if close is not None:
            close(now=stopping)  # stopped: end the runs in flight instead of waiting for them
        if stopping and progress is not None:
            progress.end_line()
    failed_total = len(list((out / "failures").glob("run-*.json")))
    where = f" (see {out}/failures/)" if failed_total else ""
    print(
        f"done: {progress.done - failures} runs finished now, {failures} failed now; "
        f"{failed_total} failed in all{where}"
    )
    return 1 if failed_total else 0


def _stopped_line(args: argparse.Namespace, exp, out: Path | None, stopped) -> str:
    """The one line a stopped sweep leaves: which signal (or other cause), how far it got,
    and the command that finishes it (the options given, with ``--resume``)."""
    done = len(list((out / "parts").glob("run-*.parquet"))) if out is not None else 0
    of = f" of {len(exp.runs())}" if exp is not None else ""
    words = ["uv", "run", "coprod", "sweep", args.experiment]
    words += ["--out", str(out)] if out is not None else []
    if args.workers != (os.cpu_count() or 1):
        words += ["--workers", str(args.workers)]
    if args.backend != "local":
        words += ["--backend", args.backend]
    words += ["--scheduler", args.scheduler] if args.scheduler else []
    if args.stall_timeout != STALL_TIMEOUT_S:
        words += ["--stall-timeout", f"{args.stall_timeout:g}"]
    words += ["--quiet"] if args.quiet else []
    command = " ".join(shlex.quote(w) for w in [*words, "--resume"])
    return (
        f"stopped ({stopped.name}): {done}{of} runs done, the runs in flight not recorded; "
        f"to finish the sweep: {command}"
    )


def cmd_app(args: argparse.Namespace) -> int:
    from model.interface.app.server import serve

    return serve(host=args.host, port=args.port, max_sessions=args.max_sessions)


def cmd_docs(args: argparse.Namespace) -> int:
    from model.interface.docs import update_odd

    path = update_odd(Path(args.file) if args.file else DOCS / "ODD.md")
    print(f"updated {path}")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from model.interface.scaffold import rules_listing
    from model.rules.registry import VariantError

    try:
        sys.stdout.write(rules_listing())
    except VariantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_new_rule(args: argparse.Namespace) -> int:
    from model.interface.scaffold import ScaffoldError, new_rule, next_steps
    from model.rules.registry import VariantError

    try:
        written = new_rule(
            args.mechanism, args.name, root=args.root, force=args.force, whole=args.whole
        )
    except (ScaffoldError, VariantError) as exc:
        print(f"error: new-rule {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(next_steps(args.mechanism, args.name, written, args.root))
    return 0


# ---------------------------------------------------------------------------- parser


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="coprod",
        description="City-citizen co-production "
        "simulation: run scenarios, check them, document them.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run one scenario and write its results")
    r.add_argument("scenario", help="scenario file or name (e.g. scenarios/baseline.toml)")
    r.add_argument("--seed", type=_nonneg_int, help="random seed (default: fixed)")
    r.add_argument("--citizens", type=_nonneg_int, help="number of citizen agents")
    r.add_argument("--months", type=_nonneg_int, help="number of months to simulate")
    r.add_argument("--out", help="output folder (default: runs/SCENARIO)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)
    s = sub.add_parser("scenarios", help="list scenarios and the questions they answer")
    s.add_argument("--dir", help="folder of scenario files (default: scenarios/)")
    s.set_defaults(func=cmd_scenarios)
    c = sub.add_parser(
        "check",
        help="validate scenario or experiment files (an experiment has design, parameters, ...)",
    )
    c.add_argument("files", nargs="+")
    c.set_defaults(func=cmd_check)
    j = sub.add_parser("schema", help="print the JSON Schema of scenario (or experiment) files")
    j.add_argument("--out", help="write to this file instead of standard output")
    j.add_argument(
        "--experiment", action="store_true", help="the schema of experiment files instead"
    )
    j.set_defaults(func=cmd_schema)
    k = sub.add_parser("calibrate", help="model against survey data (docs/calibration.md)")
    k.add_argument("--seeds", type=_nonneg_int, default=10)
    k.add_argument("--citizens", type=_nonneg_int, default=2000)
    k.add_argument("--fit", action="store_true", help="fit the intercepts instead")
    k.add_argument("--out", help="Markdown file to write (default docs/calibration.md)")
    k.set_defaults(func=cmd_calibrate)
    m = sub.add_parser("compare", help="compare all scenarios over seeds (docs figure)")
    m.add_argument("--seeds", type=_nonneg_int, default=5)
    m.add_argument("--citizens", type=_nonneg_int, default=2000)
    m.add_argument("--out", help="folder for scenarios.md and figures (default docs/)")
    m.add_argument(
        "--until",
        type=_nonneg_int,
        default=2045,
        help="last year of the runs (past 2035, to see whether effects settle; default 2045)",
    )
    m.set_defaults(func=cmd_compare)
    w = sub.add_parser("sweep", help="run an experiment (many runs, resumable)")
    w.add_argument("experiment", help="experiment file or name (e.g. experiments/levers.toml)")
    w.add_argument("--out", help="results folder (default results/EXPERIMENT)")
    w.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="runs at once: worker processes (default: the machine's cores)",
    )
    w.add_argument(
        "--backend",
        choices=["local", "dask"],
        default="local",
        help="local processes (default), or Dask: an embedded cluster, or --scheduler's",
    )
    w.add_argument("--scheduler", help="address of a running Dask scheduler (dask backend)")
    w.add_argument("--resume", action="store_true", help="continue a sweep in --out")
    w.add_argument(
        "--stall-timeout",
        type=_nonneg_float,
        default=STALL_TIMEOUT_S,
        metavar="SECONDS",
        help="stop (resumably, status 1) when no run has finished for this long "
        f"(default {STALL_TIMEOUT_S}; 0: never)",
    )
    w.add_argument("--quiet", action="store_true", help="no progress bar")
    w.set_defaults(func=cmd_sweep)
    add_analyze_parser(sub)
    a = sub.add_parser("app", help="start the workshop page (offline, German/English)")
    a.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)",
    )
    a.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0: any free)")
    a.add_argument(
        "--max-sessions",
        type=_positive_int,
        help="live sessions (browser pages) at most; more see 'page full' "
        "(default: $COPROD_MAX_SESSIONS, else 30)",
    )
    a.set_defaults(func=cmd_app)
    d = sub.add_parser("docs", help="regenerate the parameter tables in docs/ODD.md")
    d.add_argument("--file", help="ODD file (default docs/ODD.md)")
    d.set_defaults(func=cmd_docs)
    u = sub.add_parser("rules", help="list the swappable rules of each mechanism")
    u.set_defaults(func=cmd_rules)
    n = sub.add_parser("new-rule", help="write a new rule variant and its test, ready to edit")
    n.add_argument("mechanism", help="mechanism whose rule to vary (see `coprod rules`)")
    n.add_argument("name", help="name of the new variant (a Python identifier, e.g. my_rule)")
    n.add_argument(
        "--whole",
        action="store_true",
        help="replace the whole rule (default: only its hook, the one formula, if it has one)",
    )
    n.add_argument("--force", action="store_true", help="overwrite the variant's files")
    n.add_argument("--root", type=Path, help="project folder to write into (default: this project)")
    n.set_defaults(func=cmd_new_rule)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # the analyze command's own arguments, to name the command in a document it writes
    given = list(sys.argv[1:] if argv is None else argv)
    args.argv = given[given.index("analyze") + 1 :] if "analyze" in given else []
    try:
        status = args.func(args)
        # a student's variant file that fails on import: the command went on without it
        from model.rules import registry

        registry.report_broken()
        return status
    except (ScenarioError, VariantError, RuleContractError) as exc:
        from model.simulation.scenario.files import printable

        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which has read enough
        # send what is still buffered nowhere, so Python's exit does not complain about it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
