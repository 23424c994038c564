"""The exercise widgets, driven from Python the way a trainee drives them with clicks.

Each test reads what a trainee would see (the feedback HTML as text) and what the store kept,
then builds the same exercise again on the same store, as a restarted kernel would.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import sqlite3
import textwrap
from pathlib import Path

import ipywidgets as widgets
import pytest
import traitlets

from helpers.bank import load_bank
from helpers.exercises import (
    KINDS,
    ChooseExercise,
    DialogueExercise,
    Exercise,
    ExerciseProblem,
    PracticeExercise,
    RateExercise,
    SpotExercise,
    Unavailable,
    show_progress,
    show_vignette,
)
from helpers.exercises.base import SharedLayout
from helpers.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "vignettes" / "examples.yaml"
CONTROLS = (
    widgets.Button,
    widgets.RadioButtons,
    widgets.Dropdown,
    widgets.ToggleButtons,
    widgets.Checkbox,
    widgets.Textarea,
    widgets.BoundedIntText,
)


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ALLIANCE_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def file_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Options in the file's order, so these tests can name them by place; the order each
    trainee really sees is tested in tests/test_order.py."""
    in_file = lambda count, *keys: list(range(count))  # noqa: E731
    monkeypatch.setattr("helpers.exercises.choose.display_order", in_file)
    monkeypatch.setattr("helpers.exercises.dialogue.display_order", in_file)


@pytest.fixture
def bank():
    return load_bank([FIXTURE])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.sqlite3")


