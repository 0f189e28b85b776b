"""What has been observed: the largest changes in volunteering, trust and satisfaction with
democracy that surveys and evaluations have recorded, to read the scenarios' effects against.

A data table, not a model input: ``coprod compare`` prints each scenario's effect beside the
largest observed change of the same indicator and flags effects beyond it (docs/scenarios.md).
The model's ``trust_mean`` is a mean on a 0-1 scale, the surveys count the share who trust:
the comparison is indicative for trust and direct for the shares.
"""

from __future__ import annotations

from typing import NamedTuple


class Observed(NamedTuple):
    change_pp: float  # size of the change in percentage points (signed)
    what: str
    source: str


#: indicator -> observed changes, largest first by size
OBSERVED: dict[str, list[Observed]] = {
    "engaged_share": [
        Observed(
            +8.1,
            "Germany, between two survey waves (2009 to 2014; partly a change of method)",
            "Simonson et al. 2021 (Freiwilligensurvey 2019, ch. 9)",
        ),
        Observed(
            -6.8,
            "a federal state between two waves (Sachsen-Anhalt, 2019 to 2024)",
            "BMFSFJ/DZA 2025 (Freiwilligensurvey 2024)",
        ),
        Observed(-3.0, "Germany, 2019 to 2024", "BMFSFJ/DZA 2025 (Freiwilligensurvey 2024)"),
        Observed(
            0.0,
            "municipal engagement programme (Engagierte Stadt, 50 towns, from "
            "2015): no change in volunteering measured",
            "Syspons 2022",
        ),
    ],
    "democracy_satisfaction": [
        Observed(
            -14.0,
            "Germany in six months (December 2022 to June 2023)",
            "Konrad-Adenauer-Stiftung 2023",
        ),
        Observed(
            -20.0,
            "East against West Germany, 2022 (39% against 59%; a difference between regions)",
            "Deutschland-Monitor 2022",
        ),
        Observed(-9.0, "East Germany, 2020 to 2022", "Deutschland-Monitor 2022"),
        Observed(-6.0, "Germany, 2019 to 2023", "DSEE 2023 (Allensbach)"),
    ],
    "trust_mean": [
        Observed(
            -12.0,
            "trust in the city administration, Germany, 2022 to 2023 (share who trust)",
            "forsa 2023",
        ),
        Observed(
            +8.0, "trust in mayors in the first Covid-19 year (share who trust)", "forsa 2020"
        ),
        Observed(
            0.0,
            "information about participatory budgeting: a marginal rise in trust",
            "Ardanaz et al. 2023",
        ),
    ],
}


def largest(indicator: str) -> float | None:
    """The largest observed change of ``indicator`` in percentage points (its size)."""
    rows = OBSERVED.get(indicator)
    return max(abs(r.change_pp) for r in rows) if rows else None
