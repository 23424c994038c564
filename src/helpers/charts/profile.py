"""The class profile: how partners' ratings spread across rating bands, per guideline, as a
chart and as a table with the same hiding and coarsening."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers.charts.layout import (
    BAND_COLOURS,
    COARSE_BAND_COLOURS,
    HATCH,
    HIDDEN_GREY,
    Y_AXIS_EXTRA,
    chart_title,
    class_data,
    fixed_figure,
    fmt_rating,
    hidden_placeholder,
    label_width,
)
from helpers.classview import (
    COARSE,
    GUIDELINE_NAMES,
    HIDDEN,
    MIN_TRAINEES,
    SHOWN,
    ClassData,
    View,
    view_of,
)
from helpers.vocabulary import RATED_GUIDELINES


def draw_profile(view: View, data: ClassData) -> Figure:
    """Stacked bars: the share of partner ratings in each band, per guideline."""
    left = label_width(GUIDELINE_NAMES.values()) + Y_AXIS_EXTRA
    # the medians are written just right of the bars, at most "median 9.5" or "median 10"
    right = label_width(["median 9.5"], size=9) + 0.25
    fig = fixed_figure(8, 4.2, left=left, right=right, top=0.5, bottom=1.1)
    ax = fig.add_subplot()
    chart_title(fig, "Class profile: ratings from the client's chair, all sessions", data, view.n)
    if view.suppressed:
        hidden_placeholder(ax)
        return fig
    table = view.table
    bands = list(dict.fromkeys(table["band"]))
    colours = dict(
        zip(bands, BAND_COLOURS if len(bands) == 5 else COARSE_BAND_COLOURS, strict=True)
    )
    y = np.arange(len(RATED_GUIDELINES))
    if (table["status"] == COARSE).any():
        _profile_grid(ax, table, bands, colours)
    else:
        _profile_bars(ax, table, colours)
    for row, guideline in enumerate(RATED_GUIDELINES):
        stats = view.stats[view.stats["guideline"] == guideline].iloc[0]
        if not np.isnan(stats["median"]):
            ax.text(1.02, row, f"median {fmt_rating(stats['median'])}", va="center", fontsize=9)
    handles = [Patch(facecolor=colours[b], edgecolor="black", label=b) for b in bands]
    handles.append(Patch(facecolor="white", edgecolor=HIDDEN_GREY, hatch=HATCH, label=HIDDEN))
    ax.set_yticks(y, [GUIDELINE_NAMES[g] for g in RATED_GUIDELINES])
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
    for row, guideline in enumerate(RATED_GUIDELINES):
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
    for row, guideline in enumerate(RATED_GUIDELINES):
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
    medians = ", ".join(f"{row.guideline} {fmt_rating(row.median)}" for row in stats.itertuples())
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
                + [HIDDEN if np.isnan(medians.get(g, np.nan)) else fmt_rating(medians[g])],
            )
            for g in RATED_GUIDELINES
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
            width = max(len(GUIDELINE_NAMES[g]) for g in RATED_GUIDELINES)
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
    data = class_data(data)
    return ProfileTable(data.banner, view_of("profile", data))
