"""Analysis of a sweep's results directory: tables, sensitivity indices, figures, report.

A results directory (written by the sweep runner) holds ``manifest.json``, one Parquet file
per finished run in ``parts/`` and one JSON file per failed run in ``failures/``. Typical use::

    from model.studies.analysis import load_results, summary_table, write_report

    df = load_results("runs/sweep-x")       # every finished run, one frame
    summary_table(df)                        # mean, sd, 5-95% per scenario and design point
    write_report("runs/sweep-x")             # everything into runs/sweep-x/analysis/

Replication *r* uses the same seed at every design point (common random numbers), so
differences between points are computed per replication (paired) before they are summarised.
All tables are *tidy* (one row per group and indicator): the model has about 30 indicators,
and a wide table with five statistics each would be unreadable.

===========  ==============================================================================
module       what it does
===========  ==============================================================================
results      reads the manifest, the runs and the failures; which columns are what
tables       statistics per scenario and design point; paired differences from a reference
structural   which conclusions hold under every rule variant (structural uncertainty)
rule_differences  the difference each rule variant makes, with its interval, per indicator
sensitivity  Sobol and Morris indices (SALib)
figures      fan charts, the education gradient, sensitivity charts
report       all of it written to ``analysis/`` with a Markdown report
===========  ==============================================================================
"""

from model.studies.analysis.figures import fan_chart, gradient_chart, sensitivity_chart
from model.studies.analysis.report import write_report
from model.studies.analysis.results import (
    ID_COLUMNS,
    MAIN_INDICATORS,
    PARAM_PREFIX,
    final_values,
    indicator_columns,
    load_failures,
    load_manifest,
    load_results,
    param_columns,
)
from model.studies.analysis.sensitivity import sensitivity
from model.studies.analysis.structural import (
    MIN_PAIRS,
    RULE_INDICATORS,
    VERDICTS,
    conclusion_sentences,
    conclusions_by_rule,
    rule_columns,
    rule_effects_chart,
    rule_verdicts,
)
from model.studies.analysis.tables import (
    differences_from_baseline,
    reference_group,
    summary_table,
)

__all__ = [
    "ID_COLUMNS",
    "MAIN_INDICATORS",
    "MIN_PAIRS",
    "PARAM_PREFIX",
    "RULE_INDICATORS",
    "VERDICTS",
    "conclusion_sentences",
    "conclusions_by_rule",
    "differences_from_baseline",
    "fan_chart",
    "final_values",
    "gradient_chart",
    "indicator_columns",
    "load_failures",
    "load_manifest",
    "load_results",
    "param_columns",
    "reference_group",
    "rule_columns",
    "rule_effects_chart",
    "rule_verdicts",
    "sensitivity",
    "sensitivity_chart",
    "summary_table",
    "write_report",
]
