"""A classmate and a curious reader attack the class exchange on real local Unix accounts.

Two trainees and an instructor are real accounts (see conftest.py); every step runs as the
person who would take it, with the course's own code and the class drop folder made by
``alliance dropbox init``. No JupyterHub is needed for these attacks: they go straight at the
files, as a trainee with a terminal would.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest

from tests.hub.conftest import VENV, Account, Site, _clean_env, run

pytestmark = pytest.mark.hub

SHARE = """
import sys
from helpers.store import get_store
from helpers.share import share_reflection
store = get_store()
score = int(sys.argv[2])
rid = store.save_reflection(
    int(sys.argv[1]), "client", dict.fromkeys(("safety", "care", "understanding", "focus"), score),
    dict.fromkeys(("notice_rupture", "repair_rupture", "ask_feedback"), 5),
)
print(share_reflection(rid))
"""


def as_trainee(site: Site, who: Account, code: str, *args: str, home: str = ".alliance", **env):
    """Run Python as ``who`` with the class's settings and a private folder under their home."""
    settings = {
        "ALLIANCE_HOME": str(who.home / home),
        "ALLIANCE_COHORT": "HUB26",
        "ALLIANCE_DROPBOX": str(DROP[0]),
        "ALLIANCE_DROPBOX_GROUP": site.group,
        **env,
    }
    command = ["env", *(f"{k}={v}" for k, v in settings.items())]
    command += [str(site.python), "-c", code, *args]
    return site.run_as(who, command, check=False)


def collect_as_instructor(site: Site, name: str, *extra: str):
    out = site.instructor.home / name
    result = site.run_as(
        site.instructor,
        [str(site.python), "-m", "helpers.cli", "collect", str(DROP[0]), "-o", str(out)]
        + list(extra),
        check=False,
    )
    return result, out


DROP: list[Path] = []  # this module's own drop folder, apart from the class test's


@pytest.fixture(scope="module")
def shared(site: Site) -> dict[str, object]:
    """Trainee 1 alone shares session 9; trainee 2 pads it with four made-up pseudonyms."""
    folder = site.dropbox.parent / "attack-dropbox"
    run(
        [str(VENV / "bin" / "python"), "-m", "helpers.cli", "dropbox", "init", str(folder)]
        + ["--group", site.group, "--owner", site.instructor.name],
        env=_clean_env(),
    )
    DROP[:] = [folder]
    victim = as_trainee(site, site.trainee1, SHARE, "9", "2")
    assert victim.returncode == 0, victim.stderr
    fakes = []
    for k in range(4):
        fake = as_trainee(site, site.trainee2, SHARE, "9", "10", home=f"fake-{k}")
        assert fake.returncode == 0, fake.stderr
        fakes.append(Path(fake.stdout.strip()).name)
    return {"victim": Path(victim.stdout.strip()).name, "fakes": fakes}


