"""What the class view works with: a loaded class (``ClassData``) and one aggregated view of
it (``View``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers.classview.suppression import HIDDEN, MIN_TRAINEES, Note

PSEUDONYM_WARNING = (
    "Warning: trainees are counted by pseudonym, not by account (every file had the same "
    "owner, e.g. a learning-platform download), so one person sharing under several "
    "pseudonyms would count as several trainees and could reveal a small group."
)


class ClassDataError(ValueError):
    """A class table that cannot be used, with a message saying what to fix."""


@dataclass(frozen=True, repr=False)
class ClassData:
    """A validated class table and where it came from (never an absolute path)."""

    frame: pd.DataFrame
    is_synthetic: bool
    source_label: str
    # charts already drawn from this (read-only) class, so the handout does not redraw them
    cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    # S7: "account" when trainees were told apart by the accounts owning their files,
    # "pseudonym" when every file had one owner (or the table does not say)
    counted_by: str = "pseudonym"
    # what collect read (its summary file): files, accepted, rejected, merged, class codes
    overview: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_trainees(self) -> int:
        return int(self.frame["trainee"].nunique())

    @property
    def sessions(self) -> list[int]:
        return sorted(int(s) for s in self.frame["session"].unique())

    @property
    def banner(self) -> str:
        """The line shown at the top of every view."""
        if self.is_synthetic:
            return f"Synthetic sample class, not real trainees (source: {self.source_label})."
        if self.counted_by != "account":
            return f"Class data from {self.source_label}. {PSEUDONYM_WARNING}"
        return f"Class data from {self.source_label}."

    def smaller(self, trainees: int) -> ClassData:
        """The same class as if only ``trainees`` of its trainees had shared: shows what the
        privacy rules do to a small group. Only for synthetic data: comparing a real class with
        a part of it would reveal the answers of the trainees left out."""
        if not self.is_synthetic:
            raise ClassDataError(
                "smaller() works only on the synthetic sample: comparing a real class with part "
                "of it would reveal what the trainees left out answered."
            )
        keep = sorted(self.frame["trainee"].astype(str).unique())[:trainees]
        frame = self.frame[self.frame["trainee"].isin(keep)].copy()
        for column in frame.select_dtypes("category"):
            frame[column] = frame[column].cat.remove_unused_categories()
        label = f"{self.source_label}, only {trainees} of its trainees"
        return ClassData(frame, self.is_synthetic, label)

    def __repr__(self) -> str:
        sessions = self.sessions
        span = f"sessions {sessions[0]}–{sessions[-1]}" if sessions else "no sessions"
        return f"{self.banner} {self.n_trainees} trainees, {span}."


@dataclass
class View:
    """The table behind one chart's marks, the trainees it draws on, and what it held back."""

    name: str
    table: pd.DataFrame
    n: int
    notes: list[Note] = field(default_factory=list)
    stats: pd.DataFrame | None = None
    refused: str = ""  # S8: why this view is not shown at all (empty when it is shown)

    @property
    def suppressed(self) -> bool:
        """True when the whole view is hidden (fewer than 5 trainees)."""
        if self.refused:
            return True
        return self.n < MIN_TRAINEES or bool((self.table["status"] == HIDDEN).all())

    @property
    def hidden(self) -> list[Note]:
        return [note for note in self.notes if note.action == "Hidden"]
