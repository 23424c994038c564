"""The course's JSON Schemas (``data/schema/*.schema.json``), checked with jsonschema.

Vignette files and reflection submissions are both judged here, by the same validator and the
same explainer, so an author and an instructor read the same plain words for the same mistake.
Adding an optional field to a schema is all it takes for the course to accept it.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from helpers.paths import course_file

# What a value of a pattern-checked field looks like, in words (keyed by the schema's pattern).
_PATTERN_HINTS = {
    "^[a-z]+-[0-9]{2}$": "a vignette id is lowercase letters, a hyphen and two digits, "
    "like 'care-04'",
    "^[a-z0-9]{1,8}$": "an option id is a short lowercase id like 'a' or 'b'",
    "^[a-z0-9][a-z0-9_-]*$": "a step id is lowercase letters, digits, '-' or '_', like 'open'",
    "^[0-9a-f]{32}$": "a submission id is 32 lowercase hex characters",
    "^[A-Za-z0-9_-]{16,64}$": "a pseudonym is 16 to 64 letters, digits, '-' or '_'",
    "^[A-Za-z0-9_-]{1,32}$": "a class code is 1 to 32 letters, digits, '-' or '_'",
    "^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$": "a week is an ISO week such as 2026-W48",
    "^[A-Z]{2}$": "a country code is two capital letters, like 'US'",
    "^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$": "a check date is a year and "
    "month or a whole date, like '2026-11' or '2026-11-20'",
    "^https://[^\\s]+$": "a web address starts with https:// and has no spaces",
    "^[0-9][0-9 -]*[0-9]$": "a phone number is digits with spaces or hyphens, like '116 123'",
}

_WANTED = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list (one '- item' per line, or [a, b])",
    "object": "a mapping of fields (name: value)",
}

_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "'": "\\'", "\\": "\\\\"}

_ANNOTATIONS = {"title", "description", "$comment", "examples", "default"}

# A field's description is quoted as a hint when it is short enough to read in one line.
_HINT_LENGTH = 120


@dataclass(frozen=True)
class Finding:
    """One thing a schema rejects: where (``path`` into the document, ``field`` as text) and
    what to do about it, in plain words."""

    path: tuple[str | int, ...]
    field: str
    message: str


def schema_file(name: str) -> Path:
    """The schema ``data/schema/<name>.schema.json``; the course's own copy if ALLIANCE_DATA
    points at a folder without one (an instructor's vignettes only)."""
    return course_file("schema", f"{name}.schema.json")


def validator(name: str, definition: str | None = None) -> Any:
    """A Draft 2020-12 validator for one schema (or one of its ``$defs``), compiled once per
    schema file.

    Two choices stricter than plain jsonschema: a whole number is an int (7.0 and true are
    not), and ``$`` ends the text (Python's ``$`` would let "FALL26\\n" through).
    """
    return _compiled(schema_file(name), definition)


@cache
def _compiled(path: Path, definition: str | None) -> Any:
    jsonschema = _import_jsonschema()
    schema = json.loads(path.read_text("utf-8"))
    if definition is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": definition}
    schema = _inline_refs(schema, schema.get("$defs", {}), ())
    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine("integer", lambda _checker, value: type(value) is int)
    strict = jsonschema.validators.extend(
        base, validators={"pattern": _pattern}, type_checker=checker
    )
    return strict(schema)


def _inline_refs(node: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> Any:
    """The schema with each local ``$ref`` replaced by the definition it names.

    Same meaning, about a third less work per document for jsonschema (no reference lookups
    while validating), which matters when ``collect`` reads a big class. A reference in a
    cycle is kept as it is.
    """
    if isinstance(node, list):
        return [_inline_refs(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline_refs(v, defs, seen) for k, v in node.items() if k != "$defs" or not seen}
    name = str(out.get("$ref", "")).removeprefix("#/$defs/")
    if name not in defs or name in seen:
        return out
    del out["$ref"]
    target = _inline_refs(defs[name], defs, (*seen, name))
    if (set(out) & set(target)) - _ANNOTATIONS:  # both constrain one keyword: both must hold
        return {"allOf": [out, target]}
    return {**target, **out}


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict) -> Any:
    if validator.is_type(instance, "string") and not _anchored(pattern).search(instance):
        from jsonschema import ValidationError

        yield ValidationError(f"{instance!r} does not match {_anchored(pattern).pattern!r}")


@cache
def _anchored(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled once, with a final ``$`` that ends the text, as JSON Schema means."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _import_jsonschema() -> Any:
    """Import jsonschema without its optional 'iri' format checker.

    That checker's library (rfc3987-syntax) builds a grammar at import time, which takes
    seconds on a small hub; the course never checks formats, so it is skipped.
    """
    skip = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
    if skip:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import jsonschema
        import jsonschema.validators
    finally:
        if skip:
            del sys.modules["rfc3987_syntax"]
    return jsonschema


def findings(schema_validator: Any, document: Any) -> list[Finding]:
    """Everything the schema rejects in ``document``, explained, top-level fields first and
    each finding once."""
    errors = sorted(schema_validator.iter_errors(document), key=_error_order)
    out: list[Finding] = []
    for error in errors:
        for finding in explain(error):
            if finding not in out:
                out.append(finding)
    return out


def _error_order(error: Any) -> tuple:
    return (len(error.absolute_path) > 0, [str(p) for p in error.absolute_path])


def explain(error: Any) -> list[Finding]:
    """One jsonschema error in words an author or instructor can act on."""
    path = tuple(error.absolute_path)
    kind, schema, value = error.validator, error.schema, error.instance
    wanted = error.validator_value
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = sorted((k for k in value if k not in allowed), key=str)
        return [
            Finding(
                (*path, extra),
                field_name((*path, extra)),
                f"unknown field '{show_text(extra)}' — allowed fields are {', '.join(allowed)}",
            )
            for extra in extras
        ]
    if kind == "required":
        out = []
        for name in wanted:
            if isinstance(value, dict) and name not in value:
                hint = schema.get("properties", {}).get(name, {}).get("description", "")
                hint = f" ({hint.rstrip('.')})" if hint and len(hint) <= _HINT_LENGTH else ""
                message = f"missing required field '{name}' — add it{hint}"
                out.append(Finding((*path, name), field_name((*path, name)), message))
        return out
    if kind == "type":
        message = f"should be {_WANTED.get(str(wanted), str(wanted))}, but is {type_word(value)}"
        if wanted == "string" and isinstance(value, bool):
            message += " (if you meant the word, put it in quotes)"
    elif kind in ("enum", "const"):
        choices = wanted if kind == "enum" else [wanted]
        message = f"{show(value)} is not allowed — use one of: {', '.join(map(str, choices))}"
    elif kind == "pattern":
        hint = _PATTERN_HINTS.get(wanted, f"it must match {wanted}")
        message = f"{show(value)} has the wrong form — {hint}"
    elif kind == "minLength":
        message = "is empty — write the text" if wanted == 1 else f"needs {wanted} characters"
    elif kind == "maxLength":
        message = f"has {len(value)} characters but allows at most {wanted}"
    elif kind == "minItems":
        message = f"has {len(value)} items but needs at least {wanted}"
    elif kind == "maxItems":
        message = f"has {len(value)} items but allows at most {wanted}"
    elif kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        message = f"is {value} but must be between {low} and {high}"
    elif kind == "uniqueItems":
        message = "lists the same entry twice — remove the repeat"
    elif kind == "not" and schema == {"not": {}}:  # a field this format version does not have
        message = "is not part of this format_version — leave it out or use the newest version"
    else:
        message = error.message[:120]
    return [Finding(path, field_name(path), message)]


def field_name(path: Iterable[Any]) -> str:
    """``exercise.options[1].id`` for a path into a document."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def type_word(value: Any) -> str:
    """What kind of value this is, in words."""
    if value is None:
        return "nothing (empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"text ({show(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of fields"
    return f"a {type(value).__name__} (put it in quotes if it is text)"


def show(value: Any, limit: int = 40) -> str:
    """A short, printable rendering of a value from an untrusted file: control codes escaped,
    long text cut."""
    if isinstance(value, dict | list):
        return type_word(value)
    if isinstance(value, str):
        return f"'{show_text(value, limit)}'"
    return show_text(json.dumps(value), limit)


def show_text(text: Any, limit: int = 40) -> str:
    """Text with control codes escaped and quotes marked, cut to ``limit`` characters."""
    shown = "".join(
        _ESCAPES.get(ch) or (ch if ch.isprintable() else f"\\u{ord(ch):04x}") for ch in str(text)
    )
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
