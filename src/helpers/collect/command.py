"""``alliance collect``: read a drop folder of reflection files into one class table.

NAME-summary.json records what was read; the comments file is written only when enough
trainees shared a comment (rule F1). A run that accepts nothing never replaces an existing
class table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import stat
import sys
from pathlib import Path

from helpers.collect.merge import collect_folder
from helpers.collect.read import CollectError
from helpers.collect.table import (
    CLASS_COLUMNS,
    COMMENT_COLUMNS,
    MIN_COMMENTS,
    class_rows,
    comment_rows,
    comment_writers,
    companion_path,
    write_table,
)
from helpers.files import replace_atomically


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
