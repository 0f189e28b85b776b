"""Writing the results of one run: Parquet, CSV, summary JSON and an overview figure.

``summary.json`` records the package versions, the git commit, whether the tree had
uncommitted changes and the hash of the model's code, as a sweep's manifest does.

Files are first written to a temporary folder beside the target and moved in only when all
of them exist, so an error never leaves an output folder half-written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from model.simulation.indicators import INDICATORS
from model.studies.provenance import package_versions, provenance

FILES = ("timeseries.parquet", "timeseries.csv", "summary.json", "overview.png")


def summary(model, scenario_file: str | None) -> dict:
    df = model.dataframe()
    last = df.iloc[-1]
    final = {}
    for k in INDICATORS:
        v = last[k]
        final[k] = (
            None
            if v is None or (isinstance(v, float) and pd.isna(v))
            else (v.item() if hasattr(v, "item") else v)
        )
    # the derived outcomes of the analyses (gaps, cost per year), from the same run
    from model.studies.analysis.derived import add_derived

    row = pd.DataFrame([{**final, "step": len(df)}])
    extra = add_derived(row, model.config.city.population).iloc[0]
    derived = {
        k: (None if pd.isna(extra[k]) else float(extra[k]))
        for k in ("education_gap", "education_ratio", "migration_gap", "cost_eur_per_year")
        if k in extra
    }
    derived["engaged_residents"] = float(extra["engaged_residents"])
    return {
        "scenario": model.config.name,
        "scenario_file": scenario_file,
        "question": model.config.question,
        "seed": model.seed,
        "citizens": model.citizens.n,
        "months": int(len(df)),
        "start": df["date"].iloc[0],
        "end": df["date"].iloc[-1],
        "final": final,
        "derived": derived,
        "events": [{"date": d, "label": label} for d, label in model.events],
        "scenario_config": model.config.model_dump(mode="json"),
        "versions": package_versions(),
        **provenance(),  # git commit, uncommitted changes, code hash
    }


def write_run(model, out_dir: Path, scenario_file: str | None) -> Path:
    """Write all result files of ``model`` to ``out_dir`` (created or updated)."""
    from model.interface.plots import overview

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    df = model.dataframe()
    for col in ("assembly_response_rate", "assembly_response_rate_edu_low"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        df.to_parquet(tmp / "timeseries.parquet", index=False)
        df.to_csv(tmp / "timeseries.csv", index=False)
        (tmp / "summary.json").write_text(
            json.dumps(summary(model, scenario_file), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        fig = overview(
            df,
            f"{model.config.name} — {model.config.city.name}, seed "
            f"{model.seed}, {model.citizens.n:,} citizens",
            model.events,
        )
        fig.savefig(tmp / "overview.png", dpi=110)
        out_dir.mkdir(exist_ok=True)
        for name in FILES:
            (tmp / name).replace(out_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir
