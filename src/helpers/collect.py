"""``alliance collect``: read a drop folder of reflection files into one class table.

Every entry of the folder is checked with :mod:`helpers.submission`; a bad file is reported in
one line and skipped, never fatal. The class table (class.csv) has one row per rating, per
check-in and per exercise choice, in random order, and never records who owns a file or when it
was written (privacy rule M1). Shared free text goes to a separate comments.csv for the
instructor only, without ids or pseudonyms and only when the pool holds at least 10 comments
(rule F1), so a comment that gives its writer away cannot be linked to their ratings. Every text
cell is made safe for spreadsheets (rule C1). A run that accepts nothing never replaces an
existing class table.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from helpers.files import replace_atomically
from helpers.submission import (
    CHECKIN_ITEMS,
    MAX_BYTES,
    RATING_ITEMS,
    SubmissionError,
    load_submission_at,
    printable_name,
)

CLASS_COLUMNS = (
    "submission_id",
    "pseudonym",
    "cohort",
    "week",
    "session",
    "role",
    "measure",
    "item",
    "score",
    "option",
    "attempts",
)
# No submission_id or pseudonym: one identifying comment must not unmask a trainee's ratings.
COMMENT_COLUMNS = ("cohort", "week", "session", "role", "text")
MIN_COMMENTS = 10  # privacy rule F1: free text only from a pool of at least this many comments
_NUMBER_COLUMNS = frozenset(("session", "score", "attempts"))

# Characters that make a spreadsheet treat a cell as a formula (OWASP, CWE-1236, rule C1).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


class CollectError(ValueError):
    """The drop folder cannot be read at all (missing, not a folder, no permission)."""


@dataclass
class CollectReport:
    """What happened to each entry of the drop folder (names only: no owner, no times)."""

    files: int = 0
    accepted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per rejected or duplicate file, ready to print."""
        out = [f"rejected {printable_name(name)}: {reason}" for name, reason in self.rejected]
        out += [
            f"duplicate {printable_name(name)}: same submission_id as {printable_name(first)},"
            " skipped"
            for name, first in self.duplicates
        ]
        return out

    def summary(self) -> str:
        """``N files, A accepted, R rejected, D duplicates``."""
        return (
            f"{self.files} files, {self.accepted} accepted, {len(self.rejected)} rejected,"
            f" {len(self.duplicates)} duplicates"
        )


def collect_folder(
    folder: Path | str, *, max_bytes: int = MAX_BYTES
) -> tuple[list[dict], CollectReport]:
    """Read every entry of a drop folder; return the valid submissions and a report.

    Not recursive; symbolic links are reported, never followed, and nothing outside the folder
    is read. Entries are taken in name order, so of two files with one submission_id the first
    by name is kept. Raises CollectError if the folder itself cannot be listed.
    """
    folder = Path(folder)
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise CollectError(f"{folder}: no such folder") from None
    except NotADirectoryError:
        raise CollectError(f"{folder}: not a folder") from None
    except OSError as exc:
        raise CollectError(f"{folder}: cannot open ({exc.strerror or exc})") from None
    report = CollectReport()
    submissions: list[dict] = []
    first_by_id: dict[str, str] = {}
    try:
        try:
            with os.scandir(dir_fd) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as exc:
            raise CollectError(f"{folder}: cannot list ({exc.strerror or exc})") from None
        for name in names:
            report.files += 1
            if name.startswith(".") and name.endswith(".partial"):
                report.rejected.append((name, "an unfinished upload (temporary file), skipped"))
                continue
            try:
                doc = load_submission_at(dir_fd, name, max_bytes=max_bytes)
            except SubmissionError as exc:
                report.rejected.append((name, exc.reason))
                continue
            first = first_by_id.get(doc["submission_id"])
            if first is not None:
                report.duplicates.append((name, first))
                continue
            first_by_id[doc["submission_id"]] = name
            submissions.append(doc)
            report.accepted += 1
    finally:
        os.close(dir_fd)
    return submissions, report


def _head(doc: dict) -> tuple[Any, ...]:
    """The columns every row of one submission repeats (CLASS_COLUMNS up to ``role``)."""
    return (
        doc["submission_id"],
        doc["pseudonym"],
        doc["cohort"],
        doc["week"],
        doc["session"],
        doc["role"],
    )


def class_rows(submissions: Iterable[dict]) -> list[tuple[Any, ...]]:
    """The tidy class table as tuples in CLASS_COLUMNS order (unshuffled).

    A row per rating (measure ``guideline``), per check-in (``checkin``) and per choice
    (``choice``: item = vignette id, option and attempts set, score empty).
    """
    rows: list[tuple[Any, ...]] = []
    for doc in submissions:
        head = _head(doc)
        ratings, checkins = doc["ratings"], doc["checkins"]
        rows.extend(head + ("guideline", item, ratings[item], None, None) for item in RATING_ITEMS)
        rows.extend(head + ("checkin", item, checkins[item], None, None) for item in CHECKIN_ITEMS)
        rows.extend(
            head + ("choice", c["vignette"], None, c["option"], c["attempts"])
            for c in doc["choices"]
        )
    return rows


