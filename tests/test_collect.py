"""``alliance collect``: a drop folder of good, bad and hostile files becomes one safe table."""

from __future__ import annotations

import copy
import csv
import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.collect import (
    CLASS_COLUMNS,
    class_rows,
    collect_folder,
    formula_safe,
    restore_text,
    submissions_to_frame,
    write_table,
)
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES
from tests.builders import valid_submission, write_file


def make_doc(i: int, **changes) -> dict:
    """A valid submission, different for each i (id, pseudonym, scores, number of choices)."""
    rng = random.Random(i)
    doc = valid_submission(
        text=...,
        submission_id=f"{i:032x}",
        pseudonym=f"pseudo{i:04d}tokenAbC_-",
        session=1 + i % 12,
        role="counselor" if i % 2 else "client",
        ratings={item: rng.randint(0, 10) for item in RATED_GUIDELINES},
        checkins={item: rng.randint(0, 10) for item in CHECKINS},
        choices=[
            {"vignette": f"care-{k:02d}", "option": "abc"[k % 3], "attempts": 1 + k}
            for k in range(i % 4)
        ],
    )
    doc.update(changes)
    return doc


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def expected_rows(doc: dict) -> int:
    return len(RATED_GUIDELINES) + len(CHECKINS) + len(doc["choices"])


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


