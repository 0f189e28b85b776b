"""docs/tutorial.md is executed here, block by block, so it cannot rot.

In a fresh working folder (with the project's scenarios beside it, as in a clone):

* ```` ```toml ```` blocks whose first line is ``# file: PATH`` are written to PATH;
* ```` ```python ```` blocks run in order, each in a namespace of its own, as the file it
  stands for would (the variant's code registers the variant as importing its file would;
  test functions are collected and run);
* ```` ```bash ```` lines ``uv run coprod ...`` run through the command line's ``main`` and
  must exit 0 (``new-rule`` writes into the tutorial's own folder, not the repository);
  ``uv run pytest FILE`` runs the test functions the tutorial defined for that file.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from model.interface.cli import main
from model.rules import registry

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(TUTORIAL.read_text("utf-8"))]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    (tmp_path / "experiments").mkdir()
    monkeypatch.chdir(tmp_path)
    registry.load()  # snapshot every rule, not only those imported so far
    before = {m: dict(v.variants) for m, v in registry.MECHANISMS.items()}
    # a student who followed the tutorial already has its variants in model/rules/variants/:
    # the tutorial here starts from the shipped rules, as in a fresh clone
    for mechanism in registry.MECHANISMS.values():
        for name, fn in list(mechanism.variants.items()):
            if getattr(fn, "__module__", "").startswith("model.rules.variants."):
                del mechanism.variants[name]
    yield tmp_path
    for m, variants in before.items():  # the tutorial's variant must not leak into other tests
        registry.MECHANISMS[m].variants.clear()
        registry.MECHANISMS[m].variants.update(variants)


def run_command(line: str, namespace: dict, workdir: Path, capsys) -> None:
    words = shlex.split(line)
    assert words[:2] == ["uv", "run"], line
    if words[2] == "pytest":
        tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
        assert tests, f"{line}: the tutorial defines no test functions"
        for test in tests:
            test()
        return
    assert words[2] == "coprod", line
    args = words[3:]
    if args[0] == "new-rule":
        args = [*args, "--root", str(workdir)]
    if args[0] == "app":
        return  # a server; the page is tested in tests/browser
    code = main(args)
    out = capsys.readouterr()
    assert code == 0, f"{line} exited {code}: {out.err}"


def test_tutorial_blocks_run_in_order(workdir, capsys):
    # each Python block runs on its own, as the file it stands for would: a block that
    # forgets an import fails here; the test functions of every block are collected
    tests: dict = {"__name__": "tutorial"}
    kinds = [kind for kind, _ in blocks()]
    assert {"bash", "python", "toml"} <= set(kinds)
    for kind, text in blocks():
        if kind == "toml":
            first, _, rest = text.partition("\n")
            assert first.startswith("# file: "), "each TOML block names its file"
            path = workdir / first.removeprefix("# file: ").strip()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif kind == "python":
            namespace: dict = {"__name__": "tutorial"}
            exec(compile(text, f"{TUTORIAL}:python", "exec"), namespace)
            tests.update({k: v for k, v in namespace.items() if k.startswith("test_")})
        elif kind == "bash":
            for line in text.splitlines():
                if line.strip() and not line.startswith("#"):
                    run_command(line.split("  #")[0].strip(), tests, workdir, capsys)
    assert "lonely_hesitate" in registry.available("joining")
    assert "asked_stay" in registry.available("exhaustion")
    assert (workdir / "runs" / "lonely" / "summary.json").is_file()
    assert (workdir / "runs" / "lonely_sweep" / "analysis" / "report.md").is_file()


def test_the_tutorial_names_real_files_and_sections():
    text = TUTORIAL.read_text("utf-8")
    odd = (ROOT / "docs" / "ODD.md").read_text("utf-8")
    for anchor in re.findall(r"ODD\.md#([\w-]+)", text):
        headings = [
            re.sub(r"[^\w\- ]", "", h.lower()).strip().replace(" ", "-")
            for h in re.findall(r"^#+ (.*)$", odd, re.M)
        ]
        assert anchor in headings, anchor
    for path in re.findall(r"`(model/[\w/]+\.py)`", text):
        if "rules/variants/" not in path:  # the student's own files, written in the tutorial
            assert (ROOT / path).is_file(), path


def test_a_changed_exit_hazard_is_a_variant_of_a_few_lines():
    """Issue 16: changing one formula must not mean copying a compiled loop."""
    variant = next(text for kind, text in blocks() if kind == "python" and "asked_stay" in text)
    lines = [line for line in variant.splitlines() if line.strip()]
    assert len(lines) <= 15, variant
    assert 'hook="exit_hazard"' in variant
