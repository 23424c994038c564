"""The class view's charts and the printable handout (notebook 11).

Each chart is drawn only from a ``View`` of ``helpers.classview`` (so every privacy rule has
already been applied), says where its data came from at the top, and comes with a one-sentence
summary, alt text and two or three discussion prompts. ``class_report`` shows them all;
``write_handout`` saves them as one PDF plus a PNG per chart.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers.classview import (
    CHECKIN_NAMES,
    COARSE,
    GUIDELINE_NAMES,
    HIDDEN,
    MIN_TRAINEES,
    SHOWN,
    ClassData,
    ClassDataError,
    View,
    load_class,
    view_of,
)
from helpers.figures import PALETTE, AccessibleFigure, accessible_figure
from helpers.files import replace_atomically
from helpers.sample import CHECKINS, GUIDELINES

HATCH = "///"
LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1}  # text over a hatch
HIDDEN_GREY = "#BBBBBB"
SNAPSHOT_FILE = "handout.json"
HANDOUT_PDF = "class-reflections.pdf"
# colours for ordered rating bands, low to high (Okabe-Ito)
BAND_COLOURS = ["#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#0072B2"]
COARSE_BAND_COLOURS = ["#D55E00", "#F0E442", "#0072B2"]
MARKERS = ["o", "s", "^", "D"]

PROMPTS: dict[str, list[str]] = {
    "skills": [
        "Which kinds of moment (an angry client, a hint of suicide, a request for advice) still "
        "pull replies toward advice or reassurance? What would a first reply look like instead?",
        "The score counts kinds of response, not warmth or timing. What does it miss that a "
        "supervisor watching a recording would see?",
        "Read your own two snapshots side by side (notebook 10): which change are you proudest of?",
    ],
    "first_choices": [
        "On which vignettes was the first answer most often not the best one? What made the "
        "tempting option tempting?",
        "What did the best response do for the alliance (goal, task, bond) that the first "
        "instinct did not?",
        "First answers are closer to what happens in the room than answers after feedback. "
        "Where would you want more practice?",
    ],
    "profile": [
        "Which guideline did the class find hardest to offer, seen from the client's chair? "
        "What makes it hard in a practice session?",
        "Where are the ratings most spread out? What might trainees at the two ends be doing "
        "differently?",
        "What would a client need from you to move your rating up one band?",
    ],
    "change": [
        "Which guideline grew most across the sessions, and what in the practice helped it?",
        "Which guideline changed least? Is it harder to learn, or harder to notice when it "
        "is there?",
        "Where do the bands overlap? What does that say about reading too much into one session?",
    ],
    "self_vs_partner": [
        "Counselors often rate themselves above their clients. What might the counselor miss "
        "that the client notices?",
        "On which guideline were self and partner ratings closest? Why might that be?",
        "How could you ask a client for feedback on the alliance in the session itself?",
    ],
    "choices": [
        "Where a tempting option drew many answers, what made it tempting?",
        "What did the best response do for the alliance (goal, task, bond) that the others "
        "did not?",
        "Would your first answer be different with a real client in the room? Why?",
    ],
    "checkins": [
        "Which rupture skill grew most from the first session to the last?",
        "What helped you notice a rupture you would have missed in the first session?",
        "Asking for feedback can feel awkward: what wording felt natural to you?",
    ],
}

HEADINGS = {
    "skills": "Skills snapshot before and after the course",
    "first_choices": "First answers on the vignettes",
    "profile": "Class profile on the four guidelines",
    "change": "Change across practice sessions",
    "self_vs_partner": "Self-ratings and partner ratings",
    "choices": "What the class chose on the vignettes",
    "checkins": "Rupture check-ins, first session and last",
}


@dataclass
class ClassChart:
    """One chart of the class view: the figure, the view behind it and its prompts."""

    name: str
    heading: str
    banner: str
    figure: AccessibleFigure
    view: View
    prompts: list[str]

    @property
    def summary(self) -> str:
        return self.figure.summary

    @property
    def alt(self) -> str:
        return self.figure.alt

    def note_lines(self) -> list[str]:
        return [str(note) for note in self.view.notes]

    def __repr__(self) -> str:
        lines = [self.banner, self.summary]
        lines += self.note_lines()
        lines.append("Discuss:")
        lines += [f"{i}. {prompt}" for i, prompt in enumerate(self.prompts, 1)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(line)}</li>" for line in self.note_lines())
        prompts = "".join(f"<li>{html.escape(prompt)}</li>" for prompt in self.prompts)
        return (
            f"<p><strong>{html.escape(self.banner)}</strong></p>"
            + self.figure._repr_html_()
            + (f"<ul>{notes}</ul>" if notes else "")
            + f"<p>Discuss:</p><ol>{prompts}</ol>"
        )


@dataclass
class ClassReport:
    """Every chart of the class view, each under its heading."""

    charts: list[ClassChart]

    def __repr__(self) -> str:
        return "\n\n".join(f"{c.heading}\n{c!r}" for c in self.charts)

    def _repr_html_(self) -> str:
        return "".join(f"<h3>{html.escape(c.heading)}</h3>{c._repr_html_()}" for c in self.charts)


def _data(data: ClassData | str | os.PathLike[str] | None) -> ClassData:
    return data if isinstance(data, ClassData) else load_class(data)


def _fmt(value: float) -> str:
    """A rating for a sentence: one decimal, no trailing '.0'."""
    text = f"{round(float(value), 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _figure(
    width: float,
    height: float,
    *,
    left: float,
    right: float,
    top: float,
    bottom: float,
    rows: int = 1,
    cols: int = 1,
    hgap: float = 0.0,
    wgap: float = 0.0,
) -> Figure:
    """A figure whose axes sit inside fixed margins, in inches.

    The margins are sized for the labels each chart draws (``_label_width`` for the ones
    that come from the data), so the figure is drawn once: an automatic layout would draw it
    a second time just to measure it. Tests check that no text is clipped or overlaps.
    """
    fig = Figure(figsize=(width, height), dpi=100)
    cell_w = (width - left - right - (cols - 1) * wgap) / cols
    cell_h = (height - top - bottom - (rows - 1) * hgap) / rows
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=wgap / cell_w,
        hspace=hgap / cell_h,
    )
    return fig


def _label_width(labels, size: float = 10) -> float:
    """The width in inches of the widest label, as matplotlib will draw it."""
    return max((_text_width(str(label), size) for label in labels), default=0.0)


@lru_cache(maxsize=256)
def _text_width(text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=size)  # the font the charts' text is drawn in
    return text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0] / 72


# a y-axis's tick marks, tick-label pad, axis label and the space before the figure's edge
Y_AXIS_EXTRA = 0.42


def _title(fig: Figure, text: str, data: ClassData, n: int) -> None:
    source = "synthetic sample" if data.is_synthetic else data.source_label
    fig.suptitle(f"{text}\n{source} · n = {n} trainees", fontsize=11)


def _hidden_placeholder(ax, message: str = "hidden (n<5): fewer than 5 trainees") -> None:
    ax.add_patch(
        __import__("matplotlib.patches", fromlist=["Rectangle"]).Rectangle(
            (0.05, 0.3),
            0.9,
            0.4,
            transform=ax.transAxes,
            facecolor="white",
            edgecolor=HIDDEN_GREY,
            hatch=HATCH,
            gid="hidden-placeholder",
        )
    )
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        bbox={"facecolor": "white", "edgecolor": "none"},
    )
    ax.set_xticks([])
    ax.set_yticks([])


# ----------------------------------------------------------------------------- profile


def draw_profile(view: View, data: ClassData) -> Figure:
    """Stacked bars: the share of partner ratings in each band, per guideline."""
    left = _label_width(GUIDELINE_NAMES.values()) + Y_AXIS_EXTRA
    # the medians are written just right of the bars, at most "median 9.5" or "median 10"
    right = _label_width(["median 9.5"], size=9) + 0.25
    fig = _figure(8, 4.2, left=left, right=right, top=0.5, bottom=1.1)
    ax = fig.add_subplot()
    _title(fig, "Class profile: ratings from the client's chair, all sessions", data, view.n)
    if view.suppressed:
        _hidden_placeholder(ax)
        return fig
    table = view.table
    bands = list(dict.fromkeys(table["band"]))
    colours = dict(
        zip(bands, BAND_COLOURS if len(bands) == 5 else COARSE_BAND_COLOURS, strict=True)
    )
    y = np.arange(len(GUIDELINES))
    if (table["status"] == COARSE).any():
        _profile_grid(ax, table, bands, colours)
    else:
        _profile_bars(ax, table, colours)
    for row, guideline in enumerate(GUIDELINES):
        stats = view.stats[view.stats["guideline"] == guideline].iloc[0]
        if not np.isnan(stats["median"]):
            ax.text(1.02, row, f"median {_fmt(stats['median'])}", va="center", fontsize=9)
    handles = [Patch(facecolor=colours[b], edgecolor="black", label=b) for b in bands]
    handles.append(Patch(facecolor="white", edgecolor=HIDDEN_GREY, hatch=HATCH, label=HIDDEN))
    ax.set_yticks(y, [GUIDELINE_NAMES[g] for g in GUIDELINES])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    if (table["status"] == COARSE).any():
        ax.set_xticks([])
        ax.set_xlabel("rating bands; share of partner ratings as 20-point ranges (n < 10)")
    else:
        ax.set_xticks(np.linspace(0, 1, 6), [f"{p} %" for p in range(0, 101, 20)])
        ax.set_xlabel("share of partner ratings (0–10, in bands)")
    ax.set_ylabel("guideline")
    ax.legend(
        handles=handles,
        title="rating band",
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=len(handles),
        frameon=False,
    )
    return fig


def _profile_bars(ax, table, colours: dict[str, str]) -> None:
    """One stacked bar per guideline; hidden bands are drawn together as one hatched block at
    the right end (their combined share only, never one band's, and never posing as a
    particular band). All bars are drawn in two calls: one for the bands, one for the blocks."""
    bands: dict[str, list] = {"y": [], "width": [], "left": [], "color": []}
    blocks: dict[str, list] = {"y": [], "width": [], "left": []}
    for row, guideline in enumerate(GUIDELINES):
        cells = table[table["guideline"] == guideline]
        hidden_width = 1 - float(cells.loc[cells["status"] == SHOWN, "share"].sum())
        left = 0.0
        for cell in cells.itertuples():
            if cell.status == HIDDEN or cell.share <= 0:
                continue
            colour = colours[cell.band]
            for key, value in zip(bands, (row, cell.share, left, colour), strict=True):
                bands[key].append(value)
            if cell.share >= 0.07:
                # the band is named in the bar, so colour is never the only way to read it
                text = f"{cell.band}\n{cell.label}" if cell.share >= 0.1 else cell.label
                ax.text(
                    left + cell.share / 2,
                    row,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if colour in ("#D55E00", "#0072B2") else "black",
                )
            left += cell.share
        if hidden_width > 1e-9:
            for key, value in zip(blocks, (row, hidden_width, left), strict=True):
                blocks[key].append(value)
            if hidden_width >= 0.1:
                ax.text(
                    left + hidden_width / 2,
                    row,
                    "hidden",
                    ha="center",
                    va="center",
                    fontsize=8,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
                )
    if bands["y"]:
        ax.barh(
            bands["y"],
            bands["width"],
            left=bands["left"],
            color=bands["color"],
            edgecolor="black",
            linewidth=0.5,
        )
    if blocks["y"]:
        ax.barh(
            blocks["y"],
            blocks["width"],
            left=blocks["left"],
            color="white",
            edgecolor=HIDDEN_GREY,
            hatch=HATCH,
            gid="hidden",
        )


def _profile_grid(ax, table, bands: list[str], colours: dict[str, str]) -> None:
    """For groups under 10 trainees: a grid of share ranges (no exact bar lengths). A shown
    cell is the more opaque the higher its range; hidden cells are hatched."""
    from matplotlib.colors import to_rgba

    width = 1 / len(bands)
    shown: dict[str, list] = {"y": [], "left": [], "color": [], "edgecolor": []}
    hidden: dict[str, list] = {"y": [], "left": []}
    for row, guideline in enumerate(GUIDELINES):
        cells = table[table["guideline"] == guideline].set_index("band")
        for k, band in enumerate(bands):
            cell = cells.loc[band]
            if cell["status"] == HIDDEN:
                hidden["y"].append(row)
                hidden["left"].append(k * width)
            else:
                alpha = 0.35 + 0.65 * float(cell["share_high"])
                shown["y"].append(row)
                shown["left"].append(k * width)
                shown["color"].append(to_rgba(colours[band], alpha))
                shown["edgecolor"].append(to_rgba("black", alpha))
            ax.text(
                (k + 0.5) * width,
                row,
                f"{band}: {cell['label']}",
                ha="center",
                va="center",
                fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )
    if shown["y"]:
        ax.barh(shown.pop("y"), width, linewidth=0.5, **shown)
    if hidden["y"]:
        ax.barh(
            hidden.pop("y"),
            width,
            left=hidden["left"],
            color="white",
            edgecolor=HIDDEN_GREY,
            linewidth=0.5,
            hatch=HATCH,
            gid="hidden",
        )


def profile_summary(view: View) -> str:
    if view.suppressed:
        return f"The class profile is hidden: fewer than {MIN_TRAINEES} trainees rated."
    stats = view.stats.dropna(subset=["median"])
    medians = ", ".join(f"{row.guideline} {_fmt(row.median)}" for row in stats.itertuples())
    spread = (stats["q3"] - stats["q1"]).round(2)
    least = stats["guideline"].iloc[int(np.argmin(spread.to_numpy()))]
    return (
        f"Across {view.n} trainees, the median rating from the client's chair was "
        f"{medians}; {least} ratings varied least (narrowest middle half)."
    )


def profile_alt(view: View) -> str:
    return (
        "Horizontal stacked bar chart, one bar per guideline (safety, care, understanding, "
        "focus), split into rating bands from low to high; hatched grey parts are hidden "
        "because fewer than 5 trainees fell in them. " + profile_summary(view)
    )


# ----------------------------------------------------------------------------- change


def draw_change(view: View, data: ClassData) -> Figure:
    """One facet per guideline, side by side on a shared 0-10 scale: mean partner rating per
    session with its 95 % CI band (medians and quartiles where a session has under 10)."""
    fig = _figure(9, 3.9, left=0.6, right=0.1, top=0.85, bottom=0.55)
    ax = fig.add_subplot()
    _title(fig, "Change across practice sessions: partner ratings (mean, 95 % CI)", data, view.n)
    table = view.table
    sessions = sorted(int(s) for s in table["session"].unique()) if len(table) else [1]
    step = len(sessions) + 1  # a facet's sessions, then a gap before the next facet
    ticks, labels = [], []
    for k, guideline in enumerate(GUIDELINES):
        colour = PALETTE[k]
        cells = table[table["guideline"] == guideline].set_index("session").reindex(sessions)
        x = k * step + np.arange(len(sessions), dtype=float)
        ticks += list(x)
        labels += [str(s) for s in sessions]
        shown = (cells["status"] == SHOWN).to_numpy()
        first = k == 0  # the first facet's marks name the legend's entries
        ax.fill_between(
            x,
            np.where(shown, cells["low"], np.nan),
            np.where(shown, cells["high"], np.nan),
            color=colour,
            alpha=0.25,
            linewidth=0,
            label="95 % CI" if first else None,
        )
        ax.plot(
            x,
            np.where(shown, cells["mean"], np.nan),
            color=colour,
            marker=MARKERS[k],
            label="mean" if first else None,
            gid=f"mean-{guideline}",
        )
        coarse = (cells["status"] == COARSE).to_numpy()
        if coarse.any():
            ax.errorbar(
                x[coarse],
                cells["median"].to_numpy()[coarse],
                yerr=[
                    (cells["median"] - cells["q1"]).to_numpy()[coarse],
                    (cells["q3"] - cells["median"]).to_numpy()[coarse],
                ],
                fmt=MARKERS[k],
                mfc="white",
                color=colour,
                capsize=3,
                label="median, quartiles (n<10)" if first else None,
            )
        hidden = (cells["status"] == HIDDEN).to_numpy() | cells["status"].isna().to_numpy()
        for at in x[hidden]:
            ax.axvspan(at - 0.4, at + 0.4, facecolor="white", edgecolor=HIDDEN_GREY, hatch=HATCH)
        middle = k * step + (len(sessions) - 1) / 2
        if hidden.all():  # one label for the facet; a session is too narrow for one each
            ax.text(middle, 5, "hidden (n<5)", ha="center", va="center", fontsize=8, bbox=LABEL_BOX)
        else:
            for at in x[hidden]:
                ax.text(at, 5, "n<5", ha="center", va="center", fontsize=7, bbox=LABEL_BOX)
        ax.text(middle, 10.25, GUIDELINE_NAMES[guideline], ha="center", fontsize="large")
        if k:
            ax.axvline(k * step - 1, color="#999999", linewidth=0.8)
    ax.set_xlim(-0.6, len(GUIDELINES) * step - 1.4)
    ax.set_xticks(ticks, labels)
    ax.set_ylim(0, 10)
    ax.set_yticks(range(0, 11, 2), [str(v) for v in range(0, 11, 2)])
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.5)
    ax.set_xlabel("practice session")
    ax.set_ylabel("partner rating (0–10)")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def _first_last(table, key: str, item: str):
    cells = table[(table[key] == item) & (table["status"] != HIDDEN)].sort_values("session")
    if len(cells) < 2:
        return None
    first, last = cells.iloc[0], cells.iloc[-1]
    return first, last


def change_summary(view: View) -> str:
    moves = []
    for guideline in GUIDELINES:
        ends = _first_last(view.table, "guideline", guideline)
        if ends is not None:
            first, last = ends
            moves.append((last["centre"] - first["centre"], guideline, first, last))
    if not moves:
        return (
            "Change across sessions needs at least two sessions with 5 or more trainees each; "
            "this class has none to compare."
        )
    moves.sort(key=lambda m: (-round(m[0], 6), GUIDELINES.index(m[1])))
    top, low = moves[0], moves[-1]
    bands = "shaded bands are 95 % confidence intervals"
    if (view.table["status"] == COARSE).any():
        bands += "; sessions with fewer than 10 trainees show medians and quartiles"

    def describe(move) -> str:
        _, guideline, first, last = move
        return (
            f"{guideline} ({_fmt(first['centre'])} in session {int(first['session'])} to "
            f"{_fmt(last['centre'])} in session {int(last['session'])})"
        )

    return (
        f"Across {view.n} trainees, partner ratings grew most for {describe(top)} and least "
        f"for {describe(low)}; {bands}."
    )


def change_alt(view: View) -> str:
    return (
        "Four line charts side by side on one 0 to 10 scale, one per guideline, of the mean "
        "partner rating in each practice session with a shaded 95 % confidence band; hidden "
        "sessions are hatched. " + change_summary(view)
    )


# ----------------------------------------------------------------------------- self vs partner


def draw_self_vs_partner(view: View, data: ClassData) -> Figure:
    """Self-rating minus partner rating per session, one line per guideline, ±1 band."""
    fig = _figure(8.5, 4.8, left=0.7, right=1.45, top=0.55, bottom=0.5)
    ax = fig.add_subplot()
    _title(fig, "Self-ratings minus partner ratings (class averages per session)", data, view.n)
    table = view.table
    if view.suppressed:
        _hidden_placeholder(ax)
        return fig
    ax.axhspan(-1, 1, color="#EEEEEE", label="within ±1 point")
    ax.axhline(0, color="black", linewidth=0.8)
    offsets = np.linspace(-0.15, 0.15, len(GUIDELINES))
    for k, guideline in enumerate(GUIDELINES):
        cells = table[table["guideline"] == guideline].sort_values("session")
        x = cells["session"].to_numpy(dtype=float) + offsets[k]
        y = cells["difference"].where(cells["status"] != HIDDEN).to_numpy(dtype=float)
        coarse = (cells["status"] == COARSE).to_numpy()
        ax.plot(
            x,
            np.where(coarse, np.nan, y),
            color=PALETTE[k],
            marker=MARKERS[k],
            label=GUIDELINE_NAMES[guideline],
        )
        if coarse.any():
            ax.plot(
                x[coarse],
                y[coarse],
                linestyle="none",
                marker=MARKERS[k],
                mfc="white",
                color=PALETTE[k],
            )
    sessions = sorted(int(s) for s in table["session"].unique())
    ax.set_xticks(sessions)
    ax.set_xlabel("practice session")
    ax.set_ylabel("self minus partner (rating points)")
    low = (
        min(-2.0, float(np.nanmin(table["difference"])) - 0.5)
        if table["difference"].notna().any()
        else -2.0
    )
    high = (
        max(2.0, float(np.nanmax(table["difference"])) + 0.5)
        if table["difference"].notna().any()
        else 2.0
    )
    ax.set_ylim(low, high)
    points = range(int(np.ceil(low)), int(np.floor(high)) + 1)  # whole rating points
    ax.set_yticks(points, [f"{p:+d}".replace("-", "−") if p else "0" for p in points])
    ax.text(
        0.01,
        0.98,
        "above 0: counselors rated themselves higher than partners did",
        transform=ax.transAxes,
        va="top",
        fontsize=8,
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def self_partner_summary(view: View) -> str:
    shown = view.table[view.table["status"] != HIDDEN]
    if shown.empty:
        return "Self and partner ratings are hidden: no session had 5 or more trainees in both."
    mean = float(shown["difference"].mean())
    direction = "above" if mean >= 0 else "below"
    within = int(shown["within_1"].sum())
    return (
        f"Across {view.n} trainees, self-ratings were on average {_fmt(abs(mean))} points "
        f"{direction} partner ratings, and {within} of {len(shown)} session-and-guideline "
        "comparisons were within ±1 point; these compare class averages, not pairs, because "
        "the class table does not record who partnered whom."
    )


def self_partner_alt(view: View) -> str:
    return (
        "Line chart of self-rating minus partner rating (class averages) per practice "
        "session, one line per guideline with its own marker, over a grey band from −1 to +1. "
        + self_partner_summary(view)
    )


# ----------------------------------------------------------------------------- choices


def draw_choices(view: View, data: ClassData) -> Figure:
    """Share of trainees whose latest answer was each option; the best one is marked.

    One block of bars per vignette, under its name and n, all on one shared 0-100 % axis.
    """
    table = view.table
    vignettes = list(dict.fromkeys(table["vignette"])) if len(table) else []
    rows = len(table) + len(vignettes)  # a heading row per vignette, then its options
    labels = [f"{option}  ✓ best" for option in table["option"]] if len(table) else []
    left = max(_label_width(labels) + Y_AXIS_EXTRA, 0.6)
    fig = _figure(8, 1.3 + 0.38 * max(rows, 3), left=left, right=0.1, top=0.6, bottom=0.55)
    ax = fig.add_subplot()
    _title(fig, "Answers on the choose vignettes (✓ = best response)", data, view.n)
    if not vignettes:
        _hidden_placeholder(ax, "no vignette choices were shared")
        return fig
    ticks, tick_labels, row = [], [], 0
    for vignette in vignettes:
        cells = table[table["vignette"] == vignette]
        if row:
            ax.axhline(row - 0.5, color="#999999", linewidth=0.8)
        n = int(cells["n"].iloc[0])
        ax.text(0.005, row, f"{vignette} (n = {n})", va="center", fontsize=10, weight="bold")
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
        parts.append(f"{vignette} {best['option']} {best['label']}")
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


# ----------------------------------------------------------------------------- check-ins


def draw_checkins(view: View, data: ClassData) -> Figure:
    """Dumbbells: each check-in's class mean in the first and the last session, with CIs."""
    left = _label_width(CHECKIN_NAMES.values()) + Y_AXIS_EXTRA
    fig = _figure(8, 3.8, left=left, right=0.15, top=0.5, bottom=0.85)
    ax = fig.add_subplot()
    _title(fig, "Rupture check-ins: first session and last (mean, 95 % CI)", data, view.n)
    table = view.table
    if view.suppressed or table.empty:
        _hidden_placeholder(ax)
        return fig
    styles = {"first": (PALETTE[0], "o"), "last": (PALETTE[1], "^")}
    # the markers of each kind (first or last; mean or median) are drawn in one call
    marks: dict[tuple[str, bool], tuple[list, list, list, list]] = {}
    session_of: dict[str, int] = {}
    links: tuple[list, list] = ([], [])
    for row, item in enumerate(CHECKINS):
        cells = table[table["checkin"] == item]
        ends = []
        for when in styles:
            cell = cells[cells["when"] == when]
            if cell.empty or cell["status"].iloc[0] == HIDDEN:
                continue
            cell = cell.iloc[0]
            session_of[when] = int(cell["session"])
            coarse = cell["status"] == COARSE
            centre, low, high = (
                (cell["median"], cell["q1"], cell["q3"])
                if coarse
                else (cell["mean"], cell["low"], cell["high"])
            )
            for values, value in zip(
                marks.setdefault((when, coarse), ([], [], [], [])),
                (centre, row, centre - low, high - centre),
                strict=True,
            ):
                values.append(value)
            ends.append(cell["centre"])
        if len(ends) == 2:
            links[0].extend([*ends, np.nan])
            links[1].extend([row, row, np.nan])
        else:
            ax.text(0.2, row, "first or last session hidden (n<5)", va="center", fontsize=8)
    if links[0]:
        ax.plot(*links, color="#777777", linewidth=1, zorder=0)
    for when, (colour, marker) in styles.items():
        label = f"{when} session ({session_of[when]})" if when in session_of else None
        for coarse in (False, True):
            if (when, coarse) not in marks:
                continue
            x, y, below, above = marks[(when, coarse)]
            look = {"mfc": "white"} if coarse else {"markersize": 8}
            ax.errorbar(
                x,
                y,
                xerr=[below, above],
                fmt=marker,
                color=colour,
                capsize=3,
                label=label,
                **look,
            )
            label = None  # one legend entry for first, one for last
    ax.set_yticks(range(len(CHECKINS)), [CHECKIN_NAMES[c] for c in CHECKINS])
    ax.invert_yaxis()
    ax.set_xlim(0, 10)
    ax.set_xlabel("check-in rating (0–10)")
    ax.set_ylabel("check-in")
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=8, frameon=False)
    return fig


