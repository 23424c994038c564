"""Sharing one saved reflection: build it, check it, keep a copy, deliver it, note it; and what
the trainee is told afterwards.
"""

from __future__ import annotations

import base64
import html
import os
import sqlite3
from pathlib import Path

from helpers.share.build import ShareError, _roster_names, build_submission, check_cohort
from helpers.share.folder import _target, is_in_outbox, outbox
from helpers.share.write import _deliver, _keep_copy, _sent_before
from helpers.store import Store, StoreError, display_path, get_store
from helpers.submission import SubmissionError, validate_submission
from helpers.vocabulary import SUBMISSION_ID_PATTERN as _SUBMISSION_ID


def share_reflection(
    reflection_id: int,
    *,
    store: Store | None = None,
    dropbox: str | os.PathLike[str] | None = None,
    cohort: str | None = None,
    roster: str | os.PathLike[str] | None = None,
    coach_corrections: bool = False,
) -> Path:
    """Share one saved reflection and return the file written.

    The file goes to ``dropbox``, else the folder named by ``ALLIANCE_DROPBOX``, else the
    trainee's private outbox. ``roster`` (else ``ALLIANCE_ROSTER``) names a file of class names
    to hide in the comment. ``coach_corrections`` (the trainee's tick) adds their corrections of
    the response coach to a reflection shared for the first time. Raises :class:`ShareError`
    with a plain message if nothing was shared; the reflection then stays saved and unshared.
    """
    store = store if store is not None else get_store()
    reflection = store.reflection(reflection_id)
    if reflection is None:
        raise ShareError(f"There is no saved reflection number {reflection_id}.")
    if not isinstance(reflection.get("ratings"), dict) or not isinstance(
        reflection.get("checkins"), dict
    ):
        raise ShareError(
            f"Saved reflection number {reflection_id} is damaged (its ratings cannot be read), "
            "so it was not shared; your other reflections are not affected. Tell your "
            "instructor, who can pass this message on to the course maintainers."
        )
    code = check_cohort(cohort)
    names = _roster_names(roster)
    try:
        folder = _target(store, dropbox)
    except OSError as error:
        reason = error.strerror or error.__class__.__name__
        raise ShareError(
            f"Your private outbox {display_path(outbox(store))} could not be made ready "
            f"({reason}), so nothing was shared. Your reflection is still saved: check that "
            "you can write to your private folder, then try again, or ask your instructor."
        ) from error
    earlier = reflection.get("shared_as")
    reused = earlier if isinstance(earlier, str) and _SUBMISSION_ID.match(earlier) else None
    submission = _sent_before(store, reflection_id, code)
    if submission is not None:
        reused = submission["submission_id"]
    else:
        try:
            submission = build_submission(
                reflection,
                store=store,
                cohort=code,
                names=names,
                submission_id=reused,
                coach_corrections=coach_corrections,
            )
        except (KeyError, TypeError, ValueError, OSError, StoreError) as error:
            raise ShareError(
                f"This reflection could not be prepared for sharing ({_reason(error)}), so "
                "nothing was shared. It is still saved; tell your instructor, who can pass this "
                "message on to the course maintainers."
            ) from error
        try:
            validate_submission(submission)  # nothing the instructor's collect would reject
        except SubmissionError as error:
            raise ShareError(
                f"This reflection cannot be shared as it is ({error}). It is still saved; tell "
                "your instructor, who can pass this message on to the course maintainers."
            ) from error
        try:
            _keep_copy(store, reflection_id, submission)
        except OSError as error:
            raise ShareError(
                f"Your private folder could not keep a copy of what is shared "
                f"({error.strerror or error}), so nothing was shared. Your reflection is still "
                "saved: free some space or check your private folder, then try again."
            ) from error
    try:
        path = _deliver(submission, folder)
    except OSError as error:
        reason = error.strerror or error.__class__.__name__
        raise ShareError(
            f"The file could not be written to {display_path(folder)} ({reason}), so nothing "
            "was shared. Your reflection is still saved: try again, or ask your instructor."
        ) from error
    if earlier != submission["submission_id"]:
        _remember(store, reflection_id, submission["submission_id"], path)
    return path


def _reason(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return (
            f"the saved reflection has no {error.args[0]!r}" if error.args else "a value is missing"
        )
    return getattr(error, "strerror", None) or str(error) or error.__class__.__name__


def _remember(store: Store, reflection_id: int, submission_id: str, path: Path) -> None:
    """Note the submission id on the reflection; if that fails, take the file back.

    Otherwise the next share would send the same reflection under a new id, and the class
    view would count it twice.
    """
    try:
        store.mark_shared(reflection_id, submission_id)
    except (StoreError, sqlite3.Error, OSError, KeyError) as error:
        reason = error.args[0] if isinstance(error, KeyError) and error.args else _reason(error)
        try:
            path.unlink()
        except OSError:
            raise ShareError(
                f"The file {path.name} was sent, but your private store could not note that "
                f"({reason}). Tell your instructor the file name, so it is counted once."
            ) from error
        raise ShareError(
            f"Your private store could not note the share ({reason}), so the file was "
            "taken back and nothing was shared. Your reflection is still saved: try again, or "
            "ask your instructor."
        ) from error


def share_message(path: Path, store: Store | None = None) -> str:
    """What a trainee is told after sharing: where the file is and what to do next."""
    if not is_in_outbox(path, store):
        return (
            f"Shared: the file {path.name} is in your class's drop folder. Only your "
            "instructor can open it; you cannot see it there, and that is expected."
        )
    return (
        "No drop folder is set up, so the file was saved to your private outbox: "
        f"{display_path(path)}. Download it with the link below and send the downloaded file "
        "to your instructor the way they asked."
    )


DOWNLOAD_LABEL = "Download your reflection file"


def download_link(path: Path) -> str:
    """An HTML link that downloads the shared file straight from the notebook.

    The file's bytes travel inside the link (a ``data:`` address), so nothing is copied into
    the course folder. JupyterLab's HTML sanitizer drops ``data:`` links from untrusted
    outputs, but the form shows this link in an ipywidgets ``HTML`` widget, whose value is
    not sanitized, so the link works in the running notebook.
    """
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<a download="{html.escape(path.name)}" '
        f'href="data:application/json;base64,{data}">{DOWNLOAD_LABEL}</a>'
    )
