"""Browser tests: every course notebook opened, run and clicked in a real JupyterLab.

How to run
----------
    .venv/bin/python -m pytest tests/browser -q -x

Needs Debian's Chromium at ``/usr/bin/chromium`` (``apt-get install chromium``; Playwright's
own browser download is never used) and axe-core from ``npm ci``
(``node_modules/axe-core/axe.min.js``). Without Chromium the whole folder is skipped with a
reason; the course's test runner turns that skip into a failure on CI.

What the harness provides
-------------------------
* ``lab`` (session): one JupyterLab server on 127.0.0.1 with a free port and a token. Its HOME,
  Jupyter config/data/runtime dirs, workspaces and user settings are throwaway folders, the
  course's ``config/lab-overrides.json`` is applied as user settings (with a 2-second autosave)
  and its ``config/jupyter_server_config.json`` as server settings, ``ALLIANCE_HOME`` and
  ``ALLIANCE_DROPBOX`` are throwaway folders, and its root is a trusted temporary COPY of
  ``notebooks/`` (saves never touch the repository). Stopped at session end, even on failure.
  ``own_lab`` starts another such server for a module whose runs must not reach the shared one
  (optionally with the response coach trained); ``LabServer.restore_notebook`` puts one
  notebook back as shipped, with no kernel running, for tests of a first visit.
* ``browser`` (session, one headless Chromium), ``browser_context`` (session, so Lab's scripts
  are cached) and ``lab_page`` (a fresh page per test, wrapped in :class:`LabPage`: open a
  notebook, wait for an idle kernel, use the menus, Run All, save, read error outputs and broken
  widgets, run axe-core on the course's content).
* ``exercise_notebook`` writes a small notebook showing the test vignettes
  (``tests/fixtures/vignettes/examples.yaml``) with its own ``ALLIANCE_DATA`` and
  ``ALLIANCE_HOME``, so interaction tests do not depend on the course's own vignettes.
* Screenshots after Run All go to ``artifacts/screenshots/NN-name.png``; Run All times and the
  click-to-feedback latency are printed at the end of the session and written to
  ``artifacts/browser-figures.json``.

Selectors are always scoped to the visible notebook, ``.jp-NotebookPanel:not(.lm-mod-hidden)``,
and every URL carries ``?reset`` so no saved workspace reopens other panels.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FIGURES_FILE = ARTIFACTS / "browser-figures.json"
VENV_BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_MISSING = (
    "axe-core not found at node_modules/axe-core/axe.min.js: accessibility checks skipped (npm ci)"
)
SKIP_REASON = (
    "Chromium not found at /usr/bin/chromium: browser tests skipped (apt-get install chromium)"
)

# The visible notebook only (a restored workspace may hold hidden panels).
CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"
OUTPUT = f"{CURRENT} .jp-OutputArea-output"
# What the course wrote: code-cell outputs (widgets, charts, notes) and rendered Markdown prose.
COURSE_CONTENT = (OUTPUT, f"{CURRENT} .jp-MarkdownOutput")
# What JupyterLab adds inside rendered Markdown: the collapse button it puts on every heading.
LAB_INTERFACE_IN_CONTENT = (".jp-collapseHeadingButton",)
# WCAG 2.0/2.1 level A and AA rules.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT_MAX_PX = 16_000  # tallest screenshot (Chromium's limit is a little higher)
SLOW_MS = 90_000  # generous upper bound for a kernel start or a Run All on a busy 2-core machine
AUTOSAVE_SECONDS = 2  # JupyterLab's autosave interval in these tests (120 s by default)

# Figures collected during the session, reported at the end.
FIGURES: dict[str, Any] = {"run_all_seconds": {}, "click_to_feedback_ms": [], "lab_tabs": {}}


def course_notebooks() -> list[str]:
    """The notebooks present in ``notebooks/`` (new ones are picked up automatically)."""
    return sorted(path.name for path in (REPO / "notebooks").glob("*.ipynb"))


# --------------------------------------------------------------------------------------------
# Marking and skipping


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``browser``; skip them all when Chromium is missing."""
    for item in items:
        if BROWSER_DIR not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


# --------------------------------------------------------------------------------------------
# The JupyterLab server


# Talks to 127.0.0.1 directly, whatever proxy the environment names.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_user_settings(settings_dir: Path, overrides: dict[str, dict[str, Any]]) -> None:
    """Write ``{"pkg:plugin": {...}}`` overrides as JupyterLab user settings files."""
    for plugin_id, values in overrides.items():
        package, plugin = plugin_id.split(":", 1)
        target = settings_dir / package / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values, indent=2), encoding="utf-8")


