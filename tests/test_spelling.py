"""Course content is written in US spelling, like the US codes it cites by default.

Reference lists keep their sources' own spelling (a journal or a code called
"Counselling ..." stays so), and so do the crisis lines for the UK and Ireland;
everything a trainee reads as the course's own words is checked here.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

BRITISH = re.compile(
    r"\b(counsell\w*|licence|colour\w*|behaviour\w*|centre[sd]?|honour\w*|favour\w*"
    r"|practis(?:e|ed|es|ing)|programmes?|recognis\w*|organis\w*|apologis\w*|realis(?:e|ed|es|ing)"
    r"|analys(?:e|ed|ing)|mum|mums|physio|maths|whilst|neighbour\w*)\b",
    re.IGNORECASE,
)


def _british(text: str) -> list[str]:
    return sorted({m.group(0) for m in BRITISH.finditer(text)})


def _reference_cell(source: str) -> bool:
    heading = source.lstrip().splitlines()[0] if source.strip() else ""
    return (
        heading.startswith("#")
        and re.search(r"References|Sources|Further reading", heading) is not None
    )


def _content_files() -> list[Path]:
    return [
        *sorted((ROOT / "data" / "vignettes").glob("*.yaml")),
        *sorted((ROOT / "data" / "skills").glob("*.yaml")),
        *sorted((ROOT / "docs" / "class-plans").rglob("*.md")),
    ]


@pytest.mark.parametrize("path", _content_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_content_file_uses_us_spelling(path):
    assert _british(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(ROOT)} uses British spelling; the course's own words are in US spelling"
    )


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_prose_uses_us_spelling(path):
    notebook = nbformat.read(path, as_version=4)
    found = {
        index: _british(cell.source)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown" and not _reference_cell(cell.source)
    }
    assert {i: words for i, words in found.items() if words} == {}, (
        f"{path.name}: cells using British spelling (cell index: words)"
    )


def test_the_check_catches_british_spelling():
    assert _british("Practise with your mum at the counselling centre.") == [
        "Practise",
        "centre",
        "counselling",
        "mum",
    ]
    assert _british("Practice with your mom at the counseling center; a flat voice.") == []
