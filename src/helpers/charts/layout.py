"""How every class chart looks: fixed margins, the title with its source and n, the hatched
placeholder for what is hidden, and the shared colours and markers."""

from __future__ import annotations

import os
from functools import lru_cache

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.classview import ClassData, load_class

HATCH = "///"
LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1}  # text over a hatch
HIDDEN_GREY = "#BBBBBB"
# colours for ordered rating bands, low to high (Okabe-Ito)
BAND_COLOURS = ["#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#0072B2"]
COARSE_BAND_COLOURS = ["#D55E00", "#F0E442", "#0072B2"]
MARKERS = ["o", "s", "^", "D"]
# a y-axis's tick marks, tick-label pad, axis label and the space before the figure's edge
Y_AXIS_EXTRA = 0.42


def class_data(data: ClassData | str | os.PathLike[str] | None) -> ClassData:
    """A loaded class, or the class loaded from a path (None: the default class)."""
    return data if isinstance(data, ClassData) else load_class(data)


def fmt_rating(value: float) -> str:
    """A rating for a sentence: one decimal, no trailing '.0'."""
    text = f"{round(float(value), 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def fixed_figure(
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

    The margins are sized for the labels each chart draws (``label_width`` for the ones
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


def label_width(labels, size: float = 10) -> float:
    """The width in inches of the widest label, as matplotlib will draw it."""
    return max((_text_width(str(label), size) for label in labels), default=0.0)


@lru_cache(maxsize=256)
def _text_width(text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=size)  # the font the charts' text is drawn in
    return text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0] / 72


def chart_title(fig: Figure, text: str, data: ClassData, n: int) -> None:
    """The chart's title, with where its data came from and how many trainees it draws on."""
    source = "synthetic sample" if data.is_synthetic else data.source_label
    fig.suptitle(f"{text}\n{source} · n = {n} trainees", fontsize=11)


def hidden_placeholder(ax, message: str = "hidden (n<5): fewer than 5 trainees") -> None:
    """A hatched box saying why a whole chart is hidden, in place of its marks."""
    ax.add_patch(
        Rectangle(
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
