"""Configuration files an adopting department edits are checked against their schemas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK = Path(sys.executable).parent / "check-jsonschema"


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK), *args], cwd=ROOT, capture_output=True, text=True)


def test_environment_file_matches_its_schema():
    result = check("--schemafile", "config/environment.schema.json", "environment.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unpinned_package_in_the_environment_is_named(tmp_path):
    text = (ROOT / "environment.yml").read_text().replace("pandas==3.1.1", "pandas")
    broken = tmp_path / "environment.yml"
    broken.write_text(text)
    result = check("--schemafile", str(ROOT / "config/environment.schema.json"), str(broken))
    assert result.returncode == 1
    assert "'pandas'" in result.stdout


def test_workflow_matches_the_github_workflow_schema():
    result = check("--builtin-schema", "vendor.github-workflows", ".github/workflows/ci.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_vignette_bank_passes_the_course_validator():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "alliance"), "validate", "data/vignettes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().splitlines()[-1].endswith(": OK")
