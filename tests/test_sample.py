"""``alliance sample``: the synthetic class behaves like a class worth discussing."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

from helpers.cli import main
from helpers.collect import CLASS_COLUMNS
from helpers.paths import data_path
from helpers.sample import COLUMNS, choose_vignettes, generate_class, write_class_csv


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return generate_class(seed=2026, students=30, sessions=6)


def _ratings(frame: pd.DataFrame) -> pd.DataFrame:
    rated = frame[frame["measure"] == "guideline"]
    return rated.assign(score=rated["score"].astype(int))


def test_columns_cohort_and_pseudonyms_are_clearly_synthetic(sample):
    assert list(sample.columns) == list(COLUMNS)
    # collect's column list, but the trainee label: each invented pseudonym is one trainee
    assert list(COLUMNS) == [c for c in CLASS_COLUMNS if c != "trainee"]
    assert set(sample["cohort"]) == {"SYNTHETIC"}
    assert sample["pseudonym"].str.match(r"^synthetic-[0-9a-f]{12}$").all()
    assert sample["pseudonym"].nunique() == 30
    assert sample["submission_id"].str.fullmatch(r"[0-9a-f]{32}").all()


def test_same_seed_same_class_other_seed_other_class(sample):
    pd.testing.assert_frame_equal(sample, generate_class(seed=2026, students=30, sessions=6))
    assert not sample.equals(generate_class(seed=2027, students=30, sessions=6))


def test_counselors_rate_themselves_above_their_partners(sample):
    means = _ratings(sample).groupby("role")["score"].mean()
    assert means["counselor"] - means["client"] > 0.4


@pytest.mark.parametrize("seed", [2026, 5])
def test_growth_differs_by_guideline_focus_fastest_understanding_slowest(seed):
    partner = _ratings(generate_class(seed=seed)).query("role == 'client'")
    means = partner.pivot_table(index="session", columns="item", values="score")
    # growth from the first session to the last along a straight-line fit
    growth = {g: np.polyfit(means.index, means[g], 1)[0] * 5 for g in means.columns}
    assert max(growth, key=growth.get) == "focus"
    assert min(growth, key=growth.get) == "understanding"
    assert growth["focus"] - growth["understanding"] > 1.2


def test_about_one_session_in_ten_is_missed(sample):
    attended = sample.groupby("pseudonym")["session"].nunique()
    missed = 1 - attended.sum() / (30 * 6)
    assert 0.03 < missed < 0.2


def test_checkins_grow_across_sessions(sample):
    checkins = sample[sample["measure"] == "checkin"]
    means = checkins.assign(score=checkins["score"].astype(int)).groupby("session")["score"].mean()
    assert means[6] - means[1] > 1.5


def test_choices_use_the_banks_choose_vignettes_and_best_is_most_chosen(sample):
    choices = sample[sample["measure"] == "choice"]
    bank = choose_vignettes()
    assert set(choices["item"]) <= set(bank)
    assert choices["item"].nunique() >= 2  # real vignettes from the bank, not made-up ids
    for vignette, rows in choices.groupby("item"):
        best = bank[vignette].best
        assert rows["option"].value_counts().idxmax() == best
        attempts = rows["attempts"].astype(int)
        assert attempts.between(1, 3).all()
        # a trainee who stopped on another option made one attempt; retries end on the best
        assert (attempts[rows["option"] != best] == 1).all()
        assert (attempts > 1).any()
    # each trainee present answers each vignette once
    assert not choices.duplicated(["pseudonym", "item"]).any()


def test_too_small_a_class_is_refused_with_a_reason(tmp_path, capsys):
    code = main(["sample", "--students", "1", "-o", str(tmp_path / "class.csv")])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "alliance sample: a synthetic class needs at least 2 students (they practice in pairs)\n"
    )
    assert captured.out == ""
    assert not (tmp_path / "class.csv").exists()


def test_written_class_is_formula_safe_and_shuffled_like_collect(tmp_path):
    frame = generate_class(seed=3, students=4, sessions=1, cohort="=1+1")
    path = tmp_path / "class.csv"
    write_class_csv(frame, path, seed=3)
    with open(path, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == list(COLUMNS)
    assert {row[2] for row in rows} == {"'=1+1"}  # rule C1, as collect writes it
    assert '"\'=1+1"' in path.read_text(encoding="utf-8")  # every cell quoted
    assert sorted(rows) == sorted(
        [str(v) if v != "" else "" for v in row]
        for row in frame.assign(cohort="'=1+1").itertuples(index=False)
    )
    assert [row[0] for row in rows] != list(frame["submission_id"])  # reshuffled
    write_class_csv(frame, tmp_path / "again.csv", seed=3)
    assert (tmp_path / "again.csv").read_bytes() == path.read_bytes()


def test_a_failed_write_keeps_the_old_class_table(tmp_path):
    frame = generate_class(seed=3, students=4, sessions=1)
    path = tmp_path / "class.csv"
    path.write_text("old table\n", encoding="utf-8")
    broken = frame.astype({"session": object})
    broken.loc[len(broken) // 2, "session"] = "not a number"
    with pytest.raises(ValueError):
        write_class_csv(broken, path)
    assert path.read_text(encoding="utf-8") == "old table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["class.csv"]


def test_committed_sample_equals_a_fresh_generation(tmp_path):
    meta = json.loads(data_path("sample", "sample.json").read_text())
    out = tmp_path / "class.csv"
    args = ["sample", "--seed", str(meta["seed"]), "--students", str(meta["students"])]
    args += ["--sessions", str(meta["sessions"]), "--cohort", meta["cohort"], "-o", str(out)]
    assert main(args) == 0
    assert out.read_bytes() == data_path("sample", "class.csv").read_bytes(), (
        "data/sample/class.csv is out of date: regenerate it with the command in "
        "data/sample/README.md"
    )
    assert json.loads((tmp_path / "sample.json").read_text()) == meta
