"""The class charts: what each one plots, what it says, how it looks, and the handout.

Images are compared with tests/baseline_images/*.png (matplotlib's compare_images, with a
tolerance). After an intended change to a chart, regenerate the baselines and look at them:

    ALLIANCE_UPDATE_BASELINES=1 .venv/bin/python -m pytest tests/test_charts.py -k baseline
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.testing.compare import compare_images

from helpers.charts import CHARTS, class_report, make_chart, show_choices, show_profile
from helpers.charts.choices import choices_summary, draw_choices
from helpers.charts.profile import draw_profile, profile_summary
from helpers.charts.sessions import draw_change, draw_checkins, draw_self_vs_partner
from helpers.classview import (
    HIDDEN,
    SHOWN,
    ClassData,
    change_table,
    checkins_table,
    choices_table,
    load_class,
    profile_table,
    self_partner_table,
    validate_frame,
)
from helpers.classview.snapshots import SNAPSHOT_FILE, SnapshotError
from helpers.handout import HANDOUT_PDF, write_handout
from helpers.sample import ChooseVignette, generate_class
from tests.test_classview import ClassBuilder, partner_class, trainee

BASELINES = Path(__file__).parent / "baseline_images"
UPDATE = os.environ.get("ALLIANCE_UPDATE_BASELINES") == "1"
DEMO = ChooseVignette("demo-01", (("a", False), ("b", True), ("c", False)))


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ALLIANCE_CLASS_DATA", raising=False)


def small_class(students: int = 12, seed: int = 7) -> ClassData:
    """A fixed synthetic class that does not depend on the vignette bank."""
    frame = generate_class(seed=seed, students=students, sessions=3, vignettes=[DEMO])
    return ClassData(validate_frame(frame), True, "embedded synthetic sample")


def real_class(students: int) -> ClassData:
    """A non-synthetic class where every one of ``students`` trainees shared everything."""
    builder = ClassBuilder(cohort="FALL26")
    for i in range(students):
        builder.reflection(trainee(i), 1, "counselor", 7, 5, {"demo-01": "ab"[i % 2]})
        builder.reflection(trainee(i), 1, "client", 6, 5)
    return ClassData(validate_frame(builder.frame()), False, "class.csv")


def bars(ax) -> list:
    return [p for p in ax.patches if p.get_gid() is None and p.get_width() > 0]


# ----------------------------------------------------------------------------- what is plotted


def test_profile_bars_are_the_tables_shares():
    data = partner_class([9] * 5 + [7] * 6 + [5] * 5 + [3] * 2).data()
    view = profile_table(data)
    ax = draw_profile(view, data).axes[0]
    shown = view.table[(view.table["status"] == SHOWN) & (view.table["share"] > 0)]
    widths = sorted(round(p.get_width(), 6) for p in bars(ax))
    assert widths == sorted(round(s, 6) for s in shown["share"])
    # 3-4 (2 trainees) is hidden, so is 5-6 as its complement: one hatched block per guideline
    hidden = [p for p in ax.patches if p.get_gid() == "hidden"]
    assert len(hidden) == 4
    assert hidden[0].get_width() == pytest.approx(7 / 18)


def test_a_suppressed_profile_draws_no_data():
    data = partner_class([7, 8, 6, 9]).data()
    ax = draw_profile(profile_table(data), data).axes[0]
    assert bars(ax) == []
    assert [p.get_gid() for p in ax.patches] == ["hidden-placeholder"]
    assert any("fewer than 5 trainees" in t.get_text() for t in ax.texts)


def test_change_lines_are_the_session_means():
    data = small_class(students=30)
    view = change_table(data)
    (ax,) = draw_change(view, data).axes
    means = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    assert list(means) == [f"mean-{g}" for g in ("safety", "care", "understanding", "focus")]
    for k, guideline in enumerate(["safety", "care", "understanding", "focus"]):
        cells = view.table[view.table["guideline"] == guideline].sort_values("session")
        line = means[f"mean-{guideline}"]
        np.testing.assert_allclose(line.get_ydata(), cells["mean"].to_numpy())
        # each guideline has its own facet: sessions 1-3, then a gap, side by side
        np.testing.assert_allclose(line.get_xdata(), [4 * k, 4 * k + 1, 4 * k + 2])
    assert [t.get_text() for t in ax.texts] == ["safety", "care", "understanding", "focus"]


def test_self_vs_partner_lines_are_the_differences():
    builder = ClassBuilder()
    for session in (1, 2):
        for i in range(10):
            builder.reflection(trainee(i), session, "counselor", ratings=8)
            builder.reflection(trainee(i), session, "client", ratings=6 + session)
    data = builder.data()
    ax = draw_self_vs_partner(self_partner_table(data), data).axes[0]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [1, 0])  # line 0 is the zero line


def test_choices_mark_the_best_option_in_words_and_hide_small_cells():
    builder = ClassBuilder()
    for i, option in enumerate(["a"] * 10 + ["b"] * 6 + ["c"] * 3):
        builder.reflection(trainee(i), 1, "counselor", choices={"focus-01": option})
    data = builder.data()
    view = choices_table(data)
    ax = draw_choices(view, data).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["a", "c", "b  ✓ best"]  # in the order of the vignette file
    visible = [p.get_width() for p in ax.patches if p.get_hatch() is None]
    assert visible == [pytest.approx(10 / 19)]
    assert [t.get_text() for t in ax.texts].count(HIDDEN) == 2


def test_checkin_markers_sit_at_first_and_last_means():
    builder = ClassBuilder()
    for i in range(10):
        builder.reflection(trainee(i), 1, "client", checkins=3)
        builder.reflection(trainee(i), 3, "client", checkins=7)
    data = builder.data()
    ax = draw_checkins(checkins_table(data), data).axes[0]
    xs = sorted({round(float(line.get_xdata()[0]), 6) for line in ax.lines})
    assert xs == [3.0, 7.0]


# ----------------------------------------------------------------------------- what is said


def test_summaries_are_specific_sentences():
    data = partner_class([9] * 5 + [7] * 5 + [5] * 5).data()
    assert profile_summary(profile_table(data)) == (
        "Across 15 trainees, the median rating from the client's chair was safety 7, care 7, "
        "understanding 7, focus 7; safety ratings varied least (narrowest middle half)."
    )
    chart = make_chart("self_vs_partner", small_class(students=30))
    assert "not pairs, because the class table does not record who partnered whom" in (
        chart.summary
    )


def test_choices_summary_reports_the_best_response():
    builder = ClassBuilder()
    for i, option in enumerate(["b"] * 12 + ["a"] * 8):
        builder.reflection(trainee(i), 1, "counselor", choices={"demo-01": option})
    summary = choices_summary(choices_table(builder.data()))
    assert summary == (
        "The best response was the most common answer on 1 of 1 vignettes "
        "(20 trainees); share choosing the best response: demo-01 b 60 %."
    )


def test_every_view_says_synthetic_at_the_top_and_has_prompts():
    report = class_report(small_class())
    assert len(report.charts) == len(CHARTS) == 7
    for chart in report.charts:
        assert repr(chart).startswith("Synthetic sample class, not real trainees")
        assert chart._repr_html_().startswith("<p><strong>Synthetic sample class")
        assert 2 <= len(chart.prompts) <= 3
        assert 'alt="' in chart.figure._repr_html_()
    assert "<h3>Class profile on the four guidelines</h3>" in report._repr_html_()


def test_real_data_is_not_called_synthetic():
    chart = show_profile(real_class(12))
    assert "synthetic" not in repr(chart).lower()
    assert repr(chart).startswith("Class data from class.csv.")


def test_f1_no_pseudonym_or_free_text_in_any_chart_output():
    builder = ClassBuilder()
    for i in range(12):
        builder.reflection(trainee(i), 1, "counselor", 7, 5, {"focus-01": "b"})
        builder.reflection(trainee(i), 1, "client", 6, 5)
    frame = builder.frame()
    frame["text"] = "my supervisor Dr. Okafor"
    data = ClassData(validate_frame(frame), False, "class.csv")
    for name in CHARTS:
        chart = make_chart(name, data)
        said = repr(chart) + chart.alt + chart.summary + chart.view.table.to_string()
        assert "trainee-token" not in said and "Okafor" not in said


# ----------------------------------------------------------------------------- how it looks


BASELINE_CASES = [(name, 12) for name in CHARTS] + [("profile", 7), ("change", 7), ("choices", 7)]


@pytest.mark.parametrize(("name", "students"), BASELINE_CASES)
def test_chart_matches_its_baseline_image(name, students, tmp_path):
    """12 trainees: exact shares and CIs; 7 trainees: bands, ranges, medians, hidden cells."""
    chart = make_chart(name, small_class(students))
    stem = name if students == 12 else f"{name}-{students}-trainees"
    actual = tmp_path / f"{stem}.png"
    actual.write_bytes(chart.figure.png)
    expected = BASELINES / f"{stem}.png"
    if UPDATE:
        BASELINES.mkdir(exist_ok=True)
        expected.write_bytes(chart.figure.png)
    assert expected.exists(), f"no baseline: run with ALLIANCE_UPDATE_BASELINES=1 to create {stem}"
    assert compare_images(str(expected), str(actual), tol=3) is None


# ----------------------------------------------------------------------------- the handout


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_handout_has_a_title_page_and_a_page_and_png_per_chart(tmp_path):
    data = small_class()
    pdf = write_handout(data, tmp_path / "handout")
    assert pdf == tmp_path / "handout" / HANDOUT_PDF
    assert _pages(pdf) == 1 + len(CHARTS)
    assert sorted(p.name for p in pdf.parent.glob("*.png")) == [
        "01-skills.png",
        "02-first-choices.png",
        "03-profile.png",
        "04-change.png",
        "05-self-vs-partner.png",
        "06-choices.png",
        "07-checkins.png",
    ]
    record = json.loads((pdf.parent / SNAPSHOT_FILE).read_text())
    assert set(record) == {"n", "id"} and record["n"] == 12
    assert b"CreationDate" not in pdf.read_bytes()


def test_s4_a_handout_differing_by_one_to_four_trainees_is_refused(tmp_path):
    folder = tmp_path / "handout"
    first = write_handout(real_class(12), folder)
    before = first.read_bytes()
    with pytest.raises(SnapshotError) as error:
        write_handout(real_class(15), folder)
    assert str(error.value) == (
        "Not published: this class has 15 trainees and the handout already in 'handout' was "
        "made from 12, and comparing the two would reveal what those 3 trainees answered, so "
        "wait until the two differ by at least 5 trainees or keep the earlier handout."
    )
    assert first.read_bytes() == before  # nothing already published is lost
    write_handout(real_class(12), folder)  # the same snapshot again is fine
    write_handout(real_class(17), folder)  # five more trainees: a new snapshot
    assert json.loads((folder / SNAPSHOT_FILE).read_text())["n"] == 17


def test_s4_the_same_number_of_different_trainees_is_refused_too(tmp_path):
    folder = tmp_path / "handout"
    write_handout(real_class(12), folder)
    before = (folder / SNAPSHOT_FILE).read_bytes()
    thirteen = real_class(13).frame
    swapped = thirteen[thirteen["pseudonym"] != trainee(0)].reset_index(drop=True)
    with pytest.raises(SnapshotError) as error:
        write_handout(ClassData(validate_frame(swapped), False, "class.csv"), folder)
    assert str(error.value).startswith(
        "Not published: this class has 12 trainees, as many as the handout already in "
        "'handout' but not the same ones,"
    )
    assert (folder / SNAPSHOT_FILE).read_bytes() == before


def test_a_handout_that_fails_midway_keeps_the_old_snapshot(tmp_path, monkeypatch):
    from helpers import handout as handout_module

    folder = tmp_path / "handout"
    write_handout(real_class(12), folder)
    before = (folder / SNAPSHOT_FILE).read_bytes()
    real_replace = os.replace

    def failing_replace(source, target):
        if Path(target).name == SNAPSHOT_FILE:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(handout_module.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_handout(real_class(17), folder)
    assert (folder / SNAPSHOT_FILE).read_bytes() == before  # never half a snapshot
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_show_choices_accepts_a_class_csv_path(tmp_path):
    from helpers.sample import write_class_csv

    path = tmp_path / "class.csv"
    write_class_csv(generate_class(seed=5, students=10, sessions=1, vignettes=[DEMO]), path)
    chart = show_choices(str(path))
    assert chart.view.n == load_class(path).frame["pseudonym"].nunique()
    assert chart.view.table["vignette"].unique().tolist() == ["demo-01"]
    assert "Synthetic sample class" in chart.banner


def test_a_class_with_only_partner_ratings_in_one_session_still_reports_plainly():
    report = class_report(partner_class([7] * 12).data())
    summaries = {chart.name: chart.summary for chart in report.charts}
    assert summaries["choices"] == "No vignette choices were shared."
    assert summaries["checkins"] == "No check-ins were shared."
    assert summaries["change"].startswith("Change across sessions needs at least two sessions")
    assert summaries["profile"].startswith("Across 12 trainees")


# ----------------------------------------------------------------------------- layout


def drawn_texts(fig) -> list:
    """(text, box in pixels) for every non-empty text the figure really draws."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    drawn = []
    real_draw = Text.draw

    def recording_draw(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return real_draw(self, renderer)

    Text.draw = recording_draw
    try:
        canvas.draw()
    finally:
        Text.draw = real_draw
    renderer = canvas.get_renderer()
    return [(text, text.get_window_extent(renderer)) for text in drawn]


def layout_problems(fig) -> list[str]:
    """Texts that run off the figure, overlap one another, or sit on an axes not their own."""
    page = fig.bbox
    boxes = drawn_texts(fig)
    problems = []
    for text, box in boxes:
        name = repr(text.get_text())
        if (
            box.x0 < page.x0 - 1
            or box.y0 < page.y0 - 1
            or box.x1 > page.x1 + 1
            or (box.y1 > page.y1 + 1)
        ):
            problems.append(f"{name} runs off the figure")
        for ax in fig.axes:
            if text.axes is not ax and ax.bbox.padded(-1).overlaps(box.padded(-1)):
                problems.append(f"{name} overlaps another panel")
    for i, (text, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            if box.padded(-1).overlaps(other_box.padded(-1)):
                problems.append(f"{text.get_text()!r} overlaps {other.get_text()!r}")
    return problems


def layout_cases() -> dict[str, ClassData]:
    from helpers.classview import sample_class

    long_ids = ClassBuilder()
    for i in range(12):
        choice = {"rupture-repair-12": ["abcdefgh", "b2"][i % 2], "focus-01": "c"}
        long_ids.reflection(trainee(i), 1, "counselor", 10, 0, choice)
        long_ids.reflection(trainee(i), 1, "client", 0, 10)
        long_ids.reflection(trainee(i), 2, "client", 10, 0)
    sample = sample_class()
    return {
        "sample of 30": sample,
        "sample, 7 shared": sample.smaller(7),
        "sample, 3 shared": sample.smaller(3),
        "12 trainees": small_class(12),
        "long option ids, extreme ratings": long_ids.data(),
        "partner ratings only": partner_class([7] * 12).data(),
    }


@pytest.mark.parametrize("case", list(layout_cases()))
def test_no_chart_text_is_clipped_or_overlaps(case):
    """The charts have fixed margins: every label fits, whatever the class."""
    data = layout_cases()[case]
    for name in CHARTS:
        draw = CHARTS[name][0]
        problems = layout_problems(draw(make_chart(name, data).view, data))
        assert problems == [], f"{case}, {name}: {problems}"


def test_the_layout_check_finds_a_clipped_label():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.02)
    ax.set_xticks([])
    ax.set_yticks([0.5], ["a long guideline name"])
    ax.text(0.5, 0.5, "one")
    ax.text(0.5, 0.5, "two")
    assert layout_problems(fig) == [
        "'a long guideline name' runs off the figure",
        "'one' overlaps 'two'",
    ]


# ----------------------------------------------------------------------------- profile as a table


def test_profile_table_shows_the_charts_cells_with_the_same_hiding():
    from helpers.charts import show_profile_table

    data = partner_class([9] * 5 + [7] * 6 + [5] * 5 + [3] * 2).data()
    shown = show_profile_table(data)
    columns, rows = shown.rows()
    assert columns == ["0–2", "3–4", "5–6", "7–8", "9–10", "median"]
    # 3-4 (2 trainees) is hidden, and 5-6 with it so that it cannot be worked out from the
    # total; the empty 0-2 band is hidden too: never a "0 %" next to a hidden cell
    assert rows[0] == ("safety", [HIDDEN, HIDDEN, HIDDEN, "33 %", "28 %", "7"])
    html = shown._repr_html_()
    assert "<caption>Class profile: share of the partner ratings" in html
    assert "<th scope='row'>safety</th><td>hidden (n&lt;5)</td><td>hidden (n&lt;5)</td>" in html
    assert "0 %" not in html
    assert "Hidden: safety ratings, 3–4 — fewer than 5 trainees" in repr(shown)


def test_profile_table_of_seven_trainees_shows_ranges_and_of_three_says_hidden():
    from helpers.charts import show_profile_table
    from helpers.classview import sample_class

    seven = show_profile_table(sample_class().smaller(7))
    columns, rows = seven.rows()
    assert columns == ["0–3", "4–6", "7–10", "median"]
    texts = {text for _, cells in rows for text in cells[:-1]}
    assert texts <= {HIDDEN, "0–20 %", "20–40 %", "40–60 %", "60–80 %", "80–100 %"}
    assert HIDDEN in texts
    assert repr(seven).splitlines()[2].startswith("guideline     | 0–3")

    three = show_profile_table(sample_class().smaller(3))
    assert "<table" not in three._repr_html_()
    assert "The class profile is hidden: fewer than 5 trainees rated." in repr(three)


# ----------------------------------------------------------------------------- words


def test_every_chart_has_a_heading_and_two_or_three_prompts_in_its_data_file():
    from helpers.charts import chart_words

    words = chart_words()
    assert list(words) == list(CHARTS)  # the data file's order is the handout's order
    for name, entry in words.items():
        assert str(entry["heading"]).strip(), name
        assert 2 <= len(entry["prompts"]) <= 3, name
        assert all(str(p).strip().endswith("?") for p in entry["prompts"][:1]), name
