"""What a scenario is answered against, and its story for the workshop page (issue 18).

Every shipped scenario but ``baseline`` names the scenario its question is answered against
and the indicator where the answer shows, and carries a story of three to five steps in good
German and English that poses what to watch without quoting a result. A broken ``reference``,
``reference_indicator`` or ``[[story]]`` is one line naming file and key with exit status 2
from ``coprod check``; a child scenario inherits none of them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from model.interface.app import story
from model.simulation.indicators import INDICATORS
from model.simulation.scenario import MAX_STORY_STEPS, month_index, month_label
from model.simulation.scenario.files import load_scenario
from tests.test_docs_numbers import _results
from tests.test_i18n import ENGLISH, JARGON

ROOT = Path(__file__).resolve().parent.parent


def _shipped() -> list[Path]:
    """The scenario files the repository ships (tracked by git), as tests/test_cli.py does."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "*.toml"],
            cwd=ROOT / "scenarios",
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = []
    folder = ROOT / "scenarios"
    return sorted(folder / name for name in listed) or sorted(folder.glob("*.toml"))


SHIPPED = _shipped()
#: the scenario each shipped question is answered against (issue 18)
REFERENCES = {
    "austerity": "infrastructure",
    "climate_assembly": "baseline",
    "early_participation": "baseline",
    "everyday_cooperation": "baseline",
    "infrastructure": "baseline",
    "responsibility_community": "baseline",
    "tokenism": "baseline",
}
INDICATOR_OF = {"austerity": "engaged_share", "tokenism": "trust_mean"}


def _sentences(text: str) -> int:
    return len(re.findall(r"[.?!](?=\s|$)", text.strip()))


# ------------------------------------------------------------------ the shipped scenarios


def test_every_shipped_scenario_is_here():
    assert {p.stem for p in SHIPPED} >= {"baseline", *REFERENCES}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_names_what_it_is_answered_against(path):
    sc = load_scenario(path)
    assert sc.reference_indicator in INDICATORS, sc.reference_indicator
    assert sc.reference_indicator not in ("date", "step")
    if path.stem in INDICATOR_OF:
        assert sc.reference_indicator == INDICATOR_OF[path.stem]
    if path.stem == "baseline":
        assert sc.reference is None, "the status quo is answered against nothing"
        return
    assert sc.reference == REFERENCES.get(path.stem, sc.reference), path.stem
    assert sc.reference and sc.reference != path.stem
    reference = load_scenario(sc.reference)  # a scenario that loads, not only a name
    assert reference.run.start == sc.run.start and reference.run.months == sc.run.months


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_has_a_story_of_three_to_five_steps(path):
    sc = load_scenario(path)
    assert 3 <= len(sc.story) <= 5, f"{path.stem}: {len(sc.story)} steps"
    pauses = [s.pause_at for s in sc.story if s.pause_at is not None]
    assert pauses, f"{path.stem}: a story says when to look"
    assert pauses == sorted(set(pauses)), f"{path.stem}: pauses in order"
    for month in pauses:
        assert 0 <= month_index(sc.run.start, month) < sc.run.months, (path.stem, month)
    for step in sc.story:
        assert step.text.strip() and step.text_de.strip()
        assert step.text != step.text_de
        assert step.group is None or step.chart == "gradient"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_stories_follow_the_timeline_of_their_scenario(path):
    """Each dated intervention has a pause on or after it (the room sees what follows), and
    every year a step names lies inside the run."""
    sc = load_scenario(path)
    pauses = [s.pause_at for s in sc.story if s.pause_at is not None]
    for item in sc.timeline:
        assert any(p >= item.date for p in pauses), (path.stem, item.date)
    first, last = int(sc.run.start[:4]), int(month_label(sc.run.start, sc.run.months - 1)[:4])
    for step in sc.story:
        for year in re.findall(r"\b(20\d\d)\b", step.text + " " + step.text_de):
            # the year of a past event (Cologne's first citizens' assembly, 2025) may be named
            assert first - 1 <= int(year) <= last, (path.stem, year)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_story_texts_are_short_plain_and_quote_no_results(path):
    for i, step in enumerate(load_scenario(path).story):
        for lang, text in (("en", step.text), ("de", step.text_de)):
            where = f"{path.stem} story[{i}] ({lang}): {text!r}"
            assert 1 <= _sentences(text) <= 2, f"one or two sentences: {where}"
            assert _results(text) == [], f"a story poses what to watch, no results: {where}"
            assert "%" not in text and not re.search(r"\d[.,]\d", text), where
            assert not re.search(r"\b\w+_\w+\b", text), f"no identifiers: {where}"
            assert not re.search(r"[<>*`#\[\]]", text), f"plain text: {where}"
        german = set(re.findall(r"[a-zäöüß]+", step.text_de.lower()))
        english = {w for w in ENGLISH if " " not in w} & german
        assert not english, f"{path.stem} story[{i}]: English words {english} in German"
        assert not JARGON & german, f"{path.stem} story[{i}]: jargon {JARGON & german}"


