"""The trainee view's server side: a Jupyter server extension, enabled by the course's server
settings (``config/jupyter_server_config.json``).

Voilà shows each notebook as a page that runs when it opens. When the page closes, the page asks
the server to shut its kernel down, a request that must carry the server's cross-site request
token from the ``_xsrf`` cookie. A Voilà page never sets that cookie itself
(voila-dashboards/voila#1458), so a trainee who opens the course at its start page, as
``make lab`` and the hub links do, would leave every visited page's kernel running until the
idle culler found it. This extension gives Voilà a pre-launch hook that sets the cookie before
the page is sent.

A page left before its scripts have loaded (a trainee who follows a link or goes back at once)
never sends that request. So the extension also looks, every few seconds, for kernels that no
page holds: started outside any notebook session (as Voilà starts them), with no browser
connected and idle for a minute (``ALLIANCE_PAGE_KERNEL_GRACE`` seconds). It shuts those down.
A JupyterLab notebook's kernel belongs to a session and is left to the idle culler.

It also serves the trainee's **outbox** (the reflections shared while no class drop folder is set
up) at ``<server>/alliance/outbox``: the outbox lives in the private folder, outside the folder
JupyterLab's file browser shows, so the share message links to this page instead. The page is
behind the server's own login, like the file browser, and lists only the outbox's files.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

OUTBOX_ROUTE = "alliance/outbox"
# The server's base URL and the outbox it serves, for the kernels it starts (a hub serves each
# trainee under /user/NAME/).
BASE_URL_VARIABLE = "ALLIANCE_SERVER_BASE_URL"
OUTBOX_VARIABLE = "ALLIANCE_SERVER_OUTBOX"
# Seconds a kernel no page holds may stay idle before it is shut down.
GRACE_VARIABLE = "ALLIANCE_PAGE_KERNEL_GRACE"
DEFAULT_GRACE = 60.0


def set_xsrf_cookie(handler: Any, notebook: Any = None, cwd: str = "") -> None:
    """Voilà pre-launch hook: reading the handler's token makes tornado set the ``_xsrf``
    cookie on the page's response (the notebook is left as it is)."""
    _ = handler.xsrf_token


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "helpers.trainee_view"}]


def _link_jupyter_server_extension(serverapp: Any) -> None:
    """Before Voilà loads, give it the hook, unless the site configured a hook of its own."""
    voila = serverapp.config.VoilaConfiguration
    if "prelaunch_hook" not in voila:
        voila.prelaunch_hook = set_xsrf_cookie


def served_outbox() -> Path:
    """The outbox of the private folder this server's account uses (not created here)."""
    home = os.environ.get("ALLIANCE_HOME") or Path.home() / ".alliance"
    return Path(home).expanduser() / "outbox"


def outbox_url(folder: Path) -> str | None:
    """The address of the page that lists ``folder``, on the server this kernel runs under; None
    when no course server started the kernel, or when its page lists another folder (a notebook
    that moved its private folder), so a link never shows someone else's files or none."""
    base = os.environ.get(BASE_URL_VARIABLE)
    served = os.environ.get(OUTBOX_VARIABLE)
    if not base or not served or Path(served).resolve() != Path(folder).resolve():
        return None
    return base.rstrip("/") + "/" + OUTBOX_ROUTE


