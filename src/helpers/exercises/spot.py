"""Spot the rupture: mark each transcript line, then check the marks line by line."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import (
    BAD,
    COMPACT,
    GOOD,
    LABEL_STYLE,
    SPEAKERS,
    Exercise,
    ExerciseProblem,
    button,
    escape,
    full_width,
    rationale_html,
    rich,
    status,
)
from helpers.store import Answer

MARKS = ("none", "withdrawal", "confrontation")
MARK_WORDS = {
    "none": "no rupture",
    "withdrawal": "withdrawal",
    "confrontation": "confrontation",
}


class SpotExercise(Exercise):
    """Each line has a labelled drop-down: no rupture / withdrawal / confrontation."""

    kind = "spot"

    def build(self) -> list[widgets.Widget]:
        self.lines: list[dict[str, Any]] = list(self.exercise["transcript"])
        self.answers = [str(line.get("rupture", "none")) for line in self.lines]
        for number, answer in enumerate(self.answers, start=1):
            if answer not in MARKS:
                raise ExerciseProblem(
                    f"line {number} has rupture '{answer}'; use one of: {', '.join(MARKS)}"
                )
        prompt = rich(self.exercise.get("prompt", "Mark each line that shows a rupture."))
        rows: list[widgets.Widget] = [
            widgets.HTML(f"<p><strong>Your task:</strong> {prompt}</p>", layout=full_width())
        ]
        self.marks: list[widgets.Dropdown] = []
        for number, line in enumerate(self.lines, start=1):
            speaker = SPEAKERS.get(str(line.get("speaker", "")), str(line.get("speaker", "")))
            rows.append(
                widgets.HTML(
                    f"<p><strong>Line {number} — {escape(speaker)}:</strong> "
                    f"{rich(line['text'])}</p>",
                    layout=full_width(),
                )
            )
            mark = widgets.Dropdown(
                options=[(MARK_WORDS[m], m) for m in MARKS],
                value="none",
                description=f"Line {number} ({speaker.lower()}) shows:",
                style=LABEL_STYLE,
                layout=dict(COMPACT),
            )
            self.marks.append(mark)
            rows.append(mark)
        self.check_button = button(
            "Check my marks",
            "See, line by line, which marks are right and why",
            lambda _: self.check(),
            icon="check",
        )
        self.rationale = widgets.HTML("", layout=full_width())
        return [*rows, self.check_button, self.feedback, self.rationale]

    def mark(self, line_number: int, rupture: str) -> None:
        """Mark line ``line_number`` (1-based, as shown) as none, withdrawal or confrontation."""
        self.marks[line_number - 1].value = rupture

    def check(self) -> None:
        marked = [m.value for m in self.marks]
        right = sum(a == b for a, b in zip(marked, self.answers, strict=True))
        self.save(
            {"marks": marked, "score": right, "total": len(self.answers)},
            correct=right == len(self.answers),
        )
        self._show(marked)

    def _show(self, marked: list[str]) -> None:
        items = []
        for number, (mine, truth, line) in enumerate(
            zip(marked, self.answers, self.lines, strict=True), start=1
        ):
            why = f" {rich(line['feedback'])}" if line.get("feedback") else ""
            if mine == truth:
                head = f"{GOOD} Line {number}: {MARK_WORDS[truth]}"
                text = f"<strong>{escape(head)}</strong> — right."
            else:
                truth_words = (
                    "this line shows no rupture"
                    if truth == "none"
                    else f"this is a {MARK_WORDS[truth]} rupture"
                )
                head = f"{BAD} Line {number}: you marked {MARK_WORDS[mine]}; {truth_words}"
                text = f"<strong>{escape(head)}</strong>."
            items.append(f"<li>{text}{why}</li>")
        right = sum(a == b for a, b in zip(marked, self.answers, strict=True))
        self.feedback.value = status(
            f"<p><strong>{right} of {len(self.answers)} lines right.</strong></p>"
            f"<ul style='list-style: none'>{''.join(items)}</ul>"
        )
        self.rationale.value = rationale_html(
            "What this transcript shows:", self.exercise.get("rationale", "")
        )

    def restore(self, previous: list[Answer]) -> None:
        marked = previous[-1].answer.get("marks", [])
        if len(marked) != len(self.marks) or any(m not in MARKS for m in marked):
            return
        for control, value in zip(self.marks, marked, strict=True):
            control.value = value
        self._show(list(marked))
        self.restored(f"You answered this before (attempt {len(previous)}).")