def text_of(markup: str) -> str:
    """What a trainee reads: the HTML without tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def all_html(widget: widgets.Widget) -> str:
    """Every HTML value inside a widget tree, in display order."""
    found = []
    for child in walk(widget):
        if isinstance(child, widgets.HTML):
            found.append(child.value)
    return "\n".join(found)


def walk(widget: widgets.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def write_bank(tmp_path: Path, body: str):
    path = tmp_path / "extra.yaml"
    path.write_text("vignettes:\n" + textwrap.indent(textwrap.dedent(body), "  "), "utf-8")
    return load_bank([path])


def rows(store: Store, vignette_id: str) -> list[tuple[str, dict, bool | None]]:
    return [(a.kind, a.answer, a.correct) for a in store.answers(vignette_id)]


# -- showing any vignette ----------------------------------------------------------------------


def test_each_kind_gets_its_widget(bank, store):
    expected = {
        "demo-01": ChooseExercise,
        "demo-02": RateExercise,
        "demo-03": PracticeExercise,
        "demo-04": DialogueExercise,
        "demo-05": SpotExercise,
    }
    for vignette_id, kind in expected.items():
        assert type(show_vignette(vignette_id, bank=bank, store=store)) is kind


def test_header_shows_title_guideline_dimension_difficulty_context_and_words(bank, store):
    widget = show_vignette("demo-06", bank=bank, store=store)
    header = text_of(widget.header.value)
    assert "Reflecting mixed feelings" in header
    assert "Genuine care" in header and "Understanding" in header
    assert "Alliance dimension: bond (the personal connection)" in header
    assert "Difficulty: intermediate" in header
    assert "Tom, 60, has just retired." in header
    assert "The client says: I should be happy. Everyone says so." in header


def test_repr_is_a_friendly_stable_line(bank, store):
    widget = show_vignette("demo-01", bank=bank, store=store)
    vignette = bank.get("demo-01")
    expected = (
        'Exercise demo-01 (choose): "A late arrival, an apology". '
        "Run this cell (or Run ▸ Run All Cells) to start the exercise.\n"
        f'The client says: "{vignette.says}" (content {vignette.fingerprint})'
    )
    assert repr(widget) == expected
    assert widget._repr_mimebundle_()["text/plain"] == expected  # whole, not cut at 110
    for vignette_id in bank.ids():
        lines = repr(show_vignette(vignette_id, bank=bank, store=store)).splitlines()
        assert lines[0].startswith(f"Exercise {vignette_id} (") and len(lines[0]) <= 160
        assert re.fullmatch(r'The client says: ".+" \(content [0-9a-f]{8}\)', lines[1])


def test_repr_of_a_long_title_is_cut_to_fit(tmp_path, store):
    long_title = "A very long title " * 8
    bank = write_bank(tmp_path, CHOOSE_TEMPLATE.format(id="long-01", title=long_title.strip()))
    line = repr(show_vignette("long-01", bank=bank, store=store)).splitlines()[0]
    assert len(line) <= 160
    assert line.endswith('…". Run this cell (or Run ▸ Run All Cells) to start the exercise.')


def test_unknown_id_shows_a_message_and_does_not_raise(bank, store):
    widget = show_vignette("demo-99", bank=bank, store=store)
    assert isinstance(widget, Unavailable)
    shown = text_of(widget.message.value)
    assert "This vignette can't be shown" in shown
    assert "demo-99" in shown
    assert "Tell your instructor; the other exercises still work." in shown
    assert repr(widget) == (
        "Exercise demo-99: this vignette can't be shown; run this cell to see why."
    )


def test_broken_vignette_shows_what_is_wrong(tmp_path, store):
    broken = CHOOSE_TEMPLATE.format(id="bad-01", title="No best option").replace(
        "best: true", "best: false"
    )
    bank = write_bank(tmp_path, broken)
    widget = show_vignette("bad-01", bank=bank, store=store)
    assert isinstance(widget, Unavailable)
    shown = text_of(widget.message.value)
    assert "This vignette can't be shown" in shown
    assert "best: true" in shown
    assert store.answers() == []


def test_html_in_vignette_text_is_shown_as_text(tmp_path, store):
    body = CHOOSE_TEMPLATE.format(id="html-01", title="<i>Tagged</i> title").replace(
        'says: "Hello."', "says: \"<script>alert('x')</script> Hello.\""
    )
    body = body.replace("Welcome back.", "<img src=x onerror=alert(1)> Welcome back.")
    bank = write_bank(tmp_path, body)
    widget = show_vignette("html-01", bank=bank, store=store)
    assert isinstance(widget, ChooseExercise)
    shown = all_html(widget)
    assert "<script>" not in shown and "<img" not in shown and "<i>Tagged" not in shown
    assert "&lt;script&gt;" in shown and "&lt;i&gt;Tagged" in shown
    # control labels are set as text by the front end, never as HTML
    assert widget.options.options[1][0] == "b) <img src=x onerror=alert(1)> Welcome back."
    assert not any(getattr(c, "description_allow_html", False) for c in walk(widget))
    widget.choose("b")
    widget.check_button.click()
    assert "<img" not in widget.feedback.value
    assert "&lt;img src=x onerror=alert(1)&gt; Welcome back." in widget.feedback.value


def test_every_control_has_a_label_and_none_is_a_slider(bank, store):
    for vignette_id in bank.ids():
        widget = show_vignette(vignette_id, bank=bank, store=store)
        if isinstance(widget, PracticeExercise):
            widget.response.value = "A response."
            widget.check_button.click()  # the rubric checkboxes appear
        for control in walk(widget):
            assert not isinstance(control, widgets.widgets.widget_int._IntRange)
            assert not isinstance(control, widgets.IntSlider | widgets.FloatSlider)
            if isinstance(control, CONTROLS):
                assert control.description.strip(), f"{vignette_id}: {control!r} has no label"
            if isinstance(control, widgets.Button):
                assert control.tooltip and control.tooltip.strip()


def test_feedback_is_announced_to_screen_readers(bank, store):
    widget = show_vignette("demo-01", bank=bank, store=store)
    widget.choose("a")
    widget.check_button.click()
    assert widget.feedback.value.startswith('<div role="status" aria-live="polite">')


def test_answers_still_show_when_saving_fails(bank, tmp_path):
    class BrokenStore(Store):
        def record_answer(self, *args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

    widget = show_vignette("demo-01", bank=bank, store=BrokenStore(tmp_path / "b.sqlite3"))
    widget.choose("b")
    widget.check_button.click()
    assert "✓ Best response" in text_of(widget.feedback.value)
    note = text_of(widget.note.value)
    assert "could not be saved (disk I/O error)" in note
    assert "The exercise still works" in note


def test_without_a_store_answers_go_to_the_trainees_home(bank, private_home):
    widget = show_vignette("demo-01", bank=bank)
    widget.choose("a")
    widget.check_button.click()
    saved = Store(private_home / "alliance.sqlite3").answers("demo-01")
    assert [(a.answer, a.correct) for a in saved] == [({"attempt": 1, "option": "a"}, False)]


def test_every_course_vignette_can_be_shown(store):
    course = load_bank()
    cannot = {
        vid: text_of(w.message.value)
        for vid in course.ids()
        if isinstance(w := show_vignette(vid, store=store), Unavailable)
    }
    assert cannot == {}
    assert all(
        type(show_vignette(vid, store=store)) is KINDS[course.get(vid).exercise["kind"]]
        for vid in course.ids()
    )


# -- choose -------------------------------------------------------------------------------------


def test_choose_wrong_then_right_with_feedback_rationale_and_saved_attempts(bank, store):
    widget = show_vignette("demo-01", bank=bank, store=store)
    assert widget.rationale.value == ""
    widget.choose("a")
    widget.check_button.click()
    shown = text_of(widget.feedback.value)
    assert "✗ Not the best response (attempt 1)" in shown
    assert "We only have forty minutes left" in shown
    assert "puts the schedule before Mei" in shown
    assert "Guideline: Genuine care" in shown
    assert "Try another response" in shown
    # a wrong first try does not give the answer away
    assert widget.rationale.value == ""
    assert "best response" not in text_of(widget.rationale.value)

    widget.choose("b")
    widget.check_button.click()
    shown = text_of(widget.feedback.value)
    assert "Why b) is the best response: Option b shows genuine care" in text_of(
        widget.rationale.value
    )
    assert widget.why_button.layout.display == "none"
    assert "✓ Best response (attempt 2)" in shown
    assert "You welcome her and notice the struggle" in shown
    assert "Try another response" not in shown
    assert rows(store, "demo-01") == [
        ("choose", {"option": "a", "attempt": 1}, False),
        ("choose", {"option": "b", "attempt": 2}, True),
    ]


def test_choose_without_a_choice_asks_for_one_and_saves_nothing(bank, store):
    widget = show_vignette("demo-01", bank=bank, store=store)
    widget.check_button.click()
    assert "Choose one of the responses first" in text_of(widget.feedback.value)
    assert store.answers() == []


def test_choose_options_are_labelled_with_their_words(bank, store):
    widget = show_vignette("demo-01", bank=bank, store=store)
    labels = [label for label, _ in widget.options.options]
    assert labels[1] == "b) I'm glad you came. It sounds like getting here was hard today."
    assert widget.options.description == "Your choice:"
    assert text_of(widget.prompt.value) == "Your task: What do you say first?"


def test_choose_long_options_are_listed_in_full_above_short_labels(tmp_path, store):
    long_text = "I hear how much this matters to you, " * 4 + "and I want to understand it."
    bank = write_bank(
        tmp_path,
        CHOOSE_TEMPLATE.format(id="long-02", title="Long options").replace(
            '"Welcome back."', f'"{long_text}"'
        ),
    )
    widget = show_vignette("long-02", bank=bank, store=store)
    label = widget.options.options[1][0]
    assert label.startswith("b) I hear how much this matters to you") and label.endswith("…")
    assert len(label) <= 75
    assert f"b) {long_text}" in text_of(widget.prompt.value)


def test_choose_restores_the_latest_attempt_after_a_restart(bank, store):
    first = show_vignette("demo-01", bank=bank, store=store)
    first.choose("c")
    first.check_button.click()
    first.choose("b")
    first.check_button.click()

    again = show_vignette("demo-01", bank=bank, store=store)
    assert again.options.value == "b"
    assert "✓ Best response" in text_of(again.feedback.value)
    assert "Option b shows genuine care" in text_of(again.rationale.value)
    assert "You answered this before (attempt 2)" in text_of(again.note.value)
    again.choose("a")
    again.check_button.click()
    assert store.latest_answer("demo-01").answer == {"option": "a", "attempt": 3}
    assert "attempt 3" in text_of(again.feedback.value)


# -- rate ---------------------------------------------------------------------------------------


def test_rate_needs_all_four_ratings(bank, store):
    widget = show_vignette("demo-02", bank=bank, store=store)
    widget.rate(safety=8, care=7)
    widget.compare_button.click()
    shown = text_of(widget.feedback.value)
    assert "Rate all four guidelines first" in shown
    assert "Understanding" in shown and "Focus" in shown and "Safety" not in shown
    assert store.answers() == []


def test_rate_compares_with_the_reference_and_saves(bank, store):
    widget = show_vignette("demo-02", bank=bank, store=store)
    assert "Read the transcript" in text_of(widget.transcript.value)
    assert "Client: I don't really know why I'm here." in text_of(widget.transcript.value)
    widget.rate(safety=8, care=5, understanding=9, focus=9)
    widget.compare_button.click()
    shown = text_of(widget.feedback.value)
    assert "Guideline Your rating Reference Gap Why the reference" in shown
    assert "Genuine care (the counselor genuinely cares) 5 7 -2 below" in shown
    assert "Understanding (the counselor tries to understand) 9 7 +2 above" in shown
    assert "Safety (the client is safe) 8 8 0 (same) The counselor does not judge" in shown
    assert "Every turn stays on Jon." in shown
    assert rows(store, "demo-02") == [
        ("rate", {"ratings": {"safety": 8, "care": 5, "understanding": 9, "focus": 9}}, None)
    ]


def test_rate_controls_are_labelled_choices_from_0_to_10(bank, store):
    widget = show_vignette("demo-02", bank=bank, store=store)
    for control in widget.ratings.values():
        assert isinstance(control, widgets.Dropdown)
        assert [v for _, v in control.options] == [None, *range(11)]
        assert "(0–10)" in control.description
    assert widget.ratings["focus"].description.startswith("Focus")


def test_rate_restores_values_and_comparison(bank, store):
    first = show_vignette("demo-02", bank=bank, store=store)
    first.rate(safety=1, care=2, understanding=3, focus=4)
    first.compare_button.click()

    again = show_vignette("demo-02", bank=bank, store=store)
    assert {k: c.value for k, c in again.ratings.items()} == {
        "safety": 1,
        "care": 2,
        "understanding": 3,
        "focus": 4,
    }
    assert "-7 below" in text_of(again.feedback.value)
    assert "You rated this before" in text_of(again.note.value)


# -- practice -----------------------------------------------------------------------------------


def test_practice_needs_a_response_before_the_rubric(bank, store):
    widget = show_vignette("demo-03", bank=bank, store=store)
    assert widget.rubric_box.layout.display == "none"
    widget.response.value = "   "
    widget.check_button.click()
    assert "Write your own response in the box first" in text_of(widget.feedback.value)
    assert widget.rubric_box.layout.display == "none"
    assert store.answers() == []


def test_practice_rubric_self_check_is_saved(bank, store):
    widget = show_vignette("demo-03", bank=bank, store=store)
    assert "Write one sentence that reflects the feeling" in text_of(widget.prompt.value)
    widget.response.value = "It sounds tiring to keep being told to smile."
    widget.check_button.click()
    assert widget.rubric_box.layout.display is None
    assert [box.description for box in widget.rubric] == [
        "I did this: Names a feeling",
        "I did this: Does not give advice",
    ]
    assert "You ticked 0 of 2 rubric checks" in text_of(widget.feedback.value)
    widget.tick(0)
    assert "You ticked 1 of 2 rubric checks" in text_of(widget.feedback.value)
    assert store.latest_answer("demo-03").answer == {
        "response": "It sounds tiring to keep being told to smile.",
        "rubric": [True, False],
        "difficulty": None,
        "examples_seen": False,
    }


def test_practice_shows_example_responses_with_notes(bank, store):
    widget = show_vignette("demo-03", bank=bank, store=store)
    assert widget.examples_html.value == ""
    widget.examples_button.click()
    shown = text_of(widget.examples_html.value)
    assert "It sounds exhausting to be told to smile through this." in shown
    assert "Names the feeling and stays with her experience." in shown
    assert "Reflects the frustration without judging the others." in shown


@pytest.mark.parametrize(
    ("vignette_id", "rating", "offered"),
    [
        ("demo-03", "too easy", "Next: Reflecting mixed feelings (intermediate)"),
        ("demo-06", "too hard", "Next: Naming the feeling (beginner)"),
        ("demo-06", "too easy", "Next: Care under pressure (advanced)"),
        ("demo-03", "too hard", "already the easiest level"),
        ("demo-07", "too easy", "already the hardest level"),
    ],
)
def test_practice_difficulty_offers_the_next_vignette(bank, store, vignette_id, rating, offered):
    widget = show_vignette(vignette_id, bank=bank, store=store)
    widget.difficulty.value = rating
    assert offered in text_of(widget.next_step.value)
    assert store.latest_answer(vignette_id).answer["difficulty"] == rating


PRACTICE_TEMPLATE = """
- id: {id}
  title: "{title}"
  guidelines: [{guideline}]
  dimension: bond
  difficulty: {difficulty}
  context: "A client."
  says: "Something."
  exercise:
    kind: practice
    prompt: "Reflect it."
    rubric: ["Names a feeling", "No advice"]
    examples:
      - {{text: "One.", note: "First."}}
      - {{text: "Two.", note: "Second."}}
