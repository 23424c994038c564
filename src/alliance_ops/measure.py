"""``alliance measure``: how much memory one trainee needs, for sizing a JupyterHub.

A trainee on a hub runs one JupyterLab server plus one kernel per open notebook. This command
starts a real ``jupyter lab`` on 127.0.0.1 with a throwaway trainee folder, opens one and then
two course notebooks (a kernel each, started through the server's REST API, every code cell run
over the kernel's websocket, as the browser does: ``alliance_ops.kernels``) and reads the
resident memory (RSS) of the server and its kernels after each step. It repeats this N times
and reports the medians, and with ``--markdown`` the capacity table for docs/jupyterhub.md:
memory per trainee, what classes of 30, 100 and 500 need with a headroom factor, and the Zero
to JupyterHub memory guarantee and limit that follow from it. It is run on an instructor's or
a maintainer's machine, never in a trainee's kernel.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alliance_ops.kernels import CELL_TIMEOUT, KernelSocket
from helpers.paths import data_dir

MIB = 1024 * 1024
DEFAULT_NOTEBOOKS = ("01-understand-the-alliance.ipynb", "02-build-safety.ipynb")
STAGES = (
    ("server", "server only"),
    ("one_notebook", "+ one notebook"),
    ("two_notebooks", "+ two notebooks"),
)
CLASS_SIZES = (30, 100, 500)
DEFAULT_HEADROOM = 1.25
GUARANTEE_STEP = 64  # MiB: the guarantee covers one open notebook with headroom
LIMIT_STEP = 256  # MiB: the limit covers two open notebooks with headroom
_START_TIMEOUT = 90.0


class MeasureError(RuntimeError):
    """The measurement could not be made; the message says what went wrong."""


@dataclass
class Sample:
    """Memory in MiB at one stage of one run."""

    server: float
    kernels: float

    @property
    def total(self) -> float:
        return self.server + self.kernels


# -- running a server and its kernels ---------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, token: str, method: str = "GET", body: dict | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = response.read()
    return json.loads(payload) if payload else None


def run_cells(ws_url: str, token: str, cells: list[str], label: str) -> None:
    """Run ``cells`` one by one in the kernel behind ``ws_url``, as a browser would.

    Raises MeasureError naming the cell when one fails, so the figures never hide a broken run.
    """
    with KernelSocket(ws_url, f"token {token}", username="measure", timeout=CELL_TIMEOUT) as kernel:
        for number, code in enumerate(cells, 1):
            try:
                result = kernel.run(code)
            except TimeoutError:
                raise MeasureError(f"{label}: code cell {number} did not finish in time") from None
            if result.error:
                raise MeasureError(f"{label}: code cell {number} failed ({result.error})")


def notebook_cells(path: Path) -> list[str]:
    """The code of every non-empty code cell of a notebook, in order."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MeasureError(f"cannot read the notebook {path}: {error}") from None
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            if source.strip():
                cells.append(source)
    return cells


def _rss(pid: int) -> float:
    import psutil

    try:
        return psutil.Process(pid).memory_info().rss / MIB
    except psutil.NoSuchProcess:
        return 0.0


def _kernel_pids(server_pid: int) -> list[int]:
    import psutil

    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    pids = []
    for child in children:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                pids.append(child.pid)
        except psutil.Error:
            continue
    return pids


def _sample(server_pid: int) -> Sample:
    return Sample(
        server=_rss(server_pid), kernels=sum(_rss(pid) for pid in _kernel_pids(server_pid))
    )


