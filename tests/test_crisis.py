"""Crisis lines: one checked file keyed by country, shown for the course's country, and no
number typed anywhere else in the course (a wrong or foreign number is worse than none)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from helpers.cli import main
from helpers.crisis import check_crisis_file, load_crisis_resources, show_crisis_resources

ROOT = Path(__file__).resolve().parents[1]
CRISIS_FILE = ROOT / "data" / "crisis" / "resources.yaml"

# Phone-number shapes: North American (1-800-273-8255, 555 123 4567), UK/Irish grouped numbers
# (116 123, 0800 123 4567), spaced or hyphenated three-digit codes (9-8-8), and the short crisis
# and emergency codes. Page ranges (112–122) and dates (2026-12) are not phone numbers.
PHONE = re.compile(
    r"(?<![\w.,/–-])(?:"
    r"(?:1[ .-])?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}"
    r"|0\d{3,4}[ ]\d{3}[ ]?\d{3,4}"
    r"|1\d{2} \d{3}"
    r"|\d-\d-\d"
    r"|988|911|999|112"
    r")(?![\w/–-]|[.,]\d)"
)


def phone_numbers(text: str) -> list[str]:
    return PHONE.findall(text)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.fixture
def crisis_data(tmp_path, monkeypatch):
    """A copy of the course's data folder's crisis file and schema, under ALLIANCE_DATA."""
    data = tmp_path / "data"
    (data / "crisis").mkdir(parents=True)
    (data / "schema").mkdir()
    shutil.copy(CRISIS_FILE, data / "crisis" / "resources.yaml")
    shutil.copy(ROOT / "data" / "schema" / "crisis-resources.schema.json", data / "schema")
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    return data / "crisis" / "resources.yaml"


# --------------------------------------------------------------------------- the file


def test_the_course_crisis_file_passes_its_schema_and_checks():
    assert check_crisis_file(CRISIS_FILE) == []


@pytest.mark.parametrize(
    ("code", "number"), [("US", "988"), ("CA", "9-8-8"), ("GB", "116 123"), ("IE", "116 123")]
)
def test_the_required_lines_are_listed(code, number):
    resources = load_crisis_resources(CRISIS_FILE)
    assert number in [line.number for line in resources.countries[code].lines]


def test_every_line_names_its_source_and_check_date_and_a_directory_is_given():
    raw = yaml.safe_load(CRISIS_FILE.read_text("utf-8"))
    assert raw["directory"]["url"].startswith("https://")
    for country in raw["countries"].values():
        for line in country["lines"]:
            assert line["source"].strip() and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", line["checked"])


def test_a_broken_file_is_reported_by_line_and_field(tmp_path):
    text = CRISIS_FILE.read_text("utf-8").replace('number: "9-8-8"', "number: call nine eight")
    broken = tmp_path / "resources.yaml"
    broken.write_text(text, "utf-8")
    [problem] = check_crisis_file(broken)
    line = text.splitlines().index("        number: call nine eight") + 1
    assert (problem.line, problem.field) == (line, "countries.CA.lines[0].number")
    assert problem.message == (
        "'call nine eight' has the wrong form — a phone number is digits with spaces or "
        "hyphens, like '116 123'"
    )


def test_two_countries_cannot_share_a_name(tmp_path):
    text = CRISIS_FILE.read_text("utf-8").replace('aliases: ["CAN"]', 'aliases: ["UK"]')
    broken = tmp_path / "resources.yaml"
    broken.write_text(text, "utf-8")
    [problem] = check_crisis_file(broken)
    assert "'UK' already names" in problem.message


def test_alliance_validate_checks_the_crisis_file(crisis_data, capsys):
    crisis_data.write_text(crisis_data.read_text("utf-8").replace("checked:", "chekced:", 1))
    assert main(["validate", str(crisis_data)]) == 1
    out = capsys.readouterr().out
    assert "resources.yaml:7: " in out and "unknown field" in out


def test_alliance_validate_passes_the_course_data(capsys):
    code = main(["validate", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0, summary["problems"]
    assert summary["problems"] == [] or all(p["level"] == "warning" for p in summary["problems"])


def test_a_missing_crisis_file_fails_validation(crisis_data, capsys):
    (crisis_data.parent.parent / "vignettes").mkdir()
    shutil.copy(ROOT / "data" / "vignettes" / "care.yaml", crisis_data.parent.parent / "vignettes")
    crisis_data.unlink()
    assert main(["validate"]) == 1
    assert "the crisis file is missing" in capsys.readouterr().out


# --------------------------------------------------------------------------- what a trainee sees


def test_the_configured_country_shows_only_its_lines(crisis_data, monkeypatch):
    monkeypatch.setenv("ALLIANCE_COUNTRY", "CA")
    view = show_crisis_resources()
    shown = view._repr_html_()
    assert "Canada" in shown and "9-8-8" in shown
    assert "116 123" not in shown and "Samaritans" not in shown
    assert "not an emergency service" in shown and "https://" in shown


@pytest.mark.parametrize("setting", ["uk", "United Kingdom", " gb "])
def test_a_country_is_found_by_code_name_or_alias(crisis_data, monkeypatch, setting):
    monkeypatch.setenv("ALLIANCE_COUNTRY", setting)
    text = repr(show_crisis_resources())
    assert "United Kingdom" in text and "116 123" in text and "988" not in text


def test_an_unknown_country_gets_a_plain_sentence_and_the_directory(crisis_data, monkeypatch):
    monkeypatch.setenv("ALLIANCE_COUNTRY", "FR")
    view = show_crisis_resources()
    shown = view._repr_html_()
    assert "The course lists no crisis line for &#x27;FR&#x27;" in shown
    assert "directory" in shown and phone_numbers(shown) == []


def test_no_country_set_shows_every_listed_line(crisis_data, monkeypatch):
    monkeypatch.delenv("ALLIANCE_COUNTRY", raising=False)
    text = repr(show_crisis_resources())
    assert text.startswith("No country is set for this course")
    for number in ("988", "9-8-8", "116 123"):
        assert number in text


def test_an_unreadable_file_is_one_plain_sentence(crisis_data):
    crisis_data.write_text("countries: [oops", "utf-8")
    view = show_crisis_resources()
    assert repr(view).startswith("The course's list of crisis lines could not be read")
    assert "emergency" in view._repr_html_()
    assert phone_numbers(view._repr_html_()) == []


def test_what_is_shown_is_escaped(crisis_data, monkeypatch):
    monkeypatch.setenv("ALLIANCE_COUNTRY", "<b>XX</b>")
    assert "<b>XX" not in show_crisis_resources()._repr_html_()


# --------------------------------------------------------------------------- nowhere else


def test_the_phone_detector_finds_the_numbers_of_the_crisis_file():
    found = {_digits(n) for n in phone_numbers(CRISIS_FILE.read_text("utf-8"))}
    assert {"988", "116123", "18002738255"} <= found
    for harmless in (
        "pages 112–122",
        "checked 2026-12",
        "r = .29",
        "10.1037/h0085885",
        "n = 1,988",
    ):
        assert phone_numbers(harmless) == [], harmless


def _course_texts():
    """(where, text) for every notebook cell and stored output and every vignette file.

    The output of a cell that calls ``show_crisis_resources`` comes from the crisis file, so
    only its source is checked.
    """
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text("utf-8"))["cells"]
        for number, cell in enumerate(cells, start=1):
            source = "".join(cell["source"])
            yield f"{path.name} cell {number}", source
            if "show_crisis_resources" in source:
                continue
            for output in cell.get("outputs", []):
                yield f"{path.name} cell {number} output", json.dumps(output, ensure_ascii=False)
    for folder in ("vignettes", "glossary"):
        for path in sorted((ROOT / "data" / folder).glob("*.yaml")):
            yield str(path.relative_to(ROOT)), path.read_text("utf-8")
    for path in sorted((ROOT / "docs" / "class-plans").glob("*.md")):
        yield str(path.relative_to(ROOT)), path.read_text("utf-8")


def test_no_notebook_vignette_or_class_plan_types_a_phone_number():
    found = [
        f"{where}: {number}" for where, text in _course_texts() for number in phone_numbers(text)
    ]
    assert not found, "phone numbers belong only in data/crisis/resources.yaml: " + "; ".join(found)
