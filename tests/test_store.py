"""The trainee's local store survives crashes, parallel kernels, upgrades and newer files, and
keeps everything private; the pseudonym is random, stable and never derived from the person."""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from helpers import store as store_module
from helpers.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreError,
    display_path,
    get_store,
    pseudonym,
)

RATINGS = {"safety": 7, "care": 8, "understanding": 6, "focus": 9}
CHECKINS = {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 7}

# Saves answers in a loop and reports each id on stdout once its transaction has committed.
WRITER = """
import sys
import tempfile
from helpers.store import Store
store = Store(sys.argv[1])
payload = {"text": "x" * 20000}
number = 0
while True:
    number += 1
    row_id = store.record_answer("care-04", "choose", dict(payload, n=number), correct=True)
    print(row_id, flush=True)
"""

# Commits 10 answers, then starts one more save so large that SQLite must write part of it into
# the database file (journal first) before committing, says so, and waits to be killed.
HALFWAY = """
import sys, time
from helpers.store import Store
store = Store(sys.argv[1])
for number in range(10):
    print(store.record_answer("care-04", "choose", {"n": number}), flush=True)
with store.transaction() as conn:
    conn.execute("PRAGMA cache_size = 2")
    for number in range(300):
        conn.execute(
            "INSERT INTO answers (vignette_id, kind, answer, created) VALUES (?, ?, ?, ?)",
            ("focus-01", "rate", "y" * 20000, "2026-11-20T10:00:00+00:00"),
        )
    print("halfway", flush=True)
    time.sleep(60)
"""

# Waits for a start signal, then saves 200 answers as fast as it can.
RACER = """
import os, sys, time
from helpers.store import Store
store = Store(sys.argv[1])
while not os.path.exists(sys.argv[3]):
    time.sleep(0.005)
for number in range(200):
    store.record_answer(sys.argv[2], "rate", {"n": number})
"""


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "alliance-home"
    monkeypatch.setenv("ALLIANCE_HOME", str(folder))
    return folder


def child_env(home: Path) -> dict[str, str]:
    return dict(os.environ, ALLIANCE_HOME=str(home))


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_saved_answers_come_back_in_order(home):
    store = get_store()
    first = store.record_answer("care-04", "choose", {"option": "a"}, correct=False)
    second = store.record_answer("care-04", "choose", {"option": "b"}, correct=True)
    store.record_answer("safety-01", "rate", {"safety": 5})
    assert [a.answer["option"] for a in store.answers("care-04")] == ["a", "b"]
    assert store.latest_answer("care-04").id == second > first
    assert store.latest_answer("care-04").correct is True
    assert store.latest_answer("focus-09") is None
    assert store.answered_vignettes() == {"care-04", "safety-01"}
    assert store.answers("safety-01")[0].correct is None


def test_a_killed_writer_leaves_a_sound_file_with_every_committed_row(home):
    path = home / "alliance.sqlite3"
    Store(path)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(home),
    )
    committed = []
    try:
        while len(committed) < 25:
            line = writer.stdout.readline()
            assert line, "the writer stopped before it was killed"
            committed.append(int(line))
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL

    assert integrity(path) == "ok"
    saved = {answer.id for answer in Store(path).answers()}
    assert set(committed) <= saved
    assert integrity(path) == "ok"


