"""Where the course's data and the trainee's private files live.

Course data (vignettes, schemas, sample class) ships with the course. Trainee data (answers,
reflections, pseudonym) lives in ``ALLIANCE_HOME`` (default ``~/.alliance``), never inside the
course folder, so that updating the course never touches it.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def alliance_home() -> Path:
    """The trainee's private folder, created with mode 0700 if missing.

    Files inside it are created 0600 by the modules that write them.
    """
    home = Path(os.environ.get("ALLIANCE_HOME") or Path.home() / ".alliance").expanduser()
    if not home.exists():
        old = os.umask(0o077)
        try:
            home.mkdir(parents=True, mode=0o700, exist_ok=True)
        finally:
            os.umask(old)
    if home.stat().st_mode & 0o077:
        home.chmod(0o700)
    return home
