"""The suppression rules every class number passes, and the notes that say what they did.

- S1/S2: an aggregate, and every cell of a breakdown, drawn from fewer than 5 distinct trainees
  is hidden; where shares of a total are shown and exactly one cell is hidden, the next-smallest
  cell is hidden too, so the hidden count cannot be worked out as total minus the rest.
- S3/S5: in a group of fewer than 10 trainees, 0-10 ratings are coarsened to three bands, shares
  are shown only as 20-point ranges (so "everyone chose b" never appears), and session averages
  become medians with quartiles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_TRAINEES = 5  # S1: fewer than this many trainees -> hidden
SMALL_GROUP = 10  # S3/S5: fewer than this many trainees -> coarsened
HIDDEN = "hidden (n<5)"  # the status of a hidden cell; its numbers are NaN
COARSE = "coarse"
SHOWN = "shown"
# Bands for 0-10 ratings: finer for groups of 10 or more, three bands below that (S5).
FINE_BANDS = (("0–2", 0, 2), ("3–4", 3, 4), ("5–6", 5, 6), ("7–8", 7, 8), ("9–10", 9, 10))
COARSE_BANDS = (("0–3", 0, 3), ("4–6", 4, 6), ("7–10", 7, 10))
SHARE_RANGES = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))


@dataclass(frozen=True)
class Note:
    """One thing a view hid or coarsened, and why (printed for the class to read)."""

    action: str  # "Hidden" or "Coarsened"
    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.action}: {self.what} — {self.reason}"


def trainees(n: int) -> str:
    """'1 trainee', '4 trainees'."""
    return f"{n} trainee" if n == 1 else f"{n} trainees"


def share_range_label(share: float) -> tuple[float, float, str]:
    """The 20-point range a share falls in, for groups of fewer than 10 trainees (S3)."""
    percent = share * 100
    for low, high in SHARE_RANGES:
        if percent <= high:
            return low / 100, high / 100, f"{low}–{high} %"
    return 0.8, 1.0, "80–100 %"


def suppress_breakdown(counts: pd.Series, trainees: pd.Series | None = None) -> pd.Series:
    """Which cells of one breakdown to hide (True = hidden).

    ``counts`` is what each cell shows a share of (trainees or ratings); ``trainees`` is the
    number of distinct trainees behind each cell (default: ``counts``). S1: cells drawn from
    1-4 trainees are hidden, and every cell if the counts total fewer than 5 trainees' worth.
    S2: shares of the total are shown, so when exactly one cell is hidden the next-smallest
    non-empty cell is hidden too; then no hidden count equals the total minus the visible
    cells.
    """
    whole = trainees is None
    hidden = _hidden_cells([int(c) for c in counts], None if whole else [int(t) for t in trainees])
    return pd.Series(hidden, index=counts.index)


def _hidden_cells(counts: list[float], trainees: list[int] | None) -> list[bool]:
    """``suppress_breakdown`` on plain lists (``trainees`` None: the counts are trainees)."""
    if trainees is None:
        if sum(counts) < MIN_TRAINEES:
            return [True] * len(counts)
        trainees = counts
    hidden = [0 < t < MIN_TRAINEES for t in trainees]
    if sum(hidden) == 1:
        candidates = [i for i, c in enumerate(counts) if not hidden[i] and c > 0]
        if candidates:
            hidden[min(candidates, key=counts.__getitem__)] = True  # the first of equals
    if any(hidden):  # never "0 %" next to a hidden cell: it narrows what the hidden ones hold
        hidden = [hide or count == 0 for hide, count in zip(hidden, counts, strict=True)]
    return hidden


def _breakdown(
    cells: pd.DataFrame, group: str, cell: str, describe: Callable[[object], str]
) -> tuple[pd.DataFrame, list[Note]]:
    """Apply S1-S3 to a long table with one row per group x cell.

    Columns used: ``count`` (what shares are of), ``trainees`` (distinct trainees behind the
    cell) and ``n`` (distinct trainees in the group). Counts of hidden or coarsened cells are
    blanked so they cannot be read off the table either.
    """
    groups: dict[object, list[dict]] = {}
    for row in cells.to_dict("records"):
        groups.setdefault(row[group], []).append(row)
    rows: list[dict] = []
    notes: list[Note] = []
    for key, part in groups.items():
        n = int(part[0]["n"])
        counts = [float(row["count"]) for row in part]
        total = sum(counts)
        shares = [count / total if total else 0.0 for count in counts]
        for row, share in zip(part, shares, strict=True):
            row.update(
                share=share,
                share_low=share,
                share_high=share,
                label=f"{round(share * 100)} %",
                status=SHOWN,
            )
        if n < MIN_TRAINEES:
            hidden = [True] * len(part)
            notes.append(
                Note("Hidden", f"{describe(key)} ({trainees(n)})", "fewer than 5 trainees")
            )
        else:
            behind = [int(row["trainees"]) for row in part]
            hidden = _hidden_cells(counts, behind)
            for row, hide, people in zip(part, hidden, behind, strict=True):
                if hide:
                    reason = (
                        "fewer than 5 trainees"
                        if 0 < people < MIN_TRAINEES
                        else "empty, hidden too: shown empty beside hidden cells it would "
                        "narrow them down"
                        if people == 0
                        else "hidden too, so the smaller hidden count cannot be worked out "
                        "from the total"
                    )
                    notes.append(Note("Hidden", f"{describe(key)}, {row[cell]}", reason))
            if n < SMALL_GROUP:
                for row, share, hide in zip(part, shares, hidden, strict=True):
                    low, high, label = share_range_label(share)
                    row.update(share=np.nan, share_low=low, share_high=high, label=label)
                    row["status"] = SHOWN if hide else COARSE
                notes.append(
                    Note(
                        "Coarsened",
                        f"{describe(key)} ({trainees(n)})",
                        "fewer than 10 trainees, so shares are shown as 20-point ranges",
                    )
                )
        for row, hide in zip(part, hidden, strict=True):
            if hide:
                row.update(share=np.nan, share_low=np.nan, share_high=np.nan)
                row.update(label=HIDDEN, status=HIDDEN)
            if row["status"] != SHOWN:  # counts of hidden or coarsened cells are blanked
                row.update(count=np.nan, trainees=np.nan)
        rows += part
    if not rows:
        return cells.assign(status=HIDDEN), notes
    columns = [*cells.columns, "share", "share_low", "share_high", "label", "status"]
    return pd.DataFrame(rows, columns=columns), notes


_T_Z = 1.959963984540054


def t_quantile_975(df: np.ndarray) -> np.ndarray:
    """Student's t 97.5 % quantile (Cornish-Fisher expansion; error < 0.001 for df >= 4)."""
    z, v = _T_Z, np.asarray(df, dtype=float)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