def checkins_summary(view: View) -> str:
    parts, rises = [], 0
    for item in CHECKINS:
        cells = view.table[(view.table["checkin"] == item) & (view.table["status"] != HIDDEN)]
        if set(cells["when"]) != {"first", "last"}:
            continue
        first = cells[cells["when"] == "first"].iloc[0]
        last = cells[cells["when"] == "last"].iloc[0]
        rises += int(last["centre"] > first["centre"])
        parts.append(f"{CHECKIN_NAMES[item]} {_fmt(first['centre'])} → {_fmt(last['centre'])}")
    if view.table.empty:
        return "No check-ins were shared."
    if not parts:
        return "The check-ins are hidden: the first or last session had fewer than 5 trainees."
    sessions = sorted(int(s) for s in view.table["session"].unique())
    return (
        f"Across {view.n} trainees, from session {sessions[0]} to session {sessions[-1]} the "
        f"class check-ins rose on {rises} of {len(parts)}: {', '.join(parts)}."
    )


def checkins_alt(view: View) -> str:
    return (
        "Dumbbell chart: for each rupture check-in, a circle for the first session's class "
        "mean and a triangle for the last session's, each with a 95 % confidence interval. "
        + checkins_summary(view)
    )


# ----------------------------------------------------------------------------- public calls

