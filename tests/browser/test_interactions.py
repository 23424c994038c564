"""Clicking through the exercises in JupyterLab, as a trainee does, and reading what they show.

The exercises use the test vignettes (tests/fixtures/vignettes/examples.yaml), so these tests do
not change when the course's own vignettes are edited: demo-01 choose, demo-02 rate,
demo-03 practice, demo-04 dialogue, demo-05 spot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    FIGURES,
    SLOW_MS,
    LabPage,
    LabServer,
    open_lab_page,
    serious,
)

LATENCY_SAMPLES = 20


def feedback(exercise: Any) -> Any:
    """The exercise's live feedback region (announced by screen readers when it changes)."""
    return exercise.locator("[role=status]").first


def expect_row(table: Any, guideline: str, mine: str, reference: str, gap: str) -> None:
    """One row of the rate exercise's comparison table: your rating, the reference, the gap."""
    row = table.locator("tbody tr").filter(has=table.page.locator("th", has_text=guideline))
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(mine)
    expect(cells.nth(1)).to_have_text(reference)
    expect(cells.nth(2)).to_have_text(gap)


def open_and_run(lab_page: LabPage, path: str) -> None:
    lab_page.open_notebook(path)
    lab_page.run_all()
    assert lab_page.error_outputs() == []


@pytest.fixture(scope="module")
def exercises(browser_context: Any, lab: LabServer, exercise_notebook: Any) -> Iterator[LabPage]:
    """One page with one exercise of each kind, run once; each test uses its own exercise."""
    path = exercise_notebook("clicks", "demo-01", "demo-02", "demo-03", "demo-04", "demo-05")
    with open_lab_page(browser_context, lab) as lab_page:
        open_and_run(lab_page, path)
        yield lab_page


def test_choose_wrong_then_best_answer(exercises: LabPage) -> None:
    exercise = exercises.exercise("demo-01")
    check = exercise.get_by_role("button", name="Check my answer")

    check.click()
    expect(feedback(exercise)).to_contain_text("Choose one of the responses first")

    exercise.get_by_role("radio", name=re.compile(r"^a\)")).check()
    check.click()
    expect(feedback(exercise)).to_contain_text("✗ Not the best response (attempt 1)")
    expect(feedback(exercise)).to_contain_text("puts the schedule before Mei")
    expect(feedback(exercise)).to_contain_text("Try another response")

    expect(exercise).not_to_contain_text("is the best response:")  # not after a wrong try
    exercise.get_by_role("radio", name=re.compile(r"^b\)")).check()
    check.click()
    expect(feedback(exercise)).to_contain_text("✓ Best response (attempt 2)")
    expect(feedback(exercise)).to_contain_text("notice the struggle behind the apology")
    expect(exercise).to_contain_text("Why b) is the best response")


def test_rate_then_compare_with_reference(exercises: LabPage) -> None:
    exercise = exercises.exercise("demo-02")
    compare = exercise.get_by_role("button", name="Compare with the reference")

    exercise.get_by_label(re.compile(r"^Safety")).select_option(label="6")
    compare.click()
    expect(feedback(exercise)).to_contain_text("Rate all four guidelines first")
    expect(feedback(exercise)).to_contain_text("Genuine care")

    exercise.get_by_label(re.compile(r"^Genuine care")).select_option(label="7")
    exercise.get_by_label(re.compile(r"^Understanding")).select_option(label="9")
    exercise.get_by_label(re.compile(r"^Focus")).select_option(label="9")
    compare.click()
    table = feedback(exercise).locator("table")
    expect_row(table, "Safety", "6", "8", "-2 below")
    expect_row(table, "Genuine care", "7", "7", "0 (same)")
    expect_row(table, "Understanding", "9", "7", "+2 above")
    expect_row(table, "Focus", "9", "9", "0 (same)")
    expect(feedback(exercise)).to_contain_text("2 of 4 of your ratings are within 1 point")


def test_practice_response_rubric_and_examples(exercises: LabPage) -> None:
    exercise = exercises.exercise("demo-03")
    check = exercise.get_by_role("button", name="Check against the rubric")

    check.click()
    expect(feedback(exercise)).to_contain_text("Write your own response in the box first")

    exercise.get_by_label("Your response:").fill("It sounds tiring to keep smiling for others.")
    check.click()
    expect(feedback(exercise)).to_contain_text("You ticked 0 of 2 rubric checks")
    exercise.get_by_role("checkbox", name="I did this: Names a feeling").check()
    expect(feedback(exercise)).to_contain_text("You ticked 1 of 2 rubric checks")

    exercise.get_by_role("button", name="Show example responses").click()
    expect(exercise).to_contain_text("It sounds exhausting to be told to smile through this.")
    expect(exercise).to_contain_text("Names the feeling and stays with her experience.")

    exercise.get_by_label("How hard was this?").select_option(label="too easy")
    expect(exercise).to_contain_text("Next: Reflecting mixed feelings (intermediate)")
    expect(exercise).not_to_contain_text("show_vignette")
    exercise.get_by_role("button", name="Try it here").click()
    expect(exercise.locator("h3", has_text="(demo-06)")).to_be_visible()


