"""``alliance collect``: read a drop folder of reflection files into one class table.

Every entry of the folder (subfolders and .zip files included) is checked with
:mod:`helpers.submission`; a bad file is reported in one line and skipped, never fatal. The
class table (class.csv) has one row per rating, per check-in and per exercise choice, in random
order, and never records who owns a file or when it was written (privacy rule M1): the owner
only decides who is one trainee (rule S7, an opaque ``trainee`` label drawn afresh on every
run) and the time only which reflection is a trainee's latest (rule S9). Shared free text goes
to a separate NAME-comments.csv for the instructor only, text alone, shuffled, and only when at
least 10 trainees wrote some (rules F1, F3), so a comment that gives its writer away cannot be
linked to their ratings. NAME-summary.json records what was read. Every text cell is made safe
for spreadsheets (rule C1). A run that accepts nothing never replaces an existing class table.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import stat
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from helpers.files import replace_atomically
from helpers.submission import (
    MAX_BYTES,
    SubmissionError,
    load_submission_at,
    parse_submission,
    printable_name,
)
from helpers.vocabulary import CHECKINS as CHECKIN_ITEMS
from helpers.vocabulary import RATED_GUIDELINES as RATING_ITEMS

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


class CollectError(ValueError):
    """The drop folder cannot be read at all (missing, not a folder, no permission)."""


MAX_DEPTH = 3  # subfolders read below the drop folder (a learning platform's download)
MAX_ENTRIES = 200_000  # entries read in all, folders and zip members included
MAX_ZIP_BYTES = 64 * 1024 * 1024  # a .zip file larger than this is not opened
MAX_ZIP_MEMBERS = 5_000
MAX_ZIP_RATIO = 100  # a member that inflates more than this is a zip bomb


@dataclass
class _Found:
    """One readable submission: where it was found, who owns the file, when it was written.

    The owner and time never leave this module: they decide who is one trainee and which of
    two reflections is the latest, and are then forgotten (privacy rules S7, M1).
    """

    name: str
    doc: dict
    owner: int
    mtime: int
    content: str = ""

    def __post_init__(self) -> None:
        self.content = json.dumps(self.doc, sort_keys=True, ensure_ascii=False)


@dataclass
class CollectReport:
    """What happened to each entry of the drop folder (names only: no owner, no times)."""

    files: int = 0
    accepted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    cohorts: dict[str, int] = field(default_factory=dict)
    counted_by: str = "pseudonym"
    trainees: int = 0

    def lines(self) -> list[str]:
        """One line per rejected, duplicate or merged file and per flag, ready to print."""
        out = [f"rejected {printable_name(name)}: {reason}" for name, reason in self.rejected]
        out += [
            f"duplicate {printable_name(name)}: identical copy of {printable_name(first)},"
            " counted once"
            for name, first in self.duplicates
        ]
        out += [
            f"merged {printable_name(name)}: an earlier reflection of the same trainee, session"
            f" and role as {printable_name(kept)}; only the latest is counted"
            for name, kept in self.merged
        ]
        out += [f"FLAG: {line}" for line in self.flagged]
        codes = ", ".join(f"{code} ({n})" for code, n in sorted(self.cohorts.items()))
        if codes:
            out.append(f"class codes seen: {codes}")
        if self.counted_by == "pseudonym" and self.accepted:
            out.append(
                "WARNING: every file has the same owner (a download from a learning platform?),"
                " so trainees are counted by pseudonym: one person sharing under several"
                " pseudonyms would count as several trainees"
            )
        return out

    def summary(self) -> str:
        """``N files, A accepted, R rejected, D duplicates, M merged``."""
        return (
            f"{self.files} files, {self.accepted} accepted, {len(self.rejected)} rejected,"
            f" {len(self.duplicates)} duplicates, {len(self.merged)} merged"
        )

    def as_json(self) -> dict[str, Any]:
        """The machine-readable summary written next to the class table (no owners, no times)."""
        reasons: dict[str, int] = {}
        for _, reason in self.rejected:
            key = reason.split(" (", 1)[0].split(";", 1)[0]
            reasons[key] = reasons.get(key, 0) + 1
        return {
            "files": self.files,
            "accepted": self.accepted,
            "rejected": len(self.rejected),
            "rejected_by_reason": dict(sorted(reasons.items())),
            "duplicates": len(self.duplicates),
            "merged": len(self.merged),
            "flagged_accounts": len(self.flagged),
            "class_codes": dict(sorted(self.cohorts.items())),
            "trainees": self.trainees,
            "counted_by": self.counted_by,
        }


def collect_folder(
    folder: Path | str, *, max_bytes: int = MAX_BYTES, cohort: str | None = None
) -> tuple[list[dict], CollectReport]:
    """Read a drop folder; return the submissions that count and a report.

    Subfolders (up to 3 deep) and ``.zip`` files are read too, as a learning platform's
    download arrives; symbolic links are reported, never followed, and nothing outside the
    folder is read or written. Trainees are counted by the distinct accounts that own the
    files wherever owners differ, else by pseudonym (rule S7); each returned submission
    carries an opaque ``trainee`` label, drawn at random on every run. Of several reflections
    of one trainee for one session and role only the latest counts (rule S9). Two files with
    one submission_id are both rejected unless they are identical copies from one account.
    With ``cohort``, only that class code is accepted. Raises CollectError if the folder
    itself cannot be listed.
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
    found: list[_Found] = []
    try:
        _read_folder(dir_fd, "", 0, max_bytes, found, report, top=str(folder))
    finally:
        os.close(dir_fd)
    found = _one_per_id(found, report)
    for item in found:
        code = item.doc["cohort"]
        report.cohorts[code] = report.cohorts.get(code, 0) + 1
    if cohort is not None:
        kept = []
        for item in found:
            if item.doc["cohort"] == cohort:
                kept.append(item)
            else:
                report.rejected.append(
                    (item.name, f"class code {item.doc['cohort']}, not {cohort} (--cohort)")
                )
        found = kept
    found = _label_trainees(found, report)
    found = _latest_per_trainee(found, report)
    report.accepted = len(found)
    report.trainees = len({item.doc["trainee"] for item in found})
    return [item.doc for item in found], report


