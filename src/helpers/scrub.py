"""Scrub a trainee's written comment before it is shared (privacy rule F2).

Replaced, in this order:

- links (``http://``, ``https://``, ``www.``) by ``[URL]``;
- e-mail addresses by ``[EMAIL]``;
- phone numbers by ``[PHONE]``: a run of digits with spaces, dots, dashes, slashes or brackets
  between them that holds at least 8 digits, optionally starting with ``+``
  ("+44 20 7946 0958", "020-7946-0958", "07946095812"). Runs shaped like a date
  ("2026-11-20", "20/11/2026", "20.11.2026") are left alone: dates are not phone numbers, and
  hiding them would garble comments such as "session 3 on 2026-11-20";
- names on the class roster by ``[NAME]``: every part of every roster line (first names,
  surnames, usernames, each half of a hyphenated name), as a whole word, ignoring case, with
  straight and curly apostrophes treated alike ("O'Neil", "O’Neil").

What it misses, so trainees and instructors must still read before they share:

- names that are not on the roster: clients (even invented ones), supervisors, family members,
  other staff, agencies, placement sites;
- places, dates, ages, events, and any detail that makes a person recognizable in context;
- numbers with fewer than 8 digits, and phone numbers written in words;
- misspelt roster names and nicknames.

It also over-hides a little: a roster name that is also a word ("Grace", "Will") becomes
``[NAME]`` wherever the word appears, and 8 or more numbers in a row separated by spaces
("7 8 6 9 5 4 7 8") read as a phone number. Hiding too much is the safer mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]}]", re.IGNORECASE)
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"(?<![\w+])\+?(?:\([0-9]{1,5}\)[ \t.-]?)?[0-9](?:[0-9 \t().\-/]*[0-9])?(?!\w)")
DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}([./-])[0-9]{1,2}\1[0-9]{2,4}")
MIN_PHONE_DIGITS = 8
APOSTROPHES = "'\u2019"


def _phone(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = sum(ch.isdigit() for ch in run)
    if digits < MIN_PHONE_DIGITS or DATE.fullmatch(run.strip("()")):
        return run
    return "[PHONE]"


def name_parts(names: Iterable[str]) -> list[str]:
    """Every word of every roster name that is worth hiding (two letters or more)."""
    parts: set[str] = set()
    for line in names:
        for word in line.split():
            word = word.strip(".,;:")
            candidates = {word, *word.split("-")}
            parts.update(part for part in candidates if len(part) >= 2)
    return sorted(parts, key=lambda part: (-len(part), part.lower()))


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    parts = name_parts(names)
    if not parts:
        return None
    alternatives = []
    for part in parts:
        pieces = [re.escape(piece) for piece in re.split(f"[{APOSTROPHES}]", part)]
        alternatives.append(f"[{APOSTROPHES}]".join(pieces))
    apostrophe = f"[{APOSTROPHES}]"
    # Not inside a longer word ("Annabel", "O'Neil" for "Neil", "Jean-Luc" for "Luc"), but
    # possessives ("Anna's") and quotes ("'Anna'") count; [EMAIL], [NAME]... stay intact.
    before = rf"(?<![\w\[-])(?<!\w{apostrophe})"
    after = rf"(?![\w\]-])(?!{apostrophe}(?!s\b)\w)"
    return re.compile(before + f"(?:{'|'.join(alternatives)})" + after, re.IGNORECASE)


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with links, e-mail addresses, phone numbers and roster names replaced."""
    text = URL.sub("[URL]", text)
    text = EMAIL.sub("[EMAIL]", text)
    text = PHONE.sub(_phone, text)
    pattern = _name_pattern(names)
    if pattern is not None:
        text = pattern.sub("[NAME]", text)
    return text


def load_roster(path: str | Path) -> list[str]:
    """Names from a roster file: one person per line (UTF-8); blank lines and ``#`` notes skipped.

    A missing or unreadable file raises ValueError saying which file, so nothing is shared
    unscrubbed by mistake.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise ValueError(f"The roster file {path.name} was not found; check its name.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(
            f"The roster file {path.name} could not be read ({error.__class__.__name__}); save "
            "it as plain UTF-8 text with one name per line."
        ) from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
