"""`alliance export` shares the trainee's corrections of the response coach only when they tick
the box (``--coach-corrections``); without it, the files hold no trace of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import reflection_form
from helpers.cli import main as alliance
from helpers.coach.corrections import save_correction
from helpers.store import get_store, pseudonym
from helpers.submission import validate_submission

RATINGS = {"safety": 7, "care": 8, "understanding": 6, "focus": 9}
CHECKINS = {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 7}
REPLY = "You should just tell Anna Brown to stop, call me on 07700 900123."


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "alliance-home"))
    monkeypatch.setenv("ALLIANCE_COHORT", "FALL26")
    monkeypatch.delenv("ALLIANCE_DROPBOX", raising=False)
    monkeypatch.delenv("ALLIANCE_ROSTER", raising=False)
    opened = get_store()
    pseudonym()
    opened.save_reflection(3, "counselor", RATINGS, CHECKINS, "", False)
    save_correction(opened, "care-07", REPLY, ("advice",), ["advice", "judgement"])
    save_correction(opened, "rupture-05", "I got that wrong.", ("self_focus",), ["repair"])
    return opened


def exported(folder: Path) -> tuple[dict, str]:
    [path] = sorted(folder.iterdir())
    raw = path.read_text(encoding="utf-8")
    return json.loads(raw), raw


def test_without_the_tick_no_correction_leaves_the_store(store, tmp_path):
    assert alliance(["export", "--to", str(tmp_path / "out")]) == 0
    data, raw = exported(tmp_path / "out")
    assert "coach_corrections" not in data
    assert "tell Anna" not in raw and "I got that wrong" not in raw and "judgement" not in raw


def test_with_the_tick_the_corrections_are_shared_scrubbed_and_valid(store, tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("Anna Brown\n", encoding="utf-8")
    args = ["export", "--coach-corrections", "--roster", str(roster), "--to", str(tmp_path / "o")]
    assert alliance(args) == 0
    data, raw = exported(tmp_path / "o")
    validate_submission(data)
    assert data["coach_corrections"] == [
        {
            "vignette": "care-07",
            "response": "You should just tell [NAME] [NAME] to stop, call me on [PHONE].",
            "coach_labels": ["advice"],
            "trainee_labels": ["advice", "judgement"],
        },
        {
            "vignette": "rupture-05",
            "response": "I got that wrong.",
            "coach_labels": ["self_focus"],
            "trainee_labels": ["repair"],
        },
    ]
    assert "Anna" not in raw and "07700" not in raw
    assert "created" not in raw  # no date or time (rule M1)


def test_with_the_tick_but_no_corrections_the_file_is_as_before(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ALLIANCE_COHORT", "FALL26")
    get_store().save_reflection(1, "client", RATINGS, CHECKINS, "", False)
    assert alliance(["export", "--coach-corrections", "--to", str(tmp_path / "o")]) == 0
    data, _ = exported(tmp_path / "o")
    assert "coach_corrections" not in data


def test_the_help_says_corrections_stay_out_unless_asked(capsys):
    with pytest.raises(SystemExit):
        alliance(["export", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--coach-corrections" in help_text
    assert "left out unless you add this" in help_text


@pytest.mark.parametrize("ticked", [False, True])
def test_the_reflection_form_shares_corrections_only_when_its_box_is_ticked(
    tmp_path, monkeypatch, ticked
):
    home = tmp_path / "alliance-home"
    monkeypatch.setenv("ALLIANCE_HOME", str(home))
    for name in ("ALLIANCE_COHORT", "ALLIANCE_DROPBOX", "ALLIANCE_ROSTER"):
        monkeypatch.delenv(name, raising=False)
    form = reflection_form()
    assert form.share_corrections.value is False  # starts unticked
    assert "corrections of the response coach" in form.share_corrections.description
    save_correction(form.store, "care-07", REPLY, ("advice",), ["advice", "judgement"])
    form.session.value, form.role.value = 2, "counselor"
    for box in (*form.ratings.values(), *form.checkins.values()):
        box.value = 6
    form.save_button.click()
    form.cohort.value = "FALL26"
    form.share_corrections.value = ticked
    form.share_button.click()

    [written] = (home / "outbox").iterdir()
    data, raw = json.loads(written.read_text()), written.read_text()
    if ticked:
        assert [c["trainee_labels"] for c in data["coach_corrections"]] == [["advice", "judgement"]]
    else:
        assert "coach_corrections" not in data and "tell Anna" not in raw
