"""The response coach's figures for ``make bench``: agreement with the corpus on the held-out
split, time per reply, cold start, memory, and what importing the course costs without the coach.

``python -m bench.coach`` measures and prints only these rows (docs/performance.md untouched).

Each figure is measured in a fresh interpreter with the model already trained and cached (the
cache a trainee has after the coach's first use). Baselines, measured in the same run: NumPy's
import (the floor under the coach's cold start), the coach's rules alone (the floor under a
reply), and the floor kernel's imports (the floor under memory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR_IMPORTS = "import pandas, matplotlib.pyplot, ipywidgets"

_PER_REPLY = """
import json, os, time
os.sched_setaffinity(0, {0})  # one core
from helpers.coach.corpus import load_corpus
from helpers.coach.model import get_model, read
from helpers.coach.rules import matches
model = get_model()
replies = [r.response for r in load_corpus().part("test")]
for text in replies[:30]:
    read(text, model)  # warm-up
def times(fn):
    out = []
    for text in replies:
        t = time.perf_counter(); fn(text); out.append(time.perf_counter() - t)
    out.sort()
    return out[int(0.95 * (len(out) - 1))], out[len(out) // 2]
p95, median = times(lambda text: read(text, model))
rules95, _ = times(matches)
print(json.dumps({"p95": p95, "median": median, "rules_p95": rules95, "n": len(replies)}))
"""

_COLD = """
import json, time
t = time.perf_counter()
from helpers.coach.model import get_model, read
get_model(); read("So you feel stuck.")
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

_NUMPY = """
import json, time
t = time.perf_counter()
import numpy
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

_MEMORY = (
    FLOOR_IMPORTS
    + """
import json
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before = rss()
import helpers
from helpers.coach.model import get_model, read
get_model(); read("It sounds like you're exhausted. What would help?")
print(json.dumps({"added": rss() - before, "floor": before}))
"""
)

_ACCURACY = """
import json
from helpers.coach.evaluate import as_json, evaluate
print(json.dumps(as_json(evaluate())))
"""

_IMPORT = """
import json, sys
import helpers
from helpers import show_vignette
loaded = sorted(m for m in sys.modules if m.startswith("helpers.coach") or m == "sklearn")
print(json.dumps({"loaded": loaded}))
"""


def _run(code: str, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def coach_rows(runs: int, Row, judge, median_of) -> list:  # noqa: N803 - bench's own classes
    """The coach's rows (``Row``, ``judge`` and ``median_of`` come from ``bench.__main__``)."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, ALLIANCE_COACH_CACHE=cache)
        subprocess.run(
            [sys.executable, "-m", "helpers.cli", "coach", "--train"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        reply = _run(_PER_REPLY, env)
        cold = median_of(runs, lambda: _run(_COLD, env)["seconds"])
        numpy = median_of(runs, lambda: _run(_NUMPY, env)["seconds"])
        memory = [_run(_MEMORY, env) for _ in range(min(runs, 3))]
        added = sorted(m["added"] for m in memory)[len(memory) // 2]
        loaded = _run(_IMPORT, env)["loaded"]
        accuracy = _run(_ACCURACY, env)
    f1 = {label: row["f1"] for label, row in accuracy["labels"].items()}
    lowest = min(f1, key=f1.get)
    held_out = f"{accuracy['test_replies']} held-out replies"
    return [
        Row(
            f"coach: macro-F1 against the corpus labels ({held_out})",
            round(accuracy["macro_f1"], 2),
            "F1",
            "",
            None,
            "≥ 0.80",
            judge(accuracy["macro_f1"] >= 0.80, f"{accuracy['macro_f1']:.2f}"),
        ),
        Row(
            f"coach: lowest per-label F1 ({lowest}; {held_out})",
            round(f1[lowest], 2),
            "F1",
            "",
            None,
            "≥ 0.65",
            judge(f1[lowest] >= 0.65, f"{f1[lowest]:.2f}"),
        ),
        Row(
            f"coach: one reply, p95 on one core after warm-up ({reply['n']} held-out replies)",
            reply["p95"],
            "s",
            "the coach's rules alone (p95)",
            reply["rules_p95"],
            "≤ 50 ms",
            judge(reply["p95"] <= 0.050, f"+{(reply['p95'] - 0.050) * 1000:.0f} ms over"),
        ),
        Row(
            "coach: cold start, import + model ready (cache warm)",
            cold,
            "s",
            "`import numpy`",
            numpy,
            "≤ 1.5 s",
            judge(cold <= 1.5, f"+{cold - 1.5:.2f} s over"),
        ),
        Row(
            "coach: memory added to a kernel (model loaded, one reply read)",
            added,
            "MiB",
            "",
            None,
            "≤ 60 MiB",
            judge(added <= 60, f"+{added - 60:.0f} MiB over"),
        ),
        Row(
            "coach: its modules loaded by `import helpers` and `show_vignette`",
            float(len(loaded)),
            "modules",
            "",
            None,
            "0",
            judge(not loaded, ", ".join(loaded)),
        ),
    ]


def main() -> int:
    """Measure and print only the coach's rows."""
    from bench.__main__ import Row, judge, median_of, table

    print(table(coach_rows(5, Row, judge, median_of)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