"""


def test_practice_without_links_offers_a_practice_sharing_a_guideline(tmp_path, store):
    bank = write_bank(
        tmp_path,
        PRACTICE_TEMPLATE.format(id="p-01", title="Start", guideline="care", difficulty="beginner")
        + PRACTICE_TEMPLATE.format(
            id="p-02", title="Other topic", guideline="safety", difficulty="intermediate"
        )
        + PRACTICE_TEMPLATE.format(
            id="p-03", title="Next step", guideline="care", difficulty="intermediate"
        ),
    )
    widget = show_vignette("p-01", bank=bank, store=store)
    widget.difficulty.value = "too easy"
    assert "Next: Next step (intermediate)" in text_of(widget.next_step.value)
    widget.difficulty.value = "good challenge"
    assert "There is no other beginner practice vignette on this guideline yet" in text_of(
        widget.next_step.value
    )
    lonely = show_vignette("p-02", bank=bank, store=store)
    lonely.difficulty.value = "too easy"
    assert "There is no advanced practice vignette on this guideline yet" in text_of(
        lonely.next_step.value
    )


def test_practice_restores_text_ticks_and_difficulty(bank, store):
    first = show_vignette("demo-06", bank=bank, store=store)
    first.response.value = "Part of you is relieved and part of you misses it."
    first.check_button.click()
    first.tick(0, 2)
    first.examples_button.click()
    first.difficulty.value = "too hard"
    saved = len(store.answers("demo-06"))

    again = show_vignette("demo-06", bank=bank, store=store)
    assert again.response.value == "Part of you is relieved and part of you misses it."
    assert again.ticks() == [True, False, True]
    assert again.rubric_box.layout.display is None
    assert again.difficulty.value == "too hard"
    assert "Next: Naming the feeling" in text_of(again.next_step.value)
    assert "Holds both sides without choosing one." in text_of(again.examples_html.value)
    assert "You answered this before" in text_of(again.note.value)
    assert len(store.answers("demo-06")) == saved  # restoring writes nothing


# -- dialogue -----------------------------------------------------------------------------------


@pytest.fixture
def focused(monkeypatch):
    """The widgets asked to take keyboard focus, in order."""
    asked: list = []
    monkeypatch.setattr(widgets.DOMWidget, "focus", lambda self: asked.append(self))
    return asked


def test_dialogue_choice_moves_the_alliance_and_says_why(bank, store, focused):
    widget = show_vignette("demo-04", bank=bank, store=store)
    # the first line is already shown as what the client says, so it is not repeated
    assert "The client says: I don't think this is helping." in text_of(widget.header.value)
    assert text_of(widget.client_line.value) == "What do you say?"
    assert [b.description for b in widget.choice_buttons] == [
        "Say 1: Thank you for telling me. What feels unhelpful?",
        "Say 2: It takes time. Let's keep going.",
    ]
    assert "Bond 5/10" in text_of(widget.state_html.value)
    # the bars illustrate a direction; they never claim to measure the alliance
    meter = text_of(widget.state_html.value)
    assert "Which way the alliance is moving (an illustration)" in meter
    assert "They are not a measurement" in meter
    assert widget.restart_button.layout.display == "none"

    said = widget.choice_buttons[0]
    said.click()
    # the pressed button now offers the next step's first choice, and keyboard focus is on it
    assert said is widget.choice_buttons[0] and focused == [said]
    assert said.description.startswith("Say 1: So we have been working on the wrong thing")
    assert len(widget.choice_buttons) == 1  # that step has one choice; the spare is hidden
    assert [b.layout.display for b in widget.choice_box.children] == [None, "none"]
    state = text_of(widget.state_html.value)
    assert "Bond 7/10 ▲ +2" in state and "Goals 5/10 ▲ +1" in state and "Tasks 4/10 ■ 0" in state
    assert "Welcoming the complaint opens a repair" in text_of(widget.feedback.value)
    history = text_of(widget.history_html.value)
    assert "Client: I don't think this is helping." in history
    assert "You: Thank you for telling me." in history
    assert "We keep talking about my childhood" in text_of(widget.client_line.value)
    assert rows(store, "demo-04") == [
        (
            "dialogue",
            {
                "path": [0],
                "step": "listen",
                "ended": False,
                "alliance": {"bond": 7, "goals": 5, "tasks": 4},
            },
            None,
        )
    ]


def test_dialogue_ending_shows_summary_and_start_again(bank, store, focused):
    widget = show_vignette("demo-04", bank=bank, store=store)
    for _ in range(3):
        widget.choice_buttons[0].click()
    shown = text_of(widget.feedback.value)
    assert "The conversation has ended." in shown
    assert "The rupture was named and repaired" in shown
    assert "Tasks 7/10 ▲ +2" in text_of(widget.state_html.value)
    assert widget.choice_buttons == []  # no choice left to press
    assert all(b.layout.display == "none" for b in widget.choice_box.children)
    assert widget.restart_button.layout.display is None
    assert focused[-1] is widget.restart_button
    assert [r[1]["path"] for r in rows(store, "demo-04")] == [[0], [0, 0], [0, 0, 0]]
    assert store.latest_answer("demo-04").answer["ended"] is True

    widget.restart_button.click()
    assert widget.step_id == "open" and widget.path == []
    assert focused[-1] is widget.choice_buttons[0]
    assert widget.restart_button.layout.display == "none"
    assert "Bond 5/10" in text_of(widget.state_html.value)
    assert widget.history_html.value == ""
    assert store.latest_answer("demo-04").answer["path"] == []


def test_dialogue_other_branch_weakens_the_bond(bank, store):
    widget = show_vignette("demo-04", bank=bank, store=store)
    widget.choice_buttons[1].click()
    assert "Bond 3/10 ▼ -2" in text_of(widget.state_html.value)
    shown = text_of(widget.feedback.value)
    assert "Brushing it aside leaves the rupture unrepaired." in shown
    assert "Sam withdraws." in shown


def test_dialogue_restores_the_path_walked(bank, store):
    first = show_vignette("demo-04", bank=bank, store=store)
    first.say(0)
    first.say(0)

    again = show_vignette("demo-04", bank=bank, store=store)
    assert again.step_id == "agree" and again.path == [0, 0]
    assert "Work is what keeps me up at night" in text_of(again.client_line.value)
    assert "So we have been working on the wrong thing" in text_of(again.history_html.value)
    assert "Goals 7/10" in text_of(again.state_html.value)
    assert "you are back where you left off (after 2 choices)" in text_of(again.note.value)
    assert len(store.answers("demo-04")) == 2


# -- spot ---------------------------------------------------------------------------------------


def test_spot_checks_each_line_and_scores(bank, store):
    widget = show_vignette("demo-05", bank=bank, store=store)
    # only the client's lines can be marked, and each starts unmarked
    assert [m.description for m in widget.controls] == [
        "Line 1 (client) shows:",
        "Line 3 (client) shows:",
    ]
    assert widget.marks[1] is None
    assert [m.label for m in widget.controls] == ["– not yet marked –"] * 2
    with pytest.raises(ValueError, match="only client lines"):
        widget.mark(2, "confrontation")
    widget.mark(1, "confrontation")
    widget.mark(3, "withdrawal")
    widget.check_button.click()
    shown = text_of(widget.feedback.value)
    assert "1 of 2 client lines right." in shown
    assert "✗ Line 1: you marked confrontation; this line shows no rupture" in shown
    assert "Line 2 (counselor): Advice, not a rupture itself" in shown
    assert "✓ Line 3: withdrawal" in shown and "Lea pulls away" in shown
    assert "Unasked-for advice can feel like judgement" in text_of(widget.rationale.value)
    assert rows(store, "demo-05") == [
        (
            "spot",
            {"marks": ["confrontation", None, "withdrawal"], "score": 1, "total": 2},
            False,
        )
    ]


def test_spot_unmarked_lines_are_reported_as_unmarked_not_right(bank, store):
    widget = show_vignette("demo-05", bank=bank, store=store)
    widget.check_button.click()
    shown = text_of(widget.feedback.value)
    assert "0 of 2 client lines right. 2 client lines are not yet marked" in shown
    assert "? Line 1: not yet marked" in shown and "? Line 3: not yet marked" in shown
    assert "Lea pulls away" not in shown  # the answer waits until the line is marked
    assert store.latest_answer("demo-05").correct is False
    widget.mark(1, "none")
    widget.check_button.click()
    shown = text_of(widget.feedback.value)
    assert "1 of 2 client lines right. 1 client line is not yet marked" in shown


def test_spot_missed_rupture_is_named(bank, store):
    widget = show_vignette("demo-05", bank=bank, store=store)
    widget.mark(1, "none")
    widget.mark(3, "none")
    widget.check_button.click()
    shown = text_of(widget.feedback.value)
    assert "1 of 2 client lines right." in shown
    assert "✗ Line 3: you marked no rupture; this is a withdrawal rupture" in shown
    widget.mark(3, "withdrawal")
    widget.check_button.click()
    assert "2 of 2 client lines right." in text_of(widget.feedback.value)
    assert store.latest_answer("demo-05").correct is True


def test_spot_restores_marks_and_feedback(bank, store):
    first = show_vignette("demo-05", bank=bank, store=store)
    first.mark(3, "confrontation")
    first.check_button.click()

    again = show_vignette("demo-05", bank=bank, store=store)
    assert [m.label for m in again.controls] == ["– not yet marked –", "confrontation"]
    assert "✗ Line 3: you marked confrontation; this is a withdrawal rupture" in text_of(
        again.feedback.value
    )
    assert "You answered this before (attempt 1)" in text_of(again.note.value)


# -- progress -----------------------------------------------------------------------------------


def test_progress_counts_answered_vignettes(bank, store):
    view = show_progress("examples", bank=bank, store=store)
    assert repr(view) == (
        "Progress in 'examples': run this cell (or Run ▸ Run All Cells) to see it."
    )
    assert "Progress in 'examples': 0 of 7 done" in text_of(view.summary.value)

    choose = show_vignette("demo-01", bank=bank, store=store)
    choose.choose("b")
    choose.check_button.click()
    spot = show_vignette("demo-05", bank=bank, store=store)
    spot.check_button.click()

    view.refresh_button.click()
    shown = text_of(view.summary.value)
    assert "Progress in 'examples': 2 of 7 done" in shown
    assert "✓ done: A late arrival, an apology" in shown
    assert "✓ done: Where did it go wrong?" in shown
    assert "○ not yet: Rating a first session" in shown
    assert "2 of 7 done" in text_of(show_progress("examples", bank=bank, store=store).summary.value)


def test_progress_for_an_unknown_topic_says_so(bank, store):
    view = show_progress("nope", bank=bank, store=store)
    assert "there are no vignettes in the topic 'nope'" in text_of(view.summary.value)


def test_progress_lists_a_broken_vignette_instead_of_hiding_it(tmp_path, store):
    good = CHOOSE_TEMPLATE.format(id="ok-01", title="Fine")
    broken = CHOOSE_TEMPLATE.format(id="ok-02", title="Broken").replace("best: true", "best: no")
    bank = write_bank(tmp_path, good + broken)
    shown = text_of(show_progress("extra", bank=bank, store=store).summary.value)
    assert "Progress in 'extra': 0 of 1 done" in shown
    assert "○ not yet: Fine" in shown
    assert "⚠ can't be shown: ok-02 (tell your instructor)" in shown


def test_progress_of_a_course_topic_without_arguments(private_home):
    course = load_bank()
    topic = course.get(course.ids()[0]).topic
    view = show_progress(topic)
    count = len(course.by_topic(topic))
    assert f"Progress in '{topic}': 0 of {count} done" in text_of(view.summary.value)


def test_widgets_are_exercises(bank, store):
    for vignette_id in bank.ids():
        assert isinstance(show_vignette(vignette_id, bank=bank, store=store), Exercise)


CHOOSE_TEMPLATE = """
- id: {id}
  title: "{title}"
  guidelines: [care]
  dimension: bond
  difficulty: beginner
  context: "A client arrives."
  says: "Hello."
  exercise:
    kind: choose
    prompt: "What do you say?"
    options:
      - id: a
        text: "Let's begin."
        best: false
        feedback: "Too quick (guideline: care)."
      - id: b
        text: "Welcome back."
        best: true
        feedback: "Warm (guideline: care)."
    rationale: "Welcoming builds the bond."
