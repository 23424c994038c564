"""The printable handout of the class view, and the ``alliance handout`` command.

``write_handout`` saves the class view as one PDF (a title page, then a page per chart) and a
PNG per chart. The command does the same with no code:

    alliance handout                       # the synthetic sample class (for practice)
    alliance handout class.csv             # a class table from 'alliance collect'
    alliance handout /srv/dropbox -o week3 # a drop folder, into the folder week3/

Without ``-o``, and from notebook 11's button, a class's handouts go to
~/alliance-handouts/<class code>/, so each new one is checked against the one before.

The same rules as in notebook 11 apply: small groups stay hidden, every view of a real class
passes the release log (S8), and a new handout from a class that changed by fewer than five
trainees is refused (S4, ``helpers.classview.snapshots``).
"""

from __future__ import annotations

import argparse
import html
import os
from pathlib import Path

import ipywidgets as widgets

from helpers.charts import CHARTS, make_chart
from helpers.charts.layout import class_data
from helpers.classview import ClassData
from helpers.classview.snapshots import SnapshotError, check_snapshot, record_snapshot
from helpers.files import replace_atomically
from helpers.handout_pages import handout_pages

HANDOUT_PDF = "class-reflections.pdf"
HANDOUTS = "alliance-handouts"  # in the home folder: one folder per class


def write_handout(
    data: ClassData | str | os.PathLike[str] | None = None,
    folder: str | os.PathLike[str] = "handout",
) -> Path:
    """Save the class view as one PDF (page 1, then a landscape page per chart) and a PNG per
    chart in ``folder``; returns the PDF's path. Refuses (S4) a handout made from other
    submissions than the previous one in the same folder unless n changed by 5 or more, and
    (S8) one whose views the release log holds back."""
    from matplotlib.backends.backend_pdf import PdfPages

    data = class_data(data)
    folder = Path(folder)
    record = check_snapshot(data, folder)
    charts = [make_chart(name, data) for name in CHARTS]
    refused = [chart for chart in charts if chart.view.refused]
    if refused:  # rule S8, whatever the folder
        raise SnapshotError(
            f"Not published: the {refused[0].heading.lower()} of this class changed for fewer "
            "than 5 trainees since it was last shown, so a new handout would reveal what they "
            "shared; publish again when at least 5 more trainees have shared."
        )
    pages = handout_pages(data, charts, {name: draw for name, (draw, _, _) in CHARTS.items()})
    folder.mkdir(parents=True, exist_ok=True)

    def write_pdf(out) -> None:
        with PdfPages(out, metadata={"Title": "Class reflections", "CreationDate": None}) as pdf:
            for page in pages:
                pdf.savefig(page.figure)

    # whole or not at all; the usual mode of a new file, as a handout is made to be shared
    replace_atomically(folder / HANDOUT_PDF, write_pdf, mode=None)
    for number, chart in enumerate(charts, 1):
        name = f"{number:02d}-{chart.name.replace('_', '-')}.png"
        replace_atomically(folder / name, chart.figure.png, mode=None)
    record_snapshot(folder, record)  # last: a failed run leaves the old snapshot in force
    return folder / HANDOUT_PDF


def handout_folder(data: ClassData) -> Path:
    """Where a class's handouts go unless told otherwise: one folder per class under
    ~/alliance-handouts (outside the course folder), so that every new handout of a class is
    checked against the one before it (S4)."""
    from helpers.classview import release_log_path

    return Path.home() / HANDOUTS / release_log_path(data).stem


def make_handout(data: ClassData, folder: str | os.PathLike[str] | None = None) -> tuple[bool, str]:
    """Write the handout; whether it was written, and where it is or (in one sentence) why
    it was not."""
    from helpers.classview import ClassDataError

    try:
        where = Path(folder) if folder is not None else handout_folder(data)
        path = write_handout(data, where)
    except ClassDataError as error:  # includes a refused handout: the message says why
        return False, str(error)
    except OSError as error:
        reason = error.strerror or str(error)
        return (
            False,
            f"The handout could not be written ({reason}); check the folder and try again.",
        )
    return True, f"The handout is in {path}, with one PNG per chart beside it."


class HandoutButton(widgets.VBox):
    """A button that writes the class's handout, and one line saying what happened."""

    def __init__(self, data: ClassData) -> None:
        self.data = data
        self.button = widgets.Button(
            description="Make the handout",
            tooltip="Save the class view as a PDF and a PNG per chart",
            layout=widgets.Layout(width="auto"),
        )
        self.status = widgets.HTML("", layout=widgets.Layout(width="100%"))
        self.button.on_click(self._make)
        super().__init__([self.button, self.status])

    def _make(self, _button: object = None) -> None:
        self.button.disabled = True
        self.status.value = "<p role='status'>Making the handout (about half a minute)…</p>"
        try:
            _, message = make_handout(self.data)
        except Exception as error:  # noqa: BLE001 (the button never shows a traceback)
            message = (
                f"The handout could not be made ({error or error.__class__.__name__}); nothing "
                "was published. If it keeps happening, pass this on to the course maintainers."
            )
        finally:
            self.button.disabled = False
        self.status.value = f"<p role='status'>{html.escape(message)}</p>"

    def __repr__(self) -> str:
        return "Make the handout: a button (run this cell to use it)."


def handout_button(data: ClassData | str | os.PathLike[str] | None = None) -> HandoutButton:
    """The notebook's button for the handout of ``data`` (notebook 11)."""
    return HandoutButton(class_data(data))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        nargs="?",
        default=None,
        help="class.csv from 'alliance collect' or a drop folder (default: ALLIANCE_CLASS_DATA, "
        "else the synthetic sample class)",
    )
    parser.add_argument(
        "-o",
        "--folder",
        default=None,
        help=f"folder to write to (default: ~/{HANDOUTS}/ and the class code)",
    )


def run(args: argparse.Namespace) -> int:
    from helpers.classview import ClassDataError, load_class

    try:
        data = load_class(args.source)
    except ClassDataError as error:
        print(f"alliance handout: {error}")
        return 2
    written, message = make_handout(data, args.folder)
    print(message if written else f"alliance handout: {message}")
    return 0 if written else 2
