"""The code base stays ruff-clean (lint rules in pyproject.toml).

The project's own files are checked: those tracked by git. A student's own variant and its test
(``model/rules/variants/``, ``tests/variants/``) are theirs, and a long line in them must not
make the suite fail (issue 16); without git, those two folders are left out instead."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("model", "tests", "benchmarks")


def _project_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--", *(f"{f}/*.py" for f in FOLDERS)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = []
    return [name for name in listed if (ROOT / name).is_file()]


def test_ruff_is_clean():
    files = _project_files()
    args = files or [*FOLDERS, "--extend-exclude", "model/rules/variants,tests/variants"]
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
