"""The course as a trainee moves through it: its notebooks in order, where each exercise is, and
how far the trainee has got (``show_course_map()`` on the start page).

Links are relative to the notebook showing them, so the same link opens the other notebook's
page in the trainee view (``…/voila/render/03-show-genuine-care.ipynb``) and the notebook itself
in JupyterLab (``…/lab/tree/03-show-genuine-care.ipynb``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from helpers.exercises.base import TextLine, button, escape, full_width, status

NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"
_EXERCISE_CALL = re.compile(r"""show_vignette\(\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Notebook:
    """One course notebook: its file name, title and the vignettes its exercises show."""

    name: str
    title: str
    vignettes: tuple[str, ...]

    @property
    def number(self) -> str:
        return self.name[:2]


def notebooks_folder() -> Path:
    """The folder of the course's notebooks: the kernel's own folder when it holds them (a
    notebook or trainee-view page runs there), else the course's ``notebooks/``."""
    here = Path.cwd()
    if any(here.glob(NOTEBOOK_PATTERN)):
        return here
    from helpers.paths import data_dir

    return data_dir().parent / "notebooks"


def _read(path: Path, mtime: float) -> Notebook:
    return _read_cached(str(path), mtime)


@lru_cache(maxsize=64)
def _read_cached(path: str, _mtime: float) -> Notebook:
    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    title = ""
    found: list[str] = []
    for cell in cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "markdown" and not title:
            match = re.search(r"^#\s+(.+)$", source, re.M)
            title = match[1].strip() if match else ""
        elif cell.get("cell_type") == "code":
            found += [m for m in _EXERCISE_CALL.findall(source) if m not in found]
    return Notebook(Path(path).name, title or Path(path).stem, tuple(found))


def course(folder: Path | None = None) -> list[Notebook]:
    """Every course notebook, in its numbered order (a notebook that cannot be read is listed
    with its file name as title and no exercises)."""
    folder = folder or notebooks_folder()
    found = []
    for path in sorted(folder.glob(NOTEBOOK_PATTERN)):
        try:
            found.append(_read(path, path.stat().st_mtime))
        except (OSError, ValueError):
            found.append(Notebook(path.name, path.stem, ()))
    return found


def current_notebook() -> str:
    """The file name of the notebook this kernel runs, when the server says (else "")."""
    return Path(os.environ.get("JPY_SESSION_NAME", "")).name


def exercise_link(vignette_id: str, folder: Path | None = None) -> str:
    """A relative link to the exercise's place in the course (``05-….ipynb#focus-03``), or ""
    when no notebook shows it. Within the current notebook the link is the anchor alone."""
    for notebook in course(folder):
        if vignette_id in notebook.vignettes:
            if notebook.name == current_notebook():
                return f"#{vignette_id}"
            return f"{notebook.name}#{vignette_id}"
    return ""


def notebook_label(name: str, folder: Path | None = None) -> str:
    """'notebook 05 (Keep the focus on the client)' for a file name."""
    for notebook in course(folder):
        if notebook.name == name:
            return f"notebook {notebook.number} ({notebook.title})"
    return name


class CourseMap(TextLine, widgets.VBox):
    """Every notebook in order, each a link, with how many of its exercises the trainee did."""

    def __init__(self, store: Any, folder: Path | None = None, problem: str = "") -> None:
        self.store = store
        self.folder = folder
        self.problem = problem
        self.table = widgets.HTML("", layout=full_width())
        self.refresh_button = button(
            "Refresh my progress",
            "Count again the exercises you have done in each notebook",
            lambda _: self.refresh(),
            icon="refresh",
        )
        self.my_work_button = button(
            "Show all my work",
            "Every answer, practice response and reflection you saved, on one page",
            lambda _: self.show_my_work(),
            icon="folder-open",
        )
        self.my_work_box = widgets.VBox([], layout=full_width())
        super().__init__(
            children=[
                self.table,
                widgets.HBox([self.refresh_button, self.my_work_button]),
                self.my_work_box,
            ],
            layout=full_width(),
        )
        self.add_class("alliance-course-map")
        self.refresh()

    def __repr__(self) -> str:
        return "The course's notebooks and your progress: run this cell (or Run ▸ Run All Cells)."

    def show_my_work(self) -> None:
        """Show every saved answer and reflection below the map (read again each time)."""
        from helpers.mywork import show_my_work

        self.my_work_box.children = [show_my_work(store=self.store)]

    def done(self) -> set[str]:
        if self.store is None:
            return set()
        try:
            return self.store.answered_vignettes()
        except (sqlite3.Error, OSError) as error:
            self.problem = f"Your saved answers could not be read ({error})."
            return set()

    def refresh(self) -> None:
        done = self.done()
        rows = []
        for notebook in course(self.folder):
            total = len(notebook.vignettes)
            count = sum(v in done for v in notebook.vignettes)
            if not total:
                progress = "no exercises"
            elif count == total:
                progress = f"✓ all {total} exercises done"
            else:
                progress = f"{count} of {total} exercises done"
            rows.append(
                f'<tr><td>{escape(notebook.number)}</td><td><a href="{escape(notebook.name)}">'
                f"{escape(notebook.title)}</a></td><td>{escape(progress)}</td></tr>"
            )
        note = f"<p><em>{escape(self.problem)}</em></p>" if self.problem else ""
        self.table.value = status(
            '<table class="alliance-course"><caption>The course, in order, with your progress'
            '</caption><thead><tr><th scope="col">No.</th><th scope="col">Notebook (opens it)'
            '</th><th scope="col">Your progress</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table>"
            + note
        )


def show_course_map(*, store: Any = None, folder: Path | None = None) -> CourseMap:
    """The course's notebooks in order, each a link, with the trainee's progress in each."""
    problem = ""
    if store is None:
        from helpers.exercises.sources import default_store

        store, problem = default_store()
    return CourseMap(store, folder, problem)
