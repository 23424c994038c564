"""docs/architecture.md's privacy-rule table matches the code: every rule it lists is named by
each module it says enforces it, and every rule code the code names is listed there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "helpers"
RULE = re.compile(r"\b(S[1-9]|F[1-3]|P[1-4]|M1|C1|D[1-5])\b")


def documented() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    table = {}
    for rule, modules in re.findall(r"^\| (\w\d) \|[^|]*\| ([^|]*) \|$", text, re.M):
        table[rule] = set(re.findall(r"`([\w/]+)`", modules))
    return table


def named_in_code() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = path.relative_to(PACKAGE).with_suffix("").as_posix()
        for rule in set(RULE.findall(path.read_text("utf-8"))):
            if module.startswith("coach/") and rule == "F1":
                continue  # the coach's F1 is the F1 score of its classifier, not rule F1
            found.setdefault(rule, set()).add(module)
    return found


def test_the_table_lists_the_rules():
    assert len(documented()) >= 15


def test_every_listed_rule_is_named_by_the_code_that_enforces_it():
    code = named_in_code()
    for rule, modules in documented().items():
        missing = modules - code.get(rule, set())
        assert not missing, f"{rule}: {sorted(missing)} do not name it"


def test_every_rule_the_code_names_is_in_the_table():
    table = documented()
    for rule, modules in named_in_code().items():
        assert rule in table, f"{rule} is named in {sorted(modules)} but not in the table"
        extra = modules - table[rule]
        assert not extra, f"{rule} is named in {sorted(extra)}; add them to its row"