"""


DIALOGUE_TEMPLATE = """
- id: {id}
  title: "Steady"
  guidelines: [care]
  dimension: bond
  difficulty: beginner
  context: "A client."
  says: "Hi."
  exercise:
    kind: dialogue
    start: one
    alliance: {{bond: 9, goals: 1, tasks: 5}}
    steps:
      - id: one
        client: "Hi."
        choices:
          - {{text: "Hello, welcome.", next: two, effect: {{bond: 3, goals: -3}}, reason: "Warm."}}
      - id: two
        client: "Thanks."
        choices:
          - {{text: "What brings you?", next: three, effect: {{bond: 1}}, reason: "Open."}}
      - id: three
        client: "Work."
        choices:
          - {{text: "Tell me more.", next: end, effect: {{tasks: 1}}, reason: "Curious."}}
      - id: end
        client: "Thanks, see you."
        ending: "The alliance held."
"""


def test_dialogue_alliance_stays_between_0_and_10(tmp_path, store):
    bank = write_bank(tmp_path, DIALOGUE_TEMPLATE.format(id="dlg-01"))
    widget = show_vignette("dlg-01", bank=bank, store=store)
    widget.say(0)
    state = text_of(widget.state_html.value)
    assert "Bond 10/10 ▲ +3" in state and "Goals 0/10 ▼ -3" in state
    assert widget.alliance == {"bond": 10, "goals": 0, "tasks": 5}


def test_dialogue_saved_path_that_no_longer_fits_starts_again(tmp_path, store):
    bank = write_bank(tmp_path, DIALOGUE_TEMPLATE.format(id="dlg-02"))
    store.record_answer("dlg-02", "dialogue", {"path": [0, 5], "step": "gone", "ended": False})
    widget = show_vignette("dlg-02", bank=bank, store=store)
    assert widget.step_id == "one" and widget.path == []
    assert "it has changed since; starting again" in text_of(widget.note.value)
    widget.say(0)
    assert store.latest_answer("dlg-02").answer["path"] == [0]


def test_dialogue_saved_path_that_now_leads_elsewhere_starts_again(tmp_path, store):
    """A step's choices reordered in the file: the saved places would replay other words."""
    bank = write_bank(tmp_path, DIALOGUE_TEMPLATE.format(id="dlg-03"))
    store.record_answer("dlg-03", "dialogue", {"path": [0], "step": "three", "ended": False})
    widget = show_vignette("dlg-03", bank=bank, store=store)
    assert widget.step_id == "one" and widget.path == []
    assert "it has changed since; starting again" in text_of(widget.note.value)
    store.record_answer("dlg-03", "dialogue", {"path": [0], "step": "two", "ended": False})
    again = show_vignette("dlg-03", bank=bank, store=store)
    assert again.step_id == "two" and again.path == [0]


