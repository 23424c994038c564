"""One class on a real JupyterHub, from handing out the course to the instructor's class view.

Two trainees and an instructor are real Unix accounts; each trainee's server runs as that
trainee. What a class relies on is checked as the people involved would meet it: the course
arrives through an nbgitpuller link, a reflection shared from a trainee's own kernel lands in
the drop folder where only instructors can read it, the other trainee cannot list the folder or
read the file, the instructor collects the class table and the class view hides what one
trainee's data would give away, and a course update pulled mid-term keeps the trainee's edits
and never touches their answers.
"""

from __future__ import annotations

import csv
import grp
import hashlib
import html
import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.bank import load_bank
from helpers.links import course_links, course_notebooks
from tests.hub.conftest import (
    MEMORY,
    TIMINGS,
    VENV,
    Account,
    Hub,
    Site,
    run,
)

pytestmark = pytest.mark.hub

TARGET = "alliance-lab"
FINAL_NOTEBOOK = "11-class-reflections.ipynb"
# What a trainee does in notebooks 02-07 and 10: answer a vignette, fill in the reflection
# form, save it and press "Share with instructor" (the buttons' own click handlers run).
SHARE_CODE = """
import os

from helpers import reflection_form, show_vignette

print("uid:", os.getuid())

exercise = show_vignette("care-01")
exercise.choose(exercise.best_id)
exercise.check()
print("feedback:", "Best response" in exercise.feedback.value)
form = reflection_form()
form.role.value = "counselor"
for box, score in zip([*form.ratings.values(), *form.checkins.values()], [7, 8, 6, 9, 6, 5, 7]):
    box.value = score
form.save_button.click()
print("saved:", form.status.value)
form.share_button.click()
print("shared:", form.share_status.value)
print("store:", form.store.path)
"""
PROBE_CODE = """
import os
drop = os.environ["ALLIANCE_DROPBOX"]
for what, action in (
    ("list", lambda: os.listdir(drop)),
    ("read", lambda: open({path!r}).read()),
    ("delete", lambda: os.unlink({path!r})),
):
    try:
        action()
        print(what, "ALLOWED")
    except PermissionError:
        print(what, "refused")
"""


def _link(hub: Hub, site: Site, notebook: str) -> str:
    links = dict(course_links(hub.url, site.repo_url, site.branch, course_notebooks(), TARGET))
    return links[notebook]


def _server_uids(account: Account) -> list[int]:
    """The real uids of the single-user server processes the hub started for ``account``."""
    import psutil

    uids = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if not any("jupyterhub-singleuser" in part for part in process.info["cmdline"] or []):
                continue
            if process.environ().get("JUPYTERHUB_USER") == account.name:
                uids.append(process.uids().real)
        except psutil.Error:
            continue
    return uids


def _rss_of_servers(account: Account) -> float:
    """Resident memory (MiB) of the account's single-user server, without its kernels."""
    import psutil

    total = 0.0
    for process in psutil.process_iter(["uids", "cmdline"]):
        info = process.info
        if info["uids"] and info["uids"].real == account.uid:
            if any("jupyterhub-singleuser" in part for part in info["cmdline"] or []):
                total += process.memory_info().rss / 2**20
    return total


@pytest.fixture(scope="module")
def course(hub: Hub, site: Site) -> Path:
    """Trainee 1's server, and the course cloned into their home through a link."""
    TIMINGS[f"spawn {site.trainee1.name} (trainee 1)"] = hub.spawn(site.trainee1)
    link = _link(hub, site, "00-start-here.ipynb")
    TIMINGS["first pull (clone the course)"] = hub.pull(site.trainee1, link)
    return site.trainee1.home / TARGET


@pytest.fixture(scope="module")
def shared(hub: Hub, site: Site, course: Path) -> dict[str, str]:  # noqa: ARG001
    """Trainee 1 answers a vignette and shares a reflection, in their own server's kernel."""
    with hub.kernel(site.trainee1, f"{TARGET}/notebooks") as kernel:
        output = kernel.run(SHARE_CODE)
    MEMORY["trainee 1 server (after a pull and a kernel)"] = _rss_of_servers(site.trainee1)
    lines = {
        key: html.unescape(value)
        for key, value in (line.split(": ", 1) for line in output.splitlines() if ": " in line)
    }
    name = re.search(r"the file (\S+\.json) is in your class's drop folder", lines["shared"])
    assert name, f"sharing did not reach the drop folder: {lines['shared']}"
    lines["path"] = str(site.dropbox / name[1])
    return lines


