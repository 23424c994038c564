"""My work: every answer, practice response and reflection on one page, from the store only."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from helpers.bank import load_bank
from helpers.cli import main
from helpers.exercises import show_vignette
from helpers.mywork import as_text, my_work, show_my_work
from helpers.store import STORE_FILENAME, Store

FIXTURE = Path(__file__).parent / "fixtures" / "vignettes" / "examples.yaml"


@pytest.fixture
def bank():
    return load_bank([FIXTURE])


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    return Store(tmp_path / "home" / STORE_FILENAME)


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def do_everything(bank, store) -> None:
    choose = show_vignette("demo-01", bank=bank, store=store)
    choose.choose("c")
    choose.check()
    choose.choose("b")
    choose.check()
    rate = show_vignette("demo-02", bank=bank, store=store)
    rate.rate(safety=6, care=7, understanding=9, focus=9)
    rate.compare()
    practice = show_vignette("demo-03", bank=bank, store=store)
    practice.response.value = "It sounds tiring to keep smiling for everyone."
    practice.check()
    practice.tick(0)
    practice.difficulty.value = "too easy"
    dialogue = show_vignette("demo-04", bank=bank, store=store)
    dialogue.say(0)
    dialogue.say(0)
    spot = show_vignette("demo-05", bank=bank, store=store)
    spot.mark(3, "withdrawal")
    spot.check()
    store.save_reflection(
        2,
        "client",
        {"safety": 7, "care": 8, "understanding": 6, "focus": 9},
        {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 4},
        "Practised naming a strain.",
    )


def test_my_work_lists_every_kind_and_each_reflection(bank, store) -> None:
    do_everything(bank, store)
    exercises, reflections = my_work(store, bank)
    assert as_text(exercises, reflections).startswith("My work in Alliance Lab")
    text = "\n".join(line for e in exercises + reflections for line in [e.heading, *e.lines])
    assert "A late arrival, an apology (demo-01) — Choose a response" in text
    assert "“I'm glad you came. It sounds like getting here was hard today.” (the best" in text
    assert "Safety (the client is safe): 6" in text
    assert "Your response: “It sounds tiring to keep smiling for everyone.”" in text
    assert "Rubric checks you met (1 of 2): Names a feeling" in text
    assert "How hard it was for you: too easy." in text
    assert "You said: “Thank you for telling me. What feels unhelpful?”" in text
    assert "You said: “So we have been working on the wrong thing for you.”" in text
    assert "line 3: withdrawal" in text
    assert "Reflection 1: session 2 (as client)" in text
    assert "Your comment: “Practised naming a strain.”" in text and "not shared" in text


def test_the_page_is_a_widget_so_no_notebook_file_keeps_it(bank, store) -> None:
    do_everything(bank, store)
    page = show_my_work(store=store, bank=bank)
    assert "It sounds tiring to keep smiling" in text_of(page.page.value)
    plain = page._repr_mimebundle_()["text/plain"]
    assert "run this cell" in plain and "tiring" not in plain


def test_empty_store_says_nothing_is_saved_yet(bank, store) -> None:
    page = show_my_work(store=store, bank=bank)
    assert "No answers saved yet." in text_of(page.page.value)
    assert "No reflections saved yet." in text_of(page.page.value)


def test_cli_prints_or_writes_a_private_pdf(bank, store, tmp_path, capsys) -> None:
    store.save_reflection(
        1,
        "counselor",
        {"safety": 7, "care": 8, "understanding": 6, "focus": 9},
        {"notice_rupture": 6, "repair_rupture": 5, "ask_feedback": 4},
        "Quiet session.",
    )
    assert main(["my-work"]) == 0
    assert "Your comment: “Quiet session.”" in capsys.readouterr().out
    assert main(["my-work", "--pdf"]) == 0
    pdf = tmp_path / "home" / "my-work.pdf"
    assert str(pdf) in capsys.readouterr().out
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_mode & 0o077 == 0
    target = tmp_path / "portfolio" / "work.pdf"
    assert main(["my-work", "--pdf", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF")


def test_handout_command_writes_the_class_view_without_code(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ALLIANCE_CLASS_DATA", raising=False)
    folder = tmp_path / "week1"
    assert main(["handout", "-o", str(folder)]) == 0
    assert "The handout is in" in capsys.readouterr().out
    assert (folder / "class-reflections.pdf").read_bytes().startswith(b"%PDF")
    assert main(["handout", str(tmp_path / "missing.csv")]) == 2
    assert "no such file or folder" in capsys.readouterr().out
