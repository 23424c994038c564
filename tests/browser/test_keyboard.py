"""Each exercise kind completed with the keyboard alone, inside JupyterLab.

Only the first control is focused directly (``locator.focus()``); everything after that is
Tab, Shift+Tab, Space, Enter, Home and typing, as a keyboard user would. The test vignettes
(tests/fixtures/vignettes/examples.yaml) keep these tests independent of course content.

What JupyterLab itself does to keys inside a notebook is written down in docs/accessibility.md:
in command mode, letter and arrow keys pressed on a drop-down or radio button reach JupyterLab's
own shortcuts first (ArrowDown selects the next cell; "c" copies the cell), so these tests use the
keys that reach the widget: Space to open a drop-down's list, digits or a safe first letter to
pick an option, Home/End, and Tab between radio buttons.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CURRENT, LabPage, LabServer, open_lab_page


@pytest.fixture(scope="module")
def keyboard(browser_context: Any, lab: LabServer, exercise_notebook: Any) -> Iterator[LabPage]:
    """One page with one exercise of each kind, run once; each test uses its own exercise."""
    path = exercise_notebook("keys", "demo-01", "demo-02", "demo-03", "demo-04", "demo-05")
    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook(path)
        lab_page.run_all()
        assert lab_page.error_outputs() == []
        yield lab_page


def press(lab_page: LabPage, *keys: str) -> None:
    for key in keys:
        lab_page.page.keyboard.press(key)


def status_of(exercise: Any) -> Any:
    return exercise.locator("[role=status]").first


def test_choose_by_keyboard(keyboard: LabPage) -> None:
    exercise = keyboard.exercise("demo-01")
    radios = exercise.get_by_role("radio")
    check = exercise.get_by_role("button", name="Check my answer")

    radios.first.focus()
    press(keyboard, "Space")
    expect(radios.first).to_be_checked()
    press(keyboard, "Tab", "Tab", "Tab")
    expect(check).to_be_focused()
    press(keyboard, "Enter")
    expect(status_of(exercise)).to_contain_text("✗ Not the best response (attempt 1)")

    press(keyboard, "Shift+Tab", "Shift+Tab")
    expect(radios.nth(1)).to_be_focused()
    press(keyboard, "Space", "Tab", "Tab")
    expect(check).to_be_focused()
    press(keyboard, "Space")
    expect(status_of(exercise)).to_contain_text("✓ Best response (attempt 2)")


def test_rate_by_keyboard(keyboard: LabPage) -> None:
    exercise = keyboard.exercise("demo-02")
    exercise.get_by_label(re.compile(r"^Safety")).focus()
    press(keyboard, "8", "Tab", "7", "Tab", "7", "Tab", "9", "Tab")
    compare = exercise.get_by_role("button", name="Compare with the reference")
    expect(compare).to_be_focused()
    press(keyboard, "Enter")
    expect(status_of(exercise)).to_contain_text("4 of 4 of your ratings are within 1 point")
    rows = status_of(exercise).locator("tbody tr td:nth-child(2)")
    expect(rows).to_have_text(["8", "7", "7", "9"])


def test_practice_by_keyboard(keyboard: LabPage) -> None:
    exercise = keyboard.exercise("demo-03")
    exercise.get_by_label("Your response:").focus()
    keyboard.page.keyboard.type("It sounds draining to keep looking on the bright side.")
    press(keyboard, "Tab")
    expect(exercise.get_by_role("button", name="Check against the rubric")).to_be_focused()
    press(keyboard, "Enter")
    expect(status_of(exercise)).to_contain_text("You ticked 0 of 2 rubric checks")

    press(keyboard, "Tab", "Space")
    expect(exercise.get_by_role("checkbox", name="I did this: Names a feeling")).to_be_checked()
    expect(status_of(exercise)).to_contain_text("You ticked 1 of 2 rubric checks")
    press(keyboard, "Tab", "Space")
    expect(status_of(exercise)).to_contain_text("You ticked 2 of 2 rubric checks")

    # the response coach's reading comes next (once the coach is ready), then the examples
    coach_button = exercise.get_by_role("button", name="The coach got this wrong")
    expect(coach_button).to_be_visible(timeout=60_000)
    press(keyboard, "Tab")
    expect(coach_button).to_be_focused()
    press(keyboard, "Tab")
    expect(exercise.get_by_role("button", name="Show example responses")).to_be_focused()
    press(keyboard, "Enter")
    expect(exercise).to_contain_text("It sounds exhausting to be told to smile through this.")
    press(keyboard, "Tab")
    difficulty = exercise.get_by_label("How hard was this?")
    expect(difficulty).to_be_focused()
    expect(difficulty.locator("option:checked")).to_have_text("choose…")
    press(keyboard, "ArrowDown")  # as notebook 00 says: the arrow keys move between options
    expect(difficulty).to_have_value("too easy")
    expect(exercise).to_contain_text("Next: Reflecting mixed feelings (intermediate)")


def say(exercise: Any, start: str) -> Any:
    """A dialogue choice button by the start of its label (its icon comes first in the name)."""
    return exercise.get_by_role("button", name=re.compile(re.escape(start)))


def test_dialogue_by_keyboard(keyboard: LabPage) -> None:
    """After each choice, focus is on the first of the next step's choices, and on
    "Start again" when the conversation ends: Enter and Space alone walk the dialogue."""
    exercise = keyboard.exercise("demo-04")
    first = say(exercise, "Say 1: Thank you for telling me")
    first.focus()
    press(keyboard, "Enter")
    expect(exercise).to_contain_text("Bond 7/10 ▲ +2")
    second = say(exercise, "Say 1: So we have been")
    expect(first).to_have_count(0)
    expect(second).to_be_focused()
    press(keyboard, "Enter")
    expect(exercise).to_contain_text("Goals 7/10 ▲ +2")
    third = say(exercise, "Say 1: Then let's start")
    expect(second).to_have_count(0)
    expect(third).to_be_focused()
    press(keyboard, "Space")
    expect(status_of(exercise)).to_contain_text("The conversation has ended.")
    expect(exercise).to_contain_text("Tasks 7/10 ▲ +2")
    restart = exercise.get_by_role("button", name=re.compile("Start again"))
    expect(restart).to_be_focused()
    press(keyboard, "Enter")
    expect(first).to_be_focused()
    expect(exercise).to_contain_text("Bond 5/10")


def test_spot_by_keyboard(keyboard: LabPage) -> None:
    exercise = keyboard.exercise("demo-05")
    # only the client's lines (1 and 3) have a drop-down
    lines = [exercise.get_by_label(f"Line {n} (client) shows:") for n in (1, 3)]
    check = exercise.get_by_role("button", name="Check my marks")

    lines[0].focus()
    press(keyboard, "End")  # the last option: confrontation (a wrong mark)
    expect(lines[0]).to_have_value("confrontation")
    press(keyboard, "Tab")
    expect(lines[1]).to_be_focused()
    press(keyboard, "w")
    expect(lines[1]).to_have_value("withdrawal")
    press(keyboard, "Tab")
    expect(check).to_be_focused()
    press(keyboard, "Enter")
    expect(status_of(exercise)).to_contain_text("1 of 2 client lines right.")
    expect(status_of(exercise)).to_contain_text("✗ Line 1: you marked confrontation")

    press(keyboard, "Shift+Tab", "Shift+Tab")
    expect(lines[0]).to_be_focused()
    press(keyboard, "n")  # the first option starting with n: "no rupture"
    expect(lines[0]).to_have_value("no rupture")
    press(keyboard, "Tab", "Tab", "Enter")
    expect(status_of(exercise)).to_contain_text("2 of 2 client lines right.")


def test_notebook_shortcuts_leave_exercise_keys_alone(
    browser_context: Any, lab: LabServer, exercise_notebook: Any
) -> None:
    """Keys pressed on an exercise's drop-down or radio button go to that control: "x" does not
    cut the exercise's cell, "m" does not turn it into Markdown, ArrowDown picks the next option."""
    path = exercise_notebook("shortcuts", "demo-01", "demo-05")
    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook(path)
        lab_page.run_all()
        cells = lab_page.page.locator(f"{CURRENT} .jp-Cell")
        markdown = lab_page.page.locator(f"{CURRENT} .jp-MarkdownCell")
        count, markdown_count = cells.count(), markdown.count()
        line_1 = lab_page.exercise("demo-05").get_by_label("Line 1 (client) shows:")
        line_1.focus()
        press(lab_page, "x")
        expect(lab_page.exercise("demo-05")).to_have_count(1)
        expect(cells).to_have_count(count)
        press(lab_page, "ArrowDown")  # from "not yet marked" to the next option
        expect(line_1).to_be_focused()
        expect(line_1).to_have_value("no rupture")
        lab_page.exercise("demo-01").get_by_role("radio").first.focus()
        press(lab_page, "m")
        expect(markdown).to_have_count(markdown_count)
