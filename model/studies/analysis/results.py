"""Reading a sweep's results directory: manifest, runs, failures, and which columns are what."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from model.studies.figures import OKABE_ITO

PARAM_PREFIX = "param:"
ID_COLUMNS = ("run_id", "scenario", "point", "replication", "seed")
#: numeric columns that are bookkeeping, not model indicators
NOT_INDICATORS = frozenset({"run_id", "point", "replication", "seed", "step"})
#: indicators that get sensitivity tables and charts in the report
MAIN_INDICATORS = ("engaged_share", "engaged_share_edu_low", "trust_mean", "climate_progress")
#: indicators that get fan charts in the report
FAN_INDICATORS = ("engaged_share", "trust_mean", "climate_progress")
EDU_COLUMNS = {
    "engaged_share_edu_low": ("low education", OKABE_ITO[0]),
    "engaged_share_edu_mid": ("middle education", OKABE_ITO[1]),
    "engaged_share_edu_high": ("high education", OKABE_ITO[3]),
}
SENSITIVITY_DESIGNS = ("sobol", "morris")


def load_manifest(results_dir: str | Path) -> dict[str, Any]:
    """Read ``manifest.json`` of a results directory.

    Parameters
    ----------
    results_dir : str or Path
        The results directory written by the sweep runner.

    Returns
    -------
    dict
        The manifest: ``experiment``, ``problem``, ``design_matrix``, ``runs``, ...

    Raises
    ------
    FileNotFoundError
        When there is no ``manifest.json``.
    ScenarioError
        When it is damaged (truncated, not a JSON object, a folder): one line naming it, as
        ``coprod sweep --resume`` says it (:func:`model.studies.sweep.read_manifest`).
    """
    from model.studies.sweep import read_manifest

    path = Path(results_dir) / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no manifest.json; is this a sweep results directory?")
    return read_manifest(path)


def load_results(results_dir: str | Path) -> pd.DataFrame:
    """All finished runs of a results directory as one DataFrame.

    Reads every ``parts/run-*.parquet`` and stacks them, sorted by ``run_id`` and ``step``.

    Parameters
    ----------
    results_dir : str or Path
        The results directory written by the sweep runner.

    Returns
    -------
    pandas.DataFrame
        One row per run and month (``keep="series"``) or per run (``keep="final"``); columns
        ``run_id``, ``scenario``, ``point``, ``replication``, ``seed``, ``param:<key>`` for
        every varied parameter, ``date``, ``step`` and the indicators. Empty (with the id
        columns) when no run has finished.

    Notes
    -----
    ``pd.read_parquet(results_dir / "parts")`` is *not* used: it takes the schema of one file
    for all, so it fails when a column is empty (null type) in one run and numeric in another
    (the assembly indicators are empty in runs without an assembly), and it also fails on any
    stray file in the folder. Here each file is read on its own and the schemas are unified
    (a null column becomes the numeric type of the others; missing columns become empty).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted((Path(results_dir) / "parts").glob("run-*.parquet"))
    if not files:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in ID_COLUMNS})
    tables = []
    for path in files:
        try:
            tables.append(pq.read_table(path))
        except (OSError, pa.ArrowException) as exc:
            raise ValueError(f"{path}: cannot read this part ({exc})") from exc
    table = pa.concat_tables(tables, promote_options="permissive")
    # the pandas metadata of the first file (its index length) does not fit the whole table
    df = table.replace_schema_metadata(None).to_pandas()
    order = [c for c in ("run_id", "step") if c in df.columns]
    return df.sort_values(order, kind="stable").reset_index(drop=True)


def load_failures(results_dir: str | Path) -> list[dict[str, Any]]:
    """The failed runs (``failures/run-*.json``), sorted by ``run_id``.

    Parameters
    ----------
    results_dir : str or Path
        The results directory written by the sweep runner.

    Returns
    -------
    list of dict
        Each with ``run_id``, ``params``, ``error`` and ``traceback``.
    """
    out = []
    for path in sorted((Path(results_dir) / "failures").glob("run-*.json")):
        out.append(json.loads(path.read_text(encoding="utf-8")))
    return sorted(out, key=lambda f: f.get("run_id", -1))


# ---------------------------------------------------------------------------- columns
def param_columns(df: pd.DataFrame) -> list[str]:
    """The ``param:<key>`` columns of a results frame, in their order."""
    return [c for c in df.columns if c.startswith(PARAM_PREFIX)]


def indicator_columns(df: pd.DataFrame) -> list[str]:
    """The numeric model indicators of a results frame.

    Ids, ``step`` and parameter columns are excluded, and so are columns that are empty in
    every row (such as the assembly indicators in a sweep without an assembly): they carry
    no information and would only fill the tables with blanks.
    """
    out = []
    for c in df.columns:
        if c in NOT_INDICATORS or c.startswith(PARAM_PREFIX):
            continue
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        if s.notna().any():
            out.append(c)
    return out


def final_values(df: pd.DataFrame) -> pd.DataFrame:
    """The last month of every run (one row per ``run_id``).

    Works for both ``keep`` modes: with ``keep="final"`` the frame already has one row per
    run and is returned sorted.
    """
    if df.empty:
        return df.copy()
    time_col = "step" if "step" in df.columns else "date"
    order = ["run_id", time_col] if time_col in df.columns else ["run_id"]
    last = df.sort_values(order, kind="stable").groupby("run_id", sort=True).tail(1)
    return last.reset_index(drop=True)
