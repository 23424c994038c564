"""Each notebook states its objectives as skills a trainee can show, each with a mastery
criterion, and a time to complete that follows the course's one formula (docs/authoring.md):

    minutes = words / 120 + 5 × exercises + 2 × other activities

where *words* counts the Markdown a trainee reads (not the reference list), an *exercise* is a
``show_vignette(...)`` cell and an *other activity* is any other code cell that calls something
(a chart, a form, the progress list). The stated time may differ from the formula by 10 minutes
or 20 %, whichever is larger, so a short added note does not force a new estimate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_curriculum import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
# Every numbered notebook is written to this frame (the course's one list).
WORDS_PER_MINUTE = 120
MINUTES_PER_EXERCISE = 5
MINUTES_PER_ACTIVITY = 2
# Verbs that name knowledge rather than a skill a trainee can show.
KNOWLEDGE_VERBS = {
    "understand",
    "know",
    "learn",
    "appreciate",
    "be",
    "become",
    "describe",
    "list",
    "name",
    "recall",
    "define",
    "state",
}


def _cells(name: str) -> list[dict]:
    path = ROOT / "notebooks" / f"{name}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def estimated_minutes(cells: list[dict]) -> float:
    words = exercises = activities = 0
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            if not text.lstrip().startswith("## References"):
                words += len(text.split())
        elif "show_vignette(" in text:
            exercises += 1
        elif any(
            "(" in line and not line.startswith(("from ", "import ")) for line in text.splitlines()
        ):
            activities += 1
    return (
        words / WORDS_PER_MINUTE
        + MINUTES_PER_EXERCISE * exercises
        + MINUTES_PER_ACTIVITY * activities
    )


def stated_minutes(cells: list[dict]) -> int:
    opening = _source(cells[0])
    found = re.search(r"\*\*Time to complete:\*\* about (\d+) minutes", opening)
    assert found, "the opening cell needs '**Time to complete:** about N minutes'"
    return int(found.group(1))


def objectives(cells: list[dict]) -> list[str]:
    opening = _source(cells[0])
    block = re.search(r"\*\*What you'll learn\*\*[^\n]*\n((?:- .*\n?)+)", opening)
    assert block, "the opening cell needs a '**What you'll learn**' list"
    return [line[2:].strip() for line in block.group(1).splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_objectives_are_skills_with_a_mastery_criterion(name):
    skills = objectives(_cells(name))
    assert 3 <= len(skills) <= 5, f"{name}: {len(skills)} objectives, the frame asks for 3 to 5"
    for skill in skills:
        assert "*Mastery:*" in skill, f"{name}: no '*Mastery:*' criterion in: {skill}"
        skill_part, criterion = skill.split("*Mastery:*", 1)
        verb = skill_part.split()[0].lower()
        assert verb not in KNOWLEDGE_VERBS, (
            f"{name}: '{skill_part.strip()}' names knowledge; start with a skill the trainee can "
            "show (identify, respond, rate, explain to a client ...)"
        )
        assert len(criterion.split()) >= 6, f"{name}: say how mastery is shown: {skill}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_stated_time_follows_the_formula(name):
    cells = _cells(name)
    estimate = estimated_minutes(cells)
    stated = stated_minutes(cells)
    tolerance = max(10, 0.2 * estimate)
    assert abs(stated - estimate) <= tolerance, (
        f"{name}: states about {stated} minutes, the formula in docs/authoring.md gives "
        f"{estimate:.0f}; state about {5 * round(estimate / 5)} minutes"
    )


def test_the_formula_counts_reading_exercises_and_activities():
    cells = [
        {"cell_type": "markdown", "source": ["word " * 240]},
        {"cell_type": "markdown", "source": ["## References\n", "ignored " * 500]},
        {"cell_type": "code", "source": ["from helpers import show_vignette"]},
        {"cell_type": "code", "source": ['show_vignette("care-04")']},
        {"cell_type": "code", "source": ["show_progress('care')"]},
        {"cell_type": "code", "source": ["CLASS_DATA = None"]},
    ]
    assert estimated_minutes(cells) == pytest.approx(240 / 120 + 5 + 2)


def test_the_formula_is_the_one_the_authoring_guide_states():
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    formula = (
        f"words ÷ {WORDS_PER_MINUTE} + {MINUTES_PER_EXERCISE} × exercises + "
        f"{MINUTES_PER_ACTIVITY} × other activities"
    )
    assert formula in guide, f"docs/authoring.md should state the time formula: {formula}"
