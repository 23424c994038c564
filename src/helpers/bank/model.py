"""What the bank holds: vignettes ready to show, and the problems found in their files."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.schemas import show_text


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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
