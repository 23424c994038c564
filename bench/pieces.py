"""Measurements run in a fresh interpreter each; every function prints one JSON line.

Each figure has a baseline measured alongside it: the floor the course cannot go below (parsing
the same YAML, one bare SQLite insert, reading the same JSON files, one pandas groupby).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "vignettes" / "examples.yaml"


def _timed(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _emit(data: dict) -> None:
    print(json.dumps(data))


def _scaled_bank(folder: Path, target: int) -> list[Path]:
    """Copies of the shipped vignette files with fresh ids, up to ``target`` vignettes."""
    sources = sorted((ROOT / "data" / "vignettes").glob("*.yaml"))
    docs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sources]
    vignettes = [v for d in docs for v in d["vignettes"]]
    out, made, copy = [], 0, 0
    while made < target:
        copy += 1
        batch = []
        for v in vignettes:
            if made >= target:
                break
            clone = json.loads(json.dumps(v))
            topic = "".join(ch for ch in clone["id"].split("-")[0] if ch.isalpha())
            clone["id"] = f"{topic}x{chr(96 + copy)}-{made % 100:02d}"
            clone.pop("easier", None)
            clone["exercise"].pop("easier", None)
            clone["exercise"].pop("harder", None)
            batch.append(clone)
            made += 1
        path = folder / f"copy{copy}.yaml"
        path.write_text(yaml.safe_dump({"vignettes": batch}, allow_unicode=True), "utf-8")
        out.append(path)
    return out


def bank(runs: int) -> None:
    from helpers.bank import clear_cache, validate_files

    def cold(files: list[Path]) -> None:
        clear_cache()  # measure a first load, as a fresh kernel does
        validate_files(files)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    shipped = sorted((ROOT / "data" / "vignettes").glob("*.yaml"))
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        scaled = _scaled_bank(Path(tmp), 200)
        for key, files in (("shipped", shipped), ("scaled", scaled)):
            bank_, _ = validate_files(files)
            result[key] = {
                "count": len(bank_.vignettes) + len(bank_.broken),
                "seconds": _timed(lambda f=files: cold(f), runs),
                "baseline": _timed(
                    lambda f=files: [yaml.load(p.read_text("utf-8"), loader) for p in f], runs
                ),
            }
    _emit(result)


def save(runs: int) -> None:
    from helpers.store import Store

    ratings = {"safety": 7, "care": 8, "understanding": 6, "focus": 9}
    checkins = {"notice_rupture": 5, "repair_rupture": 4, "ask_feedback": 6}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "s.sqlite3")
        seconds = _timed(lambda: store.save_reflection(2, "counselor", ratings, checkins), runs * 4)
        conn = sqlite3.connect(Path(tmp) / "bare.sqlite3", isolation_level=None)
        conn.execute("CREATE TABLE t (x TEXT)")

        def bare() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (?)", (json.dumps(ratings),))
            conn.execute("COMMIT")

        baseline = _timed(bare, runs * 4)
    _emit({"seconds": seconds, "baseline": baseline})


def click(runs: int) -> None:
    import ipywidgets as widgets

    from helpers.bank import load_bank
    from helpers.exercises import show_vignette
    from helpers.store import Store

    bank_ = load_bank([FIXTURE])
    choose_id = next(v.id for v in bank_.vignettes.values() if v.exercise["kind"] == "choose")
    with tempfile.TemporaryDirectory() as tmp:
        widget = show_vignette(choose_id, bank=bank_, store=Store(Path(tmp) / "s.sqlite3"))
        widget.choose(widget.option_list[0]["id"])
        seconds = _timed(widget.check_button.click, runs * 4)
    empty = widgets.Button(description="x")
    empty.on_click(lambda _: None)
    _emit({"seconds": seconds, "baseline": _timed(empty.click, runs * 4)})


def _submission(i: int) -> dict:
    return {
        "format": "alliance-reflection",
        "format_version": 1,
        "submission_id": f"{i:032x}",
        "pseudonym": f"benchpseudonym{i % 30:04d}",
        "cohort": "BENCH",
        "week": "2026-W48",
        "session": 1 + i % 6,
        "role": "counselor" if i % 2 else "client",
        "ratings": {"safety": 7, "care": 6, "understanding": 5, "focus": 8},
        "checkins": {"notice_rupture": 5, "repair_rupture": 4, "ask_feedback": 6},
        "choices": [{"vignette": "care-01", "option": "b", "attempts": 1}],
    }


def collect(n: int, runs: int) -> None:
    from helpers.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "drop"
        folder.mkdir()
        for i in range(n):
            (folder / f"2026-W48-{i:032x}.json").write_text(json.dumps(_submission(i)))
        out = Path(tmp) / "class.csv"

        def run() -> None:
            main(["collect", str(folder), "-o", str(out)])

        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            seconds = _timed(run, runs)
        baseline = _timed(
            lambda: [json.loads(p.read_bytes()) for p in sorted(folder.iterdir())], runs
        )
        shutil.rmtree(folder)
    _emit({"n": n, "seconds": seconds, "baseline": baseline})


def _rating_rows(n: int):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    per_submission = 4
    subs = max(1, n // per_submission)
    items = np.array(["safety", "care", "understanding", "focus"])
    frame = pd.DataFrame(
        {
            "submission_id": np.repeat([f"{i:032x}" for i in range(subs)], per_submission),
            "pseudonym": np.repeat([f"p{i % 400:04d}" for i in range(subs)], per_submission),
            "cohort": "BENCH",
            "week": "2026-W48",
            "session": np.repeat(rng.integers(1, 7, subs), per_submission),
            "role": np.repeat(rng.choice(["counselor", "client"], subs), per_submission),
            "measure": "guideline",
            "item": np.tile(items, subs),
            "score": rng.integers(0, 11, subs * per_submission).astype(float),
            "option": "",
            "attempts": np.nan,
        }
    )
    return frame


def aggregate(n: int, runs: int) -> None:
    from helpers.classview import aggregate_all

    frame = _rating_rows(n)

    def ours() -> None:
        aggregate_all(frame)

    def floor() -> None:
        frame.groupby(["session", "item"])["score"].mean()

    seconds = _timed(ours, runs)
    baseline = _timed(floor, runs)
    tracemalloc.start()
    ours()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    floor()
    _, base_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    frame_mib = frame.memory_usage(deep=True).sum() / 2**20
    _emit(
        {
            "n": n,
            "seconds": seconds,
            "baseline": baseline,
            "peak_mib": peak / 2**20 + frame_mib,
            "baseline_peak_mib": base_peak / 2**20 + frame_mib,
        }
    )
