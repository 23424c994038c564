"""The order a trainee sees a vignette's options in: stable for one trainee, different between
trainees, so the place of the best answer gives nothing away.

The order is drawn from a hash of the trainee's private pseudonym and the vignette (and, in a
dialogue, the step). The pseudonym itself is only read here, never shown or stored anywhere
else; only the option ids chosen are saved, so a changed order never changes a saved answer.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import string
from typing import Any

from helpers.store import StoreError, pseudonym

LETTERS = string.ascii_lowercase
_PURPOSE = "alliance-lab display order"


def trainee_key(store: Any) -> str:
    """The seed part that belongs to one trainee: their pseudonym ("" without a store).

    Without a usable store every trainee sees the same shuffled order, which is still not the
    file's order.
    """
    folder = getattr(getattr(store, "path", None), "parent", None)
    if folder is None:
        return ""
    try:
        return pseudonym(folder)
    except (StoreError, OSError, sqlite3.Error):
        return ""


def display_order(count: int, *keys: str) -> list[int]:
    """The file positions ``0..count-1`` in the order to show them, fixed by ``keys``."""
    digest = hashlib.sha256("\x1f".join((_PURPOSE, *keys)).encode("utf-8")).digest()
    order = list(range(count))
    random.Random(int.from_bytes(digest[:16], "big")).shuffle(order)
    return order


def letter(position: int) -> str:
    """The letter shown before the option in ``position`` (0 -> 'a')."""
    return LETTERS[position]
