"""``alliance dropbox init|check``: a write-only drop folder for shared reflections (rule D4).

The folder belongs to the instructor, its group is an instructors-only group, and its mode is
3733 (setgid + sticky, ``rwx-wx-wx``): trainees can drop files and reach them by exact name, but
cannot list the folder, read other trainees' files (written 0640) or delete or rename them; new
files inherit the instructors' group so instructors can read them. This only works when every
trainee has their own Unix uid: trainees who share one uid (container hubs where everyone is
``jovyan``) can read and delete each other's files whatever the modes say.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

from helpers.submission import printable_name

DROP_MODE = 0o3733
FILE_MODE = 0o640
_MAX_FILE_LINES = 20
CLOSING_NOTE = (
    "Note: a shared drop folder cannot keep apart trainees who run as one Unix uid"
    " (everyone is 'jovyan' on most container-based hubs); see docs/jupyterhub.md."
)


class DropboxError(Exception):
    """The drop folder cannot be created as asked; the message says what to do."""


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _invoking_user() -> str:
    """The instructor running the command (the sudo caller when run with sudo)."""
    if os.geteuid() == 0 and os.environ.get("SUDO_USER"):
        return os.environ["SUDO_USER"]
    return _user_name(os.geteuid())


def init_dropbox(path: Path | str, *, group: str, owner: str | None = None) -> list[str]:
    """Create the drop folder (or adopt an empty one) with owner, group and mode 3733.

    Returns lines describing what was done; raises DropboxError, leaving nothing behind, when
    the folder cannot be set up.
    """
    path = Path(path).absolute()
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise DropboxError(
            f"group '{group}' does not exist; create an instructors-only group first"
            f" (e.g. sudo groupadd {group} && sudo usermod -aG {group} YOUR_NAME)"
        ) from None
    owner = owner or _invoking_user()
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise DropboxError(f"user '{owner}' does not exist; check --owner") from None

    problems = unsafe_ancestors(path, trusted={uid})
    if problems:
        raise DropboxError(
            f"{problems[0]}; a drop folder there could be swapped for another. Choose a place"
            " whose parent folders only root or you can change (e.g. /srv/alliance)"
        )
    try:
        parent_fd = os.open(
            path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
        )
    except FileNotFoundError:
        raise DropboxError(f"{path.parent} does not exist; create it first") from None
    except OSError as exc:
        raise DropboxError(f"cannot open {path.parent}: {exc.strerror or exc}") from None
    try:
        created = _set_up(parent_fd, path, uid, gid, owner, group)
    finally:
        os.close(parent_fd)
    return [
        f"{'created' if created else 'set up the empty folder'} {path}",
        f"  owner {owner}, group {group}, mode 3733 (setgid + sticky, rwx-wx-wx):",
        "  trainees can drop files but cannot list the folder or read or delete others' files;",
        f"  new files get group {group}, so members of {group} can read them.",
        "Trainees set this before running 'alliance export' (e.g. in the hub's environment):",
        f"  export ALLIANCE_DROPBOX={path}",
        f"  export ALLIANCE_DROPBOX_GROUP={group}",
        f"Read the drop folder with: alliance collect {path} -o ~/class.csv",
        CLOSING_NOTE,
    ]


def _set_up(parent_fd: int, path: Path, uid: int, gid: int, owner: str, group: str) -> bool:
    """Create (or adopt, if empty) the folder and set it up through one open descriptor:
    ``fchown``/``fchmod`` act on the folder that was opened, never on whatever a name points
    to a moment later. Returns whether the folder was created."""
    name = path.name
    created = False
    try:
        os.mkdir(name, 0o700, dir_fd=parent_fd)
        created = True
    except FileExistsError:
        pass
    except OSError as exc:
        raise DropboxError(f"cannot create {path}: {exc.strerror or exc}") from None
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, dir_fd=parent_fd)
    except PermissionError:
        raise DropboxError(
            f"cannot open {path} (permission denied); run the command with sudo"
        ) from None
    except OSError:
        raise DropboxError(
            f"{path} exists and is not a folder; choose a new path or remove it (a symbolic"
            " link is never followed)"
        ) from None
    try:
        if any(True for _ in os.scandir(fd)):
            raise DropboxError(
                f"{path} exists and is not empty; choose a new path (a drop folder must start"
                " empty so that no file in it predates its safe settings)"
            )
        try:
            os.fchown(fd, uid, gid)
            os.fchmod(fd, DROP_MODE)  # after chown, which may clear the setgid bit
        except OSError as exc:
            if created:
                os.rmdir(name, dir_fd=parent_fd)
            raise DropboxError(
                f"cannot give {path} to {owner}:{group} with mode 3733 ({exc.strerror or exc});"
                f" you must be a member of '{group}', or run the command with sudo"
            ) from None
    finally:
        os.close(fd)
    return created


def unsafe_ancestors(path: Path, *, trusted: set[int]) -> list[str]:
    """Problems with the folders above ``path``: one that others can write to without the
    sticky bit, or that belongs to anyone but root or a ``trusted`` uid, lets its owner or
    any writer rename the drop folder away and put one of their own in its place."""
    problems = []
    for parent in reversed(Path(os.path.abspath(path)).parents):
        try:
            info = os.lstat(parent)
        except FileNotFoundError:
            continue  # said plainly by the caller
        except OSError as exc:
            problems.append(f"{parent} cannot be checked ({exc.strerror or exc})")
            continue
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            problems.append(f"{parent} is a symbolic link; give the real path")
            continue
        if info.st_uid not in {0, *trusted}:
            problems.append(
                f"parent folder {parent} belongs to '{_user_name(info.st_uid)}', who could"
                " replace the drop folder; only root or the instructor may own its parents"
            )
        elif mode & (stat.S_IWOTH | stat.S_IWGRP) and not mode & stat.S_ISVTX:
            problems.append(
                f"parent folder {parent} can be changed by others (mode"
                f" {stat.S_IMODE(mode):04o}, no sticky bit), so a trainee could swap in a folder"
                f" of their own: run chmod go-w {parent}"
            )
    return problems


_ACLS = ("system.posix_acl_default", "system.posix_acl_access")


def acl_problems(path: Path) -> list[str]:
    """Problems from POSIX ACLs on the drop folder: a default ACL gives new files other
    permissions than 0640 (letting trainees read them, or locking instructors out); an access
    ACL can let others list the folder. Where ACLs are not supported there is nothing to find."""
    problems = []
    for name in _ACLS:
        try:
            value = os.getxattr(path, name, follow_symlinks=False)
        except OSError:
            continue  # no ACL, or none supported here
        except AttributeError:  # no extended attributes on this system
            return []
        if name.endswith("default") and value:
            problems.append(
                f"default ACL set, so new files get permissions other than 0640 (trainees"
                f" might read them, or instructors be locked out): run setfacl -k {path}"
            )
        elif value and len(value) > 4 + 3 * 8:  # more than the three entries of a plain mode
            problems.append(
                f"access ACL grants extra permissions on the folder: run setfacl -b {path}"
                f" (then chmod 3733 {path})"
            )
    return problems


def shared_uid_warning(
    *,
    uid: int | None = None,
    home: Path | str | None = None,
    username: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """A warning when this looks like a container hub where every user runs as one uid.

    Signs: uid 1000 with the home /home/jovyan or the account 'jovyan' (the Jupyter Docker
    Stacks default), or a JupyterHub user name that differs from the Unix account name (the
    hub maps many people onto one account). Arguments default to this process's values.
    """
    uid = os.getuid() if uid is None else uid
    home = Path(Path.home() if home is None else home)
    username = _user_name(uid) if username is None else username
    environ = os.environ if environ is None else environ
    hub_user = environ.get("JUPYTERHUB_USER")
    nb_user = environ.get("NB_USER")
    reasons = []
    if uid == 1000 and (home == Path("/home/jovyan") or "jovyan" in {username, nb_user}):
        reasons.append("this server runs as uid 1000 'jovyan', the container-hub default")
    if hub_user and hub_user != username:
        reasons.append(f"hub user '{hub_user}' runs as the Unix account '{username}'")
    if not reasons:
        return None
    return (
        f"shared uid: {'; '.join(reasons)}, so trainees probably share one uid and can read and"
        " delete each other's files in any shared folder; do not use a drop folder here, collect"
        " per-user files instead (see docs/jupyterhub.md)"
    )


def check_dropbox(
    path: Path | str, *, group: str | None = None, owner: str | None = None
) -> tuple[list[str], list[str]]:
    """Find every unsafe setting of a drop folder.

    ``group`` and ``owner`` are the instructors' group and the instructor who should own the
    folder; each is checked only when given. Returns ``(problems, notes)``: each problem is one
    line saying what is wrong and what to do; notes are advice that does not make the folder
    unsafe. No problems means safe.
    """
    path = Path(path)
    problems: list[str] = []
    notes: list[str] = []
    warning = shared_uid_warning()
    if warning:
        problems.append(warning)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return problems + [f"{path} does not exist; create it with 'alliance dropbox init'"], notes
    if stat.S_ISLNK(info.st_mode):
        problems.append(
            f"{path} is a symbolic link; give the real folder's path (a link can be changed"
            " to point elsewhere)"
        )
        return problems, notes
    if not stat.S_ISDIR(info.st_mode):
        return problems + [f"{path} is not a folder"], notes

    mode = stat.S_IMODE(info.st_mode)
    folder_group = _group_name(info.st_gid)
    expected_gid = info.st_gid
    if group is not None:
        try:
            expected_gid = grp.getgrnam(group).gr_gid
        except KeyError:
            problems.append(f"group '{group}' does not exist; create the instructors' group")
            expected_gid = None
        else:
            if info.st_gid != expected_gid:
                problems.append(
                    f"folder group is '{folder_group}', not '{group}': run chgrp {group} {path}"
                    " (only instructors may be in the folder's group)"
                )
    if owner is not None:
        problems += _check_owner(path, info.st_uid, owner)
    if mode & stat.S_IROTH:
        problems.append(
            f"anyone can list the folder (o+r), so trainees see each other's file names:"
            f" run chmod o-r {path}"
        )
    if mode & stat.S_IRGRP:
        problems.append(
            f"members of group '{folder_group}' can list the folder (g+r): run chmod g-r {path}"
            " (mode 3733 lets only the owner list it)"
        )
    if not mode & stat.S_ISVTX:
        problems.append(
            f"sticky bit missing, so anyone who can write here can delete or rename other"
            f" trainees' files: run chmod +t {path}"
        )
    if not mode & stat.S_ISGID:
        problems.append(
            f"setgid bit missing, so new files do not get the instructors' group and cannot be"
            f" read by instructors unless trainees make them world-readable: run chmod g+s {path}"
        )
    if mode & (stat.S_IWOTH | stat.S_IXOTH) != (stat.S_IWOTH | stat.S_IXOTH):
        problems.append(
            f"trainees cannot drop files (others need write and search, o+wx): run chmod o+wx"
            f" {path}"
        )
    if mode != DROP_MODE and not problems:
        problems.append(f"mode is {mode:04o}, expected 3733: run chmod 3733 {path}")
    elif mode != DROP_MODE:
        notes.append(f"mode is {mode:04o}; all fixed at once with: chmod 3733 {path}")

    trusted = {info.st_uid}
    if owner is not None:
        try:
            trusted.add(pwd.getpwnam(owner).pw_uid)
        except KeyError:
            pass
    problems += unsafe_ancestors(path, trusted=trusted)
    problems += acl_problems(path)
    problems += _check_entries(path, expected_gid, group or folder_group)
    notes += _unreachable(path)
    return problems, notes


def _check_owner(path: Path, uid: int, owner: str) -> list[str]:
    """A problem when the folder does not belong to the instructor named by ``--owner``."""
    try:
        expected = pwd.getpwnam(owner).pw_uid
    except KeyError:
        return [f"user '{owner}' does not exist; check --owner"]
    if uid == expected:
        return []
    return [
        f"folder owner is '{_user_name(uid)}', not '{owner}', so the wrong account can list and"
        f" change it: run sudo chown {owner} {path} (then chmod 3733 {path}; chown clears setgid)"
    ]


def _check_entries(path: Path, gid: int | None, group: str) -> list[str]:
    """Problems with what is inside the folder: symlinks, folders, files not exactly 0640."""
    found: dict[str, list[str]] = {"link": [], "folder": [], "mode": [], "group": []}
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                mode = info.st_mode
                name = printable_name(entry.name)
                if stat.S_ISLNK(mode):
                    found["link"].append(name)
                elif stat.S_ISDIR(mode):
                    found["folder"].append(name)
                else:
                    if stat.S_IMODE(mode) != FILE_MODE:
                        found["mode"].append(f"{name} ({stat.S_IMODE(mode):04o})")
                    if gid is not None and info.st_gid != gid:
                        found["group"].append(f"{name} (group {_group_name(info.st_gid)})")
    except PermissionError:
        return [f"cannot list {path} to check the files inside; run the check as its owner"]
    texts = {
        "link": "symbolic link inside (collect never follows links; remove it): {}",
        "folder": "folder inside (collect ignores folders; move it out): {}",
        "mode": (
            "file mode is not 0640 (others must not read it, the group must not change it, and"
            " instructors must be able to read it; run sudo chmod 640 on it): {}"
        ),
        "group": f"file not in group '{group}', so instructors may not read it (chgrp it): {{}}",
    }
    problems = []
    for kind, names in found.items():
        names.sort()
        problems += [texts[kind].format(name) for name in names[:_MAX_FILE_LINES]]
        if len(names) > _MAX_FILE_LINES:
            problems.append(f"... and {len(names) - _MAX_FILE_LINES} more like the line above")
    return problems


def _unreachable(path: Path) -> list[str]:
    """A note when a parent folder stops trainees from reaching the drop folder at all."""
    for parent in path.absolute().parents:
        try:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return [
                    f"trainees cannot reach the folder: {parent} is not searchable by others"
                    f" (chmod o+x {parent}, or choose a drop folder elsewhere)"
                ]
        except OSError:
            return []
    return []


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="init|check")
    init = actions.add_parser(
        "init",
        help="create a drop folder: owner you, group GROUP, mode 3733",
        description="Create a write-only drop folder for trainees' reflection files.",
    )
    init.add_argument("path", type=Path, help="the folder to create (must not exist, or be empty)")
    init.add_argument("--group", required=True, help="an instructors-only Unix group")
    init.add_argument("--owner", default=None, help="owner of the folder (default: you)")
    check = actions.add_parser(
        "check",
        help="report every unsafe setting of a drop folder",
        description="Report every unsafe setting of a drop folder, one line each.",
    )
    check.add_argument("path", type=Path, help="the drop folder")
    check.add_argument("--group", default=None, help="the instructors-only group it should have")
    check.add_argument("--owner", default=None, help="the instructor who should own it")


def run(args: argparse.Namespace) -> int:
    if args.action == "init":
        try:
            lines = init_dropbox(args.path, group=args.group, owner=args.owner)
        except DropboxError as exc:
            print(f"alliance dropbox init: {exc}", file=sys.stderr)
            return 1
        print("\n".join(lines))
        return 0
    problems, notes = check_dropbox(args.path, group=args.group, owner=args.owner)
    for line in problems:
        print(f"UNSAFE: {line}")
    for line in notes:
        print(f"note: {line}")
    if problems:
        print(f"{args.path}: {len(problems)} unsafe setting(s); fix them before trainees share.")
    else:
        print(f"{args.path}: safe (owner-only listing, setgid + sticky, mode 3733).")
    print(CLOSING_NOTE)
    return 1 if problems else 0