def test_dialogue_branch_changes_the_alliance(exercises: LabPage) -> None:
    exercise = exercises.exercise("demo-04")
    expect(exercise).to_contain_text("Bond 5/10")
    expect(exercise).to_contain_text("Goals 4/10")

    exercise.get_by_role("button", name=re.compile(r"Say 1: Thank you for telling me")).click()
    expect(feedback(exercise)).to_contain_text("Welcoming the complaint opens a repair")
    expect(exercise).to_contain_text("Bond 7/10 ▲ +2")
    expect(exercise).to_contain_text("Goals 5/10 ▲ +1")
    expect(exercise).to_contain_text("Tasks 4/10 ■ 0")

    exercise.get_by_role("button", name=re.compile(r"Say 1: So we have been working")).click()
    expect(exercise).to_contain_text("Goals 7/10 ▲ +2")
    exercise.get_by_role("button", name=re.compile(r"Say 1: Then let's start there")).click()
    expect(feedback(exercise)).to_contain_text("The conversation has ended.")
    expect(feedback(exercise)).to_contain_text("goals and tasks now match Sam's")
    expect(exercise).to_contain_text("Tasks 7/10 ▲ +2")

    exercise.get_by_role("button", name="Start again").click()
    expect(exercise).to_contain_text("Bond 5/10")
    say_2 = exercise.get_by_role("button", name=re.compile(r"Say 2: It takes time"))
    expect(say_2).to_be_visible()


def test_spot_marks_checked_line_by_line(exercises: LabPage) -> None:
    exercise = exercises.exercise("demo-05")
    expect(exercise.get_by_label("Line 2 (counselor) shows:")).to_have_count(0)
    exercise.get_by_label("Line 1 (client) shows:").select_option(label="confrontation")
    exercise.get_by_label("Line 3 (client) shows:").select_option(label="withdrawal")
    exercise.get_by_role("button", name="Check my marks").click()
    expect(feedback(exercise)).to_contain_text("1 of 2 client lines right.")
    expect(feedback(exercise)).to_contain_text(
        "✗ Line 1: you marked confrontation; this line shows no rupture"
    )
    expect(feedback(exercise)).to_contain_text("✓ Line 3: withdrawal — right.")
    expect(exercise).to_contain_text("Unasked-for advice can feel like judgement")


def test_feedback_passes_axe_wcag_a_aa(exercises: LabPage) -> None:
    """With feedback showing in every kind (tables, lists, verdicts), the outputs still have
    no serious or critical WCAG 2 A/AA violation."""
    choose = exercises.exercise("demo-01")
    choose.get_by_role("radio", name=re.compile(r"^b\)")).check()
    choose.get_by_role("button", name="Check my answer").click()
    rate = exercises.exercise("demo-02")
    for label in ("Safety", "Genuine care", "Understanding", "Focus"):
        rate.get_by_label(re.compile(f"^{label}")).select_option(label="5")
    rate.get_by_role("button", name="Compare with the reference").click()
    practice = exercises.exercise("demo-03")
    # its own box first: an earlier test opened the next practice below it ("Try it here")
    practice.get_by_label("Your response:").first.fill("That sounds lonely.")
    practice.get_by_role("button", name="Check against the rubric").first.click()
    practice.get_by_role("button", name="Show example responses").first.click()
    exercises.exercise("demo-04").get_by_role("button", name=re.compile(r"Say 1:")).click()
    spot = exercises.exercise("demo-05")
    spot.get_by_role("button", name="Check my marks").click()

    expect(feedback(choose)).to_contain_text("Best response")
    expect(feedback(rate)).to_contain_text("of 4 of your ratings")
    expect(feedback(practice)).to_contain_text("Your response is saved")
    expect(exercises.exercise("demo-04")).to_contain_text("The conversation so far")
    expect(feedback(spot)).to_contain_text("client lines right.")
    found = serious(exercises.axe_violations())
    assert found == [], "axe-core violations in exercise feedback:\n" + json.dumps(
        found, indent=2, ensure_ascii=False
    )


