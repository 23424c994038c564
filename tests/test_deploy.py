"""The Kubernetes deployment (deploy/z2jh-values.yaml) and the memory figures behind it.

The course's values are checked the way Helm checks them: deep-merged onto the chart's own
values.yaml, then validated against the chart's values.schema.yaml (both vendored in
deploy/z2jh/). The memory guarantee and limit must be the ones the capacity table in
docs/jupyterhub.md states, and that table comes from ``alliance measure --markdown``, which is
tested here too.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from alliance_ops import measure
from helpers.cli import main

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "deploy" / "z2jh-values.yaml"
CHART = ROOT / "deploy" / "z2jh"
DOCS = ROOT / "docs" / "jupyterhub.md"


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of user values onto chart defaults: maps merge key by key, anything else
    (lists included) replaces, and null removes the key."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def schema_errors(values: dict[str, Any]) -> list[str]:
    """Every schema error of ``values`` merged onto the chart's defaults, one line each."""
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    validator = jsonschema.Draft7Validator(schema)
    merged = deep_merge(defaults, values)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top level)'}: {error.message}"
        for error in sorted(validator.iter_errors(merged), key=lambda e: list(e.absolute_path))
    ]


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return yaml.safe_load(VALUES.read_text())


def test_course_values_pass_the_chart_schema(values: dict[str, Any]) -> None:
    assert schema_errors(values) == []


@pytest.mark.parametrize(
    ("section", "typo"),
    [("singleuser", "memmory"), ("cull", "timout"), ("singleuser", "defaultURL")],
)
def test_a_misspelt_key_fails_validation_naming_it(
    values: dict[str, Any], section: str, typo: str
) -> None:
    broken = copy.deepcopy(values)
    broken[section][typo] = {"guarantee": "256M"} if typo == "memmory" else "/lab"
    errors = schema_errors(broken)
    assert errors, f"{section}.{typo} was accepted"
    assert any(f"'{typo}' was unexpected" in line and line.startswith(section) for line in errors)


def test_merge_follows_helm(values: dict[str, Any]) -> None:
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    merged = deep_merge(defaults, values)
    # Chart defaults the course does not set survive; the course's own settings win.
    assert merged["singleuser"]["cmd"] == defaults["singleuser"]["cmd"]
    assert merged["singleuser"]["memory"] == values["singleuser"]["memory"]
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"c": None}}) == {"a": {"b": 1}}


def test_image_is_the_course_image_at_a_fixed_tag(values: dict[str, Any]) -> None:
    image = values["singleuser"]["image"]
    assert image["name"] and "k8s-singleuser-sample" not in image["name"]
    tag = image.get("tag")
    assert isinstance(tag, str) and tag.strip(), "set singleuser.image.tag to a fixed tag"
    assert tag not in {"latest", "set-by-chartpress"}


def test_lab_opens_and_idle_servers_are_culled(values: dict[str, Any]) -> None:
    assert values["singleuser"]["defaultUrl"] == "/lab"
    cull = values["cull"]
    assert cull["enabled"] is True
    assert 0 < cull["every"] <= cull["timeout"]


def _docs_setting(name: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"\|\s*`singleuser\.memory\.{name}`\s*\|\s*`([^`]+)`\s*\|", text)
    assert match, f"docs/jupyterhub.md has no capacity-table row for singleuser.memory.{name}"
    return match[1]


def test_memory_guarantee_and_limit_are_the_measured_ones(values: dict[str, Any]) -> None:
    memory = values["singleuser"]["memory"]
    assert str(memory["guarantee"]) == _docs_setting("guarantee")
    assert str(memory["limit"]) == _docs_setting("limit")


