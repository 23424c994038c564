"""The trainee view: every course notebook as a Voilà page that runs when it opens.

Each page must show its prose and live exercises with no code, no "Error displaying widget", no
"model not found", no traceback and no broken-link icon; every exercise must answer a click; the
page must pass axe-core's WCAG 2 A/AA checks with no serious or critical violation; and closing
the page must shut its kernel down, even when the page is left before its scripts have loaded.
A second visit shows the answers given on the first.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import expect

from helpers.trainee_view import GRACE_VARIABLE
from tests.browser.conftest import (
    AXE_JS,
    AXE_MISSING,
    REPO,
    SLOW_MS,
    WCAG_TAGS,
    LabServer,
    click_every_exercise,
    course_notebooks,
    own_lab,
    serious,
)

EXERCISE_CALL = re.compile(r"""^show_vignette\(\s*["']([^"']+)["']""", re.M)
PROBLEMS = re.compile(r"Error displaying widget|model not found|Traceback")


def exercises_in(name: str) -> list[str]:
    """The vignette ids a committed notebook shows, in order."""
    notebook = json.loads((REPO / "notebooks" / name).read_text("utf-8"))
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            found += EXERCISE_CALL.findall(source)
    return found


def voila_url(server: LabServer, relative_path: str) -> str:
    return f"{server.url}/voila/render/{relative_path}?token={server.token}"


def kernel_ids(server: LabServer) -> set[str]:
    return {kernel["id"] for kernel in server.api("GET", "/api/kernels")}


def open_page(page: Any, server: LabServer, relative_path: str, exercises: int) -> None:
    """Open a trainee-view page and wait until it has run and its exercises have rendered."""
    page.goto(voila_url(server, relative_path))
    page.wait_for_function(
        """() => !document.getElementById('loading')
            && document.getElementById('rendered_cells')
            && document.getElementById('rendered_cells').style.display !== 'none'""",
        timeout=SLOW_MS,
        polling=100,
    )
    if exercises:
        expect(page.locator(".alliance-exercise")).to_have_count(exercises, timeout=SLOW_MS)


def axe_serious(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => await axe.run(document.getElementById('rendered_cells'),
            {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        WCAG_TAGS,
    )
    return serious(
        [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:300] for n in v["nodes"]]}
            for v in result["violations"]
        ]
    )


@dataclass
class PageVisit:
    name: str
    exercises: list[str]
    problems: list[str] = field(default_factory=list)
    code_shown: int = 0
    prose_headings: int = 0
    broken_links: int = 0
    unanswered: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] | None = None
    kernel_left_running: bool = False


@pytest.fixture(scope="module", params=course_notebooks())
def visit(request: pytest.FixtureRequest, browser_context: Any, lab: LabServer) -> PageVisit:
    """Open one notebook in the trainee view, click every exercise, check, close the page."""
    name = request.param
    result = PageVisit(name=name, exercises=exercises_in(name))
    before = kernel_ids(lab)
    page = browser_context.new_page()
    try:
        open_page(page, lab, name, len(result.exercises))
        content = page.locator("#rendered_cells")
        result.problems = [
            text.strip()[:300]
            for text in content.locator(".jp-OutputArea-output").all_inner_texts()
            if PROBLEMS.search(text)
        ]
        result.code_shown = page.locator(".jp-InputArea-editor:visible, .cm-editor:visible").count()
        result.prose_headings = content.locator("h1, h2").count()
        result.broken_links = page.locator(".jupyter-widgets-disconnected").count()
        result.unanswered = click_every_exercise(page, ".alliance-exercise")
        result.violations = axe_serious(page) if AXE_JS.exists() else None
    finally:
        page.close(run_before_unload=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and kernel_ids(lab) - before:
        time.sleep(0.25)
    result.kernel_left_running = bool(kernel_ids(lab) - before)
    return result


def test_page_shows_prose_and_live_exercises_without_code_or_errors(visit: PageVisit) -> None:
    assert visit.problems == [], f"{visit.name}: errors shown in the trainee view"
    assert visit.code_shown == 0, f"{visit.name}: the trainee view shows code"
    assert visit.prose_headings >= 1, f"{visit.name}: the trainee view shows no prose"
    assert visit.broken_links == 0, f"{visit.name}: widgets shown disconnected (broken link)"


def test_every_exercise_answers_a_click(visit: PageVisit) -> None:
    assert visit.unanswered == [], f"{visit.name}: these exercises did not answer a click"


def test_page_passes_axe_wcag_a_aa(visit: PageVisit) -> None:
    if visit.violations is None:
        pytest.skip(AXE_MISSING)
    assert visit.violations == [], f"{visit.name}:\n" + json.dumps(visit.violations, indent=2)


def test_closing_the_page_shuts_its_kernel_down(visit: PageVisit) -> None:
    assert not visit.kernel_left_running, f"{visit.name}: its kernel still runs after closing"


def test_a_page_left_before_its_scripts_loaded_does_not_keep_its_kernel(
    browser_context: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Such a page never asks for its kernel to stop; the server finds the kernel no page holds
    and shuts it down after the grace period (3 s here), and leaves a JupyterLab notebook's
    kernel alone."""
    grace = 3
    with own_lab(tmp_path_factory, "left-pages", env={GRACE_VARIABLE: str(grace)}) as server:
        notebook = server.api(
            "POST",
            "/api/sessions",
            {"path": "02-build-safety.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
        )
        page = browser_context.new_page()
        page.route(re.compile(r"/voila/(static|labextensions)/"), lambda route: route.abort())
        try:
            page.goto(voila_url(server, "02-build-safety.ipynb"))  # runs, but its scripts fail
            left = kernel_ids(server) - {notebook["kernel"]["id"]}
        finally:
            page.close(run_before_unload=True)
        assert len(left) == 1, "the page's kernel should have started"
        deadline = time.monotonic() + grace + 60
        while time.monotonic() < deadline and kernel_ids(server) & left:
            time.sleep(0.5)
        assert not kernel_ids(server) & left, "the left page's kernel still runs"
        assert notebook["kernel"]["id"] in kernel_ids(server), "a notebook's kernel was stopped"


@pytest.fixture
def trainee_page(browser_context: Any) -> Iterator[Any]:
    page = browser_context.new_page()
    try:
        yield page
    finally:
        if not page.is_closed():
            page.close(run_before_unload=True)


def test_start_page_links_every_notebook_in_order(trainee_page: Any, lab: LabServer) -> None:
    open_page(trainee_page, lab, "00-start-here.ipynb", len(exercises_in("00-start-here.ipynb")))
    links = trainee_page.locator(".alliance-course-map table a")
    expect(links).to_have_count(len(course_notebooks()))
    assert [link.get_attribute("href") for link in links.all()] == course_notebooks()
    links.nth(1).click()
    trainee_page.wait_for_url(re.compile(r"/voila/render/01-[^/]+\.ipynb"))


def test_second_visit_shows_the_first_visits_answers(
    trainee_page: Any, browser_context: Any, lab: LabServer, exercise_notebook: Any
) -> None:
    path = exercise_notebook("voila-return", "demo-01", "demo-03")
    open_page(trainee_page, lab, path, 2)
    choose = trainee_page.locator(".alliance-exercise").nth(0)
    choose.get_by_role("radio", name=re.compile(r"^b\)")).check()
    choose.get_by_role("button", name="Check my answer").click()
    expect(choose.locator("[role=status]").first).to_contain_text("(attempt 1)")
    practice = trainee_page.locator(".alliance-exercise").nth(1)
    practice.get_by_label("Your response:").fill("Typed in the trainee view, never checked.")
    expect(practice).to_contain_text("✓ Saved in your private folder.")
    trainee_page.close(run_before_unload=True)

    again = browser_context.new_page()
    try:
        open_page(again, lab, path, 2)
        choose = again.locator(".alliance-exercise").nth(0)
        expect(choose).to_contain_text("You answered this before")
        expect(choose.get_by_role("radio", name=re.compile(r"^b\)"))).to_be_checked()
        practice = again.locator(".alliance-exercise").nth(1)
        expect(practice.get_by_label("Your response:")).to_have_value(
            "Typed in the trainee view, never checked."
        )
    finally:
        again.close(run_before_unload=True)
