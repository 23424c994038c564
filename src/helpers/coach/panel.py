"""The coach's reading next to the rubric in a practice exercise, and the trainee's correction.

After "Check", the panel shows the labels the coach sees in the trainee's reply, with the
trigger words highlighted and what each means for the alliance — a practice aid, never a grade.
"The coach got this wrong" lets the trainee tick the labels they think fit; the correction is
saved in their private store (table ``coach_corrections``) and nowhere else.
"""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets

from helpers.coach.corpus import LABELS
from helpers.coach.corrections import save_correction
from helpers.coach.feedback import meanings
from helpers.exercises.base import (
    button,
    escape,
    html_widget,
    label_style,
    status,
)

NOT_A_GRADE = (
    "<p><em>A practice aid, not a grade.</em> The coach names kinds of response it sees in "
    "your words; none is wrong everywhere, and it can misread you.</p>"
)
GETTING_READY = (
    "<p>The coach is getting ready (the first time on this computer takes up to a minute). "
    "Its reading will appear here by itself; the rubric below works already.</p>"
)

_warm_up: threading.Thread | None = None
_lock = threading.Lock()


def warm_up() -> threading.Thread:
    """Load (or, the first time, train) the coach in the background, once per kernel."""
    global _warm_up
    with _lock:
        if _warm_up is None:
            from helpers.coach.model import get_model

            _warm_up = threading.Thread(target=_quietly(get_model), daemon=True)
            _warm_up.start()
        return _warm_up


def _quietly(fn):
    def run() -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 - the panel reports a failure when it is used
            pass

    return run


