"""The bank gives enough practice at every level: at least three *choose* and three *practice*
vignettes per guideline per difficulty level, and goal and task vignettes make up at least 40 %
of the bank (the largest associations with outcome are for collaboration and goal consensus).

A vignette counts for every guideline in its ``guidelines`` list."""

from __future__ import annotations

from collections import Counter

import pytest

from helpers.bank import load_bank

GUIDELINES = ("safety", "care", "understanding", "focus", "rupture-repair", "boundaries")
LEVELS = ("beginner", "intermediate", "advanced")
KINDS = ("choose", "practice")
AT_LEAST = 3
GOAL_AND_TASK_SHARE = 0.40


@pytest.fixture(scope="module")
def counts() -> Counter:
    found: Counter = Counter()
    for vignette in load_bank():
        for guideline in vignette.guidelines:
            found[(vignette.kind, guideline, vignette.difficulty)] += 1
    return found


PLACES = [(kind, g, level) for kind in KINDS for g in GUIDELINES for level in LEVELS]


@pytest.mark.parametrize("place", PLACES, ids="-".join)
def test_every_guideline_has_enough_items_at_every_level(counts, place):
    kind, guideline, level = place
    assert counts[place] >= AT_LEAST, (
        f"only {counts[place]} {kind} vignettes practise {guideline} at {level} level; "
        f"write at least {AT_LEAST - counts[place]} more"
    )


def test_goal_and_task_vignettes_are_at_least_40_percent_of_the_bank():
    dimensions = Counter(vignette.dimension for vignette in load_bank())
    total = sum(dimensions.values())
    share = (dimensions["goal"] + dimensions["task"]) / total
    assert share >= GOAL_AND_TASK_SHARE, (
        f"goal and task vignettes are {share:.0%} of the bank ({dict(dimensions)}); "
        f"at least {GOAL_AND_TASK_SHARE:.0%} is needed"
    )
