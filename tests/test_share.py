"""Sharing writes exactly the agreed submission file, in the right place, atomically, with
nothing that points back at the person or the machine; `alliance export` does the same."""

from __future__ import annotations

import base64
import getpass
import json
import os
import re
import socket
import stat
from pathlib import Path

import jsonschema
import pytest

from helpers import share as share_module
from helpers.cli import main as alliance
from helpers.paths import data_path
from helpers.share import ShareError, download_link, share_message, share_reflection
from helpers.store import Store, get_store, pseudonym
from tests.builders import SUBMISSION_FIELDS

RATINGS = {"safety": 7, "care": 8, "understanding": 6, "focus": 9}
CHECKINS = {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 7}
NAME = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])-[0-9a-f]{32}\.json$")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "alliance-home"
    monkeypatch.setenv("ALLIANCE_HOME", str(folder))
    monkeypatch.setenv("ALLIANCE_COHORT", "FALL26")
    monkeypatch.delenv("ALLIANCE_DROPBOX", raising=False)
    monkeypatch.delenv("ALLIANCE_ROSTER", raising=False)
    return folder


@pytest.fixture
def store(home):
    return get_store()


INSTRUCTOR_UID, INSTRUCTORS_GID = 61001, 61002


@pytest.fixture
def dropbox(tmp_path) -> Path:
    """A class drop folder: the instructor's, the instructors' group, mode 3733. Without
    root, a private folder of the runner's own (what ``alliance export --to`` writes to)."""
    folder = tmp_path / "dropbox"
    folder.mkdir()
    if os.geteuid() == 0:
        os.chown(folder, INSTRUCTOR_UID, INSTRUCTORS_GID)
        folder.chmod(0o3733)
    else:
        folder.chmod(0o700)
    return folder


def save(store, text="", share_text=False, session=3, role="counselor") -> int:
    pseudonym()  # made before any test breaks the file system calls
    return store.save_reflection(session, role, RATINGS, CHECKINS, text, share_text)


