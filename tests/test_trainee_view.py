"""The trainee view's server extension: Voilà pages can shut their kernel down when closed."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from traitlets.config import Config

from helpers.trainee_view import _link_jupyter_server_extension, set_xsrf_cookie

ROOT = Path(__file__).resolve().parents[1]


class Handler:
    def __init__(self) -> None:
        self.token_reads = 0

    @property
    def xsrf_token(self) -> bytes:
        self.token_reads += 1
        return b"token"


def test_the_hook_reads_the_token_so_the_cookie_is_set_and_leaves_the_notebook() -> None:
    handler = Handler()
    assert set_xsrf_cookie(handler, notebook={"cells": []}, cwd="/x") is None
    assert handler.token_reads == 1


def test_linking_gives_voila_the_hook_unless_the_site_has_its_own() -> None:
    server = SimpleNamespace(config=Config())
    _link_jupyter_server_extension(server)
    assert server.config.VoilaConfiguration.prelaunch_hook is set_xsrf_cookie

    def own_hook(*args: object, **kwargs: object) -> None: ...

    site = SimpleNamespace(config=Config({"VoilaConfiguration": {"prelaunch_hook": own_hook}}))
    _link_jupyter_server_extension(site)
    assert site.config.VoilaConfiguration.prelaunch_hook is own_hook


def test_the_course_server_settings_enable_the_extension() -> None:
    settings = json.loads((ROOT / "config" / "jupyter_server_config.json").read_text("utf-8"))
    assert settings["ServerApp"]["jpserver_extensions"]["helpers.trainee_view"] is True
    culling = settings["MappingKernelManager"]
    assert culling["cull_connected"] is False  # an open page's kernel is never culled