def test_answer_still_shown_after_kernel_restart(lab_page: LabPage, exercise_notebook: Any) -> None:
    open_and_run(lab_page, exercise_notebook("restart", "demo-01", "demo-05"))
    exercise = lab_page.exercise("demo-01")
    exercise.get_by_role("radio", name=re.compile(r"^c\)")).check()
    exercise.get_by_role("button", name="Check my answer").click()
    expect(feedback(exercise)).to_contain_text("✗ Not the best response (attempt 1)")
    spot = lab_page.exercise("demo-05")
    spot.get_by_label("Line 1 (client) shows:").select_option(label="no rupture")
    spot.get_by_label("Line 3 (client) shows:").select_option(label="withdrawal")
    spot.get_by_role("button", name="Check my marks").click()
    expect(feedback(spot)).to_contain_text("2 of 2 client lines right.")

    lab_page.menu("Kernel", "Restart Kernel and Run All Cells…")
    lab_page.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    expect(exercise).to_contain_text("You answered this before (attempt 1).", timeout=SLOW_MS)
    lab_page.wait_run_finished()
    expect(feedback(exercise)).to_contain_text("✗ Not the best response (attempt 1)")
    expect(exercise.get_by_role("radio", name=re.compile(r"^c\)"))).to_be_checked()
    expect(spot).to_contain_text("You answered this before (attempt 1).")
    expect(spot.get_by_label("Line 3 (client) shows:")).to_have_value("withdrawal")
    expect(feedback(spot)).to_contain_text("2 of 2 client lines right.")


def test_reflection_shared_to_drop_folder(lab_page: LabPage, lab: LabServer) -> None:
    name = "10-reflect-and-share.ipynb"
    before = set(lab.dropbox.glob("*.json"))
    open_and_run(lab_page, name)
    save = lab_page.page.get_by_role("button", name="Save reflection")
    form = lab_page.outputs.locator(".widget-vbox").filter(has=save).first
    form.get_by_role("radio", name="I was the counselor: rating myself").check()
    form.get_by_role("button", name="Save reflection").click()
    expect(form).to_contain_text("Not saved yet. Please fix this")
    ratings = {
        "The client could feel safe with the counselor": "7",
        "The counselor's care came across": "8",
        "The counselor tried to understand and mostly did": "6",
        "The session stayed focused on the client": "9",
        "I can notice when the alliance is strained": "6",
        "I can raise a strain with the client and repair it": "5",
        "I can ask a client how the work is going for them": "10 (completely)",
    }
    for label, value in ratings.items():
        form.get_by_label(label, exact=True).select_option(label=value)
    form.get_by_label("My comment (optional)").fill("Practised naming a strain.")
    form.get_by_role("button", name="Save reflection").click()
    expect(form).to_contain_text("✓ Saved reflection for session 1 (as counselor).")

    form.get_by_label("Class code from your instructor (needed to share)").fill("FALL26")
    form.get_by_role("button", name="Share with instructor").click()
    expect(form).to_contain_text("is in your class's drop folder")

    written = sorted(set(lab.dropbox.glob("*.json")) - before)
    assert len(written) == 1, f"expected one new file in the drop folder, found {written}"
    submission = json.loads(written[0].read_text("utf-8"))
    assert submission["format"] == "alliance-reflection"
    assert submission["cohort"] == "FALL26"
    assert submission["role"] == "counselor"
    assert submission["ratings"] == {"safety": 7, "care": 8, "understanding": 6, "focus": 9}
    assert submission["checkins"] == {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 10}
    assert "text" not in submission, "the comment was shared without the box being ticked"
    expect(form).to_contain_text(written[0].name)


def test_click_to_feedback_latency(lab_page: LabPage, exercise_notebook: Any) -> None:
    """Every click on "Check my answer" shows that attempt's feedback (and is timed)."""
    open_and_run(lab_page, exercise_notebook("latency", "demo-01"))
    page = lab_page.page
    exercise = lab_page.exercise("demo-01")
    check = exercise.get_by_role("button", name="Check my answer")
    region = exercise.locator(".widget-html").filter(has=page.locator("[role=status]")).first
    samples: list[float] = []
    for attempt in range(1, LATENCY_SAMPLES + 1):
        option = "b" if attempt % 2 else "a"
        exercise.get_by_role("radio", name=re.compile(rf"^{option}\)")).check()
        region.evaluate(
            """(el, expected) => {
                const t = window.__allianceTiming = {start: null, end: null};
                document.addEventListener('click', () => { t.start = performance.now(); },
                                          {capture: true, once: true});
                const seen = new MutationObserver(() => {
                    if (t.start !== null && el.textContent.includes(expected)) {
                        t.end = performance.now();
                        seen.disconnect();
                    }
                });
                seen.observe(el, {subtree: true, childList: true, characterData: true});
            }""",
            f"(attempt {attempt})",
        )
        check.click()
        page.wait_for_function("() => window.__allianceTiming.end !== null", polling="raf")
        timing = page.evaluate("() => window.__allianceTiming")
        samples.append(timing["end"] - timing["start"])
    FIGURES["click_to_feedback_ms"] = samples
    assert len(samples) == LATENCY_SAMPLES
    expect(feedback(exercise)).to_contain_text(
        f"✗ Not the best response (attempt {LATENCY_SAMPLES})"
    )
