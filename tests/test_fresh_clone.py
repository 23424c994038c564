"""`make test-fast` on a fresh clone installs what its tests need, as the README promises."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def planned_commands(folder: Path) -> str:
    """What ``make test-fast`` would run in ``folder`` (``make -n`` runs nothing)."""
    return subprocess.run(
        ["make", "-n", "test-fast"], cwd=folder, capture_output=True, text=True, check=True
    ).stdout


def clone_without_tools(tmp_path: Path) -> Path:
    folder = tmp_path / "clone"
    folder.mkdir()
    files = ["Makefile", "package.json", "package-lock.json", "requirements.txt", "pyproject.toml"]
    files += ["config/lab-overrides.json", "config/jupyter_server_config.json"]
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, folder / name)
    (folder / ".venv").mkdir()
    (folder / ".venv" / ".setup-done").touch()  # the Python environment is there already
    return folder


def test_test_fast_installs_the_node_tools_on_a_fresh_clone(tmp_path):
    commands = planned_commands(clone_without_tools(tmp_path))
    assert "npm ci" in commands
    assert commands.index("npm ci") < commands.index("tests.run --fast")


def test_test_fast_leaves_installed_node_tools_alone(tmp_path):
    folder = clone_without_tools(tmp_path)
    stamp = folder / "node_modules" / ".install-done"
    stamp.parent.mkdir()
    stamp.touch()
    os.utime(stamp, (1, 1))  # older than package.json, as in a checkout made after the install
    commands = planned_commands(folder)
    assert "npm ci" not in commands
    assert "tests.run --fast" in commands