def outbox_files(folder: Path) -> list[Path]:
    """The shared files in the outbox, newest first (nothing if there is no outbox yet)."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def outbox_page(files: list[Path], shown_folder: str) -> str:
    """The outbox as a page: one download button per shared file."""
    if files:
        items = "".join(
            f'<li><a class="alliance-download" download="{html.escape(p.name)}" '
            f'href="outbox/{html.escape(p.name)}">Download {html.escape(p.name)}</a></li>'
            for p in files
        )
        body = (
            f"<p>The reflections you shared while no class drop folder was set up, newest first. "
            f"They are kept in <code>{html.escape(shown_folder)}</code>. Download one and send it "
            "to your instructor the way they asked.</p>"
            f'<ul class="alliance-outbox">{items}</ul>'
        )
    else:
        body = (
            "<p>Your outbox is empty: no reflection has been shared into it yet. Share one from "
            "notebook 10 (<em>Reflect and share</em>).</p>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Your outbox: Alliance Lab</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;"
        "color:#1f2937;line-height:1.5}ul{list-style:none;padding:0}li{margin:0.6em 0}"
        "a.alliance-download{display:inline-block;padding:0.3em 0.9em;border-radius:3px;"
        "background:#0d47a1;color:#fff;text-decoration:none;font-weight:bold}"
        "a.alliance-download:focus{outline:3px solid #ffb300}</style></head>"
        f"<body><main><h1>Your outbox</h1>{body}</main></body></html>"
    )


def _outbox_handlers() -> list[type]:
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web

    from helpers.store import display_path

    class OutboxPage(JupyterHandler):
        @web.authenticated
        def get(self) -> None:
            outbox = served_outbox()
            try:
                files = outbox_files(outbox)
            except OSError as error:
                raise web.HTTPError(
                    503, f"your outbox cannot be read ({error.strerror or error})"
                ) from None
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(outbox_page(files, display_path(outbox)))

    class OutboxFile(JupyterHandler):
        @web.authenticated
        def get(self, name: str) -> None:
            found = {p.name: p for p in outbox_files(served_outbox())}
            if name not in found:
                raise web.HTTPError(404, "no such file in your outbox")
            self.set_header("Content-Type", "application/json")
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
            self.set_header("Cache-Control", "no-store")
            self.finish(found[name].read_bytes())

    return [OutboxPage, OutboxFile]


def page_kernel_grace() -> float:
    """Seconds an abandoned page's kernel may stay idle (``ALLIANCE_PAGE_KERNEL_GRACE``)."""
    try:
        grace = float(os.environ.get(GRACE_VARIABLE, DEFAULT_GRACE))
    except ValueError:
        return DEFAULT_GRACE
    return grace if grace > 0 else DEFAULT_GRACE


def abandoned_kernels(
    kernels: list[dict[str, Any]], session_kernels: set[str], now: Any, grace: float
) -> list[str]:
    """The ids of kernels no page holds: outside every session, no browser connected, idle and
    quiet for ``grace`` seconds (``kernels`` as the server's kernel list gives them)."""
    found = []
    for kernel in kernels:
        last = kernel.get("last_activity")
        if (
            kernel["id"] not in session_kernels
            and kernel.get("connections", 0) == 0
            and kernel.get("execution_state") == "idle"
            and last is not None
            and (now - last).total_seconds() >= grace
        ):
            found.append(kernel["id"])
    return found


async def shut_down_abandoned(serverapp: Any, grace: float) -> list[str]:
    """Shut down the kernels of pages left before they could say so; their ids."""
    from datetime import UTC, datetime

    sessions = await serverapp.session_manager.list_sessions()
    held = {session["kernel"]["id"] for session in sessions if session.get("kernel")}
    kernels = serverapp.kernel_manager
    models = []
    for kernel_id in kernels.list_kernel_ids():
        model = kernels.kernel_model(kernel_id)
        model["last_activity"] = kernels.get_kernel(kernel_id).last_activity  # a datetime
        models.append(model)
    stopped = []
    for kernel_id in abandoned_kernels(models, held, datetime.now(UTC), grace):
        try:
            await kernels.shutdown_kernel(kernel_id)
        except Exception:  # noqa: BLE001 - gone already, or the culler got there first
            continue
        stopped.append(kernel_id)
    if stopped:
        serverapp.log.info("Alliance Lab: shut down %d kernel(s) of closed pages", len(stopped))
    return stopped


def _sweep_abandoned_pages(serverapp: Any) -> None:
    from tornado.ioloop import PeriodicCallback

    grace = page_kernel_grace()

    async def sweep() -> None:
        try:
            await shut_down_abandoned(serverapp, grace)
        except Exception as error:  # noqa: BLE001 - never stop the server over a sweep
            serverapp.log.warning("Alliance Lab: the sweep of closed pages failed: %s", error)

    loop = getattr(serverapp, "io_loop", None)
    if loop is not None:  # a server that runs (not one made up for a test)
        loop.add_callback(PeriodicCallback(sweep, min(15.0, grace / 2) * 1000).start)


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Serve the outbox page, tell the kernels this server starts where it is, and shut down
    the kernels of pages left before they loaded."""
    from jupyter_server.utils import url_path_join

    page, file = _outbox_handlers()
    base = url_path_join(serverapp.base_url, OUTBOX_ROUTE)
    serverapp.web_app.add_handlers(".*$", [(base, page), (base + "/([^/]+)", file)])
    os.environ[BASE_URL_VARIABLE] = serverapp.base_url
    os.environ[OUTBOX_VARIABLE] = str(served_outbox())
    _sweep_abandoned_pages(serverapp)
