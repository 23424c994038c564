"""Read and check one reflection submission file (format version 1).

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
import re
import stat
from functools import cache
from pathlib import Path
from typing import Any

from helpers.paths import data_path
from helpers.store import CHECKINS, GUIDELINES

FORMAT = "alliance-reflection"
FORMAT_VERSION = 1
MAX_BYTES = 256 * 1024
# The rated guidelines and check-ins are the reflection form's; the store defines them once.
RATING_ITEMS = GUIDELINES
CHECKIN_ITEMS = CHECKINS

_BOM = b"\xef\xbb\xbf"
_MAX_REASONS = 3

# What a valid value looks like, for fields checked by a pattern.
_PATTERN_HINTS = {
    "submission_id": "32 lowercase hex characters",
    "pseudonym": "16 to 64 letters, digits, '-' or '_'",
    "cohort": "1 to 32 letters, digits, '-' or '_'",
    "week": "an ISO week such as 2026-W48",
    "vignette": "a vignette id such as care-04",
    "option": "an option id such as b (1 to 8 lowercase letters or digits)",
}

# The course's synthetic sample class uses this cohort; the class view labels it "synthetic".
RESERVED_COHORT = "SYNTHETIC"


class SubmissionError(ValueError):
    """A submission file that cannot be used, with a plain ``reason`` saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def schema_path() -> Path:
    """The JSON Schema of format version 1 (data/schema/submission.schema.json)."""
    return data_path("schema", "submission.schema.json")


@cache
def _validator() -> Any:
    """The schema validator, compiled once per process (collect checks thousands of files)."""
    from jsonschema import Draft202012Validator, validators

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    # JSON Schema counts 7.0 as an integer; ratings in this course are whole numbers written
    # as such, so only real ints (and never booleans) pass.
    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: type(value) is int
    )
    strict = validators.extend(
        Draft202012Validator, validators={"pattern": _pattern}, type_checker=checker
    )
    return strict(schema)


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict) -> Any:
    """The schema's ``pattern`` with JSON Schema's meaning of ``$`` (end of text).

    Python's ``$`` also matches before a final newline, so "FALL26\\n" would pass.
    """
    from jsonschema import ValidationError

    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    if validator.is_type(instance, "string") and not re.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def load_submission(path: Path | str, *, max_bytes: int = MAX_BYTES) -> dict:
    """Read, parse and check one submission file; raise SubmissionError with the reason if bad.

    A symbolic link is refused, never followed; the size is checked before anything is read.
    """
    return parse_submission(_read_file(os.fspath(path), None, max_bytes), max_bytes=max_bytes)


def load_submission_at(dir_fd: int, name: str, *, max_bytes: int = MAX_BYTES) -> dict:
    """Like :func:`load_submission` for the entry ``name`` of an open folder.

    Used by ``collect`` so that every read stays inside the drop folder.
    """
    if "/" in name or name in {"", ".", ".."}:
        raise SubmissionError("not a plain file name")
    return parse_submission(_read_file(name, dir_fd, max_bytes), max_bytes=max_bytes)


def _read_file(path: str, dir_fd: int | None, max_bytes: int) -> bytes:
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
                raise ValueError(f"field {_show(key)} appears twice in one object")
            seen.add(key)
    return doc


def validate_submission(doc: Any) -> None:
    """Check an already parsed submission; raise SubmissionError listing what is wrong.

    The trainee side calls this before writing a file, so nothing invalid is ever shared.
    """
    if not isinstance(doc, dict):
        raise SubmissionError(f"holds {_json_kind(doc)}, not a submission object")
    if doc.get("format") != FORMAT:
        if "format" not in doc:
            raise SubmissionError("not an Alliance Lab reflection (missing field 'format')")
        raise SubmissionError(
            f"not an Alliance Lab reflection (format is {_show(doc['format'])},"
            f" expected {_show(FORMAT)})"
        )
    version = doc.get("format_version")
    if type(version) is int and version > FORMAT_VERSION:
        raise SubmissionError(
            f"format_version {version} is newer than this course understands"
            f" ({FORMAT_VERSION}); update the course"
        )
    if version != FORMAT_VERSION or type(version) is not int:
        if "format_version" not in doc:
            raise SubmissionError("missing field 'format_version'")
        raise SubmissionError(
            f"format_version is {_show(version)}; this course reads format_version {FORMAT_VERSION}"
        )
    if not _quick_valid(doc):
        _raise_schema_errors(doc)
    year, week = int(doc["week"][:4]), int(doc["week"][6:])
    try:
        _dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise SubmissionError(
            f"week {_show(doc['week'])} does not exist in the ISO calendar"
        ) from None
    if doc["cohort"].upper() == RESERVED_COHORT:
        raise SubmissionError(
            f"class code {RESERVED_COHORT} is reserved for the course's sample data"
            " (share again with the class code your instructor gave)"
        )


_ID = re.compile(r"[0-9a-f]{32}")
_PSEUDONYM = re.compile(r"[A-Za-z0-9_-]{16,64}")
_COHORT = re.compile(r"[A-Za-z0-9_-]{1,32}")
_WEEK = re.compile(r"[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])")
_VIGNETTE = re.compile(r"[a-z]+-[0-9]{2}")
_OPTION = re.compile(r"[a-z0-9]{1,8}")
_TOP_KEYS = frozenset(
    "format format_version submission_id pseudonym cohort week session role ratings checkins"
    " choices text".split()
)
_CHOICE_KEYS = frozenset(("vignette", "option", "attempts"))