def test_stories_speak_of_cologne():
    """The places a Cologne facilitator knows appear in the stories."""
    text = " ".join(s.text_de for p in SHIPPED for s in load_scenario(p).story)
    for name in (
        "Kölner Freiwilligen Agentur",
        "Büro für Öffentlichkeitsbeteiligung",
        "Bürgerrat 2025",
        "Freiwilligensurvey",
    ):
        assert name in text, name


# ------------------------------------------------------------------ one line, exit 2

GOOD_STEP = '[[story]]\ntext = "Watch the line."\ntext_de = "Achten Sie auf die Linie."\n'
BAD = {
    "reference": ('reference = "nowhere"\n', "reference", "'nowhere'", "baseline"),
    "reference_itself": ('reference = "bad"\n', "reference", "'bad'", "another scenario"),
    "reference_indicator": (
        'reference_indicator = "happiness"\n',
        "reference_indicator",
        "'happiness'",
        "engaged_share",
    ),
    "chart": (GOOD_STEP + 'chart = "pie"\n', "story[0].chart", "'pie'", "'gradient'"),
    "group": (
        GOOD_STEP + 'chart = "trust"\ngroup = "age"\n',
        "story[0].group",
        "'age'",
        "chart = 'gradient'",
    ),
    "pause_outside": (
        GOOD_STEP + 'pause_at = "2040-01"\n',
        "story[0].pause_at",
        "'2040-01'",
        "2026-01 to 2035-12",
    ),
    "pause_before": (
        GOOD_STEP + 'pause_at = "2030-01"\n' + GOOD_STEP + 'pause_at = "2029-01"\n',
        "story[1].pause_at",
        "'2029-01'",
        "after 2030-01",
    ),
    "pause_format": (
        GOOD_STEP + 'pause_at = "March 2027"\n',
        "story[0].pause_at",
        "'March 2027'",
        "YYYY-MM",
    ),
    "too_many": (
        GOOD_STEP * (MAX_STORY_STEPS + 1),
        "story",
        f"'{MAX_STORY_STEPS + 1} steps'",
        f"at most {MAX_STORY_STEPS}",
    ),
    "one_bracket": (
        '[story]\ntext = "Watch the line."\ntext_de = "Achten Sie auf die Linie."\n',
        "story",
        "{'text': 'Watch the line.'",
        "[[story]] (two brackets)",
    ),
    "no_german": (
        '[[story]]\ntext = "Watch the line."\n',
        "story[0].text_de",
        "'nothing'",
        "required",
    ),
    "empty_text": (
        '[[story]]\ntext = " "\ntext_de = "Achten Sie auf die Linie."\n',
        "story[0].text",
        "''",
        "plain text",
    ),
}


