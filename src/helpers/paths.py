"""Where the course's data and the trainee's private files live.

Course data (vignettes, schemas, sample class) ships with the course. Trainee data (answers,
reflections, pseudonym) lives in ``ALLIANCE_HOME`` (default ``~/.alliance``), never inside the
course folder, so that updating the course never touches it.
"""

from __future__ import annotations

import os
from pathlib import Path

from helpers.files import private_folder

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The course's ``data/`` folder: ``ALLIANCE_DATA``, the copy inside an installed wheel,
    or the repository's own folder for an editable install."""
    override = os.environ.get("ALLIANCE_DATA")
    if override:
        return Path(override)
    bundled = _PACKAGE_DIR / "_data"
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parents[1] / "data"


def data_path(*parts: str) -> Path:
    """A file or folder under the course's ``data/`` folder."""
    return data_dir().joinpath(*parts)


def course_file(*parts: str) -> Path:
    """A file the course itself ships (a schema, the display text): from ``ALLIANCE_DATA`` if
    that folder has it, else the course's own copy (``ALLIANCE_DATA`` may hold only an
    instructor's vignettes)."""
    path = data_path(*parts)
    if path.is_file():
        return path
    bundled = _PACKAGE_DIR / "_data"
    return (bundled if bundled.is_dir() else _PACKAGE_DIR.parents[1] / "data").joinpath(*parts)


def alliance_home() -> Path:
    """The trainee's private folder, created with mode 0700 if missing.

    Files inside it are created 0600 by the modules that write them. Raises
    PrivateFolderError (an OSError with a plain ``strerror``) when the folder cannot be made
    or belongs to another account.
    """
    home = Path(os.environ.get("ALLIANCE_HOME") or Path.home() / ".alliance").expanduser()
    shown = "$ALLIANCE_HOME" if os.environ.get("ALLIANCE_HOME") else "~/.alliance"
    return private_folder(home, shown)


def course_folder() -> Path | None:
    """The course checkout the notebooks are opened from (None for an installed copy)."""
    root = _PACKAGE_DIR.parents[1]
    return root if (root / "notebooks").is_dir() else None


_WARNED: list[str] = []


def exposure_warning() -> str | None:
    """A warning, given once per process, when other accounts can look into the trainee's
    home folder or into a course folder inside it (notebooks live there), else None."""
    if _WARNED:
        return None
    home = Path.home()
    open_folders = []
    try:
        if home.stat().st_mode & 0o007:
            open_folders.append("your home folder (~)")
        course = course_folder()
        if course is not None and home in course.parents and course.stat().st_mode & 0o004:
            open_folders.append(f"your course folder (~/{course.relative_to(home).as_posix()})")
    except OSError:
        return None
    if not open_folders:
        return None
    message = (
        f"Warning: other accounts on this server can look into {' and '.join(open_folders)}. "
        "Ask your instructor to make home folders private (mode 0700 or 0750), or run: "
        "chmod 700 ~"
    )
    _WARNED.append(message)
    return message


def cache_folder(*parts: str) -> Path:
    """A folder of the private folder's cache (``ALLIANCE_HOME/cache/...``), made 0700 if
    missing: what the course can rebuild (the coach's model, charts of fixed data)."""
    folder = alliance_home().joinpath("cache", *parts)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder
