"""Rule S4, for handouts: a handout is a frozen snapshot of one class, and a new one next to
it must differ by at least 5 trainees.

The release log (``releases``) does the same for every view shown on screen or on paper,
across folders; this check adds the handout folder's own record, so that a folder
of handouts never holds two that differ by a few trainees.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers.classview import MIN_TRAINEES, ClassData, ClassDataError

SNAPSHOT_FILE = "handout.json"


class SnapshotError(ClassDataError):
    """Publishing this handout next to the previous one would reveal a few trainees' answers."""


def snapshot_id(data: ClassData) -> str:
    """A date-free id for the class snapshot: a hash of its submission ids."""
    ids = sorted(str(s) for s in data.frame["submission_id"].unique())
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]


def check_snapshot(data: ClassData, folder: Path) -> dict[str, object]:
    """Rule S4: refuse a handout made from other submissions than the last one published in
    the same folder unless n changed by at least 5 (comparing the two would reveal the answers
    of the few trainees who came, went or were swapped; the same n is no protection)."""
    record = {"n": data.n_trainees, "id": snapshot_id(data)}
    path = folder / SNAPSHOT_FILE
    if not path.exists():
        return record
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
        previous_n = int(previous["n"])
    except (ValueError, KeyError, TypeError):
        raise SnapshotError(
            f"Not published: {SNAPSHOT_FILE} in '{folder.name}' cannot be read, so move the old "
            "handout away or choose a new folder."
        ) from None
    delta = abs(record["n"] - previous_n)
    if previous.get("id") != record["id"] and delta == 0:
        raise SnapshotError(
            f"Not published: this class has {record['n']} trainees, as many as the handout "
            f"already in '{folder.name}' but not the same ones, and comparing the two would "
            f"reveal what the trainees who changed answered, so wait until it differs by at "
            f"least {MIN_TRAINEES} trainees or keep the earlier handout."
        )
    if previous.get("id") != record["id"] and delta < MIN_TRAINEES:
        who = f"those {delta} trainees" if delta > 1 else "that one trainee"
        raise SnapshotError(
            f"Not published: this class has {record['n']} trainees and the handout already in "
            f"'{folder.name}' was made from {previous_n}, and comparing the two would reveal "
            f"what {who} answered, so wait until the two differ by at least {MIN_TRAINEES} "
            "trainees or keep the earlier handout."
        )
    return record


def record_snapshot(folder: Path, record: dict[str, object]) -> None:
    """Make ``record`` the folder's published snapshot; call it last, once the handout is
    complete, so a failed run leaves the old snapshot in force."""
    from helpers.files import replace_atomically

    replace_atomically(folder / SNAPSHOT_FILE, (json.dumps(record) + "\n").encode("utf-8"))
