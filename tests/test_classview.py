"""The class view: loading a class table, and what each view shows, hides and coarsens."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from helpers.classview import (
    COARSE,
    COARSE_BANDS,
    FINE_BANDS,
    HIDDEN,
    SHOWN,
    ClassData,
    ClassDataError,
    aggregate_all,
    change_table,
    checkins_table,
    choices_table,
    load_class,
    profile_table,
    sample_class,
    self_partner_table,
    suppress_breakdown,
    validate_frame,
    what_was_hidden,
)
from helpers.sample import COLUMNS, write_class_csv
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ALLIANCE_CLASS_DATA", raising=False)


# ----------------------------------------------------------------------------- a hand-built class


class ClassBuilder:
    """Rows of a class table written one reflection at a time."""

    def __init__(self, cohort: str = "TEST") -> None:
        self.cohort = cohort
        self.rows: list[list[object]] = []

    def reflection(
        self,
        trainee: str,
        session: int,
        role: str,
        ratings: dict[str, int] | int | None = None,
        checkins: dict[str, int] | int | None = None,
        choices: dict[str, str] | None = None,
    ) -> ClassBuilder:
        sid = f"{len(self.rows):032x}"
        head = [sid, trainee, self.cohort, f"2026-W{40 + session}", session, role]
        if isinstance(ratings, int):
            ratings = dict.fromkeys(RATED_GUIDELINES, ratings)
        if isinstance(checkins, int):
            checkins = dict.fromkeys(CHECKINS, checkins)
        for item, score in (ratings or {}).items():
            self.rows.append(head + ["guideline", item, score, "", "", ""])
        for item, score in (checkins or {}).items():
            self.rows.append(head + ["checkin", item, score, "", "", ""])
        for vignette, option in (choices or {}).items():
            self.rows.append(head + ["choice", vignette, "", option, 1, option])
        return self

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=COLUMNS)

    def data(self) -> ClassData:
        return ClassData(validate_frame(self.frame()), False, "hand-built class")


def trainee(i: int) -> str:
    return f"trainee-token-{i:04d}-xyz"


def partner_class(scores: list[int], session: int = 1, builder=None) -> ClassBuilder:
    """One client-role reflection per trainee with the same rating on every guideline."""
    builder = builder or ClassBuilder()
    for i, score in enumerate(scores):
        builder.reflection(trainee(i), session, "client", ratings=score)
    return builder


# ----------------------------------------------------------------------------- loading


def test_default_is_the_embedded_synthetic_sample():
    data = load_class()
    assert data.is_synthetic
    assert data.source_label == "embedded synthetic sample"
    assert data.n_trainees == 30
    assert "Synthetic sample class, not real trainees" in repr(data)
    assert "/" not in repr(data)


def test_a_smaller_class_keeps_its_label_and_loses_trainees():
    small = load_class().smaller(7)
    assert small.n_trainees == 7 and small.is_synthetic
    assert small.source_label == "embedded synthetic sample, only 7 of its trainees"
    assert profile_table(small).table["status"].isin([COARSE, HIDDEN, SHOWN]).all()
    assert len(set(profile_table(small).table["band"])) == 3


def test_the_small_class_demonstration_always_uses_the_sample(tmp_path, monkeypatch):
    path = tmp_path / "class.csv"
    write_class_csv(partner_class([7] * 12).frame(), path)
    monkeypatch.setenv("ALLIANCE_CLASS_DATA", str(path))
    assert load_class().n_trainees == 12
    assert sample_class().n_trainees == 30 and sample_class().is_synthetic


def test_a_real_class_cannot_be_cut_down_for_comparison():
    with pytest.raises(ClassDataError, match="works only on the synthetic sample"):
        partner_class([7] * 12).data().smaller(11)


def test_env_setting_and_explicit_path_load_a_class_csv(tmp_path, monkeypatch):
    path = tmp_path / "fall" / "class.csv"
    write_class_csv(partner_class([7] * 6).frame(), path)
    monkeypatch.setenv("ALLIANCE_CLASS_DATA", str(path))
    from_env = load_class()
    assert (from_env.n_trainees, from_env.is_synthetic) == (6, False)
    assert from_env.source_label == "class.csv"
    assert str(tmp_path) not in repr(from_env)
    assert load_class(str(path)).n_trainees == 6


def test_the_spreadsheet_safety_quote_is_undone_on_reading(tmp_path):
    frame = partner_class([7] * 6).frame()
    frame["cohort"] = "'-SYNTHETIC"
    frame.loc[frame["pseudonym"] == trainee(0), "pseudonym"] = "'-leading-dash-token"
    data = load_class(_write(tmp_path, frame))
    assert set(data.frame["cohort"]) == {"-SYNTHETIC"}
    assert "-leading-dash-token" in set(data.frame["pseudonym"])
    assert data.n_trainees == 6


def test_missing_source_says_what_to_set(tmp_path):
    with pytest.raises(ClassDataError, match="no such file or folder. Set CLASS_DATA"):
        load_class(tmp_path / "nope.csv")


def _write(tmp_path, frame: pd.DataFrame) -> str:
    path = tmp_path / "class.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_bad_score_names_column_row_and_value(tmp_path):
    frame = partner_class([7] * 6).frame().astype(str)
    frame.loc[10, "score"] = "abc"
    with pytest.raises(ClassDataError) as error:
        load_class(_write(tmp_path, frame))
    assert str(error.value) == "class.csv: column 'score' row 12: 'abc' is not a number 0–10"


def test_score_out_of_range_is_refused(tmp_path):
    frame = partner_class([7] * 6).frame()
    frame.loc[0, "score"] = 11
    with pytest.raises(ClassDataError, match="row 2: '11' is not a number 0–10"):
        load_class(_write(tmp_path, frame))


def test_missing_columns_are_named(tmp_path):
    frame = partner_class([7] * 6).frame().drop(columns=["score", "attempts"])
    with pytest.raises(ClassDataError, match="missing column\\(s\\) 'score', 'attempts'"):
        load_class(_write(tmp_path, frame))


def test_unknown_measure_and_item_are_refused(tmp_path):
    frame = partner_class([7] * 6).frame()
    frame.loc[3, "measure"] = "mood"
    with pytest.raises(ClassDataError, match="column 'measure' row 5: 'mood' is not one of"):
        load_class(_write(tmp_path, frame))
    frame = partner_class([7] * 6).frame()
    frame.loc[1, "item"] = "warmth"
    with pytest.raises(ClassDataError, match="'warmth' is not a guideline"):
        load_class(_write(tmp_path, frame))


def test_a_class_table_written_before_first_choices_were_shared_still_loads(tmp_path):
    frame = ClassBuilder().reflection(trainee(1), 1, "client", ratings=7).frame()
    path = tmp_path / "class.csv"
    frame.drop(columns="first_option").to_csv(path, index=False)
    assert load_class(path).n_trainees == 1


def test_empty_and_header_only_files_are_refused(tmp_path):
    path = tmp_path / "class.csv"
    path.write_text("")
    with pytest.raises(ClassDataError, match="class.csv is empty"):
        load_class(path)
    path.write_text(",".join(COLUMNS) + "\n")
    with pytest.raises(ClassDataError, match="no ratings yet"):
        load_class(path)


def _submission(i: int, session: int, role: str) -> dict:
    return {
        "format": "alliance-reflection",
        "format_version": 1,
        "submission_id": f"{i * 10 + session:032x}",
        "pseudonym": trainee(i),
        "cohort": "FALL26",
        "week": "2026-W48",
        "session": session,
        "role": role,
        "ratings": {"safety": 7, "care": 8, "understanding": 6, "focus": 9},
        "checkins": {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 7},
        "choices": [{"vignette": "care-04", "option": "b", "attempts": 2}],
        "text": "something private the class must never see",
    }


def test_a_drop_folder_is_read_through_collect(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    for i in range(6):
        doc = _submission(i, 1, "client")
        (folder / f"2026-W48-{doc['submission_id']}.json").write_text(json.dumps(doc))
    data = load_class(folder)
    assert data.n_trainees == 6
    assert data.source_label == "drop folder 'drop'"
    assert not data.is_synthetic
    assert "text" not in data.frame.columns
    assert profile_table(data).n == 6


def test_an_empty_drop_folder_says_why(tmp_path):
    (tmp_path / "drop").mkdir()
    with pytest.raises(ClassDataError, match="holds no valid reflections yet"):
        load_class(tmp_path / "drop")


# ----------------------------------------------------------------------------- what the views show


def test_profile_table_counts_ratings_per_band():
    # 10 trainees: four rate 9, three rate 7, three rate 5 (on every guideline)
    data = partner_class([9] * 4 + [7] * 3 + [5] * 3).data()
    view = profile_table(data)
    safety = view.table[view.table["guideline"] == "safety"].set_index("band")
    assert list(safety.index) == [band for band, _, _ in FINE_BANDS]
    # every non-empty band has fewer than 5 trainees: all hidden, and the empty bands with
    # them: a "0 %" next to hidden cells would narrow down what those hold
    assert list(safety["status"]) == [HIDDEN] * 5
    assert "0 %" not in set(safety["label"])
    data = partner_class([9] * 5 + [7] * 5 + [5] * 5).data()
    safety = profile_table(data).table.query("guideline == 'safety'").set_index("band")
    assert safety.loc["9–10", "count"] == 5
    assert safety.loc["9–10", "share"] == pytest.approx(1 / 3)
    assert safety.loc["0–2", "share"] == 0
    assert safety.loc["7–8", "label"] == "33 %"
    stats = profile_table(data).stats.set_index("guideline")
    assert stats.loc["care", "median"] == 7
    assert (stats.loc["care", "q1"], stats.loc["care", "q3"]) == (5, 9)


def test_change_table_mean_and_t_interval():
    data = partner_class(list(range(10))).data()
    row = change_table(data).table.query("guideline == 'focus'").iloc[0]
    sd = np.std(np.arange(10), ddof=1)
    assert row["mean"] == pytest.approx(4.5)
    assert row["high"] - row["mean"] == pytest.approx(2.2622 * sd / math.sqrt(10), abs=1e-3)
    assert row["status"] == SHOWN


def test_self_partner_table_compares_class_averages():
    builder = ClassBuilder()
    for i in range(10):
        builder.reflection(trainee(i), 1, "counselor", ratings=8)
        builder.reflection(trainee(i), 1, "client", ratings=6)
    table = self_partner_table(builder.data()).table.set_index("guideline")
    assert table.loc["care", "difference"] == pytest.approx(2)
    assert not table.loc["care", "within_1"]


def test_checkins_compare_first_and_last_session():
    builder = ClassBuilder()
    for i in range(10):
        builder.reflection(trainee(i), 1, "client", checkins=3)
        builder.reflection(trainee(i), 2, "client", checkins=5)
        builder.reflection(trainee(i), 4, "client", checkins=8)
    table = checkins_table(builder.data()).table
    assert sorted(table["session"].unique()) == [1, 4]
    last = table.query("when == 'last' and checkin == 'ask_feedback'").iloc[0]
    assert last["mean"] == pytest.approx(8)


# ----------------------------------------------------------------------------- the privacy rules


def test_s1_four_trainees_are_hidden_five_are_shown():
    four = profile_table(partner_class([7, 8, 6, 9]).data())
    assert four.suppressed
    assert (four.table["status"] == HIDDEN).all()
    assert four.table["share"].isna().all() and four.table["count"].isna().all()
    assert [str(n) for n in four.notes] == [
        "Hidden: the class profile (4 trainees) — fewer than 5 trainees"
    ]
    five = profile_table(partner_class([7, 7, 7, 7, 7]).data())
    assert not five.suppressed
    assert five.stats.set_index("guideline").loc["safety", "median"] == 7


def test_s1_a_session_with_four_trainees_is_hidden_and_said_so():
    builder = partner_class([7] * 12, session=1)
    partner_class([8] * 4, session=2, builder=builder)
    view = change_table(builder.data())
    session2 = view.table[view.table["session"] == 2]
    assert (session2["status"] == HIDDEN).all() and session2["mean"].isna().all()
    assert "Hidden: session 2 (4 trainees) — fewer than 5 trainees" in [str(n) for n in view.notes]


def _choices(counts: dict[str, int], vignette: str = "focus-01") -> ClassData:
    builder = ClassBuilder()
    i = 0
    for option, count in counts.items():
        for _ in range(count):
            builder.reflection(trainee(i), 1, "counselor", choices={vignette: option})
            i += 1
    return builder.data()


def test_s2_complementary_suppression_in_vignette_choices():
    table = choices_table(_choices({"a": 10, "b": 6, "c": 3})).table.set_index("option")
    assert table.loc["c", "status"] == HIDDEN  # 3 trainees
    assert table.loc["b", "status"] == HIDDEN  # next-smallest, hidden too
    assert table.loc["a", "label"] == "53 %"
    assert table["trainees"].drop("a").isna().all()


def test_s2_no_hidden_cell_can_be_recovered_from_the_total():
    rng = np.random.default_rng(12)
    checked = 0
    for _ in range(1500):
        cells = int(rng.integers(2, 7))
        counts = pd.Series(rng.integers(0, 12, size=cells))
        hidden = suppress_breakdown(counts)
        if not hidden.any():
            continue
        checked += 1
        remainder = counts.sum() - counts[~hidden].sum()
        if hidden.all():
            continue
        assert hidden.sum() >= 2
        for index in counts.index[hidden]:
            assert counts[index] != remainder, (list(counts), list(hidden))
    assert checked > 500


def test_choices_use_each_trainees_latest_answer():
    builder = ClassBuilder()
    for i in range(6):
        builder.reflection(trainee(i), 1, "counselor", choices={"focus-01": "a"})
        builder.reflection(trainee(i), 2, "counselor", choices={"focus-01": "b"})
    table = choices_table(builder.data()).table.set_index("option")
    assert table.loc["b", "label"] == "80–100 %"
    assert table.loc["a", "label"] == "0–20 %"


def test_s3_everyone_choosing_one_option_in_a_group_of_six_is_coarsened():
    view = choices_table(_choices({"b": 6}))
    row = view.table.set_index("option").loc["b"]
    assert row["status"] == COARSE
    assert row["label"] == "80–100 %"
    assert math.isnan(row["share"]) and math.isnan(row["trainees"])
    assert "100 %" not in set(view.table["label"])
    assert any(n.action == "Coarsened" for n in view.notes)


def test_s5_fewer_than_ten_trainees_get_three_bands_and_medians():
    data = partner_class([2, 5, 5, 6, 8, 8, 9]).data()
    profile = profile_table(data)
    assert list(dict.fromkeys(profile.table["band"])) == [band for band, _, _ in COARSE_BANDS]
    assert "Coarsened: ratings (7 trainees) — fewer than 10 trainees, so 3 bands" in [
        str(n) for n in profile.notes
    ]
    change = change_table(data).table
    assert (change["status"] == COARSE).all()
    assert change["mean"].isna().all() and (change["median"] == 6).all()


def test_f1_no_pseudonym_or_text_reaches_any_view():
    builder = ClassBuilder()
    for i in range(12):
        builder.reflection(trainee(i), 1, "counselor", 7, 5, {"focus-01": "b"})
        builder.reflection(trainee(i), 1, "client", 6, 5)
    frame = builder.frame()
    frame["text"] = "I told my partner about my divorce (comment-marker-7f3a)"
    views = aggregate_all(frame)
    rendered = " ".join(
        view.table.to_string() + " ".join(map(str, view.notes)) for view in views.values()
    )
    assert "trainee-token" not in rendered
    assert "comment-marker-7f3a" not in rendered
    assert all("pseudonym" not in view.table.columns for view in views.values())


def test_aggregate_all_returns_every_view_from_a_plain_frame():
    views = aggregate_all(load_class().frame.astype(str))
    assert set(views) == {
        "skills",
        "first_choices",
        "profile",
        "change",
        "self_vs_partner",
        "choices",
        "checkins",
    }
    assert all(view.n == 30 for name, view in views.items() if name != "skills")
    # the sample's skills scores are shared by most trainees, not all: a choice, like in class
    assert 20 <= views["skills"].n < 30


def test_what_was_hidden_reads_plainly():
    report = repr(what_was_hidden(_choices({"a": 10, "b": 6, "c": 3})))
    assert (
        "[vignette choices] Hidden: “The divorce you also went through”, option c — fewer than "
        "5 trainees" in report
    )  # the vignette by the title trainees saw, not its id
    assert "option b — hidden too, so the smaller hidden count cannot be worked out" in report