# how each view of helpers.classview is drawn, summarised and described
CHARTS: dict[str, tuple[Callable, Callable, Callable]] = {
    "skills": (
        lambda view, data: _growth().draw_skills(view, data),
        lambda view: _growth().skills_summary(view),
        lambda view: _growth().skills_alt(view),
    ),
    "first_choices": (
        lambda view, data: _growth().draw_first_choices(view, data),
        lambda view: _growth().first_choices_summary(view),
        lambda view: _growth().first_choices_alt(view),
    ),
    "profile": (draw_profile, profile_summary, profile_alt),
    "change": (draw_change, change_summary, change_alt),
    "self_vs_partner": (draw_self_vs_partner, self_partner_summary, self_partner_alt),
    "choices": (draw_choices, choices_summary, choices_alt),
    "checkins": (draw_checkins, checkins_summary, checkins_alt),
}


def _growth():
    from helpers import growth

    return growth


def make_chart(name: str, data: ClassData | str | os.PathLike[str] | None = None) -> ClassChart:
    """Aggregate, draw and describe one chart of the class view."""
    data = _data(data)
    chart = data.cache.get(f"chart:{name}")
    if isinstance(chart, ClassChart):
        return chart
    draw, summarise, describe = CHARTS[name]
    view = view_of(name, data)
    if view.refused:  # rule S8: nothing of it is drawn, the reason is said instead
        draw, summarise, describe = _refused_chart, _refused_text, _refused_text
    figure = accessible_figure(
        lambda: draw(view, data), alt=describe(view), summary=summarise(view), tight=False
    )
    chart = ClassChart(name, HEADINGS[name], data.banner, figure, view, list(PROMPTS[name]))
    data.cache[f"chart:{name}"] = chart
    return chart