def highlighted(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The reply as HTML with each cue marked (overlapping cues merge into one mark)."""
    marks: list[list[Any]] = []
    for start, end, label in sorted(spans):
        if marks and start < marks[-1][1]:
            marks[-1][1] = max(marks[-1][1], end)
            marks[-1][2].add(label)
        else:
            marks.append([start, end, {label}])
    names = meanings()["labels"]
    out, at = [], 0
    for start, end, labels in marks:
        title = ", ".join(names[label]["name"] for label in LABELS if label in labels)
        out.append(escape(text[at:start]))
        out.append(f'<mark title="{escape(title)}">{escape(text[start:end])}</mark>')
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def reading_html(reading: Any) -> str:
    """The coach's reading as HTML: the marked reply, then each label with its cue words,
    its meaning and its place in the alliance."""
    names = meanings()["labels"]
    items = []
    for label in reading.labels:
        info = names[label]
        cues = ", ".join(f"“{escape(c)}”" for c in reading.cues.get(label, []))
        items.append(
            f"<li><strong>{escape(info['name'])}</strong> ({escape(info['leaning'])})"
            + (f" — cue words: {cues}" if cues else "")
            + f"<br>{escape(info['meaning'])}<br><small>Guidelines: "
            f"{escape(', '.join(info['guidelines']))}; alliance: "
            f"{escape(', '.join(info['dimensions']))}.</small></li>"
        )
    return (
        "<p><strong>What the response coach read in your reply</strong></p>"
        f"<blockquote>{highlighted(reading.text, reading.spans)}</blockquote>"
        f"<ul>{''.join(items)}</ul>{NOT_A_GRADE}"
    )


class CoachPanel:
    """The coach's part of a practice exercise: hidden until the trainee checks a reply."""

    def __init__(self, vignette_id: str, store: Any) -> None:
        self.vignette_id = vignette_id
        self.store = store
        self.reading: Any = None
        self.on_reading: Any = None  # called with each new reading
        self.text = ""
        self.html = html_widget("", wide=True)
        self.wrong_button = button(
            "The coach got this wrong",
            "Tick the kinds of response you think your reply has; saved privately",
            lambda _: self.start_correction(),
            icon="flag",
        )
        # The correction's check boxes are made when first asked for: a notebook of many
        # practices opens faster.
        self._boxes: list[widgets.Checkbox] | None = None
        self.correction_status = html_widget("", wide=True)
        self.correction_box = widgets.VBox([], layout=widgets.Layout(display="none"))
        self.wrong_button.layout.display = "none"
        # overflow visible: a box that scrolls by a pixel becomes a stop of its own for Tab
        self.widget = widgets.VBox(
            [self.html, self.wrong_button, self.correction_box, self.correction_status],
            layout=widgets.Layout(width="100%", overflow="visible"),
        )

    @property
    def boxes(self) -> list[widgets.Checkbox]:
        """One check box per kind of response, made (with the box around them) on first use."""
        if self._boxes is None:
            self._boxes = [
                widgets.Checkbox(
                    value=False,
                    description=meanings()["labels"][label]["name"],
                    indent=False,
                    style=label_style(widgets.Checkbox),
                )
                for label in LABELS
            ]
            self.save_button = button(
                "Save my correction",
                "Save the kinds of response you ticked, in your private store only",
                lambda _: self.save_correction(),
                icon="save",
            )
            self.correction_box.children = [
                html_widget(
                    "<p>Tick the kinds of response you think your reply has. Your correction "
                    "stays in your private store on this computer.</p>"
                ),
                widgets.GridBox(
                    self._boxes,
                    layout=widgets.Layout(grid_template_columns="repeat(auto-fill, 12em)"),
                ),
                self.save_button,
            ]
        return self._boxes

    @staticmethod
    def warm_up() -> None:
        warm_up()

    def show(self, text: str) -> None:
        """Read ``text`` and show the reading (later, by itself, if the coach is not ready)."""
        self.text = text
        self.correction_box.layout.display = "none"
        self.correction_status.value = ""
        thread = warm_up()
        if thread.is_alive():
            self.html.value = status(GETTING_READY)
            self.wrong_button.layout.display = "none"
            threading.Thread(target=self._show_when_ready, args=(thread, text), daemon=True).start()
            return
        self._render(text)

    def _show_when_ready(self, thread: threading.Thread, text: str) -> None:
        thread.join()
        if text == self.text:
            self._render(text)

    def _render(self, text: str) -> None:
        try:
            from helpers.coach.model import read

            self.reading = read(text)
        except Exception:  # noqa: BLE001 - a coach failure must never break the exercise
            self.reading = None
            self.html.value = status(
                "<p>The response coach could not read this reply just now. Your response is "
                "saved and the rubric works as before; run the cell again to retry the coach."
                "</p>"
            )
            self.wrong_button.layout.display = "none"
            return
        self.html.value = status(reading_html(self.reading))
        self.wrong_button.layout.display = None
        if self.on_reading is not None:
            self.on_reading(self.reading)

    def start_correction(self) -> None:
        if self.reading is None:
            return
        for label, box in zip(LABELS, self.boxes, strict=True):
            box.value = label in self.reading.labels
        self.correction_box.layout.display = None

    def save_correction(self) -> None:
        chosen = [label for label, box in zip(LABELS, self.boxes, strict=True) if box.value]
        if not chosen:
            self.correction_status.value = status(
                "<p>Tick at least one kind of response, then save.</p>"
            )
            return
        if self.store is None or self.reading is None:
            self.correction_status.value = status(
                "<p>Your correction could not be saved: this exercise has no private store "
                "open. Run the cell again, then save it.</p>"
            )
            return
        try:
            save_correction(self.store, self.vignette_id, self.text, self.reading.labels, chosen)
        except Exception:  # noqa: BLE001 - say what to do, keep the ticks on screen
            self.correction_status.value = status(
                "<p>Your correction could not be saved just now; your ticks are still here. "
                "Try “Save my correction” again in a moment.</p>"
            )
            return
        self.correction_status.value = status(
            "<p>Saved in your private store. Thank you: it stays on this computer unless you "
            "choose to share it.</p>"
        )