def files_in(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def test_a_shared_reflection_is_exactly_the_agreed_format(store, dropbox):
    store.record_answer("care-04", "choose", {"option": "a"}, correct=False)
    store.record_answer("care-04", "choose", {"option": "b"}, correct=True)
    store.record_answer("safety-02", "choose", {"option": "c"}, correct=True)
    store.record_answer("safety-03", "rate", {"safety": 4})
    reflection_id = save(store)

    path = share_reflection(reflection_id, dropbox=dropbox)

    assert files_in(dropbox) == [path]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == list(SUBMISSION_FIELDS)
    assert data["format"] == "alliance-reflection" and data["format_version"] == 3
    assert re.fullmatch(r"[0-9a-f]{32}", data["submission_id"])
    assert data["pseudonym"] == pseudonym()
    assert data["cohort"] == "FALL26"
    assert re.fullmatch(r"\d{4}-W\d{2}", data["week"])
    assert (data["session"], data["role"]) == (3, "counselor")
    assert data["ratings"] == RATINGS and data["checkins"] == CHECKINS
    assert data["choices"] == [
        {"vignette": "care-04", "option": "b", "first_option": "a", "attempts": 2},
        {"vignette": "safety-02", "option": "c", "first_option": "c", "attempts": 1},
    ]
    assert NAME.match(path.name) and path.name.startswith(data["week"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert store.reflection(reflection_id)["shared_as"] == data["submission_id"]


def test_the_week_is_the_iso_week_of_the_save_date():
    assert share_module.iso_week("2026-11-20T22:15:09+00:00") == "2026-W47"
    assert share_module.iso_week("2027-01-01T08:00:00+00:00") == "2026-W53"
    assert share_module.iso_week("2026-01-01T08:00:00+00:00") == "2026-W01"


def test_the_file_names_no_person_machine_path_or_time(store, dropbox, home, tmp_path):
    reflection_id = save(store, text="It went fine.", share_text=True)
    created = store.reflection(reflection_id)["created"]
    raw = share_reflection(reflection_id, dropbox=dropbox).read_bytes()
    for secret in (getpass.getuser(), socket.gethostname(), str(Path.home()), str(tmp_path)):
        assert secret.encode() not in raw
    assert created.encode() not in raw
    assert not re.search(rb"\d{2}:\d{2}", raw), "a time of day is in the file"
    assert not re.search(rb"\d{4}-\d{2}-\d{2}", raw), "a date is in the file"


def test_the_comment_is_sent_only_when_the_trainee_ticked_the_box(store, dropbox):
    kept = save(store, text="My partner Anna said it felt rushed.", share_text=False)
    data = json.loads(share_reflection(kept, dropbox=dropbox).read_text())
    assert "text" not in data
    assert b"Anna" not in b"".join(p.read_bytes() for p in files_in(dropbox))


def test_a_shared_comment_is_scrubbed(store, dropbox, tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("Anna Brown\nSean O'Neil\n", encoding="utf-8")
    text = "Anna (anna.b@uni.edu, +44 20 7946 0958) and Dr. O'Neil: see www.x.org on 2026-11-20"
    reflection_id = save(store, text=text, share_text=True)

    data = json.loads(share_reflection(reflection_id, dropbox=dropbox, roster=roster).read_text())

    assert data["text"] == "[NAME] ([EMAIL], [PHONE]) and Dr. [NAME]: see [URL] on 2026-11-20"
    assert list(data) == [*SUBMISSION_FIELDS, "text"]
    assert store.reflection(reflection_id)["text"] == text  # the private copy is untouched


def test_the_roster_can_come_from_the_environment(store, dropbox, tmp_path, monkeypatch):
    roster = tmp_path / "roster.txt"
    roster.write_text("Anna Brown\n", encoding="utf-8")
    monkeypatch.setenv("ALLIANCE_ROSTER", str(roster))
    reflection_id = save(store, text="Anna was kind", share_text=True)
    data = json.loads(share_reflection(reflection_id, dropbox=dropbox).read_text())
    assert data["text"] == "[NAME] was kind"


def test_the_export_validates_against_the_submission_schema(store, dropbox):
    schema = json.loads(data_path("schema", "submission.schema.json").read_text())
    store.record_answer("care-04", "choose", {"option": "b"}, correct=True)
    with_text = save(store, text="Good practice.", share_text=True)
    without_text = save(store, session=20, role="client")
    for reflection_id in (with_text, without_text):
        data = json.loads(share_reflection(reflection_id, dropbox=dropbox).read_text())
        jsonschema.validate(data, schema)


def test_the_instructor_collects_exactly_what_trainees_share(store, dropbox):
    from helpers.collect import class_rows, collect_folder, comment_rows

    store.record_answer("care-04", "choose", {"option": "b"}, correct=True)
    counselor = save(store, text="I interrupted twice.", share_text=True, session=1)
    client = save(store, session=2, role="client")
    first = share_reflection(counselor, dropbox=dropbox)
    share_reflection(client, dropbox=dropbox)

    submissions, report = collect_folder(dropbox)

    assert report.summary() == "2 files, 2 accepted, 0 rejected, 0 duplicates, 0 merged"
    rows = class_rows(submissions)
    assert len(rows) == 2 * (4 + 3 + 1)
    by_session = {row[5]: row for row in rows if row[7] == "choice"}
    assert by_session[1][6:] == ("counselor", "choice", "care-04", None, "b", 1, "b")
    assert by_session[2][6] == "client"
    [comment] = comment_rows(submissions)
    assert comment[-1] == "I interrupted twice."
    shared = json.loads(first.read_text())
    assert comment == ("I interrupted twice.",)  # text only: nothing links it (rule F3)
    assert shared["submission_id"] not in comment and shared["pseudonym"] not in comment


def test_the_drop_folder_comes_from_the_environment(store, dropbox, monkeypatch):
    monkeypatch.setenv("ALLIANCE_DROPBOX", str(dropbox))
    path = share_reflection(save(store))
    assert path.parent == dropbox
    assert share_message(path, store) == (
        f"Shared: the file {path.name} is in your class's drop folder. Only your instructor "
        "can open it; you cannot see it there, and that is expected."
    )


def test_without_a_drop_folder_the_file_goes_to_the_private_outbox(store, home):
    path = share_reflection(save(store))
    assert path.parent == home / "outbox"
    assert stat.S_IMODE((home / "outbox").stat().st_mode) == 0o700
    message = share_message(path, store)
    assert message == (
        "No drop folder is set up, so the file was saved to your private outbox: "
        f"$ALLIANCE_HOME/outbox/{path.name}. Download it with the link below and send the "
        "downloaded file to your instructor the way they asked."
    )


def test_the_download_link_carries_the_shared_file_under_its_own_name(store, home):
    path = share_reflection(save(store))
    link = download_link(path)
    found = re.fullmatch(
        r'<a download="([^"]+)" href="data:application/json;base64,([A-Za-z0-9+/=]+)">'
        r"Download your reflection file</a>",
        link,
    )
    assert found is not None, link
    assert found.group(1) == path.name
    assert json.loads(base64.b64decode(found.group(2))) == json.loads(path.read_text())


def test_an_outbox_in_the_home_folder_is_shown_with_a_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ALLIANCE_HOME", raising=False)
    monkeypatch.delenv("ALLIANCE_DROPBOX", raising=False)
    store = get_store()
    reflection_id = save(store)
    path = share_reflection(reflection_id, store=store, cohort="FALL26")
    message = share_message(path, store)
    assert f"your private outbox: ~/.alliance/outbox/{path.name}" in message
    assert str(tmp_path) not in message


def test_a_failure_while_publishing_leaves_no_file_and_the_reflection_unshared(
    store, dropbox, monkeypatch
):
    reflection_id = save(store)

    def broken(*_args, **_kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "link", broken)
    with pytest.raises(ShareError) as failed:
        share_reflection(reflection_id, dropbox=dropbox)

    assert "could not be written" in str(failed.value)
    assert "Your reflection is still saved" in str(failed.value)
    assert files_in(dropbox) == []
    saved = store.reflection(reflection_id)
    assert saved["ratings"] == RATINGS and saved["shared_as"] is None


def test_a_failing_replace_on_a_folder_without_hard_links_leaves_nothing(
    store, dropbox, monkeypatch
):
    reflection_id = save(store)

    def no_links(*_args, **_kwargs):
        raise OSError(1, "Operation not permitted")

    def broken_replace(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ShareError, match="No space left on device"):
        share_reflection(reflection_id, dropbox=dropbox)
    assert files_in(dropbox) == []
    assert store.reflection(reflection_id)["shared_as"] is None


def test_without_hard_links_the_file_is_still_published_by_replace(store, dropbox, monkeypatch):
    def no_links(*_args, **_kwargs):
        raise OSError(1, "Operation not permitted")

    reflection_id = save(store)
    monkeypatch.setattr(os, "link", no_links)
    path = share_reflection(reflection_id, dropbox=dropbox)
    assert files_in(dropbox) == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_failure_while_writing_leaves_no_partial_file(store, dropbox, monkeypatch):
    reflection_id = save(store)

    def broken_fsync(_fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ShareError):
        share_reflection(reflection_id, dropbox=dropbox)
    assert files_in(dropbox) == []
    assert store.reflection(reflection_id)["shared_as"] is None


def test_the_file_is_0640_even_under_a_strict_umask(store, dropbox):
    old = os.umask(0o077)
    try:
        path = share_reflection(save(store), dropbox=dropbox)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    ("cohort", "message"),
    [
        ("", "No class code is set. Enter the class code your instructor gave you"),
        ("FALL 26", "The class code 'FALL 26' is not valid: use 1 to 32 letters, digits"),
        ("../x", "The class code '../x' is not valid"),
        ("A" * 33, "is not valid: use 1 to 32"),
    ],
)
def test_a_bad_class_code_is_refused_before_anything_is_written(
    store, dropbox, monkeypatch, cohort, message
):
    monkeypatch.delenv("ALLIANCE_COHORT")
    reflection_id = save(store)
    with pytest.raises(ShareError, match=re.escape(message)):
        share_reflection(reflection_id, dropbox=dropbox, cohort=cohort)
    assert files_in(dropbox) == []
    assert store.reflection(reflection_id)["shared_as"] is None


def test_a_missing_drop_folder_is_named_and_not_created(store, tmp_path):
    missing = tmp_path / "no-such-dropbox"
    with pytest.raises(ShareError, match="The drop folder .* was not found"):
        share_reflection(save(store), dropbox=missing)
    assert not missing.exists()


def test_a_missing_roster_stops_the_share(store, dropbox, tmp_path):
    reflection_id = save(store, text="Anna", share_text=True)
    with pytest.raises(
        ShareError, match="roster file gone.txt was not found; check its name. Nothing was shared"
    ):
        share_reflection(reflection_id, dropbox=dropbox, roster=tmp_path / "gone.txt")
    assert files_in(dropbox) == []


def test_an_unknown_reflection_is_refused(store, dropbox):
    with pytest.raises(ShareError, match="There is no saved reflection number 42"):
        share_reflection(42, dropbox=dropbox)


# -- alliance export ---------------------------------------------------------------------------


def test_export_writes_the_unshared_reflections_and_says_where(store, tmp_path, capsys):
    first, second = save(store, session=1), save(store, session=2, role="client")
    share_reflection(first, store=store, dropbox=tmp_path)  # already shared
    target = tmp_path / "to-send"

    assert alliance(["export", "--to", str(target)]) == 0

    out = capsys.readouterr().out
    [written] = files_in(target)
    assert out == (f"Wrote reflection {second} (session 2, as client) to {target / written.name}\n")
    assert json.loads(written.read_text())["session"] == 2
    assert store.reflection(second)["shared_as"] is not None

    assert alliance(["export", "--to", str(target)]) == 0
    assert capsys.readouterr().out == (
        "Nothing to export: every saved reflection has been shared already.\n"
    )


def test_export_all_and_one_reflection(store, tmp_path, capsys):
    first, second = save(store, session=1), save(store, session=2)
    assert alliance(["export", "--all", "--to", str(tmp_path / "all")]) == 0
    assert len(files_in(tmp_path / "all")) == 2
    assert alliance(["export", "--reflection", str(first), "--to", str(tmp_path / "one")]) == 0
    [one] = files_in(tmp_path / "one")
    assert json.loads(one.read_text())["session"] == 1
    assert f"Wrote reflection {first} (session 1" in capsys.readouterr().out
    assert second


def test_export_cohort_and_roster_options(store, tmp_path, monkeypatch):
    monkeypatch.delenv("ALLIANCE_COHORT")
    roster = tmp_path / "roster.txt"
    roster.write_text("Anna Brown\n", encoding="utf-8")
    save(store, text="Anna helped", share_text=True)
    args = ["export", "--cohort", "SPRING27", "--roster", str(roster), "--to", str(tmp_path / "o")]
    assert alliance(args) == 0
    [written] = files_in(tmp_path / "o")
    data = json.loads(written.read_text())
    assert (data["cohort"], data["text"]) == ("SPRING27", "[NAME] helped")


def test_export_failures_exit_1_with_a_message(store, tmp_path, capsys, monkeypatch):
    assert alliance(["export", "--reflection", "7", "--to", str(tmp_path)]) == 1
    assert "There is no saved reflection number 7." in capsys.readouterr().err
    save(store)
    monkeypatch.delenv("ALLIANCE_COHORT")
    assert alliance(["export", "--to", str(tmp_path / "x")]) == 1
    assert "No class code is set" in capsys.readouterr().err.replace("\n", " ")
    assert store.reflections()[0]["shared_as"] is None


def test_export_refuses_conflicting_options_with_exit_2(store, capsys):
    with pytest.raises(SystemExit) as stopped:
        alliance(["export", "--all", "--reflection", "1"])
    assert stopped.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_installed_command_exports_and_reports_failures(store, tmp_path, home):
    import subprocess
    import sys

    reflection_id = save(store, session=6)
    env = dict(os.environ, ALLIANCE_HOME=str(home))
    env.pop("ALLIANCE_COHORT")
    command = [sys.executable, "-m", "helpers.cli", "export", "--to", str(tmp_path / "out")]

    refused = subprocess.run(command, env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "No class code is set." in refused.stderr and "add --cohort CODE" in refused.stderr

    done = subprocess.run([*command, "--cohort", "FALL26"], env=env, capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.startswith(f"Wrote reflection {reflection_id} (session 6, as counselor)")
    assert len(files_in(tmp_path / "out")) == 1


def test_a_submission_collect_would_reject_is_never_written(tmp_path, monkeypatch):
    """If a reflection would make an invalid file, nothing is shared and the reason is given."""
    import helpers.share as share_module

    store = Store(tmp_path / "s.sqlite3")
    rid = store.save_reflection(
        2,
        "counselor",
        {"safety": 7, "care": 8, "understanding": 6, "focus": 9},
        {"notice_rupture": 5, "repair_rupture": 4, "ask_feedback": 6},
    )
    real_build = share_module.build_submission

    def broken_build(*args, **kwargs):
        submission = real_build(*args, **kwargs)
        submission["ratings"]["safety"] = 11
        return submission

    monkeypatch.setattr(share_module.send, "build_submission", broken_build)
    drop = tmp_path / "drop"
    drop.mkdir()
    with pytest.raises(share_module.ShareError, match="cannot be shared as it is"):
        share_module.share_reflection(rid, store=store, dropbox=drop, cohort="FALL26")
    assert list(drop.iterdir()) == []
    assert store.reflection(rid)["shared_as"] is None


def sql(store, statement: str, *params) -> None:
    """Change the store file behind the store's back, as a damaged disk or old bug would."""
    import sqlite3

    with sqlite3.connect(store.path) as conn:
        conn.execute(statement, params)
    conn.close()


def test_an_unreadable_answer_is_left_out_of_the_choices_not_a_crash(store, dropbox):
    store.record_answer("care-04", "choose", {"option": "b"}, correct=True)
    broken = store.record_answer("safety-02", "choose", {"option": "c"}, correct=True)
    sql(store, "UPDATE answers SET answer = '{not json' WHERE id = ?", broken)
    path = share_reflection(save(store), dropbox=dropbox)
    submission = json.loads(path.read_text(encoding="utf-8"))
    assert submission["choices"] == [
        {"vignette": "care-04", "option": "b", "first_option": "b", "attempts": 1}
    ]


def test_an_outbox_that_cannot_be_made_is_a_plain_message(store, home):
    reflection_id = save(store)
    (home / "outbox").write_text("a file where the outbox folder should be")
    with pytest.raises(ShareError) as caught:
        share_reflection(reflection_id)
    assert str(caught.value).startswith(
        "Your private outbox $ALLIANCE_HOME/outbox could not be made ready"
    )
    assert "nothing was shared" in str(caught.value)
    assert store.reflection(reflection_id)["shared_as"] is None


def test_a_damaged_reflection_is_a_plain_message_and_stays_unshared(store, dropbox):
    reflection_id = save(store)
    sql(store, "UPDATE reflections SET ratings = '{}' WHERE id = ?", reflection_id)
    with pytest.raises(ShareError) as caught:
        share_reflection(reflection_id, dropbox=dropbox)
    assert str(caught.value).startswith(
        "This reflection could not be prepared for sharing (the saved reflection has no 'safety')"
    )
    assert files_in(dropbox) == []
    assert store.reflection(reflection_id)["shared_as"] is None


def test_a_reflection_shared_twice_is_one_file_with_one_id(store, dropbox):
    from helpers.collect import collect_folder

    reflection_id = save(store)
    first = share_reflection(reflection_id, dropbox=dropbox)
    store.record_answer("care-04", "choose", {"option": "c"}, correct=False)  # changes nothing
    again = share_reflection(reflection_id, dropbox=dropbox)
    assert first == again and NAME.match(again.name)
    assert files_in(dropbox) == [first]
    assert (
        json.loads(first.read_text())["submission_id"]
        == (store.reflection(reflection_id)["shared_as"])
    )
    submissions, report = collect_folder(dropbox)
    assert len(submissions) == 1 and report.duplicates == []


def test_export_all_sends_shared_reflections_again_under_their_first_ids(store, tmp_path):
    from helpers.collect import collect_folder

    first, second = save(store, session=1), save(store, session=2)
    target = tmp_path / "to-send"
    assert alliance(["export", "--to", str(target)]) == 0
    before = {path: path.read_bytes() for path in files_in(target)}
    assert alliance(["export", "--all", "--to", str(target)]) == 0
    assert {path: path.read_bytes() for path in files_in(target)} == before  # nothing twice
    other = tmp_path / "to-send-again"
    assert alliance(["export", "--all", "--to", str(other)]) == 0
    assert sorted(p.read_bytes() for p in files_in(other)) == sorted(before.values())
    sent = [json.loads(data)["submission_id"] for data in before.values()]
    assert sorted(sent) == sorted(store.reflection(r)["shared_as"] for r in (first, second))
    submissions, report = collect_folder(target)
    assert len(submissions) == 2 and report.duplicates == []


def test_if_the_share_cannot_be_noted_the_file_is_taken_back(store, dropbox, monkeypatch):
    reflection_id = save(store)

    def locked(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "mark_shared", locked)
    with pytest.raises(ShareError) as caught:
        share_reflection(reflection_id, dropbox=dropbox)
    assert str(caught.value).startswith(
        "Your private store could not note the share (No space left on device), so the file "
        "was taken back and nothing was shared."
    )
    assert files_in(dropbox) == []
    assert store.reflection(reflection_id)["shared_as"] is None


def test_export_errors_go_to_stderr_and_stdout_lists_only_what_was_written(
    store, tmp_path, capsys, monkeypatch
):
    first, second = save(store, session=1), save(store, session=2)
    real_build = share_module.build_submission

    def fails_on_the_second(reflection, **kwargs):
        if reflection["id"] == second:
            raise KeyError("safety")
        return real_build(reflection, **kwargs)

    monkeypatch.setattr(share_module.send, "build_submission", fails_on_the_second)
    assert alliance(["export", "--to", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"Wrote reflection {first} (session 1, as counselor)")
    assert "could not be prepared" not in captured.out
    assert captured.err.startswith(
        "This reflection could not be prepared for sharing (the saved reflection has no 'safety')"
    )


def test_export_with_an_unreadable_store_says_so_on_stderr(store, capsys, monkeypatch):
    import sqlite3

    def unreadable():
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(store, "reflections", unreadable)
    assert alliance(["export"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "Your saved reflections could not be read: database disk image is malformed\n"
    )


def test_a_reflection_deleted_while_sharing_is_named_plainly(store, dropbox, monkeypatch):
    reflection_id = save(store)

    def gone(*_args):
        raise KeyError(f"There is no reflection number {reflection_id}.")

    monkeypatch.setattr(store, "mark_shared", gone)
    with pytest.raises(ShareError) as caught:
        share_reflection(reflection_id, dropbox=dropbox)
    assert str(caught.value).startswith(
        f"Your private store could not note the share (There is no reflection number "
        f"{reflection_id}.), so the file was taken back"
    )
    assert files_in(dropbox) == []
