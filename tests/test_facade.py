"""Notebooks reach the course's code only through the façade ``helpers`` (docs/authoring.md),
and every name the façade promises can be imported."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Notebooks that still import from a submodule: every name they use is exported by the façade
# already, so switching is an edit of their import lines. Drop a notebook here once it has.
PENDING: set[str] = set()


def imports(path: Path) -> list[tuple[int, str, str]]:
    """(cell number, module, name) of every import in a notebook's code cells."""
    nb = json.loads(path.read_text("utf-8"))
    cells = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    found = []
    for number, cell in enumerate(cells, start=1):
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.ImportFrom):
                found += [(number, node.module or "", alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(number, alias.name, "") for alias in node.names]
    return found


def test_every_name_of_the_facade_can_be_imported():
    for name in helpers.__all__:
        value = getattr(helpers, name)
        assert getattr(value, "__name__", name) == name, f"helpers.{name} is {value!r}"


def test_notebooks_import_only_from_the_facade():
    outside = {}
    for path in NOTEBOOKS:
        for cell, module, name in imports(path):
            if module != "helpers":
                outside.setdefault(path.name, []).append((cell, module, name))
    for notebook, found in outside.items():
        assert notebook in PENDING, f"{notebook}: import from helpers only, not {found}"
        missing = [f"{module}.{name}" for _, module, name in found if name not in helpers.__all__]
        assert missing == [], f"{notebook} needs {missing} in the façade (helpers/__init__.py)"
    assert set(outside) >= PENDING, f"done already: drop {PENDING - set(outside)} from PENDING"
