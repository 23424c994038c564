"""Every course file is written by one routine (whole or not at all, never through a link) and
every private folder is made by one routine (0700, the account's own)."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest

from helpers.files import PrivateFolderError, private_folder, replace_atomically

SOURCE = Path(__file__).resolve().parents[1] / "src" / "helpers"


# What gives a file its final name or sets the mode of new files: only helpers.files does it.
NAMING = {
    ("os", "replace"),
    ("os", "rename"),
    ("os", "renames"),
    ("os", "link"),
    ("os", "O_TMPFILE"),
    ("os", "umask"),
    ("tempfile", "mkstemp"),
    ("tempfile", "NamedTemporaryFile"),
    ("shutil", "move"),
}


def naming_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in NAMING
        ):
            found.append(f"{path.relative_to(SOURCE)}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_only_the_one_routine_names_files():
    modules = sorted(SOURCE.rglob("*.py"))
    assert naming_calls(SOURCE / "files.py"), "the check itself finds the routine's own calls"
    elsewhere = [hit for path in modules if path.name != "files.py" for hit in naming_calls(path)]
    assert elsewhere == [], (
        "write course files with helpers.files.replace_atomically and make private folders "
        "with helpers.files.private_folder:\n" + "\n".join(elsewhere)
    )


def test_a_file_is_owner_only_whatever_the_umask_unless_asked(tmp_path):
    old = os.umask(0o022)
    try:
        replace_atomically(tmp_path / "private.json", b"{}\n")
        replace_atomically(tmp_path / "shared.json", b"{}\n", mode=0o640)
        replace_atomically(tmp_path / "handout.pdf", b"%PDF", mode=None)
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert modes == {"private.json": 0o600, "shared.json": 0o640, "handout.pdf": 0o644}


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path):
    path = tmp_path / "table.csv"
    replace_atomically(path, b"old\n")

    def half_then_fail(out):
        out.write("new,")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        replace_atomically(path, half_then_fail, text=True)
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


@pytest.mark.parametrize("links", [True, False])
def test_a_new_file_never_replaces_one_there(tmp_path, monkeypatch, links):
    if not links:

        def no_links(*_args, **_kwargs):
            raise OSError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "pseudonym"
    replace_atomically(path, b"first\n", overwrite=False)
    with pytest.raises(FileExistsError):
        replace_atomically(path, b"second\n", overwrite=False)
    assert path.read_bytes() == b"first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pseudonym"]


def test_a_link_planted_at_the_temporary_name_is_not_followed(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)  # the named path, as on other systems
    victim = tmp_path / "victim"
    victim.write_bytes(b"untouched\n")
    (tmp_path / ".planted.partial").symlink_to(victim)
    replace_atomically(
        tmp_path / "shared.json", b"{}\n", overwrite=False, partial_name=".planted.partial"
    )
    assert victim.read_bytes() == b"untouched\n"
    assert (tmp_path / "shared.json").read_bytes() == b"{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.json", "victim"]


def test_a_private_folder_and_its_missing_parents_are_0700(tmp_path):
    old = os.umask(0o022)
    try:
        folder = private_folder(tmp_path / "home" / "outbox", "~/.alliance/outbox")
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700


def test_a_private_folder_others_can_open_is_closed(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    private_folder(folder, "~/.alliance/shared")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_file_where_the_private_folder_should_be_is_refused_in_plain_words(tmp_path):
    (tmp_path / "outbox").write_text("not a folder")
    with pytest.raises(PrivateFolderError) as refused:
        private_folder(tmp_path / "outbox", "~/.alliance/outbox")
    assert refused.value.strerror == (
        "your private folder ~/.alliance/outbox is not a folder; rename that file so a folder "
        "can be made there"
    )
