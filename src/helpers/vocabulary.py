"""The course's vocabulary, defined once: every other module imports these names from here.

What the words *look like* on screen (guideline names, check-in labels) is display text and
lives in ``data/words/display-text.yaml``; this module holds the keys, limits, patterns and the
reflection format. The JSON Schemas in ``data/schema/`` repeat some of these lists for editors;
tests/test_vocabulary.py keeps them in step.
"""

from __future__ import annotations

import re
from functools import cache

# Vignette topics, one file each (data/vignettes/<topic>.yaml), in teaching order. Adding a
# topic is one entry here (and its file); the guide and the bank follow.
TOPICS = (
    "alliance", "safety", "care", "understanding", "focus", "rupture", "boundaries", "risk",
    "culture",
)  # fmt: skip

# The guidelines a vignette can practice (its ``guidelines:`` field).
VIGNETTE_GUIDELINES = ("safety", "care", "understanding", "focus", "rupture-repair", "boundaries")
# The four guidelines a trainee rates in a reflection and an exercise (0 to 10 each).
RATED_GUIDELINES = ("safety", "care", "understanding", "focus")
# The three rupture-and-repair check-ins of a reflection (0 to 10 each).
CHECKINS = ("notice_rupture", "repair_rupture", "ask_feedback")
# Who rates in a reflection: the trainee as counselor (themself) or as client (their partner).
ROLES = ("counselor", "client")

DIMENSIONS = ("goal", "task", "bond")  # the alliance dimensions (Bordin)
DIFFICULTIES = ("beginner", "intermediate", "advanced")
KINDS = ("choose", "rate", "practice", "dialogue", "spot")  # exercise kinds

# Limits of what a trainee writes and shares.
SCORE_RANGE = (0, 10)
SESSION_RANGE = (1, 50)
MAX_PRIVATE_TEXT = 4000  # a reflection's free text in the private store
MAX_SHARED_TEXT = 5000  # free text in a shared file (after scrubbing)
MAX_ATTEMPTS = 100

# The reflection file a trainee shares (data/schema/submission.schema.json).
FORMAT = "alliance-reflection"
FORMAT_VERSION = 3  # what is written now: version 2 plus optional coach corrections
# The class code of the course's synthetic sample class; no real class may use it.
SYNTHETIC_COHORT = "SYNTHETIC"

# What ids and codes look like.
COHORT_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
VIGNETTE_PATTERN = re.compile(r"^[a-z]+-[0-9]{2}$")
OPTION_PATTERN = re.compile(r"^[a-z0-9]{1,8}$")
PSEUDONYM_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SUBMISSION_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def display_text(section: str) -> dict[str, str]:
    """One section of ``data/words/display-text.yaml``: how the course names a vocabulary list
    on screen (a new dict each call, so a caller may change its copy)."""
    return dict(_display_text()[section])


@cache
def _display_text() -> dict[str, dict[str, str]]:
    import yaml

    from helpers.paths import course_file

    return yaml.safe_load(course_file("words", "display-text.yaml").read_text("utf-8"))
