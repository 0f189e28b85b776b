"""A sweep's output folder, checked before anything runs: one that cannot be written (a
read-only ``parts/``, ``failures/`` or ``--out``) and a damaged ``manifest.json`` on
``--resume`` (truncated, a JSON list, a folder of that name, fields of the wrong kind) end
the command with status 2 and one line naming the folder or file, never a traceback, and
before the first run."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

import model.studies.executors
from model.interface.cli import main
from model.simulation.scenario.files import ScenarioError
from model.studies.analysis import load_manifest

SMALL = """
scenarios = ["baseline"]
design = "grid"
replications = 2
months = 4
citizens = 200
seed = 7
[parameters."levers.participation.timing"]
values = ["late", "early"]
"""


@pytest.fixture
def swept(tmp_path) -> tuple[Path, Path]:
    """An experiment and the folder of its finished sweep, less one part (to resume)."""
    exp = tmp_path / "exp.toml"
    exp.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "res"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    (out / "parts" / "run-000002.parquet").unlink()
    return exp, out


@pytest.fixture
def no_runs(monkeypatch):
    """Fails the test if the sweep gets as far as starting its workers."""

    def refuse(*args, **kwargs):
        raise AssertionError("the sweep started its workers before refusing its folder")

    monkeypatch.setattr(model.studies.executors, "make_executor", refuse)


def _writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    probe.unlink()
    return True


@contextmanager
def _read_only(folder: Path):
    """``folder`` unwritable for this process. The mode bits do not stop root, so as root
    the folder is also made immutable (``chattr +i``), which stops root too."""
    mode = folder.stat().st_mode
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(folder)], check=True, capture_output=True)
    try:
        assert not _writable(folder), f"could not make {folder} read-only for this test"
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True, capture_output=True)
        folder.chmod(mode)


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("folder", ["parts", "failures"])
def test_a_read_only_results_folder_is_refused_before_the_first_run(swept, capsys, no_runs, folder):
    exp, out = swept
    capsys.readouterr()
    with _read_only(out / folder):
        status = main(["sweep", str(exp), "--out", str(out), "--resume", "--quiet"])
    assert status == 2
    line = _one_line(capsys)
    assert line.startswith(f"error: {out / folder}: --out: ")
    assert "a folder this user can write into" in line
    assert not (out / "parts" / "run-000002.parquet").exists()
    assert not list((out / "failures").glob("*"))


def test_a_read_only_out_folder_is_refused_before_the_first_run(tmp_path, capsys, no_runs):
    exp = tmp_path / "exp.toml"
    exp.write_text(SMALL, encoding="utf-8")
    for made in ([], ["parts", "failures"]):  # a fresh folder, and one with its subfolders
        out = tmp_path / f"res-{len(made)}"
        for sub in made:
            (out / sub).mkdir(parents=True)
        out.mkdir(exist_ok=True)
        with _read_only(out):
            assert main(["sweep", str(exp), "--out", str(out), "--quiet"]) == 2
        line = _one_line(capsys)
        assert f"{out}" in line and "--out" in line and "write" in line
        assert not (out / "manifest.json").exists()


DAMAGED = {
    "truncated": lambda path: path.write_text('{"experiment_hash": "ab', encoding="utf-8"),
    "empty": lambda path: path.write_bytes(b""),
    "a list": lambda path: path.write_text("[1, 2, 3]\n", encoding="utf-8"),
    "a number": lambda path: path.write_text("42\n", encoding="utf-8"),
    "not UTF-8": lambda path: path.write_bytes(b'{"x": "\xff\xfe"}'),
    "a folder": lambda path: path.mkdir(),
    "wrong kinds": lambda path: path.write_text(
        json.dumps({"experiment_hash": 5, "scenarios": []}), encoding="utf-8"
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGED), ids=list(DAMAGED))
def test_a_damaged_manifest_on_resume_exits_2_naming_the_file(swept, capsys, no_runs, damage):
    exp, out = swept
    manifest = out / "manifest.json"
    manifest.unlink()
    DAMAGED[damage](manifest)
    capsys.readouterr()
    assert main(["sweep", str(exp), "--out", str(out), "--resume", "--quiet"]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"error: {manifest}: given ")
    assert "damaged" in line and "new folder" in line
    # without --resume the folder is refused as in use, also in one line
    assert main(["sweep", str(exp), "--out", str(out), "--quiet"]) == 2
    assert "--resume" in _one_line(capsys)
    # and the analysis, which reads it too, says the same
    with pytest.raises(ScenarioError, match="damaged"):
        load_manifest(out)
    assert not (out / "parts" / "run-000002.parquet").exists()


def test_a_sound_manifest_still_resumes(swept):
    exp, out = swept
    assert main(["sweep", str(exp), "--out", str(out), "--resume", "--quiet"]) == 0
    assert (out / "parts" / "run-000002.parquet").exists()
    assert load_manifest(out)["experiment_hash"]
