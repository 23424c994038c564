"""Shared test setup: every test (and every notebook nbval executes) runs as a first-time
learner in a throwaway home folder: never the real ``~/.alliance``, never a real drop folder."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict

import pytest

from helpers.notebooks import as_first_time_learner

# notebook path -> [cells that matched, cells that did not]
_NBVAL: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
_SCRATCH = tempfile.TemporaryDirectory(prefix="alliance-test-home-")


def pytest_configure(config: pytest.Config) -> None:
    home = os.path.join(_SCRATCH.name, "home")
    os.makedirs(home, mode=0o700, exist_ok=True)
    as_first_time_learner(os.environ, home)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and not (report.when == "setup" and report.failed):
        return
    path = report.nodeid.split("::", 1)[0]
    if not path.endswith(".ipynb"):
        return
    counts = _NBVAL[path]
    counts[0 if report.passed else 1] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    notebooks = _NBVAL
    if not notebooks:
        return
    clean = sum(1 for passed, failed in notebooks.values() if failed == 0 and passed)
    cells = sum(passed + failed for passed, failed in notebooks.values())
    terminalreporter.write_line(
        f"nbval validated {len(notebooks)} notebooks ({cells} cells): "
        f"{clean} matched their stored outputs, {len(notebooks) - clean} did not"
    )
