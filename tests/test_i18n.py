"""Every label of the workshop page exists in German and English, and the German is German
(issue 18): no English left in a German label, the same placeholders in both, no raw
identifiers or model jargon a room in Cologne would not say."""

from __future__ import annotations

import re

import pytest

from model.interface.app.i18n import LANGUAGES, TEXT

#: labels that are the same word in both languages
SAME = {"export", "pause", "language", "rule_participation_formats"}
#: English words that must not appear in a German label (whole words, lower case)
ENGLISH = {
    "the",
    "and",
    "with",
    "without",
    "survey",
    "agents",
    "agent",
    "share",
    "reset",
    "start again",
    "citizens",
    "volunteers",
    "levers",
    "responsiveness",
    "run",
    "chart",
    "default",
}
#: words of the model's code or jargon a facilitator would not say to a room
JARGON = {"agenten", "responsivität", "counterfactual", "baseline", "tokenism", "seed"}
ALLOWED_JARGON = {"seed": {"Zufallszahl (Seed)"}}


def _words(text: str) -> set[str]:
    """The words of ``text``, without its {placeholders} (which are not shown)."""
    return set(re.findall(r"[a-zäöüß]+", re.sub(r"\{\w+\}", " ", text).lower()))


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_label_is_translated(key):
    entry = TEXT[key]
    assert set(entry) == set(LANGUAGES), key
    assert all(entry[lang].strip() for lang in LANGUAGES), key
    if key not in SAME:
        assert entry["de"] != entry["en"], f"{key}: German is the English text"
    placeholders = {lang: set(re.findall(r"\{\w+\}", entry[lang])) for lang in LANGUAGES}
    assert placeholders["de"] == placeholders["en"], key


@pytest.mark.parametrize("key", sorted(k for k in TEXT if k not in SAME))
def test_german_labels_hold_no_english_and_no_jargon(key):
    german = TEXT[key]["de"]
    if key == "language":
        return
    english = {w for w in ENGLISH if " " not in w} & _words(german)
    assert not english, f"{key}: {german!r} has English words {english}"
    jargon = {w for w in JARGON & _words(german) if german not in ALLOWED_JARGON.get(w, set())}
    assert not jargon, f"{key}: {german!r} uses {jargon}"
    assert not re.search(r"\b\w+_\w+\b", german), f"{key}: {german!r} shows an identifier"
