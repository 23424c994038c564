"""How many Tab presses it takes a keyboard user to reach each exercise, in both views.

Two walks are counted on the course notebook with the most exercises (it has every kind and
prose with links and headings between them), in the trainee view and in JupyterLab after
Run All:

* **into** an exercise: from the start of its cell (the exercise's box focused, as a screen
  reader's heading jump or a click on its title leaves it; in JupyterLab also from the cell
  selected, as a click on the cell or the arrow keys leave it) to its first control;
* **between** exercises: from one exercise's last control to the next exercise's first control,
  through whatever lies between them: only the course's own content (prose links, another
  activity's controls) may be a stop, never a cell editor, a button JupyterLab adds or a
  decoration.

Only the Tab key moves focus; what receives it on the way is recorded, so a failure says what
is in the way. The limits are the course's promise to keyboard users (docs/accessibility.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OUTPUT, LabServer, open_lab_page
from tests.browser.test_trainee_view import exercises_in, open_page

# The promise (docs/accessibility.md): the first Tab from the start of an exercise's cell
# reaches its first control, and from one exercise's last control the next Tab reaches the
# next exercise's first control, passing nothing but the course's own content between them
# (links in the prose, the controls of another activity such as the coach's practice box).
INTO_LIMIT = 1
BETWEEN_LIMIT = 1  # plus one per stop of course content between the two exercises
MAX_TABS = 80  # stop counting here: something traps or hides focus

CONTROL = "input, select, textarea, button"

# Where focus is now, relative to exercise number ``index``: on one of its controls, on another
# link or control of the course's content (prose or outputs, outside this exercise), or on
# anything else: a cell editor, a button JupyterLab adds, a decoration (described, so a failure
# can say what was in the way).
WHERE = """([selector, index, control]) => {
    const exercises = [...document.querySelectorAll(selector)];
    const exercise = exercises[index];
    const active = document.activeElement;
    if (!active || active === document.body) return {control: false, content: false, what: 'body'};
    const inside = exercise.contains(active) && active !== exercise;
    const content = !inside && active.matches('a[href], ' + control)
        && !active.matches('.jp-collapseHeadingButton')
        && active.closest('.jp-OutputArea-output, .jp-RenderedHTMLCommon') !== null;
    const what = active.tagName.toLowerCase()
        + (active.className && typeof active.className === 'string'
           ? '.' + active.className.trim().split(/\\s+/).slice(0, 2).join('.') : '')
        + (active.textContent ? ' "' + active.textContent.trim().slice(0, 30) + '"' : '');
    return {control: inside && active.matches(control), content, what};
}"""

# Put focus at the start of exercise ``index`` (its box, made focusable for this only), or on
# the last control of exercise ``index`` when ``last`` is true.
FOCUS = """([selector, index, last, control]) => {
    const exercise = document.querySelectorAll(selector)[index];
    if (!last) {
        exercise.setAttribute('tabindex', '-1');
        exercise.focus();
        exercise.addEventListener('blur', () => exercise.removeAttribute('tabindex'),
                                  {once: true});
        return document.activeElement === exercise;
    }
    const shown = [...exercise.querySelectorAll(control)].filter(
        el => el.offsetParent !== null && el.tabIndex >= 0 && !el.disabled);
    const target = shown[shown.length - 1];
    target.focus();
    return document.activeElement === target;
}"""


@dataclass
class Walk:
    """Tab presses to one exercise's first control, and the stops passed on the way."""

    exercise: int  # 1-based, in page order
    tabs: int
    passed: list[str]
    content: int  # how many of the stops passed are course content (links, other controls)


def tabs_to_first_control(page: Any, selector: str, index: int) -> Walk:
    """Press Tab until a control of exercise ``index`` has focus."""
    passed: list[str] = []
    content = 0
    for count in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        where = page.evaluate(WHERE, [selector, index, CONTROL])
        if where["control"]:
            return Walk(index + 1, count, passed, content)
        passed.append(where["what"])
        content += where["content"]
    return Walk(index + 1, MAX_TABS + 1, passed, content)


# JupyterLab only: select the exercise's cell as a click on it or the arrow keys do (command
# mode: the cell itself has focus).
FOCUS_CELL = """([selector, index]) => {
    const cell = document.querySelectorAll(selector)[index].closest('.jp-Cell');
    cell.focus();
    return document.activeElement === cell;
}"""


