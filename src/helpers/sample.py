"""``alliance sample``: a synthetic class for practice, demos and tests.

Notebook 11 needs a class to discuss before any real trainee has shared a reflection, and the
course must never ship real trainees' data. This module invents one: a seeded, reproducible
class table in exactly the format ``alliance collect`` writes, labelled ``SYNTHETIC``.

The model is deliberately simple and plausible: each trainee has their own level (a random
effect), rates themselves as counselor a little above how their partners rate them as clients,
grows across practice sessions at a pace that differs by guideline (focus fastest, understanding
slowest), misses about one session in ten, grows on the rupture check-ins, and answers the
bank's *choose* vignettes with the best option the most common last answer.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from helpers.collect import CLASS_COLUMNS, write_table
from helpers.vocabulary import CHECKINS, RATED_GUIDELINES, SYNTHETIC_COHORT

# The class-table columns (one list, kept by ``alliance collect``) but ``trainee``: each
# invented pseudonym is one invented trainee, so the class view counts pseudonyms here.
COLUMNS = tuple(column for column in CLASS_COLUMNS if column != "trainee")
DEFAULT_SEED = 2026
DEFAULT_COHORT = SYNTHETIC_COHORT
SAMPLE_META = "sample.json"

if TYPE_CHECKING:
    from helpers.bank import Vignette

# Where the synthetic class starts (session 1) and how far it grows by the last session.
_START = np.array([6.6, 6.8, 5.6, 5.9])  # safety, care, understanding, focus
_GROWTH = np.array([1.3, 1.0, 0.3, 2.4])
_SELF_BIAS = 0.9  # counselors rate themselves this much above their partners, on average
_CHECKIN_START = np.array([4.2, 3.6, 4.0])
_CHECKIN_GROWTH = np.array([2.4, 2.0, 2.8])
_MISS_RATE = 0.10
_MAX_VIGNETTES = 4
_SKILLS_BEFORE = 15.0  # skills snapshot (0-32) before the course
_SKILLS_GAIN = 4.0  # and its average rise by the end
_SKILLS_SHARED = 0.85  # share of trainees who choose to share their scores

# Used only when the vignette bank has no choose vignettes: made-up ids, clearly not real ones.
FALLBACK_VIGNETTES: dict[str, list[tuple[str, bool]]] = {
    "demo-01": [("a", False), ("b", True), ("c", False)],
    "demo-02": [("a", True), ("b", False), ("c", False), ("d", False)],
}


@dataclass(frozen=True)
class ChooseVignette:
    """A choose vignette as the sample needs it: its id and its options (id, best)."""

    id: str
    options: tuple[tuple[str, bool], ...]

    @property
    def best(self) -> str | None:
        return next((option for option, best in self.options if best), None)


def _as_choose(vignette: Vignette) -> ChooseVignette | None:
    exercise = vignette.exercise or {}
    if exercise.get("kind") != "choose":
        return None
    options = tuple(
        (str(option.get("id")), bool(option.get("best")))
        for option in exercise.get("options") or []
    )
    if not vignette.id or not options:
        return None
    return ChooseVignette(str(vignette.id), options)


def choose_vignettes() -> dict[str, ChooseVignette]:
    """The bank's choose vignettes by id (empty if the bank has none)."""
    from helpers.bank import load_bank  # loaded only when needed: notebooks import this module

    found = (_as_choose(v) for v in load_bank().vignettes.values())
    return {v.id: v for v in sorted((v for v in found if v), key=lambda v: v.id)}


def sample_vignettes() -> list[ChooseVignette]:
    """The choose vignettes the synthetic class answers: one per topic, up to four.

    Falls back to made-up ``demo-NN`` ids when the bank has no choose vignette yet.
    """
    picked: dict[str, ChooseVignette] = {}
    for vignette in choose_vignettes().values():
        topic = vignette.id.split("-")[0]
        picked.setdefault(topic, vignette)
    chosen = sorted(picked.values(), key=lambda v: v.id)[:_MAX_VIGNETTES]
    if chosen:
        return chosen
    return [ChooseVignette(vid, tuple(opts)) for vid, opts in FALLBACK_VIGNETTES.items()]