def test_a_store_that_cannot_open_still_lets_the_exercise_run(bank, monkeypatch):
    def refuse():
        raise RuntimeError("written by a newer Alliance Lab")

    monkeypatch.setattr("helpers.exercises.sources.get_store", refuse)
    widget = show_vignette("demo-01", bank=bank)
    assert "Your answers can't be saved on this computer" in text_of(widget.note.value)
    widget.choose("a")
    widget.check_button.click()
    assert "✗ Not the best response" in text_of(widget.feedback.value)


def test_notebooks_reach_the_exercises_through_the_helpers_package():
    import helpers

    assert helpers.show_vignette is show_vignette
    assert helpers.show_progress is show_progress


def test_an_odd_saved_answer_never_blocks_the_exercise(bank, store):
    store.record_answer("demo-02", "rate", {"ratings": "not a mapping"})
    widget = show_vignette("demo-02", bank=bank, store=store)
    assert isinstance(widget, RateExercise)
    assert "Your earlier answer could not be shown again" in text_of(widget.note.value)
    widget.rate(safety=5, care=5, understanding=5, focus=5)
    widget.compare_button.click()
    assert "Safety (the client is safe) 5 8 -3 below" in text_of(widget.feedback.value)
    assert store.latest_answer("demo-02").answer["ratings"]["care"] == 5
    assert widget.note.value == ""


