"""Checks across the bank and over every text: ids used twice, practice links and sources
that point at nothing, and (as warnings only) HTML or script in a text."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from helpers.bank.model import Problem
from helpers.bank.yamlfile import MAX_FILE_BYTES, SAFE_LOADER, YamlList, YamlMap
from helpers.schemas import field_name
from helpers.vocabulary import DIFFICULTIES


def duplicate_ids(pending: list[tuple[str, YamlMap]]) -> list[Problem]:
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


def link_problems(
    pending: list[tuple[str, YamlMap]], reference_keys: set[str] | None
) -> list[Problem]:
    """Practice links to easier/harder vignettes and sources must point at something."""
    out: list[Problem] = []
    by_id = {str(raw["id"]): raw for _, raw in pending}
    for name, raw in pending:
        vid = str(raw["id"])
        ex = raw.get("exercise")
        if isinstance(ex, YamlMap) and ex.get("kind") == "practice":
            for link in ("easier", "harder"):
                target = ex.get(link)
                if not isinstance(target, str) or target == vid:
                    continue
                message = _practice_link_problem(raw, link, target, by_id)
                if message:
                    out.append(
                        Problem(name, ex.key_lines.get(link), vid, f"exercise.{link}", message)
                    )
        sources = raw.get("sources")
        if reference_keys is not None and isinstance(sources, YamlList):
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


def _practice_link_problem(
    raw: YamlMap, link: str, target: str, by_id: dict[str, YamlMap]
) -> str | None:
    """What is wrong with a practice's ``easier``/``harder`` link, if anything: it must name
    another practice vignette, and not one that goes the other way in difficulty."""
    if target not in by_id:
        close = difflib.get_close_matches(target, sorted(by_id), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "use an existing id"
        return f"points to vignette '{target}', which does not exist — {hint}"
    other = by_id[target]
    kind = (
        other.get("exercise", {}).get("kind") if isinstance(other.get("exercise"), dict) else None
    )
    if kind != "practice":
        return (
            f"points to '{target}', a {kind or 'malformed'} exercise — {link} names another "
            "practice vignette to offer next"
        )
    own, theirs = raw.get("difficulty"), other.get("difficulty")
    if own in DIFFICULTIES and theirs in DIFFICULTIES:
        step = DIFFICULTIES.index(theirs) - DIFFICULTIES.index(own)
        if (link == "easier" and step > 0) or (link == "harder" and step < 0):
            return (
                f"points to '{target}', which is {theirs} while this one is {own} — "
                f"choose a vignette that is not {'harder' if link == 'easier' else 'easier'}"
            )
    return None


def reference_keys(files: list[Path]) -> set[str]:
    keys: set[str] = set()
    for path in files:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            document = yaml.load(path.read_bytes(), Loader=SAFE_LOADER)
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(document, dict):
            keys.update(str(k) for k in document)
    return keys


HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]{0,200}>|javascript\s*:", re.IGNORECASE)


def html_warnings(name: str, vid: str, raw: Any) -> list[Problem]:
    """Warn (never fail) about HTML or script in text: it is shown as text, never run."""
    out: list[Problem] = []
    stack: list[tuple[Any, list[Any], int | None]] = [(raw, [], getattr(raw, "line", None))]
    while stack:
        node, path, line = stack.pop()
        if isinstance(node, YamlMap):
            for key, value in node.items():
                stack.append((value, [*path, key], node.key_lines.get(key, line)))
        elif isinstance(node, YamlList):
            for i, value in enumerate(node):
                stack.append((value, [*path, i], node.item_lines[i]))
        elif isinstance(node, str):
            match = HTML.search(node)
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
