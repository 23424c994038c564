"""What an adversarial classmate or a curious reader of the class view can try, and what stops it.

Files are given distinct owners with ``chown`` (as the accounts of a hub's drop folder would
own them) when the tests run as root; tests/hub repeats the owner checks with real accounts.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import random
import zipfile
from pathlib import Path

import pytest

from helpers.classview import (
    HIDDEN,
    PSEUDONYM_WARNING,
    load_class,
    profile_table,
    view_of,
)
from helpers.cli import main
from helpers.collect import collect_folder, companion_path
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES
from tests.builders import valid_submission, write_file

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="giving files other owners needs root")
VICTIM, ATTACKER, OTHERS = 61001, 61002, 61100


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ALLIANCE_CLASS_DATA", raising=False)


def doc(
    i: int,
    *,
    pseudonym: str | None = None,
    session: int = 1,
    role: str = "client",
    score: int | None = None,
    **changes,
) -> dict:
    rng = random.Random(i)
    value = rng.randint(0, 10) if score is None else score
    made = valid_submission(
        text=...,
        submission_id=f"{i:032x}",
        pseudonym=pseudonym or f"pseudo{i:06d}tokenAbC",
        session=session,
        role=role,
        ratings=dict.fromkeys(RATED_GUIDELINES, value),
        checkins=dict.fromkeys(CHECKINS, 5),
        choices=[],
    )
    made.update(changes)
    return made


def put(folder: Path, name: str, content: dict, owner: int | None = None) -> Path:
    path = write_file(folder, name, content)
    if owner is not None:
        os.chown(path, owner, -1)
    return path


def collect(capsys, folder: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["collect", str(folder), "-o", str(out), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "instructor"
    folder.mkdir()
    return folder


# ----------------------------------------------------------------------------- S7: Sybil padding


@ROOT_ONLY
def test_fake_pseudonyms_from_one_account_cannot_lift_a_group_of_one(drop, out, capsys):
    # the victim is the only one to rate session 9; 4 fakes from one account pad the group
    put(drop, "victim.json", doc(1, session=9, score=3), VICTIM)
    for k in range(4):
        fake = doc(100 + k, pseudonym=f"fakefakefake{k:04d}xyz", session=9, score=10)
        put(drop, f"fake-{k}.json", fake, ATTACKER)
    for k in range(12):  # the rest of the class, in session 1
        put(drop, f"other-{k}.json", doc(200 + k), OTHERS + k)
    code, stdout, err = collect(capsys, drop, out / "class.csv")
    assert code == 0, err
    assert "FLAG: one account wrote 4 pseudonyms (counted as one trainee)" in stdout
    for name in ("fake-0.json", "fake-3.json"):
        assert name in stdout
    summary = json.loads(companion_path(out / "class.csv", "summary").read_text())
    assert summary["counted_by"] == "account"
    assert summary["trainees"] == 14 and summary["flagged_accounts"] == 1
    # the four fakes are one trainee: 3 of the 4 are merged away (one per session and role)
    assert summary["merged"] == 3

    data = load_class(out / "class.csv")
    assert data.counted_by == "account" and PSEUDONYM_WARNING not in data.banner
    session9 = data.frame[data.frame["session"] == 9]
    assert session9["trainee"].nunique() == 2  # victim + attacker, not 5
    view = view_of("change", data)
    cells = view.table[view.table["session"] == 9]
    assert (cells["status"] == HIDDEN).all() and cells["mean"].isna().all()

    # no owner id, anywhere the instructor or the class can see
    outputs = [stdout, err, *(p.read_text() for p in out.iterdir())]
    outputs.append(repr(view.table.to_dict()))
    for uid in (VICTIM, ATTACKER, OTHERS):
        assert all(str(uid) not in text for text in outputs)
    header = (out / "class.csv").read_text().splitlines()[0]
    assert "trainee" in header and "owner" not in header and "uid" not in header


@ROOT_ONLY
def test_trainee_labels_are_drawn_afresh_on_every_collect(drop, out, capsys):
    for k in range(6):
        put(drop, f"{k}.json", doc(k), OTHERS + k)
    labels = []
    for name in ("a.csv", "b.csv"):
        code, _, err = collect(capsys, drop, out / name)
        assert code == 0, err
        with open(out / name, newline="") as handle:
            rows = list(csv.DictReader(handle))
        by_pseudonym = {row["pseudonym"]: row["trainee"] for row in rows}
        assert len(set(by_pseudonym.values())) == 6
        assert not any(
            str(OTHERS + k) in label for k in range(6) for label in by_pseudonym.values()
        )
        labels.append(by_pseudonym)
    assert all(labels[0][p] != labels[1][p] for p in labels[0])


def test_one_owner_falls_back_to_pseudonyms_and_says_so(drop, out, capsys):
    for k in range(6):
        put(drop, f"{k}.json", doc(k))
    code, stdout, _ = collect(capsys, drop, out / "class.csv")
    assert code == 0
    assert "WARNING: every file has the same owner" in stdout
    summary = json.loads(companion_path(out / "class.csv", "summary").read_text())
    assert summary["counted_by"] == "pseudonym"
    data = load_class(out / "class.csv")
    assert PSEUDONYM_WARNING in data.banner
    assert PSEUDONYM_WARNING in repr(data)


def test_the_summary_tells_the_instructor_what_was_read(drop, out, capsys):
    for k in range(5):
        put(drop, f"{k}.json", doc(k))
    put(drop, "again.json", doc(0))  # an identical copy
    write_file(drop, "bad.json", b"{")
    put(drop, "late.json", doc(50, pseudonym=doc(1)["pseudonym"], week="2026-W49"))
    code, _, _ = collect(capsys, drop, out / "class.csv")
    assert code == 0
    summary = json.loads(companion_path(out / "class.csv", "summary").read_text())
    assert summary == {
        "files": 8,
        "accepted": 5,
        "rejected": 1,
        "rejected_by_reason": {"incomplete JSON: the file ends early": 1},
        "duplicates": 1,
        "merged": 1,
        "flagged_accounts": 0,
        "class_codes": {"FALL26": 6},
        "trainees": 5,
        "counted_by": "pseudonym",
    }


# ----------------------------------------------------------------------------- item 5: id hijack


@ROOT_ONLY
def test_a_planted_copy_of_a_classmates_id_rejects_both_and_is_flagged(drop, out, capsys):
    real = doc(7, score=4)
    forged = copy.deepcopy(real)  # even identical content: another account cannot own it
    put(drop, "zz-real.json", real, VICTIM)
    put(drop, "aa-forged.json", forged, ATTACKER)
    for k in range(5):
        put(drop, f"o{k}.json", doc(300 + k), OTHERS + k)
    submissions, report = collect_folder(drop)
    assert real["submission_id"] not in {d["submission_id"] for d in submissions}
    assert {name for name, _ in report.rejected} == {"zz-real.json", "aa-forged.json"}
    assert report.flagged == [
        "files from different accounts share one submission_id, all rejected:"
        " aa-forged.json, zz-real.json"
    ]


# ----------------------------------------------------------------------------- S9: one per trainee


def test_300_copies_from_one_pseudonym_do_not_move_the_median(drop, out, capsys):
    for k in range(10):
        put(drop, f"t{k}.json", doc(k, score=7))
    flood = "floodfloodflood0000"
    for k in range(300):
        put(drop, f"f{k:03d}.json", doc(1000 + k, pseudonym=flood, score=0))
    code, stdout, _ = collect(capsys, drop, out / "class.csv")
    assert code == 0
    assert stdout.count("merged f") == 299
    assert stdout.splitlines()[-1].endswith("299 merged")
    stats = profile_table(load_class(out / "class.csv")).stats.set_index("guideline")
    assert stats.loc["safety", "median"] == 7


def test_a_class_table_with_copies_is_weighted_per_trainee(tmp_path):
    from helpers.collect import CLASS_COLUMNS

    rows = []
    for k in range(10):
        for item in RATED_GUIDELINES:
            rows.append(
                [
                    f"{k:032x}",
                    f"p{k:017d}",
                    "",
                    "FALL26",
                    "2026-W48",
                    1,
                    "client",
                    "guideline",
                    item,
                    7,
                    "",
                    "",
                ]
            )
    for copy_no in range(300):
        for item in RATED_GUIDELINES:
            rows.append(
                [
                    f"{10_000 + copy_no:032x}",
                    "floodfloodflood0000",
                    "",
                    "FALL26",
                    "2026-W48",
                    1 + copy_no % 6,
                    "client",
                    "guideline",
                    item,
                    0,
                    "",
                    "",
                ]
            )
    path = tmp_path / "class.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CLASS_COLUMNS)
        writer.writerows(rows)
    data = load_class(path)
    stats = profile_table(data).stats.set_index("guideline")
    assert stats.loc["safety", "median"] == 7
    table = profile_table(data).table
    low = table[(table["guideline"] == "safety") & (table["band"] == "0–2")]
    assert low["status"].iloc[0] == HIDDEN  # one trainee, however many rows


# ----------------------------------------------------------------------------- F3: comments


def test_ten_comments_from_two_writers_stay_hidden(drop, out, capsys):
    for k in range(10):
        author = f"writer{k % 2}tokentoken"
        put(drop, f"{k}.json", doc(k, pseudonym=author, session=1 + k, text=f"note {k}"))
    code, stdout, _ = collect(capsys, drop, out / "class.csv")
    assert code == 0
    assert "only 2 trainees shared comments, fewer than 10" in stdout
    assert not companion_path(out / "class.csv", "comments").exists()


def test_comments_carry_no_linking_fields(drop, out, capsys):
    for k in range(10):
        put(drop, f"{k}.json", doc(k, text=f"a comment {k}", cohort="FALL26"))
    code, _, _ = collect(capsys, drop, out / "class.csv")
    assert code == 0
    with open(companion_path(out / "class.csv", "comments"), newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["text"]
    text = "\n".join(row[0] for row in rows)
    for k in range(10):
        assert doc(k)["pseudonym"] not in text and doc(k)["submission_id"] not in text
    assert [row[0] for row in rows] != [f"a comment {k}" for k in range(10)]  # shuffled


def test_a_second_table_never_replaces_the_first_ones_comments(drop, out, capsys):
    for k in range(10):
        put(drop, f"{k}.json", doc(k, text=f"first term {k}"))
    assert collect(capsys, drop, out / "class.csv")[0] == 0
    first = companion_path(out / "class.csv", "comments").read_bytes()
    assert collect(capsys, drop, out / "other.csv")[0] == 0
    assert companion_path(out / "class.csv", "comments").read_bytes() == first
    assert (out / "other-comments.csv").exists() and (out / "other-summary.json").exists()


# ----------------------------------------------------------------------------- class codes


def test_several_class_codes_are_never_mixed(drop, out, capsys):
    for k in range(6):
        put(drop, f"a{k}.json", doc(k, cohort="FALL26"))
    for k in range(3):
        put(drop, f"b{k}.json", doc(50 + k, cohort="SPRING27"))
    code, stdout, err = collect(capsys, drop, out / "class.csv")
    assert code == 2
    assert "FALL26 (6 files), SPRING27 (3 files)" in err and "--cohort" in err
    assert list(out.iterdir()) == []
    code, stdout, err = collect(capsys, drop, out / "class.csv", "--cohort", "SPRING27")
    assert code == 0, err
    assert "class codes seen: FALL26 (6), SPRING27 (3)" in stdout
    assert stdout.count("not SPRING27 (--cohort)") == 6
    with open(out / "class.csv", newline="") as handle:
        assert {row["cohort"] for row in csv.DictReader(handle)} == {"SPRING27"}


# ----------------------------------------------------------------------------- downloads


def _zip(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_downloads_are_read_in_memory_with_the_same_limits(drop, out, tmp_path, capsys):
    good = {f"student{k}/reflection.json": json.dumps(doc(k)).encode() for k in range(5)}
    hostile = {
        "../../escape.json": json.dumps(doc(90)).encode(),
        "/etc/absolute.json": json.dumps(doc(91)).encode(),
        "bomb.json": b" " * (50 * 1024 * 1024),
        "big.json": os.urandom(300 * 1024),
    }
    write_file(drop, "download.zip", _zip({**good, **hostile}))
    write_file(drop, "broken.zip", b"PK\x03\x04 not really")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    code, stdout, err = collect(capsys, drop, out / "class.csv")
    assert code == 0, err
    assert "rejected download.zip:bomb.json: too large" in stdout
    assert "rejected download.zip:big.json: too large" in stdout
    assert "rejected broken.zip: not a readable zip file" in stdout
    # names inside a zip are only labels: nothing is extracted anywhere
    after = sorted(str(p) for p in tmp_path.rglob("*") if "instructor" not in str(p))
    assert after == [p for p in before if "instructor" not in p]
    assert not (tmp_path.parent / "escape.json").exists()
    with open(out / "class.csv", newline="") as handle:
        ids = {row["submission_id"] for row in csv.DictReader(handle)}
    assert {doc(k)["submission_id"] for k in range(5)} <= ids


def test_a_zip_bomb_is_refused_unread(drop):
    write_file(drop, "bomb.zip", _zip({"x.json": b"{" + b" " * 200_000 + b"}"}))
    _, report = collect_folder(drop)
    assert report.rejected == [
        ("bomb.zip:x.json", "inflates far beyond its size (a zip bomb), not read")
    ]


# ----------------------------------------------------------------------------- S8: release log


def _class_csv(path: Path, trainees: int, *, late: int = 0) -> Path:
    from helpers.sample import write_class_csv
    from tests.test_classview import ClassBuilder, trainee

    builder = ClassBuilder(cohort="FALL26")
    for i in range(trainees):
        builder.reflection(trainee(i), 1, "client", ratings=3 + i % 7)
    for i in range(late):
        builder.reflection(trainee(i), 2, "client", ratings=9)
    write_class_csv(builder.frame(), path)
    return path


def test_a_view_differing_by_one_trainee_is_refused_everywhere(tmp_path):
    from helpers.charts import make_chart
    from helpers.classview.snapshots import SnapshotError
    from helpers.handout import write_handout

    first = load_class(_class_csv(tmp_path / "week1.csv", 20))
    assert not make_chart("profile", first).view.refused
    write_handout(first, tmp_path / "handout-1")

    later = load_class(_class_csv(tmp_path / "week2.csv", 21))
    chart = make_chart("profile", later)
    assert chart.view.refused.startswith(
        "Not shown: since this view was last shown, the reflections of 1 trainee changed"
    )
    assert "shown again when at least 4 trainees more have shared" in chart.view.refused
    assert chart.view.table.select_dtypes("number").isna().all().all()
    assert "%" not in repr(chart).replace("0 %", "")  # no numbers at all
    # on paper too, and in a brand-new folder
    with pytest.raises(SnapshotError, match="changed for fewer than 5 trainees since it was"):
        write_handout(later, tmp_path / "a-new-folder")
    assert not (tmp_path / "a-new-folder").exists()

    # the same class again is not a new release; five more trainees are
    assert not make_chart("profile", load_class(tmp_path / "week1.csv")).view.refused
    enough = load_class(_class_csv(tmp_path / "week3.csv", 25))
    assert not make_chart("profile", enough).view.refused


def test_a_late_reflection_from_a_known_trainee_is_refused_too(tmp_path):
    from helpers.charts import make_chart

    assert not make_chart("change", load_class(_class_csv(tmp_path / "a.csv", 12))).view.refused
    later = load_class(_class_csv(tmp_path / "b.csv", 12, late=1))
    assert "1 trainee changed" in make_chart("change", later).view.refused


def test_the_synthetic_sample_is_exempt_from_the_release_log():
    from helpers.classview import sample_class

    full = sample_class()
    assert not view_of("profile", full).refused
    assert not view_of("profile", full.smaller(29)).refused


# ----------------------------------------------------------------------------- share under kill

KILLED_SHARE = """
import os, sys
from helpers.share import send
from helpers.store import Store, get_store
stage = sys.argv[1]
die = lambda *a, **k: os._exit(9)
if stage == "after the private copy":
    send._deliver = die
