"""The class table and the comments file that ``alliance collect`` writes.

The class table (class.csv) has one row per rating, per check-in and per exercise choice, in
random order, and never records who owns a file or when it was written (privacy rule M1).
Shared free text goes to a separate NAME-comments.csv for the instructor only, text alone,
shuffled, and only when at least 10 trainees wrote some (rules F1, F3), so a comment that gives
its writer away cannot be linked to their ratings. Every text cell is made safe for
spreadsheets (rule C1).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from helpers.files import replace_atomically
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES

CLASS_COLUMNS = (
    "submission_id",
    "pseudonym",
    "trainee",
    "cohort",
    "week",
    "session",
    "role",
    "measure",
    "item",
    "score",
    "option",
    "attempts",
    "first_option",
)
# Text only (rule F3): no id, pseudonym, class code, week, session or role, so one identifying
# comment cannot be joined to its writer's ratings.
COMMENT_COLUMNS = ("text",)
MIN_COMMENTS = 10  # rules F1/F3: free text only from at least this many distinct writers
_NUMBER_COLUMNS = frozenset(("session", "score", "attempts"))

# Characters that make a spreadsheet treat a cell as a formula (OWASP, CWE-1236, rule C1).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def _head(doc: dict) -> tuple[Any, ...]:
    """The columns every row of one submission repeats (CLASS_COLUMNS up to ``role``)."""
    return (
        doc["submission_id"],
        doc["pseudonym"],
        doc.get("trainee") or doc["pseudonym"],
        doc["cohort"],
        doc["week"],
        doc["session"],
        doc["role"],
    )


def class_rows(submissions: Iterable[dict]) -> list[tuple[Any, ...]]:
    """The tidy class table as tuples in CLASS_COLUMNS order (unshuffled).

    A row per rating (measure ``guideline``), per check-in (``checkin``) and per choice
    (``choice``: item = vignette id, option, attempts and first_option set, score empty;
    first_option is empty for a format-version-1 file, which did not record it) and per shared
    skills snapshot (``skills``: item = before or after, score 0-32, option = the form).
    """
    rows: list[tuple[Any, ...]] = []
    for doc in submissions:
        head = _head(doc)
        ratings, checkins = doc["ratings"], doc["checkins"]
        rows.extend(
            head + ("guideline", item, ratings[item], None, None, None) for item in RATED_GUIDELINES
        )
        rows.extend(head + ("checkin", item, checkins[item], None, None, None) for item in CHECKINS)
        rows.extend(
            head
            + ("choice", c["vignette"], None, c["option"], c["attempts"], c.get("first_option"))
            for c in doc["choices"]
        )
        rows.extend(
            head + ("skills", stage, taken["score"], taken["form"], None, None)
            for stage, taken in sorted(doc.get("skills", {}).items())
        )
    return rows


def comment_rows(submissions: Iterable[dict]) -> list[tuple[Any, ...]]:
    """One row per submission that carries shared text (COMMENT_COLUMNS order, unshuffled).

    The text alone (rule F3): the rows cannot be joined to class.csv, so a comment that
    reveals its writer reveals only itself.
    """
    return [(doc["text"],) for doc in submissions if doc.get("text", "").strip()]


def comment_writers(submissions: Iterable[dict]) -> int:
    """How many distinct trainees wrote the shared comments (what the F1 minimum counts)."""
    return len(
        {
            doc.get("trainee") or doc["pseudonym"]
            for doc in submissions
            if doc.get("text", "").strip()
        }
    )


def submissions_to_frame(submissions: Sequence[dict], *, rng: random.Random | None = None) -> Any:
    """The class table as a pandas DataFrame (columns exactly as in class.csv), rows shuffled.

    ``session`` is int; ``score`` and ``attempts`` are nullable ``Int64`` (empty where they do
    not apply); ``option`` is empty text except for choices. Pass a seeded ``rng`` for a
    reproducible order; by default the order comes from the operating system's randomness.
    """
    import numpy as np
    import pandas as pd

    rows = class_rows(submissions)
    (rng or random.SystemRandom()).shuffle(rows)
    columns = dict(zip(CLASS_COLUMNS, zip(*rows, strict=True), strict=False)) if rows else {}

    def whole_numbers(name: str) -> Any:
        values = columns.get(name, ())
        mask = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
        data = np.fromiter((v or 0 for v in values), dtype="int64", count=len(values))
        return pd.arrays.IntegerArray(data, mask)

    frame = pd.DataFrame(
        {
            "submission_id": list(columns.get("submission_id", ())),
            "pseudonym": list(columns.get("pseudonym", ())),
            "trainee": list(columns.get("trainee", ())),
            "cohort": list(columns.get("cohort", ())),
            "week": list(columns.get("week", ())),
            "session": np.array(columns.get("session", ()), dtype="int64"),
            "role": list(columns.get("role", ())),
            "measure": list(columns.get("measure", ())),
            "item": list(columns.get("item", ())),
            "score": whole_numbers("score"),
            "option": [v or "" for v in columns.get("option", ())],
            "attempts": whole_numbers("attempts"),
            "first_option": [v or "" for v in columns.get("first_option", ())],
        },
        columns=list(CLASS_COLUMNS),
    )
    if not rows:  # keep the text columns' type for an empty class too
        text_columns = [c for c in CLASS_COLUMNS if c not in _NUMBER_COLUMNS]
        frame = frame.astype(dict.fromkeys(text_columns, "str"))
    return frame


def formula_safe(value: str) -> str:
    """Rule C1: prefix ``'`` to text a spreadsheet would read as a formula.

    Checks the first character and the first one after leading spaces, so `` =1+2`` is caught
    too. NUL characters are removed (no reflection needs them and some programs stop at them).
    """
    value = value.replace("\0", "")
    if value.startswith(_FORMULA_STARTS) or value.lstrip().startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def restore_text(value: str) -> str:
    """Undo :func:`formula_safe` for a class.csv text cell, for programs that read the table.

    Safe for class.csv, whose text cells (ids, pseudonym, cohort, week, role, measure, item,
    option) can never start with ``'`` themselves; not for the comments file, whose text can.
    """
    if value.startswith("'") and value[1:].lstrip().startswith(_FORMULA_STARTS):
        return value[1:]
    return value


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column in _NUMBER_COLUMNS:
        return int(value)  # validated whole numbers, written as numbers
    return formula_safe(str(value))


def write_table(
    path: Path, columns: Sequence[str], rows: list[tuple[Any, ...]], *, rng: random.Random
) -> None:
    """Shuffle ``rows`` and write them as CSV with every cell quoted, atomically (rule D2).

    A temporary file in the same folder is written, flushed and fsynced, then renamed over
    ``path``; a reader never sees half a table, and a crash leaves the old table intact. The
    file is readable by its owner only (0600).
    """
    rows = list(rows)
    rng.shuffle(rows)

    def write(handle: IO[str]) -> None:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(columns)
        writer.writerows(
            [_cell(col, value) for col, value in zip(columns, row, strict=True)] for row in rows
        )

    replace_atomically(path, write, text=True)


def companion_path(output: Path, kind: str) -> Path:
    """The file written next to a class table: ``class.csv`` -> ``class-comments.csv`` or
    ``class-summary.json``. Named after the table, so a second table never replaces the
    first one's companions."""
    suffix = ".json" if kind == "summary" else ".csv"
    return output.with_name(f"{output.stem}-{kind}{suffix}")
