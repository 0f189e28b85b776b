"""Every Markdown table has as many cells in each row as in its header.

A ``|`` inside a cell (a parameter's range ``a | b``, a union type in a description) ends the
cell unless it is escaped as ``\\|`` (in GitHub's Markdown also inside backticks), and the row
then has a cell too many: GitHub shows the extra cell nowhere, so the text is silently cut.
Checked: the documents in ``docs/`` as they are (most of their tables are generated:
``coprod docs``, ``coprod calibrate``, ``coprod compare``), the ODD's tables as
:mod:`model.interface.docs` generates them now, and the other Markdown files of the
repository (READMEs, benchmark results).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.interface.docs import indicator_table, parameter_table, render_odd

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").rglob("*.md"))
OTHERS = [
    ROOT / "README.md",
    ROOT / "experiments" / "README.md",
    *sorted((ROOT / "benchmarks" / "results").glob("*.md")),
]

DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")
FENCE = re.compile(r"^\s*(```|~~~)")


def cells(row: str) -> list[str]:
    """The cells of a table row: split at each ``|`` that no backslash escapes, without the
    optional pipes at the row's two ends."""
    out, cell, chars = [], "", iter(row.strip())
    for ch in chars:
        if ch == "\\":
            cell += ch + next(chars, "")  # an escaped character, '\|' included, stays in
        elif ch == "|":
            out.append(cell)
            cell = ""
        else:
            cell += ch
    out.append(cell)
    if row.strip().startswith("|"):
        out = out[1:]
    if out and out[-1].strip() == "" and re.search(r"(?<!\\)\|\s*$", row):
        out = out[:-1]
    return out


def tables(text: str) -> list[tuple[int, list[str]]]:
    """Every table outside code blocks: (line number of its header, its lines)."""
    lines = text.splitlines()
    found, fenced, i = [], False, 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            fenced = not fenced
        elif (
            not fenced
            and "|" in lines[i]
            and i + 1 < len(lines)
            and DELIMITER.match(lines[i + 1].strip())
        ):
            end = i + 2
            while end < len(lines) and lines[end].strip() and "|" in lines[end]:
                end += 1
            found.append((i + 1, lines[i:end]))
            i = end
            continue
        i += 1
    return found


def ragged_rows(text: str, name: str) -> list[str]:
    """Rows whose number of cells differs from their table's header, as 'file:line: ...'."""
    bad = []
    for start, rows in tables(text):
        width = len(cells(rows[0]))
        for k, row in enumerate(rows[1:], 1):
            if len(cells(row)) != width:
                bad.append(
                    f"{name}:{start + k}: {len(cells(row))} cells, header {width}: {row[:90]}"
                )
    return bad


def test_the_check_counts_escaped_pipes_as_text_and_finds_a_ragged_row():
    good = "| key | range |\n|---|---|\n| `style` | a \\| b |\n| `x` | `0 \\| 1` |\n"
    bad = "| key | range |\n|---|---|\n| `style` | a | b |\n"
    fenced = "```\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n```\n"
    assert ragged_rows(good, "good") == []
    assert ragged_rows(fenced, "fenced") == []
    assert ragged_rows(bad, "bad") == ["bad:3: 3 cells, header 2: | `style` | a | b |"]
    assert cells("a | b\\|c | d") == ["a ", " b\\|c ", " d"]  # no pipes at the ends


@pytest.mark.parametrize("path", DOCS + OTHERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_table_row_has_as_many_cells_as_its_header(path):
    text = path.read_text(encoding="utf-8")
    assert ragged_rows(text, str(path.relative_to(ROOT))) == []


def test_the_generated_odd_tables_are_whole():
    odd = ROOT / "docs" / "ODD.md"
    text = render_odd(odd.read_text(encoding="utf-8"))
    assert len(tables(parameter_table())) >= 10 and tables(indicator_table())
    assert ragged_rows(text, "ODD.md as `coprod docs` writes it") == []
    # the tables are there to be checked: every parameter row and every indicator row
    rows = sum(len(r) - 2 for _, r in tables(text))
    generated = sum(len(r) - 2 for _, r in tables(parameter_table() + indicator_table()))
    assert rows >= generated > 100
