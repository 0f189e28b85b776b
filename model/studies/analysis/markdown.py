"""Markdown tables for the reports: one way to lay out rows, each caller its own cells."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def table(header: list[str], rows: list[list[Any]], cell: Callable[[Any], str]) -> list[str]:
    """Lines of a Markdown table; ``cell`` turns each value into text (escaping ``|``)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
