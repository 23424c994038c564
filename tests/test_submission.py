"""Reading one submission file: every bad file gets a short reason an instructor can act on."""

from __future__ import annotations

import copy
import json
import os
import random

import pytest

from helpers.schemas import schema_file
from helpers.submission import (
    SubmissionError,
    load_submission_at,
    parse_submission,
    validate_submission,
)
from tests.builders import SUBMISSION_FIELDS, valid_submission, write_file

GOOD = valid_submission()
CORRECTION = {
    "vignette": "care-04",
    "response": "You should just tell her.",
    "coach_labels": ["advice"],
    "trainee_labels": ["advice", "judgement"],
}


def load_submission(path, **options) -> dict:
    """Read one file as collect does: by its name, inside its open folder."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return load_submission_at(folder, path.name, **options)
    finally:
        os.close(folder)


def schema_path():
    return schema_file("submission")


def nested(section: str, key: str, value) -> dict:
    doc = copy.deepcopy(GOOD)
    if value is ...:
        doc[section].pop(key)
    else:
        doc[section][key] = value
    return doc


def choice(**changes) -> dict:
    item = {"vignette": "care-04", "option": "b", "attempts": 2, **changes}
    return valid_submission(choices=[item])


def test_good_file_loads_unchanged(tmp_path):
    assert load_submission(write_file(tmp_path, "s.json", GOOD)) == GOOD


def test_text_is_optional_and_choices_may_be_empty(tmp_path):
    doc = valid_submission(text=..., choices=[])
    assert load_submission(write_file(tmp_path, "s.json", doc)) == doc


def test_utf8_bom_is_accepted_and_stripped(tmp_path):
    raw = b"\xef\xbb\xbf" + json.dumps(GOOD, ensure_ascii=False).encode()
    assert load_submission(write_file(tmp_path, "s.json", raw)) == GOOD


def test_non_ascii_text_survives(tmp_path):
    doc = valid_submission(text="Ich habe zu viel geredet, é ü — 好")
    assert (
        load_submission(write_file(tmp_path, "s.json", json.dumps(doc, ensure_ascii=False)))["text"]
        == (doc["text"])
    )


BAD_DOCUMENTS = [
    (
        "missing field",
        valid_submission(ratings=...),
        "ratings: missing required field 'ratings' — add it",
    ),
    (
        "missing rating",
        nested("ratings", "care", ...),
        "ratings.care: missing required field 'care'",
    ),
    (
        "two missing fields",
        valid_submission(cohort=..., week=...),
        "cohort: missing required field 'cohort' — add it (Short class label chosen by the "
        "instructor, e.g. FALL26: letters, digits, - and _ only); week: missing required "
        "field 'week'",
    ),
    (
        "extra field",
        valid_submission(username="anna"),
        "username: unknown field 'username' — allowed fields are checkins, choices,",
    ),
    (
        "extra rating",
        nested("ratings", "warmth", 5),
        "ratings.warmth: unknown field 'warmth' — allowed fields are care, focus, safety, "
        "understanding",
    ),
    (
        "rating out of range",
        nested("ratings", "safety", 11),
        "ratings.safety: is 11 but must be between 0 and 10",
    ),
    (
        "negative check-in",
        nested("checkins", "ask_feedback", -1),
        "checkins.ask_feedback: is -1 but must be between 0 and 10",
    ),
    (
        "rating as string",
        nested("ratings", "safety", "7"),
        "ratings.safety: should be a whole number, but is text ('7')",
    ),
    (
        "rating as boolean",
        nested("ratings", "care", True),
        "ratings.care: should be a whole number, but is true",
    ),
    (
        "rating as decimal",
        nested("ratings", "focus", 7.0),
        "ratings.focus: should be a whole number, but is the number 7.0",
    ),
    ("session zero", valid_submission(session=0), "session: is 0 but must be between 1 and 50"),
    (
        "session too big",
        valid_submission(session=51),
        "session: is 51 but must be between 1 and 50",
    ),
    (
        "role unknown",
        valid_submission(role="therapist"),
        "role: 'therapist' is not allowed — use one of: counselor, client",
    ),
    (
        "formula in cohort",
        valid_submission(cohort="=1+2"),
        "cohort: '=1+2' has the wrong form — a class code is 1 to 32 letters, digits, '-' or '_'",
    ),
    (
        "cohort with trailing newline",
        valid_submission(cohort="FALL26\n"),
        "cohort: 'FALL26\\n' has the wrong form",
    ),
    ("short pseudonym", valid_submission(pseudonym="abc"), "pseudonym: 'abc' has the wrong form"),
    (
        "uppercase submission id",
        valid_submission(submission_id="0123456789ABCDEF0123456789ABCDEF"),
        "submission_id: '0123456789ABCDEF0123456789ABCDEF' has the wrong form",
    ),
    (
        "week 54",
        valid_submission(week="2026-W54"),
        "week: '2026-W54' has the wrong form — a week is an ISO week such as 2026-W48",
    ),
    (
        "week 53 in a 52-week year",
        valid_submission(week="2025-W53"),
        "week '2025-W53' does not exist in the ISO calendar",
    ),
    (
        "bad vignette id",
        choice(vignette="Care-4"),
        "choices[0].vignette: 'Care-4' has the wrong form — a vignette id is lowercase letters, "
        "a hyphen and two digits, like 'care-04'",
    ),
    (
        "zero attempts",
        choice(attempts=0),
        "choices[0].attempts: is 0 but must be between 1 and 100",
    ),
    (
        "extra choice field",
        choice(when="2026-11-26T10:00"),
        "choices[0].when: unknown field 'when' — allowed fields are attempts, first_option, "
        "option, vignette",
    ),
    (
        "too many choices",
        valid_submission(choices=[{"vignette": "care-04", "option": "b", "attempts": 1}] * 501),
        "choices: has 501 items but allows at most 500",
    ),
    (
        "text too long",
        valid_submission(text="x" * 5001),
        "text: has 5001 characters but allows at most 5000",
    ),
    ("text not a string", valid_submission(text=5), "text: should be text, but is the number 5"),
    (
        "newer version",
        valid_submission(format_version=4),
        "format_version 4 is newer than this course understands (3); update the course",
    ),
    (
        "version 2 without the first choice",
        valid_submission(format_version=2),
        "choices[0].first_option: missing required field 'first_option'",
    ),
    (
        "coach corrections in a version 2 file",
        valid_submission(
            format_version=2,
            choices=[{"vignette": "care-04", "option": "b", "first_option": "a", "attempts": 2}],
            coach_corrections=[CORRECTION],
        ),
        "coach_corrections: is not part of this format_version — leave it out or use the newest",
    ),
    (
        "version as string",
        valid_submission(format_version="1"),
        "format_version is '1'; this course reads format_version 1, 2 or 3",
    ),
    (
        "boolean version",
        valid_submission(format_version=True),
        "format_version is true; this course reads format_version 1, 2 or 3",
    ),
    (
        "other format",
        valid_submission(format="vignette"),
        "not an Alliance Lab reflection (format is 'vignette', expected 'alliance-reflection')",
    ),
    (
        "no format",
        valid_submission(format=...),
        "not an Alliance Lab reflection (missing field 'format')",
    ),
    ("a list", [GOOD], "holds a list, not a submission object"),
]


@pytest.mark.parametrize(
    "doc, reason", [case[1:] for case in BAD_DOCUMENTS], ids=[c[0] for c in BAD_DOCUMENTS]
)
def test_bad_document_is_rejected_with_plain_reason(tmp_path, doc, reason):
    with pytest.raises(SubmissionError) as caught:
        load_submission(write_file(tmp_path, "s.json", json.dumps(doc)))
    assert caught.value.reason.startswith(reason), caught.value.reason


@pytest.mark.parametrize("cohort", ["SYNTHETIC", "synthetic", "Synthetic"])
def test_the_sample_class_code_is_refused(tmp_path, cohort):
    with pytest.raises(SubmissionError) as caught:
        load_submission(write_file(tmp_path, "s.json", valid_submission(cohort=cohort)))
    assert caught.value.reason.startswith(
        "class code SYNTHETIC is reserved for the course's sample data"
    )


def test_a_class_code_that_only_contains_synthetic_is_accepted(tmp_path):
    doc = valid_submission(cohort="SYNTHETIC2")
    assert load_submission(write_file(tmp_path, "s.json", doc)) == doc


def test_several_problems_are_listed_together():
    doc = valid_submission(session=0, role="x")
    doc["ratings"]["safety"] = 12
    with pytest.raises(SubmissionError) as caught:
        validate_submission(doc)
    reason = caught.value.reason
    assert "ratings.safety: is 12" in reason
    assert "session: is 0" in reason
    assert "role: 'x' is not allowed" in reason


BAD_BYTES = [
    ("empty file", b"", "empty file"),
    ("only spaces", b"   \n", "empty file"),
    (
        "truncated JSON",
        json.dumps(GOOD).encode()[:-15],
        "incomplete JSON: the file ends early (line 1, column",
    ),
    ("invalid JSON", b'{"format": alliance}', "invalid JSON at line 1, column 12"),
    ("NaN", json.dumps(nested("ratings", "safety", float("nan"))).encode(), "contains NaN"),
    (
        "Infinity",
        json.dumps(nested("ratings", "safety", float("inf"))).encode(),
        "contains Infinity",
    ),
    ("not UTF-8", b'{"text": "caf\xe9"}', "not UTF-8 text (byte 0xe9 at position 13)"),
    ("UTF-16", json.dumps(GOOD).encode("utf-16"), "not UTF-8 text (byte 0xff at position 0)"),
    ("duplicate key", b'{"session": 1, "session": 2}', "field 'session' appears twice"),
    ("deep nesting", b"[" * 100_000, "invalid JSON: nested too deeply"),
]


@pytest.mark.parametrize(
    "raw, reason", [case[1:] for case in BAD_BYTES], ids=[c[0] for c in BAD_BYTES]
)
def test_bad_bytes_are_rejected_with_plain_reason(tmp_path, raw, reason):
    with pytest.raises(SubmissionError) as caught:
        load_submission(write_file(tmp_path, "s.json", raw))
    assert caught.value.reason.startswith(reason), caught.value.reason


def test_huge_file_is_rejected_by_size_before_reading(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of zero bytes, costs no disk
    with pytest.raises(SubmissionError) as caught:
        load_submission(path)
    assert caught.value.reason == "too large (50.0 MB; a submission is at most 256 KB)"


def test_size_limit_can_be_lowered(tmp_path):
    path = write_file(tmp_path, "s.json", GOOD)
    with pytest.raises(SubmissionError, match="too large"):
        load_submission(path, max_bytes=100)


def test_symlink_is_refused_and_not_followed(tmp_path):
    target = write_file(tmp_path, "real.json", GOOD)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with pytest.raises(SubmissionError) as caught:
        load_submission(link)
    assert caught.value.reason == "is a symbolic link (never followed)"


def test_folder_and_fifo_are_refused(tmp_path):
    with pytest.raises(SubmissionError) as caught:
        load_submission(tmp_path)
    assert caught.value.reason == "is a folder, not a submission file"
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(SubmissionError) as caught:
        load_submission(fifo)  # must not block waiting for a writer
    assert caught.value.reason == "not a regular file"


def test_missing_file(tmp_path):
    with pytest.raises(SubmissionError) as caught:
        load_submission(tmp_path / "nope.json")
    assert caught.value.reason == "file not found"


def test_reason_never_echoes_control_characters():
    doc = valid_submission(cohort="\x1b[31mred\x1b[0m")
    with pytest.raises(SubmissionError) as caught:
        parse_submission(json.dumps(doc).encode())
    assert "\x1b" not in caught.value.reason
    assert "\\u001b[31mred" in caught.value.reason


def test_schema_file_is_draft_2020_12_and_closed():
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert schema["properties"]["ratings"]["additionalProperties"] is False
    assert set(schema["required"]) == set(GOOD) - {"text"}
    assert "title" in schema and "description" in schema


def test_schema_has_no_field_that_could_identify_a_trainee():
    """Rules M1 and S6: the format allows only a random token, week, session and answers."""
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    assert set(schema["properties"]) == {*SUBMISSION_FIELDS, "text", "skills", "coach_corrections"}


def _mutations(count: int) -> list[dict]:
    """Seeded random edits of GOOD: a leaf replaced, removed, or a field added."""
    rng = random.Random(2026)
    pool = [
        None,
        True,
        False,
        0,
        1,
        10,
        11,
        50,
        51,
        100,
        101,
        -1,
        7.0,
        7.5,
        "",
        "7",
        "b",
        "care-04",
        "Care-04",
        "2026-W53",
        "2025-W53",
        "FALL26\n",
        "a" * 65,
        "0" * 32,
        "counselor",
        "client",
        [],
        {},
        [{"vignette": "x-01", "option": "a", "attempts": 1}],
    ]
    docs = []
    for _ in range(count):
        doc = copy.deepcopy(GOOD)
        parent = doc
        key = rng.choice(sorted(doc))
        if isinstance(doc[key], dict) and rng.random() < 0.7:
            parent, key = doc[key], rng.choice(sorted(doc[key]))
        elif key == "choices" and rng.random() < 0.7:
            parent, key = doc["choices"][0], rng.choice(["vignette", "option", "attempts"])
        action = rng.random()
        if action < 0.15:
            parent.pop(key)
        elif action < 0.25:
            parent["extra"] = 1
        else:
            parent[key] = rng.choice(pool)
        docs.append(doc)
    return docs


def test_random_edits_are_judged_by_the_published_schema():
    """Whatever an edit does, the file is accepted only if the published schema accepts it,
    and a refusal is always a plain reason, never a crash."""
    from jsonschema import Draft202012Validator

    published = Draft202012Validator(json.loads(schema_path().read_text(encoding="utf-8")))
    accepted = 0
    for doc in _mutations(400):
        try:
            validate_submission(doc)
        except SubmissionError as refused:
            assert refused.reason and "Traceback" not in refused.reason
        else:
            accepted += 1
            assert published.is_valid(doc), doc
    assert accepted > 10  # some edits stay valid


def test_version_3_file_with_coach_corrections_is_read(tmp_path):
    doc = valid_submission(
        format_version=3,
        choices=[{"vignette": "care-04", "option": "b", "first_option": "a", "attempts": 2}],
        coach_corrections=[CORRECTION],
    )
    loaded = load_submission(write_file(tmp_path, "s.json", json.dumps(doc)))
    assert loaded["coach_corrections"] == [CORRECTION]
