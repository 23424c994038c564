"""What a trainee sees and gets from the reflection form, their history and the data note."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

from helpers import reflection_form, show_my_history, where_my_data_lives
from helpers.figures import AccessibleFigure
from helpers.reflection import CHECKIN_LABELS, GUIDELINE_LABELS, ReflectionForm
from helpers.store import get_store


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "alliance-home"
    monkeypatch.setenv("ALLIANCE_HOME", str(folder))
    monkeypatch.delenv("ALLIANCE_COHORT", raising=False)
    monkeypatch.delenv("ALLIANCE_DROPBOX", raising=False)
    monkeypatch.delenv("ALLIANCE_ROSTER", raising=False)
    return folder


def visible_text(markup: str) -> str:
    return re.sub(r"<[^>]+>", " ", markup).replace("&#x27;", "'")


def fill(form: ReflectionForm, *, session=3, role="counselor", score=7, text="") -> None:
    form.session.value = session
    form.role.value = role
    for box in form.ratings.values():
        box.value = score
    for box in form.checkins.values():
        box.value = score - 1
    form.text.value = text


def test_the_form_introduces_itself_before_it_runs(home):
    form = reflection_form()
    assert isinstance(form, widgets.VBox)
    assert repr(form) == "Reflection form: run this cell to fill it in."
    assert form._repr_mimebundle_()["text/plain"] == repr(form)


def test_every_control_has_a_readable_label_and_no_slider_is_used(home):
    form = reflection_form()
    labels = [form.session.description, form.role.description, form.text.description]
    labels += [box.description for box in (*form.ratings.values(), *form.checkins.values())]
    labels += [form.share_text.description, form.cohort.description]
    assert all(label.strip() for label in labels)
    assert [box.description for box in form.ratings.values()] == list(GUIDELINE_LABELS.values())
    assert [box.description for box in form.checkins.values()] == list(CHECKIN_LABELS.values())
    assert form.role._options_labels == (
        "I was the counselor: rating myself",
        "I was the client: rating my partner",
    )
    assert form.role.value is None  # no role is chosen for the trainee
    assert form.session.description == "Practice session number (1 to 50)"
    assert form.save_button.description == "Save reflection"
    assert form.share_button.description == "Share with instructor"
    assert not any(isinstance(child, widgets.IntSlider) for child in form.children)
    intro = form.children[0].value
    assert "practice items written for this course, not a validated instrument" in intro


def test_sharing_the_comment_is_a_separate_choice_that_starts_unticked(home):
    form = reflection_form()
    assert form.share_text.value is False
    assert form.share_text.description == (
        "Share my written comment with the instructor (it is scrubbed of e-mails, links, phone "
        "numbers and classmates' names)"
    )


def test_saving_shows_a_confirmation_and_stores_the_reflection(home):
    form = reflection_form()
    fill(form, session=3, role="counselor", text="I rushed the ending.")
    form.save_button.click()

    assert visible_text(form.status.value).strip() == (
        "✓ Saved reflection for session 3 (as counselor)."
    )
    [saved] = get_store().reflections()
    assert saved["session"] == 3 and saved["role"] == "counselor"
    assert saved["ratings"] == {"safety": 7, "care": 7, "understanding": 7, "focus": 7}
    assert saved["checkins"] == {"notice_rupture": 6, "repair_rupture": 6, "ask_feedback": 6}
    assert saved["text"] == "I rushed the ending." and saved["share_text"] is False


def test_a_client_reflection_is_confirmed_as_client(home):
    form = reflection_form()
    fill(form, session=5, role="client")
    form.save_button.click()
    assert "Saved reflection for session 5 (as client)." in form.status.value


def test_missing_answers_are_listed_in_plain_words_and_typed_values_are_kept(home):
    form = reflection_form()
    form.session.value = 4
    form.ratings["care"].value = 9
    form.text.value = "Half-way through my notes"
    form.save_button.click()

    shown = visible_text(form.status.value)
    assert "Not saved yet. Please fix this and press Save again (nothing you typed is lost)" in (
        shown
    )
    assert "Choose your role in this session: counselor or client." in shown
    assert "Rate “The client could feel safe with the counselor” (0 to 10)." in shown
    assert "The counselor's care came across" not in shown  # that one was rated
    assert "Rate “I can ask a client how the work is going for them” (0 to 10)." in shown
    assert get_store().reflections() == []
    assert (form.session.value, form.ratings["care"].value) == (4, 9)
    assert form.text.value == "Half-way through my notes"


def test_an_overlong_comment_is_refused_with_its_length(home):
    form = reflection_form()
    fill(form, text="x" * 4001)
    form.save_button.click()
    assert "Your comment is 4001 characters long: shorten it to 4000 or fewer." in (
        form.status.value
    )
    assert get_store().reflections() == []
    assert len(form.text.value) == 4001


def test_saving_twice_without_changes_does_not_duplicate(home):
    form = reflection_form()
    fill(form)
    form.save_button.click()
    form.save_button.click()
    assert "already saved. Change something to save a new one." in form.status.value
    assert len(get_store().reflections()) == 1
    form.session.value = 4
    form.save_button.click()
    assert len(get_store().reflections()) == 2


def test_share_before_saving_asks_to_save_first(home):
    form = reflection_form()
    fill(form)
    form.share_button.click()
    assert visible_text(form.share_status.value).strip() == (
        "⚠ Save your reflection first, then share it."
    )


def test_share_without_a_class_code_says_what_to_enter(home):
    form = reflection_form()
    fill(form)
    form.save_button.click()
    form.share_button.click()
    assert "No class code is set. Enter the class code your instructor gave you" in (
        form.share_status.value
    )
    assert get_store().reflections()[0]["shared_as"] is None


def test_share_to_the_outbox_tells_where_the_file_is_and_how_to_fetch_it(home):
    form = reflection_form()
    fill(form, text="Anna was a great client", session=2)
    form.share_text.value = True
    form.save_button.click()
    form.cohort.value = "FALL26"
    form.share_button.click()

    [written] = (home / "outbox").iterdir()
    shown = visible_text(form.share_status.value)
    assert shown.strip().startswith(
        "✓ No drop folder is set up, so the file was saved to your private outbox: "
        f"$ALLIANCE_HOME/outbox/{written.name}. Download it with the link below and send the "
        "downloaded file to your instructor"
    )
    assert "Download your reflection file" in shown and "!cp" not in shown
    link = re.search(
        r'<a download="([^"]+)" href="data:application/json;base64,([^"]+)">',
        form.share_status.value,
    )
    assert link is not None and link.group(1) == written.name
    assert base64.b64decode(link.group(2)) == written.read_bytes()
    data = json.loads(written.read_text())
    assert (data["session"], data["cohort"], data["text"]) == (
        2,
        "FALL26",
        ("Anna was a great client"),
    )
    assert get_store().reflections()[0]["shared_as"] == data["submission_id"]

    form.share_button.click()
    assert "already been shared; it was not sent again" in form.share_status.value
    assert len(list((home / "outbox").iterdir())) == 1


def test_share_to_the_drop_folder_and_roster_from_the_environment(home, tmp_path, monkeypatch):
    dropbox = tmp_path / "dropbox"
    dropbox.mkdir()
    roster = tmp_path / "roster.txt"
    roster.write_text("Anna Brown\n", encoding="utf-8")
    monkeypatch.setenv("ALLIANCE_DROPBOX", str(dropbox))
    monkeypatch.setenv("ALLIANCE_ROSTER", str(roster))
    monkeypatch.setenv("ALLIANCE_COHORT", "FALL26")
    form = reflection_form()
    assert form.cohort.value == "FALL26"
    fill(form, text="Anna was a great client")
    form.share_text.value = True
    form.save_button.click()
    form.share_button.click()

    [written] = dropbox.iterdir()
    assert f"Shared: the file {written.name} is in your class's drop folder." in (
        visible_text(form.share_status.value)
    )
    assert json.loads(written.read_text())["text"] == "[NAME] was a great client"


def test_changing_the_form_after_saving_asks_to_save_again_before_sharing(home):
    form = reflection_form()
    fill(form)
    form.save_button.click()
    form.ratings["focus"].value = 2
    form.cohort.value = "FALL26"
    form.share_button.click()
    assert "You changed the form after saving. Press Save reflection again first" in (
        form.share_status.value
    )
    assert not (home / "outbox").exists()


def test_history_with_no_reflections_is_a_friendly_message(home):
    note = show_my_history()
    assert repr(note) == (
        "You have not saved any reflections yet. After a practice session, fill in the "
        "reflection form above and press Save reflection, then run this cell again to see your "
        "ratings across sessions."
    )
    assert note._repr_html_().startswith("<p>You have not saved any reflections yet.")


def test_history_shows_each_session_as_an_accessible_chart(home):
    store = get_store()
    scores = {"safety": 5, "care": 6, "understanding": 4, "focus": 8}
    checks = {"notice_rupture": 3, "repair_rupture": 2, "ask_feedback": 4}
    store.save_reflection(1, "counselor", scores, checks)
    store.save_reflection(2, "client", dict(scores, safety=9), checks)
    store.save_reflection(3, "counselor", dict(scores, focus=9), dict(checks, ask_feedback=7))

    chart = show_my_history(store=store)

    assert isinstance(chart, AccessibleFigure)
    assert chart.summary == (
        "You have saved 3 reflections (sessions 1 to 3); in the latest (session 3, as "
        "counselor) you rated safety 5, care 6, understanding 4, focus 9."
    )
    assert repr(chart) == chart.summary
    assert "As counselor: rating myself, sessions 1, 3: safety 5, 5; care 6, 6" in chart.alt
    assert "As client: rating my partner, session 2: safety 9" in chart.alt
    assert "ask for feedback 4, 4, 7" in chart.alt
    assert chart.png.startswith(b"\x89PNG")
    html_out = chart._repr_html_()
    assert "<figcaption>" in html_out and 'alt="Line charts of your ratings' in html_out


def test_history_chart_is_drawn_with_titles_labels_n_and_the_palette(home):
    from helpers.figures import PALETTE

    store = get_store()
    scores = {"safety": 5, "care": 6, "understanding": 4, "focus": 8}
    store.save_reflection(1, "counselor", scores, dict.fromkeys(CHECKIN_LABELS, 5))
    chart = show_my_history(store=store)
    assert ">My reflections across practice sessions (n = 1 saved)</text>" in chart.svg

    fig = chart.draw()
    assert tuple(fig.get_size_inches()) == (13, 4)
    assert fig._suptitle.get_text() == "My reflections across practice sessions (n = 1 saved)"
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "As counselor: rating myself (n = 1)",
        "As client: rating my partner (n = 0)",
        "My check-ins (n = 1)",
    ]
    assert all(ax.get_xlabel() == "Practice session" for ax in fig.axes)
    assert fig.axes[0].get_ylabel() == "Rating (0 = not at all, 10 = completely)"
    colours = [line.get_color() for line in fig.axes[0].get_lines()]
    assert colours == PALETTE[:4]
    assert "No reflections yet" in [t.get_text() for t in fig.axes[1].texts]


def test_where_my_data_lives_names_the_folder_without_the_username(home, monkeypatch, tmp_path):
    note = where_my_data_lives()
    text = repr(note)
    assert text.startswith("Your data lives in your private folder $ALLIANCE_HOME")
    assert "alliance.sqlite3: your exercise answers and your saved reflections" in text
    assert "Nothing in it leaves unless you press “Share with instructor”" in text
    assert "(on the course server or your computer)" in text
    assert "Only your account — and the server's administrators — can open this folder." in text
    assert "also sends your latest choice on each multiple-choice exercise" in text
    assert "A shared file is pseudonymous, not anonymous" in text
    assert "the server records which account created the file and when" in text
    assert "Only you can open" not in text and "own machine" not in text
    assert str(tmp_path) not in text and str(tmp_path) not in note._repr_html_()

    monkeypatch.setenv("HOME", str(tmp_path / "trainee"))
    monkeypatch.delenv("ALLIANCE_HOME")
    text = repr(where_my_data_lives())
    assert text.startswith("Your data lives in your private folder ~/.alliance (on the course")
    assert "trainee" not in text


def test_a_failed_share_says_so_and_keeps_the_reflection_unshared(home, monkeypatch):
    from helpers.store import pseudonym

    pseudonym()
    form = reflection_form()
    fill(form)
    form.save_button.click()
    form.cohort.value = "FALL26"

    def broken(*_args, **_kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("os.link", broken)
    form.share_button.click()

    shown = visible_text(form.share_status.value)
    assert "⚠ The file could not be written to $ALLIANCE_HOME/outbox (Input/output error)" in shown
    assert "Your reflection is still saved" in shown
    assert list((home / "outbox").iterdir()) == []
    [saved] = get_store().reflections()
    assert saved["shared_as"] is None and saved["ratings"]["safety"] == 7


def test_history_of_an_unreadable_store_is_a_note_with_the_advice(home):
    home.mkdir(parents=True)
    (home / "alliance.sqlite3").write_bytes(b"not a database " * 100)
    shown = show_my_history()
    assert not isinstance(shown, AccessibleFigure)
    assert repr(shown).startswith("Your saved reflections cannot be shown right now.")
    assert "Rename it" in repr(shown)
    assert "Rename it" in shown._repr_html_()


def test_history_when_the_folder_cannot_be_read_says_what_to_check(home, monkeypatch):
    class Broken:
        def reflections(self):
            raise PermissionError(13, "Permission denied")

    shown = show_my_history(store=Broken())
    assert "Permission denied" in repr(shown)
    assert "can write to it" in repr(shown)


def saved_form(home) -> ReflectionForm:
    from helpers.store import pseudonym

    pseudonym()
    form = reflection_form()
    fill(form)
    form.save_button.click()
    form.cohort.value = "FALL26"
    return form


def test_sharing_when_the_outbox_cannot_be_made_shows_a_message(home):
    form = saved_form(home)
    (home / "outbox").write_text("a file where the outbox folder should be")
    form.share_button.click()
    shown = visible_text(form.share_status.value)
    assert "⚠ Your private outbox $ALLIANCE_HOME/outbox could not be made ready" in shown
    assert get_store().reflections()[0]["shared_as"] is None


def test_sharing_when_the_store_cannot_be_read_shows_a_message(home, monkeypatch):
    form = saved_form(home)

    def unreadable(_reflection_id):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(form.store, "reflection", unreadable)
    form.share_button.click()
    shown = visible_text(form.share_status.value)
    assert "⚠ Sharing did not work (Input/output error), so nothing was shared." in shown
    assert "Your reflection is still saved" in shown


def test_any_session_the_store_accepts_can_be_entered(home):
    form = reflection_form()
    assert form.session.description == "Practice session number (1 to 50)"
    fill(form, session=25)
    form.save_button.click()
    assert form.session.value == 25
    assert get_store().reflections()[0]["session"] == 25


@pytest.mark.parametrize("session", [0, 51, -3])
def test_a_session_out_of_range_is_named_not_changed(home, session):
    form = reflection_form()
    fill(form, session=session)
    form.save_button.click()
    shown = visible_text(form.status.value)
    assert "Not saved yet." in shown
    assert f"The practice session number must be from 1 to 50; you entered {session}." in shown
    assert form.session.value == session
    assert get_store().reflections() == []
