"""Instructor and ops tools live in ``alliance_ops``, which no trainee kernel ever loads; the
bank offers a public way to forget what it has loaded."""

from __future__ import annotations

import subprocess
import sys

from helpers.bank import clear_cache, load_bank

LOADED_BY_A_KERNEL = """
import importlib, pkgutil, sys
import helpers
from helpers import show_vignette  # what a notebook's first cell does
for module in pkgutil.walk_packages(helpers.__path__, "helpers."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
print(sorted(name for name in sys.modules if name.split(".")[0] in {"alliance_ops", "websocket"}))
"""


def test_no_course_module_loads_the_ops_tools():
    result = subprocess.run(
        [sys.executable, "-c", LOADED_BY_A_KERNEL], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_check_would_see_the_ops_tools_loaded():
    code = LOADED_BY_A_KERNEL.replace("import helpers\n", "import helpers, alliance_ops.measure\n")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "alliance_ops.measure" in result.stdout and "alliance_ops.kernels" in result.stdout


def test_alliance_measure_is_still_a_command():
    result = subprocess.run(
        [sys.executable, "-m", "helpers.cli", "measure", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "memory per trainee" in result.stdout


def test_clearing_the_cache_makes_the_next_load_read_the_files_again():
    first = load_bank()
    assert load_bank() is first
    clear_cache()
    again = load_bank()
    assert again is not first
    assert list(again.vignettes) == list(first.vignettes)
