"""What the comment scrubber hides before a trainee's words reach the instructor, and what it
deliberately leaves alone (rule F2)."""

from __future__ import annotations

import pytest

from helpers.scrub import load_roster, name_parts, scrub

ROSTER = ["Anna Brown", "Sean O'Neil", "Anne-Marie Dupont", "jdoe42", "Li Wei"]

HIDDEN = [
    # e-mail addresses
    ("Write to anna.b@uni.edu today", "Write to [EMAIL] today"),
    ("(x_y+tag@mail.co.uk)", "([EMAIL])"),
    # links
    ("see www.x.org.", "see [URL]."),
    ("at https://example.com/a?b=1, then", "at [URL], then"),
    ("HTTP://EXAMPLE.COM/path", "[URL]"),
    ("(http://a.b/c)", "([URL])"),
    # phone numbers
    ("Call +44 20 7946 0958 now", "Call [PHONE] now"),
    ("call (020) 7946 0958", "call [PHONE]"),
    ("mobile 07946095812.", "mobile [PHONE]."),
    ("020-7946-0958", "[PHONE]"),
    ("+1 (555) 010-4477", "[PHONE]"),
    ("(12345678)", "([PHONE])"),
    # roster names: whole word, any case, each part, possessives, curly apostrophes
    ("Dr. O'Neil was there", "Dr. [NAME] was there"),
    ("Dr. O\u2019Neil was there", "Dr. [NAME] was there"),
    ("anna played the client", "[NAME] played the client"),
    ("BROWN said", "[NAME] said"),
    ("Anna's feedback", "[NAME]'s feedback"),
    ("'Anna' smiled", "'[NAME]' smiled"),
    ("Anne-Marie and Marie", "[NAME] and [NAME]"),
    ("with jdoe42 again", "with [NAME] again"),
    ("Wei, then Li.", "[NAME], then [NAME]."),
]

KEPT = [
    "session 3 on 2026-11-20",
    "We met on 20/11/2026 and 20.11.2026",
    "I rated it 7 out of 10, then 8",
    "room 1234567",
    "Annabel is not on the roster",
    "Dr. Browning supervised",
    "an address spelt out: someone at uni dot edu",
    "the client, Mrs. Patel, felt heard",
    "Jean-Luc's O'Neill",
    "[EMAIL] and [NAME] placeholders stay as they are",
]


@pytest.mark.parametrize(("text", "expected"), HIDDEN)
def test_identifying_details_are_replaced(text, expected):
    assert scrub(text, ROSTER) == expected


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_words_dates_and_short_numbers_are_kept(text):
    assert scrub(text, ROSTER) == text


def test_without_a_roster_names_stay_and_the_rest_is_still_hidden():
    text = "Dr. O'Neil (anna.b@uni.edu, +44 20 7946 0958) shared www.x.org"
    assert scrub(text) == "Dr. O'Neil ([EMAIL], [PHONE]) shared [URL]"


def test_a_name_inside_an_address_is_hidden_once_as_the_address():
    assert scrub("anna.brown@uni.edu", ROSTER) == "[EMAIL]"
    assert scrub("https://uni.edu/~anna", ROSTER) == "[URL]"


def test_roster_parts_include_both_halves_of_hyphenated_names_and_skip_initials():
    assert name_parts(["Anne-Marie Dupont", "J. Smith"]) == [
        "Anne-Marie",
        "Dupont",
        "Marie",
        "Smith",
        "Anne",
    ]


def test_roster_file_skips_blank_lines_and_notes(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# FALL26 class\nAnna Brown\n\n  Sean O'Neil  \n", encoding="utf-8")
    assert load_roster(roster) == ["Anna Brown", "Sean O'Neil"]


def test_a_missing_roster_file_is_named_in_the_message(tmp_path):
    with pytest.raises(ValueError, match="The roster file missing.txt was not found"):
        load_roster(tmp_path / "missing.txt")


def test_a_roster_that_is_not_text_gets_a_clear_message(tmp_path):
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(b"\xff\xfe\x00\x00PK\x03\x04\x99\x88")
    with pytest.raises(ValueError, match="save it as plain UTF-8 text with one name per line"):
        load_roster(roster)
