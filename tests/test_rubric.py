"""The instructor's rubric scores: entered by submission label, kept in the instructor's private
folder, and shown in the skills chart under the same rules as the coach's scores."""

from __future__ import annotations

import re
import stat

import pandas as pd
import pytest

from helpers.charts import make_chart
from helpers.classview import ClassData, validate_frame
from helpers.rubric import RubricForm, load_scores, rubric_form, rubric_path, snapshots
from tests.test_growth import row


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "instructor"))
    monkeypatch.delenv("ALLIANCE_CLASS_DATA", raising=False)


def skills_class(students: int, before: int = 10, after: int = 14) -> ClassData:
    rows = []
    for i in range(students):
        rows.append(row(f"t{i}", 1, "skills", "before", score=before, option="A"))
        rows.append(row(f"t{i}", 3, "skills", "after", score=after, option="B"))
    return ClassData(validate_frame(pd.DataFrame(rows)), False, "class.csv")


def enter(form: RubricForm, before: int, after: int, only: int | None = None) -> None:
    """Type scores into the form, as the instructor would, then press Save."""
    table = snapshots(form.data)
    for k, (_, snapshot) in enumerate(table.iterrows()):
        if only is not None and k >= only:
            break
        form.boxes[snapshot["before"]].value = before
        form.boxes[snapshot["after"]].value = after
    form.save.click()


def test_the_form_labels_snapshots_by_submission_id_never_by_pseudonym_and_saves_privately():
    data = skills_class(6)
    form = rubric_form(data)
    assert isinstance(form, RubricForm)
    shown = " ".join(child.value for box in form.children[1:-2] for child in box.children[:1])
    assert not [p for p in data.frame["pseudonym"].astype(str) if p in shown]
    labels = re.findall(r"<code>(\w+)</code>", shown)
    assert len(labels) == 6 and all(
        any(str(sid).startswith(label) for sid in data.frame["submission_id"]) for label in labels
    )
    enter(form, 12, 20)
    assert "Saved 12 scores in" in form.status.value
    path = rubric_path(data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(load_scores(data)) == 12
    again = rubric_form(data)  # the boxes come back filled
    assert sorted({box.value for box in again.boxes.values()}) == [12, 20]


def test_the_skills_chart_shows_the_rubric_once_every_trainee_in_it_has_one():
    data = skills_class(6)
    enter(rubric_form(data), 12, 20, only=5)
    chart = make_chart("skills", skills_class(6))
    assert list(chart.view.table["stage"]) == ["before", "after"]
    assert any("shown once every trainee in the chart has one" in n for n in chart.note_lines())

    enter(rubric_form(data), 12, 20)
    chart = make_chart("skills", skills_class(6))
    table = chart.view.table.set_index("stage")
    assert table.loc["rubric before", "median"] == 12 and table.loc["rubric after", "median"] == 20
    assert table.loc["rubric after", "status"] == table.loc["after", "status"] == "coarse"
    assert "Your own rubric scores of the same trainees went from 12 to 20." in chart.summary
    ticks = [t.get_text() for t in chart.figure.draw().axes[0].get_yticklabels()]
    assert ticks == [
        "before the course",
        "after the course",
        "your rubric, before",
        "your rubric, after",
    ]


def test_the_rubric_is_hidden_with_the_chart_below_five_trainees():
    data = skills_class(4)
    enter(rubric_form(data), 12, 20)
    chart = make_chart("skills", skills_class(4))
    assert chart.view.table.empty
    assert "12" not in chart.summary and "20" not in chart.summary


def test_the_synthetic_sample_gets_a_sentence_not_a_form():
    from helpers.classview import sample_class

    assert repr(rubric_form(sample_class())).startswith("The rubric form is for an instructor")


def test_a_damaged_rubric_file_reads_as_no_scores():
    data = skills_class(6)
    path = rubric_path(data)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert load_scores(data) == {}
    assert list(make_chart("skills", data).view.table["stage"]) == ["before", "after"]