def run_collect(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["collect", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


TEXT_PAYLOADS = [
    ("=1+2", "'=1+2"),
    ("+1", "'+1"),
    ("-1+1", "'-1+1"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ('=1+2";=1+2', "'=1+2\";=1+2"),
    ("  =1+2", "'  =1+2"),
    ("a,=1", "a,=1"),
    ("Line one\nline two, with a comma", "Line one\nline two, with a comma"),
]

COHORT_PAYLOADS = ["=1+2", "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"]


def test_bad_input_corpus(drop, out, tmp_path, capsys):
    good: list[dict] = [make_doc(i) for i in range(50)]
    for doc in good:
        write_file(drop, f"2026-W48-{doc['submission_id']}.json", doc)

    # accepted with care: a BOM, text payloads, a cohort and pseudonym starting with "-"
    bom_doc = make_doc(100)
    write_file(drop, "bom.json", b"\xef\xbb\xbf" + json.dumps(bom_doc).encode())
    good.append(bom_doc)
    for k, (payload, _) in enumerate(TEXT_PAYLOADS):
        doc = make_doc(200 + k, text=payload)
        write_file(drop, f"text-{k:02d}.json", doc)
        good.append(doc)
    dash_doc = make_doc(300, pseudonym="-startsWithDash123")
    write_file(drop, "dash.json", dash_doc)
    good.append(dash_doc)

    # a symlink to a valid file outside the folder: refused, its target never read
    outside = write_file(tmp_path, "outside.json", make_doc(400))
    (drop / "link.json").symlink_to(outside)

    huge = drop / "huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)

    truncated = json.dumps(make_doc(500)).encode()[:-20]
    nan_doc = json.dumps(make_doc(501, session=float("nan"))).encode()
    bad = {
        "truncated.json": (truncated, "incomplete JSON: the file ends early"),
        "version3.json": (
            make_doc(502, format_version=4),
            "format_version 4 is newer than this course understands (3); update the course",
        ),
        "range.json": (
            make_doc(503, ratings={"safety": 11, "care": 1, "understanding": 2, "focus": 3}),
            "ratings.safety: is 11 but must be between 0 and 10",
        ),
        "nan.json": (nan_doc, "contains NaN"),
        "string.json": (
            make_doc(504, session="3"),
            "session: should be a whole number, but is text ('3')",
        ),
        "missing.json": (
            {k: v for k, v in make_doc(505).items() if k != "checkins"},
            "checkins: missing required field 'checkins'",
        ),
        "extra.json": (
            make_doc(506, hostname="lab-pc-7"),
            "hostname: unknown field 'hostname' — allowed fields are",
        ),
        "latin1.json": (b'{"text": "caf\xe9"}', "not UTF-8 text"),
        "empty.json": (b"", "empty file"),
    }
    for name, (content, _) in bad.items():
        write_file(drop, name, content)
    for k, payload in enumerate(COHORT_PAYLOADS):
        write_file(drop, f"cohort-{k}.json", make_doc(600 + k, cohort=payload))
    # a subfolder, as a learning platform's download arrives: read like the folder itself
    (drop / "subfolder").mkdir()
    nested = make_doc(301)
    write_file(drop / "subfolder", "nested.json", nested)
    good.append(nested)
    # a second copy of an accepted submission, under a name sorting after the first
    write_file(drop, "zz-copy.json", good[0])

    code, lines, err = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0, err

    def reason_of(name: str) -> str:
        matches = [line for line in lines if line.startswith(f"rejected {name}: ")]
        assert len(matches) == 1, (name, lines)
        return matches[0].removeprefix(f"rejected {name}: ")

    for name, (_, reason) in bad.items():
        assert reason_of(name).startswith(reason), (name, reason_of(name))
    assert reason_of("link.json") == "is a symbolic link (never followed)"
    assert reason_of("huge.json").startswith("too large (50.0 MB")
    for k in range(len(COHORT_PAYLOADS)):
        reason = reason_of(f"cohort-{k}.json")
        assert reason.startswith("cohort: '") and reason.endswith(
            "' has the wrong form — a class code is 1 to 32 letters, digits, '-' or '_'"
        )
        assert reason.isprintable()  # a \t or \r payload is shown escaped
    first_name = f"2026-W48-{good[0]['submission_id']}.json"
    assert f"duplicate zz-copy.json: identical copy of {first_name}, counted once" in lines

    rejected = len(bad) + len(COHORT_PAYLOADS) + 2  # + link, huge
    total = len(good) + rejected + 1
    assert lines[-1] == (
        f"{total} files, {len(good)} accepted, {rejected} rejected, 1 duplicates, 0 merged"
    )

    header, rows = read_csv(out / "class.csv")
    assert header == list(CLASS_COLUMNS)
    assert all(len(row) == len(CLASS_COLUMNS) for row in rows)
    assert len(rows) == sum(expected_rows(doc) for doc in good)
    ids = {row[0] for row in rows}
    assert ids == {doc["submission_id"] for doc in good}
    assert make_doc(400)["submission_id"] not in ids  # the symlink's target was never read
    for doc in good:
        mine = [row for row in rows if row[0] == doc["submission_id"]]
        scores = {(row[7], row[8]): row[9] for row in mine if row[7] != "choice"}
        assert scores == {
            **{("guideline", k): str(v) for k, v in doc["ratings"].items()},
            **{("checkin", k): str(v) for k, v in doc["checkins"].items()},
        }
        picked = sorted((row[8], row[10], row[11], row[9]) for row in mine if row[7] == "choice")
        assert picked == sorted(
            (c["vignette"], c["option"], str(c["attempts"]), "") for c in doc["choices"]
        )

    # rule C1 in class.csv: the dash pseudonym is neutralised
    dash_rows = [row for row in rows if row[0] == dash_doc["submission_id"]]
    assert {row[1] for row in dash_rows} == {"'-startsWithDash123"}

    # shuffled: not the order the submissions were read in
    read_order = [(r[0], r[7], r[8]) for r in class_rows(collect_folder(drop)[0])]
    assert [(row[0], row[7], row[8]) for row in rows] != read_order
    assert sorted((row[0], row[7], row[8]) for row in rows) == sorted(read_order)
    first_seen = list(dict.fromkeys(row[0] for row in rows))
    assert first_seen != sorted(first_seen)

    # class-comments.csv: formula-safe, one cell each, only the submissions with text, and
    # nothing that links a comment to its writer's rows in class.csv (rules F1, F3)
    comments = out / "class-comments.csv"
    raw = comments.read_text(encoding="utf-8")
    assert '"\'=1+2"";=1+2"' in raw  # OWASP's own example of the safe form
    header, comment_rows = read_csv(comments)
    assert header == ["text"]
    assert all(len(row) == 1 for row in comment_rows)
    assert sorted(row[0] for row in comment_rows) == sorted(e for _, e in TEXT_PAYLOADS)
    for doc in good:
        assert doc["submission_id"] not in raw and doc["pseudonym"] not in raw

    # privacy rule M1: nothing about owners or times, files readable by the instructor only
    for path in (out / "class.csv", comments):
        text = path.read_text(encoding="utf-8")
        header_line = text.splitlines()[0].lower()
        assert not any(word in header_line for word in ("owner", "uid", "mtime", "time"))
        assert "lab-pc-7" not in text
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == [
        "class-comments.csv",
        "class-summary.json",
        "class.csv",
    ]


def test_rows_are_shuffled_between_runs(drop, out, capsys):
    for i in range(50):
        write_file(drop, f"{i:03d}.json", make_doc(i))
    orders = []
    for name in ("a.csv", "b.csv"):
        code, _, _ = run_collect(capsys, str(drop), "-o", str(out / name))
        assert code == 0
        # without the trainee labels, drawn afresh on every run
        orders.append([row[:2] + row[3:] for row in read_csv(out / name)[1]])
    assert orders[0] != orders[1]
    assert sorted(orders[0]) == sorted(orders[1])


@pytest.mark.parametrize("payload, expected", TEXT_PAYLOADS + [("\0=1", "'=1"), ("ok", "ok")])
def test_formula_safe(payload, expected):
    assert formula_safe(payload) == expected


def test_first_choices_of_version_2_files_fill_their_column_and_version_1_leaves_it_empty(
    drop, out, capsys
):
    newer = make_doc(
        7,
        format_version=2,
        choices=[{"vignette": "care-04", "option": "b", "first_option": "a", "attempts": 2}],
    )
    older = make_doc(8, choices=[{"vignette": "care-04", "option": "c", "attempts": 1}])
    write_file(drop, "new.json", newer)
    write_file(drop, "old.json", older)
    code, lines, _ = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0 and lines[-1].startswith("2 files, 2 accepted, 0 rejected")
    header, rows = read_csv(out / "class.csv")
    assert header[-1] == "first_option"
    picked = {
        row[header.index("submission_id")]: (row[header.index("option")], row[-1])
        for row in rows
        if row[header.index("measure")] == "choice"
    }
    assert picked == {newer["submission_id"]: ("b", "a"), older["submission_id"]: ("c", "")}


def test_no_comments_file_without_shared_text(drop, out, capsys):
    write_file(drop, "a.json", make_doc(1))
    code, lines, _ = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0
    assert "no shared comments, so no comments file was written" in lines
    assert not (out / "class-comments.csv").exists()
    assert lines[-1] == "1 files, 1 accepted, 0 rejected, 0 duplicates, 0 merged"


def test_comments_path_can_be_chosen(drop, out, tmp_path, capsys):
    write_file(drop, "a.json", make_doc(1, text="It felt rushed."))
    other = tmp_path / "private"
    other.mkdir()
    code, _, _ = run_collect(
        capsys,
        str(drop),
        "-o",
        str(out / "class.csv"),
        "--comments",
        str(other / "notes.csv"),
        "--min-comments",
        "1",
    )
    assert code == 0
    assert read_csv(other / "notes.csv") == (["text"], [["It felt rushed."]])
    assert not (out / "class-comments.csv").exists()


def test_comments_are_withheld_from_a_pool_of_fewer_than_ten(drop, out, capsys):
    for i in range(9):
        write_file(drop, f"{i}.json", make_doc(i, text=f"Comment number {i}."))
    write_file(drop, "silent.json", make_doc(50))
    code, lines, _ = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0
    assert (
        "only 9 trainees shared comments, fewer than 10 (--min-comments), so no comments file"
        " was written: in so small a pool a comment is easy to trace to its writer"
    ) in lines
    assert sorted(p.name for p in out.iterdir()) == ["class-summary.json", "class.csv"]

    write_file(drop, "9.json", make_doc(9, text="Comment number 9."))
    code, lines, _ = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0
    comments = out / "class-comments.csv"
    assert (
        f"wrote {comments}: 10 shared comments from 10 trainees (for you only; do not share)"
    ) in lines
    texts = [row[-1] for row in read_csv(comments)[1]]
    assert sorted(texts) == sorted(f"Comment number {i}." for i in range(10))
    assert texts != [f"Comment number {i}." for i in range(10)]  # shuffled


def test_a_higher_comment_threshold_withholds_more(drop, out, capsys):
    for i in range(12):
        write_file(drop, f"{i:02d}.json", make_doc(i, text="A comment."))
    args = [str(drop), "-o", str(out / "class.csv"), "--min-comments", "15"]
    code, lines, _ = run_collect(capsys, *args)
    assert code == 0
    assert any(line.startswith("only 12 trainees shared comments, fewer than 15") for line in lines)
    assert not (out / "class-comments.csv").exists()


def test_a_comment_threshold_below_one_is_refused(drop, out, capsys):
    write_file(drop, "a.json", make_doc(1, text="hello"))
    args = [str(drop), "-o", str(out / "c.csv"), "--min-comments", "0"]
    code, lines, err = run_collect(capsys, *args)
    assert code == 2
    assert "--min-comments is 0; give a whole number of 1 or more" in err
    assert lines == [] and list(out.iterdir()) == []


def test_empty_folder_writes_header_only_when_there_is_no_table_yet(drop, out, capsys):
    code, lines, _ = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0
    assert read_csv(out / "class.csv") == (list(CLASS_COLUMNS), [])
    assert lines[-1] == "0 files, 0 accepted, 0 rejected, 0 duplicates, 0 merged"


@pytest.mark.parametrize("contents", ["empty", "all rejected"])
def test_nothing_accepted_keeps_the_previous_class_table(drop, out, capsys, contents):
    if contents == "all rejected":
        write_file(drop, "a.json", b"not json")
        write_file(drop, "b.json", make_doc(2, session=99))
    table = out / "class.csv"
    table.write_text("the class table of last week\n", encoding="utf-8")
    code, lines, err = run_collect(capsys, str(drop), "-o", str(table))
    assert code == 1
    why = "the folder is empty" if contents == "empty" else "every file was rejected"
    assert (
        f"alliance collect: no submission was accepted ({why}), so {table} was left as it is;"
        " check that this is the right drop folder, or add --force to replace the table with"
        " an empty one"
    ) in err
    assert table.read_text(encoding="utf-8") == "the class table of last week\n"
    assert sorted(p.name for p in out.iterdir()) == ["class.csv"]
    assert not any(line.startswith("wrote") for line in lines)

    code, lines, _ = run_collect(capsys, str(drop), "-o", str(table), "--force")
    assert code == 0
    assert read_csv(table) == (list(CLASS_COLUMNS), [])
    assert f"wrote {table}: 0 rows from 0 submissions" in lines


@pytest.mark.parametrize("cohort", ["SYNTHETIC", "synthetic"])
def test_the_sample_class_code_is_rejected(drop, out, capsys, cohort):
    write_file(drop, "real.json", make_doc(1))
    write_file(drop, "fake.json", make_doc(2, cohort=cohort))
    code, lines, _ = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0
    assert lines[0].startswith(
        "rejected fake.json: class code SYNTHETIC is reserved for the course's sample data"
    )
    cohorts = {row[3] for row in read_csv(out / "class.csv")[1]}
    assert cohorts == {"FALL26"}


def test_file_name_with_control_characters_is_shown_escaped(drop, out, capsys):
    write_file(drop, "evil\x1b[2J.json", b"not json")
    code, lines, _ = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0
    assert lines[0].startswith("rejected evil\\x1b[2J.json: invalid JSON at line 1, column 1")


def unusable_cases(drop: Path, out: Path) -> dict[str, tuple[list[str], str]]:
    (drop / "inner").mkdir()
    write_file(out, "file.txt", "x")
    return {
        "missing folder": ([str(drop / "nope"), "-o", str(out / "c.csv")], "no such folder"),
        "folder is a file": ([str(out / "file.txt"), "-o", str(out / "c.csv")], "not a folder"),
        "output inside folder": ([str(drop), "-o", str(drop / "c.csv")], "inside the drop folder"),
        "output deep inside": (
            [str(drop), "-o", str(drop / "inner" / "c.csv")],
            "inside the drop folder",
        ),
        "comments inside": (
            [str(drop), "-o", str(out / "c.csv"), "--comments", str(drop / "x.csv")],
            "inside the drop folder",
        ),
        "output is a folder": ([str(drop), "-o", str(out)], "is a folder"),
        "output folder missing": (
            [str(drop), "-o", str(out / "no" / "c.csv")],
            "does not exist; create it first",
        ),
        "same output twice": (
            [str(drop), "-o", str(out / "c.csv"), "--comments", str(out / "c.csv")],
            "name the same file",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing folder",
        "folder is a file",
        "output inside folder",
        "output deep inside",
        "comments inside",
        "output is a folder",
        "output folder missing",
        "same output twice",
    ],
)
def test_unusable_arguments_exit_2_and_write_nothing(drop, out, capsys, case):
    write_file(drop, "a.json", make_doc(1, text="hello"))
    args, message = unusable_cases(drop, out)[case]
    before = sorted(p.name for p in out.iterdir())
    code, lines, err = run_collect(capsys, *args)
    assert code == 2
    assert message in err
    assert lines == []
    assert sorted(p.name for p in out.iterdir()) == before
    assert sorted(p.name for p in drop.iterdir()) == ["a.json", "inner"]


def test_collect_folder_returns_submissions_and_report(drop, tmp_path):
    docs = [make_doc(i, text="t") if i == 2 else make_doc(i) for i in range(3)]
    for k, doc in enumerate(docs):
        write_file(drop, f"{k}.json", doc)
    write_file(drop, "3.json", docs[1])
    write_file(drop, "4.json", b"{")
    submissions, report = collect_folder(drop)
    labels = {doc.pop("trainee") for doc in submissions}
    assert submissions == docs
    assert len(labels) == 3  # one opaque label per pseudonym: every file has one owner here
    assert (report.files, report.accepted) == (5, 3)
    assert report.rejected == [("4.json", "incomplete JSON: " + report.rejected[0][1][17:])]
    assert report.duplicates == [("3.json", "1.json")]
    assert report.summary() == "5 files, 3 accepted, 1 rejected, 1 duplicates, 0 merged"


def test_submissions_to_frame_is_the_class_table():
    docs = [make_doc(i) for i in range(6)]
    frame = submissions_to_frame(docs, rng=random.Random(7))
    assert list(frame.columns) == list(CLASS_COLUMNS)
    assert len(frame) == sum(expected_rows(d) for d in docs)
    assert str(frame["session"].dtype) == "int64"
    assert str(frame["score"].dtype) == "Int64"
    assert str(frame["attempts"].dtype) == "Int64"
    guideline = frame[frame["measure"] == "guideline"]
    assert sorted(guideline["item"].unique()) == sorted(RATED_GUIDELINES)
    assert guideline["score"].between(0, 10).all()
    assert (guideline["option"] == "").all() and guideline["attempts"].isna().all()
    choices = frame[frame["measure"] == "choice"]
    assert choices["score"].isna().all()
    assert set(choices["option"]) <= {"a", "b", "c"}
    mean = frame[(frame["item"] == "safety")]["score"].mean()
    assert mean == pytest.approx(sum(d["ratings"]["safety"] for d in docs) / len(docs))
    again = submissions_to_frame(docs, rng=random.Random(7))
    assert frame.equals(again)  # a seeded order for notebooks that must be reproducible


def test_submissions_to_frame_of_nothing_has_the_columns():
    frame = submissions_to_frame([])
    full = submissions_to_frame([make_doc(1)])
    assert list(frame.columns) == list(CLASS_COLUMNS)
    assert len(frame) == 0
    assert frame.dtypes.to_dict() == full.dtypes.to_dict()


def test_failed_write_keeps_the_old_table(out):
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("disk full")

    table = out / "class.csv"
    table.write_text("old table\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_table(table, ["item"], [("fine",), (Broken(),)], rng=random.Random(1))
    assert table.read_text(encoding="utf-8") == "old table\n"
    assert sorted(p.name for p in out.iterdir()) == ["class.csv"]


def test_collect_never_changes_the_drop_folder(drop, out, capsys):
    write_file(drop, "a.json", make_doc(1, text="x"))
    write_file(drop, "b.json", b"broken")
    before = {p.name: (p.read_bytes(), p.stat().st_mode) for p in drop.iterdir()}
    code, _, _ = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 0
    assert {p.name: (p.read_bytes(), p.stat().st_mode) for p in drop.iterdir()} == before


def test_one_id_with_different_content_rejects_both_and_names_them(drop):
    # a planted file reusing a classmate's submission_id, sorting first, must not replace it
    real = make_doc(1)
    forged = copy.deepcopy(real)
    forged["ratings"]["safety"] = 0 if real["ratings"]["safety"] else 1
    write_file(drop, "b.json", real)
    write_file(drop, "a.json", forged)
    write_file(drop, "c.json", make_doc(2))
    submissions, report = collect_folder(drop)
    assert [doc["submission_id"] for doc in submissions] == [make_doc(2)["submission_id"]]
    assert report.duplicates == []
    reasons = dict(report.rejected)
    assert set(reasons) == {"a.json", "b.json"}
    assert all(
        "same submission_id, different content (a.json, b.json)" in r for r in reasons.values()
    )


def test_unreadable_folder_is_an_unusable_argument(drop, out, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "scandir", refuse)
    code, _, err = run_collect(capsys, str(drop), "-o", str(out / "class.csv"))
    assert code == 2
    assert "cannot list (Permission denied)" in err


@pytest.mark.parametrize("value", ["-startsWithDash123", "-1", "FALL26", "care-04", "=x", " +1"])
def test_restore_text_undoes_formula_safe(value):
    assert restore_text(formula_safe(value)) == value


def test_unfinished_upload_is_named_as_such(drop):
    write_file(drop, ".0123abcd.partial", b'{"format": "alli')
    write_file(drop, "a.json", make_doc(1))
    submissions, report = collect_folder(drop)
    assert len(submissions) == 1
    assert report.rejected == [
        (".0123abcd.partial", "an unfinished upload (temporary file), skipped")
    ]


def test_console_command(drop, out):
    write_file(drop, "a.json", make_doc(1))
    write_file(drop, "b.json", make_doc(2, session=99))
    command = Path(sys.executable).with_name("alliance")
    result = subprocess.run(
        [str(command), "collect", str(drop), "-o", str(out / "class.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "rejected b.json: session: is 99 but must be between 1 and 50"
    assert lines[-1] == "2 files, 1 accepted, 1 rejected, 0 duplicates, 0 merged"
    assert len(read_csv(out / "class.csv")[1]) == expected_rows(make_doc(1))