def _read_folder(
    dir_fd: int,
    prefix: str,
    depth: int,
    max_bytes: int,
    found: list[_Found],
    report: CollectReport,
    *,
    top: str,
) -> None:
    try:
        with os.scandir(dir_fd) as entries:
            names = sorted(entry.name for entry in entries)
    except OSError as exc:
        if not prefix:
            raise CollectError(f"{top}: cannot list ({exc.strerror or exc})") from None
        report.rejected.append((prefix.rstrip("/"), f"cannot list ({exc.strerror or exc})"))
        return
    for name in names:
        shown = prefix + name
        report.files += 1
        if report.files > MAX_ENTRIES:
            report.rejected.append((shown, f"more than {MAX_ENTRIES} entries; the rest skipped"))
            return
        if name.startswith(".") and name.endswith(".partial"):
            report.rejected.append((shown, "an unfinished upload (temporary file), skipped"))
            continue
        try:
            info = os.lstat(name, dir_fd=dir_fd)
        except OSError as exc:
            report.rejected.append((shown, f"cannot be read ({exc.strerror or exc})"))
            continue
        if stat.S_ISDIR(info.st_mode):
            if depth >= MAX_DEPTH:
                report.rejected.append((shown, "is a folder nested too deep, not read"))
                continue
            try:
                sub_fd = os.open(
                    name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd
                )
            except OSError as exc:
                report.rejected.append((shown, f"cannot open folder ({exc.strerror or exc})"))
                continue
            report.files -= 1  # a folder is not a file; its entries are counted instead
            try:
                _read_folder(sub_fd, shown + "/", depth + 1, max_bytes, found, report, top=top)
            finally:
                os.close(sub_fd)
            continue
        if name.lower().endswith(".zip") and stat.S_ISREG(info.st_mode):
            _read_zip(dir_fd, name, shown, info, max_bytes, found, report)
            continue
        try:
            doc = load_submission_at(dir_fd, name, max_bytes=max_bytes)
        except SubmissionError as exc:
            report.rejected.append((shown, exc.reason))
            continue
        found.append(_Found(shown, doc, info.st_uid, info.st_mtime_ns))


