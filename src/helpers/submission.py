"""Read and check one reflection submission file (format version 2, or 1 from before).

The trainee side writes these files (``alliance export``); the instructor side reads them
(``alliance collect``, the class notebook). Both use this module, so a file is judged the same
way everywhere. Every problem becomes a :class:`SubmissionError` whose ``reason`` is one short
sentence an instructor can act on; nothing here ever follows a symbolic link or reads more than
``max_bytes``.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import stat
from functools import cache
from typing import Any

from helpers.schemas import findings, show, type_word, validator
from helpers.vocabulary import FORMAT, FORMAT_VERSION
from helpers.vocabulary import SYNTHETIC_COHORT as RESERVED_COHORT

READ_VERSIONS = (1, 2, 3)  # what is still read; FORMAT_VERSION is what is written
MAX_BYTES = 256 * 1024

_BOM = b"\xef\xbb\xbf"
_MAX_REASONS = 3


class SubmissionError(ValueError):
    """A submission file that cannot be used, with a plain ``reason`` saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@cache
def _validator() -> Any:
    """The schema validator, compiled once per process and looked up once: collect checks
    thousands of files with it."""
    return validator("submission")


def load_submission_at(dir_fd: int, name: str, *, max_bytes: int = MAX_BYTES) -> dict:
    """Read, parse and check the entry ``name`` of an open folder; raise SubmissionError with
    the reason if bad.

    Every read stays inside the folder (``collect`` reads a drop folder this way). A symbolic
    link is refused, never followed; the size is checked before anything is read.
    """
    if "/" in name or name in {"", ".", ".."}:
        raise SubmissionError("not a plain file name")
    return parse_submission(_read_file(name, dir_fd, max_bytes), max_bytes=max_bytes)


def _read_file(path: str, dir_fd: int, max_bytes: int) -> bytes:
    try:
        info = os.lstat(path, dir_fd=dir_fd)
    except FileNotFoundError:
        raise SubmissionError("file not found") from None
    except OSError as exc:
        raise SubmissionError(f"cannot be read ({exc.strerror or exc})") from None
    _check_kind_and_size(info, max_bytes)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # it became a symbolic link after lstat
            raise SubmissionError("is a symbolic link (never followed)") from None
        raise SubmissionError(f"cannot be read ({exc.strerror or exc})") from None
    try:
        _check_kind_and_size(os.fstat(fd), max_bytes)  # the file we opened, not the name
        chunks = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise SubmissionError(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > max_bytes:
        raise SubmissionError(f"too large (a submission is at most {_size(max_bytes)})")
    return raw


def _check_kind_and_size(info: os.stat_result, max_bytes: int) -> None:
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        raise SubmissionError("is a symbolic link (never followed)")
    if stat.S_ISDIR(mode):
        raise SubmissionError("is a folder, not a submission file")
    if not stat.S_ISREG(mode):
        raise SubmissionError("not a regular file")
    if info.st_size > max_bytes:
        raise SubmissionError(
            f"too large ({_size(info.st_size)}; a submission is at most {_size(max_bytes)})"
        )
    if info.st_size == 0:
        raise SubmissionError("empty file")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def parse_submission(raw: bytes, *, max_bytes: int = MAX_BYTES) -> dict:
    """Decode and check the bytes of one submission file (a UTF-8 BOM is accepted)."""
    if len(raw) > max_bytes:
        raise SubmissionError(f"too large (a submission is at most {_size(max_bytes)})")
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise SubmissionError(
            f"not UTF-8 text (byte 0x{bad} at position {exc.start}); save it as UTF-8"
        ) from None
    if not text.strip():
        raise SubmissionError("empty file")
    try:
        doc = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise SubmissionError(
                f"incomplete JSON: the file ends early (line {exc.lineno}, column {exc.colno});"
                " it may have been cut off while being copied"
            ) from None
        raise SubmissionError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise SubmissionError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # NaN/Infinity, duplicate keys, absurdly long numbers
        raise SubmissionError(str(exc)) from None
    validate_submission(doc)
    return doc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"contains {name}, which is not a number a rating can have (use 0 to 10)")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"field {show(key)} appears twice in one object")
            seen.add(key)
    return doc


def validate_submission(doc: Any) -> None:
    """Check an already parsed submission; raise SubmissionError listing what is wrong.

    The trainee side calls this before writing a file, so nothing invalid is ever shared.
    """
    if not isinstance(doc, dict):
        raise SubmissionError(f"holds {type_word(doc)}, not a submission object")
    if doc.get("format") != FORMAT:
        if "format" not in doc:
            raise SubmissionError("not an Alliance Lab reflection (missing field 'format')")
        raise SubmissionError(
            f"not an Alliance Lab reflection (format is {show(doc['format'])},"
            f" expected {show(FORMAT)})"
        )
    version = doc.get("format_version")
    if type(version) is int and version > FORMAT_VERSION:
        raise SubmissionError(
            f"format_version {version} is newer than this course understands"
            f" ({FORMAT_VERSION}); update the course"
        )
    if version not in READ_VERSIONS or type(version) is not int:
        if "format_version" not in doc:
            raise SubmissionError("missing field 'format_version'")
        raise SubmissionError(
            f"format_version is {show(version)}; this course reads format_version "
            + ", ".join(map(str, READ_VERSIONS[:-1]))
            + f" or {READ_VERSIONS[-1]}"
        )
    _raise_schema_errors(doc)
    year, week = int(doc["week"][:4]), int(doc["week"][6:])
    try:
        _dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise SubmissionError(
            f"week {show(doc['week'])} does not exist in the ISO calendar"
        ) from None
    if doc["cohort"].upper() == RESERVED_COHORT:
        raise SubmissionError(
            f"class code {RESERVED_COHORT} is reserved for the course's sample data"
            " (share again with the class code your instructor gave)"
        )


def _raise_schema_errors(doc: dict) -> None:
    if _validator().is_valid(doc):
        return  # most files: no errors to gather and explain
    reasons = [
        f"{found.field}: {found.message}" if found.field else found.message
        for found in findings(_validator(), doc)
    ]
    if reasons:
        shown = "; ".join(reasons[:_MAX_REASONS])
        if len(reasons) > _MAX_REASONS:
            shown += f" (and {len(reasons) - _MAX_REASONS} more problems)"
        raise SubmissionError(shown)


def printable_name(name: str) -> str:
    """A file name as shown in a terminal: control characters escaped, never interpreted.

    Names in a drop folder are chosen by whoever wrote the file, so they may hold escape codes.
    """
    if name.isprintable():
        return name
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in name)