def walk(page: Any, selector: str, cells: bool = False) -> dict[str, list[Walk]]:
    """The walks into every exercise on the page, and between each one and the next; with
    ``cells`` (JupyterLab) also from each exercise's selected cell."""
    walks: dict[str, list[Walk]] = {"into": [], "between": []}
    if cells:
        walks["from its cell"] = []
    for index in range(page.locator(selector).count()):
        assert page.evaluate(FOCUS, [selector, index, False, CONTROL])
        walks["into"].append(tabs_to_first_control(page, selector, index))
        if index:
            assert page.evaluate(FOCUS, [selector, index - 1, True, CONTROL])
            walks["between"].append(tabs_to_first_control(page, selector, index))
        if cells:
            assert page.evaluate(FOCUS_CELL, [selector, index])
            walks["from its cell"].append(tabs_to_first_control(page, selector, index))
    return walks


def too_many_tabs(walks: dict[str, list[Walk]]) -> list[str]:
    """Each walk over the course's limits, said in words (empty when every walk is within)."""
    found = [
        f"{w.tabs} Tabs from the start of exercise {w.exercise} ({start}) to its first control, "
        f"passing {w.passed}"
        for start in ("into", "from its cell")
        for w in walks.get(start, [])
        if w.tabs > INTO_LIMIT
    ]
    found += [
        f"{w.tabs} Tabs from exercise {w.exercise - 1}'s last control to exercise "
        f"{w.exercise}'s first, passing {w.passed}"
        for w in walks["between"]
        if w.tabs > BETWEEN_LIMIT + w.content
    ]
    return found


def tab_counts(walks: dict[str, list[Walk]]) -> dict[str, list[int]]:
    return {part: [w.tabs for w in found] for part, found in walks.items()}


def notebook_with_most_exercises() -> str:
    from tests.browser.conftest import course_notebooks

    return max(course_notebooks(), key=lambda name: len(exercises_in(name)))


@pytest.fixture(scope="module")
def walks(browser_context: Any, lab: LabServer) -> dict[str, dict[str, list[Walk]]]:
    name = notebook_with_most_exercises()
    found = {}
    page = browser_context.new_page()
    try:
        open_page(page, lab, name, len(exercises_in(name)))
        found["trainee view"] = walk(page, ".alliance-exercise")
    finally:
        page.close(run_before_unload=True)
    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook(name)
        lab_page.run_all()
        found["JupyterLab"] = walk(lab_page.page, f"{OUTPUT} .alliance-exercise", cells=True)
    counts = {view: tab_counts(parts) for view, parts in found.items()}
    print(f"\nTab presses in {name}: {json.dumps(counts)}")
    return found


@pytest.mark.parametrize("view", ["trainee view", "JupyterLab"])
def test_few_tabs_lead_into_and_between_exercises(walks, view):
    assert len(walks[view]["into"]) >= 2, f"{view}: fewer than two exercises found"
    assert too_many_tabs(walks[view]) == [], view


def test_the_limit_is_checked_on_what_focus_passes():
    """A walk that passes a cell editor, or a stop before an exercise's first control, is
    reported; one that passes only course content is not."""
    ok = Walk(2, 3, ['a "notebook 01"', 'button "Ask the coach"'], content=2)
    editor = Walk(2, 2, ["div.cm-content"], content=0)
    inside = Walk(1, 2, ['a "a source"'], content=0)
    assert too_many_tabs({"into": [], "between": [ok]}) == []
    assert len(too_many_tabs({"into": [inside], "between": [editor]})) == 2


def test_arrow_keys_move_between_options_in_the_trainee_view(
    browser_context: Any, lab: LabServer, exercise_notebook: Any
) -> None:
    """As notebook 00 says: the arrow keys move between a choice's options and between the
    answers of "How hard was this?" (JupyterLab: tests/browser/test_keyboard.py)."""
    path = exercise_notebook("arrow-keys", "demo-01", "demo-03")
    page = browser_context.new_page()
    try:
        open_page(page, lab, path, 2)
        choose, practice = (page.locator(".alliance-exercise").nth(i) for i in (0, 1))
        radios = choose.get_by_role("radio")
        radios.first.focus()
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        expect(radios.nth(1)).to_be_checked()
        expect(radios.nth(1)).to_be_focused()
        difficulty = practice.get_by_label("How hard was this?")
        difficulty.focus()
        expect(difficulty.locator("option:checked")).to_have_text("choose…")
        page.keyboard.press("ArrowDown")
        expect(difficulty).to_have_value("too easy")
        expect(practice).to_contain_text("Next:")
    finally:
        page.close(run_before_unload=True)
