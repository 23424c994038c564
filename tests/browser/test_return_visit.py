"""A return visit in JupyterLab, and privacy rule P4: nothing typed or chosen is saved in a file
of the course folder.

The trainee answers every exercise kind and fills in the notebook-10 reflection form (a comment
with an e-mail address and a phone number, a class code), saves, waits past an autosave (every
2 seconds in these tests), restarts the kernel, reloads the page and runs the notebook again.
Every exercise must say it has stopped after the restart (never a silent dead control), show its
"run this cell" line after the reload (never "model not found"), come back alive with the saved
answers after Run All, and no file under the course folder may hold a typed or chosen value.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import (
    AUTOSAVE_SECONDS,
    CURRENT,
    SLOW_MS,
    LabPage,
    LabServer,
    open_lab_page,
)

# What the trainee types: words found nowhere in the course.
RESPONSE = "Quokkaphrase: it sounds lonely to keep smiling for everyone."
EDITED = RESPONSE + " Quokkaedit: and tiring."  # typed after the check, with no button pressed
COMMENT = (
    "Quokkacomment: naming the strain helped. Mail me at quokka.trainee@example.org "
    "or call +44 20 7946 0958."
)
CLASS_CODE = "QKA27"
TYPED = [
    "Quokkaedit",
    RESPONSE,
    "Quokkaphrase",
    COMMENT,
    "Quokkacomment",
    "quokka.trainee@example.org",
    "7946 0958",
    CLASS_CODE,
]
# What the trainee chooses: option texts that are in the course's files already (the test
# vignettes, the notebooks' prose), so these must not appear MORE often after the visit.
CHOSEN = [
    "Don't worry, I was running late myself this morning.",
    "Thank you for telling me",
    "withdrawal",
    "confrontation",
    "I was the client: rating my partner",
    "too hard",
]
WIDGET_TRACES = [
    "application/vnd.jupyter.widget-state+json",
    "application/vnd.jupyter.widget-view+json",
]


def course_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def occurrences(root: Path, values: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(values, 0)
    for path in course_files(root):
        text = path.read_bytes().decode("utf-8", "replace")
        text = text.replace("\\u2019", "’")
        for value in values:
            counts[value] += text.count(value) + text.count(value.replace("'", "\\u0027"))
    return counts


def feedback(exercise: Any) -> Any:
    return exercise.locator("[role=status]").first


def answer_every_kind(lab_page: LabPage) -> None:
    choose = lab_page.exercise("demo-01")
    choose.get_by_role("radio", name=re.compile(r"^c\)")).check()
    choose.get_by_role("button", name="Check my answer").click()
    expect(feedback(choose)).to_contain_text("(attempt 1)")

    rate = lab_page.exercise("demo-02")
    for label, value in (
        ("Safety", "3"),
        ("Genuine care", "4"),
        ("Understanding", "2"),
        ("Focus", "1"),
    ):
        rate.get_by_label(re.compile(f"^{label}")).select_option(label=value)
    rate.get_by_role("button", name="Compare with the reference").click()
    expect(feedback(rate)).to_contain_text("of 4 of your ratings")

    practice = lab_page.exercise("demo-03")
    practice.get_by_label("Your response:").fill(RESPONSE)
    practice.get_by_role("button", name="Check against the rubric").click()
    practice.get_by_role("checkbox", name="I did this: Names a feeling").check()
    expect(feedback(practice)).to_contain_text("You ticked 1 of 2 rubric checks")
    practice.get_by_label("Your response:").fill(EDITED)
    expect(practice).to_contain_text("✓ Saved in your private folder.")
    practice.get_by_label("How hard was this?").select_option(label="too hard")

    dialogue = lab_page.exercise("demo-04")
    dialogue.get_by_role("button", name=re.compile(r"Say 1: Thank you for telling me")).click()
    expect(dialogue).to_contain_text("Bond 7/10")

    spot = lab_page.exercise("demo-05")
    spot.get_by_label("Line 1 (client) shows:").select_option(label="confrontation")
    spot.get_by_label("Line 3 (client) shows:").select_option(label="withdrawal")
    spot.get_by_role("button", name="Check my marks").click()
    expect(feedback(spot)).to_contain_text("lines right.")


def fill_reflection(lab_page: LabPage) -> None:
    save = lab_page.page.get_by_role("button", name="Save reflection")
    form = lab_page.outputs.locator(".widget-vbox").filter(has=save).first
    form.get_by_role("radio", name="I was the client: rating my partner").check()
    for label in (
        "The client could feel safe with the counselor",
        "The counselor's care came across",
        "The counselor tried to understand and mostly did",
        "The session stayed focused on the client",
        "I can notice when the alliance is strained",
        "I can raise a strain with the client and repair it",
        "I can ask a client how the work is going for them",
    ):
        form.get_by_label(label, exact=True).select_option(label="3")
    form.get_by_label("My comment (optional)").fill(COMMENT)
    form.get_by_role("checkbox", name=re.compile("Share my written comment")).check()
    save.click()
    expect(form).to_contain_text("✓ Saved reflection")
    form.get_by_label(re.compile("Class code")).fill(CLASS_CODE)
    form.get_by_role("button", name=re.compile("Share with instructor")).click()
    expect(form).to_contain_text("drop folder")


def wait_past_autosave(lab_page: LabPage) -> None:
    """Let JupyterLab's autosave run (twice its interval), then save as a trainee would."""
    time.sleep(2 * AUTOSAVE_SECONDS + 0.5)
    lab_page.save()