def _refused_chart(view: View, data: ClassData) -> Figure:
    fig = _figure(8, 2.4, left=0.2, right=0.2, top=0.5, bottom=0.2)
    _title(fig, HEADINGS[view.name], data, view.n)
    _hidden_placeholder(fig.add_subplot(), "not shown again yet (see the note below)")
    return fig


def _refused_text(view: View) -> str:
    return view.refused


def show_skills(data: ClassData | str | None = None) -> ClassChart:
    """The class's skills snapshot before and after the course, for trainees who shared both."""
    return make_chart("skills", data)


def show_first_choices(data: ClassData | str | None = None) -> ClassChart:
    """Per vignette, the share of trainees whose first answer was the best response."""
    return make_chart("first_choices", data)


def show_profile(data: ClassData | str | None = None) -> ClassChart:
    """The class profile on the four guidelines (distributions, not just means)."""
    return make_chart("profile", data)


def show_change(data: ClassData | str | None = None) -> ClassChart:
    """Change across practice sessions per guideline, with 95 % confidence bands."""
    return make_chart("change", data)


def show_self_vs_partner(data: ClassData | str | None = None) -> ClassChart:
    """Where counselors rate themselves above or below their partners."""
    return make_chart("self_vs_partner", data)


def show_choices(data: ClassData | str | None = None) -> ClassChart:
    """What the class answered on each choose vignette, best option marked."""
    return make_chart("choices", data)