# -- a damaged store or saved answer never blocks an exercise -----------------------------------


def write_unreadable_answer(path: Path, vignette_id: str, kind: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO answers (vignette_id, kind, answer, correct, created)"
        " VALUES (?, ?, '{not json', 0, '2026-09-01T10:00:00+00:00')",
        (vignette_id, kind),
    )
    conn.commit()
    conn.close()


def test_an_unreadable_saved_answer_is_kept_and_the_exercise_still_works(bank, store):
    store.record_answer("demo-01", "choose", {"option": "a", "attempt": 1}, correct=False)
    write_unreadable_answer(store.path, "demo-01", "choose")

    widget = show_vignette("demo-01", bank=bank, store=store)

    assert isinstance(widget, ChooseExercise)
    note = text_of(widget.note.value)
    assert "An earlier answer could not be read and was kept." in note
    assert "You answered this before" in note
    assert widget.options.value == "a"  # the readable earlier answer is shown again
    widget.choose("b")
    widget.check_button.click()
    assert "✓ Best response" in text_of(widget.feedback.value)
    assert widget.note.value == ""
    saved = store.answers("demo-01")
    assert [(a.answer, a.readable) for a in saved] == [
        ({"attempt": 1, "option": "a"}, True),
        ({}, False),
        ({"attempt": 2, "option": "b"}, True),
    ]


