"""The skills snapshot chart: the class's median score before and after the course, for the
trainees who shared both snapshots (the view is ``helpers.growth.skills_table``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from helpers.charts.layout import chart_title, fixed_figure, hidden_placeholder
from helpers.classview import ClassData, View, trainees
from helpers.figures import PALETTE
from helpers.growth import SKILLS_MAX, STAGES

ROW_LABELS = {
    "before": "before the course",
    "after": "after the course",
    "rubric before": "your rubric, before",
    "rubric after": "your rubric, after",
}


def draw_skills(view: View, data: ClassData) -> Figure:
    """Median and quartiles of the skills snapshot before and after, on the 0-32 scale (and
    the instructor's rubric scores of the same trainees, when there are any)."""
    stages = list(view.table["stage"]) if len(view.table) else list(STAGES)
    height = 3.4 + 0.55 * max(len(stages) - 2, 0)
    left = 1.55 if len(stages) <= 2 else 1.85  # room for "your rubric, before"
    fig = fixed_figure(8, height, left=left, right=0.3, top=0.65, bottom=0.75)
    ax = fig.add_subplot()
    chart_title(
        fig, "Skills snapshot before and after the course (median, quartiles)", data, view.n
    )
    if view.suppressed or view.table.empty:
        hidden_placeholder(ax, "hidden (n<5): fewer than 5 trainees shared both snapshots")
        return fig
    table = view.table.set_index("stage")
    for row, stage in enumerate(stages):
        cell = table.loc[stage]
        ax.errorbar(
            [cell["median"]],
            [row],
            xerr=[[cell["median"] - cell["q1"]], [cell["q3"] - cell["median"]]],
            fmt="o" if stage.endswith("before") else "^",
            color=PALETTE[row],
            markersize=9,
            capsize=4,
        )
        ax.text(cell["q3"] + 0.5, row, f"median {cell['median']:g}", va="center", fontsize=9)
    for pair in range(0, len(stages), 2):
        medians = list(table["median"].iloc[pair : pair + 2])
        ax.plot(medians, [pair, pair + 1], color="#777777", linewidth=1, zorder=0)
    ax.set_yticks(range(len(stages)), [ROW_LABELS.get(s, s) for s in stages])
    ax.set_ylim(len(stages) - 0.5, -0.5)
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
        f"{rose} of them." + _rubric_sentence(table)
    )


def _rubric_sentence(table) -> str:
    if "rubric before" not in table.index:
        return ""
    return (
        f" Your own rubric scores of the same trainees went from "
        f"{table.loc['rubric before', 'median']:g} to {table.loc['rubric after', 'median']:g}."
    )


def skills_alt(view: View) -> str:
    return (
        "Two markers with quartile bars on a 0–32 scale: the class's median skills-snapshot "
        "score before the course (circle) and after it (triangle), for the same trainees. "
        + skills_summary(view)
    )
