"""Layout at the two common screen sizes, 1280×720 and 1920×1080, in the trainee view.

Nothing a trainee needs is cut off or too narrow to read: the class-code box, the share
button's label, the rubric checks of every practice exercise; the rating drop-downs say
"choose…" and line up; the download button is visible, looks like a button and survives a
second Share. The outbox page the share message links to offers the shared file for download.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OUTPUT, LabPage, LabServer, write_check_notebook
from tests.browser.test_trainee_view import exercises_in, open_page

SIZES = [(1280, 720), (1920, 1080)]
# Visible check boxes whose label text runs past the box (cut off, or off the exercise).
CUT_OFF = """boxes => boxes.filter(box => box.offsetParent !== null).filter(box => {
    const text = box.querySelector('.widget-label-basic span');
    const own = box.getBoundingClientRect();
    const exercise = box.closest('.alliance-exercise').getBoundingClientRect();
    const words = text.getBoundingClientRect();
    return box.scrollWidth > box.clientWidth + 1 || words.right > own.right + 1
        || own.right > exercise.right + 1;
  }).map(box => box.textContent.trim().slice(0, 80))"""
SHOWN = """boxes => boxes.filter(box => box.offsetParent !== null).length"""
# A link drawn as a button: a filled background and padding, not underlined text.
LOOKS_LIKE_A_BUTTON = """el => { const s = getComputedStyle(el);
    return s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== 'transparent'
        && parseFloat(s.paddingLeft) >= 4 && s.textDecorationLine === 'none'; }"""


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def sized_page(request: pytest.FixtureRequest, browser: Any, lab: LabServer) -> Any:
    """A page of one screen size; its JupyterLab kernels are stopped afterwards."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        yield page
    finally:
        page.close(run_before_unload=True)
        context.close()
        lab.shutdown_kernels()


def practice_notebook() -> str:
    """The course notebook with the most practice exercises' rubric checks to look at."""
    from tests.browser.conftest import course_notebooks

    return max(course_notebooks(), key=lambda name: len(exercises_in(name)))


def test_reflection_form_fits(sized_page: Any, lab: LabServer) -> None:
    """The form as notebook 10 shows it, where no drop folder is set up (so Share writes to
    the private outbox and offers the download)."""
    width = sized_page.viewport_size["width"]
    home = lab.base / "homes" / f"layout-{width}"
    path = write_check_notebook(
        lab,
        f"reflection-layout-{width}",
        [
            "import os\n"
            "os.environ.pop('ALLIANCE_DROPBOX', None)\n"
            f"os.environ['ALLIANCE_HOME'] = {str(home)!r}",
            "from helpers import reflection_form\n\nreflection_form()",
        ],
    )
    open_page(sized_page, lab, path, 0)
    save = sized_page.get_by_role("button", name="Save reflection")
    expect(save).to_be_visible(timeout=60_000)
    code = sized_page.get_by_label(re.compile("Class code"))
    assert code.bounding_box()["width"] >= 150, "the class-code box is too narrow to read"
    share = sized_page.get_by_role("button", name=re.compile("Share with instructor"))
    assert share.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "share label cut off"
    selects = sized_page.locator("select")
    lefts = set()
    for index in range(selects.count()):
        select = selects.nth(index)
        expect(select.locator("option:checked")).to_have_text("choose…")
        lefts.add(round(select.bounding_box()["x"]))
    assert len(lefts) == 1, f"the rating drop-downs do not line up: left edges {sorted(lefts)}"

    sized_page.get_by_role("radio", name="I was the counselor: rating myself").check()
    for index in range(selects.count()):
        selects.nth(index).select_option(label="5")
    save.click()
    code.fill("LAYOUT1")
    share.click()
    download = sized_page.locator(".alliance-download a")
    expect(download).to_be_visible()
    assert download.evaluate(LOOKS_LIKE_A_BUTTON), "the download link looks like plain text"
    share.click()
    expect(sized_page.get_by_text("already been shared")).to_be_visible()
    expect(download).to_be_visible()
    assert download.evaluate(LOOKS_LIKE_A_BUTTON)


def fill_and_share(page: Any, class_code: str) -> None:
    """Rate every row 5 as the counselor, save, give the class code and share."""
    page.get_by_role("radio", name="I was the counselor: rating myself").check()
    selects = page.locator(f"{OUTPUT} select")
    for index in range(selects.count()):
        selects.nth(index).select_option(label="5")
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_text(re.compile("Saved reflection for session"))).to_be_visible()
    page.get_by_label(re.compile("Class code")).fill(class_code)
    page.get_by_role("button", name=re.compile("Share with instructor")).click()


def test_the_outbox_opens_from_jupyterlab(lab_page: LabPage, lab: LabServer) -> None:
    """The outbox is in the private folder, which JupyterLab's file browser does not show: the
    share message links to the outbox page, which offers the shared file for download."""
    path = write_check_notebook(
        lab,
        "outbox-from-lab",
        [
            "import os\nos.environ.pop('ALLIANCE_DROPBOX', None)",  # the server's own home
            "from helpers import reflection_form\n\nreflection_form()",
        ],
    )
    lab_page.open_notebook(path)
    lab_page.run_all()
    page = lab_page.page
    fill_and_share(page, "OUTBOX1")
    link = page.locator(".alliance-outbox-link")
    expect(link).to_be_visible()
    shared = max((lab.alliance_home / "outbox").iterdir(), key=lambda p: p.stat().st_mtime)
    with page.expect_popup() as opened:
        link.click()
    outbox = opened.value
    try:
        expect(outbox.get_by_role("heading", name="Your outbox")).to_be_visible()
        offered = outbox.get_by_role("link", name=f"Download {shared.name}")
        assert offered.evaluate(LOOKS_LIKE_A_BUTTON)
        with outbox.expect_download() as downloading:
            offered.click()
        assert Path(downloading.value.path()).read_bytes() == shared.read_bytes()
        expect(outbox.locator("body")).not_to_contain_text(str(lab.alliance_home))
    finally:
        outbox.close()


@pytest.mark.parametrize("view", ["trainee view", "JupyterLab"])
def test_rubric_checks_wrap_instead_of_being_cut(
    sized_page: Any, lab: LabServer, view: str
) -> None:
    name = practice_notebook()
    if view == "JupyterLab":
        lab_page = LabPage(sized_page, lab)
        lab_page.open_notebook(name)
        lab_page.run_all()
    else:
        open_page(sized_page, lab, name, len(exercises_in(name)))
    practices = sized_page.locator(".alliance-exercise").filter(
        has=sized_page.get_by_role("button", name="Check against the rubric")
    )
    assert practices.count(), f"{name} has no practice exercise"
    for index in range(practices.count()):
        practice = practices.nth(index)
        practice.get_by_label("Your response:").fill("A response to check against the rubric.")
        practice.get_by_role("button", name="Check against the rubric").click()
        expect(practice.locator(".widget-checkbox").first).to_be_visible()
    labels = sized_page.locator(".alliance-exercise .widget-checkbox")
    assert labels.evaluate_all(SHOWN) > 0, "no rubric check is shown"
    assert labels.evaluate_all(CUT_OFF) == [], "rubric checks are cut off"
