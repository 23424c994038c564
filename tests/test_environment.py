"""The environment: one pinned dependency set, and a widget stack whose two halves match."""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# What the course cannot run or be tested without: both files must pin each of these.
REQUIRED = {
    "jupyterlab",
    "ipywidgets",
    "jupyterlab-widgets",
    "widgetsnbextension",
    "ipykernel",
    "pandas",
    "numpy",
    "matplotlib",
    "pyyaml",
    "jsonschema",
    "markdown-it-py",
    "nbval",
    "nbclient",
    "nbformat",
    "pytest",
    "pytest-xdist",
    "ruff",
    "playwright",
    "jupyterhub",
    "nbgitpuller",
    "voila",
}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(text: str) -> dict[str, str]:
    """``name==version`` lines of a pip requirements file."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if not match:
            raise AssertionError(f"requirements.txt: '{line}' is not an exact '==' pin")
        pins[normalise(match[1])] = match[2]
    return pins


def environment_pins(data: dict) -> dict[str, str]:
    """Conda and pip pins of environment.yml (python and local installs left out)."""
    pins = {}
    for entry in data["dependencies"]:
        specs = entry["pip"] if isinstance(entry, dict) else [entry]
        for spec in specs:
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==?\s*([^\s]+)", spec)
            if match and normalise(match[1]) not in {"python", "nodejs"}:
                pins[normalise(match[1])] = match[2]
    return pins


def drift(lock: dict[str, str], env: dict[str, str]) -> list[str]:
    """Plain-words differences between the pip lock and environment.yml."""
    problems = []
    for name, pinned in sorted(env.items()):
        if name not in lock:
            problems.append(
                f"{name}: pinned in environment.yml ({pinned}) but not in requirements.txt"
            )
        elif lock[name] != pinned:
            problems.append(
                f"{name}: environment.yml pins {pinned}, requirements.txt pins {lock[name]}"
            )
    for name in sorted(REQUIRED):
        for label, pins in (("requirements.txt", lock), ("environment.yml", env)):
            if name not in pins:
                problems.append(f"{name}: not pinned in {label}")
    return problems


@pytest.fixture(scope="module")
def lock() -> dict[str, str]:
    return lock_pins((ROOT / "requirements.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def env_pins() -> dict[str, str]:
    return environment_pins(yaml.safe_load((ROOT / "environment.yml").read_text()))


def test_environment_and_lock_pin_the_same_versions(lock, env_pins):
    problems = drift(lock, env_pins)
    assert not problems, "dependency files drifted:\n" + "\n".join(problems)


def test_a_changed_pin_is_reported_by_package_name(lock, env_pins):
    changed = dict(lock, pandas="0.0.1")
    assert drift(changed, env_pins) == [
        f"pandas: environment.yml pins {env_pins['pandas']}, requirements.txt pins 0.0.1"
    ]
    missing = {k: v for k, v in env_pins.items() if k != "nbval"}
    assert "nbval: not pinned in environment.yml" in drift(lock, missing)


def test_environment_builds_python_311_and_installs_the_course():
    data = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in data["channels"]
    assert "python=3.11" in data["dependencies"]
    pip_section = next(e["pip"] for e in data["dependencies"] if isinstance(e, dict))
    assert "-e ." in pip_section


@pytest.mark.skipif(
    os.environ.get("ALLIANCE_UNPINNED") == "1",
    reason="the early-warning CI job installs the newest releases on purpose",
)
def test_installed_versions_match_the_lock(lock):
    wrong = [
        f"{name}: installed {version(name)}, lock says {lock[name]}"
        for name in sorted(REQUIRED)
        if version(name) != lock[name]
    ]
    assert not wrong, "run 'make setup' again:\n" + "\n".join(wrong)


def test_the_stack_imports():
    for module in ("pandas", "matplotlib.pyplot", "ipywidgets", "yaml", "jsonschema", "nbclient"):
        importlib.import_module(module)
    assert sys.version_info[:2] == (3, 11)


def front_end_constants(static: Path) -> dict[str, set[str]]:
    """Versions the JupyterLab widget manager's built JavaScript declares it speaks."""
    found: dict[str, set[str]] = {}
    for script in static.glob("*.js"):
        text = script.read_text(encoding="utf-8", errors="replace")
        for name, value in re.findall(
            r"(JUPYTER_WIDGETS_VERSION|JUPYTER_CONTROLS_VERSION|"
            r'PROTOCOL_VERSION):\(\)=>"(\d+\.\d+\.\d+)"',
            text,
        ):
            found.setdefault(name, set()).add(value)
    return found


def test_kernel_and_front_end_widget_versions_match():
    """ipywidgets (kernel side) must speak the versions the installed Lab manager renders."""
    import ipywidgets._version as kernel

    manager = Path(sys.prefix) / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager"
    install = json.loads((manager / "install.json").read_text())
    assert install["packageName"] == "jupyterlab_widgets"
    front = front_end_constants(manager / "static")
    expected = {
        "PROTOCOL_VERSION": kernel.__protocol_version__,
        "JUPYTER_WIDGETS_VERSION": kernel.__jupyter_widgets_base_version__,
        "JUPYTER_CONTROLS_VERSION": kernel.__jupyter_widgets_controls_version__,
    }
    for name, kernel_version in expected.items():
        assert kernel_version in front.get(name, set()), (
            f"ipywidgets {version('ipywidgets')} uses {name} {kernel_version}, but the JupyterLab "
            f"widget manager from jupyterlab_widgets {version('jupyterlab-widgets')} declares "
            f"{sorted(front.get(name, []))}: pin matching ipywidgets and jupyterlab_widgets"
        )
