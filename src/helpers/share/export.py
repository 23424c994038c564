"""``alliance export``: share saved reflections from a terminal, as the reflection form does."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from helpers.share.build import ShareError, check_cohort
from helpers.share.send import _reason, share_reflection
from helpers.store import StoreError, display_path, get_store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--all",
        action="store_true",
        help="export every reflection, sending shared ones again under their first ids",
    )
    which.add_argument(
        "--reflection", type=int, metavar="ID", help="export one reflection by its number"
    )
    parser.add_argument(
        "--to",
        metavar="DIR",
        type=Path,
        help="write the files to DIR (default: ALLIANCE_DROPBOX, else your private outbox)",
    )
    parser.add_argument(
        "--cohort", help="class code from your instructor (default: ALLIANCE_COHORT)"
    )
    parser.add_argument(
        "--roster",
        metavar="FILE",
        type=Path,
        help="file of class names (one per line) to hide in shared comments",
    )
    parser.add_argument(
        "--coach-corrections",
        action="store_true",
        help='also share your corrections of the response coach ("The coach got this wrong"); '
        "left out unless you add this",
    )
    parser.epilog = (
        "Without --all or --reflection, exports the reflections not shared yet. Exit status: "
        "0 written (or nothing to export), 1 could not export, 2 wrong options."
    )


def run(args: argparse.Namespace) -> int:
    try:
        store = get_store()
        if args.reflection is not None:
            found = store.reflection(args.reflection)
            if found is None:
                print(f"There is no saved reflection number {args.reflection}.", file=sys.stderr)
                return 1
            chosen = [found]
        elif args.all:
            chosen = store.reflections()
        else:
            chosen = [r for r in store.reflections() if not r["shared_as"]]
    except (StoreError, sqlite3.Error, OSError) as error:
        print(f"Your saved reflections could not be read: {_reason(error)}", file=sys.stderr)
        return 1
    if not chosen:
        print("Nothing to export: every saved reflection has been shared already.")
        return 0
    try:
        check_cohort(args.cohort)
    except ShareError as error:
        print(f"{error} (In a terminal: add --cohort CODE.)", file=sys.stderr)
        return 1
    if args.to is not None:
        try:
            args.to.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            print(f"Cannot create {display_path(args.to)}: {error.strerror}", file=sys.stderr)
            return 1
    failed = 0
    for reflection in chosen:
        try:
            path = share_reflection(
                reflection["id"],
                store=store,
                dropbox=args.to,
                cohort=args.cohort,
                roster=args.roster,
                coach_corrections=args.coach_corrections,
            )
        except ShareError as error:
            print(error, file=sys.stderr)
            failed += 1
            if "is damaged" not in str(error):
                return 1  # the same would stop every other reflection too
            continue
        print(
            f"Wrote reflection {reflection['id']} (session {reflection['session']}, as "
            f"{reflection['role']}) to {display_path(path)}"
        )
    return 1 if failed else 0
