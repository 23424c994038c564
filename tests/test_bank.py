"""The vignette bank: valid vignettes always load, broken ones are named, never fatal."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from helpers.bank import (
    Problem,
    Vignette,
    VignetteError,
    load_bank,
)
from helpers.bank.rules import schema_problems
from helpers.vocabulary import DIFFICULTIES, DIMENSIONS, KINDS, VIGNETTE_GUIDELINES
from tests.builders import CHOOSE_YAML, write_file

FIXTURES = Path(__file__).parent / "fixtures" / "vignettes"
EXAMPLES = FIXTURES / "examples.yaml"
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schema" / "vignette.schema.json"


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))


def test_examples_load_one_vignette_per_kind():
    bank = load_bank([EXAMPLES])
    assert bank.problems == []
    assert bank.ids() == [f"demo-0{i}" for i in range(1, 8)]
    kinds = [bank.get(v).exercise["kind"] for v in bank.ids()]
    assert kinds == ["choose", "rate", "practice", "dialogue", "spot", "practice", "practice"]
    practice = [
        (v.difficulty, v.guidelines) for v in bank.by_topic("examples") if v.kind == "practice"
    ]
    assert practice == [
        ("beginner", ("care",)),
        ("intermediate", ("care", "understanding")),
        ("advanced", ("care",)),
    ]


def test_vignette_fields_are_ready_to_show():
    vignette = load_bank(FIXTURES).get("demo-01")
    assert isinstance(vignette, Vignette)
    assert vignette.title == "A late arrival, an apology"
    assert vignette.guidelines == ("care",)
    assert (vignette.dimension, vignette.difficulty) == ("bond", "beginner")
    assert vignette.context.startswith("Mei, 34, arrives ten minutes late")
    assert vignette.says == "I'm so sorry. I almost didn't come at all."
    assert vignette.sources == ()
    assert (vignette.topic, Path(vignette.file).name, vignette.line) == (
        "examples",
        "examples.yaml",
        5,
    )
    best = [o["id"] for o in vignette.exercise["options"] if o["best"]]
    assert best == ["b"]
    assert json.loads(json.dumps(vignette.exercise))["kind"] == "choose"


def test_constants_match_the_schema():
    schema = json.loads(SCHEMA.read_text("utf-8"))["$defs"]
    vignette = schema["vignette"]["properties"]
    assert tuple(vignette["guidelines"]["items"]["enum"]) == VIGNETTE_GUIDELINES
    assert tuple(vignette["dimension"]["enum"]) == DIMENSIONS
    assert tuple(vignette["difficulty"]["enum"]) == DIFFICULTIES
    assert tuple(schema["exercise"]["properties"]["kind"]["enum"]) == KINDS


def test_unknown_id_suggests_the_closest():
    bank = load_bank([EXAMPLES])
    with pytest.raises(VignetteError) as caught:
        bank.get("demo-1")
    assert str(caught.value) == "no vignette 'demo-1'; did you mean 'demo-01'?"
    with pytest.raises(VignetteError) as caught:
        bank.get("zzz")
    assert str(caught.value) == "no vignette 'zzz'; ids look like 'demo-01' (7 vignettes loaded)"


def test_one_broken_vignette_leaves_the_others_usable(tmp_path):
    broken = CHOOSE_YAML.replace("test-01", "test-02").replace("best: false", "best: true")
    path = write_file(tmp_path, "care.yaml", CHOOSE_YAML + broken.removeprefix("vignettes:\n"))
    bank = load_bank([path])
    assert bank.ids() == ["test-01"]
    assert bank.get("test-01").title == "A first hello"
    assert list(bank.broken) == ["test-02"]
    with pytest.raises(VignetteError) as caught:
        bank.get("test-02")
    assert str(caught.value) == (
        "vignette 'test-02' cannot be shown because its file has 1 problem: care.yaml:37: "
        "vignette 'test-02', field 'exercise.options': 2 options ('a', 'b') have 'best: true' "
        "— exactly one option can be the best response; set the others to 'best: false'. "
        "Run 'alliance validate' to see every problem, or tell your instructor."
    )


def test_a_broken_file_never_stops_the_others(tmp_path):
    write_file(tmp_path, "a-care.yaml", CHOOSE_YAML)
    write_file(tmp_path, "b-safety.yaml", "vignettes:\n  - id: [unclosed\n")
    bank = load_bank(tmp_path)
    assert bank.ids() == ["test-01"]
    [problem] = bank.problems
    assert problem.file.endswith("b-safety.yaml") and problem.vignette is None
    with pytest.raises(VignetteError, match=r"these files have problems: b-safety\.yaml"):
        bank.get("safety-01")


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    bank = load_bank([tmp_path / "gone.yaml"])
    assert [str(p) for p in bank.problems] == ["gone.yaml: file not found — check the path"]
    with pytest.raises(VignetteError, match="no vignettes are loaded"):
        bank.get("care-01")


def test_duplicate_id_makes_both_unusable(tmp_path):
    write_file(tmp_path, "care.yaml", CHOOSE_YAML)
    write_file(tmp_path, "focus.yaml", CHOOSE_YAML)
    bank = load_bank(tmp_path)
    assert bank.ids() == []
    with pytest.raises(VignetteError, match=r"is already used in care\.yaml:2"):
        bank.get("test-01")


def test_dangling_link_is_reported_but_the_vignette_still_shows(tmp_path):
    text = EXAMPLES.read_text("utf-8").replace("harder: demo-06", "harder: dema-06")
    path = write_file(tmp_path, "examples.yaml", text)
    bank = load_bank([path])
    assert bank.get("demo-03").exercise["harder"] == "dema-06"
    assert [str(p) for p in bank.problems] == [
        "examples.yaml:80: vignette 'demo-03', field 'exercise.harder': points to vignette "
        "'dema-06', which does not exist — did you mean 'demo-06'?"
    ]


def test_a_practice_link_to_another_kind_of_exercise_is_reported(tmp_path):
    text = EXAMPLES.read_text("utf-8").replace("harder: demo-06", "harder: demo-04")
    bank = load_bank([write_file(tmp_path, "examples.yaml", text)])
    assert [str(p) for p in bank.problems] == [
        "examples.yaml:80: vignette 'demo-03', field 'exercise.harder': points to 'demo-04', "
        "a dialogue exercise — harder names another practice vignette to offer next"
    ]


def test_a_practice_link_going_the_wrong_way_in_difficulty_is_reported(tmp_path):
    text = EXAMPLES.read_text("utf-8").replace("easier: demo-03", "easier: demo-07")
    bank = load_bank([write_file(tmp_path, "examples.yaml", text)])
    assert [str(p) for p in bank.problems] == [
        "examples.yaml:170: vignette 'demo-06', field 'exercise.easier': points to 'demo-07', "
        "which is advanced while this one is intermediate — choose a vignette that is not harder"
    ]


def test_repeated_loads_are_cached_until_a_file_changes(tmp_path):
    path = write_file(tmp_path, "care.yaml", CHOOSE_YAML)
    first = load_bank([path])
    assert load_bank([path]) is first
    write_file(
        tmp_path, "care.yaml", CHOOSE_YAML.replace("A first hello", "A second hello, longer")
    )
    second = load_bank([path])
    assert second is not first
    assert second.get("test-01").title == "A second hello, longer"


def test_default_bank_is_the_course_folder(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "vignettes").mkdir(parents=True)
    write_file(data / "vignettes", "care.yaml", CHOOSE_YAML)
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    bank = load_bank()
    assert bank.ids() == ["test-01"]
    assert bank.by_topic("care")[0].id == "test-01"
    assert bank.by_topic("safety") == []


def test_problem_reads_as_one_line():
    full = Problem("data/vignettes/safety.yaml", 12, "safety-03", "exercise.options", "fix it")
    assert str(full) == "safety.yaml:12: vignette 'safety-03', field 'exercise.options': fix it"
    bare = Problem("safety.yaml", None, None, None, "file not found")
    assert str(bare) == "safety.yaml: file not found"
    warning = Problem("safety.yaml", 3, "safety-01", "says", "has HTML", level="warning")
    assert str(warning) == "warning: safety.yaml:3: vignette 'safety-01', field 'says': has HTML"


def _mutants(node, path=()):
    """Every small edit an author could make by mistake: drop a field, add an unknown one,
    put a wrong kind of value somewhere."""
    if isinstance(node, dict):
        yield (*path, "+zz"), "add"
        for key, value in node.items():
            yield (*path, key), "drop"
            yield from _mutants(value, (*path, key))
    elif isinstance(node, list):
        yield path, "empty"
        for i, value in enumerate(node):
            yield from _mutants(value, (*path, i))
    for replacement in ("", 11, -4, True, None, ["x"], {"x": 1}, "x", 2.5):
        yield path, replacement


def _apply(vignette, path, change):
    out = copy.deepcopy(vignette)
    if change == "add":
        target = out
        for part in path[:-1]:
            target = target[part]
        target["zz"] = 1
        return out
    if not path:
        return change
    parent = out
    for part in path[:-1]:
        parent = parent[part]
    if change == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = [] if change == "empty" else change
    return out


def test_a_vignette_loads_exactly_when_it_matches_the_published_schema():
    """The bank's checks must agree with the schema file editors use, so nothing the schema
    rejects ever reaches a trainee, and nothing it accepts is refused."""
    schema = json.loads(SCHEMA.read_text("utf-8"))
    validator = Draft202012Validator(
        {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/vignette"}
    )
    checked = disagreements = 0
    for vignette in yaml.safe_load(EXAMPLES.read_text("utf-8"))["vignettes"]:
        for path, change in _mutants(vignette):
            mutant = _apply(vignette, path, change)
            checked += 1
            accepted = not schema_problems("care.yaml", "care-01", mutant)
            if accepted != validator.is_valid(mutant):
                disagreements += 1
    assert checked > 2000
    assert disagreements == 0


def test_an_optional_field_added_to_the_schema_is_all_a_new_field_needs(tmp_path, monkeypatch):
    """Authors extend the bank by editing the schema file alone; the loader follows it."""
    data = tmp_path / "data"
    (data / "schema").mkdir(parents=True)
    (data / "vignettes").mkdir()
    schema = json.loads(SCHEMA.read_text("utf-8"))
    schema["$defs"]["vignette"]["properties"]["setting"] = {
        "type": "string",
        "description": "Where the conversation takes place.",
    }
    (data / "schema" / "vignette.schema.json").write_text(json.dumps(schema), "utf-8")
    text = CHOOSE_YAML.replace("    title:", "    setting: clinic\n    title:")
    path = write_file(data / "vignettes", "care.yaml", text)
    assert [p.field for p in load_bank([path]).problems] == ["setting"]  # the course schema
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    bank = load_bank([path])
    assert bank.problems == []
    assert bank.ids() == ["test-01"]


def test_the_fingerprint_follows_every_text_a_trainee_sees(tmp_path):
    first = load_bank([write_file(tmp_path, "care.yaml", CHOOSE_YAML)]).get("test-01")
    again = load_bank([write_file(tmp_path, "same.yaml", CHOOSE_YAML)]).get("test-01")
    assert first.fingerprint == again.fingerprint and len(first.fingerprint) == 8
    feedback = CHOOSE_YAML.replace("Welcoming her doubt shows care.", "Her doubt is welcome.")
    edited = load_bank([write_file(tmp_path, "edited.yaml", feedback)]).get("test-01")
    assert edited.fingerprint != first.fingerprint
