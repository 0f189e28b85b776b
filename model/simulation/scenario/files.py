"""Reading scenario files: TOML, inheritance by ``extends``, and clear errors.

Every problem with a scenario file becomes a :class:`ScenarioError` that names the file, the
key path, the value given and what is allowed, so the command line can print one line and
exit with status 2 instead of a traceback.
"""

from __future__ import annotations

import math
import re
import tomllib
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from model.rules.registry import (
    MECHANISMS,
    VariantError,
    VariantFileError,
    VariantParamError,
    available,
)
from model.simulation.scenario import (
    Refused,
    Run,
    Scenario,
    TimelineDateError,
    TimelineLeverError,
    deep_merge,
    field_bounds,
    month_index,
    month_label,
)

PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # the repository (model/simulation/scenario/..)


def scenario_dir() -> Path:
    """Where named scenarios live: ``./scenarios`` if present, else the project's own."""
    here = Path.cwd() / "scenarios"
    return here if here.is_dir() else PACKAGE_ROOT / "scenarios"


class ScenarioError(Exception):
    """A scenario file cannot be used; ``str()`` is the one-line message for users."""

    def __init__(self, file: str | Path, key: str, given: Any, allowed: str):
        self.file, self.key, self.given, self.allowed = str(file), key, given, allowed
        where = f"{self.file}: {key}" if key else self.file
        super().__init__(printable(f"{where}: given {_show(given)}; allowed: {allowed}"))

    def __reduce__(self):
        # raised in a worker process and sent back to the sweep: rebuild it from its four
        # parts (the default would call __init__ with the message alone, and fail)
        return type(self), (self.file, self.key, self.given, self.allowed)


#: what a scenario or experiment file may hold, checked before anything is expanded: a file of
#: a few kilobytes (the shipped ones are below 10 kB), a chain of ``extends``, nesting of tables
#: and arrays, and timeline entries (more than one a week for ten years)
MAX_FILE_BYTES = 1_000_000
MAX_EXTENDS = 32
MAX_NESTING = 16
MAX_TIMELINE = 1_000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN``: a key or value from a file never
    reaches the terminal as an escape sequence (colours, cursor moves, a cleared line)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("\n", "\\n")


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) or value else "''"
    return text if len(text) <= 80 else text[:77] + "..."


