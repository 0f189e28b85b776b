"""The six mistakes a student makes with an own rule, each stopped with exit status 2 and one
line that names the file or the rule and says what to do (issue 16): a misspelt rule name, a
syntax error, the wrong mechanism in the decorator, the wrong arguments, a rule that returns
None, and one that returns citizen ids instead of a mask. Each file is written as a student
would, into a folder the registry reads as part of ``model/rules/variants/``."""

from __future__ import annotations

import pytest

import model.rules.variants as package
from model.interface.cli import main
from model.rules import registry

HEADER = (
    "import numpy as np\n\n"
    "from model.rules.exhaustion import spend_energy_and_exit\n"
    "from model.rules.registry import variant\n\n"
)
ARGS = "pop, management_by_org, load_relief, recognition, p, rng"
CALL = "spend_energy_and_exit(pop, management_by_org, load_relief, recognition, p, rng)"

MISTAKES = {
    "syntax_error": (
        f'@variant("exhaustion", "mine")\ndef rule({ARGS}):\n    return {CALL}\n    if True\n',
        ["mine.py, line 9", "SyntaxError", "fix it"],
    ),
    "wrong_mechanism": (
        f'@variant("joining", "mine")\ndef rule({ARGS}):\n    return {CALL}\n',
        ["mine.py, line 6", "'joining'", '@variant("exhaustion", ...)'],
    ),
    "wrong_signature": (
        '@variant("exhaustion", "mine")\n'
        "def rule(pop, management_by_org, recognition, p, rng):\n    return None\n",
        ["mine.py, line 6", f"it must take ({ARGS})"],
    ),
    "returns_none": (
        f'@variant("exhaustion", "mine")\ndef rule({ARGS}):\n    {CALL}\n',
        ["exhaustion rule 'mine'", "mine.py:6", "returned None", "boolean mask"],
    ),
    "returns_ids": (
        f'@variant("exhaustion", "mine")\ndef rule({ARGS}):\n    return np.flatnonzero({CALL})\n',
        ["exhaustion rule 'mine'", "mine.py:6", "int64 array", "boolean mask"],
    ),
}


@pytest.fixture
def student_folder(tmp_path, monkeypatch):
    """A folder that counts as model/rules/variants/, and a registry that reads it afresh."""
    folder = tmp_path / "variants"
    folder.mkdir()
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(folder)])
    monkeypatch.setattr(registry, "_loaded", False)
    monkeypatch.delenv(registry._WARNED, raising=False)
    yield folder
    for mechanism in registry.MECHANISMS.values():
        mechanism.variants.pop("mine", None)
    import sys

    sys.modules.pop("model.rules.variants.mine", None)
    monkeypatch.setattr(package, "__path__", [p for p in package.__path__ if p != str(folder)])
    registry._loaded = False
    registry.load()


def _run_with(tmp_path, rule: str, capsys) -> tuple[int, str]:
    scenario = tmp_path / "mine.toml"
    scenario.write_text(
        f'extends = "baseline"\n\n[rules]\nexhaustion = "{rule}"\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    status = main(["run", str(scenario), "--citizens", "300", "--months", "2", "--out", str(out)])
    return status, capsys.readouterr().err


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_exits_2_in_one_line_naming_file_or_rule_and_the_fix(
    mistake, student_folder, tmp_path, capsys
):
    body, expected = MISTAKES[mistake]
    (student_folder / "mine.py").write_text(HEADER + body, encoding="utf-8")
    status, err = _run_with(tmp_path, "mine", capsys)
    assert status == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for part in expected:
        assert part in err, (part, err)


def test_a_misspelt_rule_name_lists_the_available_ones(student_folder, tmp_path, capsys):
    status, err = _run_with(tmp_path, "constant_hazrd", capsys)
    assert status == 2 and err.count("\n") == 1, err
    assert "rules.exhaustion" in err and "'constant_hazard'" in err and "'energy'" in err


def test_check_reports_the_broken_file_too(student_folder, tmp_path, capsys):
    body, _ = MISTAKES["syntax_error"]
    (student_folder / "mine.py").write_text(HEADER + body, encoding="utf-8")
    assert main(["check", "baseline"]) == 0  # the baseline does not need it ...
    err = capsys.readouterr().err
    assert "warning:" in err and "mine.py, line 9: SyntaxError" in err, err  # ... but hears of it
    assert main(["rules"]) == 0