def show_checkins(data: ClassData | str | None = None) -> ClassChart:
    """Rupture check-ins in the first session against the last."""
    return make_chart("checkins", data)


@dataclass
class ProfileTable:
    """The class profile as a table: the share of partner ratings in each band, per guideline,
    with the same hiding and coarsening as the chart."""

    banner: str
    view: View

    def rows(self) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """The column names (bands, then the median), and per guideline its name and cells."""
        table = self.view.table
        bands = list(dict.fromkeys(table["band"]))
        cells = {(row["guideline"], row["band"]): row["label"] for row in table.to_dict("records")}
        stats = self.view.stats
        medians = {} if stats is None else stats.set_index("guideline")["median"].to_dict()
        return [*bands, "median"], [
            (
                GUIDELINE_NAMES[g],
                [str(cells[(g, band)]) for band in bands]
                + [HIDDEN if np.isnan(medians.get(g, np.nan)) else _fmt(medians[g])],
            )
            for g in GUIDELINES
        ]

    @property
    def caption(self) -> str:
        return (
            "Class profile: share of the partner ratings in each rating band, per guideline "
            f"({self.view.n} trainees)"
        )

    def __repr__(self) -> str:
        lines = [self.banner, self.caption + "."]
        if self.view.suppressed:
            lines.append(profile_summary(self.view))
        else:
            bands, rows = self.rows()
            width = max(len(GUIDELINE_NAMES[g]) for g in GUIDELINES)
            cell = max(len(text) for _, texts in rows for text in [*texts, *bands])
            head = " | ".join(["guideline".ljust(width)] + [b.ljust(cell) for b in bands])
            lines.append(head.rstrip())
            lines += [
                " | ".join([name.ljust(width)] + [t.ljust(cell) for t in texts]).rstrip()
                for name, texts in rows
            ]
        return "\n".join(lines + [str(note) for note in self.view.notes])

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(str(note))}</li>" for note in self.view.notes)
        if self.view.suppressed:
            body = f"<p>{html.escape(profile_summary(self.view))}</p>"
        else:
            bands, rows = self.rows()
            head = "".join(f"<th scope='col'>{html.escape(b)}</th>" for b in bands)
            body_rows = "".join(
                f"<tr><th scope='row'>{html.escape(name)}</th>"
                + "".join(f"<td>{html.escape(text)}</td>" for text in texts)
                + "</tr>"
                for name, texts in rows
            )
            body = (
                f"<table class='alliance-profile'><caption>{html.escape(self.caption)}</caption>"
                f"<thead><tr><th scope='col'>guideline</th>{head}</tr></thead>"
                f"<tbody>{body_rows}</tbody></table>"
            )
        return (
            f"<p><strong>{html.escape(self.banner)}</strong></p>"
            + body
            + (f"<ul>{notes}</ul>" if notes else "")
        )