def resolve(ref: str | Path, base_dir: Path | None = None) -> Path:
    """A scenario path from a path or a bare name (``baseline`` -> ``scenarios/baseline.toml``)."""
    p = Path(ref)
    if p.suffix == ".toml" or p.exists() or len(p.parts) > 1:
        return p if p.is_absolute() or base_dir is None or p.exists() else base_dir / p
    return (base_dir or scenario_dir()) / f"{ref}.toml"


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning every failure into a :class:`ScenarioError`."""
    if not path.is_file():
        raise ScenarioError(
            path,
            "",
            str(path),
            "an existing scenario file (.toml); `coprod scenarios` lists the shipped ones",
        )
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            path, "", f"a file of {size:,} bytes", f"at most {MAX_FILE_BYTES:,} bytes"
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            path,
            "",
            f"byte 0x{data[exc.start]:02x} at offset {exc.start}",
            "a text file encoded as UTF-8",
        ) from None
    if not text.strip():
        raise ScenarioError(
            path,
            "",
            "an empty file",
            "a TOML scenario with at least a 'question' (see scenarios/baseline.toml)",
        )
    try:
        raw = tomllib.loads(text)
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise ScenarioError(
            path, "", "values nested too deeply", f"at most {MAX_NESTING} levels of nesting"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        # "Expected ... (at line 8, column 5)": the place goes where the key would, so that
        # the message is not cut short (a given value is shown up to 80 characters)
        problem, _, place = str(exc).partition(" (at ")
        allowed = "TOML syntax (https://toml.io)"
        if problem.startswith("Invalid value"):
            allowed += '; text needs quotes, e.g. style = "cooperative"'
        raise ScenarioError(path, place.rstrip(")"), f"invalid TOML: {problem}", allowed) from None
    check_values(raw, path)
    return raw


def check_values(raw: dict[str, Any], path: Path | str) -> None:
    """Refuse what no key allows, wherever it is, before anything is validated or expanded:
    NaN and infinite numbers (TOML has ``nan`` and ``inf``; a share of NaN would reach the
    random draws), nesting deeper than :data:`MAX_NESTING`, and more than :data:`MAX_TIMELINE`
    timeline entries. Walks without recursion, so no input can exhaust the stack."""
    todo: list[tuple[str, Any, int]] = [("", raw, 0)]
    while todo:
        key, value, depth = todo.pop()
        if depth > MAX_NESTING:
            raise ScenarioError(
                path, key, "values nested too deeply", f"at most {MAX_NESTING} levels of nesting"
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(path, key, value, "a finite number")
        if isinstance(value, dict):
            items = [(f"{key}.{k}" if key else str(k), v, depth + 1) for k, v in value.items()]
            todo += reversed(items)  # the first problem in the file's order is reported
        elif isinstance(value, list):
            if key == "timeline" and len(value) > MAX_TIMELINE:
                raise ScenarioError(
                    path, key, f"{len(value):,} entries", f"at most {MAX_TIMELINE:,} entries"
                )
            todo += reversed([(f"{key}[{i}]", v, depth + 1) for i, v in enumerate(value)])


def load_raw(
    ref: str | Path, base_dir: Path | None = None, _chain: tuple[Path, ...] = ()
) -> tuple[dict[str, Any], Path]:
    """The merged raw dictionary of a scenario and its ancestors, and its path."""
    path = resolve(ref, base_dir)
    try:
        key = path.resolve()
    except (OSError, RuntimeError):  # a symbolic link that points to itself, via others
        raise ScenarioError(
            path, "", "a symbolic link in a loop", "a scenario file or a link to one"
        ) from None
    if len(_chain) >= MAX_EXTENDS:
        raise ScenarioError(
            path,
            "extends",
            f"a chain of more than {MAX_EXTENDS} scenarios",
            f"at most {MAX_EXTENDS} (a scenario, its parent, and so on)",
        )
    if key in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, key))
        raise ScenarioError(path, "extends", cycle, "an extension chain without cycles")
    raw = read_toml(path)
    raw.setdefault("name", path.stem)
    _check_reference(path, raw)
    parent_ref = raw.pop("extends", None)
    if parent_ref is None:
        return raw, path
    if not isinstance(parent_ref, str) or not parent_ref:
        raise ScenarioError(path, "extends", parent_ref, "the name or path of another scenario")
    parent_path = resolve(parent_ref, path.parent)
    if not parent_path.is_file() and Path(parent_ref).suffix != ".toml":
        # a bare name not found next to the file: the scenarios of the working directory,
        # then the project's own (so `extends = "baseline"` works from any folder)
        for folder in (scenario_dir(), PACKAGE_ROOT / "scenarios"):
            if (folder / f"{parent_ref}.toml").is_file():
                parent_path = folder / f"{parent_ref}.toml"
                break
    if not parent_path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.toml"))
        raise ScenarioError(
            path,
            "extends",
            parent_ref,
            "one of " + ", ".join(known) if known else "an existing scenario",
        )
    parent, _ = load_raw(parent_path, path.parent, (*_chain, key))
    # a child keeps its own identity (its question, what it is answered against, its story);
    # timeline entries of ancestors are kept before its own
    for own in (
        "name",
        "question",
        "question_de",
        "title",
        "title_de",
        "description",
        "reference",
        "reference_indicator",
        "story",
    ):
        parent.pop(own, None)
    timeline = parent.pop("timeline", []) + raw.pop("timeline", [])
    if len(timeline) > MAX_TIMELINE:
        raise ScenarioError(
            path,
            "timeline",
            f"{len(timeline):,} entries with its parents",
            f"at most {MAX_TIMELINE:,}",
        )
    merged = deep_merge(parent, raw)
    if timeline:
        merged["timeline"] = timeline
    merged["extends"] = str(parent_ref)
    return merged, path


def load_scenario(ref: str | Path, *, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario file (or a shipped scenario by name)."""
    raw, path = load_raw(ref)
    written = raw
    if overrides:
        raw = deep_merge(raw, overrides)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _explain(path, raw, exc) from None
    _check_params_used(path, scenario)
    _check_story_inside_run(path, scenario, written if overrides else None)
    return scenario


def _check_reference(path: Path, raw: dict[str, Any]) -> None:
    """``reference`` names a scenario as ``extends`` finds one by name: next to the file, in
    the scenarios of the working directory, or the project's own; never the file itself."""
    if "reference" not in raw:
        return
    given = raw["reference"]
    folders = (path.parent, scenario_dir(), PACKAGE_ROOT / "scenarios")
    if (
        isinstance(given, str)
        and given
        and given != path.stem
        and Path(given).name == given
        and Path(given).suffix != ".toml"
        and any((folder / f"{given}.toml").is_file() for folder in folders)
    ):
        return
    known = sorted({p.stem for folder in folders for p in folder.glob("*.toml")} - {path.stem})
    raise ScenarioError(
        path,
        "reference",
        given,
        "the name of another scenario, one of " + ", ".join(known)
        if known
        else "the name of another scenario (none found)",
    )


def _check_story_inside_run(path: Path, scenario: Scenario, written: dict | None) -> None:
    """Every pause of the story inside the run as the file writes it: a run shortened by an
    override (``coprod run --months 14``, an experiment's ``months``) keeps its story, and the
    page does not pause after its end (:func:`model.interface.app.story.next_pause`)."""
    run = scenario.run
    if written is not None:
        try:
            run = Run.model_validate(written.get("run") or {})
        except (ValidationError, AttributeError):
            pass  # the file's own run is replaced by the override: judge by the run used
    end = month_label(run.start, run.months - 1)
    for i, step in enumerate(scenario.story):
        if (
            step.pause_at is not None
            and not 0 <= month_index(run.start, step.pause_at) < run.months
        ):
            raise ScenarioError(
                path,
                f"story[{i}].pause_at",
                step.pause_at,
                f"a month inside the run, {run.start} to {end}",
            )