def _read_zip(
    dir_fd: int,
    name: str,
    shown: str,
    info: os.stat_result,
    max_bytes: int,
    found: list[_Found],
    report: CollectReport,
) -> None:
    """Read the submissions inside a .zip in memory: nothing is extracted to disk (so no path
    in it can point anywhere), every member has the same size limit as a file, and a member
    that inflates far beyond its compressed size is refused unread (a zip bomb)."""
    if info.st_size > MAX_ZIP_BYTES:
        report.rejected.append((shown, f"zip file too large (over {MAX_ZIP_BYTES // 2**20} MB)"))
        return
    try:
        fd = os.open(
            name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd
        )
    except OSError as exc:
        report.rejected.append((shown, f"cannot be read ({exc.strerror or exc})"))
        return
    try:
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_ZIP_BYTES + 1)
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        report.rejected.append((shown, f"not a readable zip file ({exc})"))
        return
    if len(members) > MAX_ZIP_MEMBERS:
        report.rejected.append((shown, f"zip file holds more than {MAX_ZIP_MEMBERS} entries"))
        return
    with archive:
        for member in members:
            label = f"{shown}:{member.filename}"
            if member.is_dir():
                continue
            report.files += 1
            if member.file_size > max_bytes:
                report.rejected.append(
                    (label, f"too large (a submission is at most {max_bytes} bytes)")
                )
                continue
            if member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1) + 1024:
                report.rejected.append(
                    (label, "inflates far beyond its size (a zip bomb), not read")
                )
                continue
            try:
                with archive.open(member) as stream:
                    data = stream.read(max_bytes + 1)
                doc = parse_submission(data, max_bytes=max_bytes)
            except SubmissionError as exc:
                report.rejected.append((label, exc.reason))
                continue
            except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as exc:
                report.rejected.append((label, f"cannot be read from the zip file ({exc})"))
                continue
            found.append(_Found(label, doc, info.st_uid, info.st_mtime_ns))


def _one_per_id(found: list[_Found], report: CollectReport) -> list[_Found]:
    """Rule: one submission_id, one reflection. Identical copies from one account count once;
    any other reuse of an id rejects every file that uses it (a planted copy must not replace
    the real one, whichever sorts first)."""
    by_id: dict[str, list[_Found]] = {}
    for item in found:
        by_id.setdefault(item.doc["submission_id"], []).append(item)
    kept: list[_Found] = []
    for items in by_id.values():
        first = items[0]
        if len(items) == 1:
            kept.append(first)
            continue
        names = ", ".join(printable_name(item.name) for item in items)
        if len({item.owner for item in items}) > 1:
            for item in items:
                report.rejected.append(
                    (
                        item.name,
                        f"same submission_id as another account's file ({names}); all"
                        " rejected: one of them may be a forgery",
                    )
                )
            report.flagged.append(
                f"files from different accounts share one submission_id, all rejected: {names}"
            )
            continue
        if len({item.content for item in items}) > 1:
            for item in items:
                report.rejected.append(
                    (item.name, f"same submission_id, different content ({names}); all rejected")
                )
            continue
        kept.append(first)
        report.duplicates += [(item.name, first.name) for item in items[1:]]
    return kept


def _label_trainees(found: list[_Found], report: CollectReport) -> list[_Found]:
    """Give each submission an opaque ``trainee`` label: one per owning account wherever
    owners differ (rule S7), else one per pseudonym. Labels are drawn at random on each run,
    so they say nothing about the account and cannot be matched across runs."""
    owners = {item.owner for item in found}
    by_account = len(owners) > 1
    report.counted_by = "account" if by_account else "pseudonym"
    rng = random.SystemRandom()
    labels: dict[object, str] = {}
    for item in found:
        key = item.owner if by_account else item.doc["pseudonym"]
        if key not in labels:
            label = f"t{rng.getrandbits(48):012x}"
            while label in labels.values():
                label = f"t{rng.getrandbits(48):012x}"
            labels[key] = label
        item.doc["trainee"] = labels[key]
    if by_account:
        pseudonyms: dict[int, set[str]] = {}
        names: dict[int, list[str]] = {}
        for item in found:
            pseudonyms.setdefault(item.owner, set()).add(item.doc["pseudonym"])
            names.setdefault(item.owner, []).append(printable_name(item.name))
        for owner in sorted(pseudonyms, key=lambda o: names[o][0]):
            if len(pseudonyms[owner]) > 1:
                shown = ", ".join(names[owner][:10]) + (" ..." if len(names[owner]) > 10 else "")
                report.flagged.append(
                    f"one account wrote {len(pseudonyms[owner])} pseudonyms (counted as one"
                    f" trainee): {shown}"
                )
    return found