def _check(path: Path) -> subprocess.CompletedProcess:
    """``coprod check FILE`` in a new process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "model.interface.cli", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_reference_or_story_is_one_line_naming_file_and_key(case, tmp_path):
    body, key, given, allowed = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text('extends = "baseline"\n' + body, encoding="utf-8")
    proc = _check(path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"error: {path}: {key}: given {given}"), lines[0]
    assert allowed in lines[0].partition("; allowed: ")[2], lines[0]


def test_a_good_reference_and_story_pass_the_check(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(
        'extends = "baseline"\nreference = "baseline"\nreference_indicator = "trust_mean"\n'
        + GOOD_STEP
        + 'pause_at = "2027-01"\nchart = "gradient"\ngroup = "silent"\n',
        encoding="utf-8",
    )
    proc = _check(path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"ok: {path}")


def test_a_reference_is_found_next_to_the_file(tmp_path):
    (tmp_path / "mine.toml").write_text('extends = "baseline"\n', encoding="utf-8")
    (tmp_path / "other.toml").write_text(
        'extends = "baseline"\nreference = "mine"\n', encoding="utf-8"
    )
    assert load_scenario(tmp_path / "other.toml").reference == "mine"


# ------------------------------------------------------------------ not inherited


def test_a_child_inherits_neither_story_nor_reference(tmp_path):
    (tmp_path / "parent.toml").write_text(
        'extends = "baseline"\ntitle = "Parent"\nreference = "baseline"\n'
        'reference_indicator = "trust_mean"\n' + GOOD_STEP + 'pause_at = "2027-01"\n' + GOOD_STEP,
        encoding="utf-8",
    )
    (tmp_path / "child.toml").write_text('extends = "parent"\n', encoding="utf-8")
    parent = load_scenario(tmp_path / "parent.toml")
    assert parent.reference == "baseline" and len(parent.story) == 2
    child = load_scenario(tmp_path / "child.toml")
    assert child.title == "" and child.reference is None
    assert child.reference_indicator is None and child.story == []
    # a child's own story replaces its parent's, it is not added to it
    (tmp_path / "own.toml").write_text(
        'extends = "parent"\n[[story]]\ntext = "Mine."\ntext_de = "Meine."\n', encoding="utf-8"
    )
    assert [s.text for s in load_scenario(tmp_path / "own.toml").story] == ["Mine."]


def test_a_child_of_a_shipped_scenario_starts_without_its_story(tmp_path):
    (tmp_path / "cut_later.toml").write_text('extends = "austerity"\n', encoding="utf-8")
    sc = load_scenario(tmp_path / "cut_later.toml")
    assert load_scenario("austerity").story and sc.story == [] and sc.reference is None
    assert sc.timeline  # what changes the run is inherited


def test_a_shortened_run_keeps_its_story():
    """``coprod run baseline --months 14`` still works: pauses after the end are not reached."""
    sc = load_scenario("baseline", overrides={"run": {"months": 14}})
    assert len(sc.story) == len(load_scenario("baseline").story)
    assert story.next_pause(sc, 0) == "2026-12"
    assert story.next_pause(sc, 2) is None  # December 2030 is after the run's end


# ------------------------------------------------------------------ the page's helper


def test_steps_come_in_the_language_asked_for():
    sc = load_scenario("austerity")
    de, en = story.steps(sc, "de"), story.steps(sc, "en")
    assert [s.text for s in de] == [" ".join(s.text_de.split()) for s in sc.story]
    assert [s.text for s in en] == [" ".join(s.text.split()) for s in sc.story]
    assert [s.pause_at for s in de] == [s.pause_at for s in sc.story]
    assert de[1].chart == "gradient" and de[1].group == "education"
    assert all(isinstance(s.chart, str | None) for s in de)


def test_next_pause_is_the_first_pause_from_this_step_on():
    sc = load_scenario("austerity")
    assert [s.pause_at for s in sc.story] == [None, "2030-12", "2031-06", "2035-12"]
    assert story.next_pause(sc, 0) == "2030-12"  # step 0 has none: the next step's moment
    assert story.next_pause(sc, 1) == "2030-12"
    assert story.next_pause(sc, 2) == "2031-06"
    assert story.next_pause(sc, 3) == "2035-12"
    assert story.next_pause(sc, 4) is None and story.next_pause(sc, -1) is None
    assert story.next_pause(sc, 1, now="2030-12") == "2031-06"  # already there: passed
    assert story.next_pause(sc, 3, now="2035-12") is None
    assert story.next_pause(load_scenario(ROOT / "scenarios" / "baseline.toml"), 0) == "2026-12"


def test_the_labels_are_in_both_languages():
    for key, entry in story.STORY_TEXT.items():
        assert set(entry) == {"de", "en"} and entry["de"] != entry["en"], key
        assert set(re.findall(r"\{\w+\}", entry["de"])) == set(re.findall(r"\{\w+\}", entry["en"]))
    assert story.step_count_text(1, 4, "de") == "Schritt 2 von 4"
    assert story.step_count_text(0, 3, "en") == "Step 1 of 3"


def _html(rc) -> str:
    return "\n".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)


def test_the_story_box_shows_the_step_large_and_moves_with_back_and_next():
    steps = story.steps(load_scenario("austerity"), "de")
    chosen: list[int] = []
    box, rc = solara.render(
        story.Story(steps=steps, index=1, on_index=chosen.append, lang="de"), handle_error=False
    )
    try:
        shown = _html(rc)
        assert steps[1].text.split("„")[0] in shown and "Schritt 2 von 4" in shown
        text = next(
            w for w in rc.find(solara.widgets.HTML).widgets if "story-text" in w.unsafe_innerHTML
        )
        size = re.search(r"font-size:\s*([\d.]+)rem", text.attributes["style"])
        assert size and float(size.group(1)) >= 1.15, "read from the back of the room"
        rc.find(v.Btn, children=["Weiter"]).widget.click()
        rc.find(v.Btn, children=["Zurück"]).widget.click()
        assert chosen == [2, 0]
    finally:
        rc.close()


def test_the_story_box_cannot_step_past_either_end():
    steps = story.steps(load_scenario("tokenism"), "en")
    box, rc = solara.render(
        story.Story(steps=steps, index=0, on_index=lambda i: None, lang="en"), handle_error=False
    )
    try:
        assert rc.find(v.Btn, children=["Back"]).widget.disabled
        assert not rc.find(v.Btn, children=["Next"]).widget.disabled
        assert "Step 1 of 4" in _html(rc)
    finally:
        rc.close()
    box, rc = solara.render(
        story.Story(steps=steps, index=9, on_index=lambda i: None, lang="en"), handle_error=False
    )
    try:
        assert rc.find(v.Btn, children=["Next"]).widget.disabled
        assert "Step 4 of 4" in _html(rc)
    finally:
        rc.close()


def test_the_story_box_escapes_its_text_and_is_empty_without_a_story():
    steps = [story.StoryStep(text="<b>bold</b> & more")]
    box, rc = solara.render(
        story.Story(steps=steps, index=0, on_index=lambda i: None, lang="de"), handle_error=False
    )
    try:
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in _html(rc)
    finally:
        rc.close()
    box, rc = solara.render(
        story.Story(steps=[], index=0, on_index=lambda i: None, lang="de"), handle_error=False
    )
    try:
        assert not rc.find(v.Btn).widgets
    finally:
        rc.close()


def test_a_story_step_can_show_every_view_and_group_of_the_page():
    from model.interface.app import charts
    from model.interface.app.views import VIEWS
    from model.simulation.scenario.story import Chart, Group

    assert {c.value for c in Chart} == set(VIEWS)
    assert {g.value for g in Group} == set(charts.GROUPS)
