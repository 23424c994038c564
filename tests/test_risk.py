"""Risk within the alliance: the bank asks about suicide where a cue calls for it, the legal lines
say who receives a report, and notebook 08 shows the crisis lines through the helper."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from helpers.bank import best_path as shared_best_path
from helpers.bank import load_bank

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "08-work-with-risk.ipynb"
ASKS_ABOUT_SUICIDE = re.compile(r"suicide|killing (your|him|her)sel|ending (your|their) life", re.I)


@pytest.fixture(scope="module")
def bank():
    loaded = load_bank()
    assert not loaded.problems, "the vignette bank has problems: run 'alliance validate'"
    return loaded


def best_path(vignette) -> list[dict]:
    """The choices of the best path, start to ending."""
    return [choice for _, choice in shared_best_path(vignette.exercise) if choice is not None]


def test_the_risk_topic_has_twelve_vignettes_of_every_kind_and_level(bank):
    risk = bank.by_topic("risk")
    assert len(risk) >= 12
    assert set(Counter(v.kind for v in risk)) == {"choose", "rate", "practice", "dialogue", "spot"}
    assert {v.difficulty for v in risk} == {"beginner", "intermediate", "advanced"}


def test_two_dialogues_ask_directly_on_the_best_path_and_keep_the_bond(bank):
    asking = []
    for vignette in bank.by_topic("risk"):
        if vignette.kind != "dialogue":
            continue
        path = best_path(vignette)
        bond = sum(choice.get("effect", {}).get("bond", 0) for choice in path)
        if any(ASKS_ABOUT_SUICIDE.search(c["text"]) for c in path) and bond > 0:
            asking.append(vignette.id)
    assert len(asking) >= 2, asking


def test_two_practice_rubrics_check_for_a_direct_question_about_suicide(bank):
    rubrics = [
        v.id
        for v in bank.by_topic("risk")
        if v.kind == "practice" and any("suicide" in line for line in v.exercise["rubric"])
    ]
    assert len(rubrics) >= 2, rubrics


def test_a_repair_after_a_mandated_report_is_practised(bank):
    repairs = [
        v
        for v in bank.by_topic("risk")
        if "rupture-repair" in v.guidelines
        and "child protective services" in " ".join(v.context.split())
    ]
    assert repairs, "no rupture-repair vignette follows a report to child protective services"


@pytest.mark.parametrize("vignette_id", ["care-05", "alliance-06"])
def test_revised_dialogues_ask_about_suicide_on_their_best_path(bank, vignette_id):
    path = best_path(bank.get(vignette_id))
    assert any(ASKS_ABOUT_SUICIDE.search(choice["text"]) for choice in path)


@pytest.mark.parametrize("vignette_id", ["care-07", "safety-02"])
def test_revised_practice_rubrics_notice_the_risk_cue(bank, vignette_id):
    rubric = " ".join(bank.get(vignette_id).exercise["rubric"])
    assert re.search(r"suicide|hurting herself", rubric), rubric


def test_safety_02_calls_reporting_abuse_a_legal_duty_to_an_agency(bank):
    vignette = bank.get("safety-02")
    text = vignette.context + json.dumps(vignette.exercise)
    assert "legal duty" in " ".join(vignette.context.split())
    assert "child protective services" in text and "police" in text
    assert "school's rules" not in text


def test_notebook_08_shows_the_crisis_lines_through_the_helper():
    cells = json.loads(NOTEBOOK.read_text("utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert "show_crisis_resources()" in code
    prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert re.search(r"suicid", prose, re.I)
    assert "check your own state's or country's law" in prose


def test_suicide_is_taught_in_the_notebook_vignettes_and_instructor_guide():
    for path in (NOTEBOOK, ROOT / "data/vignettes/risk.yaml", ROOT / "docs/instructor-guide.md"):
        assert re.search(r"suicid", path.read_text("utf-8"), re.I), path
