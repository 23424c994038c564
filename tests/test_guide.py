"""The instructor guide: generated from the course's data, current, and complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import guide
from helpers.bank import load_bank
from helpers.cli import main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructor-guide.md"


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))


def _sections(text: str) -> dict[str, str]:
    """Guide text under each '#### <vignette id>: title' heading, keyed by id."""
    found = {}
    parts = re.split(r"^#### ([a-z]+-\d{2}): .*$", text, flags=re.MULTILINE)
    for vid, body in zip(parts[1::2], parts[2::2], strict=True):
        found[vid] = re.split(r"^#{1,3} ", body, maxsplit=1, flags=re.MULTILINE)[0]
    return found


def test_committed_guide_is_current():
    assert GUIDE.exists(), "docs/instructor-guide.md is missing: run `make guide`"
    assert GUIDE.read_text(encoding="utf-8") == guide.build_guide(ROOT), (
        "docs/instructor-guide.md is out of date: run `make guide` and commit it"
    )


def test_check_flags_a_stale_guide_and_passes_a_fresh_one(tmp_path, capsys):
    target = tmp_path / "guide.md"
    target.write_text("# An old guide\n", encoding="utf-8")
    assert main(["guide", "--check", "--output", str(target)]) == 1
    assert "Run `make guide`" in capsys.readouterr().err

    assert main(["guide", "--write", "--output", str(target)]) == 0
    assert main(["guide", "--check", "--output", str(target)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_reports_a_missing_guide(tmp_path, capsys):
    assert main(["guide", "--check", "--output", str(tmp_path / "none.md")]) == 1
    assert "is missing" in capsys.readouterr().err


def test_every_vignette_has_its_answer_under_its_id():
    bank = load_bank()
    sections = _sections(guide.build_guide(ROOT, bank))
    assert set(sections) == set(bank.vignettes)
    for vid, v in bank.vignettes.items():
        body = sections[vid]
        ex = v.exercise
        if ex["kind"] == "choose":
            best = next(o for o in ex["options"] if o["best"])
            assert f"**Best response: option id {best['id']}.**" in body, vid
            assert " ".join(best["text"].split()) in body, vid
        elif ex["kind"] == "rate":
            for g, score in ex["reference"].items():
                assert f"| {g} | {score} |" in body, vid
        elif ex["kind"] == "practice":
            for item in ex["rubric"]:
                assert " ".join(item.split()) in body, vid
        elif ex["kind"] == "spot":
            ruptures = [line for line in ex["transcript"] if line["rupture"] != "none"]
            assert body.count("**withdrawal**") + body.count("**confrontation**") == len(
                ruptures
            ), vid
        elif ex["kind"] == "dialogue":
            assert "**Best path:**" in body and "Ending `" in body, vid


def test_dialogue_best_path_follows_the_largest_gain():
    bank = load_bank()
    body = _sections(guide.build_guide(ROOT, bank))["rupture-06"]
    path = body.split("**All endings:**")[0]
    assert "Ending `end-repaired`" in path
    assert "You're right, I don't know your family" in path
    assert "I only said it because" not in path


def test_dialogue_best_path_takes_the_best_choice_at_every_step():
    """The path the guide prints is the one trainees are scored on and the bank checks: a
    weaker first choice is never shown as best because a repair after it gains more."""
    body = _sections(guide.build_guide(ROOT, load_bank()))["risk-03"]
    path = body.split("**Best path:**")[1].split("**All endings:**")[0]
    first = path.split("2. Client:")[0]
    assert "do you have thoughts of killing yourself?" in first
    assert "You've had a really hard week" not in path


def test_glossary_and_bibliography_are_merged_from_every_file():
    text = guide.build_guide(ROOT)
    glossary = text.split("## Glossary", 1)[1].split("## Bibliography", 1)[0]
    assert "- **metacommunication**:" in glossary  # rupture.yaml
    assert "- **self-disclosure**:" in glossary  # focus.yaml
    bibliography = text.split("## Bibliography", 1)[1]
    assert "Henretty, J. R." in bibliography  # focus.yaml
    assert "Bordin, E. S. (1979)" in bibliography  # core.yaml
    assert "[https://doi.org/10.1037/a0036189](https://doi.org/10.1037/a0036189)" in bibliography
    entries = [line for line in bibliography.splitlines() if line.startswith("- ")]
    assert entries == sorted(entries, key=str.casefold)


def test_identical_duplicates_merge_and_conflicts_are_named(tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("rupture: 'A strain in the work.'\n", encoding="utf-8")
    b.write_text("rupture: 'A strain in the work.'\nrepair: 'Mending it.'\n", encoding="utf-8")
    assert guide.merge_glossary([a, b]) == {
        "rupture": "A strain in the work.",
        "repair": "Mending it.",
    }

    b.write_text("rupture: 'Something else.'\n", encoding="utf-8")
    with pytest.raises(guide.GuideError) as error:
        guide.merge_glossary([a, b])
    assert "glossary term 'rupture'" in str(error.value)
    assert "a.yaml" in str(error.value) and "b.yaml" in str(error.value)


def test_conflicting_reference_keys_are_a_clear_error(tmp_path):
    a = tmp_path / "core.yaml"
    b = tmp_path / "topic.yaml"
    a.write_text('smith2020: {apa: "Smith, A. (2020). One."}\n', encoding="utf-8")
    b.write_text('smith2020: {apa: "Smith, A. (2020). Two."}\n', encoding="utf-8")
    with pytest.raises(guide.GuideError, match=r"reference 'smith2020' .*core\.yaml.*topic\.yaml"):
        guide.merge_references([a, b])

    b.write_text('smith2020: {doi: "10.1/x"}\n', encoding="utf-8")
    with pytest.raises(guide.GuideError, match="needs an 'apa:' field"):
        guide.merge_references([b])


def test_a_broken_glossary_file_gets_a_message_with_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("term: 'unclosed\nother: x\n", encoding="utf-8")
    with pytest.raises(guide.GuideError, match=r"bad\.yaml .*not valid YAML"):
        guide.merge_glossary([bad])


def test_class_plans_are_included_or_flagged_as_missing():
    text = guide.build_guide(ROOT)
    plans = text.split("## Class plans", 1)[1].split("## Answer rationales", 1)[0]
    for number, slug in guide.NOTEBOOKS:
        assert f"Notebook: `notebooks/{number}-{slug}.ipynb`" in plans
        if (ROOT / "docs" / "class-plans" / f"{number}.md").exists():
            assert f"No class plan yet: add `docs/class-plans/{number}.md`" not in plans
        else:
            assert f"No class plan yet: add `docs/class-plans/{number}.md`" in plans


SCRIPT = "<script>alert(2)</script>"
IMG = '<img src=x onerror="alert(1)">'

HOSTILE_VIGNETTE = f"""
vignettes:
  - id: evil-01
    title: 'Title {SCRIPT}'
    guidelines: [care]
    dimension: bond
    difficulty: beginner
    context: 'Context {IMG}'
    says: 'Says {SCRIPT}'
    exercise:
      kind: choose
      prompt: 'Prompt {IMG}'
      options:
        - id: a
          text: 'Option {SCRIPT}'
          best: true
          feedback: 'Feedback {IMG} (guideline: care).'
        - id: b
          text: 'Other option.'
          best: false
          feedback: 'Too quick (guideline: care).'
      rationale: 'Rationale {SCRIPT}'
