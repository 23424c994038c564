"""``alliance validate [PATH...]``: check vignette files before they reach a trainee.

Prints one line per problem (file, line, vignette, field, what to fix) and a one-line verdict.
Exit status: 0 when there are no errors (warnings allowed), 1 when there are errors, 2 when a
path cannot be used. ``--json`` prints a summary for an instructor's own tooling.
"""

from __future__ import annotations

import argparse
import json
import stat
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from helpers import fairness
from helpers.bank import Bank, validate_files
from helpers.coach.corpus import check_folder as check_coach_folder
from helpers.crisis import check_crisis_file
from helpers.paths import data_path
from helpers.skills import check_forms
from helpers.vocabulary import DIFFICULTIES, DIMENSIONS, KINDS, VIGNETTE_GUIDELINES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="vignette files or folders of *.yaml files (default: the course's data/vignettes)",
    )
    parser.add_argument(
        "--fairness",
        action="store_true",
        help="also check the fairness of the files named (always done for the course's bank)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON summary (files, vignettes, problems, counts) instead of text",
    )


def run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [data_path("vignettes")]
    if not args.paths and not args.json and data_path("coach").is_dir():
        paths.append(data_path("coach"))
    coach = [p for p in paths if (p / "statements.jsonl").is_file()]
    coach_status = max((check_coach_folder(p, args.json) for p in coach), default=0)
    paths = [p for p in paths if p not in coach]
    if coach and not paths:
        return coach_status
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                return _unusable(f"no .yaml files in the folder '{path}'")
            files += found
        elif path.exists():
            files.append(path)
        else:
            return _unusable(f"no such file or folder: '{path}'")
    for file in files:
        problem = _unreadable(file)
        if problem:
            return _unusable(problem)
    crisis = [f for f in files if f.parent.name == "crisis"]
    bank, problems = validate_files([f for f in files if f not in crisis])
    if not args.paths and data_path("crisis").is_dir():
        crisis = [data_path("crisis", "resources.yaml")]
    problems += [p for f in crisis for p in check_crisis_file(f)]
    fair = bank.vignettes and (args.fairness or not args.paths)  # the bank as a whole
    problems += fairness.check(bank) if fair else []
    skills_problems = check_forms() if not args.paths and data_path("skills").is_dir() else []
    errors = [p for p in problems if p.is_error]
    if args.json:
        print(json.dumps(summary(bank, problems), indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem)
        for problem in skills_problems:
            print(problem)
        if fair:
            print("\n".join(fairness.report(bank)))
        print(verdict(bank, problems))
    return 1 if errors or coach_status or skills_problems else 0


def _unreadable(path: Path) -> str | None:
    """Why a file must not be read at all: not a regular file (a pipe would never end, a
    device such as /dev/zero never stops giving bytes); None when it may be. The bank checks
    the size of a regular file before reading it."""
    try:
        info = path.stat()
    except OSError as error:
        return f"'{path}' cannot be read ({error.strerror or error})"
    if not stat.S_ISREG(info.st_mode):
        return f"'{path}' is not a regular file (a pipe, device or socket); give a .yaml file"
    return None


def verdict(bank: Bank, problems: list) -> str:
    """One line: '47 vignettes in 7 files: OK' or '3 problems in 2 files'."""
    errors = [p for p in problems if p.is_error]
    warnings = len(problems) - len(errors)
    note = f" ({_plural(warnings, 'warning')})" if warnings else ""
    if not errors:
        return (
            f"{_plural(len(bank.vignettes), 'vignette')} in "
            f"{_plural(len(bank.files), 'file')}: OK{note}"
        )
    files = len({p.file for p in errors})
    return f"{_plural(len(errors), 'problem')} in {_plural(files, 'file')}{note}"


def summary(bank: Bank, problems: list) -> dict[str, Any]:
    """What ``--json`` prints: sizes, every problem, and how the valid vignettes spread."""
    vignettes = list(bank.vignettes.values())
    counts = {
        "guideline": _count((g for v in vignettes for g in v.guidelines), VIGNETTE_GUIDELINES),
        "kind": _count((v.exercise["kind"] for v in vignettes), KINDS),
        "dimension": _count((v.dimension for v in vignettes), DIMENSIONS),
        "difficulty": _count((v.difficulty for v in vignettes), DIFFICULTIES),
    }
    return {
        "files": len(bank.files),
        "vignettes": len(vignettes),
        "ok": not any(p.is_error for p in problems),
        "problems": [dict(p.as_dict(), text=str(p)) for p in problems],
        "counts": counts,
    }


def _count(values, keys: tuple[str, ...]) -> dict[str, int]:
    found = Counter(values)
    return {key: found.get(key, 0) for key in keys}


def _unusable(message: str) -> int:
    print(f"alliance validate: {message}", file=sys.stderr)
    return 2


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
