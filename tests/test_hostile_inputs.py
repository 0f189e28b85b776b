"""Inputs that used to crash or hang now exit 2 with one line naming the file and key (issue
17): NaN and infinity anywhere, ``extends`` chains and nesting hundreds deep, symbolic link
loops, designs of a billion points, timelines of thousands of entries, oversized files and
control characters in keys. Everything is refused before anything is expanded."""

from __future__ import annotations

import pytest

from model.interface.cli import main
from model.simulation.scenario import files


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err and "\x1b" not in err, err
    return err


@pytest.mark.parametrize(
    ("body", "key", "given"),
    [
        ("[city]\neducation_shares = [nan, nan, nan]\n", "city.education_shares[0]", "nan"),
        ("[behaviour]\nexit_life = inf\n", "behaviour.exit_life", "inf"),
        ("[behaviour]\njoin_education = [0.0, -inf, 1.0]\n", "behaviour.join_education[1]", "-inf"),
        (
            '[[timeline]]\ndate = "2027-01"\n[timeline.levers.infrastructure]\n'
            "volunteer_agency_eur = nan\n",
            "timeline[0].levers.infrastructure.volunteer_agency_eur",
            "nan",
        ),
    ],
)
def test_nan_and_infinity_are_refused_wherever_they_are(tmp_path, capsys, body, key, given):
    path = tmp_path / "s.toml"
    path.write_text('extends = "baseline"\n' + body, encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = _one_line(capsys)
    assert f"{key}: given {given}" in err and "a finite number" in err, err
    assert main(["run", str(path), "--citizens", "100", "--out", str(tmp_path / "o")]) == 2
    _one_line(capsys)
    assert not (tmp_path / "o").exists()


def test_nan_in_an_experiments_values_is_refused(tmp_path, capsys):
    path = tmp_path / "e.toml"
    path.write_text(
        'question = "q"\nscenarios = ["baseline"]\n[parameters."behaviour.exit_life"]\n'
        "values = [0.01, nan]\n",
        encoding="utf-8",
    )
    assert main(["check", str(path)]) == 2
    assert "a finite number" in _one_line(capsys)


def test_an_extends_chain_a_thousand_deep_is_refused(tmp_path, capsys):
    (tmp_path / "c0.toml").write_text('extends = "baseline"\n', encoding="utf-8")
    for i in range(1, 1000):
        (tmp_path / f"c{i}.toml").write_text(f'extends = "c{i - 1}.toml"\n', encoding="utf-8")
    assert main(["check", str(tmp_path / "c999.toml")]) == 2
    err = _one_line(capsys)
    assert "extends" in err and f"at most {files.MAX_EXTENDS}" in err


def test_a_chain_within_the_limit_still_works(tmp_path, capsys):
    (tmp_path / "c0.toml").write_text('extends = "baseline"\n', encoding="utf-8")
    for i in range(1, files.MAX_EXTENDS - 2):
        (tmp_path / f"c{i}.toml").write_text(f'extends = "c{i - 1}.toml"\n', encoding="utf-8")
    assert main(["check", str(tmp_path / f"c{files.MAX_EXTENDS - 3}.toml")]) == 0


@pytest.mark.parametrize("depth", [40, 1000])
def test_arrays_nested_deeply_are_refused(tmp_path, capsys, depth):
    path = tmp_path / "n.toml"
    path.write_text('extends = "baseline"\nx = ' + "[" * depth + "]" * depth + "\n")
    assert main(["check", str(path)]) == 2
    assert "nested too deeply" in _one_line(capsys)


def test_a_symbolic_link_loop_is_refused(tmp_path, capsys):
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    assert main(["check", str(tmp_path / "a.toml")]) == 2
    assert "a.toml" in _one_line(capsys)
    (tmp_path / "c.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    assert main(["check", str(tmp_path / "c.toml")]) == 2
    _one_line(capsys)


def test_a_timeline_of_thousands_of_entries_is_refused_before_it_is_read(tmp_path, capsys):
    entry = '[[timeline]]\ndate = "2027-01"\nlevers = { leadership = { style = "cooperative" } }\n'
    path = tmp_path / "t.toml"
    path.write_text('extends = "baseline"\n' + entry * (files.MAX_TIMELINE + 1), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = _one_line(capsys)
    assert "timeline" in err and f"{files.MAX_TIMELINE + 1:,} entries" in err
    big = tmp_path / "big.toml"
    big.write_text('extends = "baseline"\n' + entry * 20_000, encoding="utf-8")
    assert main(["check", str(big)]) == 2
    assert "bytes" in _one_line(capsys)


def test_a_design_of_a_billion_points_is_refused_before_it_is_listed(tmp_path, capsys):
    axes = "".join(
        f'[parameters."behaviour.{k}"]\nrange = [0.001, 0.01]\nsteps = 1000\n'
        for k in ("exit_life", "exit_voluntary", "open_lapse")
    )
    path = tmp_path / "e.toml"
    path.write_text(f'question = "q"\nscenarios = ["baseline"]\n{axes}', encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = _one_line(capsys)
    assert "design" in err and "1,000,000,000 runs" in err and "at most" in err


def test_control_characters_in_a_key_are_shown_escaped(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text('extends = "baseline"\n"bad\\u001b[2Jkey" = 1\n', encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "bad\\x1b[2Jkey" in _one_line(capsys)


def test_printable_escapes_every_control_character():
    assert files.printable("a\x1b[31mb\x07c\rd\x9be\n") == "a\\x1b[31mb\\x07c\\x0dd\\x9be\\n"
    assert files.printable("Köln – 36,7 %\t") == "Köln – 36,7 %\t"


@pytest.mark.parametrize("text", ["[1, 2", "[1, 2]", "42"])
def test_analyze_with_a_damaged_manifest_exits_2(tmp_path, capsys, text):
    (tmp_path / "manifest.json").write_text(text, encoding="utf-8")
    assert main(["analyze", str(tmp_path)]) == 2
    assert "manifest.json" in _one_line(capsys)


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_port_outside_the_tcp_range_exits_2(capsys, port):
    with pytest.raises(SystemExit) as stop:
        main(["app", "--port", port])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and "Traceback" not in err
