"""How far the trainee has got with one topic's vignettes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import TextLine, button, escape, full_width, html_widget, status
from helpers.exercises.sources import default_bank, default_store


class ProgressView(TextLine, widgets.VBox):
    """'Progress in 'care': 5 of 8 done' and a ✓ / ○ list of the topic's vignettes."""

    def __init__(self, topic: str, bank: Any, store: Any, problem: str = "") -> None:
        self.topic = topic
        self.bank = bank
        self.store = store
        self.setup_problem = problem  # from opening the bank or store: stays until re-run
        self.problem = problem
        self.done_count = 0
        self.total = 0
        self.summary = html_widget("", wide=True)
        self.refresh_button = button(
            "Refresh my progress",
            f"Count again the vignettes you have done in '{topic}'",
            lambda _: self.refresh(),
            icon="refresh",
        )
        super().__init__(children=[self.summary, self.refresh_button], layout=full_width())
        self.refresh()

    def __repr__(self) -> str:
        return f"Progress in '{self.topic}': run this cell (or Run ▸ Run All Cells) to see it."

    def refresh(self) -> None:
        """Count again (e.g. after answering more exercises further down the notebook).

        Each refresh starts from a clean slate, so a problem that has gone away is no longer
        shown and the count always matches the text.
        """
        problems = [self.setup_problem] if self.setup_problem else []
        try:
            vignettes = list(self.bank.by_topic(self.topic)) if self.bank is not None else []
        except Exception as error:  # noqa: BLE001 - a message beats a traceback here
            vignettes = []
            problems.append(f"The vignettes could not be read ({error}).")
        done: set[str] = set()
        if self.store is not None:
            try:
                done = self.store.answered_vignettes()
            except (sqlite3.Error, OSError) as error:
                problems.append(f"Your saved answers could not be read ({error}).")
        self.problem = " ".join(problems)
        broken = self._broken_ids()
        count = sum(v.id in done for v in vignettes)
        self.done_count = count
        self.total = len(vignettes)
        if not vignettes and not broken:
            self.summary.value = status(
                f"<p><strong>Progress in '{escape(self.topic)}':</strong> there are no vignettes "
                f"in the topic '{escape(self.topic)}'. Check the topic's name (it is the vignette "
                "file's name, e.g. 'care').</p>" + self._problem_html()
            )
            return
        items = "".join(
            f"<li>{'✓ done' if v.id in done else '○ not yet'}: {escape(v.title)} "
            f"(<code>show_vignette('{escape(v.id)}')</code>)</li>"
            for v in vignettes
        ) + "".join(
            f"<li>⚠ can't be shown: {escape(vid)} (tell your instructor)</li>" for vid in broken
        )
        self.summary.value = status(
            f"<p><strong>Progress in '{escape(self.topic)}': {count} of {len(vignettes)} "
            f"done</strong></p><ul style='list-style: none'>{items}</ul>" + self._problem_html()
        )

    def _broken_ids(self) -> list[str]:
        """Ids in this topic's file that cannot be shown, so they are listed, not hidden."""
        broken = getattr(self.bank, "broken", None) or {}
        return [
            vid
            for vid, problems in broken.items()
            if any(Path(str(p.file)).stem == self.topic for p in problems)
        ]

    def _problem_html(self) -> str:
        return f"<p><em>{escape(self.problem)}</em></p>" if self.problem else ""


def show_progress(topic: str, *, bank: Any = None, store: Any = None) -> ProgressView:
    """A labelled summary of the trainee's progress through one topic's vignettes."""
    problem = ""
    if bank is None:
        try:
            bank = default_bank()
        except Exception as error:  # noqa: BLE001
            bank, problem = None, f"The vignettes could not be loaded ({error})."
    if store is None:
        store, store_problem = default_store()
        problem = " ".join(p for p in (problem, store_problem) if p)
    return ProgressView(str(topic), bank, store, problem)
