"""Shared test setup: every test run (and every notebook nbval executes) uses a throwaway
trainee folder, never the real ``~/.alliance``, and never a real drop folder."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict

import pytest

# notebook path -> [cells that matched, cells that did not]
_NBVAL: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
_SCRATCH = tempfile.TemporaryDirectory(prefix="alliance-test-home-")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("ALLIANCE_HOME", os.path.join(_SCRATCH.name, "home"))
    for name in ("ALLIANCE_DROPBOX", "ALLIANCE_CLASS_DATA", "ALLIANCE_DATA", "ALLIANCE_COHORT"):
        os.environ.pop(name, None)


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
