"""The vignette bank: every vignette in ``data/vignettes/*.yaml``, checked and ready to show.

A broken file or vignette never stops the course: it is recorded as a :class:`Problem` (with
file, line, vignette and field, in plain words) and every valid vignette still loads. The same
checks power ``alliance validate``, so authors see exactly what a trainee would run into.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helpers.paths import data_path

GUIDELINES = ("safety", "care", "understanding", "focus", "rupture-repair", "boundaries")
DIFFICULTIES = ("beginner", "intermediate", "advanced")
DIMENSIONS = ("goal", "task", "bond")
KINDS = ("choose", "rate", "practice", "dialogue", "spot")

MAX_FILE_BYTES = 1_000_000
MIN_DIALOGUE_TURNS = 3
_BOM = b"\xef\xbb\xbf"

PathsArg = Iterable[str | os.PathLike[str]] | str | os.PathLike[str]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a vignette file, located and explained in plain words."""

    file: str
    line: int | None
    vignette: str | None
    field: str | None
    message: str
    level: str = "error"  # "error" or "warning" (warnings never fail a check)

    def __str__(self) -> str:
        where = Path(self.file).name + (f":{self.line}" if self.line else "")
        parts = []
        if self.vignette:
            parts.append(f"vignette '{_short(self.vignette)}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        label = f"{where}: " + (", ".join(parts) + ": " if parts else "")
        prefix = "warning: " if self.level == "warning" else ""
        return prefix + label + self.message

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "vignette": self.vignette,
            "field": self.field,
            "message": self.message,
            "level": self.level,
        }


@dataclass(frozen=True)
class Vignette:
    """One vignette as the exercises use it (text fields are raw Markdown-subset strings)."""

    id: str
    title: str
    guidelines: tuple[str, ...]
    dimension: str
    difficulty: str
    context: str
    says: str
    exercise: dict[str, Any] = field(hash=False)
    sources: tuple[str, ...]
    topic: str
    file: str
    line: int

    @property
    def kind(self) -> str:
        return self.exercise["kind"]


class VignetteError(Exception):
    """A vignette cannot be shown; the message says why and what to do."""


