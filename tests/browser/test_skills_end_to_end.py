"""The skills snapshot from end to end, in JupyterLab: take form A, take form B, share, collect,
chart.

A trainee with a private folder of their own takes the skills snapshot in notebook 00 by typing
a reply to each client moment and finishing it, takes the end-of-course snapshot in notebook 10
(the other form, by counterbalancing), ticks the box to share their skills scores and shares a
reflection with a class code into the drop folder. The instructor collects that folder, with
four other trainees' submissions made by the course's own sharing code, and opens notebook 11:
the paired before/after skills chart must be shown, and it counts five trainees with both
snapshots. Five is the fewest a class view shows, so the chart appears only if this trainee's
pair was counted. No page may show a traceback or a broken widget.

The JupyterLab server is this module's own, so its ``ALLIANCE_HOME``, drop folder and class
table belong to this trainee and this instructor only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SLOW_MS, LabPage, LabServer, open_lab_page, own_lab

CLASS_CODE = "SKL26"
MOMENTS = 8
BEFORE_REPLY = "You should try to calm down, it will be fine."
AFTER_REPLY = "It sounds like this has been really hard for you. What feels most important now?"
# Four other trainees' (before, after) scores: with this trainee's pair, five shared both.
OTHERS = [(12, 20), (14, 18), (10, 22), (16, 15)]
REFLECTION = {
    "session": 3,
    "role": "counselor",
    "ratings": {"safety": 7, "care": 8, "understanding": 6, "focus": 9},
    "checkins": {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 7},
    "text": "",
    "share_text": False,
    "created": "2026-11-20T10:00:00+00:00",
}
RATINGS = (
    "The client could feel safe with the counselor",
    "The counselor's care came across",
    "The counselor tried to understand and mostly did",
    "The session stayed focused on the client",
    "I can notice when the alliance is strained",
    "I can raise a strain with the client and repair it",
    "I can ask a client how the work is going for them",
)


@pytest.fixture(scope="module")
def skills_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A JupyterLab of this module's own, with the coach trained, whose notebook 11 reads the
    collected class table."""
    class_csv = tmp_path_factory.mktemp("skills-class") / "class.csv"
    with own_lab(
        tmp_path_factory, "skills-lab", env={"ALLIANCE_CLASS_DATA": str(class_csv)}, coach=True
    ) as server:
        yield server


def assert_page_is_clean(lab_page: LabPage) -> None:
    assert lab_page.error_outputs() == []
    assert lab_page.widget_errors() == []


def take_snapshot(lab_page: LabPage, reply: str) -> tuple[str, int]:
    """Type a reply to every moment, finish, and return (form letter, score) as shown."""
    task = lab_page.outputs.locator(".alliance-skills")
    expect(task).to_have_count(1)
    for number in range(1, MOMENTS + 1):
        expect(task).to_contain_text(f"Moment {number} of {MOMENTS}")
        task.get_by_label("Your reply").fill(f"{reply} ({number})")
        last = number == MOMENTS
        name = "Finish and see what the coach noticed" if last else "Next moment"
        task.get_by_role("button", name=name).click()
    caption = task.locator("caption")
    expect(caption).to_contain_text(re.compile(r"\(form [A-Z]\)"), timeout=SLOW_MS)
    form = re.search(r"\(form ([A-Z])\)", caption.inner_text()).group(1)
    heading = task.locator("h4").inner_text()
    score = int(re.search(r": (\d+) of 32", heading).group(1))
    expect(task.locator("tbody tr")).to_have_count(MOMENTS)
    expect(task).to_contain_text(f"{reply} ({MOMENTS})")
    return form, score


def share_reflection(lab_page: LabPage) -> None:
    save = lab_page.page.get_by_role("button", name="Save reflection")
    form = lab_page.outputs.locator(".widget-vbox").filter(has=save).first
    form.get_by_role("radio", name="I was the counselor: rating myself").check()
    for label in RATINGS:
        form.get_by_label(label, exact=True).select_option(label="7")
    save.click()
    expect(form).to_contain_text("✓ Saved reflection")
    form.get_by_label(re.compile("Class code")).fill(CLASS_CODE)
    form.get_by_role("button", name=re.compile("Share with instructor")).click()
    expect(form).to_contain_text("is in your class's drop folder")


def other_trainees_share(base: Path, dropbox: Path) -> None:
    """Four other trainees, each with a private folder, share both snapshot scores."""
    from helpers import skills
    from helpers.share.build import build_submission
    from helpers.share.write import write_submission
    from helpers.store import Store, pseudonym

    for number, (before, after) in enumerate(OTHERS):
        home = base / f"trainee-{number}"
        home.mkdir(parents=True, mode=0o700)
        pseudonym(home)
        store = Store(home / "alliance.sqlite3")
        first, second = ("A", "B") if number % 2 else ("B", "A")  # counterbalanced
        skills.save_finished(store, "before", first, before)
        skills.save_finished(store, "after", second, after)
        skills.set_share_consent(store, True)
        write_submission(build_submission(REFLECTION, store=store, cohort=CLASS_CODE), dropbox)


def test_skills_snapshot_taken_twice_shared_collected_and_charted(
    browser_context: Any, skills_lab: LabServer
) -> None:
    lab = skills_lab
    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook("00-start-here.ipynb")
        lab_page.run_all()
        assert_page_is_clean(lab_page)
        first_form, before_score = take_snapshot(lab_page, BEFORE_REPLY)
        assert_page_is_clean(lab_page)

    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook("10-reflect-and-share.ipynb")
        lab_page.run_all()
        assert_page_is_clean(lab_page)
        second_form, after_score = take_snapshot(lab_page, AFTER_REPLY)
        assert {first_form, second_form} == {"A", "B"}, "the end of the course uses the other form"
        task = lab_page.outputs.locator(".alliance-skills")
        task.get_by_role("checkbox", name=re.compile("Share my skills scores")).check()
        expect(task).to_contain_text("Your scores go with the next reflection you share")
        share_reflection(lab_page)
        assert_page_is_clean(lab_page)

    shared = [json.loads(p.read_text("utf-8")) for p in lab.dropbox.glob("*.json")]
    assert len(shared) == 1, "one reflection shared from the page"
    assert shared[0]["skills"] == {
        "before": {"form": first_form, "score": before_score},
        "after": {"form": second_form, "score": after_score},
    }
    assert BEFORE_REPLY not in json.dumps(shared[0]), "the replies themselves never leave"

    other_trainees_share(lab.base / "others", lab.dropbox)
    class_csv = Path(lab.env["ALLIANCE_CLASS_DATA"])
    collected = subprocess.run(
        [str(Path(sys.executable).parent / "alliance"), "collect", str(lab.dropbox)]
        + ["-o", str(class_csv), "--cohort", CLASS_CODE],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    assert "5 files, 5 accepted, 0 rejected" in collected.stdout

    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook("11-class-reflections.ipynb")
        lab_page.run_all()
        assert_page_is_clean(lab_page)
        chart = lab_page.outputs.filter(has_text="who shared both snapshots").first
        expect(chart).to_contain_text("Across 5 trainees who shared both snapshots")
        expect(chart).to_contain_text("Class data from class.csv")
        image = chart.locator("img")
        expect(image).to_have_count(1)
        expect(image).to_have_attribute("alt", re.compile("before the course .* after it"))
        assert image.evaluate("img => img.naturalWidth > 0"), "the chart image did not load"
