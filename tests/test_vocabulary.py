"""The course's vocabulary is defined once (helpers.vocabulary) and its display text lives in
one data file; the schemas editors use say the same."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from pathlib import Path

import helpers
from helpers import vocabulary
from helpers.vocabulary import display_text

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "helpers"

# Definitions still outside the vocabulary.
NOT_YET_MOVED: set[tuple[str, str]] = set()


def _words() -> dict[str, object]:
    """Every list, pattern and text of the vocabulary, comparable with a literal in code."""
    out: dict[str, object] = {}
    for name in dir(vocabulary):
        value = getattr(vocabulary, name)
        if not name.isupper() or isinstance(value, int):
            continue
        if isinstance(value, re.Pattern):
            value = ("pattern", value.pattern)
        elif isinstance(value, tuple) and all(isinstance(v, int) for v in value):
            continue  # ranges like (0, 10) are too common a literal to compare
        out[name] = value
    return out


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile" and node.args:
        node, wrap = node.args[0], True
    else:
        wrap = False
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None
    return ("pattern", value) if wrap else value


def _same_words(value: object, word: object) -> bool:
    if isinstance(word, str) or (isinstance(word, tuple) and word[:1] == ("pattern",)):
        return value == word
    if isinstance(value, dict):  # display names keyed by the same words
        return set(value) == set(word)
    return isinstance(value, tuple | list) and tuple(value) == word  # (another order is a choice)


def test_every_module_imports_cleanly():
    names = [m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers.")]
    assert "helpers.vocabulary" in names
    for name in names:
        if not name.endswith("__main__"):
            importlib.import_module(name)


def test_no_module_defines_a_word_of_the_vocabulary_again():
    words = _words()
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "vocabulary.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            value = _literal(node.value)
            for name, word in words.items():
                if value is not None and _same_words(value, word):
                    found.add((path.relative_to(PACKAGE).as_posix(), name, node.lineno))
    second = sorted(f"{file}:{line}: {name}" for file, name, line in found)
    second = [s for s in second if (s.split(":")[0], s.rsplit(" ", 1)[1]) not in NOT_YET_MOVED]
    assert second == [], "define these once, in helpers/vocabulary.py: " + ", ".join(second)
    still = {(file, name) for file, name, _ in found}
    assert NOT_YET_MOVED <= still, f"moved already: drop {NOT_YET_MOVED - still} from the list"


def test_the_schemas_use_the_same_words():
    vignette = json.loads((ROOT / "data/schema/vignette.schema.json").read_text("utf-8"))
    fields = vignette["$defs"]["vignette"]["properties"]
    assert tuple(fields["guidelines"]["items"]["enum"]) == vocabulary.VIGNETTE_GUIDELINES
    assert set(fields["dimension"]["enum"]) == set(vocabulary.DIMENSIONS)
    assert tuple(fields["difficulty"]["enum"]) == vocabulary.DIFFICULTIES
    assert fields["id"]["pattern"] == vocabulary.VIGNETTE_PATTERN.pattern
    assert tuple(vignette["$defs"]["exercise"]["properties"]["kind"]["enum"]) == vocabulary.KINDS

    submission = json.loads((ROOT / "data/schema/submission.schema.json").read_text("utf-8"))
    top = submission["properties"]
    assert top["format"]["const"] == vocabulary.FORMAT
    assert max(top["format_version"]["enum"]) == vocabulary.FORMAT_VERSION
    assert tuple(top["ratings"]["required"]) == vocabulary.RATED_GUIDELINES
    assert tuple(top["checkins"]["required"]) == vocabulary.CHECKINS
    assert tuple(top["role"]["enum"]) == vocabulary.ROLES
    assert (top["session"]["minimum"], top["session"]["maximum"]) == vocabulary.SESSION_RANGE
    assert top["text"]["maxLength"] == vocabulary.MAX_SHARED_TEXT
    assert top["cohort"]["pattern"] == vocabulary.COHORT_PATTERN.pattern
    assert top["pseudonym"]["pattern"] == vocabulary.PSEUDONYM_PATTERN.pattern
    assert top["submission_id"]["pattern"] == vocabulary.SUBMISSION_ID_PATTERN.pattern
    choice = top["choices"]["items"]["properties"]
    assert choice["vignette"]["pattern"] == vocabulary.VIGNETTE_PATTERN.pattern
    assert choice["option"]["pattern"] == vocabulary.OPTION_PATTERN.pattern
    assert choice["attempts"]["maximum"] == vocabulary.MAX_ATTEMPTS


def test_display_text_names_every_word_and_nothing_else():
    expected = {
        "guideline_names": vocabulary.VIGNETTE_GUIDELINES,
        "dimension_words": vocabulary.DIMENSIONS,
        "kind_words": vocabulary.KINDS,
        "speakers": vocabulary.ROLES,
        "rating_labels": vocabulary.RATED_GUIDELINES,
        "checkin_labels": vocabulary.CHECKINS,
        "checkin_names": vocabulary.CHECKINS,
        "role_words": vocabulary.ROLES,
    }
    for section, words in expected.items():
        text = display_text(section)
        assert set(text) == set(words), section
        assert all(isinstance(v, str) and v.strip() for v in text.values()), section


def test_every_vignette_file_is_a_topic_of_the_course():
    files = {p.stem for p in (ROOT / "data" / "vignettes").glob("*.yaml")}
    new = files - set(vocabulary.TOPICS)
    assert not new, f"add {sorted(new)} to TOPICS in src/helpers/vocabulary.py"
