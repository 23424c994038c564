"""The course map on the start page: every notebook in order, a link, and the trainee's progress."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers.course import course, exercise_link, show_course_map
from helpers.store import Store

ROOT = Path(__file__).resolve().parents[1]


def write_notebook(folder: Path, name: str, title: str, *vignettes: str) -> None:
    cells = [{"cell_type": "markdown", "source": f"# {title}\n\nProse."}]
    cells += [{"cell_type": "code", "source": f'show_vignette("{v}")'} for v in vignettes]
    (folder / name).write_text(json.dumps({"cells": cells}), "utf-8")


def test_the_course_lists_every_numbered_notebook_in_order(tmp_path: Path) -> None:
    write_notebook(tmp_path, "01-b.ipynb", "Second", "x-01", "x-02")
    write_notebook(tmp_path, "00-a.ipynb", "First")
    write_notebook(tmp_path, "scratch.ipynb", "Not part of the course", "x-09")
    found = course(tmp_path)
    assert [(n.name, n.title, n.vignettes) for n in found] == [
        ("00-a.ipynb", "First", ()),
        ("01-b.ipynb", "Second", ("x-01", "x-02")),
    ]
    assert exercise_link("x-02", tmp_path) == "01-b.ipynb#x-02"
    assert exercise_link("x-09", tmp_path) == ""


def test_course_map_links_each_notebook_with_the_trainees_progress(tmp_path: Path) -> None:
    write_notebook(tmp_path, "00-start.ipynb", "Start here")
    write_notebook(tmp_path, "01-care.ipynb", "Show care", "x-01", "x-02")
    store = Store(tmp_path / "home" / "alliance.db")
    course_map = show_course_map(store=store, folder=tmp_path)
    text = re.sub(r"<[^>]+>", " ", course_map.table.value)
    assert "0 of 2 exercises done" in text and "no exercises" in text
    assert '<a href="01-care.ipynb">Show care</a>' in course_map.table.value
    store.record_answer("x-01", "choose", {"choice": "a"}, correct=False)
    course_map.refresh_button.click()
    assert "1 of 2 exercises done" in course_map.table.value
    store.record_answer("x-02", "choose", {"choice": "b"}, correct=True)
    course_map.refresh()
    assert "✓ all 2 exercises done" in course_map.table.value
    assert "run this cell" in course_map._repr_mimebundle_()["text/plain"]
    course_map.my_work_button.click()
    (page,) = course_map.my_work_box.children
    assert "My work" in page.page.value


def test_the_real_course_starts_at_00_and_every_exercise_has_a_place() -> None:
    found = course(ROOT / "notebooks")
    assert found[0].name.startswith("00-")
    assert sum(len(n.vignettes) for n in found) > 10
