"""The reflection form's controls say what they hold: ratings start at "choose…", the share
button and the class-code box have room, the download link survives a second Share, and on a
course server the share message links to the outbox page."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.reflection import reflection_form


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "ALLIANCE_DROPBOX",
        "ALLIANCE_COHORT",
        "ALLIANCE_ROSTER",
        "ALLIANCE_SERVER_BASE_URL",
        "ALLIANCE_SERVER_OUTBOX",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_ratings_start_at_choose_and_line_up(home: Path) -> None:
    form = reflection_form()
    boxes = [*form.ratings.values(), *form.checkins.values()]
    assert [box.label for box in boxes] == ["choose…"] * 7
    assert all(box.value is None for box in boxes)
    assert {box.style.description_width for box in boxes} == {"27em"}  # one width: aligned
    assert "Rate “" in " ".join(form.problems())  # "choose…" is not an answer


def test_buttons_and_class_code_box_have_room(home: Path) -> None:
    form = reflection_form()
    assert form.share_button.layout.width == "auto"
    assert form.save_button.layout.width == "auto"
    assert form.cohort.layout.width == "100%"


def test_download_link_survives_a_second_share(home: Path) -> None:
    form = reflection_form()
    form.role.value = "counselor"
    for box in [*form.ratings.values(), *form.checkins.values()]:
        box.value = 5
    form.save_button.click()
    form.cohort.value = "FALL26"
    form.share_button.click()
    assert 'class="alliance-download"' in form.share_status.value
    form.share_button.click()
    assert "already been shared" in form.share_status.value
    assert '<a download="' in form.share_status.value
    assert len(list((home / "outbox").iterdir())) == 1


def shared_form():
    form = reflection_form()
    form.role.value = "counselor"
    for box in [*form.ratings.values(), *form.checkins.values()]:
        box.value = 5
    form.save_button.click()
    form.cohort.value = "FALL26"
    form.share_button.click()
    return form


def test_on_a_course_server_the_share_message_links_to_the_outbox_page(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLIANCE_SERVER_BASE_URL", "/user/ana/")
    monkeypatch.setenv("ALLIANCE_SERVER_OUTBOX", str(home / "outbox"))
    form = shared_form()
    link = '<a class="alliance-outbox-link" href="/user/ana/alliance/outbox" target="_blank"'
    assert link in form.share_status.value
    form.share_button.click()  # a second Share keeps both links
    assert link in form.share_status.value and '<a download="' in form.share_status.value


def test_without_a_course_server_there_is_no_outbox_page_to_link(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a server whose page lists another folder than this kernel's outbox is no help either
    monkeypatch.setenv("ALLIANCE_SERVER_BASE_URL", "/")
    monkeypatch.setenv("ALLIANCE_SERVER_OUTBOX", str(home.parent / "another" / "outbox"))
    form = shared_form()
    assert '<a download="' in form.share_status.value
    assert "alliance-outbox-link" not in form.share_status.value
