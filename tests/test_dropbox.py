"""``alliance dropbox init|check``: the drop folder is write-only for trainees, or we say why not.

These tests use the current user and group only; tests that need several real Unix users
belong to the JupyterHub test.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from pathlib import Path

import pytest

from helpers import dropbox
from helpers.cli import main
from helpers.dropbox import CLOSING_NOTE, check_dropbox, init_dropbox, shared_uid_warning

MY_GROUP = grp.getgrgid(os.getegid()).gr_name
MY_NAME = pwd.getpwuid(os.geteuid()).pw_name


def other_group() -> str:
    """An existing group that is not the current one (every Linux system has several)."""
    return next(g.gr_name for g in grp.getgrall() if g.gr_gid != os.getegid())


@pytest.fixture
def own_uid(monkeypatch):
    """Folder-setting tests: this machine's own uid situation is tested separately below."""
    monkeypatch.setattr(dropbox, "shared_uid_warning", lambda: None)
    monkeypatch.delenv("SUDO_USER", raising=False)


def run_cli(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["dropbox", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def make_safe(path: Path) -> Path:
    path.mkdir()
    os.chmod(path, 0o3733)
    return path


def test_init_creates_a_write_only_folder(tmp_path, capsys, own_uid):
    target = tmp_path / "drop"
    code, lines, err = run_cli(capsys, "init", str(target), "--group", MY_GROUP)
    assert code == 0, err
    info = os.lstat(target)
    assert stat.S_IMODE(info.st_mode) == 0o3733
    assert (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid())
    assert lines[0] == f"created {target}"
    assert f"  owner {MY_NAME}, group {MY_GROUP}, mode 3733 (setgid + sticky, rwx-wx-wx):" in lines
    assert f"  export ALLIANCE_DROPBOX={target}" in lines
    assert lines[-1] == CLOSING_NOTE
    assert "docs/jupyterhub.md" in CLOSING_NOTE


def test_init_prints_an_absolute_path(tmp_path, capsys, own_uid, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, lines, _ = run_cli(capsys, "init", "drop", "--group", MY_GROUP)
    assert code == 0
    assert f"  export ALLIANCE_DROPBOX={tmp_path / 'drop'}" in lines


def test_init_with_explicit_owner(tmp_path, own_uid):
    lines = init_dropbox(tmp_path / "drop", group=MY_GROUP, owner=MY_NAME)
    assert os.lstat(tmp_path / "drop").st_uid == os.geteuid()
    assert f"  owner {MY_NAME}, group {MY_GROUP}, mode 3733 (setgid + sticky, rwx-wx-wx):" in lines


def test_init_adopts_an_empty_folder(tmp_path, capsys, own_uid):
    target = tmp_path / "drop"
    target.mkdir(mode=0o755)
    code, lines, _ = run_cli(capsys, "init", str(target), "--group", MY_GROUP)
    assert code == 0
    assert lines[0] == f"set up the empty folder {target}"
    assert stat.S_IMODE(os.lstat(target).st_mode) == 0o3733


def test_init_then_check_is_safe(tmp_path, capsys, own_uid):
    target = tmp_path / "drop"
    assert run_cli(capsys, "init", str(target), "--group", MY_GROUP)[0] == 0
    code, lines, _ = run_cli(capsys, "check", str(target), "--group", MY_GROUP)
    assert code == 0
    assert not [line for line in lines if line.startswith("UNSAFE")]
    assert f"{target}: safe (owner-only listing, setgid + sticky, mode 3733)." in lines
    assert lines[-1] == CLOSING_NOTE


REFUSALS = {
    "not empty": "exists and is not empty; choose a new path",
    "a file": "exists and is not a folder; choose a new path or remove it",
    "no group": "group 'no-such-group-xyz' does not exist; create an instructors-only group",
    "no owner": "user 'no-such-user-xyz' does not exist; check --owner",
    "no parent": "does not exist; create it first",
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_init_refuses_with_a_clear_message(tmp_path, capsys, own_uid, case):
    target = tmp_path / "drop"
    args = ["init", str(target), "--group", MY_GROUP]
    if case == "not empty":
        target.mkdir(mode=0o755)
        (target / "old.json").write_text("{}")
    elif case == "a file":
        target.write_text("not a folder")
    elif case == "no group":
        args[-1] = "no-such-group-xyz"
    elif case == "no owner":
        args += ["--owner", "no-such-user-xyz"]
    elif case == "no parent":
        args[1] = str(tmp_path / "missing" / "drop")
    before = os.lstat(target) if target.exists() else None
    code, lines, err = run_cli(capsys, *args)
    assert code == 1
    assert REFUSALS[case] in err
    assert lines == []
    if before is None:
        assert not target.exists()
    else:
        assert stat.S_IMODE(os.lstat(target).st_mode) == stat.S_IMODE(before.st_mode)


FOLDER_MODES = [
    (0o3737, "anyone can list the folder (o+r), so trainees see each other's file names"),
    (0o3777, "anyone can list the folder (o+r)"),
    (0o3773, f"members of group '{MY_GROUP}' can list the folder (g+r): run chmod g-r"),
    (0o2733, "sticky bit missing, so anyone who can write here can delete or rename"),
    (0o1733, "setgid bit missing, so new files do not get the instructors' group"),
    (0o0733, "sticky bit missing"),
    (0o3700, "trainees cannot drop files (others need write and search, o+wx)"),
    (0o3723, "mode is 3723, expected 3733: run chmod 3733"),
]


@pytest.mark.parametrize("mode, message", FOLDER_MODES, ids=[f"{m:04o}" for m, _ in FOLDER_MODES])
def test_check_reports_each_unsafe_mode(tmp_path, capsys, own_uid, mode, message):
    folder = tmp_path / "drop"
    folder.mkdir()
    os.chmod(folder, mode)
    code, lines, _ = run_cli(capsys, "check", str(folder))
    assert code == 1
    unsafe = [line for line in lines if line.startswith("UNSAFE: ")]
    assert any(message in line for line in unsafe), unsafe
    assert f"{folder}: {len(unsafe)} unsafe setting(s); fix them before trainees share." in lines
    assert lines[-1] == CLOSING_NOTE


def test_check_says_every_problem_at_once(tmp_path, own_uid):
    folder = tmp_path / "drop"
    folder.mkdir()
    os.chmod(folder, 0o0777)
    problems, notes = check_dropbox(folder)
    joined = "\n".join(problems)
    for message in ("(o+r)", "(g+r)", "sticky bit missing", "setgid bit missing"):
        assert message in joined
    assert f"mode is 0777; all fixed at once with: chmod 3733 {folder}" in notes


def test_check_wrong_group(tmp_path, capsys, own_uid):
    folder = make_safe(tmp_path / "drop")
    wanted = other_group()
    code, lines, _ = run_cli(capsys, "check", str(folder), "--group", wanted)
    assert code == 1
    assert (
        f"UNSAFE: folder group is '{MY_GROUP}', not '{wanted}': run chgrp {wanted} {folder}"
        " (only instructors may be in the folder's group)"
    ) in lines


def test_check_unknown_group(tmp_path, own_uid):
    folder = make_safe(tmp_path / "drop")
    problems, _ = check_dropbox(folder, group="no-such-group-xyz")
    assert "group 'no-such-group-xyz' does not exist; create the instructors' group" in problems


def test_check_reports_unsafe_entries_inside(tmp_path, capsys, own_uid):
    folder = make_safe(tmp_path / "drop")
    good = folder / "2026-W48-good.json"
    good.write_text("{}")
    os.chmod(good, 0o640)
    open_file = folder / "2026-W48-open.json"
    open_file.write_text("{}")
    os.chmod(open_file, 0o644)
    (folder / "link.json").symlink_to("/etc/passwd")
    (folder / "sub").mkdir()
    code, lines, _ = run_cli(capsys, "check", str(folder))
    assert code == 1
    unsafe = [line for line in lines if line.startswith("UNSAFE: ")]
    assert unsafe == [
        "UNSAFE: symbolic link inside (collect never follows links; remove it): link.json",
        "UNSAFE: folder inside (collect ignores folders; move it out): sub",
        f"UNSAFE: {MODE_TEXT}: 2026-W48-open.json (0644)",
    ]


MODE_TEXT = (
    "file mode is not 0640 (others must not read it, the group must not change it, and"
    " instructors must be able to read it; run sudo chmod 640 on it)"
)


def test_check_flags_every_file_mode_other_than_0640(tmp_path, own_uid):
    folder = make_safe(tmp_path / "drop")
    for name, mode in [("a.json", 0o640), ("b.json", 0o600), ("c.json", 0o660), ("d.json", 0o440)]:
        path = folder / name
        path.write_text("{}")
        os.chmod(path, mode)
    problems, _ = check_dropbox(folder)
    assert problems == [
        f"{MODE_TEXT}: b.json (0600)",
        f"{MODE_TEXT}: c.json (0660)",
        f"{MODE_TEXT}: d.json (0440)",
    ]


def other_user() -> str:
    """An existing account that is not the current one (root, daemon, nobody ...)."""
    return next(u.pw_name for u in pwd.getpwall() if u.pw_uid != os.geteuid())


def test_check_owner_when_asked(tmp_path, capsys, own_uid):
    folder = make_safe(tmp_path / "drop")
    assert check_dropbox(folder, owner=MY_NAME)[0] == []
    wanted = other_user()
    code, lines, _ = run_cli(capsys, "check", str(folder), "--owner", wanted)
    assert code == 1
    assert (
        f"UNSAFE: folder owner is '{MY_NAME}', not '{wanted}', so the wrong account can list and"
        f" change it: run sudo chown {wanted} {folder} (then chmod 3733 {folder}; chown clears"
        " setgid)"
    ) in lines
    problems, _ = check_dropbox(folder, owner="no-such-user-xyz")
    assert problems == ["user 'no-such-user-xyz' does not exist; check --owner"]


def test_check_reports_files_outside_the_instructors_group(tmp_path, own_uid):
    folder = make_safe(tmp_path / "drop")
    wanted = other_group()
    entry = folder / "a.json"
    entry.write_text("{}")
    os.chmod(entry, 0o640)
    problems, _ = check_dropbox(folder, group=wanted)
    assert (
        f"file not in group '{wanted}', so instructors may not read it (chgrp it): a.json"
        f" (group {MY_GROUP})"
    ) in problems


def test_check_limits_lines_for_many_bad_files(tmp_path, own_uid):
    folder = make_safe(tmp_path / "drop")
    for i in range(25):
        path = folder / f"{i:02d}.json"
        path.write_text("{}")
        os.chmod(path, 0o644)
    problems, _ = check_dropbox(folder)
    readable = [p for p in problems if p.startswith("file mode is not 0640")]
    assert len(readable) == 20
    assert "... and 5 more like the line above" in problems


def test_check_missing_path_and_symlinked_folder(tmp_path, own_uid):
    problems, _ = check_dropbox(tmp_path / "nope")
    assert problems == [
        f"{tmp_path / 'nope'} does not exist; create it with 'alliance dropbox init'"
    ]
    real = make_safe(tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(real)
    problems, _ = check_dropbox(link)
    assert problems[0].startswith(f"{link} is a symbolic link; give the real folder's path")


def test_check_notes_a_parent_trainees_cannot_enter(tmp_path, own_uid):
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    os.chmod(hidden, 0o700)
    folder = make_safe(hidden / "drop")
    problems, notes = check_dropbox(folder)
    assert problems == []
    assert any(
        note.startswith(f"trainees cannot reach the folder: {hidden} is not searchable")
        for note in notes
    ), notes


def test_shared_uid_warning_on_a_container_hub():
    warning = shared_uid_warning(uid=1000, home="/home/jovyan", username="jovyan", environ={})
    assert warning is not None
    assert "this server runs as uid 1000 'jovyan', the container-hub default" in warning
    assert "see docs/jupyterhub.md" in warning


def test_shared_uid_warning_when_hub_user_is_not_the_unix_account():
    warning = shared_uid_warning(
        uid=1000, home="/home/jovyan", username="jovyan", environ={"JUPYTERHUB_USER": "anna"}
    )
    assert warning is not None
    assert "hub user 'anna' runs as the Unix account 'jovyan'" in warning


@pytest.mark.parametrize(
    "uid, home, username, environ",
    [
        (1001, "/home/anna", "anna", {"JUPYTERHUB_USER": "anna"}),
        (1000, "/home/anna", "anna", {"JUPYTERHUB_USER": "anna"}),
        (0, "/root", "root", {}),
    ],
)
def test_no_shared_uid_warning_with_own_accounts(uid, home, username, environ):
    assert shared_uid_warning(uid=uid, home=home, username=username, environ=environ) is None


def test_check_fails_on_a_shared_uid_hub(tmp_path, capsys, monkeypatch):
    folder = make_safe(tmp_path / "drop")
    monkeypatch.setenv("JUPYTERHUB_USER", MY_NAME + "-someone-else")
    code, lines, _ = run_cli(capsys, "check", str(folder))
    assert code == 1
    assert any(line.startswith("UNSAFE: shared uid: hub user") for line in lines)
    assert lines[-1] == CLOSING_NOTE


def test_dropbox_needs_an_action(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["dropbox"])
    assert caught.value.code == 2
    assert "init|check" in capsys.readouterr().err
