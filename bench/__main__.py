"""``make bench``: what the course costs a trainee and a hub, each figure beside its baseline.

Every figure is the median of several runs, measured in the same run as its baseline, and
reported as a ratio against that baseline and against its target. The report is printed and
written to ``docs/performance.md``.

    python -m bench            # everything (about 5 minutes on 2 cores)
    python -m bench --quick    # fewer repetitions and smaller sizes, for a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.coach import coach_rows
from helpers.notebooks import as_first_time_learner

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FLOOR_IMPORTS = "import pandas, matplotlib.pyplot, ipywidgets"


@dataclass
class Row:
    what: str
    value: float
    unit: str
    baseline_label: str = ""
    baseline: float | None = None
    target: str = ""
    verdict: str = ""
    paired: float | None = None  # the median of run-by-run ratios, when runs were paired

    @property
    def ratio(self) -> str:
        if self.paired is not None:
            return f"{self.paired:.2f}×"
        if not self.baseline:
            return ""
        return f"{self.value / self.baseline:.2f}×"


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.1f} ms"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    if unit == "kernels":
        return f"{value:g} kernel" + ("" if value == 1 else "s")
    return f"{value:g} {unit}"


def judge(ok: bool, miss: str) -> str:
    return "meets target" if ok else f"MISSES target: {miss}"


# -- notebooks against the floor kernel -------------------------------------------------------


def run_notebook(path: Path | None) -> tuple[float, float]:
    """Seconds from kernel start to the last cell, and the kernel's peak RSS in MiB."""
    import nbformat
    from nbclient import NotebookClient

    if path is None:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_IMPORTS)])
        cwd = ROOT / "notebooks"
    else:
        nb = nbformat.read(path, as_version=4)
        cwd = path.parent
    with tempfile.TemporaryDirectory() as home:
        saved = dict(os.environ)
        as_first_time_learner(os.environ, home)
        client = NotebookClient(
            nb, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}, timeout=300
        )
        start = time.perf_counter()
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            elapsed = time.perf_counter() - start
            pid = client.km.provisioner.process.pid
            peak = _vm_hwm_mib(pid)
        os.environ.clear()
        os.environ.update(saved)
    return elapsed, peak


