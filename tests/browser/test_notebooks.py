"""Every course notebook, opened fresh in JupyterLab, then run with Run → Run All Cells.

A learner opening a notebook should see one line per exercise saying how to start it (never
"Error displaying widget"), running it should produce no error, every exercise on the page should
answer a click (the exercises are found on the page, so new vignettes are covered as they are
added) with no traceback, dead widget or broken-link icon afterwards, Tab should lead from one
exercise to the next within the course's limits, the charts should carry text alternatives, and
the outputs should pass the WCAG 2 A/AA checks of axe-core. One JupyterLab server (the session's)
serves every notebook.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import (
    AXE_JS,
    AXE_MISSING,
    FIGURES,
    OUTPUT,
    REPO,
    SLOW_MS,
    LabServer,
    click_every_exercise,
    course_notebooks,
    open_lab_page,
    serious,
    write_check_notebook,
)
from tests.browser.test_tab_stops import tab_counts, too_many_tabs, walk
from tests.browser.test_trainee_view import exercises_in

RUN_HINT = "Run this cell (or Run ▸ Run All Cells)"
EXERCISES = f"{OUTPUT} .alliance-exercise"


def stored_outputs(name: str) -> tuple[int, int]:
    """How many "run this cell" exercise lines and accessible figures the notebook stores."""
    notebook = json.loads((REPO / "notebooks" / name).read_text("utf-8"))
    widgets = figures = 0
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            plain = data.get("text/plain", "")
            widgets += RUN_HINT in ("".join(plain) if isinstance(plain, list) else plain)
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            figures += html.count('class="alliance-figure"')
    return widgets, figures


@dataclass
class NotebookRun:
    """What a learner saw: before running, while running, and after Run All."""

    name: str
    stored_widgets: int
    stored_figures: int
    start_lines_on_open: int = 0
    widget_errors_on_open: list[str] = field(default_factory=list)
    run_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    widget_errors: list[str] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    violations: list[dict[str, Any]] | None = None  # None: axe-core is not installed
    exercises_called: int = 0  # show_vignette(...) cells in the notebook
    exercises_shown: int = 0  # exercises found on the page after Run All
    unanswered: list[str] = field(default_factory=list)
    after_clicks: list[str] = field(default_factory=list)  # problems shown after the clicks
    broken_links: int = 0  # widgets shown disconnected (JupyterLab's broken-link icon)
    slow_tabs: list[str] = field(default_factory=list)


START_LINES = f"""() => [...document.querySelectorAll('{OUTPUT}')].filter(
    o => o.textContent.includes({RUN_HINT!r})).length"""

FIGURE_FACTS = f"""() => [...document.querySelectorAll('{OUTPUT} figure.alliance-figure')].map(
    f => {{ const img = f.querySelector('img'); const cap = f.querySelector('figcaption');
      return {{alt: img ? (img.getAttribute('alt') || '') : null,
               loaded: img ? img.complete && img.naturalWidth > 0 : false,
               caption: cap ? cap.textContent.trim() : ''}}; }})"""


def wait_for_start_lines(page: Any, expected: int) -> int:
    """How many "run this cell" lines the opened notebook shows, once JupyterLab has drawn them.

    A long notebook's stored outputs appear over a moment after its first cell does, so this
    waits (up to the slow bound) for all of them before counting.
    """
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            f"(expected) => ({START_LINES})() >= expected",
            arg=expected,
            timeout=SLOW_MS,
            polling=200,
        )
    return page.evaluate(START_LINES)


@pytest.fixture(scope="module", params=course_notebooks())
def notebook_run(
    request: pytest.FixtureRequest, browser_context: Any, lab: LabServer
) -> NotebookRun:
    """Open one notebook fresh, read what it shows before running, Run All, then check."""
    name = request.param
    widgets, figures = stored_outputs(name)
    run = NotebookRun(name=name, stored_widgets=widgets, stored_figures=figures)
    lab.restore_notebook(name)
    with open_lab_page(browser_context, lab) as lab_page:
        page = lab_page.page
        lab_page.open_notebook(name)
        run.start_lines_on_open = wait_for_start_lines(page, widgets)
        run.widget_errors_on_open = lab_page.widget_errors()

        run.run_seconds = lab_page.run_all()
        FIGURES["run_all_seconds"][name] = run.run_seconds
        run.errors = lab_page.error_outputs()
        run.widget_errors = lab_page.widget_errors()

        run.exercises_called = len(exercises_in(name))
        run.exercises_shown = page.locator(EXERCISES).count()
        if run.exercises_shown:
            walks = walk(page, EXERCISES, cells=True)
            run.slow_tabs = too_many_tabs(walks)
            FIGURES["lab_tabs"][name] = tab_counts(walks)
        run.unanswered = click_every_exercise(page, EXERCISES)
        run.after_clicks = lab_page.error_outputs() + lab_page.widget_errors()
        run.broken_links = page.locator(f"{OUTPUT} .jupyter-widgets-disconnected").count()
        run.figures = page.evaluate(FIGURE_FACTS)
        lab_page.screenshot(name)
        run.violations = lab_page.axe_violations() if AXE_JS.exists() else None
    return run


def test_unrun_exercises_say_how_to_start(notebook_run: NotebookRun) -> None:
    """Before any cell runs, each exercise is one line saying to run it: no dead control, no
    "Error displaying widget"."""
    assert notebook_run.widget_errors_on_open == [], (
        f"{notebook_run.name}: broken widgets when opened: {notebook_run.widget_errors_on_open}"
    )
    assert notebook_run.start_lines_on_open == notebook_run.stored_widgets, (
        f"{notebook_run.name}: {notebook_run.stored_widgets} exercises are stored but "
        f"{notebook_run.start_lines_on_open} say how to start when the notebook is opened"
    )


def test_run_all_shows_no_errors(notebook_run: NotebookRun) -> None:
    """Run → Run All Cells ends with no traceback, no error on stderr, no broken widget."""
    assert notebook_run.errors == [], f"{notebook_run.name}: error output after Run All"
    assert notebook_run.widget_errors == [], f"{notebook_run.name}: broken widgets after Run All"


def test_every_exercise_answers_a_click(notebook_run: NotebookRun) -> None:
    """Every exercise the notebook shows is on the page after Run All, answers a click on its
    first button, and leaves no traceback, dead widget or broken-link icon behind."""
    run = notebook_run
    assert run.exercises_shown == run.exercises_called, (
        f"{run.name}: {run.exercises_called} exercises in the notebook, "
        f"{run.exercises_shown} shown after Run All"
    )
    assert run.unanswered == [], f"{run.name}: these exercises did not answer a click"
    assert run.after_clicks == [], f"{run.name}: problems shown after clicking the exercises"
    assert run.broken_links == 0, f"{run.name}: {run.broken_links} widgets shown disconnected"


def test_tab_leads_into_and_between_exercises(notebook_run: NotebookRun) -> None:
    """The course's Tab limits (docs/accessibility.md) hold in every notebook."""
    assert notebook_run.slow_tabs == [], notebook_run.name


