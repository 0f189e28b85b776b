"""Documentation is part of the feature: generated tables are current, every rule documented."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import model.rules
from model.interface.docs import parameter_table, render_odd
from model.simulation.indicators import INDICATORS
from model.simulation.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"


def test_odd_tables_are_generated_from_the_code():
    text = ODD.read_text(encoding="utf-8")
    assert render_odd(text) == text, "run: uv run coprod docs"


def _fields(model, prefix=""):
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if hasattr(type(value), "model_fields"):
            yield from _fields(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", field


def _is_table(value) -> bool:
    return hasattr(type(value), "model_fields")


def test_every_parameter_has_meaning_unit_and_source():
    sc = Scenario()
    sections = [k for k in type(sc).model_fields if k != "rules" and _is_table(getattr(sc, k))]
    assert {"behaviour", "support", "processes", "governance", "costs"} <= set(sections)
    for section in sections:
        for key, field in _fields(getattr(sc, section), f"{section}."):
            if key in ("city.name",):
                continue
            extra = field.json_schema_extra or {}
            assert field.description, key
            assert extra.get("unit") and extra.get("source"), key
            assert f"`{key.rsplit('.', 1)[1]}`" in parameter_table(), key


def test_every_indicator_is_documented_in_odd():
    text = ODD.read_text(encoding="utf-8")
    for name in INDICATORS:
        assert f"`{name}`" in text


def test_each_rule_module_names_its_odd_section_and_sources():
    text = ODD.read_text(encoding="utf-8")
    for info in pkgutil.iter_modules(model.rules.__path__):
        if info.name.startswith("_") or info.name in ("registry", "variants", "contract", "hooks"):
            continue  # the machinery of rule variants, not mechanisms
        mod = importlib.import_module(f"model.rules.{info.name}")
        doc = mod.__doc__ or ""
        assert "ODD section 7." in doc, info.name
        # the number and title the docstring names are those of the ODD's heading
        number, title = re.search(r'ODD section (7\.\d+) \("([^"]+)"\)', doc).groups()
        assert f"\n### {number} {title}\n" in text, (
            f"{info.name}: ODD has no '### {number} {title}'"
        )
        assert "References" in doc, info.name
        assert info.name in text, f"docs/ODD.md has no section for {info.name}"
