"""A branching conversation: each choice moves the alliance (bond, goals, tasks) and says why.

The choices of each step are shown in an order of the trainee's own (see
:mod:`helpers.exercises.order`); the saved path keeps each choice's place in the vignette file.
The bars show the direction a choice tends to move the alliance, as an illustration: they are
not a measurement of any real alliance.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import (
    Exercise,
    button,
    escape,
    full_width,
    html_widget,
    rich,
    short_label,
    status,
)
from helpers.exercises.order import display_order, trainee_key
from helpers.store import Answer

STATES = ("bond", "goals", "tasks")
STATE_NAMES = {"bond": "Bond", "goals": "Goals", "tasks": "Tasks"}
METER_TITLE = "Which way the alliance is moving (an illustration):"
METER_NOTE = (
    "The bars illustrate the direction your choices tend to push the bond, goals and tasks. "
    "They are not a measurement: a real alliance is known by asking the client."
)


def _clamp(value: int) -> int:
    return max(0, min(10, value))


def alliance_html(alliance: dict[str, int], change: dict[str, int] | None = None) -> str:
    """Each part of the alliance as 'Bond 6/10 ▲ +1' plus a text bar (no color needed)."""
    change = change or {}
    lines = []
    for key in STATES:
        value = alliance[key]
        delta = change.get(key, 0)
        arrow = "▲" if delta > 0 else "▼" if delta < 0 else "■"
        signed = f"+{delta}" if delta > 0 else str(delta)
        moved = f" {arrow} {signed}" if change else ""
        bar = "█" * value + "░" * (10 - value)
        lines.append(
            f"<li><strong>{STATE_NAMES[key]} {value}/10{moved}</strong> "
            f'<span aria-hidden="true" style="font-family: monospace">{bar}</span></li>'
        )
    return (
        f"<p><strong>{METER_TITLE}</strong></p><ul>{''.join(lines)}</ul>"
        f"<p><small>{METER_NOTE}</small></p>"
    )


class DialogueExercise(Exercise):
    """Walk a conversation step by step; the path is saved after every choice."""

    kind = "dialogue"

    def build(self) -> list[widgets.Widget]:
        self.steps: dict[str, dict[str, Any]] = {str(s["id"]): s for s in self.exercise["steps"]}
        # The bank lets through only dialogues whose start and every 'next' name a step.
        self.start = str(self.exercise["start"])
        self.seed = trainee_key(self.store)
        self.start_alliance = {k: _clamp(int(self.exercise["alliance"].get(k, 5))) for k in STATES}
        self.state_html = html_widget("", wide=True)
        self.history_html = html_widget("", wide=True)
        self.client_line = html_widget("", wide=True)
        self._buttons: list[widgets.Button] = []  # reused from step to step, see _show_choices
        self._places: list[int] = []  # the file place of the choice on each shown button
        self.choice_box = widgets.VBox([], layout=full_width())
        self.restart_button = button(
            "Start again",
            "Go back to the start of the conversation",
            lambda _: self.start_again(),
            icon="refresh",
        )
        self.restart_button.layout.display = "none"
        self._reset()
        self._render()
        # read in order: what was said, what it changed, where the alliance stands, what next
        return [
            self.history_html,
            self.feedback,
            self.state_html,
            self.client_line,
            self.choice_box,
            self.restart_button,
        ]

    # -- state ---------------------------------------------------------------------------

    def _reset(self) -> None:
        self.step_id = self.start
        self.alliance = dict(self.start_alliance)
        self.path: list[int] = []
        self.history: list[tuple[str, str]] = []
        self.last_change: dict[str, int] | None = None
        self.last_reason = ""

    @property
    def step(self) -> dict[str, Any]:
        return self.steps[self.step_id]

    @property
    def ended(self) -> bool:
        return not self.step.get("choices")

    def shown_order(self, step_id: str | None = None) -> list[int]:
        """The file places of a step's choices, in the order they are shown."""
        step = self.steps[step_id or self.step_id]
        count = len(step.get("choices") or ())
        return display_order(count, self.seed, self.vignette.id, str(step["id"]))

    @property
    def choice_buttons(self) -> list[widgets.Button]:
        """The buttons of this step's choices, in order (hidden spare buttons left out)."""
        return [b for b in self._buttons if b.layout.display != "none"]

    def _apply(self, index: int) -> None:
        choice = self.step["choices"][index]
        effect = {k: int(v) for k, v in (choice.get("effect") or {}).items() if k in STATES}
        self.history.append(("Client", str(self.step.get("client", ""))))
        self.history.append(("You", str(choice["text"])))
        for key, delta in effect.items():
            self.alliance[key] = _clamp(self.alliance[key] + delta)
        self.last_change = {k: effect.get(k, 0) for k in STATES}
        self.last_reason = str(choice.get("reason", ""))
        self.path.append(index)
        self.step_id = str(choice["next"])

    # -- actions -------------------------------------------------------------------------

    def say(self, index: int) -> None:
        """Say choice ``index`` (0-based place in the vignette file) of the current step."""
        if self.ended or not 0 <= index < len(self.step["choices"]):
            return
        self._apply(index)
        self.save(
            {
                "path": list(self.path),
                "step": self.step_id,
                "ended": self.ended,
                "alliance": dict(self.alliance),
            }
        )
        self._render()
        self._focus_next()

    def start_again(self) -> None:
        """Go back to the first step; the restart is saved so a reopened notebook starts fresh."""
        self._reset()
        self.save({"path": [], "step": self.step_id, "ended": False, "restarted": True})
        self._render()
        self._focus_next()

    def _focus_next(self) -> None:
        """Move keyboard focus to where the conversation goes on: the first of the new choices,
        or "Start again" once it has ended. The pressed button would otherwise leave focus on
        the page (a screen reader would not be taken to the new choices)."""
        (self.restart_button if self.ended else self.choice_buttons[0]).focus()

    # -- showing -------------------------------------------------------------------------

    def _render(self) -> None:
        step = self.step
        if self.history:
            said = "".join(
                f"<li><strong>{escape(who)}:</strong> {rich(text)}</li>"
                for who, text in self.history
            )
            self.history_html.value = (
                f"<p><strong>The conversation so far:</strong></p><ol>{said}</ol>"
            )
        else:
            self.history_html.value = ""
        self.state_html.value = alliance_html(self.alliance, self.last_change)
        if self.ended:
            self.client_line.value = (
                f"<p><strong>Client:</strong></p><blockquote>{rich(step.get('client', ''))}"
                "</blockquote>"
                if step.get("client")
                else ""
            )
            reason = (
                f"<p><strong>What changed:</strong> {rich(self.last_reason)}</p>"
                if self.last_reason
                else ""
            )
            self.feedback.value = status(
                f"{reason}<p><strong>■ The conversation has ended.</strong></p>"
                f"<p>{rich(step.get('ending', ''))}</p>"
            )
            self._show_choices([], [])
            self.restart_button.layout.display = None
            return
        self.restart_button.layout.display = "none" if not self.path else None
        order = self.shown_order()
        choices = [step["choices"][i] for i in order]
        labels = [
            short_label(f"Say {n}:", str(c["text"]), limit=70)
            for n, c in enumerate(choices, start=1)
        ]
        listed = ""
        if any(label.endswith("…") for label in labels):
            listed = "<ol>" + "".join(f"<li>{rich(c['text'])}</li>" for c in choices) + "</ol>"
        client = str(step.get("client", ""))
        said = ""
        if client and (self.history or client.strip() != str(self.vignette.says).strip()):
            said = f"<p><strong>Client:</strong></p><blockquote>{rich(client)}</blockquote>"
        self.client_line.value = f"{said}<p><strong>What do you say?</strong></p>{listed}"
        self._show_choices(
            [
                (labels[n - 1], f"Say response {n}: {short_label('', str(c['text']), limit=200)}")
                for n, c in enumerate(choices, start=1)
            ],
            order,
        )
        if self.last_reason:
            self.feedback.value = status(
                f"<p><strong>What changed:</strong> {rich(self.last_reason)}</p>"
            )
        else:
            self.feedback.value = status("")

    def _show_choices(self, choices: list[tuple[str, str]], order: list[int]) -> None:
        """Show this step's choices (label, tooltip) on the same buttons as the last step's.

        Button n says the n-th choice shown, which is choice ``order[n]`` of the file; spare
        buttons are hidden. Reusing them keeps each button's view on the page, so focus can be
        moved to one after a choice.
        """
        self._places = list(order)
        while len(self._buttons) < len(choices):
            index = len(self._buttons)
            self._buttons.append(
                button("", "", lambda _, i=index: self.say(self._places[i]), icon="comment")
            )
        for index, spare in enumerate(self._buttons):
            if index < len(choices):
                spare.description, spare.tooltip = choices[index]
                spare.layout.display = None
            else:
                spare.layout.display = "none"
        self.choice_box.children = tuple(self._buttons)

    def restore(self, previous: list[Answer]) -> None:
        path = previous[-1].answer.get("path", [])
        try:
            for index in path:
                if self.ended or not 0 <= int(index) < len(self.step["choices"]):
                    raise ValueError(index)
                self._apply(int(index))
            saved_step = previous[-1].answer.get("step")
            if saved_step is not None and str(saved_step) != self.step_id:
                raise ValueError(saved_step)  # the choices were reordered since
        except (ValueError, TypeError, KeyError):
            self._reset()
            self._render()
            self.restored(
                "You played this conversation before, but it has changed since; starting again."
            )
            return
        self._render()
        if self.ended:
            where = "at the end"
        elif self.path:
            where = f"after {len(self.path)} {'choice' if len(self.path) == 1 else 'choices'}"
        else:
            where = "at the start"
        self.restored(
            f"You played this conversation before; you are back where you left off ({where})."
        )
