"""`alliance validate`: every broken file gets one clear line saying where and what to fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.bank import validate_files
from helpers.cli import main
from helpers.markup import render
from tests.builders import CHOOSE_YAML, write_file

FIXTURES = Path(__file__).parent / "fixtures" / "vignettes"
ROOT = Path(__file__).resolve().parents[1]

DIALOGUE = """\
vignettes:
  - id: talk-01
    title: "Wanting to stop"
    guidelines: [rupture-repair]
    dimension: goal
    difficulty: intermediate
    context: "Sam, 29."
    says: "This isn't helping."
    exercise:
      kind: dialogue
      start: one
      alliance: {bond: 5, goals: 5, tasks: 5}
      steps:
        - id: one
          client: "This isn't helping."
          choices:
            - text: "Tell me more."
              next: two
              effect: {bond: 2}
              reason: "Curiosity opens a repair (guideline: rupture-repair)."
        - id: two
          client: "We talk about the wrong things."
          choices:
            - text: "Then let's change what we work on."
              next: three
              effect: {goals: 2}
              reason: "Agreeing on goals repairs the alliance."
        - id: three
          client: "Work, then."
          choices:
            - text: "Work it is."
              next: done
              effect: {tasks: 1}
              reason: "Agreeing on the task."
        - id: done
          client: "Good."
          ending: "The rupture was repaired."
"""

PRACTICE = """\
vignettes:
  - id: write-01
    title: "Name the feeling"
    guidelines: [care]
    dimension: bond
    difficulty: beginner
    context: "Ana, 41."
    says: "Everyone tells me to stay positive."
    exercise:
      kind: practice
      prompt: "Reflect the feeling."
      rubric: ["Names a feeling", "Gives no advice"]
      examples:
        - {text: "That sounds exhausting.", note: "Names the feeling."}
        - {text: "You're tired of cheering up.", note: "Reflects the frustration."}
      harder: write-02
