"""Where exercises get the vignette bank and the store when a notebook passes neither.

``load_bank`` caches on the vignette files' modification times, so a new widget never re-reads
unchanged YAML, and clicks never touch the bank; ``get_store`` opens the store once per kernel.
"""

from __future__ import annotations

import sqlite3

from helpers.bank import Bank, load_bank
from helpers.store import Store, get_store


def default_bank() -> Bank:
    """The course's vignette bank (every ``data/vignettes/*.yaml``)."""
    return load_bank()


def default_store() -> tuple[Store | None, str]:
    """The trainee's store, or ``None`` and a sentence saying why answers can't be saved."""
    try:
        return get_store(), ""
    except (sqlite3.Error, OSError, RuntimeError) as error:
        return None, (
            f"Your answers can't be saved on this computer ({error}). The exercise still works; "
            "tell your instructor."
        )
