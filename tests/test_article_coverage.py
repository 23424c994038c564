"""docs/article-coverage.md maps every point of the source article to a notebook section that
really exists, so renaming a heading can never silently drop a point of the article."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COVERAGE = ROOT / "docs" / "article-coverage.md"

# Every point the article makes, by its id in the table (in the article's order).
ARTICLE_POINTS = {
    "P01": "the alliance predicts success",
    "P02": "more important than years or training",
    "P03": "not the best friend",
    "P04": "not always liking",
    "P05": "trust grows slowly",
    "P06": "guideline 1 (safe)",
    "P07": "do not stay with a therapist who frightens you (referral)",
    "P08": "safety exception (a trusted therapist of the feared gender)",
    "P09": "guideline 2 (cares)",
    "P10": "caring shown and felt in different ways",
    "P11": "guideline 3 (understands)",
    "P12": "never understood: look elsewhere",
    "P13": "guideline 4 (focus)",
    "P14": "self-revealing style",
    "P15": "more interested in themself: look elsewhere",
    "P16": "first-session exception",
    "P17": "education and training exception",
    "P18": "informed consent",
    "P19": "the caution",
    "P20": "always unethical",
    "P21": "always illegal (corrected)",
}


def _rows() -> list[dict[str, str]]:
    rows = []
    for line in COVERAGE.read_text(encoding="utf-8").splitlines():
        if not re.match(r"\| P\d{2} \|", line):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 5, f"coverage row should have 5 columns: {line}"
        point, text, notebook, heading, how = cells
        rows.append(
            {
                "point": point,
                "text": text,
                "notebook": notebook.strip("`"),
                "heading": heading.strip("`"),
                "how": how,
            }
        )
    return rows


def _headings(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = set()
    for cell in cells:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            found.update(re.findall(r"^(## .+?)\s*$", source, flags=re.MULTILINE))
    return found


def test_table_has_rows_in_the_expected_shape():
    rows = _rows()
    assert len(rows) >= 15
    for row in rows:
        assert re.fullmatch(r"\d{2}-[a-z-]+\.ipynb", row["notebook"]), row
        assert row["heading"].startswith("## "), row
        assert row["how"], f"{row['point']}: say how the course teaches or qualifies it"


@pytest.mark.parametrize(
    "row", _rows(), ids=lambda r: f"{r['point']}-{r['notebook'][:2]}-{r['heading'][3:30]}"
)
def test_each_mapped_notebook_has_that_heading(row):
    notebook = ROOT / "notebooks" / row["notebook"]
    assert notebook.exists(), f"{row['point']}: notebook {row['notebook']} does not exist yet"
    headings = _headings(notebook)
    assert row["heading"] in headings, (
        f"{row['point']}: {row['notebook']} has no heading '{row['heading']}'. "
        f"Its ## headings are: {sorted(headings)}"
    )


@pytest.mark.parametrize("point", sorted(ARTICLE_POINTS))
def test_every_point_of_the_article_is_mapped(point):
    rows = [row for row in _rows() if row["point"] == point]
    assert rows, f"the article's point {point} ({ARTICLE_POINTS[point]}) has no row"
    assert rows[0]["text"] != "(same point)", f"{point}: its first row must state the point"


def test_the_ethics_correction_is_taught_not_repeated():
    illegal = [row for row in _rows() if row["point"] == "P21"]
    assert illegal, "the article's 'always illegal' claim needs a row"
    for row in illegal:
        assert "Corrected" in row["how"] and "not all" in row["how"], row


def _corrected_claims() -> list[tuple[str, list[tuple[str, str]]]]:
    text = COVERAGE.read_text(encoding="utf-8")
    table = text.split("## Claims corrected, and where each comes from", 1)[1]
    rows = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0].startswith(("Claim as", "---")):
            continue
        claim, where, fact_sheet = cells
        places = []
        for part in where.split(";"):
            number = re.match(r"\s*(\d{2})\b", part)
            places += [(number.group(1), h) for h in re.findall(r"`(## [^`]+)`", part) if number]
        rows.append((claim, places, fact_sheet))
    return [(claim, places) for claim, places, _ in rows]


def test_every_corrected_claim_names_a_section_that_exists():
    claims = _corrected_claims()
    assert len(claims) >= 10, "the table of corrected claims is missing or short"
    notebooks = {path.name[:2]: path for path in (ROOT / "notebooks").glob("*.ipynb")}
    for claim, places in claims:
        assert places, f"say which notebook section teaches: {claim}"
        for number, heading in places:
            assert heading in _headings(notebooks[number]), f"{number} has no '{heading}'"


def test_every_corrected_claim_rests_on_a_verified_line():
    text = COVERAGE.read_text(encoding="utf-8")
    table = text.split("## Claims corrected, and where each comes from", 1)[1]
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and not cells[0].startswith(("Claim as", "---")):
            fact_sheet = cells[2]
            assert (
                "[V]" in fact_sheet or "[S]" in fact_sheet or "no research claim" in fact_sheet
            ), f"name the [V] or [S] fact-sheet line behind: {cells[0]}"
            assert "[M]" not in fact_sheet.replace("[M], so left out", ""), cells[0]
