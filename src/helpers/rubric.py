"""The instructor's own rubric scores for the skills snapshot (notebook 11, instructor only).

An instructor who has read or heard a trainee's replies (in supervision, say) may enter their own
score for a snapshot, 0-32 on the same rubric as the coach's (docs/skills.md). Scores are keyed
by the submission id of the reflection that carried the snapshot (the class table's
``submission_id``), never by name, and saved only in the instructor's private ALLIANCE_HOME.
The skills chart (``helpers.growth``) shows them beside the coach's scores under the same
rules, once every trainee in the chart has one at both stages.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from helpers.classview import ClassData

RUBRIC = "rubric"  # folder in the instructor's ALLIANCE_HOME: one file per class
STAGES = ("before", "after")
RUBRIC_MAX = 32
LABEL_LENGTH = 8  # characters of a submission id shown as a snapshot's label


def rubric_path(data: ClassData) -> Path:
    """The rubric scores of the class ``data`` comes from, in the private ALLIANCE_HOME."""
    from helpers.classview import release_log_path
    from helpers.paths import alliance_home

    return alliance_home() / RUBRIC / f"{release_log_path(data).stem}.json"


def load_scores(data: ClassData) -> dict[str, int]:
    """The instructor's saved scores for this class: submission id -> 0-32 (empty if none)."""
    try:
        path = rubric_path(data)
        saved = json.loads(path.read_text("utf-8")) if path.exists() else {}
        scores = saved.get("scores", {})
        return {
            str(key): int(value)
            for key, value in scores.items()
            if isinstance(value, int) and 0 <= value <= RUBRIC_MAX
        }
    except (OSError, ValueError, AttributeError):
        return {}


def save_scores(data: ClassData, scores: dict[str, int]) -> Path:
    """Save the scores (whole or not at all) in the instructor's private folder."""
    from helpers.files import private_folder, replace_atomically

    path = rubric_path(data)
    private_folder(path.parent, f"the {RUBRIC} folder in your private folder")
    body = {"scale": f"0-{RUBRIC_MAX}", "scores": dict(sorted(scores.items()))}
    replace_atomically(path, (json.dumps(body, indent=1) + "\n").encode("utf-8"))
    return path


def snapshots(data: ClassData) -> pd.DataFrame:
    """The class's shared skills snapshots: per trainee (the index), the submission id of each
    stage (empty where that stage was not shared) and a label, ordered by label."""
    frame = data.frame
    rows = frame.loc[frame["measure"] == "skills", ["trainee", "item", "submission_id"]]
    rows = rows.astype(str).drop_duplicates(["trainee", "item"], keep="last")
    wide = rows.pivot(index="trainee", columns="item", values="submission_id")
    wide = wide.reindex(columns=list(STAGES)).fillna("")
    wide["label"] = [
        (before or after)[:LABEL_LENGTH] for before, after in wide[list(STAGES)].values
    ]
    return wide.sort_values("label", kind="stable")


def rubric_scores(data: ClassData) -> pd.DataFrame:
    """Per trainee (the index) with a shared snapshot: the instructor's before and after
    scores (NaN where none was entered); empty when the instructor entered none."""
    scores = load_scores(data)
    if not scores:
        return pd.DataFrame(columns=list(STAGES), dtype=float)
    table = snapshots(data)
    return pd.DataFrame(
        {stage: table[stage].map(lambda sid: scores.get(sid, float("nan"))) for stage in STAGES},
        dtype=float,
    )


class RubricForm(widgets.VBox):
    """A score box per shared snapshot, labelled by its submission id, and a Save button."""

    def __init__(self, data: ClassData) -> None:
        self.data = data
        saved = load_scores(data)
        self.boxes: dict[str, widgets.BoundedIntText] = {}
        rows = []
        for _, row in snapshots(data).iterrows():
            cells = [widgets.HTML(f"<code>{html.escape(row['label'])}</code>")]
            for stage in STAGES:
                sid = row[stage]
                box = widgets.BoundedIntText(
                    value=saved.get(sid, 0),
                    min=0,
                    max=RUBRIC_MAX,
                    description=stage,
                    disabled=not sid,
                    tooltip=f"your rubric score {stage} the course, 0-{RUBRIC_MAX}",
                    layout=widgets.Layout(width="11em"),
                )
                if sid:
                    self.boxes[sid] = box
                cells.append(box)
            rows.append(widgets.HBox(cells))
        self.entered = {sid for sid in saved if sid in self.boxes}
        for sid, box in self.boxes.items():
            box.observe(lambda _change, sid=sid: self.entered.add(sid), names="value")
        self.save = widgets.Button(description="Save my rubric scores")
        self.save.on_click(self._save)
        self.status = widgets.HTML("")
        intro = widgets.HTML(
            "<p>Your own rubric score (0–32, the rubric in docs/skills.md) for each snapshot a "
            "trainee shared, labelled by the id of the reflection that carried it. Only the "
            "scores you change are saved, in your private folder; the skills chart above shows "
            "them next to the coach's scores once 5 trainees have both.</p>"
        )
        if not self.boxes:
            intro.value = "<p>No skills snapshots were shared in this class yet.</p>"
        super().__init__([intro, *rows, self.save, self.status])

    def _save(self, _button: object = None) -> None:
        scores = load_scores(self.data)
        scores.update({sid: int(self.boxes[sid].value) for sid in self.entered})
        try:
            path = save_scores(self.data, scores)
        except OSError as error:
            message = (
                f"Your scores could not be saved ({error.strerror or error}); they are still "
                "in the boxes: free some space or fix the folder, then press Save again."
            )
        else:
            message = f"Saved {len(self.entered)} scores in {path}."
        self.status.value = f"<p role='status'>{html.escape(message)}</p>"

    def __repr__(self) -> str:
        return "The instructor's rubric form (run this cell to see it)."


def rubric_form(data: ClassData | None = None) -> RubricForm | str:
    """The instructor's rubric form for a real class; for the synthetic sample, one line."""
    from helpers.classview import load_class

    data = data if data is not None else load_class()
    if data.is_synthetic:
        return _Line(
            "The rubric form is for an instructor with a real class: load the class in the "
            "first cell to enter your own scores."
        )
    return RubricForm(data)


class _Line(str):
    def __repr__(self) -> str:
        return str(self)
