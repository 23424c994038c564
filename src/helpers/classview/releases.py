"""Rule S8: the release log of a real class, so no two views shown of it differ by the
reflections of fewer than 5 trainees."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers.classview.model import ClassData
from helpers.classview.suppression import MIN_TRAINEES, trainees

RELEASES = "releases"  # folder in the instructor's ALLIANCE_HOME: one log per class
# the rows each view draws on: (measure, role or None for both)
VIEW_ROWS = {
    "skills": ("skills", None),
    "first_choices": ("choice", None),
    "profile": ("guideline", "client"),
    "change": ("guideline", "client"),
    "self_vs_partner": ("guideline", None),
    "choices": ("choice", None),
    "checkins": ("checkin", None),
}


def release_log_path(data: ClassData) -> Path:
    """The release log of the class ``data`` comes from, in the private ALLIANCE_HOME."""
    from helpers.paths import alliance_home

    codes = sorted(str(code) for code in data.frame["cohort"].astype(str).unique())
    name = "+".join(codes)
    if (
        not all(code.replace("-", "").replace("_", "").isalnum() for code in codes)
        or len(name) > 100
    ):
        name = hashlib.sha256(name.encode()).hexdigest()[:32]
    return alliance_home() / RELEASES / f"{name}.json"


def contributions(name: str, data: ClassData) -> dict[str, str]:
    """Per trainee behind view ``name``: a key (a hash of their pseudonyms, stable across
    collects) and a digest of the reflections the view draws on."""
    measure, role = VIEW_ROWS[name]
    frame = data.frame
    mask = frame["measure"] == measure
    if role is not None:
        mask &= frame["role"] == role
    rows = frame.loc[mask, ["trainee", "pseudonym", "submission_id"]].astype(str)
    out: dict[str, str] = {}
    for _, part in rows.groupby("trainee"):
        who = "\n".join(sorted(set(part["pseudonym"])))
        what = "\n".join(sorted(set(part["submission_id"])))
        out[_digest(who)] = _digest(what)
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def release(name: str, data: ClassData) -> str:
    """Rule S8: record view ``name`` of a real class as shown, or say why it must not be.

    Refused (a plain sentence is returned) when the trainees behind it differ from those of
    a version shown before, by any instructor account using this ALLIANCE_HOME, in any
    folder, on screen or in a handout, by 1 to 4 trainees: comparing the two would reveal
    what those few shared. Returns "" when the view may be shown.
    """
    current = contributions(name, data)
    path = release_log_path(data)
    try:
        log = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        earlier = [dict(item) for item in log.get("views", {}).get(name, [])]
    except (OSError, ValueError, TypeError, AttributeError) as error:
        return (
            f"Not shown: the release log {path.name} in your private folder could not be read "
            f"({getattr(error, 'strerror', None) or error}); move it aside only if you are sure "
            "no earlier view of this class was shown."
        )
    for before in earlier:
        changed = {
            key for key in before.keys() | current.keys() if before.get(key) != current.get(key)
        }
        if not changed:
            return ""  # this very view was released before
        if len(changed) < MIN_TRAINEES:
            more = MIN_TRAINEES - len(changed)
            return (
                f"Not shown: since this view was last shown, the reflections of "
                f"{trainees(len(changed))} changed, and comparing the two versions would "
                f"reveal what {'they' if len(changed) > 1 else 'that trainee'} shared. It can be "
                f"shown again when at least {trainees(more)} more have shared; until then, use "
                "the version shown before."
            )
    log.setdefault("views", {}).setdefault(name, []).append(current)
    try:
        from helpers.files import replace_atomically

        path.parent.mkdir(mode=0o700, exist_ok=True)
        replace_atomically(path, (json.dumps(log) + "\n").encode("utf-8"))
    except OSError as error:
        return (
            f"Not shown: the release log in your private folder could not be written "
            f"({error.strerror or error}); free some space or fix its permissions, then run "
            "the cell again."
        )
    return ""