class Bank:
    """The loaded vignettes plus every problem found while loading them."""

    def __init__(self) -> None:
        self.vignettes: dict[str, Vignette] = {}
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.broken: dict[str, list[Problem]] = {}
        self.files: list[str] = []

    def __repr__(self) -> str:
        return (
            f"<Bank: {len(self.vignettes)} vignettes in {len(self.files)} files, "
            f"{len(self.problems)} problems>"
        )

    def get(self, vignette_id: str) -> Vignette:
        """The vignette with this id, or a :class:`VignetteError` saying what is wrong."""
        if vignette_id in self.broken:
            found = self.broken[vignette_id]
            listed = "; ".join(str(p) for p in found[:5])
            more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
            raise VignetteError(
                f"vignette '{vignette_id}' cannot be shown because its file has "
                f"{_plural(len(found), 'problem')}: {listed}{more}. "
                "Run 'alliance validate' to see every problem, or tell your instructor."
            )
        try:
            return self.vignettes[vignette_id]
        except (KeyError, TypeError):
            pass
        known = self.ids()
        message = f"no vignette {vignette_id!r}"
        close = difflib.get_close_matches(str(vignette_id), known + list(self.broken), n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
        elif known:
            message += f"; ids look like '{known[0]}' ({_plural(len(known), 'vignette')} loaded)"
        else:
            message += "; no vignettes are loaded"
        unread = sorted({Path(p.file).name for p in self.problems if p.vignette is None})
        if unread:
            message += f" (these files have problems: {', '.join(unread)})"
        raise VignetteError(message)

    def by_topic(self, topic: str) -> list[Vignette]:
        """The valid vignettes of one topic file, in file order."""
        return [v for v in self.vignettes.values() if v.topic == topic]

    def ids(self) -> list[str]:
        """Ids of the valid vignettes, in load order (files sorted, then file order)."""
        return list(self.vignettes)

    def __contains__(self, vignette_id: object) -> bool:
        return vignette_id in self.vignettes

    def __len__(self) -> int:
        return len(self.vignettes)

    def __iter__(self):
        return iter(self.vignettes.values())


# ---------------------------------------------------------------------------------------------
# YAML with line numbers


class _Map(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    __slots__ = ("line", "key_lines")


class _Seq(list):
    """A YAML sequence that remembers its own line and the line of each item."""

    __slots__ = ("line", "item_lines")


class _AliasError(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("anchors and aliases")
        self.mark = mark


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_SCALARS = yaml.SafeLoader.yaml_constructors
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Builder:
    """Turns composed YAML nodes into :class:`_Map`/:class:`_Seq`/scalars with line numbers.

    Only plain YAML is accepted (no anchors, aliases, merge keys or custom tags): vignette
    files are text, and aliases could make a small file expand into a huge one.
    """

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.duplicate_keys: list[tuple[int, str]] = []

    def build(self, node: yaml.Node) -> Any:
        if id(node) in self.seen:
            raise _AliasError(node.start_mark)
        self.seen.add(id(node))
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _MAP:
            data = _Map()
            data.line = node.start_mark.line + 1
            data.key_lines = lines = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    raise _AliasError(key_node.start_mark)
                key = self.build(key_node)
                try:
                    hash(key)
                except TypeError:
                    key = str(key)
                line = key_node.start_mark.line + 1
                if key in lines:
                    self.duplicate_keys.append((line, str(key)))
                lines[key] = line
                data[key] = self.build(value_node)
            return data
        if tag == _SEQ:
            data = _Seq(self.build(item) for item in node.value)
            data.line = node.start_mark.line + 1
            data.item_lines = [item.start_mark.line + 1 for item in node.value]
            return data
        if isinstance(node, yaml.ScalarNode) and tag in _SCALARS:
            try:
                return _SCALARS[tag](_SCALAR_CONSTRUCTOR, node)
            except (ValueError, OverflowError) as exc:  # e.g. a date like 2026-02-30
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"cannot read {node.value!r} ({exc}); put it in quotes",
                    node.start_mark,
                ) from None
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {tag!r} is not allowed here", node.start_mark
        )


# ---------------------------------------------------------------------------------------------
# the schema, compiled once


_SCHEMA: dict[str, Any] | None = None
_VALIDATOR = None
_QUICK_CHECK = None


def _schema() -> dict[str, Any]:
    """The vignette schema; the course's own copy if ALLIANCE_DATA points at a folder
    without one (an instructor's vignettes only)."""
    global _SCHEMA
    if _SCHEMA is None:
        path = data_path("schema", "vignette.schema.json")
        if not path.is_file():
            here = Path(__file__).resolve().parent
            bundled = here / "_data" / "schema" / "vignette.schema.json"
            repo = here.parents[1] / "data" / "schema" / "vignette.schema.json"
            path = bundled if bundled.is_file() else repo
        _SCHEMA = json.loads(path.read_text("utf-8"))
    return _SCHEMA


def _validator():
    """A Draft 2020-12 validator for one vignette, compiled on first use.

    It is only needed to explain a vignette that fails the quick check, so a bank with no
    problems never even imports jsonschema.
    """
    global _VALIDATOR
    if _VALIDATOR is None:
        Draft202012Validator = _import_validator()

        schema = _schema()
        one = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/vignette"}
        _VALIDATOR = Draft202012Validator(one)
    return _VALIDATOR


def _import_validator():
    """Import jsonschema without its optional 'iri' format checker.

    That checker's library (rfc3987-syntax) builds a grammar at import time, which takes
    seconds on a small hub; the course never checks formats, so it is skipped.
    """
    import sys

    skip = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
    if skip:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        from jsonschema import Draft202012Validator
    finally:
        if skip:
            del sys.modules["rfc3987_syntax"]
    return Draft202012Validator


def _quick_check():
    """A yes/no check of one vignette against the schema, compiled to plain Python closures.

    Same answer as jsonschema for the keywords the vignette schema uses (a schema keyword it
    does not know raises, so the two cannot drift apart silently), about ten times faster.
    """
    global _QUICK_CHECK
    if _QUICK_CHECK is None:
        defs = _schema()["$defs"]
        _QUICK_CHECK = _compile({"$ref": "#/$defs/vignette"}, defs, {})
    return _QUICK_CHECK


_NOTES = {"title", "description", "$schema", "$defs", "$comment", "default", "examples"}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer()
    ),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def _compile(schema: dict[str, Any], defs: dict[str, Any], done: dict[str, Any]):
    checks: list[Any] = []
    unknown = set(schema) - _NOTES - {
        "$ref", "type", "enum", "const", "pattern", "minLength", "minItems", "maxItems",
        "uniqueItems", "minimum", "maximum", "properties", "required",
        "additionalProperties", "items", "allOf", "if", "then",
    }  # fmt: skip
    if unknown or schema.get("additionalProperties", False) is not False:
        raise ValueError(f"the quick check does not know {sorted(unknown)}")
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        if name not in done:
            done[name] = None
            done[name] = _compile(defs[name], defs, done)
        compiled = done[name]
        # a definition still being compiled (a cycle) is looked up when it is used
        checks.append(compiled if compiled else lambda v, name=name: done[name](v))
    if "type" in schema:
        checks.append(_TYPES[schema["type"]])
    if "enum" in schema:
        options = schema["enum"]
        checks.append(lambda v: any(_same(v, o) for o in options))
    if "const" in schema:
        const = schema["const"]
        checks.append(lambda v: _same(v, const))
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    if "minLength" in schema:
        n = schema["minLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) >= n)
    if "minItems" in schema:
        n_min = schema["minItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) >= n_min)
    if "maxItems" in schema:
        n_max = schema["maxItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) <= n_max)
    if schema.get("uniqueItems"):
        checks.append(lambda v: not isinstance(v, list) or _unique(v))
    if "minimum" in schema:
        lo = schema["minimum"]
        checks.append(lambda v: not _is_number(v) or v >= lo)
    if "maximum" in schema:
        hi = schema["maximum"]
        checks.append(lambda v: not _is_number(v) or v <= hi)
    if "properties" in schema or "required" in schema:
        props = {k: _compile(sub, defs, done) for k, sub in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        closed = schema.get("additionalProperties") is False

        def check_object(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key in required:
                if key not in v:
                    return False
            for key, value in v.items():
                check = props.get(key)
                if check is None:
                    if closed:
                        return False
                elif not check(value):
                    return False
            return True

        checks.append(check_object)
    if "items" in schema:
        item = _compile(schema["items"], defs, done)
        checks.append(lambda v: not isinstance(v, list) or all(map(item, v)))
    for sub in schema.get("allOf", ()):
        checks.append(_compile(sub, defs, done))
    if "if" in schema:
        test = _compile(schema["if"], defs, done)
        then = _compile(schema.get("then", {}), defs, done)
        checks.append(lambda v: not test(v) or then(v))
    return _all_of(checks)


def _all_of(checks: list[Any]):
    """One predicate that is true when every check is (without a generator per call)."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    first, rest = checks[0], _all_of(checks[1:])
    return lambda v: first(v) and rest(v)


def _unique(items: list[Any]) -> bool:
    try:
        return len({(type(x) is bool, x) for x in items}) == len(items)
    except TypeError:
        return all(not _same(a, b) for i, a in enumerate(items) for b in items[i + 1 :])


def _type_word(value: Any) -> str:
    if value is None:
        return "nothing (empty)"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (if you meant the word, put it in quotes)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of fields"
    return f"a {type(value).__name__} (put it in quotes if it is text)"


_WANTED = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list (one '- item' per line, or [a, b])",
    "object": "a mapping of fields (name: value)",
}

_PATTERN_HINTS = {
    "^[a-z]+-[0-9]{2}$": "a vignette id is lowercase letters, a hyphen and two digits, "
    "like 'care-04'",
    "^[a-z0-9]{1,8}$": "an option id is a short lowercase id like 'a' or 'b'",
    "^[a-z0-9][a-z0-9_-]*$": "a step id is lowercase letters, digits, '-' or '_', like 'open'",
}


def _field_name(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _locate(instance: Any, path: Iterable[Any]) -> int | None:
    """The line of the node at ``path`` inside ``instance`` (key line for mapping values)."""
    line = getattr(instance, "line", None)
    node = instance
    for part in path:
        if isinstance(node, _Map) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, _Seq) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def _schema_messages(error, vignette: _Map) -> list[tuple[int | None, str, str]]:
    """Plain-words (line, field, message) triples for one jsonschema error."""
    path = list(error.absolute_path)
    where = _field_name(path)
    v, schema, value = error.validator, error.schema, error.instance
    if v == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        out = []
        for extra in sorted((k for k in value if k not in allowed), key=str):
            out.append(
                (
                    _locate(vignette, [*path, extra]),
                    _field_name([*path, extra]),
                    f"unknown field '{extra}' — allowed fields are {', '.join(allowed)}",
                )
            )
        return out
    if v == "required":
        out = []
        for name in error.validator_value:
            if isinstance(value, dict) and name not in value:
                hint = schema.get("properties", {}).get(name, {}).get("description", "")
                hint = f" ({hint.rstrip('.')})" if hint else ""
                message = f"missing required field '{name}' — add it{hint}"
                out.append((_locate(vignette, path), _field_name([*path, name]), message))
        return out
    line = _locate(vignette, path)
    if v == "type":
        wanted = _WANTED.get(str(error.validator_value), str(error.validator_value))
        message = f"should be {wanted}, but is {_type_word(value)}"
    elif v in ("enum", "const"):
        choices = error.validator_value if v == "enum" else [error.validator_value]
        message = f"{_short(value)!r} is not allowed — use one of: {', '.join(map(str, choices))}"
    elif v == "pattern":
        hint = _PATTERN_HINTS.get(error.validator_value, f"it must match {error.validator_value}")
        message = f"{_short(value)!r} has the wrong form — {hint}"
    elif v == "minLength":
        message = "is empty — write the text"
    elif v == "minItems":
        message = f"has {len(value)} items but needs at least {error.validator_value}"
    elif v == "maxItems":
        message = f"has {len(value)} items but allows at most {error.validator_value}"
    elif v in ("minimum", "maximum"):
        lo, hi = schema.get("minimum"), schema.get("maximum")
        message = f"is {value} but must be between {lo} and {hi}"
    elif v == "uniqueItems":
        message = "lists the same entry twice — remove the repeat"
    else:
        message = error.message
    return [(line, where, message)]


# ---------------------------------------------------------------------------------------------
# loading


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


def _expand(paths: PathsArg) -> list[Path]:
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files: dict[Path, Path] = {}  # resolved -> as given; a file named twice is read once
    for item in paths:
        p = Path(item)
        found = (
            sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml")) if p.is_dir() else [p]
        )
        for q in found:
            files.setdefault(q.resolve(), q)
    return list(files.values())


def _default_files() -> list[Path]:
    folder = data_path("vignettes")
    return _expand(folder) if folder.is_dir() else []


def _reference_files() -> list[Path]:
    folder = data_path("references")
    return _expand(folder) if folder.is_dir() else []


_CACHE: dict[tuple, Bank] = {}
_CACHE_SIZE = 8


def load_bank(paths: PathsArg | None = None) -> Bank:
    """Load vignette files (default: every ``data/vignettes/*.yaml``) into a :class:`Bank`.

    Never raises for bad content: problems are recorded and valid vignettes still load. The
    result is cached on the files' paths, modification times and sizes, so notebooks can call
    this in every cell for free. Treat the returned bank as read-only.
    """
    files = _default_files() if paths is None else _expand(paths)
    refs = _reference_files()
    key = (tuple(_stamp(p) for p in files), tuple(_stamp(p) for p in refs))
    bank = _CACHE.get(key)
    if bank is None:
        bank = _build(files, refs)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = bank
    return bank


def validate_files(paths: PathsArg) -> tuple[Bank, list[Problem]]:
    """Check files against the schema and across the bank; returns errors and warnings
    (``problem.level``), ordered by file and line."""
    bank = load_bank(paths)
    found = sorted(bank.problems + bank.warnings, key=_order)
    return bank, found


def _order(p: Problem) -> tuple:
    return (p.file, p.line or 0, p.level != "error", p.vignette or "", p.field or "")


def _read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, bool]:
    """The parsed document (None after recording a plain-words problem), and whether the
    text has anything that looks like HTML (so clean files skip the per-field scan)."""
    name = str(path)

    def fail(message: str, line: int | None = None) -> None:
        problems.append(Problem(name, line, None, None, message))

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        fail("file not found — check the path")
        return None, False
    except OSError as exc:
        fail(f"cannot open the file ({exc.strerror}) — check the path and its permissions")
        return None, False
    if size > MAX_FILE_BYTES:
        fail(
            f"file is {size / 1_000_000:.1f} MB ({size:,} bytes); the limit is 1 MB "
            f"({MAX_FILE_BYTES:,} bytes) per vignette file — split it into smaller topic files "
            "(it was not read)"
        )
        return None, False
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read the file ({exc.strerror})")
        return None, False
    skip = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        line = raw.count(b"\n", 0, offset) + 1
        fail(
            f"byte {offset} (0x{raw[offset]:02x}) is not valid UTF-8 text — save the file "
            "with UTF-8 encoding",
            line,
        )
        return None, False
    builder = _Builder()
    try:
        node = yaml.compose(text, Loader=_BaseLoader)
        document = None if node is None else builder.build(node)
    except _AliasError as exc:
        fail(
            "anchors, aliases and merge keys (&name, *name, <<) are not allowed in vignette "
            "files — write the text out in full",
            exc.mark.line + 1,
        )
        return None, False
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "unreadable YAML"
        if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
            what += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        hint = (
            "indent with spaces, not tabs"
            if "tab" in what
            else "check the indentation, quotes and brackets around there"
        )
        if mark is not None:
            fail(
                f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {what} — "
                + hint,
                mark.line + 1,
            )
        else:
            fail(f"not valid YAML: {what}")
        return None, False
    except (yaml.YAMLError, ValueError) as exc:
        fail(f"not valid YAML: {exc}")
        return None, False
    except RecursionError:
        fail("the file is nested too deeply to read — vignettes need only a few levels")
        return None, False
    for line, key in builder.duplicate_keys:
        fail(f"the field '{key}' appears twice in the same place — keep only one", line)
    if document is None:
        fail(
            "the file is empty — start it with 'vignettes:' followed by a list of vignettes "
            "(see docs/authoring.md)",
            1,
        )
    return document, _HTML.search(text) is not None


def _build(files: list[Path], refs: list[Path]) -> Bank:
    bank = Bank()
    bank.files = [str(p) for p in files]
    reference_keys = _load_reference_keys(refs) if refs else None
    pending: list[tuple[str, _Map]] = []  # (file, raw vignette) for cross-bank checks
    for path in files:
        problems: list[Problem] = []
        document, has_html = _read_yaml(path, problems)
        if document is not None:
            _read_file(path, document, bank, problems, pending, has_html)
        bank.problems += problems
    bank.problems += _duplicate_ids(pending)
    # Everything so far makes a vignette unusable. Dangling links (sources, easier/harder)
    # are errors for authors but the vignette itself can still be shown.
    for problem in bank.problems:
        if problem.vignette is not None:
            bank.broken.setdefault(problem.vignette, []).append(problem)
    for vid in bank.broken:
        bank.vignettes.pop(vid, None)
    bank.problems += _link_checks(pending, reference_keys)
    return bank


def _read_file(
    path: Path,
    document: Any,
    bank: Bank,
    problems: list[Problem],
    pending: list[tuple[str, _Map]],
    has_html: bool = True,
) -> None:
    name = str(path)
    if not isinstance(document, dict):
        problems.append(
            Problem(
                name,
                getattr(document, "line", 1),
                None,
                None,
                f"the top level is {_type_word(document)}, but it must be a mapping with a "
                "'vignettes:' list — start the file with 'vignettes:' and indent the list "
                "under it",
            )
        )
        return
    for key in document:
        if key != "vignettes":
            problems.append(
                Problem(
                    name,
                    document.key_lines.get(key),
                    None,
                    str(key),
                    f"unknown field '{key}' at the top level — allowed fields are vignettes",
                )
            )
    if "vignettes" not in document:
        problems.append(
            Problem(
                name,
                document.line,
                None,
                "vignettes",
                "missing required field 'vignettes' — the file must have a 'vignettes:' list",
            )
        )
        return
    items = document["vignettes"]
    if not isinstance(items, list):
        problems.append(
            Problem(
                name,
                document.key_lines.get("vignettes"),
                None,
                "vignettes",
                f"should be a list of vignettes (each starting with '- id:'), but is "
                f"{_type_word(items)}",
            )
        )
        return
    quick_check = _quick_check()
    topic = path.stem
    for index, raw in enumerate(items):
        if not isinstance(raw, dict):
            problems.append(
                Problem(
                    name,
                    items.item_lines[index],
                    None,
                    f"vignettes[{index}]",
                    f"each vignette should be a mapping of fields (id:, title:, ...), but this "
                    f"one is {_type_word(raw)}",
                )
            )
            continue
        vid = raw.get("id")
        vid = str(vid) if vid is not None else None
        errors = [] if quick_check(raw) else list(_validator().iter_errors(raw))
        found: list[Problem] = []
        for error in errors:
            for line, where, message in _schema_messages(error, raw):
                problem = Problem(name, line, vid, where or None, message)
                if problem not in found:  # one 'required' error per name repeats the others
                    found.append(problem)
        if not errors:
            found += _kind_checks(name, vid, raw)
        if vid is None:
            # cannot be shown or linked to; report it without an id
            problems += found
            continue
        problems += found
        if has_html:
            bank.warnings += _html_warnings(name, vid, raw)
        pending.append((name, raw))
        if not errors:
            bank.vignettes.setdefault(
                vid,
                Vignette(
                    id=vid,
                    title=raw["title"],
                    guidelines=tuple(raw["guidelines"]),
                    dimension=raw["dimension"],
                    difficulty=raw["difficulty"],
                    context=raw["context"],
                    says=raw["says"],
                    exercise=raw["exercise"],
                    sources=tuple(raw.get("sources", ())),
                    topic=topic,
                    file=name,
                    line=raw.line,
                ),
            )


def _kind_checks(name: str, vid: str | None, raw: _Map) -> list[Problem]:
    """Rules the schema cannot say in plain words: best option, dialogue paths, ruptures."""
    ex = raw["exercise"]
    kind = ex["kind"]
    out: list[Problem] = []

    def add(line: int | None, where: str, message: str) -> None:
        out.append(Problem(name, line, vid, where, message))

    if kind == "choose":
        options = ex["options"]
        best = [i for i, o in enumerate(options) if o.get("best") is True]
        if not best:
            add(
                ex.key_lines.get("options"),
                "exercise.options",
                "no option has 'best: true' — mark exactly one option as the best response",
            )
        elif len(best) > 1:
            ids = ", ".join(f"'{options[i]['id']}'" for i in best)
            add(
                options.item_lines[best[1]],
                "exercise.options",
                f"{len(best)} options ({ids}) have 'best: true' — exactly one option can be "
                "the best response; set the others to 'best: false'",
            )
        seen: dict[str, int] = {}
        for i, option in enumerate(options):
            oid = option["id"]
            if oid in seen:
                add(
                    option.key_lines.get("id"),
                    f"exercise.options[{i}].id",
                    f"option id '{oid}' is used twice — give each option its own id",
                )
            seen[oid] = i
    elif kind == "spot":
        lines = ex["transcript"]
        if all(line["rupture"] == "none" for line in lines):
            add(
                ex.key_lines.get("transcript"),
                "exercise.transcript",
                "no line has a rupture — mark at least one line 'rupture: withdrawal' or "
                "'rupture: confrontation'",
            )
    elif kind == "dialogue":
        out += _dialogue_checks(name, vid, ex)
    elif kind == "practice":
        for link in ("easier", "harder"):
            if ex.get(link) == vid:
                add(
                    ex.key_lines.get(link),
                    f"exercise.{link}",
                    "points to this same vignette — name a different practice vignette",
                )
    return out


def _dialogue_checks(name: str, vid: str | None, ex: _Map) -> list[Problem]:
    out: list[Problem] = []

    def add(line: int | None, where: str, message: str) -> None:
        out.append(Problem(name, line, vid, where, message))

    steps: dict[str, _Map] = {}
    index: dict[str, int] = {}
    for i, step in enumerate(ex["steps"]):
        sid = step["id"]
        if sid in steps:
            add(
                step.key_lines.get("id"),
                f"exercise.steps[{i}].id",
                f"step id '{sid}' is used twice — give each step its own id",
            )
            continue
        steps[sid], index[sid] = step, i
        has_choices, has_ending = "choices" in step, "ending" in step
        if has_choices and has_ending:
            add(
                step.line,
                f"exercise.steps[{i}]",
                f"step '{sid}' has both 'choices' and 'ending' — a step either offers "
                "choices or ends the dialogue",
            )
        elif not has_choices and not has_ending:
            add(
                step.line,
                f"exercise.steps[{i}]",
                f"step '{sid}' has neither 'choices' nor 'ending' — add the counselor's "
                "choices, or an 'ending' that sums up what happened to the alliance",
            )
    if ex["start"] not in steps:
        add(
            ex.key_lines.get("start"),
            "exercise.start",
            f"start step '{ex['start']}' does not exist — use one of: {', '.join(steps)}",
        )
    for sid, step in steps.items():
        for j, choice in enumerate(step.get("choices", ())):
            if choice["next"] not in steps:
                add(
                    choice.key_lines.get("next"),
                    f"exercise.steps[{index[sid]}].choices[{j}].next",
                    f"leads to step '{choice['next']}', which does not exist — use one of: "
                    f"{', '.join(steps)}",
                )
    if out:
        return out
    # reachability and endings: walk from start
    reached: set[str] = set()
    todo = [ex["start"]]
    while todo:
        sid = todo.pop()
        if sid not in reached:
            reached.add(sid)
            todo += [c["next"] for c in steps[sid].get("choices", ())]
    for sid, step in steps.items():
        if sid not in reached:
            add(
                step.line,
                f"exercise.steps[{index[sid]}]",
                f"step '{sid}' cannot be reached from the start — point a choice's 'next' at "
                "it, or remove it",
            )
    trapped = _trapped_steps(steps, reached)
    for sid in trapped:
        add(
            steps[sid].line,
            f"exercise.steps[{index[sid]}]",
            f"from step '{sid}' no path reaches an ending (the choices only loop back) — "
            "give it a choice that leads towards an ending step",
        )
    if trapped:
        return out
    turns, sid, visited = 0, ex["start"], set()
    while "choices" in steps[sid] and sid not in visited:
        visited.add(sid)
        best = max(steps[sid]["choices"], key=lambda c: sum(c.get("effect", {}).values()))
        turns, sid = turns + 1, best["next"]
    if turns < MIN_DIALOGUE_TURNS:
        add(
            ex.key_lines.get("steps"),
            "exercise.steps",
            f"the best path (the choice with the largest total effect at each step) ends after "
            f"{_plural(turns, 'turn')} — a dialogue needs at least {MIN_DIALOGUE_TURNS}",
        )
    return out


def _trapped_steps(steps: dict[str, _Map], reached: set[str]) -> list[str]:
    """Reachable steps from which no ending can be reached (a loop with no way out).

    Loops that can be left (a repair that returns to an earlier moment) are fine.
    """
    can_end = {sid for sid, step in steps.items() if "choices" not in step}
    changed = True
    while changed:
        changed = False
        for sid, step in steps.items():
            if sid not in can_end and any(c["next"] in can_end for c in step["choices"]):
                can_end.add(sid)
                changed = True
    return [sid for sid in steps if sid in reached and sid not in can_end]


def _duplicate_ids(pending: list[tuple[str, _Map]]) -> list[Problem]:
    """Ids used more than once: name both places, so the author can renumber one."""
    out: list[Problem] = []
    seen: dict[str, tuple[str, int]] = {}
    for name, raw in pending:
        vid = str(raw["id"])
        line = raw.key_lines.get("id", raw.line)
        if vid not in seen:
            seen[vid] = (name, line)
            continue
        first_file, first_line = seen[vid]
        out.append(
            Problem(
                name,
                line,
                vid,
                "id",
                f"id '{vid}' is already used in {Path(first_file).name}:{first_line} — "
                "ids must be unique across the bank; pick a new number",
            )
        )
        out.append(
            Problem(
                first_file,
                first_line,
                vid,
                "id",
                f"id '{vid}' is used again in {Path(name).name}:{line} — ids must be "
                "unique across the bank; renumber one of them",
            )
        )
    return out


def _link_checks(pending: list[tuple[str, _Map]], reference_keys: set[str] | None) -> list[Problem]:
    """Practice links to easier/harder vignettes and sources must point at something."""
    out: list[Problem] = []
    all_ids = {str(raw["id"]) for _, raw in pending}
    for name, raw in pending:
        vid = str(raw["id"])
        ex = raw.get("exercise")
        if isinstance(ex, _Map) and ex.get("kind") == "practice":
            for link in ("easier", "harder"):
                target = ex.get(link)
                if isinstance(target, str) and target != vid and target not in all_ids:
                    close = difflib.get_close_matches(target, sorted(all_ids), n=1)
                    hint = f"did you mean '{close[0]}'?" if close else "use an existing id"
                    out.append(
                        Problem(
                            name,
                            ex.key_lines.get(link),
                            vid,
                            f"exercise.{link}",
                            f"points to vignette '{target}', which does not exist — {hint}",
                        )
                    )
        sources = raw.get("sources")
        if reference_keys is not None and isinstance(sources, _Seq):
            for i, key in enumerate(sources):
                if isinstance(key, str) and key not in reference_keys:
                    out.append(
                        Problem(
                            name,
                            sources.item_lines[i],
                            vid,
                            f"sources[{i}]",
                            f"no reference '{key}' in data/references/*.yaml — add it there "
                            "or fix the key",
                        )
                    )
    return out


def _load_reference_keys(files: list[Path]) -> set[str]:
    keys: set[str] = set()
    for path in files:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            document = yaml.load(path.read_bytes(), Loader=_BaseLoader)
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(document, dict):
            keys.update(str(k) for k in document)
    return keys


_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]{0,200}>|javascript\s*:", re.IGNORECASE)


def _html_warnings(name: str, vid: str, raw: Any) -> list[Problem]:
    """Warn (never fail) about HTML or script in text: it is shown as text, never run."""
    out: list[Problem] = []
    stack: list[tuple[Any, list[Any], int | None]] = [(raw, [], getattr(raw, "line", None))]
    while stack:
        node, path, line = stack.pop()
        if isinstance(node, _Map):
            for key, value in node.items():
                stack.append((value, [*path, key], node.key_lines.get(key, line)))
        elif isinstance(node, _Seq):
            for i, value in enumerate(node):
                stack.append((value, [*path, i], node.item_lines[i]))
        elif isinstance(node, str):
            match = _HTML.search(node)
            if match:
                snippet = match.group(0)
                snippet = snippet if len(snippet) <= 40 else snippet[:37] + "..."
                out.append(
                    Problem(
                        name,
                        line,
                        vid,
                        _field_name(path),
                        f"contains HTML or script ({snippet!r}); it will be shown as plain "
                        "text, never run — use the Markdown subset (*emphasis*, lists) instead",
                        level="warning",
                    )
                )
    out.reverse()
    return out


def _short(value: Any, limit: int = 40) -> Any:
    """A value short enough to quote in a one-line message."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 3] + "..."
    return value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
