"""Execute the course notebooks and store their outputs, as ``make outputs`` does.

Each notebook runs top to bottom in a fresh kernel, from the ``notebooks/`` folder, with a fresh
temporary ``ALLIANCE_HOME`` (so no trainee's answers leak into the stored outputs), and is saved
with its widget state, so a freshly opened notebook shows its widgets.

    python -m helpers.notebooks execute notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

KERNEL_NAME = "python3"


def execute(path: Path, timeout: int = 300) -> None:
    """Run one notebook in place in a clean kernel and store its outputs and widget state."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="alliance-home-") as home:
        saved = {key: os.environ.get(key) for key in ("ALLIANCE_HOME", "MPLBACKEND")}
        os.environ["ALLIANCE_HOME"] = home
        os.environ.pop("MPLBACKEND", None)
        try:
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name=KERNEL_NAME,
                resources={"metadata": {"path": str(path.parent.resolve())}},
                store_widget_state=True,
            )
            client.execute()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": KERNEL_NAME,
    }
    nbformat.write(notebook, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="run notebooks in place and store their outputs")
    run.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.paths:
        print(f"executing {path} ...", flush=True)
        execute(path)
    print(f"stored outputs of {len(args.paths)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
