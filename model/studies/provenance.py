"""Provenance of results: which code and which packages produced them.

Every sweep's manifest and every run's ``summary.json`` record these, so a result can be
traced back to the code that made it.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

#: the ``model`` package (its parent is the repository in a checkout)
PACKAGE = Path(__file__).resolve().parent.parent


def package_versions() -> dict[str, str]:
    """Versions of Python and of every package a run's numbers can depend on."""
    out = {"python": platform.python_version()}
    # everything a run's numbers can depend on: the rules are compiled by numba, designs
    # come from SALib, sweeps may run on dask
    for pkg in (
        "coprod",
        "mesa",
        "numpy",
        "numba",
        "scipy",
        "pandas",
        "pyarrow",
        "pydantic",
        "matplotlib",
        "salib",
        "dask",
        "distributed",
    ):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def _git(*args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=PACKAGE.parent, text=True, capture_output=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def git_commit() -> str | None:
    """The commit of the working tree the package runs from, or None outside a git checkout."""
    done = _git("rev-parse", "HEAD")
    return (done.stdout.strip() or None) if done is not None else None


def git_dirty() -> bool | None:
    """Whether the working tree has changes the commit does not hold (edited, added or new
    files; ignored ones such as results do not count), or None outside a git checkout: a
    commit alone does not name the code of a run made from an edited tree."""
    done = _git("status", "--porcelain")
    if done is None or done.returncode != 0:
        return None
    return bool(done.stdout.strip())


def provenance() -> dict:
    """What a run's or a sweep's results record about the code that made them."""
    return {"git_commit": git_commit(), "dirty": git_dirty(), "code_hash": code_hash()}


def code_hash() -> str:
    """Hash of the model's source (``model/**/*.py``, rule variants included)."""
    root = PACKAGE
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
