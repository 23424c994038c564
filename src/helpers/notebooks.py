"""Execute the course notebooks and store their outputs, as ``make outputs`` does.

Each notebook runs top to bottom in a fresh kernel, from the ``notebooks/`` folder, as a
first-time learner (an empty home folder, so no one's answers leak into the stored outputs), and
is saved without widgets (``helpers.saving``): each exercise keeps only its "Run this cell" line.

    python -m helpers.notebooks execute notebooks/*.ipynb
    python -m helpers.notebooks check notebooks/*.ipynb   # outputs from one clean run?
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

from helpers.saving import WIDGET_VIEW, without_widgets

KERNEL_NAME = "python3"
# Settings a trainee or instructor may have; a first-time learner has none of them.
COURSE_VARIABLES = (
    "ALLIANCE_HOME",
    "ALLIANCE_DROPBOX",
    "ALLIANCE_CLASS_DATA",
    "ALLIANCE_DATA",
    "ALLIANCE_COHORT",
    "ALLIANCE_ROSTER",
    "ALLIANCE_COUNTRY",
)


def stored_output_problems(path: Path) -> list[str]:
    """Why a notebook's stored outputs are not those of one clean top-to-bottom run."""
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    problems = []
    counts = [cell.get("execution_count") for cell in cells]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"execution counts {counts} are not 1..{len(counts)}")
    if cells and not any(cell.get("outputs") for cell in cells):
        problems.append("no stored outputs")
    if nb["metadata"].get("widgets"):
        problems.append("it stores widget state")
    for number, cell in enumerate(cells, start=1):
        if "execution" in cell.get("metadata", {}):
            problems.append(f"code cell {number} stores when it ran (execution timestamps)")
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"code cell {number} stored an error ({output.get('ename')})")
            if WIDGET_VIEW in output.get("data", {}):
                problems.append(f"code cell {number} stores a live widget (model not found)")
    problems += stale_exercises(cells)
    return [f"{path}: {problem}; run `make outputs`" for problem in problems]


_EXERCISE = re.compile(r"Exercise (\S+) \((\w+)\): ")
_CONTENT = re.compile(r"\(content ([0-9a-f]+)\)")


def stale_exercises(cells: list[dict]) -> list[str]:
    """Exercises whose stored text no longer matches the bank (a vignette edited since the
    notebook's outputs were stored)."""
    from helpers.bank import VignetteError, load_bank
    from helpers.exercises.base import exercise_text

    bank = load_bank()
    problems = []
    for number, cell in enumerate(cells, start=1):
        for output in cell.get("outputs", []):
            stored = "".join(output.get("data", {}).get("text/plain", ""))
            found = _EXERCISE.match(stored)
            if not found:
                continue
            vignette_id, kind = found.groups()
            try:
                current = exercise_text(bank.get(vignette_id), kind)
            except VignetteError:
                problems.append(f"code cell {number} shows vignette {vignette_id}, now missing")
                continue
            if stored != current:
                old, new = (_CONTENT.search(text) for text in (stored, current))
                change = f" (content {old[1]} is now {new[1]})" if old and new else ""
                problems.append(
                    f"code cell {number} shows vignette {vignette_id} as it was before an "
                    f"edit{change}"
                )
    return problems


def as_first_time_learner(environ: MutableMapping[str, str], home: str | Path) -> None:
    """Make ``environ`` that of a learner opening the course for the first time: an empty home
    folder (so their private folder is a fresh ``~/.alliance``) and no course settings.

    Matplotlib keeps its usual cache folder, so its font cache is not rebuilt every time.
    """
    real_home = Path(environ.get("HOME") or Path.home())
    environ.setdefault("MPLCONFIGDIR", str(real_home / ".config" / "matplotlib"))
    environ["HOME"] = str(home)
    for name in COURSE_VARIABLES:
        environ.pop(name, None)


def execute(path: Path, timeout: int = 300) -> None:
    """Run one notebook in place in a clean kernel and store its outputs and widget state."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps of an earlier run
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="alliance-learner-") as home:
        as_first_time_learner(os.environ, home)
        os.environ.pop("MPLBACKEND", None)
        try:
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name=KERNEL_NAME,
                resources={"metadata": {"path": str(path.parent.resolve())}},
                store_widget_state=False,
                record_timing=False,  # no timestamps: quiet diffs, nothing about when it ran
            )
            client.execute()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": KERNEL_NAME,
    }
    nbformat.write(without_widgets(notebook), path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="run notebooks in place and store their outputs")
    run.add_argument("paths", nargs="+", type=Path)
    check = sub.add_parser("check", help="fail if stored outputs are not from one clean run")
    check.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = [line for path in args.paths for line in stored_output_problems(path)]
        print("\n".join(problems) or f"{len(args.paths)} notebook(s): outputs from one clean run")
        return 1 if problems else 0
    for path in args.paths:
        print(f"executing {path} ...", flush=True)
        execute(path)
    print(f"stored outputs of {len(args.paths)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
