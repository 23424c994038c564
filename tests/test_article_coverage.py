"""docs/article-coverage.md maps every point of the source article to a notebook section that
really exists, so renaming a heading can never silently drop a point of the article."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COVERAGE = ROOT / "docs" / "article-coverage.md"

# Each point of the article must appear in the table (matched in the "Article point" column).
REQUIRED_POINTS = {
    "the alliance predicts success": "strongest predictor",
    "more important than years or training": "how long the therapist has practised",
    "not the best friend": "best friend",
    "not always liking": "always likes",
    "trust grows slowly": "trust grows slowly",
    "guideline 1 (safe)": "Guideline 1",
    "safety exception (a referral that helps healing)": "Safety exception",
    "do not force yourself (referral)": "do not force yourself",
    "guideline 2 (cares)": "Guideline 2: the therapist",
    "caring shown in different ways": "different ways",
    "guideline 3 (understands)": "Guideline 3: the therapist",
    "guideline 4 (focus)": "Guideline 4",
    "self-revealing style": "own lives",
    "first-session exception": "first session",
    "education and training exception": "education and training",
    "the caution": "Caution",
    "always unethical": "always unethical",
    "always illegal (corrected)": "always illegal",
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


@pytest.mark.parametrize("name", sorted(REQUIRED_POINTS))
def test_every_point_of_the_article_is_mapped(name):
    phrase = REQUIRED_POINTS[name]
    texts = [row["text"] for row in _rows()]
    assert any(phrase.casefold() in text.casefold() for text in texts), (
        f"the article's point '{name}' has no row in docs/article-coverage.md"
    )


def test_the_ethics_correction_is_taught_not_repeated():
    illegal = [row for row in _rows() if "always illegal" in row["text"]]
    assert illegal, "the article's 'always illegal' claim needs a row"
    for row in illegal:
        assert "Corrected" in row["how"] and "not all" in row["how"], row
