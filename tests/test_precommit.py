"""The pre-commit hooks an adopting department enables run clean on the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent.resolve()


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def copy_of_the_repository(target: Path) -> Path:
    """The committed and staged files, in a fresh git repository (the work tree is untouched)."""
    files = git("ls-files", "--cached", "--exclude-standard", cwd=ROOT).splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    return target


def run_hooks(repo: Path) -> subprocess.CompletedProcess:
    # as after `make setup` in a fresh clone: the environment is there, but not activated
    (repo / ".venv").symlink_to(ROOT / ".venv")
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p and Path(p).resolve() != BIN]
    env = dict(os.environ, PATH=os.pathsep.join(path))
    env["PRE_COMMIT_HOME"] = str(repo.parent / "pre-commit-home")
    return subprocess.run(
        [str(BIN / "pre-commit"), "run", "--all-files", "--show-diff-on-failure"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )


def test_hooks_run_clean_on_the_repository(tmp_path):
    repo = copy_of_the_repository(tmp_path / "repo")
    result = run_hooks(repo)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_hooks_fix_trailing_whitespace_and_flag_a_notebook_without_outputs(tmp_path):
    repo = copy_of_the_repository(tmp_path / "repo")
    (repo / "docs" / "note.md").write_text("A line with spaces   \nno final newline")
    notebook = sorted((repo / "notebooks").glob("*.ipynb"))[0]
    text = notebook.read_text(encoding="utf-8")
    notebook.write_text(text.replace('"execution_count": 1', '"execution_count": 7', 1))
    git("add", "-A", cwd=repo)
    result = run_hooks(repo)
    assert result.returncode == 1
    assert (repo / "docs" / "note.md").read_text() == "A line with spaces\nno final newline\n"
    assert f"{notebook.name}: execution counts" in result.stdout
