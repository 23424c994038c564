"""The trainee view in a real browser: how long a page takes to answer, and what a trainee's
server holds in memory while they go through the course.

* **Time to the first interactive exercise**: from the click that opens a notebook's page to
  its first exercise button on screen and enabled, against the floor measured right before it:
  the same server rendering, in the same browser, a notebook whose only cell makes the floor
  kernel's imports (pandas, matplotlib, ipywidgets). Each pair is one run; the ratio is the
  median of the run-by-run ratios.
* **Peak memory of a trainee going through the whole course**: on a server of its own (so
  nothing from the timing rounds is still running), one page opens every notebook in order,
  as the start page's links do; the server and all its kernels are sampled every 0.1 s. The
  baseline is the same server with one floor page open.
* **Kernels left running**: after the timing rounds, whose pages change at once (often before
  a page's scripts have loaded, so the page cannot ask for its kernel to stop), and after the
  walk through the course. The server shuts down kernels no page holds after a grace period
  (``helpers.trainee_view``); the bench waits for that.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
FLOOR_NOTEBOOK = "bench-floor.ipynb"
FLOOR_IMPORTS = "import pandas, matplotlib.pyplot, ipywidgets"
RENDERED = """() => !document.getElementById('loading')
    && document.getElementById('rendered_cells')
    && document.getElementById('rendered_cells').style.display !== 'none'"""
FIRST_EXERCISE = ".alliance-exercise .widget-button:not([disabled])"
READING = 1.0  # seconds on each page in the walk through the course
# Seconds to wait for kernels of closed pages to stop: the server's grace period for a page that
# could not ask (``helpers.trainee_view.DEFAULT_GRACE``), its sweep, and a margin.
SETTLE = 100.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A Jupyter server on a copy of the notebooks, with the course's server settings."""

    def __init__(self, base: Path) -> None:
        import nbformat

        self.base = base
        self.root = base / "notebooks"
        shutil.copytree(ROOT / "notebooks", self.root)
        floor = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_IMPORTS)])
        floor.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(floor, self.root / FLOOR_NOTEBOOK)
        config = base / "config"
        config.mkdir()
        shutil.copy(ROOT / "config" / "jupyter_server_config.json", config)
        self.token = secrets.token_hex(12)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "ALLIANCE"))}
        real_home = Path(os.environ.get("HOME") or Path.home())
        env.setdefault("MPLCONFIGDIR", str(real_home / ".config" / "matplotlib"))
        env.update(
            HOME=str(base / "home"),
            ALLIANCE_HOME=str(base / "alliance-home"),
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_RUNTIME_DIR=str(base / "runtime"),
            JUPYTER_DATA_DIR=str(base / "data"),
        )
        command = [
            str(VENV_BIN / "jupyter-server"),
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log = (base / "server.log").open("wb")
        self.process = subprocess.Popen(
            command, env=env, cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                opener.open(f"{self.url}/api/status?token={self.token}", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the Jupyter server did not start within 60 s")

    def kernels(self) -> int:
        """How many kernels the server runs."""
        import json

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.url}/api/kernels?token={self.token}", timeout=5) as answer:
            return len(json.loads(answer.read()))

    def wait_for_kernels(self, count: int, timeout: float = SETTLE) -> int:
        """Wait until the server runs at most ``count`` kernels (pages closed); how many."""
        deadline = time.monotonic() + timeout
        while self.kernels() > count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.kernels()

    def page_url(self, name: str) -> str:
        return f"{self.url}/voila/render/{name}?token={self.token}"

    def rss_mib(self) -> float:
        """Resident memory of the server and every process it started (its kernels)."""
        import psutil

        try:
            server = psutil.Process(self.process.pid)
            processes = [server, *server.children(recursive=True)]
        except psutil.Error:
            return 0.0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
        return total / 2**20

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Sampler:
    """The peak of ``measure()`` over a stretch of time, sampled every 0.1 s."""

    def __init__(self, measure: Any) -> None:
        self.measure = measure
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.measure())
            self._stop.wait(0.1)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.measure())


def _open(page: Any, url: str, wait_for: str | None) -> float:
    """Seconds from navigation to a rendered page (and ``wait_for`` shown, if given)."""
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(RENDERED, timeout=120_000, polling=20)
    if wait_for:
        page.locator(wait_for).first.wait_for(state="visible", timeout=120_000)
    return time.perf_counter() - start


def _exercise_notebooks() -> list[str]:
    from helpers.course import course

    return [n.name for n in course(ROOT / "notebooks") if n.vignettes]


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )


@contextmanager
def _trainee_page(prefix: str) -> Iterator[tuple[Server, Any]]:
    """A fresh server on a copy of the notebooks and one browser page, both closed after."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        server = Server(Path(scratch))
        try:
            with sync_playwright() as playwright:
                browser = _browser(playwright)
                try:
                    yield server, browser.new_page()
                finally:
                    browser.close()
        finally:
            server.stop()


def measure_times(pairs: int) -> dict[str, Any]:
    """Page open to first exercise, paired with the floor page, round by round."""
    results: dict[str, Any] = {"first_exercise": {}, "floor": []}
    with _trainee_page("alliance-bench-view-") as (server, page):
        _open(page, server.page_url(FLOOR_NOTEBOOK), None)  # warm the browser cache
        names = _exercise_notebooks()
        for _ in range(pairs):  # round by round, like the notebook benchmark
            for name in names:
                floor = _open(page, server.page_url(FLOOR_NOTEBOOK), None)
                seconds = _open(page, server.page_url(name), FIRST_EXERCISE)
                results["floor"].append(floor)
                results["first_exercise"].setdefault(name, []).append((floor, seconds))
        page.goto("about:blank")
        results["kernels_left_after_pairs"] = server.wait_for_kernels(0)
    return results


def measure_memory() -> dict[str, Any]:
    """A trainee's server going through the whole course, on a server of its own."""
    results: dict[str, Any] = {}
    with _trainee_page("alliance-bench-memory-") as (server, page):
        results["idle_mib"] = server.rss_mib()
        with Sampler(server.rss_mib) as floor_peak:
            _open(page, server.page_url(FLOOR_NOTEBOOK), None)
            time.sleep(READING)
        page.goto("about:blank")
        server.wait_for_kernels(0)
        results["floor_peak_mib"] = floor_peak.peak
        kernels = []
        with Sampler(server.rss_mib) as course_peak:
            for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
                _open(page, server.page_url(notebook.name), None)
                time.sleep(READING)  # a trainee reads before moving on
                kernels.append(server.kernels())
        results["course_peak_mib"] = course_peak.peak
        results["kernels_while_reading"] = kernels
        page.goto("about:blank")
        results["kernels_left_after_course"] = server.wait_for_kernels(0)
        results["after_close_mib"] = server.rss_mib()
    return results


def measure(pairs: int) -> dict[str, Any]:
    """The trainee view's figures (see the module's notes)."""
    return {**measure_times(pairs), **measure_memory()}


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """Medians and run-by-run ratios of :func:`measure`'s samples."""
    out: dict[str, Any] = {"floor_s": statistics.median(results["floor"]), "notebooks": {}}
    for name, runs in results["first_exercise"].items():
        out["notebooks"][name] = {
            "seconds": statistics.median(s for _, s in runs),
            "ratio": statistics.median(s / f for f, s in runs),
        }
    for key in (
        "idle_mib",
        "floor_peak_mib",
        "course_peak_mib",
        "after_close_mib",
        "kernels_left_after_pairs",
        "kernels_left_after_course",
        "kernels_while_reading",
    ):
        out[key] = results[key]
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(summary(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3)), indent=2))
