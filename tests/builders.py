"""Valid test data shared by the test modules: one vignette file and one submission.

Each test changes a copy of these in the one way it is about, so every other field stays valid
and the message it checks is the only one.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from helpers.vocabulary import CHECKINS, RATED_GUIDELINES

# A valid vignette file with one *choose* vignette. Line numbers in expected messages count
# from this layout: keep it as it is (add new layouts instead).
CHOOSE_YAML = """\
vignettes:
  - id: test-01
    title: "A first hello"
    guidelines: [care]
    dimension: bond
    difficulty: beginner
    context: "Mei, 34, first session."
    says: "I wasn't sure I should come."
    exercise:
      kind: choose
      prompt: "What do you say?"
      options:
        - id: a
          text: "I'm glad you came."
          best: true
          feedback: "A warm welcome builds the bond (guideline: care)."
        - id: b
          text: "Let's get started."
          best: false
          feedback: "Skipping her doubt leaves the bond where it was (guideline: care)."
      rationale: "Welcoming her doubt shows care."
"""

# The fields every submission has (format version 1); "text" is the only optional one.
SUBMISSION_FIELDS = (
    "format",
    "format_version",
    "submission_id",
    "pseudonym",
    "cohort",
    "week",
    "session",
    "role",
    "ratings",
    "checkins",
    "choices",
)

SUBMISSION: dict[str, Any] = {
    "format": "alliance-reflection",
    "format_version": 1,
    "submission_id": "0123456789abcdef0123456789abcdef",
    "pseudonym": "Zx-3_kQ9pLm2Rt8vWy4A",
    "cohort": "FALL26",
    "week": "2026-W48",
    "session": 3,
    "role": "counselor",
    "ratings": {"safety": 7, "care": 8, "understanding": 6, "focus": 9},
    "checkins": {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 7},
    "choices": [{"vignette": "care-04", "option": "b", "attempts": 2}],
    "text": "I noticed I talked too much.",
}
assert tuple(SUBMISSION["ratings"]) == RATED_GUIDELINES
assert tuple(SUBMISSION["checkins"]) == CHECKINS


def valid_submission(**changes: Any) -> dict[str, Any]:
    """A fresh copy of SUBMISSION with top-level fields replaced; a value of ... removes one."""
    doc = copy.deepcopy(SUBMISSION)
    for key, value in changes.items():
        if value is ...:
            doc.pop(key)
        else:
            doc[key] = value
    return doc


def write_file(folder: Path, name: str, content: str | bytes | dict) -> Path:
    """Write ``content`` (text as UTF-8, a dict as JSON) to ``folder/name``."""
    path = folder / name
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path