def _week(session: int) -> str:
    week = 39 + session
    year = 2026 + (week - 1) // 52
    return f"{year}-W{(week - 1) % 52 + 1:02d}"


def _scores(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 10).astype(int)


def generate_class(
    seed: int = DEFAULT_SEED,
    students: int = 30,
    sessions: int = 6,
    cohort: str = DEFAULT_COHORT,
    vignettes: list[ChooseVignette] | None = None,
) -> pd.DataFrame:
    """A synthetic class table (one row per rating, class.csv columns), reproducible by seed."""
    if students < 2:
        raise ValueError("a synthetic class needs at least 2 students (they practice in pairs)")
    if sessions < 1:
        raise ValueError("a synthetic class needs at least 1 session")
    vignettes = sample_vignettes() if vignettes is None else vignettes
    rng = np.random.default_rng(seed)
    pseudonyms = [f"synthetic-{rng.bytes(6).hex()}" for _ in range(students)]
    general = rng.normal(0.0, 0.8, students)
    specific = rng.normal(0.0, 0.4, (students, len(RATED_GUIDELINES)))
    pace = rng.normal(1.0, 0.25, students)
    self_bias = rng.normal(_SELF_BIAS, 0.5, students)
    checkin_level = rng.normal(0.0, 0.8, students)
    present = rng.random((students, sessions)) >= _MISS_RATE
    vignette_session = {
        v.id: 1 + (k * sessions) // max(len(vignettes), 1) for k, v in enumerate(vignettes)
    }

    rows: list[list[object]] = []
    counselor_heads: dict[int, list[list[object]]] = {}

    def submission(student: int, session: int, role: str) -> list[object]:
        """The columns every row of one reflection shares."""
        return [rng.bytes(16).hex(), pseudonyms[student], cohort, _week(session), session, role]

    for session in range(1, sessions + 1):
        progress = (session - 1) / (sessions - 1) if sessions > 1 else 0.0
        here = np.flatnonzero(present[:, session - 1])
        if len(here) < 2:
            continue
        order = rng.permutation(here)
        level = _START + np.outer(pace, _GROWTH) * progress + general[:, None] + specific
        for k, counselor in enumerate(order):
            client = order[(k + 1) % len(order)]
            # the counselor's own view of the session
            head = submission(counselor, session, "counselor")
            own = _scores(level[counselor] + self_bias[counselor] + rng.normal(0, 0.8, 4))
            rows += [
                head + ["guideline", g, s, "", "", ""]
                for g, s in zip(RATED_GUIDELINES, own, strict=True)
            ]
            rows += _checkin_rows(rng, head, counselor, progress, pace, checkin_level)
            for vignette in vignettes:
                if vignette_session[vignette.id] == session:
                    option, attempts, first = _choose(rng, vignette)
                    rows.append(head + ["choice", vignette.id, "", option, attempts, first])
            counselor_heads.setdefault(int(counselor), []).append(head)
            # the partner, in the client's chair, rates the same session
            head = submission(client, session, "client")
            partner = _scores(level[counselor] + rng.normal(0, 0.9, 4))
            rows += [
                head + ["guideline", g, s, "", "", ""]
                for g, s in zip(RATED_GUIDELINES, partner, strict=True)
            ]
            rows += _checkin_rows(rng, head, client, progress, pace, checkin_level)

    rows += _skills_rows(np.random.default_rng([seed, 1]), counselor_heads)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


def _skills_rows(
    rng: np.random.Generator, heads: dict[int, list[list[object]]]
) -> list[list[object]]:
    """Skills-snapshot scores, shared by most trainees: the "before" score with their first
    reflection as counselor, both scores with their last (as a real trainee's later
    reflections repeat what they chose to share). Drawn from their own generator, so the
    rest of the class is the same with or without them."""
    rows: list[list[object]] = []
    for student in sorted(heads):
        own = heads[student]
        before = int(np.clip(np.rint(rng.normal(_SKILLS_BEFORE, 4.0)), 0, 32))
        after = int(np.clip(np.rint(before + rng.normal(_SKILLS_GAIN, 3.5)), 0, 32))
        first_form, second_form = ("A", "B") if rng.random() < 0.5 else ("B", "A")
        if rng.random() >= _SKILLS_SHARED:
            continue
        rows.append(own[0] + ["skills", "before", before, first_form, "", ""])
        if len(own) > 1:
            rows.append(own[-1] + ["skills", "before", before, first_form, "", ""])
            rows.append(own[-1] + ["skills", "after", after, second_form, "", ""])
    return rows


