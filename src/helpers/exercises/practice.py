"""Practice a response in your own words, self-check it against a rubric, see examples.

The widget does not grade free text: it shows the rubric and the trainee ticks what they met.
"""

from __future__ import annotations

import asyncio
from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import (
    COMPACT,
    DIFFICULTY_ORDER,
    Exercise,
    button,
    escape,
    full_width,
    html_widget,
    label_style,
    rich,
    status,
    times,
)
from helpers.store import Answer

RATINGS = ("too easy", "good challenge", "too hard")
NOT_RATED = ""  # the drop-down's first entry, "choose…"
RATING_CHOICES = [("choose…", NOT_RATED), *((rating, rating) for rating in RATINGS)]
DRAFT_DELAY = 1.0  # seconds after the last keystroke before the draft is saved
UNSAVED = '<span class="alliance-draft">Not saved yet: it is saved when you pause typing.</span>'
SAVED = '<span class="alliance-draft">✓ Saved in your private folder.</span>'


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
        self.prompt = html_widget(
            f"<p><strong>Your task:</strong> {rich(self.exercise['prompt'])}</p>",
            wide=True,
        )
        self.response = widgets.Textarea(
            value="",
            description="Your response:",
            placeholder="Write what you would say to the client, in your own words.",
            continuous_update=True,
            style=label_style(widgets.Textarea),
            layout=widgets.Layout(width="100%", height="7em"),
        )
        # Saved as the trainee types (a moment after they pause), so nothing typed is lost.
        self.draft_status = html_widget("", wide=True)
        self._draft_timer: asyncio.TimerHandle | None = None
        self.response.observe(self._on_typing, names="value")
        self.check_button = button(
            "Check against the rubric",
            "Save your response and show the rubric to check it against",
            lambda _: self.check(),
            icon="list",
        )
        # The checks are made when first shown: a notebook of many practices opens faster.
        self._rubric: list[widgets.Checkbox] | None = None
        self.rubric_box = widgets.VBox([], layout=widgets.Layout(display="none"))
        self.examples_button = button(
            "Show example responses",
            "Show example responses with notes on what they do",
            lambda _: self.show_examples(),
            icon="eye",
        )
        self.examples_html = html_widget("", wide=True)
        # A drop-down: the arrow keys move between its answers, as notebook 00 says.
        self.difficulty = widgets.Dropdown(
            options=RATING_CHOICES,
            value=NOT_RATED,
            description="How hard was this?",
            tooltip="Your answer suggests a next practice: harder, similar or easier",
            style=label_style(widgets.Dropdown),
            layout=dict(COMPACT),
        )
        self.difficulty.observe(self._on_difficulty, names="value")
        self.next_step = html_widget("", wide=True)
        self.next_vignette: Any = None
        self.try_next_button = button(
            "Try it here",
            "Show the suggested practice below this one",
            lambda _: self.try_next(),
            icon="arrow-down",
        )
        self.try_next_button.layout.display = "none"
        self.next_box = widgets.VBox([], layout=full_width())
        from helpers.coach.panel import CoachPanel  # loaded with the first practice shown

        self.coach = CoachPanel(self.vignette.id, self.store)
        return [
            self.prompt,
            self.response,
            self.draft_status,
            self.check_button,
            self.feedback,
            self.rubric_box,
            self.coach.widget,
            self.examples_button,
            self.examples_html,
            self.difficulty,
            self.next_step,
            self.try_next_button,
            self.next_box,
        ]

    @property
    def rubric(self) -> list[widgets.Checkbox]:
        """The rubric's check boxes, made (and put in the rubric box) on first use."""
        if self._rubric is None:
            self._rubric = [
                widgets.Checkbox(
                    value=False,
                    description=f"I did this: {item}",
                    indent=False,
                    style=label_style(widgets.Checkbox),
                    layout=widgets.Layout(width="auto"),  # the cell's width; long checks wrap
                )
                for item in self.rubric_items
            ]
            for box in self._rubric:
                box.observe(self._on_tick, names="value")
            self.rubric_box.children = [
                html_widget(
                    "<p><strong>Rubric — tick each check your response meets:</strong></p>"
                ),
                *self._rubric,
            ]
        return self._rubric

    def show_rubric(self) -> None:
        self.rubric  # noqa: B018 - made on first use
        self.rubric_box.layout.display = None

    # -- actions -------------------------------------------------------------------------

    def check(self) -> None:
        """Save the response and open the rubric checklist."""
        if not self.response.value.strip():
            self.feedback.value = status(
                "<p>Write your own response in the box first, then check it against the rubric.</p>"
            )
            return
        self.show_rubric()
        self._save_state()
        self._show_tally()
        self.coach.show(self.response.value)

    def try_next(self) -> None:
        """Show the suggested next practice right here, below this one."""
        if self.next_vignette is None:
            return
        from helpers.exercises import show_vignette

        shown = show_vignette(self.next_vignette.id, bank=self.bank, store=self.store)
        self.next_box.children = [shown]
        self.try_next_button.layout.display = "none"

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

    def _on_typing(self, _change: dict[str, Any]) -> None:
        if self._restoring:
            return
        self.draft_status.value = UNSAVED
        self.coach.warm_up()  # the coach loads while the trainee types
        if self._draft_timer is not None:
            self._draft_timer.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script or a test): save at once
            self.save_draft()
            return
        self._draft_timer = loop.call_later(DRAFT_DELAY, self.save_draft)

    def save_draft(self) -> None:
        """Save the response as it stands (the rubric ticks and rating with it); a blank box
        is not saved as an answer."""
        self._draft_timer = None
        if self.response.value.strip():
            self._save_state()
        else:
            self.draft_status.value = ""

    def _on_tick(self, _change: dict[str, Any]) -> None:
        if self._restoring:
            return
        self._save_state()
        self._show_tally()

    def _on_difficulty(self, change: dict[str, Any]) -> None:
        if change["new"] not in RATINGS:
            self.next_step.value = ""
            return
        self._show_next(change["new"])
        if not self._restoring:
            self._save_state()

    # -- showing and saving --------------------------------------------------------------

    def ticks(self) -> list[bool]:
        if self._rubric is None:
            return [False] * len(self.rubric_items)
        return [box.value for box in self._rubric]

    def _show_tally(self) -> None:
        met = sum(self.ticks())
        self.feedback.value = status(
            f"<p>Your response is saved. You ticked {met} of {len(self.rubric)} rubric checks. "
            "Compare with the example responses, then try a second version if you like.</p>"
        )

    def _show_next(self, rating: str) -> None:
        from helpers.course import exercise_link, notebook_label

        found, why = next_practice(self.vignette, self.bank, rating)
        self.next_vignette = found
        self.next_box.children = []
        if found is None:
            self.try_next_button.layout.display = "none"
            self.next_step.value = status(f"<p>{escape(why)}</p>")
            return
        link = exercise_link(found.id)
        where = ""
        if link and not link.startswith("#"):
            where = f" It is in {notebook_label(link.split('#')[0])}."
        go = f' <a href="{escape(link)}">Go to this exercise</a>.' if link else ""
        self.next_step.value = status(
            f"<p><strong>Next:</strong> {escape(found.title)} ({escape(found.difficulty)})."
            f"{escape(where)}{go} Or press <em>Try it here</em> to do it below.</p>"
        )
        self.try_next_button.layout.display = None

    def _save_state(self) -> bool:
        if self._draft_timer is not None:  # this save includes the pending draft
            self._draft_timer.cancel()
            self._draft_timer = None
        saved = self.save(
            {
                "response": self.response.value,
                "rubric": self.ticks(),
                "difficulty": self.difficulty.value or None,
                "examples_seen": self.examples_seen,
            }
        )
        if saved and self.response.value.strip():
            self.draft_status.value = SAVED
        return saved

    def restore(self, previous: list[Answer]) -> None:
        saved = previous[-1].answer
        self.response.value = str(saved.get("response", ""))
        if self.response.value:
            self.draft_status.value = SAVED
        ticks = [bool(met) for met in saved.get("rubric", [])]
        if any(ticks) or self.response.value.strip():
            for box, met in zip(self.rubric, ticks, strict=False):
                box.value = met
        if self.response.value.strip():
            self.show_rubric()
            self._show_tally()
        if saved.get("examples_seen"):
            self.show_examples()
        if saved.get("difficulty") in RATINGS:
            self.difficulty.value = saved["difficulty"]
        self.restored(f"You answered this before (saved {times(len(previous))}).")