def measure_once(course: Path, notebooks: list[Path]) -> list[Sample]:
    """One run: a fresh server, then one notebook, then a second. One Sample per stage."""
    token = secrets.token_hex(16)
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="alliance-measure-"))
    env = dict(
        os.environ,
        ALLIANCE_HOME=str(scratch / "alliance"),
        MPLCONFIGDIR=str(scratch / "matplotlib"),
        JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
        IPYTHONDIR=str(scratch / "ipython"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    for name in ("ALLIANCE_DROPBOX", "ALLIANCE_CLASS_DATA", "JUPYTER_TOKEN"):
        env.pop(name, None)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={course}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    kernel_pids: set[int] = set()
    with open(scratch / "server.log", "wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(base, token, server, scratch / "server.log")
        _open_lab(base, token)
        samples = [_sample(server.pid)]
        relative = os.path.relpath(notebooks[0].parent, course)
        for notebook in notebooks:
            kernel = _request(
                f"{base}/api/kernels", token, "POST", {"name": "python3", "path": relative}
            )
            ws_url = f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels"
            run_cells(ws_url, token, notebook_cells(notebook), notebook.name)
            kernel_pids.update(_kernel_pids(server.pid))
            samples.append(_sample(server.pid))
        return samples
    finally:
        _stop(server, kernel_pids)
        shutil.rmtree(scratch, ignore_errors=True)


def _wait_ready(base: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log.read_text(errors="replace").splitlines()[-5:]
            raise MeasureError("jupyter lab exited at start:\n  " + "\n  ".join(tail))
        try:
            _request(f"{base}/api/status", token)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise MeasureError(f"jupyter lab did not answer on {base} within {_START_TIMEOUT:.0f} s")


# What JupyterLab asks the server for when a trainee opens it in a browser: the page, the
# settings and translations of every extension, the file list and the kernel specs.
_LAB_REQUESTS = (
    "/lab",
    "/lab/api/settings",
    "/lab/api/translations/en",
    "/api/kernelspecs",
    "/api/contents/notebooks?content=1",
    "/api/sessions",
    "/api/terminals",
)


def _open_lab(base: str, token: str) -> None:
    """Make the requests a browser makes when it opens JupyterLab, so the server's memory is
    what it is while a trainee works, not what an unused server holds."""
    for path in _LAB_REQUESTS:
        request = urllib.request.Request(base + path)
        request.add_header("Authorization", f"token {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        except urllib.error.HTTPError:
            continue  # an extension that is not installed here; the rest still count


def _stop(server: subprocess.Popen, kernel_pids: set[int]) -> None:
    import psutil

    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    for pid in kernel_pids:  # kernels the server did not shut down
        try:
            psutil.Process(pid).kill()
        except psutil.Error:
            pass


# -- results ------------------------------------------------------------------------------


def summarise(runs: list[list[Sample]], notebooks: list[str], headroom: float) -> dict[str, Any]:
    """Medians per stage, the sizes of classes, and the Kubernetes guarantee and limit."""
    stages = {}
    for index, (key, _label) in enumerate(STAGES):
        column = [run[index] for run in runs]
        stages[key] = {
            "server": round(statistics.median(s.server for s in column), 1),
            "kernels": round(statistics.median(s.kernels for s in column), 1),
            "total": round(statistics.median(s.total for s in column), 1),
        }
    one = stages["one_notebook"]["total"]
    two = stages["two_notebooks"]["total"]
    guarantee = math.ceil(one * headroom / GUARANTEE_STEP) * GUARANTEE_STEP
    limit = math.ceil(two * headroom / LIMIT_STEP) * LIMIT_STEP
    return {
        "runs": len(runs),
        "notebooks": notebooks,
        "unit": "MiB",
        "stages": stages,
        "headroom": headroom,
        "classes": {
            str(size): {
                "one_notebook_gib": round(size * one * headroom / 1024, 1),
                "two_notebooks_gib": round(size * two * headroom / 1024, 1),
            }
            for size in CLASS_SIZES
        },
        "kubernetes": {"guarantee": _k8s_size(guarantee), "limit": _k8s_size(limit)},
        "samples": [
            [{"server": round(s.server, 1), "kernels": round(s.kernels, 1)} for s in run]
            for run in runs
        ],
    }


def _k8s_size(mib: int) -> str:
    """A Z2JH memory value; KubeSpawner reads M and G as MiB and GiB."""
    return f"{mib // 1024}G" if mib % 1024 == 0 else f"{mib}M"


def text_table(result: dict[str, Any]) -> str:
    """The plain table printed by default."""
    lines = [
        f"Memory per trainee (RSS in MiB, median of {result['runs']} run(s) of jupyter lab)",
        f"{'stage':<18}{'server':>9}{'kernels':>9}{'total':>9}",
    ]
    for key, label in STAGES:
        row = result["stages"][key]
        lines.append(f"{label:<18}{row['server']:>9.1f}{row['kernels']:>9.1f}{row['total']:>9.1f}")
    lines.append("notebooks: " + ", ".join(result["notebooks"]))
    return "\n".join(lines)


def markdown_table(result: dict[str, Any]) -> str:
    """The capacity table for docs/jupyterhub.md."""
    headroom = result["headroom"]
    stages = result["stages"]
    sizes = " | ".join(f"Class of {size}" for size in CLASS_SIZES)
    lines = [
        f"| Open notebooks | Per trainee (measured) | Per trainee ×{headroom:g} | {sizes} |",
        "|---" * (3 + len(CLASS_SIZES)) + "|",
    ]
    for key, label, field in (
        ("one_notebook", "one", "one_notebook_gib"),
        ("two_notebooks", "two", "two_notebooks_gib"),
    ):
        total = stages[key]["total"]
        cells = " | ".join(f"{result['classes'][str(size)][field]:.1f} GiB" for size in CLASS_SIZES)
        lines.append(f"| {label} | {total:.0f} MiB | {total * headroom:.0f} MiB | {cells} |")
    k8s = result["kubernetes"]
    lines += [
        "",
        "| Zero to JupyterHub setting | Value | Rule |",
        "|---|---|---|",
        f"| `singleuser.memory.guarantee` | `{k8s['guarantee']}` | one notebook open"
        f" ×{headroom:g}, rounded up to {GUARANTEE_STEP} MiB |",
        f"| `singleuser.memory.limit` | `{k8s['limit']}` | two notebooks open"
        f" ×{headroom:g}, rounded up to {LIMIT_STEP} MiB |",
        "",
        f"Measured: JupyterLab server {stages['server']['total']:.0f} MiB idle; notebooks "
        + " and ".join(f"`{name}`" for name in result["notebooks"])
        + f"; median of {result['runs']} run(s).",
    ]
    return "\n".join(lines)


# -- command ------------------------------------------------------------------------------


def _course_root() -> Path:
    return data_dir().parent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repeat", type=int, default=3, metavar="N", help="runs to take the median of (3)"
    )
    parser.add_argument(
        "--notebooks",
        nargs=2,
        metavar=("FIRST", "SECOND"),
        default=list(DEFAULT_NOTEBOOKS),
        help="two notebooks in notebooks/ to open (default: %(default)s)",
    )
    parser.add_argument(
        "--headroom",
        type=float,
        default=DEFAULT_HEADROOM,
        help="safety factor for class sizes and limits (default: %(default)s)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the results as JSON")
    output.add_argument(
        "--markdown", action="store_true", help="print the capacity table for the docs"
    )


def run(args: argparse.Namespace) -> int:
    if args.repeat < 1:
        print("alliance measure: --repeat must be 1 or more", file=sys.stderr)
        return 2
    if args.headroom < 1:
        print("alliance measure: --headroom must be 1 or more (e.g. 1.25)", file=sys.stderr)
        return 2
    course = _course_root()
    paths = [course / "notebooks" / name for name in args.notebooks]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        print(f"alliance measure: notebook not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    runs = []
    try:
        for number in range(1, args.repeat + 1):
            print(f"run {number} of {args.repeat} ...", file=sys.stderr, flush=True)
            runs.append(measure_once(course, paths))
    except (MeasureError, OSError) as error:
        print(f"alliance measure: {error}", file=sys.stderr)
        return 1
    result = summarise(runs, [path.name for path in paths], args.headroom)
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.markdown:
        print(markdown_table(result))
    else:
        print(text_table(result))
    return 0