def test_only_an_unreadable_saved_answer_starts_the_exercise_fresh(bank, store):
    write_unreadable_answer(store.path, "demo-05", "spot")
    widget = show_vignette("demo-05", bank=bank, store=store)
    assert isinstance(widget, SpotExercise)
    assert text_of(widget.note.value) == "An earlier answer could not be read and was kept."
    assert widget.feedback.value == status_html("")


def status_html(inner: str) -> str:
    return f'<div role="status" aria-live="polite">{inner}</div>'


@pytest.mark.parametrize(
    ("damage", "advice"),
    [
        ("not a database", "Rename it (for example to alliance-broken.sqlite3)"),
        ("newer", "Update the course (ask your instructor)"),
    ],
)
def test_a_store_file_that_cannot_be_used_leaves_the_exercise_working(
    bank, private_home, damage, advice
):
    path = private_home / "alliance.sqlite3"
    private_home.mkdir(mode=0o700)
    if damage == "newer":
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(b"these are not answers" * 200)
    before = path.read_bytes()

    widget = show_vignette("demo-01", bank=bank)

    assert isinstance(widget, ChooseExercise)
    note = text_of(widget.note.value)
    assert note.startswith("Your answers can't be saved on this computer:")
    assert advice in note
    assert "The exercise still works, but what you do here is not kept" in note
    widget.choose("a")
    widget.check_button.click()
    assert "✗ Not the best response" in text_of(widget.feedback.value)
    progress = show_progress("examples", bank=bank)
    assert "0 of 7 done" in text_of(progress.summary.value)
    assert advice in text_of(progress.summary.value)
    assert path.read_bytes() == before


def test_an_earlier_answer_that_cannot_be_shown_is_described_in_words(bank, store):
    store.record_answer("demo-02", "rate", {"ratings": ["not", "a", "mapping"]})
    widget = show_vignette("demo-02", bank=bank, store=store)
    note = text_of(widget.note.value)
    assert note == (
        "Your earlier answer could not be shown again, so the exercise starts fresh; "
        "it is still saved."
    )
    assert "Error" not in note and "(" not in note


# -- layout, shared rationale, direct construction ------------------------------------------------


def test_hiding_one_box_never_hides_another(bank, store):
    """Layouts are shared only where they cannot be hidden (text), so a page has fewer models
    to load; every control and box keeps a layout of its own."""
    for vignette_id in bank.ids():
        widget = show_vignette(vignette_id, bank=bank, store=store)
        layouts = [w.layout for w in walk(widget) if not isinstance(w.layout, SharedLayout)]
        assert len({id(layout) for layout in layouts}) == len(layouts), vignette_id
        shared = [w for w in walk(widget) if isinstance(w.layout, SharedLayout)]
        assert all(isinstance(w, widgets.HTML) for w in shared), vignette_id
    widget = show_vignette("demo-01", bank=bank, store=store)
    assert widget.rationale.layout is widget.feedback.layout  # shared: text
    with pytest.raises(traitlets.TraitError, match="shared by many widgets"):
        widget.rationale.layout.display = "none"
    assert widget.feedback.layout.display is None
    widget.check_button.layout.display = "none"
    assert widget.layout.display is None
    assert all(w.layout.display is None for w in walk(widget) if w is not widget.check_button)


