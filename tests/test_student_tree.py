"""A student's own files never make the suite fail (issue 16).

The whole suite runs in a copy of the project in which a student has done the tutorial (its
variants, scenario, experiment and test), added a scenario without a description and a rule
variant of their own, as a fresh clone plus their files would look. The copy is a git
repository of the shipped files, with the student's files untracked, as in a real clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSIDE = "COPROD_STUDENT_TREE"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)

OWN_VARIANT = '''"""My own exhaustion rule: volunteers quit by choice a quarter more often."""

from model.rules.exhaustion import exit_hazard
from model.rules.registry import variant


@variant("exhaustion", "restless", hook="exit_hazard")
def restless(pop, p, recognition, management):
    """Volunteers quit by choice a quarter more often."""
    return p.exit_life + (exit_hazard(pop, p, recognition, management) - p.exit_life) * 1.25
'''


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def _student_copy(target: Path) -> Path:
    """The shipped files (as tracked by git), committed in a new repository at ``target``."""
    for name in _git("ls-files", cwd=ROOT).splitlines():
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git("init", "-q", cwd=target)
    _git("add", "-A", cwd=target)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "clone", cwd=target)
    return target


def _do_the_tutorial(project: Path) -> None:
    """Write what a student who followed docs/tutorial.md has in their tree."""
    blocks = BLOCK.findall((ROOT / "docs" / "tutorial.md").read_text("utf-8"))
    python = [text for kind, text in blocks if kind == "python"]
    files = {
        "model/rules/variants/lonely_hesitate.py": next(
            t for t in python if "lonely_hesitate" in t
        ),
        "model/rules/variants/asked_stay.py": next(t for t in python if '"asked_stay"' in t),
        "tests/variants/test_lonely_hesitate.py": next(
            t for t in python if "def test_lonely_citizens" in t
        ),
    }
    for kind, text in blocks:
        first = text.partition("\n")[0]
        if kind == "toml" and first.startswith("# file: "):
            files[first.removeprefix("# file: ").strip()] = text
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")


@pytest.mark.skipif(bool(os.environ.get(INSIDE)), reason="the copy does not run itself again")
def test_the_whole_suite_passes_with_a_students_files_in_the_tree(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.fail("this test needs the project as a git checkout (a clone) to copy it")
    project = _student_copy(tmp_path / "project")
    _do_the_tutorial(project)
    (project / "scenarios" / "mine.toml").write_text(
        'extends = "baseline"\n\n[rules]\nexhaustion = "restless"\n', encoding="utf-8"
    )
    (project / "model" / "rules" / "variants" / "restless.py").write_text(
        OWN_VARIANT, encoding="utf-8"
    )
    untracked = _git("status", "--porcelain", "--untracked-files=all", cwd=project)
    assert "scenarios/mine.toml" in untracked and "variants/lonely_hesitate.py" in untracked
    env = {**os.environ, INSIDE: "1", "PYTHONPATH": str(project)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
    assert done.returncode == 0, tail
    assert re.search(r"\d+ passed", tail), tail
