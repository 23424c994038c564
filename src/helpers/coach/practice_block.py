"""``coach_practice("reflection")``: a short block where the trainee writes a reply to a client
line and the coach says what it reads. Nothing typed here is saved anywhere."""

from __future__ import annotations

import json
from functools import cache

import ipywidgets as widgets

from helpers.paths import data_path


@cache
def _practice() -> dict:
    return json.loads(data_path("coach", "practice.json").read_text(encoding="utf-8"))


@cache
def _statements() -> dict[str, str]:
    path = data_path("coach", "statements.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {r["id"]: r["text"] for r in records}


def _box_class():
    from helpers.exercises.base import TextLine

    class CoachPracticeBox(TextLine, widgets.VBox):
        title = ""

        def __repr__(self) -> str:
            from helpers.exercises.base import RUN_HINT

            return f"Coach practice: {self.title}. {RUN_HINT}"

    return CoachPracticeBox


class CoachPractice:
    def __init__(self, target: str) -> None:
        from helpers.coach.panel import CoachPanel
        from helpers.exercises.base import button, escape, full_width, html_widget, label_style

        self.escape = escape
        self.target = target
        self.spec = _practice()[target]
        self.lines = [_statements()[i] for i in self.spec["statements"]]
        self.position = 0
        self.client = html_widget("", wide=True)
        self.response = widgets.Textarea(
            value="",
            description="Your reply:",
            placeholder="Write what you would say to the client.",
            style=label_style(widgets.Textarea),
            layout=widgets.Layout(width="100%", height="5em"),
        )
        self.coach = CoachPanel(f"coach-practice-{target}", None)
        self.coach.wrong_button.layout.visibility = "hidden"  # nothing here is saved
        self.response.observe(lambda _: self.coach.warm_up(), names="value")
        self.ask = button(
            "Ask the coach", "Show what the coach reads in your reply", lambda _: self.read()
        )
        self.other = button(
            "Another client line", "Show a different client line", lambda _: self.next_line()
        )
        self.verdict = html_widget("", wide=True)
        self.widget = _box_class()(
            [
                html_widget(
                    f"<p><strong>{escape(self.spec['title'])}</strong></p>"
                    f"<p>{escape(self.spec['task'])} Nothing you type here is saved.</p>"
                ),
                self.client,
                self.response,
                widgets.HBox([self.ask, self.other]),
                self.verdict,
                self.coach.widget,
            ],
            layout=full_width(),
        )
        self.widget.title = self.spec["title"]
        self.widget._practice = self
        self.coach.on_reading = self._verdict
        self._show_line()

    def _show_line(self) -> None:
        line = self.lines[self.position % len(self.lines)]
        self.client.value = f"<p><strong>The client says:</strong> “{self.escape(line)}”</p>"

    def next_line(self) -> None:
        self.position += 1
        self._show_line()
        self.response.value = ""
        self.verdict.value = ""
        self.coach.html.value = ""

    def read(self) -> None:
        from helpers.exercises.base import status

        text = self.response.value
        if not text.strip():
            self.verdict.value = status("<p>Write a reply in the box first.</p>")
            return
        self.verdict.value = ""
        self.coach.show(text)

    def _verdict(self, reading) -> None:
        from helpers.exercises.base import status

        key = "found" if self.target in reading.labels else "missing"
        self.verdict.value = status(f"<p>{self.escape(self.spec[key])}</p>")


def coach_practice(target: str = "reflection") -> widgets.Widget:
    """A coach practice block for ``"reflection"`` (notebook 04) or ``"self_focus"`` (05)."""
    if target not in _practice():
        from helpers.exercises.base import html_widget, status

        choices = ", ".join(f'"{t}"' for t in _practice())
        return html_widget(
            status(f"<p>There is no coach practice called “{target}”. Try one of {choices}.</p>")
        )
    return CoachPractice(target).widget
