"""What the coach says about a reading: each label, its cue words, and what it means for the
alliance (from ``data/coach/meanings.json``)."""

from __future__ import annotations

import json
from functools import cache

from helpers.paths import data_path


@cache
def meanings() -> dict:
    return json.loads(data_path("coach", "meanings.json").read_text(encoding="utf-8"))


def describe(text: str, client: str = "") -> str:
    """A plain-text reading for a person at a terminal."""
    from helpers.coach.model import read

    reading = read(text)
    data = meanings()
    lines = []
    for label in reading.labels:
        info = data["labels"][label]
        cues = ", ".join(f'"{c}"' for c in reading.cues.get(label, [])) or "(the whole reply)"
        lines += [
            f"{info['name']} ({info['leaning']}) - cue words: {cues}",
            f"  {info['meaning']}",
            f"  Guidelines: {', '.join(info['guidelines'])}; alliance: "
            f"{', '.join(info['dimensions'])}.",
        ]
    lines += ["", data["note"]]
    return "\n".join(lines)
