"""The trainee's corrections of the response coach, in their private store (table
``coach_corrections``): saved from "The coach got this wrong", read back for the trainee and,
only if they tick the box, for ``alliance export --coach-corrections``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["corrections", "save_correction"]


def save_correction(
    store: Any, vignette_id: str, response: str, coach: tuple[str, ...], trainee: list[str]
) -> None:
    """One row in the store's ``coach_corrections`` table."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO coach_corrections (vignette_id, response, coach_labels, "
            "trainee_labels, created) VALUES (?, ?, ?, ?, ?)",
            (
                vignette_id,
                response,
                json.dumps(list(coach)),
                json.dumps(list(trainee)),
                datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )


def corrections(store: Any) -> list[dict[str, Any]]:
    """Every correction the trainee saved, oldest first."""
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT vignette_id, response, coach_labels, trainee_labels, created "
            "FROM coach_corrections ORDER BY id"
        ).fetchall()
    return [
        {
            "vignette_id": row[0],
            "response": row[1],
            "coach_labels": json.loads(row[2]),
            "trainee_labels": json.loads(row[3]),
            "created": row[4],
        }
        for row in rows
    ]
