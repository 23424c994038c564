"""What the instructor reads beside the charts: what every view held back, and what
``alliance collect`` read for the class."""

from __future__ import annotations

from dataclasses import dataclass

from helpers.classview.model import PSEUDONYM_WARNING, ClassData
from helpers.classview.suppression import Note, trainees
from helpers.classview.table import load_class
from helpers.classview.views import VIEW_TITLES, aggregate_all


@dataclass
class HiddenReport:
    """Everything the class view held back, in plain sentences."""

    banner: str
    notes: list[tuple[str, Note]]

    def __repr__(self) -> str:
        lines = [self.banner]
        if not self.notes:
            lines.append("Nothing was hidden: every group had at least 10 trainees.")
        lines += [f"[{view}] {note}" for view, note in self.notes]
        return "\n".join(lines)


def what_was_hidden(data: ClassData | None = None) -> HiddenReport:
    """What every view hid or coarsened and why, for the class to read."""
    data = data if data is not None else load_class()
    views = aggregate_all(data)
    notes = [(VIEW_TITLES[name], note) for name, view in views.items() for note in view.notes]
    return HiddenReport(data.banner, notes)


@dataclass
class CollectOverview:
    """What ``alliance collect`` read for this class, for the instructor (no names, no owners)."""

    lines: list[str]

    def __repr__(self) -> str:
        return "\n".join(self.lines)


def collect_overview(data: ClassData | None = None) -> CollectOverview:
    """The summary collect wrote next to the class table, in plain lines: files seen, accepted,
    rejected by reason, merged, class codes, and how trainees were counted."""
    data = data if data is not None else load_class()
    info = data.overview
    if data.is_synthetic or not info:
        what = "the synthetic sample" if data.is_synthetic else data.source_label
        return CollectOverview([f"No collect summary for {what}."])
    reasons = info.get("rejected_by_reason") or {}
    codes = info.get("class_codes") or {}
    lines = [
        f"Files seen: {info.get('files', 0)}; accepted: {info.get('accepted', 0)}; "
        f"rejected: {info.get('rejected', 0)}; identical copies: {info.get('duplicates', 0)}; "
        f"earlier reflections merged: {info.get('merged', 0)}.",
    ]
    lines += [f"  rejected, {reason}: {count}" for reason, count in dict(reasons).items()]
    lines.append(
        "Class codes seen: " + ", ".join(f"{code} ({n})" for code, n in dict(codes).items())
    )
    if info.get("counted_by") == "account":
        lines.append(f"{trainees(int(info.get('trainees', 0)))}, counted by account.")
    else:
        lines.append(f"{trainees(int(info.get('trainees', 0)))}. {PSEUDONYM_WARNING}")
    flagged = int(info.get("flagged_accounts", 0) or 0)
    if flagged:
        lines.append(
            f"{flagged} flag(s) on collect's report (several pseudonyms from one account, or "
            "one submission id from several accounts): see its output."
        )
    return CollectOverview(lines)
