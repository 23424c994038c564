"""Charts of the vignette answers: every option's share of the latest answers, and per
vignette the share whose first answer was the best response."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from helpers.charts.layout import (
    HATCH,
    HIDDEN_GREY,
    Y_AXIS_EXTRA,
    chart_title,
    fixed_figure,
    hidden_placeholder,
    label_width,
)
from helpers.classview import COARSE, HIDDEN, SHOWN, ClassData, View, trainees
from helpers.figures import PALETTE

# ----------------------------------------------------------------------------- choices


def draw_choices(view: View, data: ClassData) -> Figure:
    """Share of trainees whose latest answer was each option; the best one is marked.

    One block of bars per vignette, under its name and n, all on one shared 0-100 % axis.
    """
    table = view.table
    vignettes = list(dict.fromkeys(table["vignette"])) if len(table) else []
    rows = len(table) + len(vignettes)  # a heading row per vignette, then its options
    labels = [f"{option}  ✓ best" for option in table["option"]] if len(table) else []
    left = max(label_width(labels) + Y_AXIS_EXTRA, 0.6)
    fig = fixed_figure(8, 1.3 + 0.38 * max(rows, 3), left=left, right=0.1, top=0.6, bottom=0.55)
    ax = fig.add_subplot()
    chart_title(fig, "Answers on the choose vignettes (✓ = best response)", data, view.n)
    if not vignettes:
        hidden_placeholder(ax, "no vignette choices were shared")
        return fig
    ticks, tick_labels, row = [], [], 0
    for vignette in vignettes:
        cells = table[table["vignette"] == vignette]
        if row:
            ax.axhline(row - 0.5, color="#999999", linewidth=0.8)
        n = int(cells["n"].iloc[0])
        title = _title(cells, vignette)
        ax.text(0.005, row, f"{title} (n = {n})", va="center", fontsize=10, weight="bold")
        for cell in cells.itertuples():
            row += 1
            best = bool(cell.best) if cell.best is not None else False
            ticks.append(row)
            tick_labels.append(f"{cell.option}  ✓ best" if best else str(cell.option))
            edge = {"edgecolor": "black", "linewidth": 1.6 if best else 0.5}
            colour = PALETTE[2] if best else PALETTE[0]
            if cell.status == HIDDEN:
                ax.barh(row, 0.12, color="white", hatch=HATCH, edgecolor=HIDDEN_GREY)
                ax.text(0.13, row, HIDDEN, va="center", fontsize=8)
            elif cell.status == COARSE:
                low, high = cell.share_low, cell.share_high
                ax.barh(row, high - low, left=low, color=colour, alpha=0.5, hatch="..", **edge)
                ax.text(high + 0.01, row, cell.label, va="center", fontsize=8)
            else:
                ax.barh(row, cell.share, color=colour, **edge)
                ax.text(cell.share + 0.01, row, cell.label, va="center", fontsize=8)
        row += 1
    ax.set_yticks(ticks, tick_labels)
    ax.set_ylim(row - 0.5, -0.5)
    ax.set_xlim(0, 1.12)
    ax.set_ylabel("option")
    ax.set_xticks(np.linspace(0, 1, 6), [f"{p} %" for p in range(0, 101, 20)])
    ax.set_xlabel("share of trainees whose latest answer was this option")
    return fig


def _title(cells: object, vignette: object) -> str:
    """The vignette's title from its rows of the table (its id in a table without titles)."""
    titles = cells["title"] if "title" in cells else None  # type: ignore[operator,index]
    return str(titles.iloc[0]) if titles is not None and len(titles) else str(vignette)


def choices_summary(view: View) -> str:
    table = view.table
    if table.empty:
        return "No vignette choices were shared."
    parts, top_best, counted = [], 0, 0
    for vignette, cells in table.groupby("vignette", sort=False):
        best = cells[cells["best"] == True]  # noqa: E712 (None means unknown)
        if best.empty or (cells["status"] == HIDDEN).all():
            continue
        best = best.iloc[0]
        parts.append(f"{_title(cells, vignette)} {best['option']} {best['label']}")
        shown = cells[cells["status"] == SHOWN]
        if best["status"] == SHOWN and not shown.empty:
            counted += 1
            top_best += int(best["share"] >= shown["share"].max())
    if not parts:
        return "Every vignette's choices are hidden: fewer than 5 trainees answered each."
    lead = (
        f"The best response was the most common answer on {top_best} of {counted} vignettes"
        if counted
        else "Shares are shown as ranges"
    )
    return f"{lead} ({view.n} trainees); share choosing the best response: {', '.join(parts)}."


def choices_alt(view: View) -> str:
    return (
        "Horizontal bar charts, one per choose vignette, of the share of trainees whose "
        "latest answer was each option; the best option is labelled '✓ best' and drawn with a "
        "thick outline, and hidden options are hatched. " + choices_summary(view)
    )


def draw_first_choices(view: View, data: ClassData) -> Figure:
    """One bar per vignette: the share whose first answer was the best response."""
    table = view.table
    labels = [f"{t} (n = {n})" for t, n in zip(table["title"], table["n"], strict=True)]
    left = max(label_width(labels) + Y_AXIS_EXTRA, 1.0)
    fig = fixed_figure(
        max(8, left + 4.5),
        1.4 + 0.34 * max(len(table), 3),
        left=left,
        right=0.6,
        top=0.65,
        bottom=0.6,
    )
    ax = fig.add_subplot()
    chart_title(fig, "First answers that were the best response, per vignette", data, view.n)
    if table.empty:
        hidden_placeholder(ax, "no first answers were shared")
        return fig
    for row, cell in enumerate(table.itertuples()):
        if cell.status == HIDDEN:
            ax.barh(row, 0.12, color="white", hatch=HATCH, edgecolor=HIDDEN_GREY)
            ax.text(0.13, row, HIDDEN, va="center", fontsize=8)
        elif cell.status == COARSE:
            ax.barh(
                row,
                cell.share_high - cell.share_low,
                left=cell.share_low,
                color=PALETTE[2],
                alpha=0.5,
                hatch="..",
                edgecolor="black",
                linewidth=0.5,
            )
            ax.text(cell.share_high + 0.01, row, cell.label, va="center", fontsize=8)
        else:
            ax.barh(row, cell.share, color=PALETTE[2], edgecolor="black", linewidth=0.5)
            ax.text(cell.share + 0.01, row, cell.label, va="center", fontsize=8)
    ax.set_yticks(range(len(table)), labels)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, 1.12)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{p} %" for p in range(0, 101, 20)])
    ax.set_xlabel("share of trainees whose first answer was the best response")
    ax.set_ylabel("vignette")
    return fig


def first_choices_summary(view: View) -> str:
    if view.refused:
        return view.refused
    shown = view.table[view.table["status"] != HIDDEN] if len(view.table) else view.table
    if shown.empty:
        return "No first answers can be shown: fewer than 5 trainees answered each vignette."
    parts = [f"{t} {label}" for t, label in zip(shown["title"], shown["label"], strict=True)]
    return (
        f"First answers of {trainees(view.n)}, share choosing the best response: "
        + "; ".join(parts)
        + "."
    )


def first_choices_alt(view: View) -> str:
    return (
        "Horizontal bars, one per choose vignette, of the share of trainees whose first answer "
        "was the best response; ranges are dotted and hidden vignettes hatched. "
        + first_choices_summary(view)
    )
