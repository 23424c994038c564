"""Hygiene of every committed notebook, and the README's notebook list.

nbval (run by ``make test``) checks that each notebook still produces its stored outputs; these
tests check that the stored outputs are the ones a learner should see when they first open it.
"""

from __future__ import annotations

import getpass
import json
import re
import socket
from pathlib import Path

import pytest

from helpers.notebooks import WIDGET_VIEW, stored_output_problems

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAME_PATTERN = re.compile(r"^\d\d-[a-z]+(-[a-z]+)*\.ipynb$")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [cell for cell in nb["cells"] if cell["cell_type"] == "code"]


def output_text(nb: dict) -> str:
    """Every stored output as text (images left out)."""
    parts = []
    for cell in code_cells(nb):
        for output in cell.get("outputs", []):
            if "text" in output:
                parts.append("".join(output["text"]))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    text = "".join(value) if isinstance(value, list) else str(value)
                    parts.append(re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", text))
    return "\n".join(parts)


def headings(nb: dict) -> list[tuple[int, str]]:
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        in_fence = False
        for line in "".join(cell["source"]).splitlines():
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
            match = re.match(r"^(#{1,6})\s+(.*)", line)
            if match and not in_fence:
                found.append((len(match[1]), match[2].strip()))
    return found


def readme_notebooks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"\]\(notebooks/(\d\d-[a-z-]+\.ipynb)\)", readme)


def test_readme_lists_every_notebook_in_order():
    on_disk = [path.name for path in NOTEBOOKS]
    listed = readme_notebooks()
    assert listed == on_disk, (
        "README.md's notebook list must name every file in notebooks/ once, in order.\n"
        f"listed:  {listed}\non disk: {on_disk}"
    )


def test_the_course_starts_with_the_start_page():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00-start-here.ipynb"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request) -> tuple[Path, dict]:
    return request.param, load(request.param)


def test_name_follows_the_numbering(notebook):
    path, _ = notebook
    assert NAME_PATTERN.match(path.name), f"{path.name}: name it NN-verb-topic.ipynb"


def test_outputs_come_from_one_clean_run(notebook):
    path, _ = notebook
    assert stored_output_problems(path) == []


def test_runs_on_the_python3_kernel(notebook):
    path, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == "python3", path.name


def test_no_tracebacks_on_stderr(notebook):
    path, nb = notebook
    for number, cell in enumerate(code_cells(nb), start=1):
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                assert "Traceback" not in "".join(output["text"]), f"{path.name}: cell {number}"


def test_outputs_reveal_no_machine_or_person(notebook):
    path, nb = notebook
    text = output_text(nb)
    for fragment in ("/tmp/", "/work/", "/home/", str(Path.home()) + "/"):
        assert fragment not in text, f"{path.name}: an output shows the path '{fragment}'"
    hostname = socket.gethostname()
    if len(hostname) > 3:
        assert hostname not in text, f"{path.name}: an output shows the host name"
    user = getpass.getuser()
    assert f"/{user}/" not in text and f"{user}@" not in text, f"{path.name}: shows the user"


def test_one_title_and_no_skipped_heading_levels(notebook):
    path, nb = notebook
    levels = [level for level, _ in headings(nb)]
    assert levels and levels[0] == 1, f"{path.name}: must open with one '#' title"
    assert levels.count(1) == 1, f"{path.name}: has {levels.count(1)} '#' titles"
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"{path.name}: heading jumps from level {before} to {after}"


def test_exercises_say_how_to_start_before_the_cell_runs(notebook):
    """A saved notebook keeps no live widget (it would read "model not found" when reopened)
    and no widget state (it would hold a trainee's answers): each exercise keeps one line that
    says how to start it."""
    path, nb = notebook
    assert "widgets" not in nb["metadata"], f"{path.name}: stores widget state"
    for number, cell in enumerate(code_cells(nb), start=1):
        source = "".join(cell["source"])
        for output in cell.get("outputs", []):
            assert WIDGET_VIEW not in output.get("data", {}), (
                f"{path.name}: cell {number} stores a live widget"
            )
        if re.search(r"^show_(vignette|progress)\(", source, re.M):
            texts = ["".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"]]
            assert any("Run this cell" in t or "run this cell" in t for t in texts), (
                f"{path.name}: cell {number}: its stored text {texts} should say to run the cell"
            )


def test_course_code_is_reached_only_through_helpers(notebook):
    path, nb = notebook
    for number, cell in enumerate(code_cells(nb), start=1):
        source = "".join(cell["source"])
        assert "sys.path" not in source, f"{path.name}: cell {number} edits sys.path"
        assert not re.search(r"^\s*[!%]\s*pip", source, re.M), f"{path.name}: cell {number}"
        assert not source.rstrip().endswith(";"), (
            f"{path.name}: cell {number} ends with ';', which nbval ignores: use `_ = ...`"
        )


def test_a_vignette_edited_after_make_outputs_names_the_stale_notebook(tmp_path, monkeypatch):
    """A bank edit without `make outputs` must fail the tests, saying which notebook and what
    to run; without the edit the same notebook is current."""
    import shutil

    import yaml

    notebook = ROOT / "notebooks" / "03-show-genuine-care.ipynb"
    shown = re.search(r"Exercise (\S+) \(", output_text(load(notebook)))
    assert shown, "notebook 03 shows an exercise"
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    monkeypatch.setenv("ALLIANCE_DATA", str(data))
    assert stored_output_problems(notebook) == []
    for path in sorted((data / "vignettes").glob("*.yaml")):
        document = yaml.safe_load(path.read_text("utf-8"))
        for vignette in document["vignettes"]:
            if vignette["id"] == shown[1]:
                vignette["says"] = "I'm not sure coming here was a good idea."
                path.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    problems = stored_output_problems(notebook)
    assert len(problems) == 1
    assert problems[0].startswith(f"{notebook}: code cell ")
    assert f"shows vignette {shown[1]} as it was before an edit" in problems[0]
    assert problems[0].endswith("run `make outputs`")
