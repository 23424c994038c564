"""Writing files so that a crash or a reader never sees half of one (privacy rule D2).

A file that is rewritten goes to a temporary file in the same folder, is flushed and synced, and
is then renamed over the old one; the folder is synced last, so the rename survives a crash.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the folder can be opened.

    In a drop folder a trainee may not read the directory, so this can be refused: the file
    itself is already synced by then, which is what matters.
    """
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_atomically(
    path: Path, write: Callable[[IO[str]], None] | bytes, *, text: bool = False
) -> None:
    """Replace ``path`` with new content in one step; on any error the old file is untouched.

    ``write`` is the bytes to store, or a function that writes to the open temporary file (text
    mode with ``newline=""`` when ``text`` is true, as the csv module wants). The new file is
    readable by its owner only (0600), as ``tempfile.mkstemp`` makes it.
    """
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        mode = "w" if text else "wb"
        with os.fdopen(fd, mode, **({"encoding": "utf-8", "newline": ""} if text else {})) as out:
            if callable(write):
                write(out)
            else:
                out.write(write)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