def show_profile_table(data: ClassData | str | None = None) -> ProfileTable:
    """The class profile as a table (what the profile chart shows, cell by cell)."""
    data = _data(data)
    return ProfileTable(data.banner, view_of("profile", data))


def class_report(data: ClassData | str | None = None) -> ClassReport:
    """Every chart of the class view, each under its heading, with its prompts."""
    data = _data(data)
    return ClassReport([make_chart(name, data) for name in CHARTS])


# ----------------------------------------------------------------------------- handout


class SnapshotError(ClassDataError):
    """Publishing this handout next to the previous one would reveal a few trainees' answers."""


def snapshot_id(data: ClassData) -> str:
    """A date-free id for the class snapshot: a hash of its submission ids."""
    ids = sorted(str(s) for s in data.frame["submission_id"].unique())
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]


def check_snapshot(data: ClassData, folder: Path) -> dict[str, object]:
    """Rule S4: refuse a handout made from other submissions than the last one published in
    the same folder unless n changed by at least 5 (comparing the two would reveal the answers
    of the few trainees who came, went or were swapped; the same n is no protection)."""
    record = {"n": data.n_trainees, "id": snapshot_id(data)}
    path = folder / SNAPSHOT_FILE
    if not path.exists():
        return record
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
        previous_n = int(previous["n"])
    except (ValueError, KeyError, TypeError):
        raise SnapshotError(
            f"{SNAPSHOT_FILE} in '{folder.name}' is unreadable; move the old handout away or "
            "choose a new folder."
        ) from None
    delta = abs(record["n"] - previous_n)
    if previous.get("id") != record["id"] and delta == 0:
        raise SnapshotError(
            f"Not published: this class has {record['n']} trainees, as many as the handout "
            f"already in '{folder.name}', but not the same submissions. Two handouts that "
            "differ by a few submissions let readers work out what those trainees answered. "
            f"Publish again when at least {MIN_TRAINEES} trainees more (or fewer) have shared, "
            "or keep the earlier handout."
        )
    if previous.get("id") != record["id"] and delta < MIN_TRAINEES:
        raise SnapshotError(
            f"Not published: this class has {record['n']} trainees and the handout already in "
            f"'{folder.name}' was made from {previous_n}. Two handouts that differ by "
            f"{delta} trainee{'s' if delta > 1 else ''} let readers work out what "
            f"{'those trainees' if delta > 1 else 'that trainee'} answered. Publish again "
            f"when at least {MIN_TRAINEES} trainees more (or fewer) have shared, or keep the "
            "earlier handout."
        )
    return record


