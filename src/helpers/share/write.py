"""Writing a submission once: atomically, under its own name, and the same file when sent again.

Each submission is its own file with a random name, written to a temporary file in the same
folder, synced, and then linked to its final name, so the instructor never sees half a file and
no two trainees ever write to the same file (rules D2, D3). The file is 0640, readable by the
instructors' group. A copy of what is shared is kept in the trainee's private folder first, so
sharing the same reflection again, even after a share killed half-way, sends the very same file.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from helpers.files import private_folder, replace_atomically
from helpers.share.build import submission_bytes
from helpers.store import Store, display_path
from helpers.submission import SubmissionError, validate_submission


def write_submission(
    submission: dict[str, Any], folder: Path, *, name_token: str | None = None
) -> Path:
    """Write one submission atomically as ``<week>-<token>.json``, mode 0640.

    The token is the submission id unless ``name_token`` is given (a reflection sent again
    keeps its id but needs a new file name).
    """
    token = name_token or submission["submission_id"]
    final = folder / f"{submission['week']}-{token}.json"
    # a temporary name of its own, so sharing the same reflection again removes a left-over one
    partial = f".{hashlib.sha256(token.encode()).hexdigest()[:32]}.partial"
    replace_atomically(
        final, submission_bytes(submission), mode=0o640, overwrite=False, partial_name=partial
    )  # 0640 whatever the umask: readable by instructors
    return final


def _copy_path(store: Store, reflection_id: int) -> Path:
    return store.path.parent / "shared" / f"reflection-{int(reflection_id)}.json"


def _keep_copy(store: Store, reflection_id: int, submission: dict[str, Any]) -> None:
    """Keep what is shared in the private folder before it leaves, so that sharing the same
    reflection again, even after a share killed half-way, sends the very same file."""
    path = _copy_path(store, reflection_id)
    private_folder(path.parent, display_path(path.parent))
    replace_atomically(path, submission_bytes(submission))


def _sent_before(store: Store, reflection_id: int, cohort: str) -> dict[str, Any] | None:
    """The submission kept from an earlier share of this reflection, if it is usable."""
    try:
        raw = _copy_path(store, reflection_id).read_bytes()
        submission = json.loads(raw)
        validate_submission(submission)
    except (OSError, ValueError, SubmissionError):
        return None
    return submission if submission.get("cohort") == cohort else None


def _deliver(submission: dict[str, Any], folder: Path) -> Path:
    """Write the submission under its own name; if that file is there already with the same
    bytes (an earlier share of the same reflection), it is not written twice."""
    try:
        return write_submission(submission, folder)
    except FileExistsError:
        final = folder / f"{submission['week']}-{submission['submission_id']}.json"
        if _same_file(final, submission_bytes(submission)):
            return final
        return write_submission(submission, folder, name_token=secrets.token_hex(16))


def _same_file(path: Path, payload: bytes) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return False
        return os.read(fd, len(payload) + 1) == payload
    finally:
        os.close(fd)
