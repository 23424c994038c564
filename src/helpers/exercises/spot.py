"""Spot the rupture: mark each client line, then check the marks line by line.

Every client line starts "not yet marked"; a line left unmarked is reported as unmarked, never
as right. Ruptures are the client's moves (away from or against the counselor), so only client
lines can be marked; the counselor's lines are shown for context, with their feedback after the
check.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import (
    BAD,
    COMPACT,
    GOOD,
    SPEAKERS,
    Exercise,
    ExerciseProblem,
    button,
    escape,
    html_widget,
    label_style,
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
NOT_MARKED = "– not yet marked –"
# The drop-down's value for "not yet marked": a real first option (not None), so the control
# has a selected index and the arrow keys move from it as from any other option.
_BLANK = ""
UNMARKED = "?"


class SpotExercise(Exercise):
    """Each client line has a labelled drop-down: no rupture / withdrawal / confrontation."""

    kind = "spot"

    def build(self) -> list[widgets.Widget]:
        self.lines: list[dict[str, Any]] = list(self.exercise["transcript"])
        self.answers = [str(line.get("rupture", "none")) for line in self.lines]
        for number, (answer, line) in enumerate(
            zip(self.answers, self.lines, strict=True), start=1
        ):
            if answer not in MARKS:
                raise ExerciseProblem(
                    f"line {number} has rupture '{answer}'; use one of: {', '.join(MARKS)}"
                )
            if answer != "none" and line.get("speaker") != "client":
                raise ExerciseProblem(
                    f"line {number} is the counselor's but has rupture '{answer}'; only client "
                    "lines can show a rupture"
                )
        prompt = rich(self.exercise.get("prompt", "Mark each line that shows a rupture."))
        rows: list[widgets.Widget] = [
            html_widget(
                f"<p><strong>Your task:</strong> {prompt}</p><p>Only the client's lines can be "
                "marked: a rupture is the client moving away from or against you.</p>",
                wide=True,
            )
        ]
        # One drop-down per line; the counselor's lines have None (nothing to mark).
        self.marks: list[widgets.Dropdown | None] = []
        for number, line in enumerate(self.lines, start=1):
            speaker = SPEAKERS.get(str(line.get("speaker", "")), str(line.get("speaker", "")))
            rows.append(
                html_widget(
                    f"<p><strong>Line {number} — {escape(speaker)}:</strong> "
                    f"{rich(line['text'])}</p>",
                    wide=True,
                )
            )
            if line.get("speaker") != "client":
                self.marks.append(None)
                continue
            mark = widgets.Dropdown(
                options=[(NOT_MARKED, _BLANK)] + [(MARK_WORDS[m], m) for m in MARKS],
                value=_BLANK,
                description=f"Line {number} (client) shows:",
                style=label_style(widgets.Dropdown),
                layout=dict(COMPACT),
            )
            self.marks.append(mark)
            rows.append(mark)
        self.client_lines = [n for n, m in enumerate(self.marks) if m is not None]
        self.check_button = button(
            "Check my marks",
            "See, line by line, which marks are right and why",
            lambda _: self.check(),
            icon="check",
        )
        self.rationale = html_widget("", wide=True)
        return [*rows, self.check_button, self.feedback, self.rationale]

    @property
    def controls(self) -> list[widgets.Dropdown]:
        """The drop-downs of the client lines, in transcript order."""
        return [m for m in self.marks if m is not None]

    def mark(self, line_number: int, rupture: str | None) -> None:
        """Mark line ``line_number`` (1-based, as shown) as none, withdrawal or confrontation."""
        control = self.marks[line_number - 1]
        if control is None:
            raise ValueError(f"line {line_number} is the counselor's; only client lines are marked")
        control.value = rupture or _BLANK

    def _marked(self) -> list[str | None]:
        """Each line's mark; None for a counselor line or a client line not yet marked."""
        return [None if m is None else (m.value or None) for m in self.marks]

    def _score(self, marked: list[str | None]) -> int:
        return sum(marked[n] == self.answers[n] for n in self.client_lines)

    def check(self) -> None:
        marked = self._marked()
        right = self._score(marked)
        total = len(self.client_lines)
        self.save(
            {"marks": marked, "score": right, "total": total},
            correct=right == total,
        )
        self._show(marked)

    def _show(self, marked: list[str | None]) -> None:
        items = []
        unmarked = 0
        for number, (mine, truth, line) in enumerate(
            zip(marked, self.answers, self.lines, strict=True), start=1
        ):
            why = f" {rich(line['feedback'])}" if line.get("feedback") else ""
            if self.marks[number - 1] is None:
                text = f"<strong>Line {number} (counselor):</strong>"
            elif mine is None:
                unmarked += 1
                text = f"<strong>{escape(f'{UNMARKED} Line {number}: not yet marked')}</strong>."
                why = ""  # the answer waits until the line is marked
            elif mine == truth:
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
        right = self._score(marked)
        total = len(self.client_lines)
        left = (
            f" {unmarked} client {'line is' if unmarked == 1 else 'lines are'} not yet marked: "
            "mark them and check again."
            if unmarked
            else ""
        )
        self.feedback.value = status(
            f"<p><strong>{right} of {total} client lines right.</strong>{escape(left)}</p>"
            f"<ul style='list-style: none'>{''.join(items)}</ul>"
        )
        self.rationale.value = rationale_html(
            "What this transcript shows:", self.exercise.get("rationale", "")
        )

    def restore(self, previous: list[Answer]) -> None:
        saved = previous[-1].answer.get("marks", [])
        if len(saved) != len(self.marks) or any(m not in (*MARKS, None) for m in saved):
            return
        marked: list[str | None] = []
        for control, value in zip(self.marks, saved, strict=True):
            if control is None:
                marked.append(None)  # an older save may hold "none" for a counselor line
                continue
            control.value = value or _BLANK
            marked.append(value)
        self._show(marked)
        self.restored(f"You answered this before (attempt {len(previous)}).")