def _vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_notebooks(runs: int) -> list[Row]:
    """Each notebook is run right after a floor-kernel run, round by round through all the
    notebooks, so both see the same machine (a shared machine's speed drifts over minutes);
    a notebook's ratio is the median of the ratios of its runs to those floor runs."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    floor_runs: dict[Path, list[tuple[float, float]]] = {path: [] for path in paths}
    notebook_runs: dict[Path, list[tuple[float, float]]] = {path: [] for path in paths}
    for _ in range(runs):  # round by round, so a slow spell touches every notebook alike
        for path in paths:
            floor_runs[path].append(run_notebook(None))
            notebook_runs[path].append(run_notebook(path))
    measured = [(path, floor_runs[path], notebook_runs[path]) for path in paths]
    every_floor = [f for _, floors, _ in measured for f in floors]
    rows = [
        Row(
            "floor kernel (imports pandas, matplotlib, ipywidgets): time",
            statistics.median(t for t, _ in every_floor),
            "s",
        ),
        Row("floor kernel: peak memory", statistics.median(m for _, m in every_floor), "MiB"),
    ]
    for path, floors, samples in measured:
        # each run against the floor run just before it: a drift in the machine's speed over
        # the minutes of the benchmark cancels out within a pair
        times = statistics.median(n[0] / f[0] for f, n in zip(floors, samples, strict=True))
        memory = statistics.median(n[1] / f[1] for f, n in zip(floors, samples, strict=True))
        limit_t = 1.5 if path.name.startswith("11") else 1.3
        for what, unit, index, ratio, limit in (
            ("time", "s", 0, times, limit_t),
            ("peak memory", "MiB", 1, memory, 1.2),
        ):
            value = statistics.median(s[index] for s in samples)
            floor = statistics.median(f[index] for f in floors)
            extra = f"{value - floor:+.2f} s" if unit == "s" else f"{value - floor:+.0f} MiB"
            rows.append(
                Row(
                    f"{path.name}: {what}",
                    value,
                    unit,
                    "floor",
                    floor,
                    f"≤ {limit}× floor",
                    judge(ratio <= limit, f"{ratio:.2f}× ({extra})"),
                    paired=ratio,
                )
            )
    return rows


# -- import cost ------------------------------------------------------------------------------


def _import_time(code: str, after: str = "") -> float:
    """Seconds ``code`` takes in a fresh interpreter, once ``after`` has run there."""
    script = f"{after}\nimport time; t=time.perf_counter(); {code}; print(time.perf_counter()-t)"
    out = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def bench_import(runs: int) -> list[Row]:
    """`import helpers` timed in the same interpreter, right after the floor's imports (two
    separate interpreters differ by more than the package costs)."""
    floor = median_of(runs, lambda: _import_time(FLOOR_IMPORTS))
    extra = median_of(runs, lambda: _import_time("import helpers", after=FLOOR_IMPORTS))
    return [
        Row(
            "`import helpers` beyond the floor's imports",
            extra,
            "s",
            "floor imports",
            floor,
            "≤ 150 ms",
            judge(extra <= 0.150, f"+{(extra - 0.150) * 1000:.0f} ms over"),
        ),
        # what the package's exports load when a notebook first uses them
        *(
            Row(
                f"`{code}` beyond the floor's imports",
                median_of(runs, lambda code=code: _import_time(code, after=FLOOR_IMPORTS)),
                "s",
                "floor imports",
                floor,
            )
            for code in (
                "from helpers import show_vignette",
                "from helpers.charts import load_class, show_profile",
            )
        ),
    ]


# -- in-process figures, each in a fresh interpreter so caches don't flatter them ------------


def _in_subprocess(snippet: str) -> dict:
    """Run a measuring snippet in a fresh interpreter; it prints one JSON object."""
    out = subprocess.run(
        [PYTHON, "-c", snippet],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_pieces(runs: int, quick: bool) -> list[Row]:
    rows: list[Row] = []
    sizes_collect = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    sizes_rows = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    jobs: list[tuple[str, str, Callable[[dict], list[Row]]]] = [
        ("bank", f"from bench.pieces import bank; bank({runs})", _rows_bank),
        ("save", f"from bench.pieces import save; save({runs})", _rows_save),
        ("click", f"from bench.pieces import click; click({runs})", _rows_click),
    ]
    jobs += [
        (
            f"collect {n}",
            f"from bench.pieces import collect; collect({n}, {min(runs, 3)})",
            _rows_collect,
        )
        for n in sizes_collect
    ]
    jobs += [
        (
            f"aggregate {n}",
            f"from bench.pieces import aggregate; aggregate({n}, {min(runs, 3)})",
            _rows_aggregate,
        )
        for n in sizes_rows
    ]
    for label, snippet, to_rows in jobs:
        try:
            rows += to_rows(_in_subprocess(snippet))
        except Exception as exc:  # a piece that cannot run is reported, not hidden
            rows.append(Row(f"{label}: not measured ({exc})", float("nan"), ""))
    return rows


def _rows_bank(r: dict) -> list[Row]:
    out = []
    for key, label in (("shipped", "as shipped"), ("scaled", "scaled to 200 vignettes")):
        v = r[key]
        out.append(
            Row(
                f"load + validate the vignette bank, {label} ({v['count']} vignettes)",
                v["seconds"],
                "s",
                "parsing the YAML alone (libyaml)",
                v["baseline"],
                "< 100 ms",
                judge(v["seconds"] < 0.1, f"{v['seconds'] * 1000:.0f} ms"),
            )
        )
    return out


def _rows_save(r: dict) -> list[Row]:
    return [
        Row(
            "save a reflection",
            r["seconds"],
            "s",
            "one bare SQLite insert+commit",
            r["baseline"],
            "< 50 ms",
            judge(r["seconds"] < 0.05, f"{r['seconds'] * 1000:.0f} ms"),
        )
    ]


def _rows_click(r: dict) -> list[Row]:
    return [
        Row(
            "Python work per click (choose: check an answer)",
            r["seconds"],
            "s",
            "a button with an empty handler",
            r["baseline"],
            "< 20 ms",
            judge(r["seconds"] < 0.02, f"{r['seconds'] * 1000:.1f} ms"),
        )
    ]


def _rows_collect(r: dict) -> list[Row]:
    n = r["n"]
    target = "< 5 s" if n == 10_000 else ""
    verdict = judge(r["seconds"] < 5, f"{r['seconds']:.1f} s") if n == 10_000 else ""
    return [
        Row(
            f"`alliance collect` on {n:,} submissions",
            r["seconds"],
            "s",
            "reading + json-parsing the same files",
            r["baseline"],
            target,
            verdict,
        )
    ]


def _rows_aggregate(r: dict) -> list[Row]:
    n = r["n"]
    big = n == 1_000_000
    return [
        Row(
            f"class-view aggregation, {n:,} rating rows: time",
            r["seconds"],
            "s",
            "one pandas groupby mean",
            r["baseline"],
            "< 5 s" if big else "",
            judge(r["seconds"] < 5, f"{r['seconds']:.1f} s") if big else "",
        ),
        Row(
            f"class-view aggregation, {n:,} rating rows: peak memory",
            r["peak_mib"],
            "MiB",
            "the same groupby",
            r["baseline_peak_mib"],
            "< 1 GB" if big else "",
            judge(r["peak_mib"] < 1024, f"{r['peak_mib']:.0f} MiB") if big else "",
        ),
    ]


# -- browser latency (recorded by the browser tests) -----------------------------------------


def browser_rows() -> list[Row]:
    figures = ROOT / "artifacts" / "browser-figures.json"
    if not Path("/usr/bin/chromium").exists():
        return [
            Row("click-to-feedback in JupyterLab: not measured (no Chromium)", float("nan"), "")
        ]
    subprocess.run(
        [PYTHON, "-m", "pytest", "tests/browser", "-q", "-k", "latency", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
    )
    if not figures.exists():
        return [Row("click-to-feedback in JupyterLab: not measured", float("nan"), "")]
    data = json.loads(figures.read_text())
    latency = data.get("click_to_feedback_ms", {})
    p95 = latency.get("p95", float("nan"))
    return [
        Row(
            "click-to-feedback in JupyterLab: median",
            latency.get("median", float("nan")) / 1000,
            "s",
        ),
        Row(
            "click-to-feedback in JupyterLab: 95th percentile",
            p95 / 1000,
            "s",
            "",
            None,
            "< 100 ms",
            judge(p95 < 100, f"{p95:.0f} ms"),
        ),
    ]


# -- the trainee view (Voilà) in a real browser ------------------------------------------------


def trainee_view_rows(pairs: int) -> list[Row]:
    """Time to the first interactive exercise against the floor page, and a trainee's memory
    going through the whole course (bench/trainee_view.py)."""
    if not Path("/usr/bin/chromium").exists():
        return [Row("trainee view: not measured (no Chromium)", float("nan"), "")]
    from bench.trainee_view import SETTLE, measure, summary

    try:
        found = summary(measure(pairs))
    except Exception as exc:  # reported, not hidden
        return [Row(f"trainee view: not measured ({exc})", float("nan"), "")]
    rows = []
    for name, figures in found["notebooks"].items():
        ratio = figures["ratio"]
        rows.append(
            Row(
                f"{name}: page open → first interactive exercise",
                figures["seconds"],
                "s",
                "floor page (kernel start, floor imports, one Voilà render)",
                found["floor_s"],
                "≤ 1.5× floor",
                judge(ratio <= 1.5, f"{ratio:.2f}×"),
                paired=ratio,
            )
        )
    rows.append(
        Row(
            "one trainee opening every notebook in turn: peak memory (server + kernels)",
            found["course_peak_mib"],
            "MiB",
            "the same server with one floor page open",
            found["floor_peak_mib"],
            "≤ 512 MiB (hub limit)",
            judge(found["course_peak_mib"] <= 512, f"{found['course_peak_mib']:.0f} MiB"),
        )
    )
    most = max(found["kernels_while_reading"], default=0)
    rows.append(
        Row(
            "kernels running at once while that trainee reads a page (most)",
            most,
            "kernels",
            target="1",
            verdict=judge(most <= 1, f"{most} kernels"),
        )
    )
    for key, when in (
        ("kernels_left_after_pairs", "after the timing rounds' pages closed, often before loading"),
        ("kernels_left_after_course", "after the trainee closed the last page"),
    ):
        rows.append(
            Row(
                f"kernels still running {when} (waited up to {SETTLE:.0f} s)",
                found[key],
                "kernels",
                target="0",
                verdict=judge(found[key] == 0, f"{found[key]} kernels"),
            )
        )
    return rows


# -- report -----------------------------------------------------------------------------------


# Why a target is missed, where the reason is known (kept next to the figures it explains).
# why a target is missed, when the reason is known and was accepted (shown under "Targets missed")
KNOWN_REASONS: dict[str, str] = {}


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){mem}, "
        f"Python {platform.python_version()}"
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| what | median | baseline (same run) | ratio | target | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        value = "" if r.value != r.value else fmt(r.value, r.unit)
        base = f"{r.baseline_label}: {fmt(r.baseline, r.unit)}" if r.baseline else ""
        lines.append(f"| {r.what} | {value} | {base} | {r.ratio} | {r.target} | {r.verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller sizes")
    parser.add_argument("--runs", type=int, default=None, help="repetitions (default 5)")
    parser.add_argument(
        "--pairs", type=int, default=None, help="floor/notebook run pairs per notebook (default 7)"
    )
    parser.add_argument("--no-write", action="store_true", help="don't update docs/performance.md")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    pairs = args.pairs or (3 if args.quick else 7)  # kernel start-up times vary the most
    started = time.perf_counter()
    sections = [
        ("Notebooks against the floor kernel", bench_notebooks(pairs)),
        ("Importing the course package", bench_import(runs)),
        ("Course pieces", bench_pieces(runs, args.quick)),
        ("In the browser", browser_rows()),
        ("The response coach", coach_rows(runs, Row, judge, median_of)),
        ("The trainee view (Voilà) in the browser", trainee_view_rows(3 if args.quick else 5)),
    ]
    took = time.perf_counter() - started
    missed = [r for _, rows in sections for r in rows if r.verdict.startswith("MISSES")]
    body = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand.",
        "",
        f"- Machine: {machine()}",
        f"- Date: {time.strftime('%Y-%m-%d')}",
        f"- Each figure: median of {runs} runs; the baseline is measured in the same run. "
        f"Each notebook is run {pairs} times (in rounds through all notebooks), each time "
        "right after the floor kernel; its ratio is the median of those run-by-run ratios.",
        f"- The whole benchmark took {took / 60:.1f} minutes.",
        "",
    ]
    for title, rows in sections:
        body += [f"## {title}", "", table(rows), ""]
    body += ["## Targets missed", ""]
    body += [
        f"- {r.what}: {r.verdict}"
        + (f". Why: {KNOWN_REASONS[r.what]}." if r.what in KNOWN_REASONS else "")
        for r in missed
    ] or ["- none"]
    report = "\n".join(body) + "\n"
    print(report)
    if not args.no_write:
        (ROOT / "docs" / "performance.md").write_text(report, encoding="utf-8")
        print("wrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
