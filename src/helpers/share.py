"""Share a reflection with the instructor as one pseudonymous submission file.

A submission holds only what the instructor needs for the class view (see docs/data-format.md):
the trainee's random pseudonym, the class code, the ISO week, the session, the role, the
ratings, the check-ins, a summary of exercise choices and, only if the trainee ticked the box,
their written comment scrubbed of e-mail addresses, links, phone numbers and roster names. It
never holds a username, host name, IP address, file path or time of day (rule M1).

Each submission is its own file with a random name, written to a temporary file in the same
folder, synced, and then linked to its final name, so the instructor never sees half a file and
no two trainees ever write to the same file (rules D2, D3). The file is 0640: in a class drop
folder (mode 3733) only the instructors' group can read it. The drop folder is never listed:
trainees may create files there but not see them.

The command ``alliance export`` does the same from a terminal.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import secrets
import sqlite3
import stat
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.files import private_folder, replace_atomically
from helpers.scrub import load_roster, scrub
from helpers.skills import shareable_scores
from helpers.store import (
    CHECKINS,
    GUIDELINES,
    Store,
    StoreError,
    display_path,
    get_store,
    pseudonym,
)
from helpers.submission import SubmissionError, validate_submission
from helpers.vocabulary import (
    COHORT_PATTERN,
    FORMAT,
    FORMAT_VERSION,
    MAX_ATTEMPTS,
    MAX_SHARED_TEXT,
    OPTION_PATTERN,
    VIGNETTE_PATTERN,
)
from helpers.vocabulary import SUBMISSION_ID_PATTERN as _SUBMISSION_ID


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
        "ratings": {name: int(reflection["ratings"][name]) for name in GUIDELINES},
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


def outbox(store: Store) -> Path:
    """The private outbox used when no drop folder is set up."""
    return store.path.parent / "outbox"


def _target(store: Store, dropbox: str | os.PathLike[str] | None) -> Path:
    chosen = dropbox if dropbox is not None else os.environ.get("ALLIANCE_DROPBOX") or None
    if chosen is None:
        folder = outbox(store)
        return private_folder(folder, display_path(folder))
    folder = Path(chosen).expanduser()
    if not folder.is_dir():
        raise ShareError(
            f"The drop folder {display_path(folder)} was not found, so nothing was shared. Your "
            "reflection is saved; ask your instructor to check the class drop folder."
        )
    problem = drop_folder_problem(folder)
    if problem:
        raise ShareError(
            f"The drop folder {display_path(folder)} is not safe to share into: {problem}. "
            "Nothing was shared and your reflection is still saved; show this message to your "
            "instructor."
        )
    return folder


def drop_folder_problem(folder: Path) -> str | None:
    """Why a folder others can write to must not receive this trainee's reflection, or None.

    A folder of the trainee's own that nobody else can write to (``alliance export --to``) is
    fine. A shared one must not be the trainee's (the instructor could not read the files),
    must be sticky (nobody may delete or rename another's file), must not be listable by
    others, and its group must be the instructors' (``ALLIANCE_DROPBOX_GROUP`` when the hub
    sets it) and not one of the trainee's own groups: otherwise a classmate who swapped in a
    folder of their own would read every reflection shared into it.
    """
    import grp

    try:
        info = os.lstat(folder)
    except OSError as error:
        return f"it cannot be checked ({error.strerror or error})"
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link, which anyone who can change it could point elsewhere"
    mode = stat.S_IMODE(info.st_mode)
    mine = info.st_uid == os.geteuid()
    if mine and not mode & 0o022:
        return None  # a folder of the trainee's own that nobody else can write to
    if mine:
        return (
            "it is your own folder and others can write to it, so it is not your class's drop "
            "folder, and your instructor could not read your file there"
        )
    if not mode & stat.S_ISVTX:
        return "others could delete or rename your file there (the sticky bit is missing)"
    if mode & stat.S_IROTH:
        return "everyone can list it"
    wanted = os.environ.get("ALLIANCE_DROPBOX_GROUP", "").strip()
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    if wanted and group != wanted:
        return f"its group is '{group}', not the instructors' group '{wanted}'"
    if info.st_gid in {os.getegid(), *os.getgroups()}:
        return f"its group '{group}' is one of your own groups, not an instructors-only group"
    return None


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


def submission_bytes(submission: dict[str, Any]) -> bytes:
    """The exact bytes of a submission file."""
    return json.dumps(submission, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


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


def is_in_outbox(path: Path, store: Store | None = None) -> bool:
    """Whether a shared file went to the private outbox (no drop folder set up)."""
    store = store if store is not None else get_store()
    return path.parent == outbox(store)


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


# -- alliance export ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--all",
        action="store_true",
        help="export every reflection, sending shared ones again under their first ids",
    )
    which.add_argument(
        "--reflection", type=int, metavar="ID", help="export one reflection by its number"
    )
    parser.add_argument(
        "--to",
        metavar="DIR",
        type=Path,
        help="write the files to DIR (default: ALLIANCE_DROPBOX, else your private outbox)",
    )
    parser.add_argument(
        "--cohort", help="class code from your instructor (default: ALLIANCE_COHORT)"
    )
    parser.add_argument(
        "--roster",
        metavar="FILE",
        type=Path,
        help="file of class names (one per line) to hide in shared comments",
    )
    parser.add_argument(
        "--coach-corrections",
        action="store_true",
        help='also share your corrections of the response coach ("The coach got this wrong"); '
        "left out unless you add this",
    )
    parser.epilog = (
        "Without --all or --reflection, exports the reflections not shared yet. Exit status: "
        "0 written (or nothing to export), 1 could not export, 2 wrong options."
    )


def run(args: argparse.Namespace) -> int:
    try:
        store = get_store()
        if args.reflection is not None:
            found = store.reflection(args.reflection)
            if found is None:
                print(f"There is no saved reflection number {args.reflection}.", file=sys.stderr)
                return 1
            chosen = [found]
        elif args.all:
            chosen = store.reflections()
        else:
            chosen = [r for r in store.reflections() if not r["shared_as"]]
    except (StoreError, sqlite3.Error, OSError) as error:
        print(f"Your saved reflections could not be read: {_reason(error)}", file=sys.stderr)
        return 1
    if not chosen:
        print("Nothing to export: every saved reflection has been shared already.")
        return 0
    try:
        check_cohort(args.cohort)
    except ShareError as error:
        print(f"{error} (In a terminal: add --cohort CODE.)", file=sys.stderr)
        return 1
    if args.to is not None:
        try:
            args.to.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            print(f"Cannot create {display_path(args.to)}: {error.strerror}", file=sys.stderr)
            return 1
    failed = 0
    for reflection in chosen:
        try:
            path = share_reflection(
                reflection["id"],
                store=store,
                dropbox=args.to,
                cohort=args.cohort,
                roster=args.roster,
                coach_corrections=args.coach_corrections,
            )
        except ShareError as error:
            print(error, file=sys.stderr)
            failed += 1
            if "is damaged" not in str(error):
                return 1  # the same would stop every other reflection too
            continue
        print(
            f"Wrote reflection {reflection['id']} (session {reflection['session']}, as "
            f"{reflection['role']}) to {display_path(path)}"
        )
    return 1 if failed else 0