class LabServer:
    """A running JupyterLab server and the throwaway folders around it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root = base / "notebooks"
        self.alliance_home = base / "alliance-home"
        self.dropbox = base / "dropbox"
        self.home = base / "home"
        self.log_path = base / "jupyterlab.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "ALLIANCE"))}
        env.pop("MPLBACKEND", None)
        # keep matplotlib's font cache where it is, so kernels do not rebuild it (slow)
        real_home = Path(os.environ.get("HOME") or Path.home())
        env.setdefault("MPLCONFIGDIR", str(real_home / ".config" / "matplotlib"))
        env.update(
            HOME=str(self.home),
            JUPYTER_CONFIG_DIR=str(self.base / "jupyter-config"),
            JUPYTER_DATA_DIR=str(self.base / "jupyter-data"),
            JUPYTER_RUNTIME_DIR=str(self.base / "jupyter-runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(self.base / "lab-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.base / "lab-workspaces"),
            ALLIANCE_HOME=str(self.alliance_home),
            ALLIANCE_DROPBOX=str(self.dropbox),
            PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            PYTHONDONTWRITEBYTECODE="1",
        )
        return env

    def prepare(self) -> None:
        """Copy and trust the notebooks, and install the course's Lab settings."""
        for key in ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
            Path(self.env[key]).mkdir(parents=True, exist_ok=True)
        self.dropbox.mkdir()
        shutil.copytree(
            REPO / "notebooks",
            self.root,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
        )
        overrides = json.loads((REPO / "config" / "lab-overrides.json").read_text("utf-8"))
        overrides["@jupyterlab/docmanager-extension:plugin"] = {
            "autosave": True,
            "autosaveInterval": AUTOSAVE_SECONDS,
        }
        _write_user_settings(Path(self.env["JUPYTERLAB_SETTINGS_DIR"]), overrides)
        # the course's server settings: every save keeps no widgets (helpers.saving)
        shutil.copy(
            REPO / "config" / "jupyter_server_config.json",
            Path(self.env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json",
        )
        notebooks = sorted(str(p) for p in self.root.glob("*.ipynb"))
        if notebooks:
            subprocess.run(
                [str(VENV_BIN / "jupyter"), "trust", *notebooks],
                env=self.env,
                check=True,
                capture_output=True,
            )

    def start(self) -> None:
        command = [
            str(VENV_BIN / "jupyter-lab"),
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.workspaces_dir={self.env['JUPYTERLAB_WORKSPACES_DIR']}",
            f"--LabApp.user_settings_dir={self.env['JUPYTERLAB_SETTINGS_DIR']}",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the kernels go with it
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"JupyterLab did not answer /api/status within 60 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # JupyterLab shuts its kernels down on SIGTERM
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the server and the kernels it started
            self.process.wait(timeout=15)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            data=None if body is None else json.dumps(body).encode("utf-8"),
        )
        with _LOCAL.open(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def restore_notebook(self, name: str) -> None:
        """Stop every kernel and put the course's copy of one notebook back as shipped, so it
        opens as a trainee's first visit shows it, whatever earlier tests ran and autosaved."""
        self.shutdown_kernels()
        shutil.copy(REPO / "notebooks" / name, self.root / name)
        subprocess.run(
            [str(VENV_BIN / "jupyter"), "trust", str(self.root / name)],
            env=self.env,
            check=True,
            capture_output=True,
        )

    def train_coach(self) -> None:
        """Train the response coach into this server's private folder, as a trainee's first use
        of it would, so no page waits for the training."""
        env = {**os.environ, "ALLIANCE_HOME": str(self.alliance_home)}
        env.pop("ALLIANCE_COACH_CACHE", None)
        subprocess.run(
            [sys.executable, "-c", "from helpers.coach.model import get_model; get_model()"],
            env=env,
            check=True,
            timeout=600,
        )

    def shutdown_kernels(self) -> None:
        """Stop every session's kernel, so finished notebooks stop using CPU and memory."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def notebook_url(self, relative_path: str) -> str:
        return f"{self.url}/lab/tree/{relative_path}?reset&token={self.token}"


@contextmanager
def own_lab(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    env: dict[str, str] | None = None,
    coach: bool = False,
) -> Iterator[LabServer]:
    """A JupyterLab server on a trusted copy of the notebooks, stopped afterwards.

    ``env`` adds to the server's environment; ``coach`` trains the response coach first.
    """
    server = LabServer(tmp_path_factory.mktemp(name))
    server.env.update(env or {})
    server.prepare()
    if coach:
        server.train_coach()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """One JupyterLab server for the whole session."""
    with own_lab(tmp_path_factory, "jupyterlab") as server:
        yield server


# --------------------------------------------------------------------------------------------
# The browser and the page


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (Debian's, never a downloaded one)."""
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class LabPage:
    """A browser page on the course's JupyterLab, with the waits and checks the tests share."""

    def __init__(self, page: Any, server: LabServer) -> None:
        self.page = page
        self.server = server

    # -- locators ------------------------------------------------------------------------
    @property
    def outputs(self) -> Any:
        return self.page.locator(OUTPUT)

    def exercise(self, vignette_id: str) -> Any:
        """The exercise widget of one vignette, found by the id in its heading."""
        heading = self.page.locator("h3", has_text=f"({vignette_id})")
        return self.page.locator(f"{OUTPUT} .alliance-exercise").filter(has=heading)

    # -- opening and running -------------------------------------------------------------
    def open_notebook(self, relative_path: str) -> None:
        """Open a notebook fresh (``?reset``) and wait until its kernel is idle."""
        self.page.goto(self.server.notebook_url(relative_path))
        self.page.wait_for_selector(f"{CURRENT} .jp-Cell", timeout=SLOW_MS)
        self.wait_kernel_idle()

    def wait_kernel_idle(self) -> None:
        """Wait until the status bar shows the notebook's kernel connected and idle.

        The toolbar indicator alone is not enough: it reads "idle" before any kernel exists.
        """
        self.page.wait_for_function(
            """(sel) => {
                const bar = document.querySelector('#jp-main-statusbar');
                const ind = document.querySelector(sel + ' .jp-Notebook-ExecutionIndicator');
                const text = bar ? bar.textContent : '';
                return /\\| Idle/.test(text) && !text.includes('No Kernel')
                    && ind !== null && ind.getAttribute('data-status') === 'idle';
            }""",
            arg=CURRENT,
            timeout=SLOW_MS,
            polling=100,
        )

    def menu(self, menu: str, item: str) -> None:
        """Click a main-menu entry as a person would (e.g. Run → Run All Cells)."""
        self.page.locator("#jp-MainMenu").get_by_text(menu, exact=True).click()
        self.page.locator(
            ".lm-Menu-content .lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
            has_text=re.compile(f"^{re.escape(item)}$"),
        ).click()

    def run_all(self) -> float:
        """Run → Run All Cells, wait until every cell has run and the kernel is idle.

        Returns the wall time in seconds from the click to the end of the run.
        """
        # Stored outputs already carry numbered prompts, so first see the run start: a prompt
        # turning to [*] (watched from before the click, so a fast run is not missed).
        self.page.evaluate(
            """(sel) => {
                const panel = document.querySelector(sel);
                window.__allianceRunStarted = false;
                const seen = new MutationObserver(records => {
                    for (const r of records) {
                        const nodes = [r.target, ...r.addedNodes];
                        if (nodes.some(n => n.parentElement?.closest?.('.jp-InputPrompt') ||
                                            n.closest?.('.jp-InputPrompt'))
                            && nodes.some(n => (n.textContent || '').includes('*'))) {
                            window.__allianceRunStarted = true;
                            seen.disconnect();
                            return;
                        }
                    }
                });
                seen.observe(panel, {subtree: true, childList: true, characterData: true});
            }""",
            CURRENT,
        )
        started = time.perf_counter()
        self.menu("Run", "Run All Cells")
        self.page.wait_for_function("() => window.__allianceRunStarted === true", timeout=SLOW_MS)
        self.wait_run_finished()
        return time.perf_counter() - started

    def wait_run_finished(self) -> None:
        """No cell running or queued, the kernel idle, and every non-empty code cell numbered
        (or a traceback shown, after which JupyterLab runs no further cells)."""
        self.page.wait_for_function(
            """(sel) => {
                const panel = document.querySelector(sel);
                if (!panel) return false;
                const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
                if (!ind || ind.getAttribute('data-status') !== 'idle') return false;
                const cells = [...panel.querySelectorAll('.jp-CodeCell')];
                const prompts = cells
                  .filter(c => (c.querySelector('.cm-content')?.textContent || '').trim())
                  .map(c => (c.querySelector('.jp-InputPrompt')?.textContent || '').trim());
                if (prompts.some(p => p.includes('*'))) return false;
                const failed = [...panel.querySelectorAll('.jp-OutputArea-output')]
                  .some(o => (o.textContent || '').includes('Traceback'));
                return failed || prompts.every(p => /\\[\\d+\\]/.test(p));
            }""",
            arg=CURRENT,
            timeout=SLOW_MS,
            polling=100,
        )

    def save(self) -> None:
        """File → Save Notebook, then wait until the notebook's tab is no longer marked dirty."""
        from playwright.sync_api import expect

        self.menu("File", "Save Notebook")
        tab = self.page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current")
        expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"), timeout=SLOW_MS)

    # -- checks ---------------------------------------------------------------------------
    def error_outputs(self) -> list[str]:
        """Texts of error outputs: tracebacks, and stderr that mentions an error."""
        errors = self.page.locator(
            f'{OUTPUT}[data-mime-type="application/vnd.jupyter.error"]'
        ).all_inner_texts()
        stderr = self.page.locator(
            f'{OUTPUT}[data-mime-type="application/vnd.jupyter.stderr"]'
        ).all_inner_texts()
        errors += [text for text in stderr if re.search(r"Error|Traceback", text)]
        rendered = self.page.locator(f"{OUTPUT} .jp-RenderedText").all_inner_texts()
        errors += [text for text in rendered if "Traceback (most recent call last)" in text]
        return list(dict.fromkeys(text.strip()[:2000] for text in errors))

    def widget_errors(self) -> list[str]:
        """Widget outputs that failed to render (missing state, broken model)."""
        found = self.page.locator(OUTPUT).filter(
            has_text=re.compile(r"Error displaying widget|model not found")
        )
        return [text.strip()[:500] for text in found.all_inner_texts()]

    def screenshot(self, name: str) -> Path:
        """The whole notebook from the top, as one tall image (the viewport is stretched to
        the notebook's height for the shot, then put back)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{Path(name).stem}.png"
        scroller = self.page.locator(f"{CURRENT} .jp-WindowedPanel-outer")
        extra = scroller.evaluate(
            "el => { el.scrollTop = 0; return el.scrollHeight - el.clientHeight; }"
        )
        size = self.page.viewport_size or {"width": 1280, "height": 900}
        self.page.set_viewport_size(
            {"width": size["width"], "height": min(size["height"] + extra, SCREENSHOT_MAX_PX)}
        )
        try:
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)
        return path

    def axe_violations(self, include: tuple[str, ...] = COURSE_CONTENT) -> list[dict[str, Any]]:
        """axe-core's WCAG 2 A/AA violations in the course's own content (outputs, prose).

        JupyterLab's own interface is left out (see docs/accessibility.md): its toolbar, cell
        editors and the buttons it adds to headings are not the course's to fix.
        """
        if not AXE_JS.exists():
            pytest.skip(AXE_MISSING)
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE_JS))
        result = self.page.evaluate(
            """async ([include, exclude, tags]) => {
                const present = include.filter(sel => document.querySelector(sel));
                if (!present.length) return {violations: []};
                return await axe.run({include: present, exclude: exclude},
                    {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            }""",
            [list(include), list(LAB_INTERFACE_IN_CONTENT), WCAG_TAGS],
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["html"][:300] for n in v["nodes"]],
            }
            for v in result["violations"]
        ]


@pytest.fixture(scope="session")
def browser_context(browser: Any) -> Iterator[Any]:
    """One context for the session, so JupyterLab's scripts come from the cache after the
    first page (each page still loads the app afresh, with ``?reset``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


@contextmanager
def open_lab_page(context: Any, server: LabServer) -> Iterator[LabPage]:
    """A fresh page; closed, and its kernels stopped, afterwards."""
    page = context.new_page()
    try:
        yield LabPage(page, server)
    finally:
        page.close()
        try:
            server.shutdown_kernels()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass


@pytest.fixture
def lab_page(browser_context: Any, lab: LabServer) -> Iterator[LabPage]:
    """A fresh page on the session's JupyterLab."""
    with open_lab_page(browser_context, lab) as page:
        yield page


# --------------------------------------------------------------------------------------------
# Exercise notebooks on the test vignettes (independent of the course's own content)

FIXTURE_VIGNETTES = REPO / "tests" / "fixtures" / "vignettes" / "examples.yaml"


@pytest.fixture(scope="session")
def example_data(lab: LabServer) -> Path:
    """A course data folder whose only vignettes are the test examples (demo-01 ... demo-07)."""
    target = lab.base / "example-data"
    shutil.copytree(REPO / "data", target, ignore=shutil.ignore_patterns("vignettes"))
    (target / "vignettes").mkdir()
    shutil.copy(FIXTURE_VIGNETTES, target / "vignettes" / "examples.yaml")
    return target


def write_check_notebook(server: LabServer, name: str, code_cells: list[str]) -> str:
    """Write a small notebook under ``checks/`` in the server's root; return its path there."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    folder = server.root / "checks"
    folder.mkdir(exist_ok=True)
    target = folder / f"{name}.ipynb"
    if target.exists():
        raise ValueError(f"a check notebook called {name!r} was already written")
    notebook = new_notebook(
        cells=[new_markdown_cell(f"# Check: {name}"), *map(new_code_cell, code_cells)],
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            }
        },
    )
    nbformat.write(notebook, target)
    return f"checks/{name}.ipynb"


FILE_ORDER_PSEUDONYM = "browser-file-order-0004"


@pytest.fixture(scope="session")
def exercise_notebook(lab: LabServer, example_data: Path) -> Any:
    """Write a notebook showing the given test vignettes, with its own ALLIANCE_HOME.

    Returns a function ``(name, *vignette_ids) -> path relative to the server root``; each
    name gets a fresh trainee folder, so no answer carries over from another test.
    """

    def write(name: str, *vignette_ids: str) -> str:
        home = lab.base / "homes" / name
        # A trainee whose shuffled order happens to be the file's order for demo-01 and
        # demo-04, so the tests can name options by place (tests/test_order.py tests the order).
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        (home / "pseudonym").write_text(FILE_ORDER_PSEUDONYM + "\n", encoding="ascii")
        setup = (
            "import os\n"
            f"os.environ['ALLIANCE_DATA'] = {str(example_data)!r}\n"
            f"os.environ['ALLIANCE_HOME'] = {str(home)!r}"
        )
        cells = [setup, "from helpers import show_vignette"]
        cells += [f"show_vignette({vid!r})" for vid in vignette_ids]
        return write_check_notebook(lab, name, cells)

    return write


def click_every_exercise(page: Any, selector: str) -> list[str]:
    """Click the first button of every exercise on the page (``selector`` finds them) and wait
    for the exercise to answer (its text changes: feedback, a next step, a prompt to choose
    first). Returns the headings of the exercises that did not answer."""
    unanswered = []
    exercises = page.locator(selector)
    for index in range(exercises.count()):
        exercise = exercises.nth(index)
        before = exercise.inner_text()
        exercise.locator(".widget-button:visible").first.click()
        try:
            page.wait_for_function(
                "([el, text]) => el.innerText !== text",
                arg=[exercise.element_handle(), before],
                timeout=10_000,
            )
        except Exception:  # noqa: BLE001 - reported to the caller, which asserts on it
            unanswered.append(exercise.locator("h3").first.inner_text().strip())
    return unanswered


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations a screen-reader or keyboard user would be blocked by."""
    return [v for v in violations if v["impact"] in ("serious", "critical")]


# --------------------------------------------------------------------------------------------
# Figures: Run All time per notebook and click-to-feedback latency


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def figures_summary() -> dict[str, Any]:
    latencies = FIGURES["click_to_feedback_ms"]
    summary: dict[str, Any] = {
        "run_all_seconds": {k: round(v, 2) for k, v in sorted(FIGURES["run_all_seconds"].items())},
    }
    if FIGURES["lab_tabs"]:
        # Tab presses into each exercise and from each to the next, per notebook in JupyterLab
        summary["tab_presses_in_jupyterlab"] = dict(sorted(FIGURES["lab_tabs"].items()))
    if latencies:
        summary["click_to_feedback_ms"] = {
            "samples": len(latencies),
            "median": round(statistics.median(latencies), 1),
            "p95": round(_percentile(latencies, 0.95), 1),
            "values": [round(v, 1) for v in latencies],
        }
    return summary


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the Run All times and the latency, and write them for the benchmark report."""
    if not FIGURES["run_all_seconds"] and not FIGURES["click_to_feedback_ms"]:
        return
    summary = figures_summary()
    write = terminalreporter.write_line
    terminalreporter.section("Alliance Lab in the browser: figures")
    if summary["run_all_seconds"]:
        width = max(len(name) for name in summary["run_all_seconds"])
        write(f"{'notebook'.ljust(width)}  Run All (s)")
        for name, seconds in summary["run_all_seconds"].items():
            write(f"{name.ljust(width)}  {seconds:10.2f}")
    tabs = summary.get("tab_presses_in_jupyterlab", {})
    if tabs:
        most = max(max(sum(counts.values(), []), default=0) for counts in tabs.values())
        write(f"Tab presses to an exercise's first control in JupyterLab: at most {most}")
    latency = summary.get("click_to_feedback_ms")
    if latency:
        write(
            f"click on 'Check my answer' -> feedback shown: n={latency['samples']}, "
            f"median {latency['median']} ms, 95th percentile {latency['p95']} ms"
        )
    ARTIFACTS.mkdir(exist_ok=True)
    FIGURES_FILE.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    write(f"written to {FIGURES_FILE.relative_to(REPO)}")
