"""The handout reads on paper: landscape pages, one chart a page, no text under 9 pt, nothing
clipped, page 1 a summary and a short, grouped list of what was hidden; refusals in one
sentence; the command and the notebook's button."""

from __future__ import annotations

import re

import pytest

from helpers.charts import CHARTS, make_chart
from helpers.classview import sample_class
from helpers.figures import png_bytes
from helpers.handout_pages import (
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SMALL,
    grouped_notes,
    handout_pages,
    summary_paragraph,
)
from tests.test_charts import drawn_texts, layout_problems

DRAWS = {name: draw for name, (draw, _, _) in CHARTS.items()}


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ALLIANCE_CLASS_DATA", raising=False)


def pages_of(data):
    charts = [make_chart(name, data) for name in CHARTS]
    return charts, handout_pages(data, charts, DRAWS)


CLASSES = {
    "sample of 30": lambda: sample_class(),
    "14 shared": lambda: sample_class().smaller(14),
    "8 shared": lambda: sample_class().smaller(8),
    "3 shared": lambda: sample_class().smaller(3),
}


@pytest.mark.parametrize("case", list(CLASSES))
def test_every_page_is_landscape_a4_with_no_text_under_9_pt_and_nothing_clipped(case):
    charts, pages = pages_of(CLASSES[case]())
    assert len(pages) >= 1 + len(CHARTS)  # page 1, then at least a page per chart
    for number, page in enumerate(pages, start=1):
        fig = page.figure
        assert tuple(round(v, 2) for v in fig.get_size_inches()) == (PAGE_WIDTH, PAGE_HEIGHT)
        assert png_bytes(fig, dpi=40, tight=False).startswith(b"\x89PNG")  # it renders
        texts = drawn_texts(fig)
        sizes = [text.get_fontsize() for text, _ in texts]
        assert min(sizes) >= SMALL, f"{case}, page {number}: text at {min(sizes)} pt"
        edge = fig.dpi * MARGIN * 0.8  # inside the printable margin
        for text, box in texts:
            where = f"{case}, page {number}: {text.get_text()[:40]!r}"
            assert box.x0 >= edge and box.x1 <= fig.bbox.x1 - edge, f"{where} runs off the side"
            assert box.y0 >= fig.dpi * 0.15 and box.y1 <= fig.bbox.y1 - edge, f"{where} cut off"
        if page.inset is None:
            continue
        inset = page.inset
        chart_texts = drawn_texts(inset.figure)
        smallest = min(text.get_fontsize() for text, _ in chart_texts) * inset.scale
        assert smallest >= SMALL - 1e-6, f"{case}, page {number}: chart text at {smallest:.1f} pt"
        assert layout_problems(inset.figure) == [], f"{case}, page {number}"
        image = fig.axes[0].get_window_extent()
        assert image.x0 >= edge and image.x1 <= fig.bbox.x1 - edge, f"{case}, page {number}"
        for text, box in texts:  # the page's own text never sits on the chart
            assert not image.overlaps(box), f"{case}, page {number}: {text.get_text()[:40]!r}"


def test_a_class_with_many_vignettes_continues_the_choices_chart_on_more_pages():
    charts, pages = pages_of(sample_class())
    headings = [page.figure.texts[1].get_text() for page in pages[1:]]
    choices = [h for h in headings if h.startswith("What the class chose on the vignettes")]
    assert len(choices) >= 2
    assert choices[0].endswith(f"(1 of {len(choices)})")
    shown = set()
    for page in pages[1:]:
        if page.figure.texts[1].get_text() in choices:
            labels = [
                t.get_text() for t in page.inset.figure.axes[0].texts if "(n = " in t.get_text()
            ]
            shown |= {label.split(" (n = ")[0] for label in labels}
    view = make_chart("choices", sample_class()).view
    assert shown == set(view.table["title"])  # every vignette, by title, each on one page only


def test_page_1_is_a_summary_and_a_short_grouped_list_of_what_was_hidden():
    data = sample_class().smaller(8)
    charts, pages = pages_of(data)
    text = [t.get_text() for t in pages[0].figure.texts]
    assert "SYNTHETIC SAMPLE: these are invented trainees, not a real class." in text
    assert "Summary" in text and "What was hidden and why" in text
    notes = [(chart.name, note) for chart in charts for note in chart.view.notes]
    groups = grouped_notes(notes)
    assert len(notes) > 2 * len(groups)  # grouped: far fewer lines than notes
    assert len(groups) <= 10
    assert not any(line.startswith("Hidden:") for line in text)
    summary = summary_paragraph(data, charts)
    assert summary.startswith("This handout shows what 8 invented trainees")
    assert charts[0].summary in summary  # the skills snapshot's headline


