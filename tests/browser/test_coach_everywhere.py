"""The response coach answers in every practice exercise of the course, in JupyterLab.

The practice exercises are found when the test runs: every ``show_vignette("…")`` cell of every
course notebook whose vignette is a *practice* exercise in the bank, so exercises added later are
covered without editing this file. One page per notebook: Run All, then in each of its practice
exercises type a reply, press Check, read the coach's labels next to the rubric, and save a
correction with "The coach got this wrong"; the corrections are then read back from the
trainee's private store.

The coach's model is trained once before the pages open, into the session's ``ALLIANCE_HOME``,
as it is on a trainee's computer after the coach's first use.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, SLOW_MS, LabServer, open_lab_page, own_lab

SHOW_VIGNETTE = re.compile(r"""show_vignette\(\s*["']([a-z]+-\d{2})["']""")
REPLY = "It sounds like you're worn out by all of this. What would help most right now?"


def practice_exercises() -> dict[str, list[str]]:
    """For each course notebook with practice exercises, their vignette ids in page order."""
    from helpers.bank import load_bank

    bank = load_bank()
    practice = {vid for vid in bank.ids() if bank.get(vid).kind == "practice"}
    found: dict[str, list[str]] = {}
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        ids = [
            vid
            for cell in cells
            if cell["cell_type"] == "code"
            for vid in SHOW_VIGNETTE.findall("".join(cell["source"]))
            if vid in practice
        ]
        if ids:
            found[path.name] = list(dict.fromkeys(ids))
    return found


PRACTICE = practice_exercises()


def test_the_course_has_practice_exercises_to_check():
    assert sum(len(ids) for ids in PRACTICE.values()) >= 10


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A JupyterLab of this module's own, with the coach trained: its Run All of every practice
    notebook leaves kernels and answers behind that the session's server must not start with."""
    with own_lab(tmp_path_factory, "coach-lab", coach=True) as server:
        yield server


def saved_corrections(lab: LabServer) -> list[dict[str, Any]]:
    """What the trainee's private store holds in ``coach_corrections``, read in a fresh process."""
    code = (
        "import json\n"
        "from helpers.coach.corrections import corrections\n"
        "from helpers.store import get_store\n"
        "print(json.dumps(corrections(get_store())))"
    )
    env = {**os.environ, "ALLIANCE_HOME": str(lab.alliance_home)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("notebook", sorted(PRACTICE), ids=lambda name: name[:2])
def test_the_coach_reads_and_takes_corrections_in_every_practice_exercise(
    notebook: str, browser_context: Any, lab: LabServer
) -> None:
    vignettes = PRACTICE[notebook]
    before = len(saved_corrections(lab))
    with open_lab_page(browser_context, lab) as lab_page:
        lab_page.open_notebook(notebook)
        lab_page.run_all()
        assert lab_page.error_outputs() == []
        for vignette_id in vignettes:
            exercise = lab_page.exercise(vignette_id).first
            exercise.scroll_into_view_if_needed()
            exercise.get_by_label("Your response:").first.fill(REPLY)
            exercise.get_by_role("button", name="Check against the rubric").first.click()
            # the rubric and, next to it, the coach's reading with its labels and cue words
            expect(exercise).to_contain_text("rubric checks", timeout=SLOW_MS)
            reading = exercise.locator("[role=status]", has_text="What the response coach read")
            expect(reading).to_contain_text("Reflection", timeout=SLOW_MS)
            expect(reading).to_contain_text("Open question")
            expect(reading).to_contain_text("cue words")
            expect(reading).to_contain_text("not a grade")
            expect(reading.locator("mark").first).to_be_visible()

            exercise.get_by_role("button", name="The coach got this wrong").click()
            repair = exercise.get_by_role("checkbox", name="Repair", exact=True)
            expect(repair).not_to_be_checked()
            repair.check()
            exercise.get_by_role("button", name="Save my correction").click()
            expect(exercise).to_contain_text("Saved in your private store")
        assert lab_page.widget_errors() == []

    saved = saved_corrections(lab)[before:]
    assert [row["vignette_id"] for row in saved] == vignettes
    for row in saved:
        assert row["response"] == REPLY
        assert {"reflection", "open_question"} <= set(row["coach_labels"])
        assert "repair" not in row["coach_labels"]
        assert set(row["trainee_labels"]) == {*row["coach_labels"], "repair"}
