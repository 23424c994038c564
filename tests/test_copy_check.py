"""No run of 8 or more words in the course's prose is copied from the source article or from a
source the fact sheets quote, unless it stands in quotation marks (see tests/copycheck.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.copycheck import (
    RUN,
    Passage,
    course_passages,
    load_fingerprints,
    shared_runs,
    unquoted,
    words,
)

# One sentence of the source article, and the course's paraphrase of the same point.
ARTICLE_SENTENCE = (
    "If you feel that your therapist never gets you, you might do better with someone else."
)
PARAPHRASE = (
    "A client who feels that a counselor never really gets them may be better served by another "
    "counselor."
)


@pytest.fixture(scope="module")
def prints() -> set[str]:
    return load_fingerprints()


def test_the_fingerprints_cover_the_article_and_the_quoted_sources(prints):
    # The article alone has about 570 runs of 8 words; the quoted passages add several hundred.
    assert len(prints) >= 900, f"only {len(prints)} fingerprints: rebuild them"


def test_a_copied_sentence_is_found(prints):
    found = shared_runs(Passage("example", f"As the article says, {ARTICLE_SENTENCE}"), prints)
    assert found == [" ".join(words(ARTICLE_SENTENCE))]


def test_the_same_sentence_in_quotation_marks_is_allowed(prints):
    for marks in ('"{}" (n.d.).', "“{}” (n.d.).", "\n> {}\n\n(n.d.)"):
        text = "The article puts it plainly: " + marks.format(ARTICLE_SENTENCE)
        assert shared_runs(Passage("example", text), prints) == [], marks


def test_a_paraphrase_is_allowed(prints):
    assert shared_runs(Passage("example", PARAPHRASE), prints) == []


def test_seven_shared_words_are_allowed_and_eight_are_not(prints):
    tokens = words(ARTICLE_SENTENCE)
    seven = " ".join(tokens[: RUN - 1]) + " and then something else entirely"
    eight = " ".join(tokens[:RUN]) + " and then something else entirely"
    assert shared_runs(Passage("seven", seven), prints) == []
    assert len(shared_runs(Passage("eight", eight), prints)) == 1


def test_markup_and_curly_apostrophes_do_not_hide_a_copy(prints):
    text = "If you **feel** that your therapist *never* gets you, you might do better with"
    assert shared_runs(Passage("markup", text.replace("'", "’")), prints)


def test_quotes_are_blanked_out_without_joining_the_words_around_them():
    assert words(unquoted('one two "three four" five')) == ["one", "two", "five"]


def test_the_check_reads_every_part_of_the_course():
    sources = Counter(p.where.split(" ")[0].split(".")[0] for p in course_passages())
    for notebook in ("01-understand-the-alliance", "07-hold-boundaries", "10-reflect-and-share"):
        assert sources[notebook] >= 10, f"{notebook}: {sources[notebook]} passages read"
    for bank in ("safety", "care", "boundaries"):
        assert sources[bank] >= 20, f"vignettes {bank}.yaml: {sources[bank]} passages read"
    docs = {p.where for p in course_passages() if p.where.startswith("docs/")}
    assert "docs/class-plans/01.md" in docs and "docs/authoring.md" in docs


def test_the_course_copies_no_run_of_8_words_outside_quotation_marks(prints):
    copied = [
        f"{passage.where}: ...{run}..."
        for passage in course_passages()
        for run in shared_runs(passage, prints)
    ]
    assert not copied, (
        "these runs of 8+ words are copied from a source text; rewrite them in the course's own "
        "words, or quote them in quotation marks with a citation:\n" + "\n".join(copied)
    )