def test_four_fake_pseudonyms_count_as_one_trainee_and_are_flagged(site: Site, shared):
    result, table = collect_as_instructor(site, "class.csv")
    assert result.returncode == 0, result.stderr
    assert "FLAG: one account wrote 4 pseudonyms (counted as one trainee)" in result.stdout
    for name in shared["fakes"]:
        assert name in result.stdout
    summary = json.loads(table.with_name("class-summary.json").read_text())
    assert summary["counted_by"] == "account" and summary["trainees"] == 2
    with open(table, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len({row["trainee"] for row in rows}) == 2
    # nothing that names an account, in any output
    outputs = [result.stdout, result.stderr, table.read_text(), json.dumps(summary)]
    for account in (site.trainee1, site.trainee2):
        for secret in (account.name, str(account.uid)):
            assert all(secret not in text for text in outputs)

    # the class view: session 9 has 2 trainees, not 5, so the victim's ratings stay hidden
    code = (
        "from helpers.classview import load_class, view_of\n"
        f"data = load_class({str(table)!r})\n"
        "view = view_of('change', data)\n"
        "print(data.counted_by, data.n_trainees)\n"
        "print(sorted(set(view.table['status'])))\n"
        "print(view.table['mean'].isna().all())\n"
    )
    view = site.run_as(
        site.instructor,
        [
            "env",
            f"ALLIANCE_HOME={site.instructor.home / 'attack-views'}",  # a release log of its own
            str(site.python),
            "-c",
            code,
        ],
        check=False,
    )
    assert view.returncode == 0, view.stderr
    assert view.stdout.splitlines() == ["account 2", "['hidden (n<5)']", "True"]


def test_a_planted_copy_of_a_classmates_id_rejects_both(site: Site, shared):
    victim = json.loads((DROP[0] / shared["victim"]).read_text())
    forged = dict(victim, ratings=dict.fromkeys(victim["ratings"], 0))
    code = (
        "import json, os, sys\n"
        "path = os.path.join(sys.argv[1], '0000-first.json')\n"
        "fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)\n"
        "os.write(fd, sys.argv[2].encode()); os.close(fd)\n"
    )
    planted = site.run_as(
        site.trainee2,
        [str(site.python), "-c", code, str(DROP[0]), json.dumps(forged)],
        check=False,
    )
    assert planted.returncode == 0, planted.stderr
    try:
        result, table = collect_as_instructor(site, "hijack.csv")
        assert result.returncode == 0, result.stderr
        assert "files from different accounts share one submission_id, all rejected" in (
            result.stdout
        )
        with open(table, newline="") as handle:
            ids = {row["submission_id"] for row in csv.DictReader(handle)}
        assert victim["submission_id"] not in ids
    finally:
        run(["rm", "-f", str(DROP[0] / "0000-first.json")])


def test_a_classmate_cannot_read_list_or_delete_a_shared_file(site: Site, shared):
    path = DROP[0] / shared["victim"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    for command in (["cat", str(path)], ["ls", str(DROP[0])], ["rm", "-f", str(path)]):
        attempt = site.run_as(site.trainee2, command, check=False)
        assert attempt.returncode != 0, command
    assert path.exists()


def test_sharing_the_same_reflection_again_sends_nothing_new(site: Site, shared):
    code = (
        "from helpers.store import get_store\n"
        "from helpers.share import share_reflection\n"
        "store = get_store()\n"
        "print(share_reflection(store.reflections()[0]['id']))\n"
    )
    again = as_trainee(site, site.trainee1, code)
    assert again.returncode == 0, again.stderr
    assert Path(again.stdout.strip()).name == shared["victim"]
    names = os.listdir(DROP[0])
    assert not [n for n in names if n.startswith(".")]  # nothing half-written left behind


def test_a_folder_swapped_in_by_a_classmate_is_refused_at_share_time(site: Site, shared):
    # trainee 2 builds a look-alike drop folder of their own: sticky, write-only, their group
    trap = site.base / "class-trap"
    run(["install", "-d", "-m", "1777", str(trap)])
    made = site.run_as(
        site.trainee2,
        ["bash", "-c", f"mkdir {trap}/dropbox && chmod 3733 {trap}/dropbox"],
        check=False,
    )
    assert made.returncode == 0, made.stderr
    refused = as_trainee(
        site, site.trainee1, SHARE, "3", "7", ALLIANCE_DROPBOX=str(trap / "dropbox")
    )
    assert refused.returncode != 0
    assert "is not safe to share into" in refused.stderr
    assert "not the instructors' group" in refused.stderr
    listing = run(["ls", "-A", str(trap / "dropbox")]).stdout
    assert listing == ""  # nothing of trainee 1 reached the trap

    # and the check calls a parent others can change unsafe
    run(["chmod", "0777", str(DROP[0].parent)])
    try:
        check = site.run_as(
            site.instructor,
            [str(site.python), "-m", "helpers.cli", "dropbox", "check", str(DROP[0])],
            check=False,
        )
        assert check.returncode == 1
        assert f"parent folder {DROP[0].parent} can be changed by others" in check.stdout
    finally:
        run(["chmod", "0755", str(DROP[0].parent)])


def test_a_broken_private_folder_is_one_plain_sentence(site: Site, shared):
    other = site.trainee2.home / "not-yours"
    run(["install", "-d", "-m", "0755", "-o", site.trainee2.name, str(other)])
    code = (
        "from helpers.reflection import show_my_history, where_my_data_lives\n"
        "print(repr(show_my_history())); print(repr(where_my_data_lives()))\n"
    )
    for home in (str(other), "/proc/forbidden", str(DROP[0])):
        result = site.run_as(
            site.trainee1,
            ["env", f"ALLIANCE_HOME={home}", str(site.python), "-c", code],
            check=False,
        )
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert "cannot" in result.stdout
        exported = site.run_as(
            site.trainee1,
            [
                "env",
                f"ALLIANCE_HOME={home}",
                "ALLIANCE_COHORT=HUB26",
                str(site.python),
                "-m",
                "helpers.cli",
                "export",
            ],
            check=False,
        )
        assert exported.returncode == 1 and "Traceback" not in exported.stderr
        assert len(exported.stderr.strip().splitlines()) == 1
