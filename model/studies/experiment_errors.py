"""One validation error of an experiment file in the words of its author: file, key, the
value given and what is allowed (as scenario files get them)."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from model.simulation.scenario.files import ScenarioError, _key_path
from model.studies.experiment import Blame, DerivedOutcome, Experiment, Parameter


def explain(path: Path, exc: ValidationError) -> ScenarioError:
    """One validation error of an experiment as a :class:`ScenarioError`."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, Blame):  # a check across keys, blaming one of them
        key = ".".join(part for part in (_key_path(loc), cause.key) if part)
        return ScenarioError(path, key, cause.given, cause.allowed)
    key = _key_path(loc)
    if err["type"] == "extra_forbidden":
        fields = _model_at(loc[:-1]).model_fields
        return ScenarioError(path, key, loc[-1], "keys here are " + ", ".join(sorted(fields)))
    if err["type"] == "literal_error":
        return ScenarioError(path, key, err.get("input"), "one of " + err["ctx"]["expected"])
    if err["type"] in _BOUNDS.values() and isinstance(loc[-1], str):
        field = _model_at(loc[:-1]).model_fields[loc[-1]]
        return ScenarioError(path, key, err.get("input"), _bounded(field))
    if err["type"] in _NUMBERS and isinstance(loc[-1], str):
        field = _model_at(loc[:-1]).model_fields.get(loc[-1])
        if field is not None and field.metadata:  # with its bounds, if it declares any
            return ScenarioError(path, key, err.get("input"), _bounded(field))
    if err["type"] in _PLAIN:
        return ScenarioError(path, key, err.get("input"), _PLAIN[err["type"]])
    if err["type"] == "too_short":
        least = (err.get("ctx") or {}).get("min_length", 1)
        items = "item" if least == 1 else "items"
        return ScenarioError(path, key, err.get("input"), f"a list of at least {least} {items}")
    msg = err["msg"].removeprefix("Value error, ")
    return ScenarioError(path, key, err.get("input"), msg)


# pydantic's error types in the words of a TOML file's author
_NUMBERS = {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"}
_PLAIN = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text in quotes",
    "list_type": "a list in brackets: [..., ...]",
    "dict_type": "a table of keys",
    "model_type": "a table of keys",
    "missing": "this key is required",
}


_BOUNDS = {
    "ge": "greater_than_equal",
    "gt": "greater_than",
    "le": "less_than_equal",
    "lt": "less_than",
}
_WORDS = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}


def _bounded(field: FieldInfo) -> str:
    """'a whole number at least 1 and at most 100,000' from a field's declared bounds."""
    kind = (
        "a whole number" if int in (field.annotation, *get_args(field.annotation)) else "a number"
    )
    bounds = [
        f"{_WORDS[attr]} {getattr(m, attr):,}"
        for m in field.metadata
        for attr in _BOUNDS
        if getattr(m, attr, None) is not None
    ]
    return f"{kind} {' and '.join(bounds)}"


def _model_at(loc: list) -> type[BaseModel]:
    """The model holding the key at ``loc`` (an experiment, or one of its parameters)."""
    tables = ("parameters", "levers", "uncertainties")
    if len(loc) >= 2 and loc[0] == "derived":
        return DerivedOutcome
    return Parameter if len(loc) >= 2 and loc[0] in tables else Experiment


def check_variant_params(path: Path, exp: Experiment, base: dict) -> None:
    """A varied parameter of a rule variant that no run chooses changes nothing: every run
    would be the same and the analysis would report an effect of exactly zero."""
    from model.rules.registry import declared_params

    known = declared_params()
    for key in exp.varied():
        parts = key.split(".")
        if parts[:2] != ["rules", "params"] or len(parts) < 3 or parts[2] not in known:
            continue
        variant = parts[2]
        mechanism = known[variant][0]
        chosen = {str((base.get("rules") or {}).get(mechanism, ""))}
        varied = exp.varied().get(f"rules.{mechanism}")
        if varied is not None and varied.values is not None:
            chosen |= {str(v) for v in varied.values}
        if variant not in chosen:
            table = next(
                t for t in ("parameters", "levers", "uncertainties") if key in getattr(exp, t)
            )
            raise ScenarioError(
                path,
                f"{table}.{key}",
                f"a parameter of the {mechanism} rule {variant!r}, which no run chooses",
                f'its rule in the runs too: [parameters."rules.{mechanism}"] values = '
                f'["{variant}"] (or the base scenario\'s [rules] {mechanism} = "{variant}")',
            )
