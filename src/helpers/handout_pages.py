"""The handout's pages, laid out for paper: A4 landscape, one chart a page at a readable size.

Page 1 says where the data came from, sums the class up in one paragraph and lists what was
hidden and why, grouped by reason. Each chart then gets a page of its own (a chart too tall
for one page, such as the answers on many vignettes, continues on the next), printed at 9/8
of its size or more, so that its smallest text (8 pt on screen) is at least 9 pt on paper.
The summary, the discussion prompts and what the chart held back follow under it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from helpers.charts import ClassChart
from helpers.charts.layout import _text_width
from helpers.classview import VIEW_TITLES, ClassData, Note, View

PAGE_WIDTH, PAGE_HEIGHT = 11.69, 8.27  # A4 landscape, inches
MARGIN = 0.5
BODY = 10  # points
SMALL = 9  # the smallest text on any page
LINE = 1.35  # line height, in multiples of the font size
CHART_DPI = 200  # the charts' pixels per inch on paper
SMALLEST_CHART_TEXT = 8  # points, on screen (tests/test_handout.py checks every chart)
MIN_SCALE = SMALL / SMALLEST_CHART_TEXT  # a chart printed smaller would have text under 9 pt
MAX_SCALE = 1.3
MAX_NOTE_LINES = 4  # what a chart held back, on its page; page 1 and notebook 11 have it all
SPLIT_BY = {"choices": "vignette", "first_choices": "vignette"}  # tall charts continue by


@dataclass
class Inset:
    """A chart printed on a page: the chart as drawn, its scale, and where it sits (inches
    from the page's bottom left)."""

    figure: Figure
    scale: float
    left: float
    bottom: float

    @property
    def width(self) -> float:
        return float(self.figure.get_figwidth()) * self.scale

    @property
    def height(self) -> float:
        return float(self.figure.get_figheight()) * self.scale


@dataclass
class Page:
    """One printed page, and the chart on it (none on page 1)."""

    figure: Figure
    inset: Inset | None = None


# ----------------------------------------------------------------------------- text


def wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` inches at ``size`` points."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            # Agg's hinted glyphs run up to a few percent wider than the outlines measured here
            if line and _text_width(candidate, size) > width * 0.95:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


HANG = 0.3  # inches: where the text of a numbered or bulleted line starts


@dataclass
class Block:
    """A run of text: wrapped lines at one size and weight, with space above it, and a
    bullet or number hanging in the margin of its first line."""

    lines: list[str]
    size: float = BODY
    bold: bool = False
    space_before: float = 0.0  # inches
    hang: str = ""

    @property
    def height(self) -> float:
        return self.space_before + len(self.lines) * self.size * LINE / 72


def block(
    text: str, size: float = BODY, *, bold: bool = False, before: float = 0.0, hang: str = ""
) -> Block:
    width = PAGE_WIDTH - 2 * MARGIN - (HANG if hang else 0.0)
    return Block(wrap(text, size, width), size, bold, before, hang)


def draw_blocks(fig: Figure, blocks: list[Block], top: float) -> float:
    """Write the blocks down the page from ``top`` (inches from the top); returns where the
    text ends."""
    y = top
    for item in blocks:
        y += item.space_before
        style = {"fontsize": item.size, "weight": "bold" if item.bold else "normal", "va": "top"}
        if item.hang:
            fig.text(MARGIN / PAGE_WIDTH, 1 - y / PAGE_HEIGHT, item.hang, **style)
        left = MARGIN + (HANG if item.hang else 0.0)
        for line in item.lines:
            fig.text(left / PAGE_WIDTH, 1 - y / PAGE_HEIGHT, line, **style)
            y += item.size * LINE / 72
    return y


def page_figure(number: int, pages: int) -> Figure:
    fig = Figure(figsize=(PAGE_WIDTH, PAGE_HEIGHT), dpi=100)
    fig.text(
        1 - MARGIN / PAGE_WIDTH,
        0.3 / PAGE_HEIGHT,
        f"Class reflections · page {number} of {pages}",
        fontsize=SMALL,
        ha="right",
        va="bottom",
    )
    return fig


# ----------------------------------------------------------------------------- what was hidden


def grouped_notes(notes: list[tuple[str, Note]]) -> list[str]:
    """What was held back, one line per kind of action and reason: how many figures, and in
    which charts, instead of one line per cell."""
    groups: dict[tuple[str, str], dict[str, int]] = {}
    for view, note in notes:
        charts = groups.setdefault((note.action, note.reason), {})
        charts[view] = charts.get(view, 0) + 1
    lines = []
    for (action, reason), charts in groups.items():
        total = sum(charts.values())
        where = ", ".join(f"{view} ({n})" for view, n in charts.items())
        figures = "1 figure" if total == 1 else f"{total} figures"
        lines.append(f"{figures} {action.lower()} ({reason}): {where}.")
    return lines


def chart_notes(view: View) -> list[str]:
    """What one chart held back, grouped by reason and naming the cells."""
    groups: dict[tuple[str, str], list[str]] = {}
    for note in view.notes:
        groups.setdefault((note.action, note.reason), []).append(note.what)
    return [
        f"{action} ({reason}): {'; '.join(whats)}." for (action, reason), whats in groups.items()
    ]


# ----------------------------------------------------------------------------- page 1


def summary_paragraph(data: ClassData, charts: list[ClassChart]) -> str:
    """One paragraph for page 1: who the class is, what the handout shows, and its headline."""
    sessions = data.sessions
    span = f"sessions {sessions[0]}–{sessions[-1]}" if sessions else "no practice sessions"
    who = "invented trainees of a synthetic class" if data.is_synthetic else "trainees"
    by_name = {chart.name: chart for chart in charts}
    parts = [
        f"This handout shows what {data.n_trainees} {who} shared from {span}, one chart a page.",
    ]
    for name in ("skills", "profile"):
        if name in by_name:
            parts.append(by_name[name].summary)
    parts.append(
        "The skills snapshot and the first answers on the vignettes are the course's evidence "
        "of skill; the role-play ratings and check-ins show how the practice felt, not that "
        "skill grew."
    )
    return " ".join(parts)


def title_blocks(data: ClassData, charts: list[ClassChart]) -> list[Block]:
    """Page 1: the title, the source, a one-paragraph summary and what was hidden and why."""
    blocks = [block("Class reflections on the therapeutic alliance", 20, bold=True)]
    if data.is_synthetic:
        blocks.append(
            block(
                "SYNTHETIC SAMPLE: these are invented trainees, not a real class.",
                12,
                bold=True,
                before=0.1,
            )
        )
    blocks.append(block(f"Source: {data.source_label}", BODY, before=0.1))
    blocks.append(block("Summary", 13, bold=True, before=0.25))
    blocks.append(block(summary_paragraph(data, charts), 11, before=0.05))
    blocks.append(block("What was hidden and why", 13, bold=True, before=0.25))
    notes = [(VIEW_TITLES[chart.name], note) for chart in charts for note in chart.view.notes]
    lines = grouped_notes(notes) or ["Nothing was hidden: every group had at least 10 trainees."]
    blocks += [block(line, BODY, before=0.05, hang="•") for line in lines]
    blocks.append(
        block(
            "Every chart follows the same rules: any figure drawn from fewer than 5 trainees is "
            "hidden (with one more where it could be worked out from a total); in groups of "
            "fewer than 10, ratings are grouped in bands and shares shown as ranges; no comment "
            "or pseudonym appears. Each chart's page names what it held back, and notebook 11 "
            "lists every hidden figure under 'What was hidden and why'.",
            BODY,
            before=0.2,
        )
    )
    return blocks


# ----------------------------------------------------------------------------- chart pages


def chart_blocks(
    chart: ClassChart, first: bool, size: float = BODY
) -> tuple[list[Block], list[Block]]:
    """The text under a chart: (what it says and asks, what it held back)."""
    if not first:
        return [block("Continued from the page before.", size, before=0.05)], []
    says = [
        block(chart.summary, size, before=0.05),
        block("Discuss:", size, bold=True, before=0.08),
    ]
    says += [block(prompt, size, hang=f"{i}.") for i, prompt in enumerate(chart.prompts, start=1)]
    held = [block(line, SMALL) for line in chart_notes(chart.view)]
    return says, held


def _trimmed(held: list[Block], room: float) -> list[Block]:
    """What a chart held back, cut to ``room`` inches and to a few lines, with a pointer."""
    lines = [line for item in held for line in item.lines]
    step = SMALL * LINE / 72
    fits = min(MAX_NOTE_LINES, int((room - 0.08) / step))
    if len(lines) <= fits:
        return [Block(lines, SMALL, space_before=0.08)] if lines else []
    kept = lines[: max(fits - 1, 0)]
    kept.append("… and more: page 1 groups them all, and notebook 11 lists each one.")
    return [Block(kept, SMALL, space_before=0.08)] if fits > 0 else []


BOTTOM = 0.5  # room kept for the page number, inches
GAP = 0.1  # between the heading, the chart and the text, inches


def head_blocks(chart: ClassChart, part: tuple[int, int]) -> list[Block]:
    number, parts = part
    heading = chart.heading if parts == 1 else f"{chart.heading} ({number} of {parts})"
    return [block(heading, 16, bold=True), block(chart.banner, SMALL, before=0.04)]


def chart_room(chart: ClassChart, first: bool, size: float = BODY) -> float:
    """The height a chart can take on its page once its heading and text are placed."""
    head = sum(item.height for item in head_blocks(chart, (1, 1)))
    text = sum(item.height for item in chart_blocks(chart, first, size)[0])
    return PAGE_HEIGHT - MARGIN - head - 2 * GAP - text - BOTTOM


def text_size(chart: ClassChart, first: bool, height: float) -> float:
    """The size of the text under a chart: 10 pt, or 9 pt where the chart would otherwise
    print too small to read."""
    return BODY if chart_room(chart, first) >= height * MIN_SCALE else SMALL


def chart_page(chart: ClassChart, figure: Figure, part: tuple[int, int], fig: Figure) -> Inset:
    """Lay one chart (or one part of it) out on the page ``fig``."""
    top = draw_blocks(fig, head_blocks(chart, part), MARGIN)
    width, height = (float(v) for v in figure.get_size_inches())
    size = text_size(chart, part[0] == 1, height)
    says, held = chart_blocks(chart, part[0] == 1, size)
    room = chart_room(chart, part[0] == 1, size)
    scale = min(MAX_SCALE, (PAGE_WIDTH - 2 * MARGIN) / width, room / height)
    inset = Inset(figure, scale, (PAGE_WIDTH - width * scale) / 2, 0.0)
    inset.bottom = PAGE_HEIGHT - top - GAP - inset.height
    ax = fig.add_axes(
        (
            inset.left / PAGE_WIDTH,
            inset.bottom / PAGE_HEIGHT,
            inset.width / PAGE_WIDTH,
            inset.height / PAGE_HEIGHT,
        )
    )
    ax.imshow(chart_pixels(figure), interpolation="antialiased", aspect="auto")
    ax.set_axis_off()
    below = top + 2 * GAP + inset.height
    room_left = PAGE_HEIGHT - BOTTOM - below - sum(item.height for item in says)
    draw_blocks(fig, says + _trimmed(held, room_left), below)
    return inset


def chart_pixels(figure: Figure) -> np.ndarray:
    """The chart as 8-bit RGB pixels at print resolution (a quarter of the memory of
    matplotlib's float RGBA)."""
    from PIL import Image

    from helpers.figures import png_bytes

    with Image.open(io.BytesIO(png_bytes(figure, dpi=CHART_DPI, tight=False))) as png:
        return np.asarray(png.convert("RGB"))


def chart_parts(chart: ClassChart, data: ClassData, draw: Callable) -> list[Figure]:
    """The chart as one figure, or, when it is too tall for a page at a readable size, as
    several, each with whole vignettes (so no vignette's hidden cells are split up)."""
    figure = draw(chart.view, data)
    room = chart_room(chart, True, SMALL) / MIN_SCALE
    key = SPLIT_BY.get(chart.name)
    table = chart.view.table
    if float(figure.get_figheight()) <= room or key is None or table.empty:
        return [figure]
    groups = [table[table[key] == value] for value in dict.fromkeys(table[key])]
    parts, current = [], []
    for group in groups:
        trial = draw(_part(chart.view, [*current, group]), data)
        limit = room if not parts else chart_room(chart, False, SMALL) / MIN_SCALE
        if current and float(trial.get_figheight()) > limit:
            parts.append(draw(_part(chart.view, current), data))
            current = [group]
        else:
            current.append(group)
    parts.append(draw(_part(chart.view, current), data))
    return parts


def _part(view: View, groups: list) -> View:
    import pandas as pd

    table = pd.concat(groups).reset_index(drop=True)
    return View(view.name, table, view.n, view.notes, view.stats, view.refused)


def handout_pages(
    data: ClassData, charts: list[ClassChart], draws: dict[str, Callable]
) -> list[Page]:
    """Every page of the handout, in order: page 1, then each chart's page or pages."""
    parts = [
        (chart, figure)
        for chart in charts
        for figure in chart_parts(chart, data, draws[chart.name])
    ]
    total = 1 + len(parts)
    title = page_figure(1, total)
    draw_blocks(title, title_blocks(data, charts), MARGIN)
    pages = [Page(title)]
    seen: dict[str, int] = {}
    counts = {chart.name: sum(1 for c, _ in parts if c is chart) for chart in charts}
    for number, (chart, figure) in enumerate(parts, start=2):
        seen[chart.name] = seen.get(chart.name, 0) + 1
        fig = page_figure(number, total)
        inset = chart_page(chart, figure, (seen[chart.name], counts[chart.name]), fig)
        pages.append(Page(fig, inset))
    return pages


def plain_text(blocks: list[Block]) -> str:
    """The text of some blocks, each block one line (what the tests read)."""
    return "\n".join(" ".join([item.hang, *item.lines]).strip() for item in blocks)
