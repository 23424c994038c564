"""A real class on a real JupyterHub: local Unix accounts, one server per trainee running as that
trainee, the course handed out by nbgitpuller links, and the drop folder between them.

Everything runs on 127.0.0.1 with free ports and lives in one folder under /tmp (mode 0755, so
the accounts can reach their homes; each home is 0700). The hub runs as root and starts every
single-user server with ``LocalProcessSpawner``, which switches to the user's own uid. Nothing
outlives the tests: the hub is stopped by its own PID, the accounts and the group are deleted
and the folder is removed, also after a failure, and leftovers of a run that crashed are
cleaned up before the next one starts.

Two things the accounts need that a test machine may not give them:

* The course environment's interpreter. ``.venv/bin/python`` is a link to an interpreter that
  may live in a folder other users cannot enter (``/root/.pyenv`` here). The accounts then use
  a *view* of the venv: a folder with its own ``pyvenv.cfg`` naming a system Python of the same
  version, and links to the venv's ``lib``, ``etc`` and ``share``, so they import exactly the
  venv's packages (read-only) and the venv's ``jupyterhub-singleuser`` runs. When the checkout
  itself sits in a folder they cannot enter (a private temporary folder, as CI may use), the
  view holds hard-linked copies of those folders and a copy of the course's ``src`` and
  ``data`` instead of links.
* The course repository. Trainees clone a bare copy of the course under the test folder over
  ``file://``. Git refuses to read a repository owned by another user, so the servers get a
  system git config (``GIT_CONFIG_SYSTEM``) that marks that one repository as safe. A real class
  clones from a https URL and needs neither.
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from alliance_ops.kernels import KernelSocket

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
CHP_NAME = "configurable-http-proxy"
RUN_PREFIX = "alliance-hub-"
TIMINGS: dict[str, float] = {}
MEMORY: dict[str, float] = {}
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
_SBIN_PATH = f"/usr/local/sbin:/usr/sbin:/sbin:{_SYSTEM_PATH}"


def find_proxy() -> Path | None:
    """configurable-http-proxy from ``npm ci`` (node_modules/.bin), else from PATH."""
    local = ROOT / "node_modules" / ".bin" / CHP_NAME
    if local.exists():
        return local
    found = shutil.which(CHP_NAME)
    return Path(found) if found else None


def missing_requirements() -> str | None:
    """Why this machine cannot run the hub tests, or None when it can."""
    if not sys.platform.startswith("linux"):
        return "the JupyterHub class test needs Linux (local Unix accounts, setuid spawning)"
    if os.geteuid() != 0:
        return (
            "the JupyterHub class test must run as root: it creates Unix accounts and the hub"
            " starts each trainee's server as that trainee (run it with sudo)"
        )
    tools = ("useradd", "userdel", "groupadd", "groupdel", "runuser", "git")
    absent = [tool for tool in tools if not shutil.which(tool)]
    if absent:
        return f"the JupyterHub class test needs {', '.join(absent)} (install passwd/util-linux)"
    if find_proxy() is None:
        return f"{CHP_NAME} not found: run 'npm ci' in the course folder (make test does)"
    if not shutil.which("node"):
        return f"{CHP_NAME} needs node on PATH"
    if not (VENV / "bin" / "jupyterhub").exists():
        return "jupyterhub is not installed in .venv: run 'make setup'"
    return None


REASON = missing_requirements()


@pytest.fixture(autouse=True)
def _hub_requirements() -> None:
    if REASON:
        pytest.skip(REASON)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if not TIMINGS and not MEMORY:
        return
    terminalreporter.write_sep("-", "JupyterHub class deployment")
    for name, seconds in TIMINGS.items():
        terminalreporter.write_line(f"{name:<46}{seconds:7.1f} s")
    for name, mib in MEMORY.items():
        terminalreporter.write_line(f"{name:<46}{mib:7.0f} MiB RSS")


# -- processes, accounts, leftovers --------------------------------------------------------------


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    """Run a command, capturing its text output; raise with that output when it fails."""
    check = kwargs.pop("check", True)
    command = [shutil.which(command[0], path=_SBIN_PATH) or command[0], *command[1:]]
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _rss(pid: int) -> float:
    """Resident memory of a process in MiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def kill_pid_file(pid_file: Path, expect: str) -> None:
    """Stop the process named by a pid file, only if it is still the program we started."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if _alive(pid) and expect in _cmdline(pid):
        os.kill(pid, signal.SIGKILL)


def kill_user_processes(names: list[str]) -> None:
    """Kill every process still running as one of the test accounts (userdel refuses otherwise)."""
    uids = set()
    for name in names:
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(name).pw_uid)
    if not uids:
        return
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
        except OSError:
            continue
        if uid in uids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


def delete_accounts(users: list[str], group: str | None) -> None:
    kill_user_processes(users)
    for name in users:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            run(["userdel", "--remove", name], check=False)
    if group:
        with contextlib.suppress(KeyError):
            grp.getgrnam(group)
            run(["groupdel", group], check=False)


def clean_stale_runs() -> None:
    """Remove what a crashed earlier run left behind: its hub, proxy, accounts and folder.

    A run is stale when the pytest process that made it is gone; runs of other live test
    processes are left alone.
    """
    for base in Path(tempfile.gettempdir()).glob(f"{RUN_PREFIX}*"):
        record = base / "run.json"
        try:
            info = json.loads(record.read_text())
        except (OSError, ValueError):
            continue
        if _alive(int(info.get("owner", 0))):
            continue
        kill_pid_file(base / "hub" / "jupyterhub.pid", "jupyterhub")
        kill_pid_file(base / "hub" / "proxy.pid", CHP_NAME)
        delete_accounts(info.get("users", []), info.get("group"))
        shutil.rmtree(base, ignore_errors=True)


# -- the site: folder, accounts, interpreter, course repository, drop folder ---------------------


@dataclass
class Account:
    name: str
    uid: int
    gid: int
    home: Path


@dataclass
class Site:
    base: Path
    group: str
    trainee1: Account
    trainee2: Account
    instructor: Account
    python: Path  # the interpreter the accounts run
    repo: Path  # bare course repository
    work: Path  # root's working copy used to publish course updates
    dropbox: Path
    gitconfig: Path
    branch: str = "main"

    @property
    def repo_url(self) -> str:
        return f"file://{self.repo}"

    def env_for(self, account: Account) -> dict[str, str]:
        """A clean login-like environment for running a command as ``account``."""
        return {
            "PATH": f"{self.python.parent}:{_SYSTEM_PATH}",
            "HOME": str(account.home),
            "USER": account.name,
            "LOGNAME": account.name,
            "LANG": "C.UTF-8",
            "MPLCONFIGDIR": str(account.home / ".config" / "matplotlib"),
        }

    def run_as(self, account: Account, command: list[str], **kwargs: Any):
        """Run a command as ``account`` (its own uid and groups), from its home."""
        return run(
            ["runuser", "-u", account.name, "--", *command],
            cwd=account.home,
            env=self.env_for(account),
            **kwargs,
        )


_IMPORTS = "import helpers, jupyterhub.singleuser, nbgitpuller"


def _runs_for_others(python: Path, code: str = "") -> bool:
    """Whether an account other than root can run ``code`` with ``python``."""
    result = subprocess.run(
        [shutil.which("runuser", path=_SBIN_PATH), "-u", "nobody", "--", str(python), "-c", code],
        cwd="/",
        capture_output=True,
        env={"PATH": _SYSTEM_PATH},
    )
    return result.returncode == 0


def _closed_folders(*paths: Path) -> list[str]:
    """Folders on the way to ``paths`` that other accounts cannot enter (no o+x)."""
    closed = []
    for path in paths:
        for folder in [*reversed(path.resolve().parents), path.resolve()]:
            if folder.is_dir() and not folder.stat().st_mode & 0o001 and str(folder) not in closed:
                closed.append(str(folder))
    return closed


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link a file (fast, and readable whatever its folders' modes); copy across devices."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _view(base: Path, interpreter: str, version: str, *, copied: bool) -> Path:
    """A venv-shaped folder the accounts can use, running the venv's packages on ``interpreter``.

    Linked: its ``lib``/``share``/``etc`` are symlinks into the venv (enough when the venv's
    folders are searchable). Copied: they are hard-linked copies, and the course's ``src`` and
    ``data`` are copied beside them with the editable install pointed there, for a checkout
    inside a folder the accounts cannot enter (a private temporary folder, or /root).
    """
    view = base / ("venv-copy" if copied else "venv")
    (view / "bin").mkdir(parents=True)
    for part in ("lib", "etc", "share"):
        if not (VENV / part).exists():
            continue
        if copied:
            shutil.copytree(VENV / part, view / part, symlinks=True, copy_function=_link_or_copy)
        else:
            (view / part).symlink_to(VENV / part)
    singleuser = VENV / "bin" / "jupyterhub-singleuser"
    if copied:
        code = base / "course-code"
        for part in ("src", "data"):
            shutil.copytree(ROOT / part, code / part)
        for pth in (view / "lib").glob("python*/site-packages/*.pth"):
            if pth.read_text().strip() == str(ROOT / "src"):
                pth.unlink()  # a hard link to the venv's own file: replace, never write through
                pth.write_text(f"{code / 'src'}\n")
        shutil.copy2(singleuser, view / "bin" / singleuser.name)
    else:
        (view / "bin" / singleuser.name).symlink_to(singleuser)
    (view / "bin" / "python").symlink_to(interpreter)
    (view / "bin" / "python3").symlink_to("python")
    (view / "pyvenv.cfg").write_text(
        f"home = {Path(interpreter).parent}\ninclude-system-site-packages = false\n"
        f"version = {version}\n"
    )
    return view / "bin" / "python"


def user_python(base: Path) -> Path:
    """An interpreter the accounts can run that imports the venv's packages (see module doc).

    ``jupyterhub-singleuser`` sits next to it.
    """
    venv_python = VENV / "bin" / "python"
    if _runs_for_others(venv_python, _IMPORTS):
        return venv_python
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        if Path(candidate).exists() and _runs_for_others(Path(candidate)):
            for copied in (False, True):
                python = _view(base, candidate, version, copied=copied)
                if _runs_for_others(python, _IMPORTS):
                    return python
            break
    closed = _closed_folders(venv_python, VENV / "lib", ROOT / "src")
    raise AssertionError(
        "The test accounts cannot run the course environment: "
        + (f"these folders are closed to them: {', '.join(closed)}. " if closed else "")
        + f"Make them searchable (chmod o+x), or install python{version} system-wide so the"
        " test can run the venv's packages with it."
    )


def _add_account(name: str, homes: Path, groups: list[str]) -> Account:
    home = homes / name
    command = ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash"]
    command += ["--user-group"]
    if groups:
        command += ["--groups", ",".join(groups)]
    run([*command, name])
    home.chmod(0o700)  # rule D5: nobody else can look inside a trainee's home
    entry = pwd.getpwnam(name)
    return Account(name, entry.pw_uid, entry.pw_gid, home)


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    clean_stale_runs()
    base = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
    base.chmod(0o755)
    tag = secrets.token_hex(2)
    names = {role: f"alt{tag}{role}" for role in ("a", "b", "i")}
    group = f"alt{tag}g"
    (base / "run.json").write_text(
        json.dumps({"owner": os.getpid(), "users": list(names.values()), "group": group})
    )
    try:
        run(["groupadd", group])
        homes = base / "homes"
        homes.mkdir(mode=0o755)
        homes.chmod(0o755)
        trainee1 = _add_account(names["a"], homes, [])
        trainee2 = _add_account(names["b"], homes, [])
        instructor = _add_account(names["i"], homes, [group])
        python = user_python(base)

        # The course as trainees receive it: a bare repository cloned from this one's HEAD.
        # (The checkout may belong to another account, as in CI containers; git then needs it
        # marked safe in a global config, since `-c` does not reach the upload-pack it runs.)
        repo = base / "alliance-lab.git"
        root_gitconfig = base / "root-gitconfig"
        root_gitconfig.write_text(f"[safe]\n\tdirectory = {ROOT}\n\tdirectory = {ROOT}/.git\n")
        run(
            ["git", "clone", "--quiet", "--bare", "--no-hardlinks", str(ROOT), str(repo)],
            env={**os.environ, "GIT_CONFIG_GLOBAL": str(root_gitconfig)},
        )
        branch = run(["git", "-C", str(repo), "symbolic-ref", "--short", "HEAD"]).stdout.strip()
        work = base / "instructor-work"
        run(["git", "clone", "--quiet", str(repo), str(work)])
        run(["chmod", "-R", "a+rX", str(repo)])
        gitconfig = base / "gitconfig"
        gitconfig.write_text(f"[safe]\n\tdirectory = {repo}\n")
        gitconfig.chmod(0o644)

        share = base / "class"
        share.mkdir(mode=0o755)
        share.chmod(0o755)
        yield Site(
            base=base,
            group=group,
            trainee1=trainee1,
            trainee2=trainee2,
            instructor=instructor,
            python=python,
            repo=repo,
            work=work,
            dropbox=share / "dropbox",
            gitconfig=gitconfig,
            branch=branch,
        )
    finally:
        hub = _HUBS.pop(str(base), None)
        if hub is not None:
            hub.stop()
        delete_accounts(list(names.values()), group)
        shutil.rmtree(base, ignore_errors=True)


# -- the hub -------------------------------------------------------------------------------------

_HUBS: dict[str, Hub] = {}

CONFIG = """\
# JupyterHub for the Alliance Lab class test (written by tests/hub/conftest.py).
from jupyterhub.auth import LocalAuthenticator
from jupyterhub.authenticators.shared import SharedPasswordAuthenticator


