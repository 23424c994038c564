"""Practice a response in your own words, self-check it against a rubric, see examples.

The widget does not grade free text: it shows the rubric and the trainee ticks what they met.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import (
    COMPACT,
    DIFFICULTY_ORDER,
    LABEL_STYLE,
    Exercise,
    button,
    escape,
    full_width,
    rich,
    status,
    times,
)
from helpers.store import Answer

RATINGS = ("too easy", "good challenge", "too hard")
RATING_TIPS = (
    "This was too easy: suggest a harder practice",
    "This was a good challenge: suggest another at this level",
    "This was too hard: suggest an easier practice",
)


def next_practice(vignette: Any, bank: Any, rating: str) -> tuple[Any | None, str]:
    """The practice vignette to offer after a difficulty rating, and a sentence about it."""
    if bank is None:
        return None, "The course's vignettes are not loaded, so no next practice can be offered."
    step = {"too easy": 1, "good challenge": 0, "too hard": -1}[rating]
    direction = {1: "harder", 0: "at the same level", -1: "easier"}[step]
    explicit = {1: "harder", -1: "easier"}.get(step)
    if explicit and vignette.exercise.get(explicit):
        found = _get(bank, str(vignette.exercise[explicit]))
        if found is not None:
            return found, ""
    level = (
        DIFFICULTY_ORDER.index(vignette.difficulty)
        if vignette.difficulty in (DIFFICULTY_ORDER)
        else 0
    )
    target = level + step
    if not 0 <= target < len(DIFFICULTY_ORDER):
        edge = "hardest" if step > 0 else "easiest"
        return None, (
            f"This is already the {edge} level, so there is no {direction} practice to offer. "
            "Try the other exercises in this notebook, or write a second response here."
        )
    wanted = DIFFICULTY_ORDER[target]
    shared = set(vignette.guidelines)
    for vignette_id in bank.ids():
        if vignette_id == vignette.id:
            continue
        other = _get(bank, vignette_id)
        if (
            other is not None
            and other.exercise.get("kind") == "practice"
            and other.difficulty == wanted
            and shared & set(other.guidelines)
        ):
            return other, ""
    if step == 0:
        return None, (
            f"There is no other {wanted} practice vignette on this guideline yet. Try the other "
            "exercises in this notebook."
        )
    return None, (
        f"There is no {wanted} practice vignette on this guideline yet, so none {direction} "
        "can be offered. Try the other exercises in this notebook."
    )


def _get(bank: Any, vignette_id: str) -> Any | None:
    try:
        return bank.get(vignette_id)
    except Exception:  # a broken vignette is simply not offered
        return None


class PracticeExercise(Exercise):
    """Write a response, tick the rubric checks you met, compare with examples, rate difficulty."""

    kind = "practice"

    def build(self) -> list[widgets.Widget]:
        self.rubric_items = [str(item) for item in self.exercise["rubric"]]
        self.examples: list[dict[str, Any]] = list(self.exercise.get("examples", []))
        self.examples_seen = False
        self.prompt = widgets.HTML(
            f"<p><strong>Your task:</strong> {rich(self.exercise['prompt'])}</p>",
            layout=full_width(),
        )
        self.response = widgets.Textarea(
            value="",
            description="Your response:",
            placeholder="Write what you would say to the client, in your own words.",
            style=LABEL_STYLE,
            layout=widgets.Layout(width="100%", height="7em"),
        )
        self.check_button = button(
            "Check against the rubric",
            "Save your response and show the rubric to check it against",
            lambda _: self.check(),
            icon="list",
        )
        self.rubric = [
            widgets.Checkbox(
                value=False,
                description=f"I did this: {item}",
                indent=False,
                style=LABEL_STYLE,
                layout=dict(COMPACT),
            )
            for item in self.rubric_items
        ]
        for box in self.rubric:
            box.observe(self._on_tick, names="value")
        self.rubric_box = widgets.VBox(
            [
                widgets.HTML(
                    "<p><strong>Rubric — tick each check your response meets:</strong></p>"
                ),
                *self.rubric,
            ],
            layout=widgets.Layout(display="none"),
        )
        self.examples_button = button(
            "Show example responses",
            "Show example responses with notes on what they do",
            lambda _: self.show_examples(),
            icon="eye",
        )
        self.examples_html = widgets.HTML("", layout=full_width())
        self.difficulty = widgets.ToggleButtons(
            options=list(RATINGS),
            value=None,
            description="How hard was this?",
            tooltips=list(RATING_TIPS),
            style=LABEL_STYLE,
        )
        self.difficulty.observe(self._on_difficulty, names="value")
        self.next_step = widgets.HTML("", layout=full_width())
        return [
            self.prompt,
            self.response,
            self.check_button,
            self.feedback,
            self.rubric_box,
            self.examples_button,
            self.examples_html,
            self.difficulty,
            self.next_step,
        ]

    # -- actions -------------------------------------------------------------------------

    def check(self) -> None:
        """Save the response and open the rubric checklist."""
        if not self.response.value.strip():
            self.feedback.value = status(
                "<p>Write your own response in the box first, then check it against the rubric.</p>"
            )
            return
        self.rubric_box.layout.display = None
        self._save_state()
        self._show_tally()

    def tick(self, *met: int) -> None:
        """Tick rubric checks by position (0-based), as a trainee would by clicking them."""
        for index in met:
            self.rubric[index].value = True

    def show_examples(self) -> None:
        items = "".join(
            f"<li><p>{rich(e['text'])}</p>"
            f"<p><em>What it does:</em> {rich(e.get('note', ''))}</p></li>"
            for e in self.examples
        )
        self.examples_html.value = f"<p><strong>Example responses</strong></p><ol>{items}</ol>"
        if not self.examples_seen:
            self.examples_seen = True
            if not self._restoring:
                self._save_state()

    def _on_tick(self, _change: dict[str, Any]) -> None:
        if self._restoring:
            return
        self._save_state()
        self._show_tally()

    def _on_difficulty(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        self._show_next(change["new"])
        if not self._restoring:
            self._save_state()

    # -- showing and saving --------------------------------------------------------------

    def ticks(self) -> list[bool]:
        return [box.value for box in self.rubric]

    def _show_tally(self) -> None:
        met = sum(self.ticks())
        self.feedback.value = status(
            f"<p>Your response is saved. You ticked {met} of {len(self.rubric)} rubric checks. "
            "Compare with the example responses, then try a second version if you like.</p>"
        )

    def _show_next(self, rating: str) -> None:
        found, why = next_practice(self.vignette, self.bank, rating)
        if found is None:
            self.next_step.value = status(f"<p>{escape(why)}</p>")
            return
        self.next_step.value = status(
            f"<p><strong>Next:</strong> <code>show_vignette('{escape(found.id)}')</code> — "
            f"{escape(found.title)} ({escape(found.difficulty)}). Copy this line into a new cell "
            "to try it.</p>"
        )

    def _save_state(self) -> None:
        self.save(
            {
                "response": self.response.value,
                "rubric": self.ticks(),
                "difficulty": self.difficulty.value,
                "examples_seen": self.examples_seen,
            }
        )

    def restore(self, previous: list[Answer]) -> None:
        saved = previous[-1].answer
        self.response.value = str(saved.get("response", ""))
        ticks = saved.get("rubric", [])
        for box, met in zip(self.rubric, ticks, strict=False):
            box.value = bool(met)
        if self.response.value.strip():
            self.rubric_box.layout.display = None
            self._show_tally()
        if saved.get("examples_seen"):
            self.show_examples()
        if saved.get("difficulty") in RATINGS:
            self.difficulty.value = saved["difficulty"]
        self.restored(f"You answered this before (saved {times(len(previous))}).")
