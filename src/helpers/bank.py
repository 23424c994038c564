"""The vignette bank: every vignette in ``data/vignettes/*.yaml``, checked and ready to show.

A broken file or vignette never stops the course: it is recorded as a :class:`Problem` (with
file, line, vignette and field, in plain words) and every valid vignette still loads. The same
checks power ``alliance validate``, so authors see exactly what a trainee would run into.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helpers.paths import data_path
from helpers.schemas import field_name, findings, schema_file, show_text, type_word, validator

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
            parts.append(f"vignette '{show_text(self.vignette)}'")
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

    @property
    def fingerprint(self) -> str:
        """Eight hex digits that change whenever anything a trainee is shown changes; stored
        with a notebook's outputs, they tell a check that the notebook is older than its
        vignette."""
        shown = [self.id, self.title, self.guidelines, self.dimension, self.difficulty]
        shown += [self.context, self.says, self.exercise, self.sources]
        text = json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


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
# schema findings, located in the file


def _locate(instance: Any, path: Iterable[Any]) -> int | None:
    """The line of the node at ``path`` inside ``instance`` (key line for mapping values; for
    a missing field, the line of the mapping that lacks it)."""
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


def _schema_problems(name: str, vid: str | None, raw: _Map) -> list[Problem]:
    """What the vignette schema rejects in one vignette, each with its line in the file."""
    return [
        Problem(name, _locate(raw, found.path), vid, found.field or None, found.message)
        for found in findings(validator("vignette", "#/$defs/vignette"), raw)
    ]


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
    result is cached on the files' (and the schema's) paths, modification times and sizes, so
    notebooks can call this in every cell for free. Treat the returned bank as read-only.
    """
    files = _default_files() if paths is None else _expand(paths)
    refs = _reference_files()
    stamps = [_stamp(p) for p in [*files, *refs, schema_file("vignette")]]
    key = (len(files), tuple(stamps))
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
                f"the top level is {type_word(document)}, but it must be a mapping with a "
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
                f"{type_word(items)}",
            )
        )
        return
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
                    f"one is {type_word(raw)}",
                )
            )
            continue
        vid = raw.get("id")
        vid = str(vid) if vid is not None else None
        found = _schema_problems(name, vid, raw)
        errors = bool(found)
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
                        field_name(path),
                        f"contains HTML or script ({snippet!r}); it will be shown as plain "
                        "text, never run — use the Markdown subset (*emphasis*, lists) instead",
                        level="warning",
                    )
                )
    out.reverse()
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
