"""My work: every answer, practice response and reflection of the trainee on one page, for a
supervision portfolio. Read from the trainee's private store only, never from a notebook.

    show_my_work()              # in the course (the start page has a button for it)
    alliance my-work            # as text in a terminal
    alliance my-work --pdf      # as a PDF in the private folder (or --pdf FILE)
"""

from __future__ import annotations

import argparse
import html
import sqlite3
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ipywidgets as widgets

from helpers.exercises.base import TextLine, button, full_width, guideline_name, status
from helpers.files import replace_atomically
from helpers.vocabulary import display_text

KIND_WORDS = display_text("kind_words")
PDF_NAME = "my-work.pdf"


@dataclass
class Entry:
    """One exercise or reflection: a heading and lines of what the trainee did."""

    heading: str
    lines: list[str] = field(default_factory=list)


def _vignette(bank: Any, vignette_id: str) -> Any | None:
    try:
        return bank.get(vignette_id) if bank is not None else None
    except Exception:  # noqa: BLE001 - a vignette since removed is shown by its id
        return None


def _choose(exercise: dict[str, Any], answer: dict[str, Any], correct: bool | None) -> list[str]:
    texts = {str(o.get("id")): str(o.get("text", "")) for o in exercise.get("options", [])}
    chosen = str(answer.get("option", ""))
    verdict = "the best response" if correct else "not the best response"
    return [f"Your latest choice: “{texts.get(chosen, chosen)}” ({verdict})."]


def _rate(answer: dict[str, Any]) -> list[str]:
    ratings = answer.get("ratings", {}) or {}
    return ["Your ratings: " + "; ".join(f"{guideline_name(k)}: {v}" for k, v in ratings.items())]


def _practice(exercise: dict[str, Any], answer: dict[str, Any]) -> list[str]:
    lines = [f"Your response: “{str(answer.get('response', '')).strip()}”"]
    rubric = [str(item) for item in exercise.get("rubric", [])]
    met = [item for item, tick in zip(rubric, answer.get("rubric", []), strict=False) if tick]
    lines.append(
        f"Rubric checks you met ({len(met)} of {len(rubric)}): " + ("; ".join(met) or "none")
    )
    if answer.get("difficulty"):
        lines.append(f"How hard it was for you: {answer['difficulty']}.")
    return lines


def _dialogue(exercise: dict[str, Any], answer: dict[str, Any]) -> list[str]:
    steps = {str(s.get("id")): s for s in exercise.get("steps", [])}
    step = steps.get(str(exercise.get("start", "")))
    said = []
    for index in answer.get("path", []) or []:
        try:
            choice = step["choices"][int(index)]
        except (TypeError, KeyError, IndexError, ValueError):
            break
        said.append(f"You said: “{choice.get('text', '')}”")
        step = steps.get(str(choice.get("next", "")))
    if not said:
        return ["You started the conversation again and have not answered since."]
    ending = " The conversation ended." if answer.get("ended") else ""
    return [*said, f"{len(said)} choice(s) made.{ending}"]


def _spot(answer: dict[str, Any]) -> list[str]:
    marks = answer.get("marks", []) or []
    shown = "; ".join(f"line {n}: {m}" for n, m in enumerate(marks, 1) if m)
    return [
        f"Your marks: {shown or 'none'}.",
        f"{answer.get('score', 0)} of {answer.get('total', len(marks))} lines right.",
    ]


def answer_lines(kind: str, exercise: dict[str, Any], answer: Any) -> list[str]:
    """What the trainee did in one exercise, in plain sentences."""
    saved = answer.answer
    if kind == "choose":
        return _choose(exercise, saved, answer.correct)
    if kind == "rate":
        return _rate(saved)
    if kind == "practice":
        return _practice(exercise, saved)
    if kind == "dialogue":
        return _dialogue(exercise, saved)
    if kind == "spot":
        return _spot(saved)
    return [str(saved)]


def exercise_entries(store: Any, bank: Any, order: list[str] | None = None) -> list[Entry]:
    """One entry per exercise answered, in course order, from the latest saved answer."""
    latest: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for answer in store.answers():
        if answer.readable:
            latest[answer.vignette_id] = answer
            counts[answer.vignette_id] = counts.get(answer.vignette_id, 0) + 1
    ranked = {vid: n for n, vid in enumerate(order or [])}
    entries = []
    for vignette_id in sorted(latest, key=lambda v: (ranked.get(v, len(ranked)), v)):
        answer = latest[vignette_id]
        vignette = _vignette(bank, vignette_id)
        title = str(vignette.title) if vignette is not None else vignette_id
        exercise = dict(vignette.exercise) if vignette is not None else {}
        kind = KIND_WORDS.get(answer.kind, answer.kind)
        lines = answer_lines(answer.kind, exercise, answer)
        lines.append(f"Saved {counts[vignette_id]} time(s); last on {answer.created[:10]}.")
        entries.append(Entry(f"{title} ({vignette_id}) — {kind}", lines))
    return entries