def test_charts_have_text_alternatives(notebook_run: NotebookRun) -> None:
    """Every course chart is an image with alt text and a caption, and it loads."""
    figures = notebook_run.figures
    assert len(figures) >= notebook_run.stored_figures, (
        f"{notebook_run.name}: {notebook_run.stored_figures} charts stored, "
        f"{len(figures)} shown after Run All"
    )
    if notebook_run.name.startswith("11-"):
        assert figures, "the class-reflections notebook shows no chart of the sample class"
    for figure in figures:
        assert figure["loaded"], f"{notebook_run.name}: a chart image did not load"
        assert figure["alt"] and figure["alt"].strip().lower() != "image", (
            f"{notebook_run.name}: a chart has no useful alt text: {figure}"
        )
        assert figure["caption"], f"{notebook_run.name}: a chart has no caption: {figure}"


def test_outputs_pass_axe_wcag_a_aa(notebook_run: NotebookRun) -> None:
    """No serious or critical WCAG 2 A/AA violation in the course's own outputs and widgets."""
    if notebook_run.violations is None:
        pytest.skip(AXE_MISSING)
    found = serious(notebook_run.violations)
    assert found == [], f"{notebook_run.name}: axe-core violations:\n" + json.dumps(
        found, indent=2, ensure_ascii=False
    )


def test_axe_check_reports_known_problems(lab_page: Any, lab: LabServer) -> None:
    """The accessibility check really scans outputs: it reports the two problems the course
    avoids on purpose (a slider handle with no name, a chart PNG with no alt text)."""
    path = write_check_notebook(
        lab,
        "known-accessibility-problems",
        [
            "import ipywidgets as widgets\nwidgets.IntSlider(description='Safety')",
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(figsize=(2, 2))\nax.plot([1, 2])\nplt.show()",
        ],
    )
    lab_page.open_notebook(path)
    lab_page.run_all()
    found = {v["id"] for v in serious(lab_page.axe_violations())}
    assert {"aria-input-field-name", "image-alt"} <= found, found
