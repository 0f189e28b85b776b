"""The house a newcomer can read: layers whose imports run one way, files of a readable size,
references that stay inside the repository, and one public API.

Layers (docs/architecture.md): the simulation (``model/simulation``, ``model/rules``) imports
neither the studies (``model/studies``) nor the ways in (``model/interface``); the studies do
not import the ways in. Students' own rule variants (``model/rules/variants/``) are theirs and
are not checked here, so an experiment of theirs cannot make the suite fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "model"
VARIANTS = PACKAGE / "rules" / "variants"

#: the layer of each top-level folder of ``model/``, and what it may not import
LAYERS = {
    "simulation": "simulation",
    "rules": "simulation",
    "studies": "studies",
    "interface": "interface",
}
FORBIDDEN = {
    "simulation": ("model.studies", "model.interface"),
    "studies": ("model.interface",),
    "interface": (),
}
MAX_LINES = 600
#: modules that are one table of data and may be longer: the citizens' behavioural parameters
DATA_TABLES = {"simulation/scenario/behaviour.py"}


def _modules() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if VARIANTS not in p.parents and "cdn" not in p.parts and "__pycache__" not in p.parts
    )


def _layer(path: Path) -> str | None:
    rel = path.relative_to(PACKAGE)
    return LAYERS.get(rel.parts[0]) if len(rel.parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            # ``from model import studies`` names the layer as an attribute
            out += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return out


def _violations(path: Path, layer: str) -> list[str]:
    bad = []
    for line, name in _imports(path):
        for forbidden in FORBIDDEN[layer]:
            if name == forbidden or name.startswith(forbidden + "."):
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                bad.append(f"{where}:{line} imports {name} ({layer} layer)")
    return bad


def test_every_module_belongs_to_a_layer():
    loose = [
        p.relative_to(ROOT)
        for p in _modules()
        if _layer(p) is None and p.relative_to(PACKAGE).as_posix() != "__init__.py"
    ]
    assert loose == [], f"put these in model/simulation, model/studies or model/interface: {loose}"


def test_imports_run_one_way():
    bad = [v for p in _modules() if (layer := _layer(p)) for v in _violations(p, layer)]
    assert bad == [], "\n".join(bad)


def test_the_layer_check_catches_an_import_against_the_arrows(tmp_path):
    # the check above must be able to fail: a simulation module importing the studies, in a
    # function body, and a studies module importing the command line
    sim = tmp_path / "sim.py"
    sim.write_text("def f():\n    from model.studies.sweep import run_sweep\n")
    study = tmp_path / "study.py"
    study.write_text("from model import interface\n")
    assert _violations(sim, "simulation") and _violations(study, "studies")
    assert not _violations(study, "interface")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_modules_have_a_readable_size(path):
    rel = path.relative_to(PACKAGE).as_posix()
    if rel in DATA_TABLES:
        return
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"model/{rel} has {n} lines; split it by concern (at most {MAX_LINES})"


#: working notes of the team that are not part of the repository (built from parts so that this
#: file does not name them)
OUTSIDE = tuple(f"{name}.md" for name in ("MODEL", "ARCHITECTURE", "STYLE", "MISSION")) + (
    "shared" + "/mission",
    "shared" + "/design",
)
TEXT_SUFFIXES = {".py", ".md", ".toml", ".json", ".txt", ".sh"}


def _tracked_text_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / ".ci" / "run"]
    for folder in ("model", "docs", "scenarios", "experiments", "benchmarks", "tests"):
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file()
            and p.suffix in TEXT_SUFFIXES
            and VARIANTS not in p.parents
            and not {"cdn", "__pycache__", "variants"} & set(p.parts)
        ]
    return [p for p in files if p.exists()]


def test_no_file_names_a_document_outside_the_repository():
    found = []
    for path in _tracked_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for i, line in enumerate(text.splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{i}: {name}" for name in OUTSIDE if name in line]
    assert found == [], "cite the study or data set itself:\n" + "\n".join(found)


def test_the_public_api_is_importable_from_the_package():
    import model
    from model import Citizen, CoProductionModel, Scenario, State, load_scenario, variant

    assert set(model.__all__) == {
        "CoProductionModel",
        "Scenario",
        "load_scenario",
        "Citizen",
        "State",
        "variant",
    }
    assert all(callable(x) for x in (CoProductionModel, Scenario, load_scenario, variant))
    assert Citizen and State
    assert load_scenario("baseline").name == "baseline"


def test_readme_is_for_users():
    size = len((ROOT / "README.md").read_text(encoding="utf-8"))
    assert size <= 8000, f"README.md has {size} characters; engineering detail goes to docs/"
