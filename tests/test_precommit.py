"""The pre-commit hooks an adopting department enables run clean on the repository."""

from __future__ import annotations

import os
import re
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


def without_the_environment(repo: Path) -> dict[str, str]:
    """The shell of someone who ran ``make setup`` in a fresh clone and never activated
    ``.venv``: its folder is not on PATH, and no course tool is found there."""
    (repo / ".venv").symlink_to(ROOT / ".venv")
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p and Path(p).resolve() != BIN]
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["PATH"] = os.pathsep.join(path)
    env["PRE_COMMIT_HOME"] = str(repo.parent / "pre-commit-home")
    for tool in ("ruff", "alliance", "check-jsonschema", "trailing-whitespace-fixer"):
        found = shutil.which(tool, path=env["PATH"])
        assert found is None or Path(found).resolve().parent != BIN, found
    return env


def run_hooks(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "pre-commit"), "run", "--all-files", "--show-diff-on-failure"],
        cwd=repo,
        env=without_the_environment(repo),
        capture_output=True,
        text=True,
    )


def commit_through_the_installed_hook(repo: Path) -> subprocess.CompletedProcess:
    """As docs/authoring.md says: ``.venv/bin/pre-commit install`` once, then ``git commit``."""
    env = without_the_environment(repo)
    env.update(
        GIT_AUTHOR_NAME="Author",
        GIT_AUTHOR_EMAIL="author@example.org",
        GIT_COMMITTER_NAME="Author",
        GIT_COMMITTER_EMAIL="author@example.org",
    )
    subprocess.run(
        [".venv/bin/pre-commit", "install"], cwd=repo, env=env, check=True, capture_output=True
    )
    return subprocess.run(
        ["git", "commit", "-q", "-m", "A change"], cwd=repo, env=env, capture_output=True, text=True
    )


def test_hooks_run_clean_on_the_repository(tmp_path):
    repo = copy_of_the_repository(tmp_path / "repo")
    result = run_hooks(repo)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_installed_hook_fixes_whitespace_and_stops_a_commit_of_a_notebook_without_outputs(
    tmp_path,
):
    repo = copy_of_the_repository(tmp_path / "repo")
    (repo / "docs" / "note.md").write_text("A line with spaces   \nno final newline")
    notebook = sorted((repo / "notebooks").glob("*.ipynb"))[0]
    text = notebook.read_text(encoding="utf-8")
    notebook.write_text(text.replace('"execution_count": 1', '"execution_count": 7', 1))
    git("add", "-A", cwd=repo)
    result = commit_through_the_installed_hook(repo)
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    assert (repo / "docs" / "note.md").read_text() == "A line with spaces\nno final newline\n"
    output = result.stdout + result.stderr
    assert f"{notebook.name}: execution counts" in output
    for hook in ("ruff format (Python and notebooks)", "ruff lint (Python and notebooks)"):
        assert re.search(rf"^{re.escape(hook)}\.+Passed$", output, re.M), output[-4000:]
