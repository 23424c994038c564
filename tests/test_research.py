"""The research chart of notebook 01 shows exactly the cited figures in the data file."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib
import pytest
import yaml

matplotlib.use("Agg")

from helpers import research  # noqa: E402
from helpers.paths import data_path  # noqa: E402


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))


def _csv_rows() -> list[dict[str, str]]:
    with data_path("research", "alliance-effects.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _reference_keys() -> set[str]:
    keys: set[str] = set()
    for path in sorted(data_path("references").glob("*.yaml")):
        keys |= set(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return keys


def test_every_row_cites_a_reference_that_exists():
    rows = _csv_rows()
    assert rows, "the effects file has no rows"
    known = _reference_keys()
    for row in rows:
        assert row["citation"] in known, f"{row['id']}: no reference '{row['citation']}'"
        if row["doi"]:
            assert row["doi"].startswith("10."), f"{row['id']}: DOI should start with 10."


def test_chart_points_and_intervals_equal_the_csv_rows():
    from matplotlib.collections import LineCollection, PathCollection

    rows = _csv_rows()
    fig = research.effects_chart(research.load_effects())
    ax = fig.axes[0]
    # one dot per row, drawn top to bottom in file order
    dots = [
        (float(y), float(x))
        for coll in ax.collections
        if isinstance(coll, PathCollection)
        for x, y in coll.get_offsets()
    ]
    dots.sort(reverse=True)
    assert [x for _, x in dots] == pytest.approx([float(r["effect"]) for r in rows])
    # the row labels, top to bottom, are the file's labels with the sample size beside them
    ticks = [
        text
        for _, text in sorted(
            ((float(t.get_position()[1]), t.get_text()) for t in ax.get_yticklabels()),
            reverse=True,
        )
    ]
    assert [t.split("\n")[0] for t in ticks] == [r["label"] for r in rows]
    for text, row in zip(ticks, rows, strict=True):
        assert row["sample"] in text
    # one interval for each row that has one, with the file's ends
    intervals = sorted(
        (
            (float(seg[0][1]), float(min(seg[0][0], seg[1][0])), float(max(seg[0][0], seg[1][0])))
            for coll in ax.collections
            if isinstance(coll, LineCollection)
            for seg in coll.get_segments()
        ),
        reverse=True,
    )
    expected = [v for r in rows if r["ci_low"] for v in (float(r["ci_low"]), float(r["ci_high"]))]
    assert [v for _, lo, hi in intervals for v in (lo, hi)] == pytest.approx(expected)


def test_show_alliance_effects_gives_alt_text_and_a_one_sentence_summary():
    shown = research.show_alliance_effects()
    rows = _csv_rows()
    html = shown._repr_html_()
    assert "<figure" in html and 'alt="' in html and "<figcaption>" in html
    assert repr(shown) == shown.summary
    assert shown.summary.count(". ") == 0 and shown.summary.endswith(".")
    low = min(float(r["effect"]) for r in rows)
    assert f"{len(rows)} meta-analytic estimates" in shown.summary
    assert research._r(low) in shown.summary
    for row in rows:
        assert row["label"] in shown.alt


def test_a_bad_effects_file_gets_a_clear_message(tmp_path: Path):
    bad = tmp_path / "effects.csv"
    bad.write_text(
        "id,group,label,measure,effect,ci_low,ci_high,sample,citation,doi\n"
        "x,Alliance,X,r,high,,,1 study,bordin1979,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="row 2: 'effect' is 'high', which is not a number"):
        research.load_effects(bad)
    bad.write_text(
        "id,group,label,measure,effect,ci_low,ci_high,sample,citation,doi\n"
        "x,Alliance,X,r,0.2,0.1,,1 study,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="needs a citation key"):
        research.load_effects(bad)
