"""The building blocks of the scenario schema: documented parameters, strict tables, months.

Every parameter is declared with :func:`P`, which keeps its default, unit, allowed range and
source together; ``docs/ODD.md``'s parameter tables are generated from these declarations
(``uv run coprod docs``), so code and documentation cannot drift.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

#: a unit conversion (52.2 weeks a year / 12), not a parameter
WEEKS_PER_MONTH = 4.35

MONTH_PATTERN = re.compile(r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")


def P(default: Any, *, unit: str, source: str, description: str, **kw) -> Any:
    """A documented model parameter: default, range, unit and source in one place."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **kw,
    )


def field_bounds(field) -> tuple[float | None, float | None]:
    """Lower and upper bound (inclusive or strict) declared on a pydantic field."""
    lo = hi = None
    for m in field.metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                lo = getattr(m, attr)
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                hi = getattr(m, attr)
    return lo, hi


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, validate_default=True)


def _month(value: str) -> str:
    if not isinstance(value, str) or not MONTH_PATTERN.match(value):
        raise ValueError("a month written as 'YYYY-MM', e.g. '2027-03'")
    return value


Month = Annotated[str, Field(description="A calendar month, 'YYYY-MM'.", examples=["2027-03"])]


def month_index(start: str, month: str) -> int:
    """Steps from ``start`` to ``month`` (both 'YYYY-MM')."""
    y0, m0 = map(int, start.split("-"))
    y1, m1 = map(int, month.split("-"))
    return (y1 - y0) * 12 + (m1 - m0)


@functools.lru_cache(maxsize=4096)
def month_label(start: str, step: int) -> str:
    """The 'YYYY-MM' label of the month ``step`` months after ``start``."""
    y0, m0 = map(int, start.split("-"))
    total = y0 * 12 + (m0 - 1) + step
    return f"{total // 12:04d}-{total % 12 + 1:02d}"
