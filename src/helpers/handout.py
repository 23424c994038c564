"""``alliance handout``: the class view as a PDF handout (and a PNG per chart), with no code.

    alliance handout                       # the synthetic sample class (for practice)
    alliance handout class.csv             # a class table from 'alliance collect'
    alliance handout /srv/dropbox -o week3 # a drop folder, into the folder week3/

The same rules as in notebook 11 apply: small groups stay hidden, and a new handout from a class
that changed by fewer than five trainees is refused.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        nargs="?",
        default=None,
        help="class.csv from 'alliance collect' or a drop folder (default: ALLIANCE_CLASS_DATA, "
        "else the synthetic sample class)",
    )
    parser.add_argument(
        "-o", "--folder", default="handout", help="folder to write to (default: handout)"
    )


def run(args: argparse.Namespace) -> int:
    from helpers.charts import write_handout
    from helpers.classview import ClassDataError, load_class

    try:
        path = write_handout(load_class(args.source), args.folder)
    except ClassDataError as error:  # includes a refused snapshot: the message says why
        print(f"alliance handout: {error}")
        return 2
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"alliance handout: the handout could not be written to {args.folder} ({reason}).")
        return 2
    print(f"The handout is in {path} (with one PNG per chart beside it).")
    return 0
