"""The class plans work in the room: each one's blocks run back to back from 0 to 90 minutes,
the practice and reflection sessions carry their privacy talk and what to do when a trainee
discloses something personal, the role-play cards exist at three levels, and the instructor
guide includes every plan."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import guide

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "docs" / "class-plans"
# The plans written to this shape; a new plan joins the list when its blocks add up to 90.
NUMBERS = ["01", "02", "03", "04", "05", "06", "07", "10", "11"]


def _blocks(number: str) -> list[tuple[int, int]]:
    text = (PLANS / f"{number}.md").read_text(encoding="utf-8")
    return [(int(a), int(b)) for a, b in re.findall(r"^\| (\d+)–(\d+) min \|", text, re.M)]


@pytest.mark.parametrize("number", NUMBERS)
def test_the_blocks_run_back_to_back_for_90_minutes(number):
    blocks = _blocks(number)
    assert blocks, f"class plan {number}: no timings table ('| 0–10 min | ... |')"
    assert blocks[0][0] == 0 and blocks[-1][1] == 90, f"class plan {number}: {blocks}"
    for (_, end), (start, _) in zip(blocks, blocks[1:], strict=False):
        assert start == end, f"class plan {number}: a block ends at {end}, the next starts {start}"
    assert all(b > a for a, b in blocks), f"class plan {number}: an empty block in {blocks}"


@pytest.mark.parametrize("number", NUMBERS)
def test_each_plan_names_its_cacrep_areas_without_invented_numbers(number):
    text = (PLANS / f"{number}.md").read_text(encoding="utf-8")
    line = next((ln for ln in text.splitlines() if "**CACREP areas**" in ln), None)
    assert line, f"class plan {number}: no '**CACREP areas**' line"
    assert not re.search(r"\b\d+\.[A-Z]\.\d+", text), f"class plan {number}: numbered standard"


@pytest.mark.parametrize("number", ["10", "11"])
def test_the_practice_and_reflection_sessions_prepare_for_privacy_and_disclosure(number):
    text = (PLANS / f"{number}.md").read_text(encoding="utf-8")
    assert "## Privacy talk (script" in text, f"class plan {number}: no privacy talk script"
    script = text.split("## Privacy talk", 1)[1].split("\n## ", 1)[0]
    assert "pseudonymous, not anonymous" in script
    assert "## When a trainee discloses something personal" in text


def test_the_practice_session_gives_the_instructor_the_supervisor_role():
    text = (PLANS / "10.md").read_text(encoding="utf-8")
    assert "## The observer rubric" in text and "## Grading rubric" in text
    rows = re.findall(r"^\| (Safety|Care|Understanding|Focus|Repair) \|", text, re.M)
    assert rows == ["Safety", "Care", "Understanding", "Focus", "Repair"]
    # Every trainee plays the counselor: three rounds rotate the roles of a group of three.
    assert len(re.findall(r"\*\*Round \d\.\*\*", text)) == 3


def test_notebook_10_keeps_the_supervisor_in_deliberate_practice():
    cells = json.loads((ROOT / "notebooks" / "10-reflect-and-share.ipynb").read_text("utf-8"))
    prose = " ".join("".join(c["source"]) for c in cells["cells"] if c["cell_type"] == "markdown")
    prose = " ".join(prose.replace("*", "").split())
    assert "under the guidance of a supervisor" in prose
    assert "observer rubric" in prose


@pytest.mark.parametrize("level", ["beginner", "intermediate", "advanced"])
def test_printable_client_cards_exist_at_each_level(level):
    text = (PLANS / "cards" / f"{level}.md").read_text(encoding="utf-8")
    cards = re.findall(r"^## Card ", text, re.M)
    assert len(cards) >= 3, f"{level}.md: {len(cards)} cards"
    for field in ("**Setting (counselor may read):**", "**Opening line:**", "**Strain to bring"):
        assert text.count(field) == len(cards), f"{level}.md: a card lacks {field}"


def test_the_instructor_guide_includes_the_plans_for_10_and_11():
    built = guide.build_guide(ROOT)
    for number in ("10", "11"):
        assert f"add `docs/class-plans/{number}.md`" not in built
    section_10 = built.split("### 10 ", 1)[1].split("\n### ", 1)[0]
    assert "The observer rubric" in section_10 and "Privacy talk (script" in section_10
    section_11 = built.split("### 11 ", 1)[1].split("\n### ", 1)[0]
    assert "Privacy talk (script" in section_11
