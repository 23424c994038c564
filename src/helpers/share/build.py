"""The submission file: what one shared reflection holds, exactly in the shared format.

A submission holds only what the instructor needs for the class view (see docs/data-format.md):
the trainee's random pseudonym, the class code, the ISO week, the session, the role, the
ratings, the check-ins, a summary of exercise choices and, only if the trainee ticked the box,
their written comment scrubbed of e-mail addresses, links, phone numbers and roster names. It
never holds a username, host name, IP address, file path or time of day (rule M1).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from helpers.scrub import load_roster, scrub
from helpers.skills import shareable_scores
from helpers.store import Store, pseudonym
from helpers.vocabulary import (
    CHECKINS,
    COHORT_PATTERN,
    FORMAT,
    FORMAT_VERSION,
    MAX_ATTEMPTS,
    MAX_SHARED_TEXT,
    OPTION_PATTERN,
    RATED_GUIDELINES,
    VIGNETTE_PATTERN,
)


class ShareError(ValueError):
    """Sharing did not happen; the message says why and what to do. The reflection is safe."""


def check_cohort(cohort: str | None) -> str:
    """The class code from the argument or ``ALLIANCE_COHORT``, checked."""
    value = (cohort if cohort is not None else os.environ.get("ALLIANCE_COHORT", "")).strip()
    if not value:
        raise ShareError(
            "No class code is set. Enter the class code your instructor gave you (for example "
            "FALL26) and share again."
        )
    if not COHORT_PATTERN.match(value):
        raise ShareError(
            f"The class code {value[:40]!r} is not valid: use 1 to 32 letters, digits, '-' or "
            "'_' (for example FALL26)."
        )
    return value


def iso_week(created: str) -> str:
    """The ISO week (``2026-W48``) of a saved time: the only time information shared."""
    year, week, _ = datetime.fromisoformat(created).isocalendar()
    return f"{year:04d}-W{week:02d}"


def choices_summary(store: Store) -> list[dict[str, Any]]:
    """For each *choose* exercise answered: the options of the latest and of the first attempt,
    and the number of attempts."""
    latest: dict[str, str] = {}
    first: dict[str, str] = {}
    attempts: dict[str, int] = {}
    for answer in store.answers():
        if not getattr(answer, "readable", True) or not isinstance(answer.answer, dict):
            continue  # a row that could not be read back: it stays saved, it is just not sent
        if answer.kind != "choose" or not VIGNETTE_PATTERN.match(answer.vignette_id):
            continue
        option = answer.answer.get("option", answer.answer.get("choice"))
        if not isinstance(option, str) or not OPTION_PATTERN.match(option):
            continue
        latest[answer.vignette_id] = option
        first.setdefault(answer.vignette_id, option)
        attempts[answer.vignette_id] = attempts.get(answer.vignette_id, 0) + 1
    for vid, answer in store.first_answers("choose").items():  # kept apart in the store
        option = answer.answer.get("option")
        if vid in first and isinstance(option, str) and OPTION_PATTERN.match(option):
            first[vid] = option
    return [
        {
            "vignette": vid,
            "option": latest[vid],
            "first_option": first[vid],
            "attempts": min(attempts[vid], MAX_ATTEMPTS),
        }
        for vid in sorted(latest)
    ]


def _roster_names(roster: str | os.PathLike[str] | None) -> list[str]:
    source = roster if roster is not None else os.environ.get("ALLIANCE_ROSTER") or None
    if source is None:
        return []
    try:
        return load_roster(source)
    except ValueError as error:
        raise ShareError(f"{error} Nothing was shared.") from None


def build_submission(
    reflection: dict[str, Any],
    *,
    store: Store,
    cohort: str,
    names: Iterable[str] = (),
    submission_id: str | None = None,
    coach_corrections: bool = False,
) -> dict[str, Any]:
    """The submission for one saved reflection, exactly in the shared format (version 2).

    ``submission_id`` is the id it was shared under before, if any: sent again under the same
    id, the instructor's collect counts it once. ``coach_corrections`` adds the trainee's
    corrections of the response coach, only when they ticked the box to share them.
    """
    submission: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "submission_id": submission_id or secrets.token_hex(16),
        "pseudonym": _pseudonym(store),
        "cohort": cohort,
        "week": iso_week(reflection["created"]),
        "session": int(reflection["session"]),
        "role": reflection["role"],
        "ratings": {name: int(reflection["ratings"][name]) for name in RATED_GUIDELINES},
        "checkins": {name: int(reflection["checkins"][name]) for name in CHECKINS},
        "choices": choices_summary(store),
    }
    skills = shareable_scores(store)  # only if the trainee chose to share them
    if skills:
        submission["skills"] = skills
    text = reflection.get("text") or ""
    if reflection.get("share_text") and text.strip():
        submission["text"] = scrub(text.strip(), names)[:MAX_SHARED_TEXT]
    if coach_corrections:
        shared = shareable_corrections(store, names)
        if shared:
            submission["coach_corrections"] = shared
    return submission


MAX_CORRECTIONS = 50
MAX_CORRECTION_TEXT = 1000


def shareable_corrections(store: Store, names: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The trainee's newest corrections of the response coach, as shared: the exercise, the
    reply scrubbed like a shared comment, what the coach read and what the trainee says it is.
    No date or time (rule M1)."""
    from helpers.coach.corrections import corrections

    names = list(names)
    return [
        {
            "vignette": row["vignette_id"],
            "response": scrub(row["response"].strip(), names)[:MAX_CORRECTION_TEXT],
            "coach_labels": row["coach_labels"],
            "trainee_labels": row["trainee_labels"],
        }
        for row in corrections(store)[-MAX_CORRECTIONS:]
        if row["response"].strip()
    ]


def _pseudonym(store: Store) -> str:
    return pseudonym(store.path.parent)


def submission_bytes(submission: dict[str, Any]) -> bytes:
    """The exact bytes of a submission file."""
    return json.dumps(submission, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
