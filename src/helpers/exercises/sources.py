"""Where exercises get the vignette bank and the store when a notebook passes neither.

``load_bank`` caches on the vignette files' modification times, so a new widget never re-reads
unchanged YAML, and clicks never touch the bank; ``get_store`` opens the store once per kernel.
"""

from __future__ import annotations

import sqlite3

from helpers.bank import Bank, load_bank
from helpers.store import Store, StoreError, get_store


def default_bank() -> Bank:
    """The course's vignette bank (every ``data/vignettes/*.yaml``)."""
    return load_bank()


def default_store() -> tuple[Store | None, str]:
    """The trainee's store, or ``None`` and sentences saying why answers can't be saved and
    what to do; the exercise then runs without saving instead of stopping with a traceback."""
    try:
        return get_store(), ""
    except StoreError as error:  # its message says what is wrong with the file and what to do
        what = str(error).strip()
    except (sqlite3.Error, OSError, ValueError, RuntimeError) as error:
        what = (
            f"the store could not be opened ({error}). Tell your instructor if this keeps "
            "happening."
        )
    return None, (
        f"Your answers can't be saved on this computer: {what} The exercise still works, but "
        "what you do here is not kept until this is fixed."
    )