def session_stats(rated: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group: trainees, mean with t-based 95 % CI (n >= 10) or median and quartiles
    (5 <= n < 10), nothing (n < 5). One value per trainee per group (their mean)."""
    per_trainee = rated.groupby(keys + ["trainee"], observed=True)["score"].mean().reset_index()
    grouped = per_trainee.groupby(keys, observed=True)["score"]
    stats = grouped.agg(n="count", mean="mean", sd="std", median="median")
    stats["q1"] = grouped.quantile(0.25)
    stats["q3"] = grouped.quantile(0.75)
    stats = stats.reset_index()
    n = stats["n"].to_numpy()
    status = np.where(n < MIN_TRAINEES, HIDDEN, np.where(n < SMALL_GROUP, COARSE, SHOWN))
    coarse, hidden = status == COARSE, status == HIDDEN
    mean = stats["mean"].to_numpy()
    half = t_quantile_975(np.maximum(n - 1, 1)) * stats["sd"].to_numpy() / np.sqrt(n)
    no_mean = coarse | hidden
    # whole columns at once: masked assignments cost more than the statistics themselves
    stats["mean"] = np.where(no_mean, np.nan, mean)
    for column in ("median", "q1", "q3"):
        stats[column] = stats[column].where(coarse)
    stats["low"] = np.where(no_mean, np.nan, mean - half)
    stats["high"] = np.where(no_mean, np.nan, mean + half)
    stats["status"] = status
    stats["centre"] = stats["mean"].fillna(stats["median"])
    return stats.drop(columns="sd")


def _session_notes(stats: pd.DataFrame, item_col: str, names: dict[str, str]) -> list[Note]:
    by_session: dict[int, list[dict]] = {}
    for row in stats[["session", item_col, "n", "status"]].to_dict("records"):
        by_session.setdefault(row["session"], []).append(row)
    notes: list[Note] = []
    for session in sorted(by_session):
        for status, action, reason in (
            (HIDDEN, "Hidden", "fewer than 5 trainees"),
            (COARSE, "Coarsened", "fewer than 10 trainees, so median and quartiles"),
        ):
            cells = [row for row in by_session[session] if row["status"] == status]
            if not cells:
                continue
            if len(cells) == len(names) and len({row["n"] for row in cells}) == 1:
                what = f"session {session} ({trainees(int(cells[0]['n']))})"
                notes.append(Note(action, what, reason))
            else:
                for row in cells:
                    item = names.get(str(row[item_col]), str(row[item_col]))
                    notes.append(Note(action, f"session {session}, {item} ({row['n']})", reason))
    return notes