def reflection_entries(store: Any) -> list[Entry]:
    entries = []
    for number, reflection in enumerate(store.reflections(), 1):
        role = {"counselor": "as counselor", "client": "as client"}.get(
            str(reflection.get("role")), str(reflection.get("role"))
        )
        lines = [
            "Ratings: "
            + "; ".join(f"{k}: {v}" for k, v in (reflection.get("ratings") or {}).items()),
            "Check-ins: "
            + "; ".join(f"{k}: {v}" for k, v in (reflection.get("checkins") or {}).items()),
        ]
        if reflection.get("text"):
            lines.append(f"Your comment: “{reflection['text']}”")
        shared = "shared with the instructor" if reflection.get("shared_as") else "not shared"
        lines.append(f"Saved on {str(reflection.get('created', ''))[:10]}; {shared}.")
        entries.append(
            Entry(f"Reflection {number}: session {reflection.get('session')} ({role})", lines)
        )
    return entries


def my_work(store: Any = None, bank: Any = None) -> tuple[list[Entry], list[Entry]]:
    """The trainee's exercises and reflections, read from their private store."""
    from helpers.course import course
    from helpers.exercises.sources import default_bank
    from helpers.store import get_store

    store = store if store is not None else get_store()
    if bank is None:
        try:
            bank = default_bank()
        except Exception:  # noqa: BLE001 - ids stand in for titles
            bank = None
    order = [vid for notebook in course() for vid in notebook.vignettes]
    return exercise_entries(store, bank, order), reflection_entries(store)


def as_html(exercises: list[Entry], reflections: list[Entry]) -> str:
    def section(title: str, entries: list[Entry], empty: str) -> str:
        if not entries:
            return f"<h3>{title}</h3><p>{empty}</p>"
        items = "".join(
            f"<li><strong>{html.escape(e.heading)}</strong><ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in e.lines)
            + "</ul></li>"
            for e in entries
        )
        return f"<h3>{title}</h3><ul>{items}</ul>"

    return section("Exercises", exercises, "No answers saved yet.") + section(
        "Reflections", reflections, "No reflections saved yet."
    )


def as_text(exercises: list[Entry], reflections: list[Entry]) -> str:
    out = ["My work in Alliance Lab", ""]
    for title, entries in (("Exercises", exercises), ("Reflections", reflections)):
        out += [title, "=" * len(title)]
        if not entries:
            out.append("Nothing saved yet.")
        for entry in entries:
            out.append(entry.heading)
            out += [
                textwrap.fill(line, 88, initial_indent="  ", subsequent_indent="    ")
                for line in entry.lines
            ]
        out.append("")
    return "\n".join(out)


class MyWork(TextLine, widgets.VBox):
    """My work, shown in the course; kept in a widget so no saved notebook ever holds it."""

    def __init__(self, store: Any = None, bank: Any = None) -> None:
        self.store = store
        self.bank = bank
        self.page = widgets.HTML("", layout=full_width())
        self.refresh_button = button(
            "Refresh my work", "Read your saved work again", lambda _: self.refresh(), "refresh"
        )
        super().__init__(children=[self.page, self.refresh_button], layout=full_width())
        self.add_class("alliance-my-work")
        self.refresh()

    def __repr__(self) -> str:
        return "My work: run this cell (or Run ▸ Run All Cells) to see it."

    def refresh(self) -> None:
        try:
            exercises, reflections = my_work(self.store, self.bank)
        except (sqlite3.Error, OSError, ValueError) as error:
            self.page.value = status(
                f"<p>Your saved work could not be read ({html.escape(str(error))}). Tell your "
                "instructor if this keeps happening.</p>"
            )
            return
        self.page.value = status(
            "<h2>My work</h2><p>Everything below comes from your private folder. For a "
            "portfolio, run <code>alliance my-work --pdf</code> in a terminal.</p>"
            + as_html(exercises, reflections)
        )


def show_my_work(*, store: Any = None, bank: Any = None) -> MyWork:
    """Every answer, practice response and reflection you saved, on one page."""
    return MyWork(store, bank)


# -- alliance my-work ------------------------------------------------------------------------


def write_pdf(text: str, path: Path) -> Path:
    """The text as a plain A4 PDF (matplotlib, no other tool needed), readable by the owner only."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    lines = text.splitlines()
    per_page = 60

    def write(out: IO[bytes]) -> None:
        with PdfPages(out, metadata={"Title": "My work", "CreationDate": None}) as pdf:
            for start in range(0, max(len(lines), 1), per_page):
                figure = Figure(figsize=(8.27, 11.69))
                figure.text(
                    0.06,
                    0.96,
                    "\n".join(lines[start : start + per_page]),
                    va="top",
                    ha="left",
                    family="DejaVu Sans",
                    fontsize=8.5,
                )
                pdf.savefig(figure)

    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, write)
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pdf",
        nargs="?",
        const="",
        metavar="FILE",
        help=f"write a PDF (default: {PDF_NAME} in your private folder) instead of printing",
    )


def run(args: argparse.Namespace) -> int:
    from helpers.store import StoreError

    try:
        exercises, reflections = my_work()
    except (StoreError, sqlite3.Error, OSError) as error:
        print(f"alliance my-work: your saved work could not be read ({error}).")
        return 2
    text = as_text(exercises, reflections)
    if args.pdf is None:
        print(text)
        return 0
    from helpers.paths import alliance_home

    target = Path(args.pdf) if args.pdf else alliance_home() / PDF_NAME
    try:
        written = write_pdf(text, target)
    except OSError as error:
        print(f"alliance my-work: the PDF could not be written to {target} ({error}).")
        return 2
    print(f"Your work is in {written} (only you can open it).")
    return 0
