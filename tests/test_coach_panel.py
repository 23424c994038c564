"""The coach's reading in a practice exercise: shown after Check, never a grade, and a
correction the trainee saves stays in their private store."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from helpers.bank import load_bank
from helpers.coach import panel
from helpers.coach.corrections import corrections
from helpers.exercises import show_vignette
from helpers.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "vignettes" / "examples.yaml"


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@pytest.fixture
def practice(tmp_path):
    panel.warm_up().join()  # the coach is ready, as it is once a trainee has typed a little
    store = Store(tmp_path / "s.sqlite3")
    return show_vignette("demo-03", bank=load_bank([FIXTURE]), store=store), store


def test_check_shows_the_coach_reading_next_to_the_rubric(practice):
    widget, _ = practice
    assert widget.coach.html.value == ""
    widget.response.value = "It sounds tiring to keep being told to smile. What's that like?"
    widget.check_button.click()
    shown = widget.coach.html.value
    text = text_of(shown)
    assert "Reflection" in text and "Open question" in text
    assert "<mark" in shown and "sounds" in re.findall(r"<mark[^>]*>([^<]*)</mark>", shown)[0]
    assert "A practice aid, not a grade" in text
    assert "Guidelines:" in text and "alliance:" in text
    assert widget.coach.wrong_button.layout.display is None
    assert widget.rubric_box.layout.display is None


def test_a_correction_is_saved_in_the_private_store_only(practice):
    widget, store = practice
    widget.response.value = "You should just tell her to stop."
    widget.check_button.click()
    assert widget.coach.correction_box.layout.display == "none"
    widget.coach.wrong_button.click()
    ticked = [box.description for box in widget.coach.boxes if box.value]
    assert "Advice" in ticked  # starts from the coach's own reading
    for box in widget.coach.boxes:
        box.value = box.description in {"Advice", "Judgement"}
    widget.coach.save_button.click()
    assert "Saved in your private store" in text_of(widget.coach.correction_status.value)
    (saved,) = corrections(store)
    assert saved["vignette_id"] == "demo-03"
    assert saved["response"] == "You should just tell her to stop."
    assert saved["trainee_labels"] == ["advice", "judgement"]
    assert "advice" in saved["coach_labels"]


def test_a_correction_needs_at_least_one_tick(practice):
    widget, store = practice
    widget.response.value = "Did that help?"
    widget.check_button.click()
    widget.coach.wrong_button.click()
    for box in widget.coach.boxes:
        box.value = False
    widget.coach.save_button.click()
    assert "Tick at least one" in text_of(widget.coach.correction_status.value)
    assert corrections(store) == []


def test_a_coach_that_fails_leaves_one_plain_sentence_and_the_rubric(practice, monkeypatch):
    widget, _ = practice

    def broken(text):
        raise OSError("disk full")

    monkeypatch.setattr("helpers.coach.model.read", broken)
    widget.response.value = "So you feel alone."
    widget.check_button.click()
    text = text_of(widget.coach.html.value)
    assert "could not read this reply just now" in text and "Traceback" not in text
    assert widget.rubric_box.layout.display is None
    assert widget.coach.wrong_button.layout.display == "none"


def test_coach_practice_says_whether_it_read_the_skill_being_practised():
    from helpers import coach_practice

    panel.warm_up().join()
    block = coach_practice("reflection")
    assert repr(block).startswith("Coach practice: Practice with the response coach")
    practice_block = block._practice
    practice_block.response.value = "Are you tired?"
    practice_block.ask.click()
    assert "did not read a reflection" in text_of(practice_block.verdict.value)
    practice_block.response.value = "It sounds like you're exhausted and nobody notices."
    practice_block.ask.click()
    assert "read a reflection" in text_of(practice_block.verdict.value)
    assert "not a grade" in text_of(practice_block.coach.html.value)
    before = practice_block.client.value
    practice_block.other.click()
    assert practice_block.client.value != before and practice_block.response.value == ""


def test_an_unknown_coach_practice_is_one_plain_sentence():
    from helpers import coach_practice

    assert "There is no coach practice called" in text_of(coach_practice("empathy").value)