def _latest_per_trainee(found: list[_Found], report: CollectReport) -> list[_Found]:
    """Rule S9: one reflection per trainee, session and role, the latest (by ISO week, then by
    when the file was written); the others are reported as merged."""
    groups: dict[tuple[str, int, str], list[_Found]] = {}
    for item in sorted(found, key=lambda item: (item.doc["week"], item.mtime, item.name)):
        key = (item.doc["trainee"], item.doc["session"], item.doc["role"])
        groups.setdefault(key, []).append(item)
    keep = set()
    for items in groups.values():
        kept = items[-1]
        keep.add(id(kept))
        report.merged += [(item.name, kept.name) for item in items[:-1]]
    report.merged.sort()
    return [item for item in found if id(item) in keep]


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
            head + ("guideline", item, ratings[item], None, None, None) for item in RATING_ITEMS
        )
        rows.extend(
            head + ("checkin", item, checkins[item], None, None, None) for item in CHECKIN_ITEMS
        )
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
        "--cohort",
        default=None,
        help="the class code to collect; required when the folder holds several class codes",
    )
    parser.add_argument(
        "--comments",
        type=Path,
        default=None,
        help="where to write shared reflection text (default: NAME-comments.csv next to -o)",
    )
    parser.add_argument(
        "--min-comments",
        type=int,
        default=MIN_COMMENTS,
        metavar="N",
        help="write the comments file only when at least N trainees shared a comment"
        " (default %(default)s)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing class table even when no submission was accepted",
    )
    parser.epilog = (
        "Next to the table, NAME-summary.json records what was read (files, accepted, rejected"
        " by reason, merged, class codes seen, and whether trainees were counted by account or"
        " by pseudonym)."
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
    comments: Path = args.comments or companion_path(output, "comments")
    summary_file = companion_path(output, "summary")
    if not folder.exists():
        return _usage_error(f"{folder}: no such folder; give the drop folder's path")
    if not folder.is_dir():
        return _usage_error(f"{folder}: not a folder; give the drop folder's path")
    min_comments: int = args.min_comments
    if min_comments < 1:
        return _usage_error(f"--min-comments is {min_comments}; give a whole number of 1 or more")
    if len({output.resolve(), comments.resolve(), summary_file.resolve()}) < 3:
        return _usage_error("-o and --comments name the same file; give two different files")
    for path, what in ((output, "-o"), (comments, "--comments"), (summary_file, "summary")):
        problem = _check_output(path, folder, what)
        if problem:
            return _usage_error(problem)
    try:
        submissions, report = collect_folder(folder, cohort=args.cohort)
    except CollectError as exc:
        return _usage_error(str(exc))
    if args.cohort is None and len(report.cohorts) > 1:
        codes = ", ".join(f"{code} ({n} files)" for code, n in sorted(report.cohorts.items()))
        return _usage_error(
            f"the folder holds reflections of several classes: {codes}; collect one at a time"
            " with --cohort CODE (nothing was written)"
        )
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
    try:
        write_table(output, CLASS_COLUMNS, rows, rng=rng)
        print(f"wrote {output}: {len(rows)} rows from {report.accepted} submissions")
        summary = json.dumps(report.as_json(), indent=2) + "\n"
        replace_atomically(summary_file, summary.encode("utf-8"))
        print(f"wrote {summary_file}: what was read, for the class view's overview")
        texts = comment_rows(submissions)
        writers = comment_writers(submissions)
        older = f"; the older {comments} was left as it is" if comments.exists() else ""
        if not texts:
            print(f"no shared comments, so no comments file was written{older}")
        elif writers < min_comments:
            print(
                f"only {writers} trainees shared comments, fewer than {min_comments}"
                " (--min-comments), so no comments file was written: in so small a pool a"
                f" comment is easy to trace to its writer{older}"
            )
        else:
            write_table(comments, COMMENT_COLUMNS, texts, rng=rng)
            print(
                f"wrote {comments}: {len(texts)} shared comments from {writers} trainees (for"
                " you only; do not share)"
            )
    except OSError as error:
        return _usage_error(
            f"could not write the results ({error.strerror or error}); check that the disk has"
            " room and that you can write there, then run collect again"
        )
    print(report.summary())
    return 0


def _usage_error(message: str) -> int:
    print(f"alliance collect: {message}", file=sys.stderr)
    return 2