"""


def validate(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[str]]:
    code = main(["validate", *map(str, args)])
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))


def test_valid_fixture_folder_passes(capsys):
    code, lines = validate(capsys, FIXTURES)
    assert code == 0
    assert lines == ["7 vignettes in 1 file: OK"]


EXAMPLES_YAML = (FIXTURES / "examples.yaml").read_text("utf-8")
SECOND_EXAMPLE = (
    '        - {text: "You\'re tired of cheering up.", note: "Reflects the frustration."}\n'
)


def case(case_id: str, name: str, content: str | bytes, first: str, *rest: str):
    """One broken file: its name and content, the first line validate prints, and (if given)
    every line after it."""
    return pytest.param(name, content, first, rest, id=case_id)


BROKEN_FILES = [
    case(
        "bad-yaml-names-line-and-column",
        "care.yaml",
        CHOOSE_YAML.replace('"A first hello"', '"A first hello'),
        "care.yaml:7: not valid YAML at line 7, column 15: did not find expected key "
        "(while parsing a block mapping that starts at line 2) — check the indentation, "
        "quotes and brackets around there",
        "1 problem in 1 file",
    ),
    case(
        "unknown-field-lists-allowed-fields",
        "care.yaml",
        CHOOSE_YAML.replace("    dimension: bond\n", "    dimension: bond\n    colour: red\n"),
        "care.yaml:6: vignette 'test-01', field 'colour': unknown field 'colour' — allowed "
        "fields are casting, context, difficulty, dimension, exercise, guidelines, id, says, "
        "sources, title",
    ),
    case(
        "missing-required-field",
        "care.yaml",
        CHOOSE_YAML.replace('      rationale: "Welcoming her doubt shows care."\n', ""),
        "care.yaml:9: vignette 'test-01', field 'exercise.rationale': missing required field "
        "'rationale' — add it (Why the best response is best; shown after an attempt)",
    ),
    case(
        "long-bad-value-is-shortened",
        "care.yaml",
        CHOOSE_YAML.replace("id: test-01", "id: " + "x" * 500),
        "care.yaml:2: vignette 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...', field 'id': "
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' has the wrong form — a vignette id is "
        "lowercase letters, a hyphen and two digits, like 'care-04'",
    ),
    case(
        "wrong-kind-lists-the-kinds",
        "care.yaml",
        CHOOSE_YAML.replace("kind: choose", "kind: chose"),
        "care.yaml:10: vignette 'test-01', field 'exercise.kind': 'chose' is not allowed — "
        "use one of: choose, rate, practice, dialogue, spot",
    ),
    case(
        "unquoted-yes-no-word-gets-a-quote-hint",
        "care.yaml",
        CHOOSE_YAML.replace("id: b", "id: no"),
        "care.yaml:17: vignette 'test-01', field 'exercise.options[1].id': should be text, but "
        "is false (if you meant the word, put it in quotes)",
    ),
    case(
        "score-out-of-range",
        "talk.yaml",
        DIALOGUE.replace("effect: {bond: 2}", "effect: {bond: 5}"),
        "talk.yaml:19: vignette 'talk-01', field 'exercise.steps[0].choices[0].effect.bond': "
        "is 5 but must be between -3 and 3",
    ),
    case(
        "missing-best-option",
        "care.yaml",
        CHOOSE_YAML.replace("best: true", "best: false"),
        "care.yaml:12: vignette 'test-01', field 'exercise.options': no option has "
        "'best: true' — mark exactly one option as the best response",
        "1 problem in 1 file",
    ),
    case(
        "two-best-options",
        "care.yaml",
        CHOOSE_YAML.replace("best: false", "best: true"),
        "care.yaml:17: vignette 'test-01', field 'exercise.options': 2 options ('a', 'b') have "
        "'best: true' — exactly one option can be the best response; set the others to "
        "'best: false'",
    ),
    case(
        "duplicate-option-id",
        "care.yaml",
        CHOOSE_YAML.replace("id: b", "id: a"),
        "care.yaml:17: vignette 'test-01', field 'exercise.options[1].id': option id 'a' is "
        "used twice — give each option its own id",
    ),
    case(
        "dangling-dialogue-branch",
        "talk.yaml",
        DIALOGUE.replace("next: three", "next: thre"),
        "talk.yaml:25: vignette 'talk-01', field 'exercise.steps[1].choices[0].next': leads to "
        "step 'thre', which does not exist — use one of: one, two, three, done",
    ),
    case(
        "missing-start-step",
        "talk.yaml",
        DIALOGUE.replace("start: one", "start: zero"),
        "talk.yaml:11: vignette 'talk-01', field 'exercise.start': start step 'zero' does not "
        "exist — use one of: one, two, three, done",
    ),
    case(
        "unreachable-step",
        "talk.yaml",
        DIALOGUE
        + '        - id: lost\n          client: "Hello?"\n          ending: "Never seen."\n',
        "talk.yaml:38: vignette 'talk-01', field 'exercise.steps[4]': step 'lost' cannot be "
        "reached from the start — point a choice's 'next' at it, or remove it",
    ),
    case(
        "step-with-neither-choices-nor-ending",
        "talk.yaml",
        DIALOGUE.replace('          ending: "The rupture was repaired."\n', ""),
        "talk.yaml:35: vignette 'talk-01', field 'exercise.steps[3]': step 'done' has neither "
        "'choices' nor 'ending' — add the counselor's choices, or an 'ending' that sums up what "
        "happened to the alliance",
    ),
    case(
        "dangling-easier-and-harder",
        "care.yaml",
        PRACTICE.replace(
            "      harder: write-02\n", "      easier: write-00\n      harder: write-02\n"
        ),
        "care.yaml:16: vignette 'write-01', field 'exercise.easier': points to vignette "
        "'write-00', which does not exist — did you mean 'write-01'?",
        "care.yaml:17: vignette 'write-01', field 'exercise.harder': points to vignette "
        "'write-02', which does not exist — did you mean 'write-01'?",
        "2 problems in 1 file",
    ),
    case(
        "practice-needs-two-examples",
        "care.yaml",
        PRACTICE.replace(SECOND_EXAMPLE, "").replace("      harder: write-02\n", ""),
        "care.yaml:13: vignette 'write-01', field 'exercise.examples': has 1 items but needs at "
        "least 2",
    ),
    case(
        "rate-needs-all-four-reference-ratings",
        "examples.yaml",
        EXAMPLES_YAML.replace(
            "reference: {safety: 8, care: 7, understanding: 7, focus: 9}",
            "reference: {safety: 8, care: 7, understanding: 7}",
        ),
        "examples.yaml:55: vignette 'demo-02', field 'exercise.reference.focus': missing "
        "required field 'focus' — add it (The counselor keeps the focus on the client, not on "
        "themselves)",
        "1 problem in 1 file",
    ),
    case(
        "spot-needs-a-rupture-line",
        "examples.yaml",
        EXAMPLES_YAML.replace("rupture: withdrawal", "rupture: none"),
        "examples.yaml:136: vignette 'demo-05', field 'exercise.transcript': no line has a "
        "rupture — mark at least one line 'rupture: withdrawal' or 'rupture: confrontation'",
    ),
    case(
        "non-utf8-bytes-report-the-byte-offset",
        "care.yaml",
        CHOOSE_YAML.replace("Mei", "M\xe9i").encode("latin-1"),
        f"care.yaml:7: byte {CHOOSE_YAML.index('Mei') + 1} (0xe9) is not valid UTF-8 text — "
        "save the file with UTF-8 encoding",
    ),
    case(
        "non-utf8-offset-counts-from-the-start-of-the-file",
        "care.yaml",
        b"\xef\xbb\xbfvignettes:\n  - id: \xff\n",
        "care.yaml:2: byte 22 (0xff) is not valid UTF-8 text — save the file with UTF-8 encoding",
    ),
    case(
        "empty-file",
        "care.yaml",
        "",
        "care.yaml:1: the file is empty — start it with 'vignettes:' followed by a list of "
        "vignettes (see docs/authoring.md)",
    ),
    case(
        "top-level-list",
        "care.yaml",
        "\n".join(line[2:] for line in CHOOSE_YAML.splitlines()[1:]),
        "care.yaml:1: the top level is a list, but it must be a mapping with a 'vignettes:' list "
        "— start the file with 'vignettes:' and indent the list under it",
        "1 problem in 1 file",
    ),
    case(
        "aliases-are-refused",
        "care.yaml",
        "vignettes:\n  - &one {id: test-01}\n  - *one\n",
        "care.yaml:2: anchors, aliases and merge keys (&name, *name, <<) are not allowed in "
        "vignette files — write the text out in full",
    ),
    case(
        "duplicate-key-is-reported",
        "care.yaml",
        CHOOSE_YAML.replace("    dimension: bond\n", "    dimension: bond\n    dimension: task\n"),
        "care.yaml:6: the field 'dimension' appears twice in the same place — keep only one",
    ),
]


# How a vignette file can be put together wrongly, as an author would get it wrong.
STRUCTURE_ERRORS = [
    case(
        "top-level-text-is-not-a-mapping",
        "care.yaml",
        "just a sentence\n",
        "care.yaml:1: the top level is text ('just a sentence'), but it must be a mapping with a "
        "'vignettes:' list — start the file with 'vignettes:' and indent the list under it",
        "1 problem in 1 file",
    ),
    case(
        "no-vignettes-key",
        "care.yaml",
        CHOOSE_YAML.replace("vignettes:", "vignette:", 1),
        "care.yaml:1: field 'vignette': unknown field 'vignette' at the top level — allowed "
        "fields are vignettes",
        "care.yaml:1: field 'vignettes': missing required field 'vignettes' — the file must "
        "have a 'vignettes:' list",
        "2 problems in 1 file",
    ),
    case(
        "vignettes-is-a-mapping-not-a-list",
        "care.yaml",
        "# care\nvignettes:\n  id: care-01\n  title: Hello\n",
        "care.yaml:2: field 'vignettes': should be a list of vignettes (each starting with "
        "'- id:'), but is a mapping of fields",
        "1 problem in 1 file",
    ),
    case(
        "vignettes-is-empty",
        "care.yaml",
        "vignettes:\n",
        "care.yaml:1: field 'vignettes': should be a list of vignettes (each starting with "
        "'- id:'), but is nothing (empty)",
        "1 problem in 1 file",
    ),
    case(
        "entries-that-are-not-mappings",
        "care.yaml",
        "vignettes:\n  - care-01\n  - 42\n",
        "care.yaml:2: field 'vignettes[0]': each vignette should be a mapping of fields (id:, "
        "title:, ...), but this one is text ('care-01')",
        "care.yaml:3: field 'vignettes[1]': each vignette should be a mapping of fields (id:, "
        "title:, ...), but this one is the number 42",
        "2 problems in 1 file",
    ),
    case(
        "unclosed-bracket-names-its-line",
        "care.yaml",
        CHOOSE_YAML.replace("guidelines: [care]", "guidelines: [care"),
        "care.yaml:5: not valid YAML at line 5, column 14: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 4) — check the indentation, quotes "
        "and brackets around there",
        "1 problem in 1 file",
    ),
    case(
        "same-id-twice-in-one-file",
        "care.yaml",
        CHOOSE_YAML + CHOOSE_YAML.split("\n", 1)[1],
        "care.yaml:2: vignette 'test-01', field 'id': id 'test-01' is used again in "
        "care.yaml:22 — ids must be unique across the bank; renumber one of them",
        "care.yaml:22: vignette 'test-01', field 'id': id 'test-01' is already used in "
        "care.yaml:2 — ids must be unique across the bank; pick a new number",
        "2 problems in 1 file",
    ),
    case(
        "same-step-id-twice-in-a-dialogue",
        "talk.yaml",
        DIALOGUE.replace("        - id: three\n", "        - id: two\n"),
        "talk.yaml:25: vignette 'talk-01', field 'exercise.steps[1].choices[0].next': leads to "
        "step 'three', which does not exist — use one of: one, two, done",
        "talk.yaml:28: vignette 'talk-01', field 'exercise.steps[2].id': step id 'two' is used "
        "twice — give each step its own id",
        "2 problems in 1 file",
    ),
    case(
        "step-with-choices-and-an-ending",
        "talk.yaml",
        DIALOGUE.replace(
            '          client: "Work, then."\n',
            '          client: "Work, then."\n          ending: "Stopped."\n',
        ),
        "talk.yaml:28: vignette 'talk-01', field 'exercise.steps[2]': step 'three' has both "
        "'choices' and 'ending' — a step either offers choices or ends the dialogue",
        "1 problem in 1 file",
    ),
]


@pytest.mark.parametrize(("name", "content", "first", "rest"), BROKEN_FILES + STRUCTURE_ERRORS)
def test_a_broken_file_gets_one_clear_line(tmp_path, capsys, name, content, first, rest):
    code, lines = validate(capsys, write_file(tmp_path, name, content))
    assert code == 1
    assert lines[0] == first
    if rest:
        assert lines[1:] == list(rest)


def test_tab_indentation_gets_a_hint(tmp_path, capsys):
    path = write_file(tmp_path, "care.yaml", CHOOSE_YAML.replace("    title:", "\ttitle:"))
    code, lines = validate(capsys, path)
    assert code == 1
    assert lines[0].startswith("care.yaml:3: not valid YAML at line 3, column 1:")
    assert lines[0].endswith("— indent with spaces, not tabs")


def test_several_missing_fields_are_each_reported_once(tmp_path, capsys):
    text = "vignettes:\n  - id: care-01\n    title: Alone\n"
    code, lines = validate(capsys, write_file(tmp_path, "care.yaml", text))
    assert code == 1
    missing = ["context", "difficulty", "dimension", "exercise", "guidelines", "says"]
    assert [line.split("field '")[1].split("'")[0] for line in lines[:-1]] == missing
    assert lines[-1] == "6 problems in 1 file"


def test_valid_dialogue_passes(tmp_path, capsys):
    code, lines = validate(capsys, write_file(tmp_path, "talk.yaml", DIALOGUE))
    assert (code, lines) == (0, ["1 vignette in 1 file: OK"])


def test_loop_without_way_out(tmp_path, capsys):
    path = write_file(tmp_path, "talk.yaml", DIALOGUE.replace("next: done", "next: two"))
    code, lines = validate(capsys, path)
    assert code == 1
    assert (
        "talk.yaml:21: vignette 'talk-01', field 'exercise.steps[1]': from step 'two' no path "
        "reaches an ending (the choices only loop back) — give it a choice that leads towards "
        "an ending step"
    ) in lines


def test_repair_loop_with_a_way_out_is_fine(tmp_path, capsys):
    loop = (
        '            - text: "Let\'s go back."\n'
        "              next: one\n"
        '              reason: "Returning to the start to try again."\n'
    )
    text = DIALOGUE.replace(
        '              reason: "Agreeing on goals repairs the alliance."\n',
        '              reason: "Agreeing on goals repairs the alliance."\n' + loop,
    )
    code, lines = validate(capsys, write_file(tmp_path, "talk.yaml", text))
    assert (code, lines) == (0, ["1 vignette in 1 file: OK"])


def test_best_path_too_short(tmp_path, capsys):
    path = write_file(tmp_path, "talk.yaml", DIALOGUE.replace("next: two", "next: done"))
    code, lines = validate(capsys, path)
    assert code == 1
    assert (
        "talk.yaml:13: vignette 'talk-01', field 'exercise.steps': the best path (the choice "
        "with the largest total effect at each step) ends after 1 turn — a dialogue needs at "
        "least 3"
    ) in lines


def test_duplicate_id_across_two_files_names_both_places(tmp_path, capsys):
    write_file(tmp_path, "care.yaml", CHOOSE_YAML)
    write_file(tmp_path, "safety.yaml", "# a second file\n" + CHOOSE_YAML)
    code, lines = validate(capsys, tmp_path)
    assert code == 1
    assert lines == [
        "care.yaml:2: vignette 'test-01', field 'id': id 'test-01' is used again in "
        "safety.yaml:3 — ids must be unique across the bank; renumber one of them",
        "safety.yaml:3: vignette 'test-01', field 'id': id 'test-01' is already used in "
        "care.yaml:2 — ids must be unique across the bank; pick a new number",
        "2 problems in 2 files",
    ]


def test_html_and_script_load_with_warnings_and_render_as_text(tmp_path, capsys):
    text = CHOOSE_YAML.replace(
        '"Mei, 34, first session."', '"<script>alert(1)</script> Mei <b>34</b>"'
    ).replace('"Let\'s get started."', '"[x](javascript:alert(1)) <img src=x onerror=alert(1)>"')
    path = write_file(tmp_path, "care.yaml", text)
    code, lines = validate(capsys, path)
    assert code == 0
    assert lines == [
        "warning: care.yaml:7: vignette 'test-01', field 'context': contains HTML or script "
        "('<script>'); it will be shown as plain text, never run — use the Markdown subset "
        "(*emphasis*, lists) instead",
        "warning: care.yaml:18: vignette 'test-01', field 'exercise.options[1].text': contains "
        "HTML or script ('javascript:'); it will be shown as plain text, never run — use the "
        "Markdown subset (*emphasis*, lists) instead",
        "1 vignette in 1 file: OK (2 warnings)",
    ]
    bank, _ = validate_files([path])
    vignette = bank.get("test-01")
    html = render(vignette.context)
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mei &lt;b&gt;34&lt;/b&gt;" in html


def test_ten_megabyte_file_is_rejected_with_the_limit(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.write(b"vignettes:\n")
        out.write(b"# padding\n" * 1_000_000)
    code, lines = validate(capsys, path)
    assert code == 1
    assert lines == [
        "huge.yaml: file is 10.0 MB (10,000,011 bytes); the limit is 1 MB (1,000,000 bytes) "
        "per vignette file — split it into smaller topic files (it was not read)",
        "1 problem in 1 file",
    ]


def test_byte_order_mark_is_fine(tmp_path, capsys):
    path = tmp_path / "care.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + CHOOSE_YAML.encode("utf-8"))
    code, lines = validate(capsys, path)
    assert (code, lines) == (0, ["1 vignette in 1 file: OK"])


def test_missing_path_is_an_unusable_argument(tmp_path, capsys):
    code = main(["validate", str(tmp_path / "nowhere.yaml")])
    captured = capsys.readouterr()
    assert code == 2
    assert (
        captured.err.strip()
        == f"alliance validate: no such file or folder: '{tmp_path / 'nowhere.yaml'}'"
    )


def test_folder_without_yaml_is_an_unusable_argument(tmp_path, capsys):
    code = main(["validate", str(tmp_path)])
    assert code == 2
    assert "no .yaml files in the folder" in capsys.readouterr().err


def test_default_is_the_course_vignette_folder(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    (data / "vignettes").mkdir(parents=True)
    write_file(data / "vignettes", "care.yaml", CHOOSE_YAML)
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    code, lines = validate(capsys)
    assert code == 0 and lines[-1].startswith("1 vignette in 1 file: OK")
    # the course's bank as a whole is also checked for fairness
    assert "Fairness of the bank (limits: docs/authoring.md):" in lines


def test_unknown_source_key(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    (data / "references").mkdir(parents=True)
    write_file(
        data / "references", "alliance.yaml", 'bordin1979: {apa: "Bordin (1979)", doi: "x"}\n'
    )
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    text = CHOOSE_YAML.replace(
        "    exercise:\n", "    sources: [bordin1979, rogers1975]\n    exercise:\n"
    )
    code, lines = validate(capsys, write_file(tmp_path, "care.yaml", text))
    assert code == 1
    assert lines[0] == (
        "care.yaml:9: vignette 'test-01', field 'sources[1]': no reference 'rogers1975' in "
        "data/references/*.yaml — add it there or fix the key"
    )


def test_json_summary_counts(capsys):
    code = main(["validate", "--json", str(FIXTURES)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["files"] == 1
    assert summary["vignettes"] == 7
    assert summary["problems"] == []
    assert summary["counts"] == {
        "guideline": {
            "safety": 1,
            "care": 4,
            "understanding": 2,
            "focus": 0,
            "rupture-repair": 2,
            "boundaries": 0,
        },
        "kind": {"choose": 1, "rate": 1, "practice": 3, "dialogue": 1, "spot": 1},
        "dimension": {"goal": 1, "task": 1, "bond": 5},
        "difficulty": {"beginner": 3, "intermediate": 3, "advanced": 1},
    }


def test_json_lists_problems_and_exit_code(tmp_path, capsys):
    shutil.copy(FIXTURES / "examples.yaml", tmp_path / "examples.yaml")
    write_file(tmp_path, "care.yaml", CHOOSE_YAML.replace("best: true", "best: false"))
    code = main(["validate", "--json", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (summary["files"], summary["vignettes"], summary["ok"]) == (2, 7, False)
    [problem] = summary["problems"]
    assert problem["file"].endswith("care.yaml")
    assert (problem["line"], problem["vignette"], problem["field"], problem["level"]) == (
        12,
        "test-01",
        "exercise.options",
        "error",
    )
    assert problem["message"].startswith("no option has 'best: true'")
    assert summary["counts"]["kind"]["choose"] == 1


def test_console_command(tmp_path):
    path = write_file(tmp_path, "care.yaml", CHOOSE_YAML.replace("best: true", "best: false"))
    command = Path(sys.executable).with_name("alliance")
    env = dict(os.environ, ALLIANCE_HOME=str(tmp_path / "home"))
    result = subprocess.run(
        [str(command), "validate", str(path)], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "1 problem in 1 file"


def test_worked_example_in_the_authoring_guide_is_valid(tmp_path, capsys):
    guide = (ROOT / "docs" / "authoring.md").read_text("utf-8")
    example = guide.split("### A complete example")[1].split("```yaml\n")[1].split("```")[0]
    code, lines = validate(capsys, write_file(tmp_path, "care.yaml", example))
    assert (code, lines) == (0, ["1 vignette in 1 file: OK"])


def test_every_schema_field_is_documented_for_the_editor():
    schema = json.loads((ROOT / "data" / "schema" / "vignette.schema.json").read_text("utf-8"))
    undocumented, open_objects = [], []

    def visit(node, where):
        if not isinstance(node, dict):
            return
        if node.get("type") == "object" and "properties" in node:
            if node.get("additionalProperties") is not False and "allOf" not in node:
                open_objects.append(where)
            for name, sub in node["properties"].items():
                if "$ref" not in sub and not ("title" in sub and "description" in sub):
                    undocumented.append(f"{where}.{name}")
        for key, value in node.items():
            if isinstance(value, dict):
                visit(value, f"{where}/{key}")
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    visit(item, f"{where}/{key}[{i}]")

    visit(schema, "#")
    assert undocumented == []
    assert open_objects == []
    assert all("title" in d and "description" in d for d in schema["$defs"].values())


def test_a_file_named_twice_is_read_once(tmp_path, capsys):
    path = write_file(tmp_path, "care.yaml", CHOOSE_YAML)
    code, lines = validate(capsys, tmp_path, path, tmp_path / "." / "care.yaml")
    assert (code, lines) == (0, ["1 vignette in 1 file: OK"])