class LocalSharedPasswordAuthenticator(LocalAuthenticator, SharedPasswordAuthenticator):
    \"\"\"Existing local Unix accounts log in with one class password.\"\"\"


c = get_config()  # noqa: F821
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {proxy_pid!r}
c.JupyterHub.pid_file = {hub_pid!r}
c.JupyterHub.db_url = "sqlite:///{hub_dir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {secret!r}

c.JupyterHub.authenticator_class = LocalSharedPasswordAuthenticator
c.LocalSharedPasswordAuthenticator.create_system_users = False
c.LocalSharedPasswordAuthenticator.user_password = {password!r}
c.Authenticator.allowed_users = {users!r}

c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [{python!r}, {singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 90
c.Spawner.start_timeout = 90
c.Spawner.environment = {environment!r}

c.JupyterHub.services = [{{"name": "class-admin", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{
        "name": "class-admin",
        "services": ["class-admin"],
        "scopes": ["admin:users", "admin:servers", "access:servers", "tokens"],
    }}
]
"""


class Hub:
    """A running JupyterHub and the calls the tests make to it."""

    def __init__(self, site: Site) -> None:
        from alliance_ops.measure import free_port

        self.site = site
        self.dir = site.base / "hub"
        self.dir.mkdir(mode=0o700)
        self.port, hub_port, api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        self.pid_file = self.dir / "jupyterhub.pid"
        self.proxy_pid_file = self.dir / "proxy.pid"
        self.log = self.dir / "jupyterhub.log"
        self.proc: subprocess.Popen | None = None
        self.user_tokens: dict[str, str] = {}
        self.password = secrets.token_urlsafe(16)
        self.browsers: dict[str, Any] = {}
        environment = {
            "PATH": f"{site.python.parent}:{_SYSTEM_PATH}",
            "LANG": "C.UTF-8",
            "ALLIANCE_DROPBOX": str(site.dropbox),
            "ALLIANCE_COHORT": "HUB26",
            "GIT_CONFIG_SYSTEM": str(site.gitconfig),
        }
        config = CONFIG.format(
            port=self.port,
            hub_port=hub_port,
            api_port=api_port,
            proxy=str(find_proxy()),
            proxy_pid=str(self.proxy_pid_file),
            hub_pid=str(self.pid_file),
            hub_dir=self.dir,
            secret=str(self.dir / "cookie_secret"),
            password=self.password,
            users={site.trainee1.name, site.trainee2.name, site.instructor.name},
            python=str(site.python),
            singleuser=str(site.python.parent / "jupyterhub-singleuser"),
            environment=environment,
            token=self.token,
        )
        self.config = self.dir / "jupyterhub_config.py"
        self.config.write_text(config)

    def start(self) -> float:
        """Start the bare jupyterhub command in the background; seconds until its API answers."""
        started = time.monotonic()
        env = {
            "PATH": f"{find_proxy().parent}:{Path(shutil.which('node')).parent}:{_SYSTEM_PATH}",
            "LANG": "C.UTF-8",
            "HOME": str(self.dir),
        }
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [str(VENV / "bin" / "jupyterhub"), "-f", str(self.config)],
                cwd=self.dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"jupyterhub exited at start:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if self.api("GET", "/").status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.3)
        raise AssertionError(f"jupyterhub did not answer within 90 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM to the hub's own PID (it stops the servers and the proxy), then make sure."""
        if self.proc is not None and self.proc.poll() is None:
            MEMORY["hub process"] = _rss(self.proc.pid)
            with contextlib.suppress(OSError, ValueError):
                MEMORY["configurable-http-proxy"] = _rss(int(self.proxy_pid_file.read_text()))
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        kill_pid_file(self.proxy_pid_file, CHP_NAME)
        site = self.site
        kill_user_processes([site.trainee1.name, site.trainee2.name, site.instructor.name])

    # REST calls ---------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None, token: str | None = None):
        import requests

        return requests.request(
            method,
            f"{self.url}/hub/api{path}",
            json=body,
            headers={"Authorization": f"token {token or self.token}"},
            timeout=120,
        )

    def user_token(self, name: str) -> str:
        if name not in self.user_tokens:
            response = self.api(
                "POST", f"/users/{name}/tokens", {"note": "class test", "expires_in": 3600}
            )
            assert response.status_code in (200, 201), response.text
            self.user_tokens[name] = response.json()["token"]
        return self.user_tokens[name]

    def spawn(self, account: Account) -> float:
        """Start a user's server through the hub API; seconds until the hub says it is ready."""
        started = time.monotonic()
        response = self.api("POST", f"/users/{account.name}/server")
        assert response.status_code in (201, 202, 400), response.text
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            model = self.api("GET", f"/users/{account.name}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - started
            if not server and model.get("pending") is None and time.monotonic() - started > 5:
                raise AssertionError(f"{account.name}'s server stopped:\n{self.log_tail()}")
            time.sleep(0.3)
        raise AssertionError(f"{account.name}'s server did not start:\n{self.log_tail()}")

    def contents(self, account: Account, path: str, model: dict | None = None) -> dict:
        """Read (or, with ``model``, save) a file through the user's own server."""
        import requests

        url = f"{self.url}/user/{account.name}/api/contents/{path}"
        headers = {"Authorization": f"token {self.user_token(account.name)}"}
        if model is None:
            response = requests.get(url, headers=headers, timeout=60)
        else:
            response = requests.put(url, headers=headers, json=model, timeout=60)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def browser(self, account: Account):
        """A web session logged in to the hub as ``account`` with the class password."""
        import requests

        if account.name not in self.browsers:
            session = requests.Session()
            page = session.get(f"{self.url}/hub/login", timeout=60)
            assert page.status_code == 200, page.text
            response = session.post(
                f"{self.url}/hub/login",
                data={
                    "username": account.name,
                    "password": self.password,
                    "_xsrf": session.cookies.get("_xsrf", ""),
                },
                allow_redirects=False,
                timeout=60,
            )
            assert response.status_code == 302, f"login failed: {response.status_code}"
            self.browsers[account.name] = session
        return self.browsers[account.name]

    def pull(self, account: Account, link: str) -> float:
        """Open an nbgitpuller link as ``account`` in a logged-in browser session; seconds.

        The link goes through the hub (user-redirect) to the user's ``git-pull`` page, whose
        script then streams ``git-pull/api`` with the same query; that stream does the sync.
        """
        from urllib.parse import urlsplit

        session = self.browser(account)
        started = time.monotonic()
        page = session.get(link, timeout=120)
        assert page.status_code == 200, page.text
        target = urlsplit(page.url)
        assert target.path == f"/user/{account.name}/git-pull", page.url
        stream = session.get(f"{self.url}{target.path}/api?{target.query}", stream=True)
        assert stream.status_code == 200, stream.text
        events = []
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                event = json.loads(line[5:])
                events.append(event)
                if event.get("phase") in ("finished", "error"):
                    break
        stream.close()
        assert events and events[-1].get("phase") == "finished", events[-3:]
        return time.monotonic() - started

    @contextlib.contextmanager
    def kernel(self, account: Account, path: str = "") -> Iterator[Kernel]:
        """A kernel in the user's own server (started over REST), shut down afterwards."""
        import requests

        headers = {"Authorization": f"token {self.user_token(account.name)}"}
        base = f"{self.url}/user/{account.name}/api/kernels"
        response = requests.post(
            base, headers=headers, json={"name": "python3", "path": path}, timeout=60
        )
        assert response.status_code == 201, response.text
        kernel_id = response.json()["id"]
        ws_url = f"ws://127.0.0.1:{self.port}/user/{account.name}/api/kernels/{kernel_id}/channels"
        kernel = Kernel(ws_url, headers["Authorization"])
        try:
            yield kernel
        finally:
            kernel.close()
            requests.delete(f"{base}/{kernel_id}", headers=headers, timeout=60)


class Kernel(KernelSocket):
    """Runs code in a trainee's kernel over its websocket, as JupyterLab does."""

    def __init__(self, ws_url: str, authorization: str) -> None:
        super().__init__(ws_url, authorization, username="trainee", timeout=120)

    def run(self, code: str) -> str:  # type: ignore[override]
        """Run ``code``; what it printed and displayed (as text). A Python error fails the test
        with its traceback."""
        result = super().run(code, timeout=180)
        if result.error:
            raise AssertionError("\n".join(result.traceback) or result.error)
        return result.output


@pytest.fixture(scope="session")
def drop_folder(site: Site) -> str:
    """The class drop folder, set up by the course's own command; its output."""
    result = run(
        [
            str(VENV / "bin" / "python"),
            "-m",
            "helpers.cli",
            "dropbox",
            "init",
            str(site.dropbox),
            "--group",
            site.group,
            "--owner",
            site.instructor.name,
        ],
        env=_clean_env(),
    )
    return result.stdout


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env["PATH"] = f"{VENV / 'bin'}:{env.get('PATH', _SYSTEM_PATH)}"
    return env


@pytest.fixture(scope="session")
def hub(site: Site, drop_folder: str) -> Iterator[Hub]:  # noqa: ARG001 - folder first
    running = Hub(site)
    _HUBS[str(site.base)] = running
    try:
        TIMINGS["hub start (to first API answer)"] = running.start()
        yield running
    finally:
        running.stop()
