"""Writing the course's files so that a crash or a reader never sees half of one (privacy rule
D2), and making the private folders they go in.

Every file the course writes goes through ``replace_atomically``: the content goes to a new file
in the same folder (never following a symbolic link), is flushed and synced, and only then gets
its final name; the folder is synced last, so the name survives a crash. Every private folder
goes through ``private_folder``: made 0700, checked to be a folder of this account's, closed
again if others could open it.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO

# Errors that mean "this file system cannot make hard links": fall back to a rename.
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}

Content = bytes | Callable[[IO], None]


class PrivateFolderError(PermissionError):
    """The private folder cannot be used; ``strerror`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EACCES, message)


def private_folder(folder: Path, shown: str) -> Path:
    """``folder`` (and missing parents) made so that nobody else can open it (0700); return it.

    An existing folder that others can open is closed again. ``shown`` names the folder in
    messages (never the username). Raises PrivateFolderError (an OSError with a plain
    ``strerror``) when the folder cannot be made, is not a folder, or belongs to another
    account.
    """
    try:
        if not folder.exists():
            old = os.umask(0o077)  # missing parents too are made 0700
            try:
                folder.mkdir(parents=True, mode=0o700, exist_ok=True)
            finally:
                os.umask(old)
        info = folder.stat()
    except OSError as error:
        raise PrivateFolderError(
            f"your private folder {shown} cannot be made or opened ({error.strerror or error});"
            " check that the disk is not full or read-only and that the folder is yours"
        ) from None
    if not stat.S_ISDIR(info.st_mode):
        raise PrivateFolderError(
            f"your private folder {shown} is not a folder; rename that file so a folder can be"
            " made there"
        )
    if info.st_uid != os.geteuid():
        raise PrivateFolderError(
            f"your private folder {shown} belongs to another account, so your answers must not"
            " go there; ask your instructor or the server's administrator to fix it"
        )
    if info.st_mode & 0o077:
        try:
            folder.chmod(0o700)
        except OSError as error:
            raise PrivateFolderError(
                f"your private folder {shown} can be opened by others and cannot be closed"
                f" ({error.strerror or error}); run chmod 700 on it"
            ) from None
    return folder


def fsync_dir(folder: Path) -> None:
    """Make a new name in ``folder`` durable, where the folder can be opened.

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
    path: Path,
    content: Content,
    *,
    text: bool = False,
    mode: int | None = 0o600,
    overwrite: bool = True,
    partial_name: str | None = None,
) -> None:
    """Put ``content`` in ``path`` in one step: a reader sees the old file or the whole new one,
    and on any error the old file is untouched and nothing is left behind.

    ``content`` is the bytes to store, or a function that writes to the open file (text mode
    with ``newline=""`` when ``text`` is true, as the csv module wants). The file gets exactly
    ``mode`` whatever the umask (owner only by default); ``mode=None`` gives the usual mode of a
    new file. With ``overwrite=False`` an existing ``path`` is never replaced (FileExistsError):
    the file is written without a name where Linux allows (a write killed at any moment leaves
    nothing), else under a temporary name, then linked. ``partial_name`` fixes that temporary
    name, so a later write removes one left by a write that was killed.
    """
    path = Path(path)
    if not overwrite and _write_unnamed(path, content, text, mode):
        fsync_dir(path.parent)
        return
    temporary = path.with_name(partial_name or f".{path.name}.{secrets.token_hex(8)}.partial")
    if partial_name:
        try:
            temporary.unlink()
        except OSError:
            pass
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temporary, flags, 0o666 if mode is None else mode)
    try:
        _fill(fd, content, text, mode)
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    except BaseException:
        try:
            temporary.unlink()
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def _fill(fd: int, content: Content, text: bool, mode: int | None, *, close: bool = True) -> None:
    """Write ``content`` to the open file ``fd``, give it ``mode``, and sync it."""
    options = {"encoding": "utf-8", "newline": ""} if text else {}
    with os.fdopen(fd, "w" if text else "wb", closefd=close, **options) as out:
        if mode is not None:
            os.fchmod(out.fileno(), mode)
        if callable(content):
            content(out)
        else:
            out.write(content)
        out.flush()
        os.fsync(out.fileno())


def _write_unnamed(path: Path, content: Content, text: bool, mode: int | None) -> bool:
    """Write the file without ever giving it a temporary name (Linux ``O_TMPFILE``), then link
    it as ``path``. Returns False where the file system cannot do this."""
    flags = getattr(os, "O_TMPFILE", 0)
    if not flags or not Path("/proc/self/fd").is_dir():
        return False
    try:
        fd = os.open(
            path.parent, flags | os.O_WRONLY | os.O_CLOEXEC, 0o600 if mode is None else mode
        )
    except OSError as error:
        if error.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return False
        raise
    try:
        if mode is None:
            old = os.umask(0)
            os.umask(old)
            mode = 0o666 & ~old
        _fill(fd, content, text, mode, close=False)
        try:
            os.link(f"/proc/self/fd/{fd}", path)
        except OSError as error:
            if isinstance(error, FileExistsError) or error.errno not in _NO_LINKS | {errno.ENOENT}:
                raise
            return False
    finally:
        os.close(fd)
    return True


def _link_new(temporary: Path, path: Path) -> None:
    """Give the finished ``temporary`` file the name ``path``, never replacing a file there."""
    try:
        os.link(temporary, path)
    except OSError as error:
        if isinstance(error, FileExistsError) or error.errno not in _NO_LINKS:
            raise
        if path.exists():
            raise FileExistsError(errno.EEXIST, "file exists", str(path)) from None
        os.replace(temporary, path)  # no hard links here (some network file systems)
        return
    try:
        temporary.unlink()
    except OSError:
        pass  # the file is complete; collect skips a left-over temporary file
