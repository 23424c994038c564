"""Charts over the practice sessions: change in partner ratings, self-ratings against partner
ratings, and the rupture check-ins of the first session and the last."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from helpers.charts.layout import (
    HATCH,
    HIDDEN_GREY,
    LABEL_BOX,
    MARKERS,
    Y_AXIS_EXTRA,
    chart_title,
    fixed_figure,
    fmt_rating,
    hidden_placeholder,
    label_width,
)
from helpers.classview import (
    CHECKIN_NAMES,
    COARSE,
    GUIDELINE_NAMES,
    HIDDEN,
    SHOWN,
    ClassData,
    View,
)
from helpers.figures import PALETTE
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES

# ----------------------------------------------------------------------------- change


def draw_change(view: View, data: ClassData) -> Figure:
    """One facet per guideline, side by side on a shared 0-10 scale: mean partner rating per
    session with its 95 % CI band (medians and quartiles where a session has under 10)."""
    fig = fixed_figure(9, 3.9, left=0.6, right=0.1, top=0.85, bottom=0.55)
    ax = fig.add_subplot()
    chart_title(
        fig, "Change across practice sessions: partner ratings (mean, 95 % CI)", data, view.n
    )
    table = view.table
    sessions = sorted(int(s) for s in table["session"].unique()) if len(table) else [1]
    step = len(sessions) + 1  # a facet's sessions, then a gap before the next facet
    ticks, labels = [], []
    for k, guideline in enumerate(RATED_GUIDELINES):
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
                ax.text(at, 5, "n<5", ha="center", va="center", fontsize=8, bbox=LABEL_BOX)
        ax.text(middle, 10.25, GUIDELINE_NAMES[guideline], ha="center", fontsize="large")
        if k:
            ax.axvline(k * step - 1, color="#999999", linewidth=0.8)
    ax.set_xlim(-0.6, len(RATED_GUIDELINES) * step - 1.4)
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
    for guideline in RATED_GUIDELINES:
        ends = _first_last(view.table, "guideline", guideline)
        if ends is not None:
            first, last = ends
            moves.append((last["centre"] - first["centre"], guideline, first, last))
    if not moves:
        return (
            "Change across sessions needs at least two sessions with 5 or more trainees each; "
            "this class has none to compare."
        )
    moves.sort(key=lambda m: (-round(m[0], 6), RATED_GUIDELINES.index(m[1])))
    top, low = moves[0], moves[-1]
    bands = "shaded bands are 95 % confidence intervals"
    if (view.table["status"] == COARSE).any():
        bands += "; sessions with fewer than 10 trainees show medians and quartiles"

    def describe(move) -> str:
        _, guideline, first, last = move
        return (
            f"{guideline} ({fmt_rating(first['centre'])} in session {int(first['session'])} to "
            f"{fmt_rating(last['centre'])} in session {int(last['session'])})"
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
    fig = fixed_figure(8.5, 4.8, left=0.7, right=1.45, top=0.55, bottom=0.5)
    ax = fig.add_subplot()
    chart_title(
        fig, "Self-ratings minus partner ratings (class averages per session)", data, view.n
    )
    table = view.table
    if view.suppressed:
        hidden_placeholder(ax)
        return fig
    ax.axhspan(-1, 1, color="#EEEEEE", label="within ±1 point")
    ax.axhline(0, color="black", linewidth=0.8)
    offsets = np.linspace(-0.15, 0.15, len(RATED_GUIDELINES))
    for k, guideline in enumerate(RATED_GUIDELINES):
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
        f"Across {view.n} trainees, self-ratings were on average {fmt_rating(abs(mean))} points "
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


# ----------------------------------------------------------------------------- check-ins


def draw_checkins(view: View, data: ClassData) -> Figure:
    """Dumbbells: each check-in's class mean in the first and the last session, with CIs."""
    left = label_width(CHECKIN_NAMES.values()) + Y_AXIS_EXTRA
    fig = fixed_figure(8, 3.8, left=left, right=0.15, top=0.5, bottom=0.85)
    ax = fig.add_subplot()
    chart_title(fig, "Rupture check-ins: first session and last (mean, 95 % CI)", data, view.n)
    table = view.table
    if view.suppressed or table.empty:
        hidden_placeholder(ax)
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
        parts.append(
            f"{CHECKIN_NAMES[item]} {fmt_rating(first['centre'])} → {fmt_rating(last['centre'])}"
        )
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
