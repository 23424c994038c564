"""Where a submission goes: the class drop folder, checked before anything is written to it,
or the trainee's private outbox when no drop folder is set up.

In a class drop folder (mode 3733) only the instructors' group can read a shared file, and the
folder is never listed: trainees may create files there but not see them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from helpers.files import private_folder
from helpers.share.build import ShareError
from helpers.store import Store, display_path, get_store


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


def is_in_outbox(path: Path, store: Store | None = None) -> bool:
    """Whether a shared file went to the private outbox (no drop folder set up)."""
    store = store if store is not None else get_store()
    return path.parent == outbox(store)