"""


def test_html_in_course_data_is_shown_as_text_in_the_guide(tmp_path):
    data = tmp_path / "data"
    (data / "vignettes").mkdir(parents=True)
    (data / "glossary").mkdir()
    (data / "references").mkdir()
    vignettes = data / "vignettes" / "care.yaml"
    vignettes.write_text(HOSTILE_VIGNETTE, encoding="utf-8")
    (data / "glossary" / "care.yaml").write_text(
        f"'term {SCRIPT}': 'Definition {IMG}'\n", encoding="utf-8"
    )
    (data / "references" / "care.yaml").write_text(
        f"""
url2020:
  apa: 'Url, A. (2020). Title {SCRIPT}.'
  url: 'https://example.org/"><img src=x onerror=alert(3)>'
doi2021:
  apa: 'Doi, B. (2021). Another.'
  doi: '10.1000/x)<img src=x onerror=alert(4)>'
"key`<script>alert(5)</script>":
  apa: 'Key, C. (2022). Odd key.'
""",
        encoding="utf-8",
    )
    bank = load_bank([vignettes])
    assert set(bank.vignettes) == {"evil-01"}

    text = guide.build_guide(tmp_path, bank)

    # Code spans show their content literally, so only text outside them can become HTML.
    outside_code = re.sub(r"(`+)(?!`).+?(?<!`)\1(?!`)", "", text)
    assert "<script" not in outside_code.lower() and "<img" not in outside_code.lower()
    assert "`` key`<script>alert(5)</script> ``" in text  # the backtick cannot end the span
    escaped_script = "&lt;script&gt;alert(2)&lt;/script&gt;"
    escaped_img = '&lt;img src=x onerror="alert(1)"&gt;'
    section = _sections(text)["evil-01"]
    assert f"#### evil-01: Title {escaped_script}" in text
    for shown in (
        f"**Client:** Context {escaped_img}",
        f"> Says {escaped_script}",
        f"> Option {escaped_script}",
        f"Feedback {escaped_img} (guideline: care).",
        f"**Why:** Rationale {escaped_script}",
    ):
        assert shown in section
    assert f"- **term {escaped_script}**: Definition {escaped_img}" in text
    assert f"Url, A. (2020). Title {escaped_script}." in text
    assert 'https://example.org/"&gt;&lt;img src=x onerror=alert(3)&gt;' in text
    assert "(https://doi.org/10.1000/x%29%3Cimg%20src%3Dx%20onerror%3Dalert%284%29%3E)" in text
