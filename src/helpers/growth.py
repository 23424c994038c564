"""What the class view can say about skill: the skills snapshot and first attempts.

Two views, each under the same privacy rules as every class view (``helpers.classview``):

- ``skills``: trainees who shared both skills snapshots (before and after the course), paired.
  Shown: each stage's median and quartiles, the median change, and how many rose. Hidden below
  5 paired trainees (S1); below 10, "how many rose" is a 20-point range (S3/S5).
- ``first_choices``: per *choose* vignette (by title), the share of trainees whose FIRST answer
  was the best response: one number per vignette, so a rare wrong option is never a cell of its
  own. Hidden below 5 trainees (S1); below 10, a 20-point range (S3/S5).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.classview import (
    COARSE,
    HIDDEN,
    MIN_TRAINEES,
    SHOWN,
    SMALL_GROUP,
    ClassData,
    Note,
    View,
    _frame,
    share_range_label,
    trainees,
)

SKILLS_MEASURE = "skills"
STAGES = ("before", "after")
SKILLS_MAX = 32  # eight moments of 0-4 points (helpers.skills)


def skills_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """Paired before/after skills-snapshot scores, over trainees who shared both."""
    frame = _frame(data)
    rows = frame.loc[frame["measure"] == SKILLS_MEASURE, ["trainee", "session", "item", "score"]]
    rows = rows.sort_values("session", kind="stable").drop_duplicates(
        ["trainee", "item"], keep="last"
    )
    wide = rows.pivot(index="trainee", columns="item", values="score")
    paired = wide.dropna(subset=[s for s in STAGES if s in wide.columns])
    if not set(STAGES) <= set(wide.columns):
        paired = paired.iloc[0:0]
    n = len(paired)
    columns = ["stage", "median", "q1", "q3", "n", "status"]
    if n < MIN_TRAINEES:
        note = Note(
            "Hidden",
            f"skills snapshot before and after ({trainees(n)} shared both)",
            "fewer than 5 trainees",
        )
        return View("skills", pd.DataFrame(columns=columns), n, [note])
    table = pd.DataFrame(
        [
            (
                stage,
                float(paired[stage].median()),
                float(paired[stage].quantile(0.25)),
                float(paired[stage].quantile(0.75)),
                n,
                SHOWN,
            )
            for stage in STAGES
        ],
        columns=columns,
    )
    change = paired["after"] - paired["before"]
    rose = float((change > 0).mean())
    stats = {"median_change": float(change.median()), "rose": rose, "rose_label": ""}
    notes: list[Note] = []
    if n < SMALL_GROUP:
        low, high, label = share_range_label(rose)
        stats.update(rose=np.nan, rose_low=low, rose_high=high, rose_label=label)
        table["status"] = COARSE
        notes.append(
            Note(
                "Coarsened",
                f"skills snapshot ({trainees(n)})",
                "fewer than 10 trainees, so the share who rose is a 20-point range",
            )
        )
    else:
        stats["rose_label"] = f"{round(rose * 100)} %"
    return View("skills", table, n, notes, stats=pd.DataFrame([stats]))


@lru_cache(maxsize=1)
def _choose_vignettes() -> dict[str, tuple[str, frozenset[str]]]:
    """Each choose vignette's title and its best option ids (from the course's bank)."""
    from helpers.bank import load_bank
    from helpers.classview import _known_options

    titles = {vid: str(v.title) for vid, v in load_bank().vignettes.items()}
    return {
        vid: (titles.get(vid, vid), frozenset(o for o, best in options if best))
        for vid, options in _known_options().items()
    }


def first_choices_table(data: ClassData | pd.DataFrame | None = None) -> View:
    """Per choose vignette, the share of trainees whose first answer was the best one."""
    frame = _frame(data)
    columns = ["vignette", "title", "n", "share", "share_low", "share_high", "label", "status"]
    if "first_option" not in frame.columns:
        note = Note("Hidden", "first attempts", "this class table has no first answers")
        return View("first_choices", pd.DataFrame(columns=columns), 0, [note])
    chosen = frame.loc[
        (frame["measure"] == "choice") & frame["first_option"].astype(str).ne(""),
        ["trainee", "session", "item", "first_option"],
    ]
    chosen = chosen.sort_values("session", kind="stable").drop_duplicates(
        ["trainee", "item"], keep="first"
    )
    known = _choose_vignettes()
    rows, notes = [], []
    for vignette, part in chosen.groupby("item", observed=True):
        vignette = str(vignette)
        title, best = known.get(vignette, (vignette, frozenset()))
        if not best:
            continue
        n = int(part["trainee"].nunique())
        share = float(part["first_option"].astype(str).isin(best).mean())
        if n < MIN_TRAINEES:
            rows.append((vignette, title, n, np.nan, np.nan, np.nan, HIDDEN, HIDDEN))
            notes.append(Note("Hidden", f"{title} ({trainees(n)})", "fewer than 5 trainees"))
        elif n < SMALL_GROUP:
            low, high, label = share_range_label(share)
            rows.append((vignette, title, n, np.nan, low, high, label, COARSE))
            notes.append(
                Note(
                    "Coarsened",
                    f"{title} ({trainees(n)})",
                    "fewer than 10 trainees, so the share is a 20-point range",
                )
            )
        else:
            rows.append((vignette, title, n, share, share, share, f"{round(share * 100)} %", SHOWN))
    table = pd.DataFrame(rows, columns=columns).sort_values("title", kind="stable")
    return View(
        "first_choices", table.reset_index(drop=True), int(chosen["trainee"].nunique()), notes
    )


# ----------------------------------------------------------------------------- charts
# Drawn with the class view's own figure helpers (helpers.charts), imported when drawing so
# that charts can list these views among its own.


def draw_skills(view: View, data: ClassData):
    """Median and quartiles of the skills snapshot before and after, on the 0-32 scale."""
    from helpers.charts import PALETTE, _figure, _hidden_placeholder, _title

    fig = _figure(8, 3.4, left=1.55, right=0.3, top=0.65, bottom=0.75)
    ax = fig.add_subplot()
    _title(fig, "Skills snapshot before and after the course (median, quartiles)", data, view.n)
    if view.suppressed or view.table.empty:
        _hidden_placeholder(ax, "hidden (n<5): fewer than 5 trainees shared both snapshots")
        return fig
    table = view.table.set_index("stage")
    for row, stage in enumerate(STAGES):
        cell = table.loc[stage]
        ax.errorbar(
            [cell["median"]],
            [row],
            xerr=[[cell["median"] - cell["q1"]], [cell["q3"] - cell["median"]]],
            fmt="o" if stage == "before" else "^",
            color=PALETTE[row],
            markersize=9,
            capsize=4,
        )
        ax.text(cell["q3"] + 0.5, row, f"median {cell['median']:g}", va="center", fontsize=9)
    ax.plot(list(table["median"]), [0, 1], color="#777777", linewidth=1, zorder=0)
    ax.set_yticks([0, 1], ["before the course", "after the course"])
    ax.set_ylim(1.5, -0.5)
    ax.set_xlim(0, SKILLS_MAX)
    ax.set_xlabel(f"skills snapshot score (0–{SKILLS_MAX}; the same trainees at both stages)")
    ax.set_ylabel("stage")
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.5)
    return fig


def skills_summary(view: View) -> str:
    if view.refused:
        return view.refused
    if view.suppressed or view.table.empty:
        return (
            "The skills snapshot is hidden: fewer than 5 trainees shared both the before and "
            "the after score."
        )
    table = view.table.set_index("stage")
    stats = view.stats.iloc[0] if view.stats is not None and len(view.stats) else {}
    rose = stats.get("rose_label", "") if len(stats) else ""
    return (
        f"Across {trainees(view.n)} who shared both snapshots, the median score went from "
        f"{table.loc['before', 'median']:g} to {table.loc['after', 'median']:g} of "
        f"{SKILLS_MAX} (median change {stats['median_change']:+g}); the score rose for "
        f"{rose} of them."
    )


def skills_alt(view: View) -> str:
    return (
        "Two markers with quartile bars on a 0–32 scale: the class's median skills-snapshot "
        "score before the course (circle) and after it (triangle), for the same trainees. "
        + skills_summary(view)
    )


def draw_first_choices(view: View, data: ClassData):
    """One bar per vignette: the share whose first answer was the best response."""
    from helpers.charts import (
        HATCH,
        HIDDEN_GREY,
        PALETTE,
        Y_AXIS_EXTRA,
        _figure,
        _hidden_placeholder,
        _label_width,
        _title,
    )

    table = view.table
    labels = [f"{t} (n = {n})" for t, n in zip(table["title"], table["n"], strict=True)]
    left = max(_label_width(labels) + Y_AXIS_EXTRA, 1.0)
    fig = _figure(
        max(8, left + 4.5),
        1.4 + 0.34 * max(len(table), 3),
        left=left,
        right=0.6,
        top=0.65,
        bottom=0.6,
    )
    ax = fig.add_subplot()
    _title(fig, "First answers that were the best response, per vignette", data, view.n)
    if table.empty:
        _hidden_placeholder(ax, "no first answers were shared")
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


# ----------------------------------------------------------------------------- headline figures


def headline_figures(data: ClassData) -> list[tuple[str, bool]]:
    """The figures a seminar comes to the class view for, each with whether it is shown.

    One per guideline for the profile (its median), the self-partner gap and each session the
    class held (a session at least half the class took part in) on the change chart; the first
    and the last such session of each check-in; the skills snapshot; and each choose vignette's
    first answers. A session only a few trainees reached is not a class figure, and the
    per-option breakdown of latest answers is detail, not a headline.
    """
    from helpers.classview import VIEWS, view_of

    views = {name: view_of(name, data) for name in VIEWS}
    figures: list[tuple[str, bool]] = [("skills snapshot", not views["skills"].suppressed)]
    stats = views["profile"].stats
    for row in stats.itertuples() if stats is not None else ():
        figures.append((f"profile median: {row.guideline}", bool(pd.notna(row.median))))
    frame = data.frame
    per_session = frame.groupby("session")["trainee"].nunique()
    held = set(per_session[per_session * 2 >= max(int(frame["trainee"].nunique()), 1)].index)
    change = views["change"].table
    for cell in change.itertuples():
        if cell.session in held:
            figures.append(
                (f"change: {cell.guideline}, session {cell.session}", cell.status != HIDDEN)
            )
    gaps = views["self_vs_partner"].table
    for cell in gaps.itertuples():
        if cell.session in held:
            figures.append(
                (f"self-partner: {cell.guideline}, session {cell.session}", cell.status != HIDDEN)
            )
    for cell in views["checkins"].table.itertuples():
        figures.append((f"check-in: {cell.checkin}, {cell.when}", cell.status != HIDDEN))
    for cell in views["first_choices"].table.itertuples():
        figures.append((f"first answers: {cell.title}", cell.status != HIDDEN))
    return figures
