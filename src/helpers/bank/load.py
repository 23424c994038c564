"""Loading the bank: every vignette file read, checked and cached, so a notebook can ask for
the bank in every cell for free."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from helpers.bank.links import HTML, duplicate_ids, html_warnings, link_problems, reference_keys
from helpers.bank.model import Bank, Problem, Vignette
from helpers.bank.rules import kind_problems, schema_problems
from helpers.bank.yamlfile import YamlMap, read_yaml
from helpers.paths import data_path
from helpers.schemas import schema_file, type_word

PathsArg = Iterable[str | os.PathLike[str]] | str | os.PathLike[str]


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


def clear_cache() -> None:
    """Forget every bank loaded so far: the next ``load_bank`` reads the files again, as a
    fresh kernel does."""
    _CACHE.clear()


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


def _build(files: list[Path], refs: list[Path]) -> Bank:
    bank = Bank()
    bank.files = [str(p) for p in files]
    keys = reference_keys(refs) if refs else None
    pending: list[tuple[str, YamlMap]] = []  # (file, raw vignette) for cross-bank checks
    for path in files:
        problems: list[Problem] = []
        document, text = read_yaml(path, problems)
        if document is not None:
            has_html = HTML.search(text) is not None
            _read_file(path, document, bank, problems, pending, has_html)
        bank.problems += problems
    bank.problems += duplicate_ids(pending)
    # Everything so far makes a vignette unusable. Dangling links (sources, easier/harder)
    # are errors for authors but the vignette itself can still be shown.
    for problem in bank.problems:
        if problem.vignette is not None:
            bank.broken.setdefault(problem.vignette, []).append(problem)
    for vid in bank.broken:
        bank.vignettes.pop(vid, None)
    bank.problems += link_problems(pending, keys)
    return bank


def _read_file(
    path: Path,
    document: Any,
    bank: Bank,
    problems: list[Problem],
    pending: list[tuple[str, YamlMap]],
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
        found = schema_problems(name, vid, raw)
        errors = bool(found)
        if not errors:
            found += kind_problems(name, vid, raw)
        if vid is None:
            # cannot be shown or linked to; report it without an id
            problems += found
            continue
        problems += found
        if has_html:
            bank.warnings += html_warnings(name, vid, raw)
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
