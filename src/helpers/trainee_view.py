"""The trainee view's server side: a Jupyter server extension, enabled by the course's server
settings (``config/jupyter_server_config.json``).

Voilà shows each notebook as a page that runs when it opens. When the page closes, the page asks
the server to shut its kernel down, a request that must carry the server's cross-site request
token from the ``_xsrf`` cookie. A Voilà page never sets that cookie itself
(voila-dashboards/voila#1458), so a trainee who opens the course at its start page, as
``make lab`` and the hub links do, would leave every visited page's kernel running until the
idle culler found it. This extension gives Voilà a pre-launch hook that sets the cookie before
the page is sent.
"""

from __future__ import annotations

from typing import Any


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


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Nothing to add at load time: the hook is in place from the link step."""