elif stage == "before the final name":
    os.link = die
elif stage == "before the store notes it":
    Store.mark_shared = die
elif stage == "writing":
    os.fsync = die
send.share_reflection(int(sys.argv[2]), dropbox=sys.argv[3])
"""


def _trainee_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env.update(ALLIANCE_HOME=str(home), ALLIANCE_COHORT="FALL26")
    return env


def _saved_reflection(home: Path) -> int:
    from helpers.store import Store

    store = Store(home / "alliance.sqlite3")
    ratings = dict.fromkeys(RATED_GUIDELINES, 6)
    return store.save_reflection(2, "counselor", ratings, dict.fromkeys(CHECKINS, 5))


def _private_drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir(mode=0o700)
    return folder


@pytest.mark.parametrize(
    "stage",
    ["after the private copy", "before the final name", "before the store notes it", "writing"],
)
def test_a_share_killed_half_way_sends_the_same_reflection_once(tmp_path, stage):
    import subprocess
    import sys

    home = tmp_path / "home"
    env = _trainee_env(home)
    reflection_id = _saved_reflection(home)
    drop = _private_drop(tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_SHARE, stage, str(reflection_id), str(drop)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == 9, killed.stderr
    again = subprocess.run(
        [sys.executable, "-c", KILLED_SHARE, "none", str(reflection_id), str(drop)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    names = sorted(p.name for p in drop.iterdir())
    assert all(not name.startswith(".") for name in names), names  # nothing left behind
    ids = {json.loads((drop / name).read_text())["submission_id"] for name in names}
    assert len(ids) == 1 and len(names) == 1, names
    submissions, report = collect_folder(drop)
    assert len(submissions) == 1


def test_sigkill_at_any_moment_never_sends_a_reflection_under_two_ids(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    home = tmp_path / "home"
    env = _trainee_env(home)
    reflection_id = _saved_reflection(home)
    drop = _private_drop(tmp_path)
    rng = random.Random(14)
    for _ in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED_SHARE, "none", str(reflection_id), str(drop)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    final = subprocess.run(
        [sys.executable, "-c", KILLED_SHARE, "none", str(reflection_id), str(drop)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert final.returncode == 0, final.stderr
    names = [p.name for p in drop.iterdir()]
    assert not [n for n in names if n.startswith(".")]
    assert len({json.loads((drop / n).read_text())["submission_id"] for n in names}) == 1


# ----------------------------------------------------------------------------- items 7 and 8


def _drop_under(parent: Path, mode: int = 0o755) -> Path:
    parent.mkdir(exist_ok=True)
    parent.chmod(mode)
    folder = parent / "dropbox"
    folder.mkdir()
    folder.chmod(0o3733)
    return folder


def test_check_calls_a_parent_others_can_write_unsafe(tmp_path, monkeypatch):
    from helpers import dropbox

    monkeypatch.setattr(dropbox, "shared_uid_warning", lambda: None)
    folder = _drop_under(tmp_path / "class", 0o777)
    problems, _ = dropbox.check_dropbox(folder)
    assert any(
        f"parent folder {tmp_path / 'class'} can be changed by others" in p for p in problems
    ), problems
    (tmp_path / "class").chmod(0o1777)  # sticky: nobody can rename another's folder
    problems, _ = dropbox.check_dropbox(folder)
    assert not any("parent folder" in p for p in problems), problems


@ROOT_ONLY
def test_check_calls_a_parent_owned_by_a_trainee_unsafe(tmp_path, monkeypatch):
    from helpers import dropbox

    monkeypatch.setattr(dropbox, "shared_uid_warning", lambda: None)
    folder = _drop_under(tmp_path / "class")
    os.chown(tmp_path / "class", ATTACKER, ATTACKER)
    problems, _ = dropbox.check_dropbox(folder)
    assert any("parent folder" in p and "could replace the drop folder" in p for p in problems)
    assert all(str(ATTACKER) not in p or "belongs to" in p for p in problems)


def test_check_reports_a_default_acl_and_copes_without_acls(tmp_path, monkeypatch):
    import errno

    from helpers import dropbox

    monkeypatch.setattr(dropbox, "shared_uid_warning", lambda: None)
    folder = _drop_under(tmp_path / "class")
    real = os.getxattr

    def with_default_acl(path, name, *, follow_symlinks=True):
        if name == "system.posix_acl_default" and Path(path) == folder:
            return b"\x02\x00\x00\x00" + b"\x01\x00\x07\x00\xff\xff\xff\xff" * 4
        return real(path, name, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(os, "getxattr", with_default_acl)
    problems, _ = dropbox.check_dropbox(folder)
    assert any(p.startswith("default ACL set") and "setfacl -k" in p for p in problems)

    def unsupported(*_args, **_kwargs):
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(os, "getxattr", unsupported)
    problems, _ = dropbox.check_dropbox(folder)
    assert not any("ACL" in p for p in problems)


def test_init_never_follows_a_link_swapped_in_for_the_folder(tmp_path, monkeypatch):
    from helpers import dropbox

    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    victim.chmod(0o600)
    (tmp_path / "class").mkdir(mode=0o755)
    target = tmp_path / "class" / "dropbox"
    real_mkdir = os.mkdir

    def swap(name, mode=0o777, *, dir_fd=None):
        real_mkdir(name, mode, dir_fd=dir_fd)
        os.rmdir(name, dir_fd=dir_fd)  # the race: the new folder becomes a link
        os.symlink(victim, name, dir_fd=dir_fd)

    monkeypatch.setattr(os, "mkdir", swap)
    group = __import__("grp").getgrgid(os.getegid()).gr_name
    with pytest.raises(dropbox.DropboxError, match="is never followed"):
        dropbox.init_dropbox(target, group=group)
    assert stat_mode(victim) == 0o600 and victim.read_text() == "keep me"


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o7777


def test_init_refuses_a_parent_others_can_write(tmp_path):
    from helpers import dropbox

    parent = tmp_path / "open"
    parent.mkdir()
    parent.chmod(0o777)
    group = __import__("grp").getgrgid(os.getegid()).gr_name
    with pytest.raises(dropbox.DropboxError, match="can be changed by others"):
        dropbox.init_dropbox(parent / "dropbox", group=group)
    assert not (parent / "dropbox").exists()


@ROOT_ONLY
@pytest.mark.parametrize(
    ("owner", "group", "mode", "expected"),
    [
        ("me", "other", 0o3733, "it is your own folder and others can write to it"),
        ("other", "mine", 0o3733, "is one of your own groups, not an instructors-only group"),
        ("other", "other", 0o0733, "the sticky bit is missing"),
        ("other", "other", 0o3737, "everyone can list it"),
        ("other", "wrong", 0o3733, "not the instructors' group 'alliance-instructors'"),
    ],
)
def test_share_refuses_a_drop_folder_that_is_not_the_instructors(
    tmp_path, monkeypatch, owner, group, mode, expected
):
    from helpers.share import ShareError, share_reflection
    from helpers.store import get_store

    monkeypatch.setenv("ALLIANCE_COHORT", "FALL26")
    folder = tmp_path / "dropbox"
    folder.mkdir()
    uid = os.geteuid() if owner == "me" else VICTIM
    gid = {"mine": os.getegid(), "other": 61005, "wrong": 61006}[group]
    os.chown(folder, uid, gid)
    folder.chmod(mode)
    if group == "wrong":
        monkeypatch.setenv("ALLIANCE_DROPBOX_GROUP", "alliance-instructors")
    store = get_store()
    reflection_id = store.save_reflection(
        1, "client", dict.fromkeys(RATED_GUIDELINES, 5), dict.fromkeys(CHECKINS, 5)
    )
    with pytest.raises(ShareError, match="is not safe to share into") as refused:
        share_reflection(reflection_id, dropbox=folder, store=store)
    assert expected in str(refused.value)
    assert list(folder.iterdir()) == []
    assert store.reflection(reflection_id)["shared_as"] is None


# ----------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_validate_refuses_what_is_not_a_regular_file_without_reading_it(tmp_path, capsys, kind):
    import subprocess
    import sys

    if kind == "fifo":
        target = tmp_path / "pipe.yaml"
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "helpers.cli", "validate", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "is not a regular file (a pipe, device or socket)" in result.stderr
    assert "Traceback" not in result.stderr


def test_sample_without_arguments_never_replaces_a_class_table(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    real = tmp_path / "class.csv"
    real.write_text("the real class of this term\n")
    assert main(["sample"]) == 2
    assert "class.csv already exists and was left as it is" in capsys.readouterr().err
    assert real.read_text() == "the real class of this term\n"
    assert not (tmp_path / "sample.json").exists()
    assert main(["sample", "--force"]) == 0
    assert real.read_text() != "the real class of this term\n"


def test_output_piped_to_head_ends_quietly(tmp_path):
    import subprocess
    import sys

    drop = tmp_path / "drop"
    drop.mkdir()
    for k in range(3000):
        write_file(drop, f"{k:05d}.json", b"not json")
    command = f"{sys.executable} -m helpers.cli collect {drop} -o {tmp_path / 'c.csv'} | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, check=False
    )
    assert result.stdout.startswith("rejected 00000.json")
    assert result.stderr == ""


def test_a_private_folder_of_another_account_is_refused_plainly(tmp_path, monkeypatch, capsys):
    from helpers.files import PrivateFolderError
    from helpers.paths import alliance_home

    home = tmp_path / "someone-else"
    home.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(home, VICTIM, VICTIM)
    else:
        monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    monkeypatch.setenv("ALLIANCE_HOME", str(home))
    with pytest.raises(PrivateFolderError, match="belongs to another account"):
        alliance_home()
    assert main(["export", "--cohort", "FALL26"]) == 1
    err = capsys.readouterr().err
    assert "belongs to another account" in err and "Traceback" not in err

    from helpers.reflection import show_my_history, where_my_data_lives

    assert "belongs to another account" in repr(where_my_data_lives())
    assert "cannot be shown right now" in repr(show_my_history())


def test_a_damaged_reflection_row_is_skipped_not_a_traceback(tmp_path, capsys):
    import sqlite3

    from helpers.reflection import show_my_history
    from helpers.store import get_store

    store = get_store()
    good = store.save_reflection(
        1, "client", dict.fromkeys(RATED_GUIDELINES, 5), dict.fromkeys(CHECKINS, 5)
    )
    bad = store.save_reflection(
        2, "client", dict.fromkeys(RATED_GUIDELINES, 6), dict.fromkeys(CHECKINS, 5)
    )
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE reflections SET ratings = '{broken' WHERE id = ?", (bad,))
    shown = show_my_history(store=store)
    assert "You have saved 1 reflection" in shown.summary
    code = main(["export", "--cohort", "FALL26", "--to", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert f"Wrote reflection {good}" in captured.out
    assert "is damaged (its ratings cannot be read)" in captured.err


def test_a_readable_home_is_warned_about_once(tmp_path, monkeypatch, capsys):
    from helpers import paths

    home = tmp_path / "home-open"
    home.mkdir()
    home.chmod(0o755)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(paths, "_WARNED", [])
    first = paths.exposure_warning()
    assert first and "other accounts on this server can look into your home folder" in first
    assert paths.exposure_warning() is None  # once
    home.chmod(0o750)
    monkeypatch.setattr(paths, "_WARNED", [])
    assert paths.exposure_warning() is None


def test_the_instructor_overview_reads_the_summary(drop, out, capsys):
    from helpers.classview import collect_overview

    for k in range(6):
        put(drop, f"{k}.json", doc(k))
    write_file(drop, "bad.json", b"")
    assert collect(capsys, drop, out / "class.csv")[0] == 0
    text = repr(collect_overview(load_class(out / "class.csv")))
    assert "Files seen: 7; accepted: 6; rejected: 1" in text
    assert "rejected, empty file: 1" in text
    assert "Class codes seen: FALL26 (6)" in text
    assert PSEUDONYM_WARNING in text
    assert repr(collect_overview(load_class())) == "No collect summary for the synthetic sample."