def test_drop_folder_is_set_up_safe(site: Site, drop_folder: str) -> None:
    assert f"owner {site.instructor.name}, group {site.group}, mode 3733" in drop_folder
    info = site.dropbox.stat()
    assert stat.S_IMODE(info.st_mode) == 0o3733
    assert info.st_uid == site.instructor.uid
    check = run(
        [str(VENV / "bin" / "python"), "-m", "helpers.cli", "dropbox", "check"]
        + [str(site.dropbox), "--group", site.group],
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "safe (owner-only listing, setgid + sticky, mode 3733)" in check.stdout


def test_trainee_receives_the_course_through_a_link(site: Site, course: Path) -> None:
    # The hub (root) started trainee 1's server as trainee 1, not as root.
    assert _server_uids(site.trainee1) == [site.trainee1.uid]
    assert (course / "notebooks" / "00-start-here.ipynb").is_file()
    listed = run(["git", "-C", str(site.repo), "ls-tree", "--name-only", site.branch, "notebooks/"])
    published = sorted(Path(line).name for line in listed.stdout.split() if line.endswith(".ipynb"))
    assert sorted(p.name for p in (course / "notebooks").glob("*.ipynb")) == published
    # Cloned by the trainee's own server: the files are theirs, not root's.
    assert (course / "notebooks").stat().st_uid == site.trainee1.uid
    assert stat.S_IMODE(site.trainee1.home.stat().st_mode) & 0o077 == 0


def test_shared_reflection_reaches_only_the_instructors(site: Site, shared: dict) -> None:
    assert shared["uid"] == str(site.trainee1.uid)  # the kernel runs as the trainee
    assert shared["feedback"] == "True"
    assert "Saved reflection for session 1 (as counselor)." in shared["saved"]
    assert "Only your instructor can open it" in shared["shared"]
    path = Path(shared["path"])
    assert path.parent == site.dropbox
    info = path.stat()
    assert stat.S_IMODE(info.st_mode) == 0o640
    assert info.st_uid == site.trainee1.uid
    assert info.st_gid == grp.getgrnam(site.group).gr_gid
    submission = json.loads(path.read_text())
    assert submission["cohort"] == "HUB26"
    assert [(c["vignette"], c["attempts"]) for c in submission["choices"]] == [("care-01", 1)]
    # The trainee's answers stay in their own ~/.alliance, never in the course folder.
    assert Path(shared["store"]) == site.trainee1.home / ".alliance" / "alliance.sqlite3"


def test_other_trainee_cannot_list_read_or_delete(hub: Hub, site: Site, shared: dict) -> None:
    path = shared["path"]
    TIMINGS[f"spawn {site.trainee2.name} (trainee 2)"] = hub.spawn(site.trainee2)
    MEMORY["trainee 2 server (just started)"] = _rss_of_servers(site.trainee2)
    with hub.kernel(site.trainee2) as kernel:
        output = kernel.run(PROBE_CODE.format(path=path))
    assert output.splitlines() == ["list refused", "read refused", "delete refused"]
    # The same refusals from a plain shell as trainee 2.
    listing = site.run_as(site.trainee2, ["ls", str(site.dropbox)], check=False)
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    reading = site.run_as(site.trainee2, ["cat", path], check=False)
    assert reading.returncode != 0 and "Permission denied" in reading.stderr
    assert Path(path).exists()


def test_instructor_collects_and_the_class_view_hides_one_trainee(
    hub: Hub, site: Site, shared: dict
) -> None:
    instructor = site.instructor
    table = instructor.home / "class.csv"
    collect = site.run_as(
        instructor,
        [str(site.python), "-m", "helpers.cli", "collect", str(site.dropbox), "-o", str(table)],
    )
    assert "1 files, 1 accepted, 0 rejected" in collect.stdout + collect.stderr
    with table.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert (
        sorted(row["measure"] for row in rows) == ["checkin"] * 3 + ["choice"] + ["guideline"] * 4
    )
    assert {row["cohort"] for row in rows} == {"HUB26"}
    assert stat.S_IMODE(instructor.home.stat().st_mode) & 0o077 == 0

    # The instructor opens the final notebook from their own copy of the course, on the hub,
    # points it at the class table and runs it in their own server's kernel.
    TIMINGS[f"spawn {instructor.name} (instructor)"] = hub.spawn(instructor)
    hub.pull(instructor, _link(hub, site, FINAL_NOTEBOOK))
    notebook = json.loads((instructor.home / TARGET / "notebooks" / FINAL_NOTEBOOK).read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    assert cells[0].startswith("CLASS_DATA = None")
    cells[0] = f"CLASS_DATA = {str(table)!r}"
    with hub.kernel(instructor, f"{TARGET}/notebooks") as kernel:
        output = "".join(kernel.run(code) for code in cells)
    # one file has one owner: the view says it counts pseudonyms, as it must (rule S7)
    banner = r"Class data from class\.csv\. Warning: trainees are counted by pseudonym, not by"
    assert re.search(banner + r"[^\n]*1 trainees?, sessions 1–1\.", output), output
    assert "The class profile is hidden: fewer than 5 trainees rated." in output
    # The trainee's own answer is in the data but the view holds it back: one trainee.
    title = re.escape(load_bank().get("care-01").title)  # named as trainees saw it
    hidden = rf"Hidden: “{title}” \(1 trainees?\) — fewer than 5 trainees"
    assert re.search(hidden, output), output
    submission = json.loads(Path(shared["path"]).read_text())
    assert submission["pseudonym"] not in output


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def instructor_update(site: Site) -> Iterator[tuple[str, str]]:
    """Publish a course update: a changed sentence in notebook 01 and a new file."""
    sentence = "Update for week 2: bring one question about ruptures to class."
    notebook = site.work / "notebooks" / "01-understand-the-alliance.ipynb"
    data = json.loads(notebook.read_text())
    first = next(c for c in data["cells"] if c["cell_type"] == "markdown")
    first["source"] = [*first["source"], "\n", "\n", sentence]
    notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    (site.work / "notebooks" / "week-2-notes.md").write_text("# Week 2\n\nRead notebook 06.\n")
    git = ["git", "-C", str(site.work), "-c", "user.name=Instructor", "-c", "user.email=i@x"]
    run([*git, "add", "-A"])
    run([*git, "commit", "--quiet", "-m", "Week 2 update"])
    run([*git, "push", "--quiet", "origin", f"HEAD:{site.branch}"])
    run(["chmod", "-R", "a+rX", str(site.repo)])
    yield sentence, "week-2-notes.md"


def test_course_update_keeps_trainee_edits_and_answers(
    hub: Hub, site: Site, course: Path, shared: dict, instructor_update: tuple[str, str]
) -> None:
    sentence, new_file = instructor_update
    trainee = site.trainee1
    # The trainee edits a cell of notebook 03 in their copy and saves it from JupyterLab.
    path = f"{TARGET}/notebooks/03-show-genuine-care.ipynb"
    model = hub.contents(trainee, path)
    cells = model["content"]["cells"]
    code = next(c for c in cells if c["cell_type"] == "code")
    note = "# My note: ask Mei what she needs from today."
    code["source"] = f"{note}\n{code['source']}"
    hub.contents(trainee, path, {"type": "notebook", "format": "json", "content": model["content"]})
    answers = trainee.home / ".alliance"
    before = _fingerprint(answers)
    assert "alliance.sqlite3" in before

    TIMINGS["update pull (merge the course update)"] = hub.pull(
        trainee, _link(hub, site, "01-understand-the-alliance.ipynb")
    )

    mine = json.loads((course / "notebooks" / "03-show-genuine-care.ipynb").read_text())
    assert any(note in "".join(c["source"]) for c in mine["cells"]), "trainee's edit was lost"
    theirs = (course / "notebooks" / "01-understand-the-alliance.ipynb").read_text()
    assert sentence in theirs
    assert (course / "notebooks" / new_file).read_text().startswith("# Week 2")
    assert _fingerprint(answers) == before, "the pull changed the trainee's ~/.alliance"
    assert not any(course.rglob("alliance.sqlite3")), "answers must never be in the course folder"