def _whole(value: Any, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _scores(value: Any, items: tuple[str, ...]) -> bool:
    return (
        type(value) is dict
        and len(value) == len(items)
        and all(_whole(value.get(item), 0, 10) for item in items)
    )


def _text_ok(pattern: re.Pattern[str], value: Any) -> bool:
    return type(value) is str and pattern.fullmatch(value) is not None


def _quick_valid(doc: dict) -> bool:
    """True only for a document the schema accepts; the schema explains anything else.

    The same rules as data/schema/submission.schema.json, written out by hand because
    collecting a big class must not spend half a millisecond per file in a generic validator.
    tests/test_submission.py checks that both always agree.
    """
    if not _TOP_KEYS.issuperset(doc) or len(doc) < len(_TOP_KEYS) - 1:
        return False
    if "text" in doc and not (type(doc["text"]) is str and len(doc["text"]) <= 5000):
        return False
    choices = doc.get("choices")
    if type(choices) is not list or len(choices) > 500:
        return False
    for choice in choices:
        if not (
            type(choice) is dict
            and len(choice) == 3
            and _text_ok(_VIGNETTE, choice.get("vignette"))
            and _text_ok(_OPTION, choice.get("option"))
            and _whole(choice.get("attempts"), 1, 100)
        ):
            return False
    return (
        doc.get("format") == FORMAT
        and type(doc.get("format_version")) is int
        and doc["format_version"] == FORMAT_VERSION
        and _text_ok(_ID, doc.get("submission_id"))
        and _text_ok(_PSEUDONYM, doc.get("pseudonym"))
        and _text_ok(_COHORT, doc.get("cohort"))
        and _text_ok(_WEEK, doc.get("week"))
        and _whole(doc.get("session"), 1, 50)
        and doc.get("role") in ("counselor", "client")
        and _scores(doc.get("ratings"), RATING_ITEMS)
        and _scores(doc.get("checkins"), CHECKIN_ITEMS)
    )


def _raise_schema_errors(doc: dict) -> None:
    errors = sorted(_validator().iter_errors(doc), key=_error_order)
    if errors:
        reasons: list[str] = []
        for error in errors:
            reason = _plain(error)
            if reason not in reasons:
                reasons.append(reason)
        shown = "; ".join(reasons[:_MAX_REASONS])
        if len(reasons) > _MAX_REASONS:
            shown += f" (and {len(reasons) - _MAX_REASONS} more problems)"
        raise SubmissionError(shown)
    # Only reachable if the hand-written check and the schema ever drift apart.
    raise SubmissionError(f"does not match format version {FORMAT_VERSION}")


def _error_order(error: Any) -> tuple:
    return (len(error.absolute_path) > 0, [str(p) for p in error.absolute_path])


def _field(path: Any) -> str:
    """``ratings.safety`` or ``choices[2].attempts`` for a jsonschema error path."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the submission"


def _plain(error: Any) -> str:
    """One jsonschema error in words a course instructor can act on."""
    kind = error.validator
    where = _field(error.absolute_path)
    value = error.instance
    schema = error.schema
    prefix = "" if not error.absolute_path else f"{where}."
    if kind == "required":
        missing = [name for name in error.validator_value if name not in value]
        names = ", ".join(f"'{prefix}{name}'" for name in missing)
        return f"missing field{'s' if len(missing) > 1 else ''} {names}"
    if kind == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extra = sorted(str(k) for k in value if k not in allowed)
        names = ", ".join(_show(prefix + k) for k in extra)
        return f"extra field {names} is not part of format version {FORMAT_VERSION}"
    if kind == "type":
        wanted = {"integer": "a whole number", "string": "text", "object": "an object"}
        wanted_text = wanted.get(str(error.validator_value), str(error.validator_value))
        if error.validator_value == "array":
            wanted_text = "a list"
        found = _json_kind(value)
        if value is not None and not isinstance(value, bool | dict | list):
            found += f" ({_show(value)})"
        return f"{where} should be {wanted_text}, not {found}"
    if kind in {"minimum", "maximum"}:
        low, high = schema.get("minimum"), schema.get("maximum")
        return f"{where} is {value}; it must be from {low} to {high}"
    if kind == "pattern":
        hint = _PATTERN_HINTS.get(str(error.absolute_path[-1]), "the documented format")
        return f"{where} {_show(value)} is not valid; use {hint}"
    if kind == "enum":
        options = " or ".join(str(v) for v in error.validator_value)
        return f"{where} is {_show(value)}; it must be {options}"
    if kind == "const":
        return f"{where} is {_show(value)}; it must be {_show(error.validator_value)}"
    if kind == "maxItems":
        return f"{where} has {len(value)} entries; at most {error.validator_value} are allowed"
    if kind == "maxLength":
        return (
            f"{where} is {len(value)} characters long; at most {error.validator_value} are allowed"
        )
    return f"{where}: {error.message[:120]}"


def _json_kind(value: Any) -> str:
    """What kind of JSON value this is, in words ("text", "a list", ...)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: Any, limit: int = 40) -> str:
    """A short, printable rendering of a value from an untrusted file (escapes control codes)."""
    if isinstance(value, dict | list):
        return _json_kind(value)
    shown = json.dumps(value, ensure_ascii=True)
    if isinstance(value, str):
        shown = "'" + shown[1:-1].replace("'", "\\'") + "'"
    if len(shown) <= limit:
        return shown
    return shown[: limit - 4] + ("...'" if isinstance(value, str) else "...")


def printable_name(name: str) -> str:
    """A file name as shown in a terminal: control characters escaped, never interpreted.

    Names in a drop folder are chosen by whoever wrote the file, so they may hold escape codes.
    """
    if name.isprintable():
        return name
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in name)