MORE_HIDDEN = "... more not shown here: see 'What was hidden and why' in notebook 11."


def _write(fig: Figure, lines: list[str], y: float, width: int, size: int, step: float) -> None:
    """Write wrapped lines down the page; stop with a pointer when the page is full."""
    parts = []
    for line in lines:
        bold = line.startswith("# ")
        parts += [(p, bold) for p in textwrap.wrap(line[2:] if bold else line, width) or [""]]
    for index, (part, bold) in enumerate(parts):
        if y < 0.05 and index < len(parts) - 1:
            fig.text(0.07, y, MORE_HIDDEN, fontsize=size, style="italic", va="top")
            return
        fig.text(
            0.07,
            y,
            part,
            fontsize=16 if bold else size,
            weight="bold" if bold else "normal",
            va="top",
        )
        y -= step * (1.6 if bold else 1)


def _text_page(pdf, lines: list[str]) -> None:
    fig = Figure(figsize=(8.27, 11.69))
    _write(fig, lines, 0.94, 95, 10, 0.02)
    pdf.savefig(fig)


def _chart_page(pdf, chart: ClassChart) -> None:
    import io

    from PIL import Image

    fig = Figure(figsize=(8.27, 11.69))
    fig.text(0.07, 0.96, chart.heading, fontsize=14, weight="bold", va="top")
    fig.text(0.07, 0.935, chart.banner, fontsize=9, va="top")
    # 8-bit RGB, embedded as it is: a quarter of the memory of matplotlib's float RGBA, and
    # no resampling (the chart keeps its own pixels in the PDF).
    with Image.open(io.BytesIO(chart.figure.png)) as png:
        image = np.asarray(png.convert("RGB"))
    ax = fig.add_axes((0.07, 0.42, 0.86, 0.5))
    ax.imshow(image, interpolation="none")
    ax.set_axis_off()
    lines = [chart.summary, "", "Discuss:"]
    lines += [f"{i}. {p}" for i, p in enumerate(chart.prompts, 1)] + [""] + chart.note_lines()
    _write(fig, lines, 0.39, 100, 9, 0.018)
    pdf.savefig(fig)