def _checkin_rows(
    rng: np.random.Generator,
    head: list[object],
    student: int,
    progress: float,
    pace: np.ndarray,
    level: np.ndarray,
) -> list[list[object]]:
    """Every reflection carries the three rupture check-ins, growing across sessions."""
    scores = _scores(
        _CHECKIN_START
        + _CHECKIN_GROWTH * progress * pace[student]
        + level[student]
        + rng.normal(0, 0.9, len(CHECKINS))
    )
    return [head + ["checkin", c, s, "", "", ""] for c, s in zip(CHECKINS, scores, strict=True)]


def _choose(rng: np.random.Generator, vignette: ChooseVignette) -> tuple[str, int, str]:
    """A trainee's last answer on a choose vignette, how many attempts they made and their
    first answer.

    As in a shared reflection: the first answer is the best one about 45 % of the time; after
    a wrong first answer a quarter of trainees try again until they find the best response
    (2-3 attempts), and the others stay with the option they chose.
    """
    ids = [option for option, _ in vignette.options]
    best = vignette.best or ids[0]
    others = [option for option in ids if option != best]
    tail = np.linspace(1.3, 0.7, len(others)) if others else np.zeros(0)
    weights = np.concatenate([[0.45], 0.55 * tail / tail.sum() if others else []])
    first = ([best] + others)[rng.choice(len(weights), p=weights / weights.sum())]
    if first == best:
        return best, 1, first
    if rng.random() < 0.25:
        return best, int(min(len(ids), rng.choice([2, 3], p=[0.7, 0.3]))), first
    return first, 1, first


def write_class_csv(frame: pd.DataFrame, path: Path, *, seed: int = DEFAULT_SEED) -> None:
    """Write a class table with ``alliance collect``'s own writer, so it is the same format.

    Same quoting, formula safety (rule C1) and atomic replace (rule D2); the rows are shuffled
    with a generator seeded by ``seed``, so the same frame always gives the same file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        tuple(_plain(value) for value in row)
        for row in frame[list(COLUMNS)].itertuples(index=False)
    ]
    write_table(path, COLUMNS, rows, rng=random.Random(seed))


def _plain(value: Any) -> Any:
    """A frame cell as the table writer takes it: Python numbers, text, None for empty."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value == "":
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def write_sample(
    path: Path,
    seed: int = DEFAULT_SEED,
    students: int = 30,
    sessions: int = 6,
    cohort: str = DEFAULT_COHORT,
) -> Path:
    """Generate the class, write it to ``path`` and record how it was made next to it."""
    frame = generate_class(seed=seed, students=students, sessions=sessions, cohort=cohort)
    write_class_csv(frame, path, seed=seed)
    path.chmod(0o644)  # invented data, part of the course: readable like every other course file
    meta = {"seed": seed, "students": students, "sessions": sessions, "cohort": cohort}
    (path.parent / SAMPLE_META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--students", type=int, default=30, help="number of trainees")
    parser.add_argument("--sessions", type=int, default=6, help="number of practice sessions")
    parser.add_argument("--cohort", default=DEFAULT_COHORT, help="cohort label (default SYNTHETIC)")
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("class.csv"), help="where to write class.csv"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file (the table and sample.json next to it)",
    )


def run(args: argparse.Namespace) -> int:
    taken = [p for p in (args.output, args.output.parent / SAMPLE_META) if p.exists()]
    if taken and not args.force:
        listed = " and ".join(str(p) for p in taken)
        print(
            f"alliance sample: {listed} already exists and was left as it is (it may be a real"
            " class); give another file with -o, or add --force to replace it",
            file=sys.stderr,
        )
        return 2
    try:
        path = write_sample(args.output, args.seed, args.students, args.sessions, args.cohort)
    except ValueError as error:
        print(f"alliance sample: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote a synthetic class of {args.students} trainees over {args.sessions} sessions "
        f"(seed {args.seed}, cohort {args.cohort}) to {path}"
    )
    return 0