def test_a_writer_killed_halfway_through_a_save_loses_only_that_save(home):
    path = home / "alliance.sqlite3"
    Store(path)
    writer = subprocess.Popen(
        [sys.executable, "-c", HALFWAY, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        lines = [writer.stdout.readline().strip() for _ in range(11)]
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert lines[-1] == "halfway"
    journal = home / "alliance.sqlite3-journal"
    assert journal.exists() and journal.stat().st_size > 0, "the kill did not land mid-save"

    saved = Store(path).answers()  # opening rolls the half-written save back
    assert [answer.id for answer in saved] == [int(line) for line in lines[:10]]
    assert {answer.vignette_id for answer in saved} == {"care-04"}
    assert integrity(path) == "ok"


@pytest.fixture
def memory_folder(tmp_path):
    """A folder in RAM where the system has one: this test is about locking between kernels,
    which works the same there, and 400 saves each synced to disk would only make it slow."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="alliance-race-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_two_kernels_saving_at_once_lose_nothing(memory_folder):
    home = memory_folder / "home"
    path = home / "alliance.sqlite3"
    Store(path)
    go = memory_folder / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(path), name, str(go)], env=child_env(home)
        )
        for name in ("care-01", "safety-01")
    ]
    go.touch()
    assert [racer.wait(timeout=120) for racer in racers] == [0, 0]

    store = Store(path)
    for name in ("care-01", "safety-01"):
        assert [a.answer["n"] for a in store.answers(name)] == list(range(200))
    assert len(store.answers()) == 400
    assert integrity(path) == "ok"


def make_version_one_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO answers (vignette_id, kind, answer, correct, created)"
        " VALUES ('care-04', 'choose', '{\"option\": \"b\"}', 1, '2026-09-01T10:00:00+00:00')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_a_version_one_file_is_upgraded_and_keeps_its_answers(home):
    path = home / "alliance.sqlite3"
    make_version_one_file(path)

    store = Store(path)

    assert store.schema_version == SCHEMA_VERSION == 4
    [answer] = store.answers()
    assert (answer.vignette_id, answer.answer, answer.correct) == ("care-04", {"option": "b"}, True)
    reflection_id = store.save_reflection(1, "client", RATINGS, CHECKINS)
    assert store.reflection(reflection_id)["role"] == "client"
    assert integrity(path) == "ok"


def test_the_first_attempt_is_kept_apart_from_the_latest(home):
    store = Store(home / "alliance.sqlite3")
    store.record_answer("care-01", "choose", {"option": "a", "attempt": 1}, correct=False)
    store.record_answer("care-01", "choose", {"option": "c", "attempt": 2}, correct=True)
    store.record_answer("care-02", "choose", {"option": "b", "attempt": 1}, correct=True)
    store.record_answer("care-03", "rate", {"ratings": {}})

    first = store.first_answers("choose")
    assert {vid: a.answer["option"] for vid, a in first.items()} == {"care-01": "a", "care-02": "b"}
    assert first["care-01"].correct is False
    assert store.latest_answer("care-01").answer["option"] == "c"
    assert set(store.first_answers()) == {"care-01", "care-02", "care-03"}


def test_an_older_store_gets_its_first_attempts_on_upgrade(home):
    path = home / "alliance.sqlite3"
    make_version_one_file(path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO answers (vignette_id, kind, answer, correct, created)"
        " VALUES ('care-04', 'choose', '{\"option\": \"a\"}', 0, '2026-09-01T10:05:00+00:00')"
    )
    conn.commit()
    conn.close()

    store = Store(path)

    assert store.first_answers("choose")["care-04"].answer == {"option": "b"}
    assert store.latest_answer("care-04").answer == {"option": "a"}


def test_a_migration_may_hold_triggers_and_text_with_semicolons(home, monkeypatch):
    """A statement is never cut at a ';' inside a trigger body or a quoted string."""
    path = home / "alliance.sqlite3"
    make_version_one_file(path)
    later = (
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT 'a; b')",
        """
        CREATE TRIGGER answers_noted AFTER INSERT ON answers BEGIN
            INSERT INTO notes (body) VALUES ('answered; ' || NEW.vignette_id);
            INSERT INTO notes (body) VALUES ('x; y');
        END
        """,
    )
    monkeypatch.setattr(store_module, "MIGRATIONS", [*MIGRATIONS, later])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    store = Store(path)
    store.record_answer("care-01", "choose", {"option": "a"})

    assert store.schema_version == SCHEMA_VERSION + 1
    assert [a.vignette_id for a in store.answers()] == ["care-04", "care-01"]
    conn = sqlite3.connect(path)
    notes = [row[0] for row in conn.execute("SELECT body FROM notes ORDER BY id")]
    conn.close()
    assert notes == ["answered; care-01", "x; y"]


def test_an_unreadable_saved_answer_is_kept_and_marked_not_readable(home):
    store = get_store()
    store.record_answer("care-04", "choose", {"option": "a"}, correct=False)
    conn = sqlite3.connect(home / "alliance.sqlite3")
    conn.execute(
        "INSERT INTO answers (vignette_id, kind, answer, correct, created)"
        " VALUES ('care-04', 'choose', '{not json', 0, '2026-09-01T10:00:00+00:00')"
    )
    conn.commit()
    conn.close()

    answers = store.answers("care-04")
    latest = store.latest_answer("care-04")

    assert [(a.answer, a.readable) for a in answers] == [({"option": "a"}, True), ({}, False)]
    assert latest is not None and (latest.answer, latest.readable) == ({}, False)
    assert latest.id == answers[-1].id and latest.kind == "choose" and latest.correct is False
    assert len(store.answers()) == 2  # nothing was dropped or rewritten
    conn = sqlite3.connect(home / "alliance.sqlite3")
    [raw] = conn.execute("SELECT answer FROM answers WHERE id = ?", (latest.id,)).fetchone()
    conn.close()
    assert raw == "{not json"


def test_a_file_from_a_newer_version_is_refused_and_left_alone(home):
    path = home / "alliance.sqlite3"
    make_version_one_file(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    with pytest.raises(StoreError) as refused:
        Store(path)

    message = str(refused.value)
    assert "newer version of Alliance Lab" in message
    assert f"store version {SCHEMA_VERSION + 1}" in message
    assert "has not been changed" in message and "Update the course" in message
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_store_gets_a_clear_message(home):
    path = home / "alliance.sqlite3"
    home.mkdir(mode=0o700)
    path.write_bytes(b"these are not the answers you are looking for" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="cannot be read as an Alliance Lab store.*Rename it"):
        Store(path)
    assert path.read_bytes() == before


def test_folder_is_0700_and_store_pseudonym_and_journal_are_0600(home):
    old_umask = os.umask(0o022)  # a common default: files would be world-readable
    try:
        store = get_store()
        pseudonym()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "alliance.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "pseudonym").stat().st_mode) == 0o600

    # The rollback journal exists only while a save is in progress: look at it then.
    seen = {}
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO answers (vignette_id, kind, answer, created) VALUES (?, ?, ?, ?)",
            ("care-04", "choose", "{}", "2026-11-20T10:00:00+00:00"),
        )
        journal = home / "alliance.sqlite3-journal"
        seen["mode"] = stat.S_IMODE(journal.stat().st_mode)
    assert seen["mode"] == 0o600


def test_loose_permissions_are_tightened_on_open(home):
    get_store()
    home.chmod(0o755)
    (home / "alliance.sqlite3").chmod(0o644)
    store_module._stores.clear()
    get_store()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "alliance.sqlite3").stat().st_mode) == 0o600


def test_a_bad_reflection_is_refused_in_plain_words_and_nothing_is_saved(home):
    store = get_store()
    with pytest.raises(ValueError) as refused:
        store.save_reflection(0, "observer", {"safety": 11}, CHECKINS)
    message = str(refused.value)
    assert message.startswith("Reflection not saved:")
    assert "session number must be a whole number from 1 to 50" in message
    assert "role must be 'counselor' or 'client'" in message
    assert "ratings must have exactly these items: safety, care, understanding, focus" in message
    assert store.reflections() == []


def test_a_reflection_round_trips_and_can_be_marked_shared(home):
    store = get_store()
    reflection_id = store.save_reflection(3, "counselor", RATINGS, CHECKINS, "Went well", True)
    saved = store.reflection(reflection_id)
    assert saved["session"] == 3 and saved["ratings"] == RATINGS and saved["checkins"] == CHECKINS
    assert saved["text"] == "Went well" and saved["share_text"] is True
    assert saved["shared_as"] is None
    store.mark_shared(reflection_id, "ab" * 16)
    assert store.reflections()[0]["shared_as"] == "ab" * 16
    with pytest.raises(KeyError, match="no reflection number 99"):
        store.mark_shared(99, "cd" * 16)


def test_pseudonym_is_made_once_and_kept(home):
    first = pseudonym()
    assert first == pseudonym() == (home / "pseudonym").read_text().strip()
    store_module._stores.clear()
    assert pseudonym() == first


def test_pseudonyms_are_random_and_url_safe(tmp_path):
    tokens = {pseudonym(tmp_path / f"trainee-{n}") for n in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert len(token) == 22 and token.replace("-", "a").replace("_", "a").isalnum()


def test_pseudonym_never_contains_or_derives_from_the_person(tmp_path):
    token = pseudonym(tmp_path / "me")
    user, host = getpass.getuser(), socket.gethostname()
    for secret in (user, host):
        if len(secret) >= 4:  # a 2-letter host name turns up in ~2% of random tokens by chance
            assert secret.lower() not in token.lower()
        for name in ("md5", "sha1", "sha256", "sha512", "blake2b"):
            digest = hashlib.new(name, secret.encode())
            assert token not in (digest.hexdigest(), digest.hexdigest()[:22])
            assert digest.hexdigest()[:8] not in token


def test_two_kernels_creating_the_pseudonym_at_once_agree(tmp_path):
    folder = tmp_path / "shared-home"
    results: list[str] = []
    start = threading.Barrier(8)

    def make() -> None:
        start.wait()
        results.append(pseudonym(folder))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert [p.name for p in folder.iterdir()] == ["pseudonym"]


def test_the_pseudonym_is_made_where_hard_links_are_not_allowed(tmp_path, monkeypatch):
    def no_links(*_args, **_kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(store_module.os, "link", no_links)
    token = pseudonym(tmp_path / "nfs-home")
    assert pseudonym(tmp_path / "nfs-home") == token
    assert [p.name for p in (tmp_path / "nfs-home").iterdir()] == ["pseudonym"]
    assert stat.S_IMODE((tmp_path / "nfs-home" / "pseudonym").stat().st_mode) == 0o600


def test_a_damaged_pseudonym_file_gets_a_clear_message(home):
    home.mkdir(mode=0o700)
    (home / "pseudonym").write_text("no\n")
    with pytest.raises(StoreError, match="does not hold a valid pseudonym. Delete that file"):
        pseudonym()


def test_paths_are_shown_without_the_username(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "someone"))
    assert display_path(tmp_path / "someone" / ".alliance" / "outbox") == "~/.alliance/outbox"
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "elsewhere"))
    assert display_path(tmp_path / "elsewhere" / "outbox" / "a.json") == (
        "$ALLIANCE_HOME/outbox/a.json"
    )