def test_grouped_notes_count_each_reason_once_per_chart():
    from helpers.classview import Note

    notes = [
        ("class profile", Note("Hidden", "care ratings, 3–4", "fewer than 5 trainees")),
        ("class profile", Note("Hidden", "safety ratings, 0–2", "fewer than 5 trainees")),
        ("vignette choices", Note("Hidden", "care-01, option c", "fewer than 5 trainees")),
        ("check-ins", Note("Coarsened", "session 4", "fewer than 10 trainees, so medians")),
    ]
    assert grouped_notes(notes) == [
        "3 figures hidden (fewer than 5 trainees): class profile (2), vignette choices (1).",
        "1 figure coarsened (fewer than 10 trainees, so medians): check-ins (1).",
    ]


def test_the_pdf_has_one_page_per_handout_page_and_no_date(tmp_path):
    from helpers.handout import write_handout

    data = sample_class()
    pdf = write_handout(data, tmp_path / "handout")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages == len(pages_of(data)[1])
    assert b"CreationDate" not in pdf.read_bytes()
    assert not [p for p in pdf.parent.iterdir() if p.name.startswith(".")]  # no partial files


def one_sentence(text: str) -> bool:
    return text.endswith(".") and re.search(r"[.!?] [A-Z]", text) is None


def test_every_refusal_is_one_plain_sentence(tmp_path, capsys):
    from helpers.cli import main
    from helpers.handout import write_handout
    from helpers.sample import write_class_csv
    from tests.test_charts import real_class

    folder = tmp_path / "handout"
    write_handout(real_class(12), folder)
    for other in (real_class(14), real_class(13)):
        path = tmp_path / "class.csv"
        write_class_csv(other.frame, path)
        assert main(["handout", str(path), "-o", str(folder)]) == 2
        out = capsys.readouterr().out.strip()
        assert out.startswith("alliance handout: Not published:")
        assert one_sentence(out), out
        assert "Traceback" not in out
    (folder / "handout.json").write_text("{not json")
    assert main(["handout", "-o", str(folder)]) == 2
    assert one_sentence(capsys.readouterr().out.strip())


def test_the_command_writes_the_handout(tmp_path, capsys):
    from helpers.cli import main

    assert main(["handout", "-o", str(tmp_path / "week3")]) == 0
    assert "The handout is in" in capsys.readouterr().out
    assert (tmp_path / "week3" / "class-reflections.pdf").exists()
    assert len(list((tmp_path / "week3").glob("*.png"))) == len(CHARTS)


def test_the_notebook_button_writes_each_class_to_its_own_folder_and_refuses_plainly(
    tmp_path, monkeypatch
):
    from helpers import handout
    from tests.test_charts import real_class

    monkeypatch.setenv("HOME", str(tmp_path))
    button = handout.handout_button(real_class(12))
    assert repr(button) == "Make the handout: a button (run this cell to use it)."
    assert button.button.description == "Make the handout"
    button.button.click()
    folder = tmp_path / "alliance-handouts" / "FALL26"
    assert f"The handout is in {folder / 'class-reflections.pdf'}" in button.status.value
    assert (folder / "class-reflections.pdf").exists()
    assert not button.button.disabled

    later = handout.handout_button(real_class(14))
    later.button.click()  # two trainees more: the release log and the folder both refuse
    message = re.sub(r"<[^>]+>", "", later.status.value)
    assert message.startswith("Not published:") and one_sentence(message), message

    def broken(*_args, **_kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(handout, "write_handout", broken)
    button.button.click()
    message = re.sub(r"<[^>]+>", "", button.status.value)
    assert message.startswith("The handout could not be made (no fonts); nothing was published.")
    assert "Traceback" not in message


def test_the_command_without_a_folder_uses_the_class_folder(tmp_path, monkeypatch, capsys):
    from helpers.cli import main

    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["handout"]) == 0
    pdf = tmp_path / "alliance-handouts" / "SYNTHETIC" / "class-reflections.pdf"
    assert capsys.readouterr().out.strip() == (
        f"The handout is in {pdf}, with one PNG per chart beside it."
    )
