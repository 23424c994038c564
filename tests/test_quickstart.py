"""The README's first command: `make lab` serves the course: the trainee view's start page
first, JupyterLab one click away."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def test_make_lab_serves_the_start_page(tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        BROWSER="true",
    )
    args = f"--no-browser --IdentityProvider.token=quickstart --LabApp.workspaces_dir={tmp_path}"
    server = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_PORT={port}", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        status = 0
        while time.monotonic() < deadline and status != 200:
            assert server.poll() is None, server.stdout.read().decode()[-3000:]
            status, _ = get(f"{base}/api/status?token=quickstart")
            time.sleep(0.5)
        assert status == 200, "JupyterLab did not start within 90 s"
        status, body = get(f"{base}/api/contents/00-start-here.ipynb?token=quickstart")
        assert status == 200
        notebook = json.loads(body)["content"]
        assert notebook["cells"][0]["source"].startswith("# Start here")
        status, page = get(f"{base}/lab/tree/00-start-here.ipynb?token=quickstart")
        assert status == 200 and b"JupyterLab" in page
        # the server's front page is the start page in the trainee view, run and rendered
        status, page = get(f"{base}/?token=quickstart", timeout=90)
        assert status == 200, "the trainee view's start page did not open"
        assert b"Start here" in page and b"voila" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