def title_page_lines(data: ClassData, charts: list[ClassChart]) -> list[str]:
    """The handout's first page: the source, whether it is synthetic, and what was hidden."""
    notes = [line for chart in charts for line in chart.note_lines()]
    lines = ["# Class reflections on the therapeutic alliance", ""]
    if data.is_synthetic:
        lines += ["SYNTHETIC SAMPLE: these are invented trainees, not a real class.", ""]
    lines += [
        f"Source: {data.source_label}",
        f"{data.n_trainees} trainees, sessions {data.sessions[0]}–{data.sessions[-1]}.",
        "",
        "Privacy: any group or cell with fewer than 5 trainees is hidden; in groups of fewer "
        "than 10, ratings and shares are coarsened; no free text or pseudonym appears.",
        "",
        "What was hidden and why:",
    ]
    lines += notes or ["Nothing was hidden: every group had at least 10 trainees."]
    return lines


def write_handout(
    data: ClassData | str | os.PathLike[str] | None = None,
    folder: str | os.PathLike[str] = "handout",
) -> Path:
    """Save the class view as one PDF (title page, then a page per chart) and a PNG per
    chart in ``folder``; returns the PDF's path. Refuses (S4) a handout made from other
    submissions than the previous one in the same folder unless n changed by 5 or more."""
    from matplotlib.backends.backend_pdf import PdfPages

    data = _data(data)
    folder = Path(folder)
    record = check_snapshot(data, folder)
    charts = [make_chart(name, data) for name in CHARTS]
    refused = [chart.view.refused for chart in charts if chart.view.refused]
    if refused:  # rule S8, whatever the folder
        raise SnapshotError(refused[0])
    folder.mkdir(parents=True, exist_ok=True)
    title = title_page_lines(data, charts)
    pdf_path = folder / HANDOUT_PDF
    partial = folder / f".{HANDOUT_PDF}.partial"
    with PdfPages(partial, metadata={"Title": "Class reflections", "CreationDate": None}) as pdf:
        _text_page(pdf, title)
        for chart in charts:
            _chart_page(pdf, chart)
    os.replace(partial, pdf_path)  # a failed run never leaves half a handout
    for number, chart in enumerate(charts, 1):
        (folder / f"{number:02d}-{chart.name.replace('_', '-')}.png").write_bytes(chart.figure.png)
    # Last, once the PDF and PNGs are complete: a failed run leaves the old snapshot in force.
    replace_atomically(folder / SNAPSHOT_FILE, (json.dumps(record) + "\n").encode("utf-8"))
    return pdf_path
