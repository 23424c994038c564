"""Choose the best counselor response: options, a check button, feedback and the rationale."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import (
    BAD,
    GOOD,
    LABEL_STYLE,
    Exercise,
    button,
    escape,
    full_width,
    guidelines_text,
    rationale_html,
    rich,
    short_label,
    status,
)
from helpers.store import Answer


class ChooseExercise(Exercise):
    """Pick one response; every attempt is saved and trying again is welcome."""

    kind = "choose"

    def build(self) -> list[widgets.Widget]:
        self.option_list: list[dict[str, Any]] = list(self.exercise["options"])
        self.by_id = {str(o["id"]): o for o in self.option_list}
        # The bank lets through only vignettes with exactly one best option.
        self.best_id = next(str(o["id"]) for o in self.option_list if o.get("best"))
        self.attempts = 0
        labels = [short_label(f"{o['id']})", str(o["text"])) for o in self.option_list]
        cut = any(label.endswith("…") for label in labels)
        items = "".join(
            f"<li><strong>{escape(o['id'])})</strong> {rich(o['text'])}</li>"
            for o in self.option_list
        )
        prompt = rich(self.exercise.get("prompt", "Which response is best?"))
        self.prompt = widgets.HTML(
            f"<p><strong>Your task:</strong> {prompt}</p>"
            + (
                f'<ul class="alliance-options" style="list-style: none">{items}</ul>' if cut else ""
            ),
            layout=full_width(),
        )
        self.options = widgets.RadioButtons(
            options=[
                (label, str(o["id"])) for label, o in zip(labels, self.option_list, strict=True)
            ],
            value=None,
            description="Your choice:",
            style=LABEL_STYLE,
            layout=full_width(),
        )
        self.check_button = button(
            "Check my answer",
            "See feedback on the response you chose",
            lambda _: self.check(),
            icon="check",
        )
        self.rationale = widgets.HTML("", layout=full_width())
        return [self.prompt, self.options, self.check_button, self.feedback, self.rationale]

    def choose(self, option_id: str) -> None:
        """Select an option by its id (what a click on a radio button does)."""
        self.options.value = option_id

    def check(self) -> None:
        """Give feedback on the selected option, save the attempt, show the rationale."""
        chosen = self.options.value
        if chosen is None:
            self.feedback.value = status(
                "<p>Choose one of the responses first, then press “Check my answer”.</p>"
            )
            return
        self.attempts += 1
        correct = chosen == self.best_id
        self.save({"option": chosen, "attempt": self.attempts}, correct=correct)
        self._show(chosen, self.attempts)

    def _show(self, chosen: str, attempt: int) -> None:
        option = self.by_id[chosen]
        correct = chosen == self.best_id
        verdict = f"{GOOD} Best response" if correct else f"{BAD} Not the best response"
        again = "" if correct else "<p>Try another response if you like.</p>"
        self.feedback.value = status(
            f'<p class="alliance-verdict"><strong>{verdict}</strong> (attempt {attempt})</p>'
            f"<p>You chose <strong>{escape(chosen)})</strong>:</p>"
            f"<blockquote>{rich(option['text'])}</blockquote>"
            f"<p>{rich(option.get('feedback', ''))}</p>"
            f"<p><strong>Guideline:</strong> "
            f"{escape(guidelines_text(self.vignette.guidelines))}</p>{again}"
        )
        self.rationale.value = rationale_html(
            f"Why {self.best_id}) is the best response:", self.exercise.get("rationale", "")
        )

    def restore(self, previous: list[Answer]) -> None:
        latest = previous[-1].answer
        chosen = str(latest.get("option", ""))
        self.attempts = len(previous)
        if chosen not in self.by_id:
            return
        self.options.value = chosen
        self._show(chosen, self.attempts)
        self.restored(f"You answered this before (attempt {self.attempts}).")
