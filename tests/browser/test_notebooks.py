"""Every course notebook, opened fresh in JupyterLab, then run with Run → Run All Cells.

A learner opening a notebook should see one line per exercise saying how to start it (never
"Error displaying widget"), running it should produce no error, the charts should carry text
alternatives, and the outputs should pass the WCAG 2 A/AA checks of axe-core.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser.conftest import (
    AXE_JS,
    AXE_MISSING,
    FIGURES,
    OUTPUT,
    REPO,
    LabServer,
    course_notebooks,
    open_lab_page,
    serious,
    write_check_notebook,
)

RUN_HINT = "Run this cell (or Run ▸ Run All Cells)"


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


START_LINES = f"""() => [...document.querySelectorAll('{OUTPUT}')].filter(
    o => o.textContent.includes({RUN_HINT!r})).length"""

FIGURE_FACTS = f"""() => [...document.querySelectorAll('{OUTPUT} figure.alliance-figure')].map(
    f => {{ const img = f.querySelector('img'); const cap = f.querySelector('figcaption');
      return {{alt: img ? (img.getAttribute('alt') || '') : null,
               loaded: img ? img.complete && img.naturalWidth > 0 : false,
               caption: cap ? cap.textContent.trim() : ''}}; }})"""


@pytest.fixture(scope="module", params=course_notebooks())
def notebook_run(
    request: pytest.FixtureRequest, browser_context: Any, lab: LabServer
) -> NotebookRun:
    """Open one notebook fresh, read what it shows before running, Run All, then check."""
    name = request.param
    widgets, figures = stored_outputs(name)
    run = NotebookRun(name=name, stored_widgets=widgets, stored_figures=figures)
    with open_lab_page(browser_context, lab) as lab_page:
        page = lab_page.page
        lab_page.open_notebook(name)
        run.start_lines_on_open = page.evaluate(START_LINES)
        run.widget_errors_on_open = lab_page.widget_errors()

        run.run_seconds = lab_page.run_all()
        FIGURES["run_all_seconds"][name] = run.run_seconds
        run.errors = lab_page.error_outputs()
        run.widget_errors = lab_page.widget_errors()
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
