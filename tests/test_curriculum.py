"""The course as a whole meets its content bar: enough vignettes of every guideline, kind and
difficulty, every vignette shown in a notebook, and every notebook in the course frame."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from helpers.bank import load_bank

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [
    "00-start-here",
    "01-understand-the-alliance",
    "02-build-safety",
    "03-show-genuine-care",
    "04-seek-understanding",
    "05-keep-the-focus-on-the-client",
    "06-repair-ruptures",
    "07-hold-boundaries",
    "08-work-with-risk",
    "09-work-across-difference",
    "10-reflect-and-share",
    "11-class-reflections",
]
FRAME_LABELS = ("What you'll learn", "Time to complete", "Before you start")
FRAME_HEADINGS = (
    "## Summary",
    "## Check your understanding",
    "## Discussion prompts for class",
    "## What's next",
    "## References",
)
DIFFICULTIES = {"beginner", "intermediate", "advanced"}


@pytest.fixture(scope="module")
def bank():
    loaded = load_bank()
    assert not loaded.problems, "the vignette bank has problems: run 'alliance validate'"
    return loaded


def _cells(name: str) -> list[dict]:
    path = ROOT / "notebooks" / f"{name}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _shown_ids() -> set[str]:
    shown = set()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                shown.update(re.findall(r"""show_vignette\(\s*["']([a-z]+-\d{2})["']""", source))
    return shown


def test_the_bank_has_at_least_45_vignettes(bank):
    assert len(bank.vignettes) >= 45, f"only {len(bank.vignettes)} vignettes in the bank"


@pytest.mark.parametrize("guideline", ["safety", "care", "understanding", "focus"])
def test_each_core_guideline_has_six_vignettes_at_every_difficulty(bank, guideline):
    tagged = [v for v in bank.vignettes.values() if guideline in v.guidelines]
    assert len(tagged) >= 6, f"{guideline}: {len(tagged)} vignettes, need at least 6"
    missing = DIFFICULTIES - {v.difficulty for v in tagged}
    assert not missing, f"{guideline}: no {', '.join(sorted(missing))} vignette"


@pytest.mark.parametrize(("guideline", "minimum"), [("rupture-repair", 6), ("boundaries", 4)])
def test_repair_and_boundaries_are_covered(bank, guideline, minimum):
    tagged = [v for v in bank.vignettes.values() if guideline in v.guidelines]
    assert len(tagged) >= minimum, f"{guideline}: {len(tagged)} vignettes, need {minimum}"


def test_every_exercise_kind_is_used_at_least_three_times(bank):
    kinds = Counter(v.kind for v in bank.vignettes.values())
    for kind in ("choose", "rate", "practice", "dialogue", "spot"):
        assert kinds[kind] >= 3, f"only {kinds[kind]} '{kind}' vignettes: {dict(kinds)}"


def test_every_vignette_is_shown_in_some_notebook(bank):
    unshown = sorted(set(bank.vignettes) - _shown_ids())
    assert not unshown, f"not shown in any notebook: {', '.join(unshown)}"


def test_notebooks_show_only_vignettes_that_exist(bank):
    unknown = sorted(_shown_ids() - set(bank.vignettes))
    assert not unknown, f"notebooks show vignettes missing from the bank: {', '.join(unknown)}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_has_the_course_frame(name):
    path = ROOT / "notebooks" / f"{name}.ipynb"
    assert path.exists(), f"notebooks/{name}.ipynb does not exist yet"
    markdown = "\n".join(
        "".join(cell["source"]) for cell in _cells(name) if cell["cell_type"] == "markdown"
    )
    titles = re.findall(r"^# .+$", markdown, flags=re.MULTILINE)
    assert len(titles) == 1, f"{name}: needs exactly one '#' title, found {len(titles)}"
    for label in FRAME_LABELS:
        assert label in markdown, f"{name}: missing '{label}' in the opening"
    headings = set(re.findall(r"^(## .+?)\s*$", markdown, flags=re.MULTILINE))
    missing = [h for h in FRAME_HEADINGS if h not in headings]
    assert not missing, f"{name}: missing frame headings {missing}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_headings_never_skip_a_level(name):
    path = ROOT / "notebooks" / f"{name}.ipynb"
    assert path.exists(), f"notebooks/{name}.ipynb does not exist yet"
    previous = 0
    for cell in _cells(name):
        if cell["cell_type"] != "markdown":
            continue
        for hashes in re.findall(r"^(#{1,6}) ", "".join(cell["source"]), flags=re.MULTILINE):
            level = len(hashes)
            assert level <= previous + 1, f"{name}: a level-{level} heading follows {previous}"
            previous = level