def test_docs_capacity_table_is_the_measure_output() -> None:
    text = DOCS.read_text(encoding="utf-8")
    header = (
        f"| Open notebooks | Per trainee (measured) | Per trainee ×{measure.DEFAULT_HEADROOM:g} |"
        " Class of 30 | Class of 100 | Class of 500 |"
    )
    assert header in text
    rows = re.findall(r"^\| (one|two) \| (\d+) MiB \| (\d+) MiB \|", text, flags=re.M)
    assert [row[0] for row in rows] == ["one", "two"]
    one, two = (int(row[1]) for row in rows)
    # The settings follow from the measured figures by the stated rule.
    guarantee = -(-one * measure.DEFAULT_HEADROOM // measure.GUARANTEE_STEP)
    limit = -(-two * measure.DEFAULT_HEADROOM // measure.LIMIT_STEP)
    assert _docs_setting("guarantee") == measure._k8s_size(int(guarantee) * measure.GUARANTEE_STEP)
    assert _docs_setting("limit") == measure._k8s_size(int(limit) * measure.LIMIT_STEP)


# -- alliance measure ------------------------------------------------------------------------


def test_sizing_follows_the_stated_rule() -> None:
    runs = [
        [measure.Sample(90, 0), measure.Sample(92, 110), measure.Sample(93, 170)],
        [measure.Sample(88, 0), measure.Sample(90, 100), measure.Sample(91, 160)],
        [measure.Sample(100, 0), measure.Sample(95, 120), measure.Sample(94, 175)],
    ]
    result = measure.summarise(runs, ["a.ipynb", "b.ipynb"], 1.25)
    assert result["stages"]["one_notebook"] == {"server": 92, "kernels": 110, "total": 202}
    # one notebook: 202 MiB x 1.25 = 252.5 -> 256M; two: 263 x 1.25 = 328.75 -> 512M
    assert result["kubernetes"] == {"guarantee": "256M", "limit": "512M"}
    assert result["classes"]["30"]["one_notebook_gib"] == round(30 * 202 * 1.25 / 1024, 1)
    table = measure.markdown_table(result)
    assert "| one | 202 MiB | 252 MiB | 7.4 GiB | 24.7 GiB | 123.3 GiB |" in table


@pytest.mark.slow
def test_measure_reports_plausible_memory_per_trainee(capsys: pytest.CaptureFixture) -> None:
    assert main(["measure", "--repeat", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    stages = result["stages"]
    assert 30 < stages["server"]["total"] < 1000
    assert stages["server"]["kernels"] == 0
    # Each open notebook adds a kernel of at least a bare Python's size.
    assert stages["one_notebook"]["kernels"] > 30
    assert stages["two_notebooks"]["kernels"] > stages["one_notebook"]["kernels"] + 30
    assert stages["two_notebooks"]["total"] < 2000
    lines = measure.text_table(result).splitlines()
    assert [line.split()[0:2] for line in lines[2:5]] == [
        ["server", "only"],
        ["+", "one"],
        ["+", "two"],
    ]
    table = measure.markdown_table(result)
    assert re.search(r"^\| one \| \d+ MiB \| \d+ MiB \| [\d.]+ GiB \|", table, flags=re.M)
    assert re.search(r"^\| two \| \d+ MiB \|", table, flags=re.M)
    assert "`singleuser.memory.guarantee`" in table and "`singleuser.memory.limit`" in table


def test_measure_says_what_is_wrong_with_bad_options(capsys: pytest.CaptureFixture) -> None:
    assert main(["measure", "--repeat", "0"]) == 2
    assert "--repeat must be 1 or more" in capsys.readouterr().err
    assert main(["measure", "--notebooks", "00-start-here.ipynb", "99-missing.ipynb"]) == 2
    assert "notebook not found" in capsys.readouterr().err
    assert main(["measure", "--headroom", "0.5"]) == 2
    assert "--headroom must be 1 or more" in capsys.readouterr().err


def test_measure_runs_every_code_cell_and_names_an_unreadable_notebook(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "markdown", "source": ["# Title"]},
                    {"cell_type": "code", "source": ["import math\n", "math.pi"]},
                    {"cell_type": "code", "source": "   \n"},
                    {"cell_type": "code", "source": "print(1)"},
                ]
            }
        )
    )
    assert measure.notebook_cells(notebook) == ["import math\nmath.pi", "print(1)"]
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    with pytest.raises(measure.MeasureError, match="cannot read the notebook .*broken.ipynb"):
        measure.notebook_cells(broken)
