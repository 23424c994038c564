"""The printable handout of the class view, and the ``alliance handout`` command.

``write_handout`` saves the class view as one PDF (a title page, then a page per chart) and a
PNG per chart. The command does the same with no code:

    alliance handout                       # the synthetic sample class (for practice)
    alliance handout class.csv             # a class table from 'alliance collect'
    alliance handout /srv/dropbox -o week3 # a drop folder, into the folder week3/

The same rules as in notebook 11 apply: small groups stay hidden, every view of a real class
passes the release log (S8), and a new handout from a class that changed by fewer than five
trainees is refused (S4, ``helpers.classview.snapshots``).
"""

from __future__ import annotations

import argparse
import os
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from helpers.charts import CHARTS, ClassChart, make_chart
from helpers.charts.layout import class_data
from helpers.classview import ClassData
from helpers.classview.snapshots import SnapshotError, check_snapshot, record_snapshot
from helpers.files import replace_atomically

HANDOUT_PDF = "class-reflections.pdf"


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

    data = class_data(data)
    folder = Path(folder)
    record = check_snapshot(data, folder)
    charts = [make_chart(name, data) for name in CHARTS]
    refused = [chart.view.refused for chart in charts if chart.view.refused]
    if refused:  # rule S8, whatever the folder
        raise SnapshotError(refused[0])
    folder.mkdir(parents=True, exist_ok=True)
    title = title_page_lines(data, charts)
    pdf_path = folder / HANDOUT_PDF

    def write_pdf(out) -> None:
        with PdfPages(out, metadata={"Title": "Class reflections", "CreationDate": None}) as pdf:
            _text_page(pdf, title)
            for chart in charts:
                _chart_page(pdf, chart)

    replace_atomically(pdf_path, write_pdf, mode=None)  # a failed run never leaves half a handout
    for number, chart in enumerate(charts, 1):
        name = f"{number:02d}-{chart.name.replace('_', '-')}.png"
        replace_atomically(folder / name, chart.figure.png)
    record_snapshot(folder, record)  # last: a failed run leaves the old snapshot in force
    return pdf_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        nargs="?",
        default=None,
        help="class.csv from 'alliance collect' or a drop folder (default: ALLIANCE_CLASS_DATA, "
        "else the synthetic sample class)",
    )
    parser.add_argument(
        "-o", "--folder", default="handout", help="folder to write to (default: handout)"
    )


def run(args: argparse.Namespace) -> int:
    from helpers.classview import ClassDataError, load_class

    try:
        path = write_handout(load_class(args.source), args.folder)
    except ClassDataError as error:  # includes a refused snapshot: the message says why
        print(f"alliance handout: {error}")
        return 2
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"alliance handout: the handout could not be written to {args.folder} ({reason}).")
        return 2
    print(f"The handout is in {path} (with one PNG per chart beside it).")
    return 0