def comment_rows(submissions: Iterable[dict]) -> list[tuple[Any, ...]]:
    """One row per submission that carries shared text (COMMENT_COLUMNS order, unshuffled).

    Deliberately without submission_id and pseudonym (rule F1): the rows cannot be joined to
    class.csv, so a comment that reveals its writer reveals only itself.
    """
    return [
        (doc["cohort"], doc["week"], doc["session"], doc["role"], doc["text"])
        for doc in submissions
        if doc.get("text", "").strip()
    ]


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
            "cohort": list(columns.get("cohort", ())),
            "week": list(columns.get("week", ())),
            "session": np.array(columns.get("session", ()), dtype="int64"),
            "role": list(columns.get("role", ())),
            "measure": list(columns.get("measure", ())),
            "item": list(columns.get("item", ())),
            "score": whole_numbers("score"),
            "option": [v or "" for v in columns.get("option", ())],
            "attempts": whole_numbers("attempts"),
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
    option) can never start with ``'`` themselves; not for comments.csv, whose text can.
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, help="the drop folder with the submission files")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="where to write the class table, e.g. class.csv (must be outside the drop folder)",
    )
    parser.add_argument(
        "--comments",
        type=Path,
        default=None,
        help="where to write shared reflection text (default: comments.csv next to -o)",
    )
    parser.add_argument(
        "--min-comments",
        type=int,
        default=MIN_COMMENTS,
        metavar="N",
        help="write comments.csv only when at least N comments were shared (default %(default)s)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing class table even when no submission was accepted",
    )


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _check_output(path: Path, folder: Path, what: str) -> str | None:
    """Why ``path`` cannot be written, or None when it can."""
    if _inside(path, folder):
        return (
            f"{what} {path} is inside the drop folder; write it somewhere only you can read,"
            " e.g. your home folder"
        )
    if path.is_dir():
        return f"{what} {path} is a folder; give a file name such as class.csv"
    parent = path.parent
    if not parent.is_dir():
        return f"{what}: folder {parent} does not exist; create it first"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{what}: cannot write in {parent} (permission denied)"
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return f"{what} {path} exists and is not a regular file; choose another name"
    return None


def run(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    output: Path = args.output
    comments: Path = args.comments or output.with_name("comments.csv")
    if not folder.exists():
        return _usage_error(f"{folder}: no such folder; give the drop folder's path")
    if not folder.is_dir():
        return _usage_error(f"{folder}: not a folder; give the drop folder's path")
    min_comments: int = args.min_comments
    if min_comments < 1:
        return _usage_error(f"--min-comments is {min_comments}; give a whole number of 1 or more")
    if output.resolve() == comments.resolve():
        return _usage_error("-o and --comments name the same file; give two different files")
    for path, what in ((output, "-o"), (comments, "--comments")):
        problem = _check_output(path, folder, what)
        if problem:
            return _usage_error(problem)
    try:
        submissions, report = collect_folder(folder)
    except CollectError as exc:
        return _usage_error(str(exc))
    for line in report.lines():
        print(line)
    if report.accepted == 0 and output.exists() and not args.force:
        why = "the folder is empty" if report.files == 0 else "every file was rejected"
        print(
            f"alliance collect: no submission was accepted ({why}), so {output} was left as it"
            " is; check that this is the right drop folder, or add --force to replace the table"
            " with an empty one",
            file=sys.stderr,
        )
        print(report.summary())
        return 1
    rng = random.SystemRandom()
    rows = class_rows(submissions)
    write_table(output, CLASS_COLUMNS, rows, rng=rng)
    print(f"wrote {output}: {len(rows)} rows from {report.accepted} submissions")
    texts = comment_rows(submissions)
    older = f"; the older {comments} was left as it is" if comments.exists() else ""
    if not texts:
        print(f"no shared comments, so no comments file was written{older}")
    elif len(texts) < min_comments:
        print(
            f"only {len(texts)} shared comments, fewer than {min_comments} (--min-comments), so no"
            " comments file was written: in so small a pool a comment is easy to trace to its"
            f" writer{older}"
        )
    else:
        write_table(comments, COMMENT_COLUMNS, texts, rng=rng)
        print(f"wrote {comments}: {len(texts)} shared comments (for you only; do not share)")
    print(report.summary())
    return 0


def _usage_error(message: str) -> int:
    print(f"alliance collect: {message}", file=sys.stderr)
    return 2
