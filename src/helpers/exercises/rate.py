"""Rate a transcript on the four guidelines, then compare with the reference ratings."""

from __future__ import annotations

import ipywidgets as widgets

from helpers.exercises.base import (
    COMPACT,
    Exercise,
    button,
    escape,
    guideline_name,
    html_widget,
    label_style,
    rich,
    status,
    times,
    transcript_html,
)
from helpers.store import Answer
from helpers.vocabulary import RATED_GUIDELINES

NOT_RATED = "– choose –"


def gap_words(mine: int, reference: int) -> str:
    """'+2 above', '-1 below' or '0 (same)': the gap said in words, not only in color."""
    gap = mine - reference
    if gap > 0:
        return f"+{gap} above"
    if gap < 0:
        return f"{gap} below"
    return "0 (same)"


class RateExercise(Exercise):
    """Four labelled 0–10 drop-downs (not sliders: a slider handle has no accessible name)."""

    kind = "rate"

    def build(self) -> list[widgets.Widget]:
        self.reference = {k: int(self.exercise["reference"][k]) for k in RATED_GUIDELINES}
        self.reasons = {
            k: str(self.exercise.get("rationale", {}).get(k, "")) for k in RATED_GUIDELINES
        }
        self.transcript = html_widget(
            "<p><strong>Read the transcript, then rate the counselor on each guideline "
            "(0 = not at all, 10 = fully).</strong></p>"
            + transcript_html(self.exercise["transcript"]),
            wide=True,
        )
        choices = [(NOT_RATED, None)] + [(str(n), n) for n in range(11)]
        self.ratings = {
            key: widgets.Dropdown(
                options=choices,
                value=None,
                description=f"{guideline_name(key)} (0–10):",
                style=label_style(widgets.Dropdown),
                layout=dict(COMPACT),
            )
            for key in RATED_GUIDELINES
        }
        self.compare_button = button(
            "Compare with the reference",
            "Show your ratings next to the reference ratings and why",
            lambda _: self.compare(),
            icon="table",
        )
        return [
            self.transcript,
            *self.ratings.values(),
            self.compare_button,
            self.feedback,
        ]

    def rate(self, **values: int) -> None:
        """Set ratings by guideline, e.g. ``rate(safety=7, care=8)``."""
        for key, value in values.items():
            self.ratings[key].value = value

    def compare(self) -> None:
        """Show the comparison table and save the ratings (all four are needed)."""
        mine = {k: self.ratings[k].value for k in RATED_GUIDELINES}
        missing = [guideline_name(k) for k, v in mine.items() if v is None]
        if missing:
            self.feedback.value = status(
                f"<p>Rate all four guidelines first. Still to rate: {escape('; '.join(missing))}."
                "</p>"
            )
            return
        self.save({"ratings": mine})
        self._show(mine)

    def _show(self, mine: dict[str, int]) -> None:
        rows = "".join(
            f"<tr><th scope='row'>{escape(guideline_name(k))}</th><td>{mine[k]}</td>"
            f"<td>{self.reference[k]}</td><td>{gap_words(mine[k], self.reference[k])}</td>"
            f"<td>{rich(self.reasons[k])}</td></tr>"
            for k in RATED_GUIDELINES
        )
        close = sum(abs(mine[k] - self.reference[k]) <= 1 for k in RATED_GUIDELINES)
        self.feedback.value = status(
            "<table class='alliance-compare'><caption>Your ratings compared with the reference"
            "</caption><thead><tr><th scope='col'>Guideline</th><th scope='col'>Your rating</th>"
            "<th scope='col'>Reference</th><th scope='col'>Gap</th>"
            "<th scope='col'>Why the reference</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            f"<p>{close} of 4 of your ratings are within 1 point of the reference. Ratings are a "
            "judgement, not a test: use the gaps to talk about what you noticed.</p>"
        )

    def restore(self, previous: list[Answer]) -> None:
        saved = previous[-1].answer.get("ratings", {})
        values = {k: saved.get(k) for k in RATED_GUIDELINES}
        if not all(isinstance(v, int) and 0 <= v <= 10 for v in values.values()):
            return
        for key, value in values.items():
            self.ratings[key].value = value
        self._show(values)  # type: ignore[arg-type]
        self.restored(f"You rated this before (saved {times(len(previous))}).")