def test_rationales_look_the_same_in_choose_and_spot(tmp_path, store):
    spot = """
- id: spt-01
  title: "Spot"
  guidelines: [rupture-repair]
  dimension: bond
  difficulty: beginner
  context: "A client."
  says: "Hi."
  exercise:
    kind: spot
    prompt: "Mark it."
    transcript:
      - {speaker: counselor, text: "How was it?", rupture: none, feedback: "A question."}
      - {speaker: client, text: "Fine.", rupture: withdrawal, feedback: "Pulls away."}
    rationale: "<b>Withdrawal</b> is *quiet*."
"""
    choose = CHOOSE_TEMPLATE.format(id="chs-01", title="Choose").replace(
        '"Welcoming builds the bond."', '"<b>Withdrawal</b> is *quiet*."'
    )
    bank = write_bank(tmp_path, choose + spot)
    chooser = show_vignette("chs-01", bank=bank, store=store)
    chooser.choose("b")
    chooser.check_button.click()
    spotter = show_vignette("spt-01", bank=bank, store=store)
    spotter.check_button.click()
    tail = " &lt;b&gt;Withdrawal&lt;/b&gt; is <em>quiet</em>.</p>"
    assert chooser.rationale.value == ("<p><strong>Why b) is the best response:</strong>" + tail)
    assert spotter.rationale.value == "<p><strong>What this transcript shows:</strong>" + tail


def test_an_exercise_built_by_hand_from_bad_data_says_to_validate(bank, store):
    choose = bank.get("demo-01")
    no_best = dict(
        choose.exercise, options=[dict(o, best=False) for o in choose.exercise["options"]]
    )
    with pytest.raises(ExerciseProblem, match="demo-01.*run 'alliance validate'"):
        ChooseExercise(dataclasses.replace(choose, exercise=no_best), store)

    dialogue = bank.get("demo-04")
    no_start = dict(dialogue.exercise, start="missing")
    with pytest.raises(ExerciseProblem, match="demo-04.*dialogue.*run 'alliance validate'"):
        DialogueExercise(dataclasses.replace(dialogue, exercise=no_start), store)


# -- progress ------------------------------------------------------------------------------------


def test_progress_after_a_failed_then_a_good_refresh_shows_the_right_count(bank, store):
    class FlakyStore(Store):
        failing = True

        def answered_vignettes(self):
            if self.failing:
                raise sqlite3.OperationalError("database is locked")
            return super().answered_vignettes()

    flaky = FlakyStore(store.path)
    store.record_answer("demo-01", "choose", {"option": "b", "attempt": 1}, correct=True)
    view = show_progress("examples", bank=bank, store=flaky)
    assert "Your saved answers could not be read (database is locked)" in text_of(
        view.summary.value
    )

    flaky.failing = False
    view.refresh_button.click()

    shown = text_of(view.summary.value)
    assert "Progress in 'examples': 1 of 7 done" in shown
    assert "could not be read" not in shown
    assert view.problem == ""
    assert (view.done_count, view.total) == (1, 7)


def test_progress_of_a_topic_with_no_showable_vignettes_counts_none(tmp_path, bank, store):
    broken = CHOOSE_TEMPLATE.format(id="ok-03", title="Broken").replace("best: true", "best: no")
    view = show_progress("extra", bank=write_bank(tmp_path, broken), store=store)
    assert "Progress in 'extra': 0 of 0 done" in text_of(view.summary.value)
    assert "⚠ can't be shown: ok-03" in text_of(view.summary.value)
    assert (view.done_count, view.total) == (0, 0)
    unknown = show_progress("nope", bank=bank, store=store)
    assert "there are no vignettes in the topic 'nope'" in text_of(unknown.summary.value)
    assert (unknown.done_count, unknown.total) == (0, 0)


# -- navigation without code, and nothing typed lost -----------------------------------------


def test_next_practice_is_a_link_and_a_button_never_code_to_copy(
    bank, store, tmp_path, monkeypatch
):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    cell = {"cell_type": "code", "source": 'show_vignette("demo-06")', "outputs": []}
    title = {"cell_type": "markdown", "source": "# Mixed feelings"}
    (notebooks / "04-mixed.ipynb").write_text(json.dumps({"cells": [title, cell]}), "utf-8")
    monkeypatch.chdir(notebooks)
    widget = show_vignette("demo-03", bank=bank, store=store)
    assert widget.try_next_button.layout.display == "none"
    widget.difficulty.value = "too easy"
    shown = widget.next_step.value
    assert '<a href="04-mixed.ipynb#demo-06">Go to this exercise</a>' in shown
    assert "It is in notebook 04 (Mixed feelings)." in text_of(shown)
    assert "show_vignette" not in shown and "Copy" not in shown
    widget.try_next_button.click()
    (inline,) = widget.next_box.children
    assert inline.vignette.id == "demo-06"
    assert widget.try_next_button.layout.display == "none"


def test_a_practice_response_is_saved_as_it_is_typed(bank, store):
    widget = show_vignette("demo-03", bank=bank, store=store)
    widget.response.value = "   "
    assert store.answers("demo-03") == []  # a blank box is not an answer
    widget.response.value = "It sounds tiring"
    assert store.latest_answer("demo-03").answer["response"] == "It sounds tiring"
    assert "✓ Saved" in text_of(widget.draft_status.value)
    again = show_vignette("demo-03", bank=bank, store=store)
    assert again.response.value == "It sounds tiring"
    assert "✓ Saved" in text_of(again.draft_status.value)


def test_difficulty_starts_at_choose_and_offers_nothing_until_answered(bank, store):
    widget = show_vignette("demo-03", bank=bank, store=store)
    assert widget.difficulty.label == "choose…"
    assert widget.next_step.value == ""
    widget.difficulty.value = "too easy"
    widget.difficulty.value = ""
    assert widget.next_step.value == ""
