"""``make test``: lint, then every test suite, then one closing line with the totals.

    python -m tests.run          # everything
    python -m tests.run --fast   # lint and the main suite only (no browser, no hub)

The browser and JupyterHub suites skip themselves, saying why, where they cannot run (no
Chromium; not root on Linux). With ``CI=true`` a skipped suite is a failure, so CI can never
pass without running them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from helpers.notebooks import as_first_time_learner

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NBVAL = [
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "tests/nbval_sanitize.cfg",
]


def _run(title: str, command: list[str], env: dict[str, str] | None = None) -> int:
    print(f"\n=== {title} ===", flush=True)
    return subprocess.call(command, cwd=ROOT, env=env)


def _pytest(title: str, args: list[str], report: Path, env: dict[str, str]) -> tuple[int, dict]:
    code = _run(
        title,
        [
            str(BIN / "python"),
            "-m",
            "pytest",
            *args,
            f"--junitxml={report}",
            "-p",
            "no:cacheprovider",
        ],
        env,
    )
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    if report.exists():
        suite = ET.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        totals = {"passed": tests - failed - skipped, "failed": failed, "skipped": skipped}
    return code, totals


def main(argv: list[str]) -> int:
    fast = "--fast" in argv
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    scratch = Path(tempfile.mkdtemp(prefix="alliance-test-"))
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    (scratch / "home").mkdir(mode=0o700)
    as_first_time_learner(env, scratch / "home")

    failures: list[str] = []
    lint_targets = ["src", "tests", "notebooks", "bench"]
    lint_targets = [t for t in lint_targets if (ROOT / t).exists()]
    if _run("ruff: lint", [str(BIN / "ruff"), "check", *lint_targets]):
        failures.append("ruff lint")
    if _run("ruff: format", [str(BIN / "ruff"), "format", "--check", *lint_targets]):
        failures.append("ruff format")

    totals = {"passed": 0, "failed": 0, "skipped": 0}
    suites = [
        (
            "unit tests and notebooks (nbval)",
            [
                "tests",
                "notebooks",
                *NBVAL,
                "--ignore=tests/browser",
                "--ignore=tests/hub",
                "-n",
                "2",
                "--dist",
                "loadscope",
            ],
            False,
        )
    ]
    if not fast:
        suites.append(("notebooks in a real browser", ["tests/browser", "-rs"], True))
        suites.append(("JupyterHub class deployment", ["tests/hub", "-rs"], True))
    for title, args, must_run_in_ci in suites:
        if not (ROOT / args[0]).exists():
            print(f"\n=== {title} === not present yet")
            if in_ci and must_run_in_ci:
                failures.append(f"{title}: suite missing")
            continue
        code, counts = _pytest(
            title, args, scratch / f"{len(failures)}-{args[0].replace('/', '-')}.xml", env
        )
        for key in totals:
            totals[key] += counts[key]
        if code not in (0, 5) or counts["failed"]:
            failures.append(title)
        elif code == 5 and must_run_in_ci and in_ci:
            failures.append(f"{title}: no tests ran, and CI must run them")
        if must_run_in_ci and counts["skipped"] and in_ci:
            failures.append(f"{title}: {counts['skipped']} skipped, and CI must run them all")
            print(f"CI=true: {title} skipped {counts['skipped']} tests; see the reasons above.")
        elif counts["skipped"] and must_run_in_ci:
            print(f"NOTE: {title}: {counts['skipped']} tests skipped here (reasons above).")

    shutil.rmtree(scratch, ignore_errors=True)
    print()
    if failures:
        print("FAILED: " + "; ".join(failures))
    print(
        f"total: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
