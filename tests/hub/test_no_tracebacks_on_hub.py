"""Every ``alliance`` command and notebook helper, run by a real trainee account against broken
and hostile setups, ends in plain sentences: no traceback, no hang.

The setups are the ones a server really produces: a private folder that cannot be read, that
belongs to someone else, that is read-only or a file; a damaged store or reflection row; drop
folders that cannot be opened or hold a pipe; outputs nobody may write; output piped to
``head``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.hub.conftest import Account, Site

pytestmark = pytest.mark.hub

SAVE = (
    "from helpers.store import get_store\n"
    "from helpers.vocabulary import CHECKINS, RATED_GUIDELINES\n"
    "s = get_store()\n"
    "for i in (1, 2):\n"
    "    s.save_reflection(i, 'client', dict.fromkeys(RATED_GUIDELINES, 5),\n"
    "                        dict.fromkeys(CHECKINS, 5))\n"
)
HELPERS = (
    "from helpers.reflection import show_my_history, where_my_data_lives, reflection_form\n"
    "print(repr(show_my_history())); print(repr(where_my_data_lives()))\n"
    "f = reflection_form(); f.role.value = 'client'\n"
    "for b in [*f.ratings.values(), *f.checkins.values()]: b.value = 5\n"
    "f.save_button.click(); print(f.status.value)\n"
    "f.share_button.click(); print(f.share_status.value)\n"
)


def _folder(path: Path, mode: int, owner: Account | None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        os.chown(path, owner.uid, owner.gid)
    path.chmod(mode)
    return path


def _as(site: Site, who: Account, command: list[str] | str, env: dict, cwd: Path):
    """Run as ``who``; the finished process, or None when it did not end within a minute."""
    settings = [f"{k}={v}" for k, v in env.items()]
    if isinstance(command, str):
        command = ["bash", "-o", "pipefail", "-c", command]
    runuser = shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin:/bin") or "runuser"
    try:
        return subprocess.run(
            [runuser, "-u", who.name, "--", "env", *settings, *command],
            cwd=cwd,
            env=site.env_for(who),
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return None


def test_no_command_or_helper_shows_a_traceback(site: Site) -> None:
    me, other = site.trainee1, site.trainee2
    root = _folder(site.base / "robustness", 0o755, None)
    work = _folder(root / "work", 0o755, me)
    closed = _folder(root / "closed", 0o555, None)
    homes = {
        "fine": me.home / "fine",
        "unreadable": _folder(root / "h-unreadable", 0o000, None),
        "another account's": _folder(root / "h-other", 0o700, other),
        "read-only": _folder(root / "h-read-only", 0o500, me),
        "a file": root / "h-file",
        "cannot be made": Path("/proc/no/alliance"),
        "damaged store": _folder(root / "h-damaged", 0o700, me),
        "damaged row": _folder(root / "h-row", 0o700, me),
    }
    homes["a file"].write_text("x")
    os.chown(homes["a file"], me.uid, me.gid)
    store = homes["damaged store"] / "alliance.sqlite3"
    store.write_bytes(b"not a database " * 50)
    os.chown(store, me.uid, me.gid)
    python = str(site.python)
    seeded = _as(site, me, [python, "-c", SAVE], {"ALLIANCE_HOME": homes["damaged row"]}, work)
    assert seeded.returncode == 0, seeded.stderr
    with sqlite3.connect(homes["damaged row"] / "alliance.sqlite3") as conn:
        conn.execute("UPDATE reflections SET ratings = '{bad' WHERE id = 2")
    drops = {
        "unreadable": _folder(root / "d-unreadable", 0o000, None),
        "a pipe inside": _folder(root / "d-pipe", 0o755, me),
        "a file": homes["a file"],
        "another's 3733": _folder(root / "d-3733", 0o3733, other),
    }
    os.mkfifo(drops["a pipe inside"] / "x.json")
    os.mkfifo(root / "pipe.yaml")

    cli = [python, "-m", "helpers.cli"]
    cases: list[tuple[str, list[str] | str, dict, Path]] = []
    for name, home in homes.items():
        env = {"ALLIANCE_HOME": home, "ALLIANCE_COHORT": "HUB26"}
        for args in (
            ["export"],
            ["export", "--all"],
            ["export", "--reflection", "1"],
            ["export", "--to", str(closed / "x")],
            ["export", "--all", "--to", str(work / f"out-{len(cases)}")],
        ):
            cases.append((f"{' '.join(args)} (private folder: {name})", cli + args, env, work))
        cases.append(
            (f"notebook helpers (private folder: {name})", [python, "-c", HELPERS], env, work)
        )
        cases.append(
            (
                f"export into another's folder (private folder: {name})",
                cli + ["export"],
                {**env, "ALLIANCE_DROPBOX": drops["another's 3733"]},
                work,
            )
        )
    for name, folder in drops.items():
        cases += [
            (
                f"collect ({name})",
                cli + ["collect", str(folder), "-o", str(work / "c.csv")],
                {},
                work,
            ),
            (f"dropbox check ({name})", cli + ["dropbox", "check", str(folder)], {}, work),
            (
                f"dropbox init ({name})",
                cli + ["dropbox", "init", str(folder), "--group", site.group],
                {},
                work,
            ),
        ]
    line = " ".join(cli)
    cases += [
        (
            "collect -o where nobody may write",
            cli + ["collect", str(drops["a pipe inside"]), "-o", str(closed / "c.csv")],
            {},
            work,
        ),
        ("sample in a closed folder", cli + ["sample"], {}, closed),
        (
            "sample, bad numbers",
            cli + ["sample", "--students", "-3", "-o", str(work / "s.csv")],
            {},
            work,
        ),
        ("validate a pipe", cli + ["validate", str(root / "pipe.yaml")], {}, work),
        ("validate /dev/zero", cli + ["validate", "/dev/zero"], {}, work),
        ("validate an unreadable folder", cli + ["validate", str(drops["unreadable"])], {}, work),
        ("validate a missing file", cli + ["validate", "/nope.yaml"], {}, work),
        ("guide --write in a closed checkout", cli + ["guide", "--write"], {}, closed),
        ("an unknown command", cli + ["frobnicate"], {}, work),
        ("--help | head", f"{line} --help | head -1", {}, work),
        ("validate | head", f"{line} validate | head -1", {}, work),
        ("sample | head", f"{line} sample -o {work}/p.csv --force | head -c1", {}, work),
        (
            "collect | head",
            f"{line} collect {drops['a pipe inside']} -o {work}/q.csv | head -c1",
            {},
            work,
        ),
        (
            "export | head",
            f"{line} export --all --to {work}/hh | head -c1",
            {"ALLIANCE_HOME": homes["damaged row"], "ALLIANCE_COHORT": "HUB26"},
            work,
        ),
    ]
    tracebacks, hangs = [], []
    for label, command, env, cwd in cases:
        done = _as(site, me, command, env, cwd)
        if done is None:
            hangs.append(label)
            continue
        text = done.stdout + done.stderr
        if "Traceback" in text or "Exception ignored" in text:
            tracebacks.append(f"{label}: {done.stderr[-300:]}")
    print(f"{len(cases)} inputs tried, {len(tracebacks)} tracebacks, {len(hangs)} hangs")
    assert len(cases) >= 80
    assert tracebacks == [] and hangs == []