def _check_params_used(path: Path, scenario: Scenario) -> None:
    """Parameters for a rule the scenario does not choose would be silently unused."""
    chosen = set(scenario.rules.model_dump(exclude={"params"}).values())
    for variant in scenario.rules.params:
        if variant not in chosen:
            mechanism = next((m for m in MECHANISMS if variant in available(m)), "MECHANISM")
            raise ScenarioError(
                path,
                f"rules.params.{variant}",
                f"parameters of {variant!r}, a rule the scenario does not choose",
                f'the rule chosen too: [rules] {mechanism} = "{variant}" (or no such table)',
            )


# ---------------------------------------------------------------------- error messages


def _explain(path: Path, raw: dict, exc: ValidationError) -> ScenarioError:
    err = exc.errors()[0]
    loc = list(err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, Refused):  # a check that says itself what is allowed
        key = ".".join(part for part in (_key_path(loc), cause.key) if part)
        return ScenarioError(
            path, key, cause.given if cause.has_given else err.get("input"), cause.allowed
        )
    if isinstance(cause, TimelineDateError):
        return ScenarioError(
            path,
            f"timeline[{cause.index}].date",
            cause.given,
            f"a month inside the run, {cause.start} to {cause.end}",
        )
    if isinstance(cause, TimelineLeverError):
        inner = cause.cause
        if isinstance(inner, ValidationError):
            sub = _explain(path, raw.get("timeline", [{}])[cause.index].get("levers", {}), inner)
            return ScenarioError(
                path, f"timeline[{cause.index}].levers.{sub.key}", sub.given, sub.allowed
            )
        return ScenarioError(path, f"timeline[{cause.index}].levers", None, str(inner))
    key = _key_path(loc)
    given = err.get("input")
    if isinstance(cause, VariantFileError):  # not the scenario's fault: name the file
        raise cause from None  # its own one-line message: file, line, the error and the fix
    if isinstance(cause, VariantParamError):
        return ScenarioError(path, cause.key, cause.given, cause.allowed)
    if isinstance(cause, VariantError) and loc and loc[0] == "rules":
        names = ", ".join(repr(n) for n in available(str(loc[-1])))
        # the name of another mechanism's rule: the decorator or the [rules] key is wrong
        other = "".join(f"; {given!r} is a {m} rule" for m in MECHANISMS if given in available(m))
        return ScenarioError(path, key, given, f"one of {names} (uv run coprod rules){other}")
    if err["type"] == "extra_forbidden":
        parent = _field_model(Scenario, loc[:-1])
        allowed = ", ".join(sorted(parent.model_fields)) if parent else "no further keys"
        return ScenarioError(path, key, loc[-1], f"keys here are {allowed}")
    if err["type"] == "missing":
        return ScenarioError(path, key, "nothing", "this key is required")
    return ScenarioError(path, key, given, _allowed(loc, err))


def _key_path(loc: list) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field_model(model: type[BaseModel], loc: list) -> type[BaseModel] | None:
    """The pydantic model class reached by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _inner_type(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_type(tp: Any) -> Any:
    """Strip Optional/list wrappers to the type a nested key refers to."""
    while True:
        origin = typing.get_origin(tp)
        if origin in (list, typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _allowed(loc: list, err: dict) -> str:
    parent = _field_model(Scenario, [p for p in loc[:-1]])
    name = next((p for p in reversed(loc) if isinstance(p, str)), None)
    field = parent.model_fields.get(name) if parent and name else None
    if field is None:
        return err["msg"]
    tp = _inner_type(field.annotation)
    if isinstance(tp, type) and issubclass(tp, Enum):
        kind = "one of " + ", ".join(repr(e.value) for e in tp)
    elif tp is bool:
        kind = "true or false"
    elif tp is int:
        kind = "a whole number"
    elif tp is float:
        kind = "a number"
    elif tp is str:
        kind = "a string"
    else:
        kind = err["msg"]
    lo, hi = field_bounds(field)
    if lo is not None and hi is not None:
        kind += f" from {lo:g} to {hi:g}"
    elif lo is not None:
        kind += f" of at least {lo:g}"
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if extra.get("unit") and not (isinstance(tp, type) and issubclass(tp, Enum)):
        kind += f" ({extra['unit']})"
    if typing.get_origin(field.annotation) is list and not isinstance(loc[-1], int):
        kind = f"a list: {kind}"
    if err["type"] not in (
        "int_parsing",
        "float_parsing",
        "bool_parsing",
        "enum",
        "greater_than_equal",
        "less_than_equal",
        "greater_than",
        "less_than",
        "int_type",
        "float_type",
        "bool_type",
        "string_type",
        "int_from_float",
        "list_type",
    ):
        kind += f" ({err['msg']})"
    return kind
