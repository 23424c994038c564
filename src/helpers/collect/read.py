"""Reading a drop folder, within safety limits, for ``alliance collect``.

Every entry of the folder (subfolders and .zip files included) is checked with
:mod:`helpers.submission`; a bad file is reported in one line and skipped, never fatal.
Subfolders are read up to ``MAX_DEPTH`` deep and ``MAX_ENTRIES`` entries in all; a .zip file is
read in memory within its own limits (size, members, inflation). Symbolic links are reported,
never followed, and nothing outside the folder is read or written. The owner of each file and
the time it was written are kept beside its submission only while collect runs and are never
written anywhere (privacy rule M1).
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass

from helpers.collect.report import CollectReport
from helpers.submission import SubmissionError, load_submission_at, parse_submission


class CollectError(ValueError):
    """The drop folder cannot be read at all (missing, not a folder, no permission)."""


MAX_DEPTH = 3  # subfolders read below the drop folder (a learning platform's download)
MAX_ENTRIES = 200_000  # entries read in all, folders and zip members included
MAX_ZIP_BYTES = 64 * 1024 * 1024  # a .zip file larger than this is not opened
MAX_ZIP_MEMBERS = 5_000
MAX_ZIP_RATIO = 100  # a member that inflates more than this is a zip bomb


@dataclass
class _Found:
    """One readable submission: where it was found, who owns the file, when it was written.

    The owner and time never leave ``helpers.collect``: they decide who is one trainee and
    which of two reflections is the latest (:mod:`helpers.collect.merge`), and are then
    forgotten (privacy rule M1).
    """

    name: str
    doc: dict
    owner: int
    mtime: int
    content: str = ""

    def __post_init__(self) -> None:
        self.content = json.dumps(self.doc, sort_keys=True, ensure_ascii=False)


def _read_folder(
    dir_fd: int,
    prefix: str,
    depth: int,
    max_bytes: int,
    found: list[_Found],
    report: CollectReport,
    *,
    top: str,
) -> None:
    try:
        with os.scandir(dir_fd) as entries:
            names = sorted(entry.name for entry in entries)
    except OSError as exc:
        if not prefix:
            raise CollectError(f"{top}: cannot list ({exc.strerror or exc})") from None
        report.rejected.append((prefix.rstrip("/"), f"cannot list ({exc.strerror or exc})"))
        return
    for name in names:
        shown = prefix + name
        report.files += 1
        if report.files > MAX_ENTRIES:
            report.rejected.append((shown, f"more than {MAX_ENTRIES} entries; the rest skipped"))
            return
        if name.startswith(".") and name.endswith(".partial"):
            report.rejected.append((shown, "an unfinished upload (temporary file), skipped"))
            continue
        try:
            info = os.lstat(name, dir_fd=dir_fd)
        except OSError as exc:
            report.rejected.append((shown, f"cannot be read ({exc.strerror or exc})"))
            continue
        if stat.S_ISDIR(info.st_mode):
            if depth >= MAX_DEPTH:
                report.rejected.append((shown, "is a folder nested too deep, not read"))
                continue
            try:
                sub_fd = os.open(
                    name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd
                )
            except OSError as exc:
                report.rejected.append((shown, f"cannot open folder ({exc.strerror or exc})"))
                continue
            report.files -= 1  # a folder is not a file; its entries are counted instead
            try:
                _read_folder(sub_fd, shown + "/", depth + 1, max_bytes, found, report, top=top)
            finally:
                os.close(sub_fd)
            continue
        if name.lower().endswith(".zip") and stat.S_ISREG(info.st_mode):
            _read_zip(dir_fd, name, shown, info, max_bytes, found, report)
            continue
        try:
            doc = load_submission_at(dir_fd, name, max_bytes=max_bytes)
        except SubmissionError as exc:
            report.rejected.append((shown, exc.reason))
            continue
        found.append(_Found(shown, doc, info.st_uid, info.st_mtime_ns))


def _read_zip(
    dir_fd: int,
    name: str,
    shown: str,
    info: os.stat_result,
    max_bytes: int,
    found: list[_Found],
    report: CollectReport,
) -> None:
    """Read the submissions inside a .zip in memory: nothing is extracted to disk (so no path
    in it can point anywhere), every member has the same size limit as a file, and a member
    that inflates far beyond its compressed size is refused unread (a zip bomb)."""
    if info.st_size > MAX_ZIP_BYTES:
        report.rejected.append((shown, f"zip file too large (over {MAX_ZIP_BYTES // 2**20} MB)"))
        return
    try:
        fd = os.open(
            name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd
        )
    except OSError as exc:
        report.rejected.append((shown, f"cannot be read ({exc.strerror or exc})"))
        return
    try:
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_ZIP_BYTES + 1)
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        report.rejected.append((shown, f"not a readable zip file ({exc})"))
        return
    if len(members) > MAX_ZIP_MEMBERS:
        report.rejected.append((shown, f"zip file holds more than {MAX_ZIP_MEMBERS} entries"))
        return
    with archive:
        for member in members:
            label = f"{shown}:{member.filename}"
            if member.is_dir():
                continue
            report.files += 1
            if member.file_size > max_bytes:
                report.rejected.append(
                    (label, f"too large (a submission is at most {max_bytes} bytes)")
                )
                continue
            if member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1) + 1024:
                report.rejected.append(
                    (label, "inflates far beyond its size (a zip bomb), not read")
                )
                continue
            try:
                with archive.open(member) as stream:
                    data = stream.read(max_bytes + 1)
                doc = parse_submission(data, max_bytes=max_bytes)
            except SubmissionError as exc:
                report.rejected.append((label, exc.reason))
                continue
            except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as exc:
                report.rejected.append((label, f"cannot be read from the zip file ({exc})"))
                continue
            found.append(_Found(label, doc, info.st_uid, info.st_mtime_ns))
