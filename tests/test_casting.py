"""The casting audit: generated from the vignette files, current, and able to spot a style that
leans on one group."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.bank import load_bank
from helpers.casting import Casting, build_casting, imbalances, read_casting
from helpers.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASTING = ROOT / "docs" / "casting.md"


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))


def _client(vid: str, gender: str, heritage: str, styles: list[str]) -> Casting:
    details = {
        "age": "26-40",
        "gender": gender,
        "heritage": heritage,
        "culture": [],
        "concern": "low mood",
        "attitude": "open",
        "styles": styles,
    }
    return Casting(vid, "care", "Kim", details)


def test_committed_casting_audit_is_current():
    assert CASTING.exists(), "docs/casting.md is missing: run `make guide`"
    assert CASTING.read_text(encoding="utf-8") == build_casting(load_bank()), (
        "docs/casting.md is out of date: run `make guide` and commit it"
    )


def test_guide_check_flags_a_stale_casting_audit_and_write_fixes_it(tmp_path, capsys):
    guide_file = tmp_path / "guide.md"
    casting_file = tmp_path / "casting.md"
    casting_file.write_text("# An old audit\n", encoding="utf-8")
    args = ["--output", str(guide_file), "--casting-output", str(casting_file)]
    assert main(["guide", "--write", "--output", str(guide_file)]) == 0
    assert main(["guide", "--check", *args]) == 1
    assert f"{casting_file} is out of date" in capsys.readouterr().err

    assert main(["guide", "--write", *args]) == 0
    assert main(["guide", "--check", *args]) == 0
    assert casting_file.read_text(encoding="utf-8").startswith("# Casting audit")


def test_every_vignette_in_the_bank_appears_in_the_audit_with_its_client():
    bank = load_bank()
    text = build_casting(bank)
    rows = read_casting(bank)
    assert {r.id for r in rows} == set(bank.vignettes)
    kofi = next(r for r in rows if r.id == "care-06")
    assert kofi.client == "Kofi"
    assert "| care-06 | Kofi | 26-40 | male | global-majority |" in text


def test_a_style_carried_by_one_gender_is_flagged_by_name():
    rows = [
        _client("care-01", "male", "unstated", ["feelings-averse"]),
        _client("care-02", "male", "european", ["feelings-averse"]),
        _client("care-03", "male", "global-majority", ["feelings-averse"]),
        _client("care-04", "female", "unstated", ["faith"]),
    ]
    found = imbalances(rows)
    assert len(found) == 1
    assert "'feelings-averse' is carried mostly by gender 'male': 3 of its 3" in found[0]
    assert "care-01, care-02, care-03" in found[0]


def test_a_style_carried_by_one_heritage_is_flagged():
    rows = [
        _client("care-01", "male", "global-majority", ["faith"]),
        _client("care-02", "female", "global-majority", ["faith"]),
        _client("care-03", "nonbinary", "global-majority", ["faith"]),
        _client("care-04", "female", "european", ["faith"]),
    ]
    assert imbalances(rows) == [
        "'faith' is carried mostly by heritage 'global-majority': 3 of its 4 vignettes "
        "(care-01, care-02, care-03). Recast a client, or add a vignette with this style from "
        "another group."
    ]


def test_a_mixed_style_or_one_seen_in_only_two_vignettes_passes():
    rows = [
        _client("care-01", "male", "unstated", ["family-duty", "work-pressure"]),
        _client("care-02", "female", "european", ["family-duty", "work-pressure"]),
        _client("care-03", "male", "global-majority", ["family-duty"]),
    ]
    assert imbalances(rows) == []


def test_no_presenting_style_in_the_bank_leans_on_one_group():
    problems = imbalances(read_casting(load_bank()))
    assert not problems, "\n".join(problems)
