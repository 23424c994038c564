"""What the class view says about skill: the skills snapshot and first answers, with the
privacy rules every class view follows."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from helpers import skills
from helpers.classview import COARSE, HIDDEN, SHOWN, ClassData, validate_frame, view_of
from helpers.collect import CLASS_COLUMNS, class_rows
from helpers.growth import first_choices_table, skills_table
from helpers.share import build_submission
from helpers.store import Store
from helpers.submission import validate_submission
from helpers.vocabulary import FORMAT_VERSION

DEMO = "demo-01"  # the sample's made-up choose vignette: option b is the best response


def row(trainee: str, session: int, measure: str, item: str, **values) -> dict:
    """One class-table row; rows of one trainee and session belong to one reflection."""
    base = dict.fromkeys(CLASS_COLUMNS, "")
    base.update(
        submission_id=hashlib.sha256(f"{trainee}/{session}".encode()).hexdigest()[:32],
        pseudonym=f"pseudonym-of-{trainee}-xyz",
        trainee=trainee,
        cohort="FALL26",
        week="2026-W45",
        session=str(session),
        role="counselor",
        measure=measure,
        item=item,
    )
    base.update({k: str(v) for k, v in values.items()})
    return base


def skills_class(pairs: list[tuple[int, int]], before_only: int = 0) -> pd.DataFrame:
    rows = []
    for i, (before, after) in enumerate(pairs):
        rows.append(row(f"t{i}", 1, "skills", "before", score=before, option="A"))
        rows.append(row(f"t{i}", 3, "skills", "after", score=after, option="B"))
    for j in range(before_only):
        rows.append(row(f"only{j}", 1, "skills", "before", score=10, option="B"))
    return validate_frame(pd.DataFrame(rows))


def test_skills_are_hidden_until_five_trainees_shared_both_snapshots():
    view = skills_table(skills_class([(10, 20)] * 4, before_only=10))
    assert view.n == 4 and view.suppressed
    assert "fewer than 5 trainees" in str(view.notes[0])


def test_skills_pair_each_trainee_and_coarsen_below_ten():
    view = skills_table(skills_class([(10, 14), (12, 12), (8, 16), (20, 18), (15, 25)]))
    table = view.table.set_index("stage")
    assert view.n == 5 and not view.suppressed
    assert table.loc["before", "median"] == 12 and table.loc["after", "median"] == 16
    stats = view.stats.iloc[0]
    assert stats["median_change"] == 4
    assert pd.isna(stats["rose"]) and stats["rose_label"] == "40–60 %"  # 3 of 5 rose
    assert (table["status"] == COARSE).all()


def test_skills_of_a_seminar_of_twelve_show_the_share_that_rose_exactly():
    view = skills_table(skills_class([(10, 13)] * 9 + [(10, 8)] * 3))
    assert view.stats.iloc[0]["rose_label"] == "75 %"
    assert (view.table["status"] == SHOWN).all()


def test_a_late_trainee_cannot_be_read_by_comparing_two_skills_views(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "instructor"))
    ten = skills_class([(10, 14)] * 10)
    first = view_of("skills", ClassData(ten, False, "class.csv"))
    assert not first.refused
    eleven = skills_class([(10, 14)] * 10 + [(30, 2)])
    second = view_of("skills", ClassData(eleven, False, "class.csv"))
    assert "at least 4 trainees more" in second.refused
    assert second.table["median"].isna().all()


def choices_class(firsts: list[str], last: str = "b") -> pd.DataFrame:
    rows = [
        row(f"t{i}", 1, "choice", DEMO, option=last, attempts=2, first_option=first)
        for i, first in enumerate(firsts)
    ]
    return validate_frame(pd.DataFrame(rows))


def test_first_answers_are_counted_not_the_answers_after_feedback():
    view = first_choices_table(choices_class(["a"] * 8 + ["b"] * 4, last="b"))
    cell = view.table.iloc[0]
    assert cell["status"] == SHOWN and cell["label"] == "33 %"


def test_first_answers_below_five_are_hidden_and_below_ten_coarsened():
    hidden = first_choices_table(choices_class(["b", "b", "a", "b"]))
    assert hidden.table.iloc[0]["status"] == HIDDEN
    coarse = first_choices_table(choices_class(["b"] * 6))
    assert coarse.table.iloc[0]["status"] == COARSE
    assert coarse.table.iloc[0]["label"] == "80–100 %", "never '100 %' of a group under 10 (S3)"


def test_an_older_class_table_without_first_answers_says_so():
    frame = choices_class(["b"] * 6).drop(columns=["first_option"])
    view = first_choices_table(frame)
    assert view.table.empty and "no first answers" in str(view.notes[0])


@pytest.fixture
def finished_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "alliance.sqlite3")
    skills.save_finished(store, "before", "A", 14)
    skills.save_finished(store, "after", "B", 22)
    return store


def reflection() -> dict:
    return {
        "session": 3,
        "role": "counselor",
        "ratings": {"safety": 7, "care": 8, "understanding": 6, "focus": 9},
        "checkins": {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 7},
        "text": "",
        "share_text": False,
        "created": "2026-11-20T10:00:00+00:00",
    }


def test_skills_scores_leave_only_when_the_trainee_chose_to_share_them(finished_store):
    without = build_submission(reflection(), store=finished_store, cohort="FALL26")
    assert "skills" not in without
    skills.set_share_consent(finished_store, True)
    shared = build_submission(reflection(), store=finished_store, cohort="FALL26")
    assert shared["skills"] == {
        "before": {"form": "A", "score": 14},
        "after": {"form": "B", "score": 22},
    }
    validate_submission(json.loads(json.dumps(shared)))
    rows = [dict(zip(CLASS_COLUMNS, r, strict=True)) for r in class_rows([shared])]
    skills_rows = [r for r in rows if r["measure"] == "skills"]
    assert {(r["item"], r["score"], r["option"]) for r in skills_rows} == {
        ("before", 14, "A"),
        ("after", 22, "B"),
    }


def test_a_skills_score_out_of_range_is_refused(finished_store):
    skills.set_share_consent(finished_store, True)
    shared = build_submission(reflection(), store=finished_store, cohort="FALL26")
    shared["skills"]["after"]["score"] = 33
    with pytest.raises(ValueError, match="skills"):
        validate_submission(shared)


def seminar(students: int, seed: int) -> ClassData:
    """The sample generator's class of ``students`` over sessions 1-3, plus one trainee who
    went on to a fourth session (the case that used to hide a whole chart)."""
    from helpers.sample import generate_class

    frame = generate_class(seed=seed, students=students, sessions=3)
    one = frame["pseudonym"].iloc[0]
    mine = frame[frame["pseudonym"] == one]
    extra = mine[mine["session"] == mine["session"].max()].copy()
    extra["session"] = 4
    extra["week"] = "2026-W44"
    extra["submission_id"] = [f"{i:032x}" for i in range(len(extra))]
    return ClassData(validate_frame(pd.concat([frame, extra])), True, "sample")


@pytest.mark.parametrize("students", [8, 10, 14])
def test_a_seminar_sees_nearly_every_headline_figure(students):
    from helpers.growth import headline_figures

    for seed in (1, 2, 3):
        figures = headline_figures(seminar(students, seed))
        shown = sum(visible for _, visible in figures)
        assert len(figures) >= 30
        assert shown / len(figures) >= 0.9, [name for name, visible in figures if not visible]


def test_one_trainee_in_a_further_session_does_not_hide_the_check_ins():
    from helpers.classview import checkins_table

    view = checkins_table(seminar(10, 1))
    assert set(view.table["session"]) == {1, 3}
    assert (view.table["status"] != HIDDEN).all()


def test_five_bands_give_way_to_three_when_they_would_hide_a_seminars_spread():
    from helpers.classview import profile_table

    rows = []
    # 15 raters: every one of the five bands holds fewer than 5, each of the three holds 5
    for i, score in enumerate([0, 1, 2, 3, 3, 4, 5, 6, 6, 4, 7, 8, 9, 10, 7]):
        for item in ("safety", "care", "understanding", "focus"):
            rows.append(row(f"t{i}", 1, "guideline", item, score=score, role="client"))
    view = profile_table(validate_frame(pd.DataFrame(rows)))
    safety = view.table[view.table["guideline"] == "safety"]
    assert list(safety["band"]) == ["0–3", "4–6", "7–10"]
    assert (safety["status"] != HIDDEN).all()
    assert any("five bands would hide" in str(note) for note in view.notes)


# ------------------------------------------------------------------------ privacy at seminar size


def late_trainee(data: ClassData) -> pd.DataFrame:
    """The class with one more trainee: a copy of the first trainee's reflections, under a new
    account, pseudonym and submission ids (someone who shared after the first render)."""
    frame = data.frame.astype(str)
    first = frame[frame["trainee"] == frame["trainee"].iloc[0]].copy()
    first["trainee"] = "late-account"
    first["pseudonym"] = "late-pseudonym-xyz"
    ids = {
        old: hashlib.sha256(f"late/{old}".encode()).hexdigest()[:32]
        for old in first["submission_id"]
    }
    first["submission_id"] = first["submission_id"].map(ids)
    return pd.concat([frame, first], ignore_index=True)


@pytest.mark.parametrize("students", [8, 10, 14])
def test_at_seminar_size_differencing_two_renders_recovers_nothing(students, tmp_path, monkeypatch):
    from helpers.classview import VIEWS

    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "instructor"))
    base = seminar(students, 1).frame
    real = ClassData(validate_frame(base.astype(str)), False, "class.csv")
    first = {name: view_of(name, real) for name in VIEWS}
    assert not any(view.refused for view in first.values())
    later = ClassData(validate_frame(late_trainee(real)), False, "class.csv")
    refused = 0
    for name in VIEWS:
        view = view_of(name, later)
        if view.refused:  # the late trainee's rows are in it: no number at all
            refused += 1
            assert view.table.select_dtypes("number").isna().all().all(), name
        else:  # none of their rows are: the very same figures as before
            pd.testing.assert_frame_equal(view.table, first[name].table)
    assert refused >= 5


@pytest.mark.parametrize("students", [8, 10, 14])
def test_at_seminar_size_padding_with_pseudonyms_lifts_no_hidden_figure(students):
    from helpers.classview import VIEWS

    data = seminar(students, 2)
    frame = data.frame.astype(str)
    one = frame[frame["trainee"] == frame["trainee"].iloc[0]]
    copies = []
    for k in range(4):  # four more pseudonyms from the same account
        copy = one.copy()
        copy["pseudonym"] = f"padding-{k}-xyz"
        copy["submission_id"] = [
            hashlib.sha256(f"pad{k}/{i}".encode()).hexdigest()[:32] for i in copy["submission_id"]
        ]
        copies.append(copy)
    padded = ClassData(validate_frame(pd.concat([frame, *copies])), True, "sample")
    for name in VIEWS:
        before, after = view_of(name, data), view_of(name, padded)
        assert after.n == before.n, name
        keys = [
            c
            for c in after.table.columns
            if c
            in ("guideline", "band", "session", "checkin", "when", "vignette", "option", "stage")
        ]
        if not keys:
            continue
        was = before.table.set_index(keys)["status"]
        now = after.table.set_index(keys)["status"].reindex(was.index)
        lifted = (was == HIDDEN) & (now != HIDDEN)
        assert not lifted.any(), (name, list(was.index[lifted]))


@pytest.mark.parametrize("students", [8, 10, 14])
def test_at_seminar_size_no_view_carries_a_pseudonym_or_text_to_link_comments_by(students):
    from helpers.charts import make_chart
    from helpers.classview import VIEWS

    data = seminar(students, 3)
    assert "text" not in data.frame.columns
    pseudonyms = set(data.frame["pseudonym"].astype(str))
    for name in VIEWS:
        chart = make_chart(name, data)
        shown = repr(chart) + chart.view.table.to_csv() + chart.figure.svg
        assert not [p for p in pseudonyms if p in shown], name


# ----------------------------------------------------------------------------- data-format.md


def test_data_format_documents_every_field_of_the_newest_version_and_still_reads_older_ones():
    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "data-format.md").read_text("utf-8")
    schema = json.loads((root / "data" / "schema" / "submission.schema.json").read_text("utf-8"))
    assert f"## The submission file (format version {FORMAT_VERSION})" in page
    for field in schema["properties"]:
        assert f"| `{field}` |" in page, f"docs/data-format.md has no row for {field}"
    choices = next(line for line in page.splitlines() if line.startswith("| `choices` |"))
    skills_row = next(line for line in page.splitlines() if line.startswith("| `skills` |"))
    for field in ("vignette", "option", "first_option", "attempts"):
        assert field in choices, field
    for field in ("before", "after", "form", "score"):
        assert field in skills_row, field
    for column in CLASS_COLUMNS:
        assert f"| `{column}` |" in page, f"docs/data-format.md has no row for column {column}"
    assert "Version 1 files are still read" in page
    assert set(schema["properties"]["format_version"].get("enum", [])) == {1, 2, FORMAT_VERSION}
