"""Running code in a kernel of a Jupyter server from outside, as JupyterLab does.

The kernel is reached over the server's websocket for it (``/api/kernels/<id>/channels``), so
the server relays every message exactly as it does for a browser. The messages themselves are
made and read by ``jupyter_client`` (its ``Session``), the reference implementation of the
kernel messaging protocol; the websocket carries them as JSON.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from jupyter_client.jsonutil import json_default
from jupyter_client.session import Session

CELL_TIMEOUT = 180.0


@dataclass
class CellRun:
    """What one code cell did in a kernel: its text output and, if it failed, the error."""

    output: str
    error: str | None = None
    traceback: tuple[str, ...] = ()


class KernelSocket:
    """One open websocket to a kernel; ``run(code)`` runs a cell and returns what it did."""

    def __init__(
        self,
        ws_url: str,
        authorization: str,
        *,
        username: str = "alliance",
        timeout: float = CELL_TIMEOUT,
    ) -> None:
        import websocket  # websocket-client, a JupyterLab dependency

        self.conn = websocket.create_connection(
            ws_url, header=[f"Authorization: {authorization}"], timeout=timeout
        )
        self.session = Session(username=username)
        self.timeout = timeout

    def run(self, code: str, *, timeout: float | None = None) -> CellRun:
        """Run ``code`` and wait until the kernel is idle again.

        Returns what the cell printed and displayed (as text) and its error, if any; raises
        TimeoutError if the kernel is not idle again within ``timeout`` seconds.
        """
        timeout = self.timeout if timeout is None else timeout
        request = self.session.msg(
            "execute_request",
            content={
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        request["channel"] = "shell"
        self.conn.send(json.dumps(request, default=json_default))
        msg_id = request["header"]["msg_id"]
        output: list[str] = []
        result = CellRun("")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message: dict[str, Any] = json.loads(self.conn.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            content = message["content"]
            if kind == "stream":
                output.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                output.append(content["data"].get("text/plain", "") + "\n")
            elif kind == "error":
                result.error = f"{content.get('ename')}: {content.get('evalue')}"
                result.traceback = tuple(content.get("traceback", ()))
            elif kind == "status" and content["execution_state"] == "idle":
                result.output = "".join(output)
                return result
        raise TimeoutError(f"the code did not finish within {timeout:.0f} seconds")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> KernelSocket:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