def test_return_visit_keeps_exercises_alive_and_saves_nothing_typed(
    browser_context: Any, lab: LabServer, exercise_notebook: Any
) -> None:
    chosen_before = occurrences(lab.root, CHOSEN)
    path = exercise_notebook("return-visit", "demo-01", "demo-02", "demo-03", "demo-04", "demo-05")
    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook(path)
        lab_page.run_all()
        answer_every_kind(lab_page)
        wait_past_autosave(lab_page)

        lab_page.menu("Kernel", "Restart Kernel…")
        lab_page.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
        stopped = lab_page.page.locator(f"{CURRENT} .alliance-stopped")
        expect(stopped.first).to_be_visible(timeout=SLOW_MS)
        expect(stopped.filter(visible=True)).to_have_count(5)
        expect(stopped.first).to_contain_text("This exercise has stopped")
        lab_page.wait_kernel_idle()

        lab_page.open_notebook(path)  # the page reloaded: what the saved file shows
        assert lab_page.widget_errors() == []
        expect(
            lab_page.outputs.filter(has_text="Run this cell (or Run ▸ Run All Cells)")
        ).to_have_count(5)
        lab_page.run_all()
        assert lab_page.error_outputs() == [] and lab_page.widget_errors() == []

        choose = lab_page.exercise("demo-01")
        expect(choose).to_contain_text("You answered this before")
        expect(choose.get_by_role("radio", name=re.compile(r"^c\)"))).to_be_checked()
        choose.get_by_role("radio", name=re.compile(r"^b\)")).check()
        choose.get_by_role("button", name="Check my answer").click()
        expect(feedback(choose)).to_contain_text("✓ Best response (attempt 2)")
        rate = lab_page.exercise("demo-02")
        expect(rate.get_by_label(re.compile("^Safety"))).to_have_value("3")
        practice = lab_page.exercise("demo-03")
        expect(practice.get_by_label("Your response:")).to_have_value(EDITED)
        expect(practice.get_by_label("How hard was this?")).to_have_value("too hard")
        spot = lab_page.exercise("demo-05")
        expect(spot.get_by_label("Line 3 (client) shows:")).to_have_value("withdrawal")
        dialogue = lab_page.exercise("demo-04")
        dialogue.get_by_role("button", name=re.compile(r"Say 1:")).first.click()
        expect(dialogue).to_contain_text("The conversation so far")
        wait_past_autosave(lab_page)

    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook("10-reflect-and-share.ipynb")
        lab_page.run_all()
        fill_reflection(lab_page)
        wait_past_autosave(lab_page)

    found = {value: n for value, n in occurrences(lab.root, TYPED).items() if n}
    assert found == {}, f"typed values were saved in the course folder: {found}"
    chosen_after = occurrences(lab.root, CHOSEN)
    grew = {
        v: (chosen_before[v], chosen_after[v]) for v in CHOSEN if chosen_after[v] > chosen_before[v]
    }
    assert grew == {}, f"chosen values were saved in the course folder (before, after): {grew}"
    traces = {v: n for v, n in occurrences(lab.root, WIDGET_TRACES).items() if n}
    assert traces == {}, f"saved notebooks hold widgets: {traces}"
