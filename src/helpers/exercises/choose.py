"""Choose the best counselor response: options, a check button, feedback and the rationale.

The options are shown in an order of the trainee's own (see :mod:`helpers.exercises.order`):
the letters follow what is on screen, the store keeps the option ids. The rationale waits until
the best response is found, or until the trainee asks for it with "Show me why", so a second
try still means something.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import (
    BAD,
    GOOD,
    Exercise,
    button,
    escape,
    full_width,
    guidelines_text,
    html_widget,
    label_style,
    rationale_html,
    rich,
    short_label,
    status,
)
from helpers.exercises.order import display_order, letter, trainee_key
from helpers.store import Answer


class ChooseExercise(Exercise):
    """Pick one response; every attempt is saved and trying again is welcome."""

    kind = "choose"

    def build(self) -> list[widgets.Widget]:
        in_file: list[dict[str, Any]] = list(self.exercise["options"])
        order = display_order(len(in_file), trainee_key(self.store), self.vignette.id)
        # The options as shown, top to bottom; the letters belong to these places.
        self.option_list = [in_file[i] for i in order]
        self.by_id = {str(o["id"]): o for o in self.option_list}
        self.letters = {str(o["id"]): letter(n) for n, o in enumerate(self.option_list)}
        # The bank lets through only vignettes with exactly one best option.
        self.best_id = next(str(o["id"]) for o in self.option_list if o.get("best"))
        self.attempts = 0
        self.found_best = False
        labels = [
            short_label(f"{self.letters[str(o['id'])]})", str(o["text"])) for o in self.option_list
        ]
        cut = any(label.endswith("…") for label in labels)
        items = "".join(
            f"<li><strong>{self.letters[str(o['id'])]})</strong> {rich(o['text'])}</li>"
            for o in self.option_list
        )
        prompt = rich(self.exercise.get("prompt", "Which response is best?"))
        self.prompt = html_widget(
            f"<p><strong>Your task:</strong> {prompt}</p>"
            + (
                f'<ul class="alliance-options" style="list-style: none">{items}</ul>' if cut else ""
            ),
            wide=True,
        )
        self.options = widgets.RadioButtons(
            options=[
                (label, str(o["id"])) for label, o in zip(labels, self.option_list, strict=True)
            ],
            value=None,
            description="Your choice:",
            style=label_style(widgets.RadioButtons),
            layout=full_width(),
        )
        self.check_button = button(
            "Check my answer",
            "See feedback on the response you chose",
            lambda _: self.check(),
            icon="check",
        )
        self.why_button = button(
            "Show me why",
            "Show why the best response is the best, without choosing it yourself",
            lambda _: self.show_why(),
            icon="question",
        )
        self.rationale = html_widget("", wide=True)
        return [
            self.prompt,
            self.options,
            widgets.HBox([self.check_button, self.why_button]),
            self.feedback,
            self.rationale,
        ]

    @property
    def shown_ids(self) -> list[str]:
        """The option ids in the order the trainee sees them."""
        return [str(o["id"]) for o in self.option_list]

    def choose(self, option_id: str) -> None:
        """Select an option by its id (what a click on a radio button does)."""
        self.options.value = option_id

    def check(self) -> None:
        """Give feedback on the selected option and save the attempt; the rationale follows
        once the best response has been found."""
        chosen = self.options.value
        if chosen is None:
            self.feedback.value = status(
                "<p>Choose one of the responses first, then press “Check my answer”.</p>"
            )
            return
        self.attempts += 1
        correct = chosen == self.best_id
        self.save({"option": chosen, "attempt": self.attempts}, correct=correct)
        self.found_best = self.found_best or correct
        self._show(chosen, self.attempts)

    def show_why(self) -> None:
        """Show the rationale now (the trainee asked for it)."""
        self._show_rationale()

    def _show_rationale(self) -> None:
        self.rationale.value = rationale_html(
            f"Why {self.letters[self.best_id]}) is the best response:",
            self.exercise.get("rationale", ""),
        )
        self.why_button.layout.display = "none"

    def _show(self, chosen: str, attempt: int) -> None:
        option = self.by_id[chosen]
        correct = chosen == self.best_id
        verdict = f"{GOOD} Best response" if correct else f"{BAD} Not the best response"
        again = (
            ""
            if correct
            else "<p>Try another response, or press “Show me why” to see the reasoning.</p>"
        )
        self.feedback.value = status(
            f'<p class="alliance-verdict"><strong>{verdict}</strong> (attempt {attempt})</p>'
            f"<p>You chose <strong>{escape(self.letters[chosen])})</strong>:</p>"
            f"<blockquote>{rich(option['text'])}</blockquote>"
            f"<p>{rich(option.get('feedback', ''))}</p>"
            f"<p><strong>Guideline:</strong> "
            f"{escape(guidelines_text(self.vignette.guidelines))}</p>{again}"
        )
        if self.found_best:
            self._show_rationale()

    def restore(self, previous: list[Answer]) -> None:
        latest = previous[-1].answer
        chosen = str(latest.get("option", ""))
        self.attempts = len(previous)
        self.found_best = any(str(a.answer.get("option", "")) == self.best_id for a in previous)
        if chosen not in self.by_id:
            return
        self.options.value = chosen
        self._show(chosen, self.attempts)
        self.restored(f"You answered this before (attempt {self.attempts}).")
