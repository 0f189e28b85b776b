"""Generated documentation: parameter and indicator tables in docs/ODD.md.

The tables are produced from the pydantic field metadata of
:mod:`model.simulation.scenario` and from
:data:`model.simulation.indicators.INDICATORS`, between marker comments in the ODD file, so the
documentation cannot drift from the code (a test checks that the file is up to date).
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from model.simulation.indicators import INDICATORS
from model.simulation.scenario import Scenario, field_bounds


def _range(field) -> str:
    lo, hi = field_bounds(field)
    ann = getattr(field.annotation, "__members__", None)
    if ann:
        return " / ".join(ann)
    if lo is None and hi is None:
        return ""
    return f"{'' if lo is None else f'{lo:g}'} – {'' if hi is None else f'{hi:g}'}"


def _default(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{getattr(k, 'value', k)}: {_default(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_default(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:,g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return (
        str(getattr(value, "value", value)).lower()
        if isinstance(value, bool)
        else str(getattr(value, "value", value))
    )


def _sections(obj: BaseModel, prefix: str = "") -> list[tuple[str, BaseModel]]:
    """Every table of parameters in a scenario, nested tables (``[levers.*]``) one by one."""
    out: list[tuple[str, BaseModel]] = []
    for key in type(obj).model_fields:
        value = getattr(obj, key)
        if not isinstance(value, BaseModel) or key == "rules":
            continue  # [rules] names rule variants: `coprod rules` lists them
        name = f"{prefix}{key}"
        nested = [v for v in type(value).model_fields if isinstance(getattr(value, v), BaseModel)]
        out += _sections(value, f"{name}.") if nested else [(name, value)]
    return out


def _cell(value) -> str:
    """A Markdown table cell: a '|' inside would end the cell."""
    return str(value).replace("|", "\\|")


def parameter_table() -> str:
    """One Markdown table per parameter section of a scenario."""
    out = []
    for name, obj in _sections(Scenario()):
        doc = " ".join((type(obj).__doc__ or "").strip().split("\n\n")[0].split())
        out += [
            f"### `[{name}]`",
            "",
            doc,
            "",
            "| parameter | meaning | unit | default | range | source |",
            "|---|---|---|---|---|---|",
        ]
        for key, field in type(obj).model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            cells = (
                f"`{key}`",
                field.description or "",
                extra.get("unit", ""),
                _default(getattr(obj, key)),
                _range(field),
                extra.get("source", ""),
            )
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out)


def indicator_table() -> str:
    rows = ["| indicator | unit | meaning |", "|---|---|---|"]
    rows += [f"| `{k}` | {unit} | {meaning} |" for k, (unit, meaning) in INDICATORS.items()]
    return "\n".join(rows) + "\n"


def fill(text: str, marker: str, body: str) -> str:
    """``text`` with the block between ``<!-- marker:start -->`` and ``<!-- marker:end -->``
    replaced by ``body`` (generated parts of hand-written documents)."""
    pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"marker '<!-- {marker}:start -->' missing")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def render_odd(text: str) -> str:
    text = fill(text, "parameters", parameter_table())
    return fill(text, "indicators", indicator_table())


def update_odd(path: Path) -> Path:
    path.write_text(render_odd(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path
