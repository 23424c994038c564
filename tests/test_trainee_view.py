"""The trainee view's server extension: Voilà pages can shut their kernel down when closed, and
the trainee's outbox (in the private folder, outside the file browser) has a page of its own."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from traitlets.config import Config

from helpers.trainee_view import (
    BASE_URL_VARIABLE,
    DEFAULT_GRACE,
    GRACE_VARIABLE,
    OUTBOX_VARIABLE,
    _link_jupyter_server_extension,
    _load_jupyter_server_extension,
    abandoned_kernels,
    outbox_files,
    outbox_page,
    outbox_url,
    page_kernel_grace,
    served_outbox,
    set_xsrf_cookie,
)

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


class WebApp:
    def __init__(self) -> None:
        self.routes: list[tuple[str, type]] = []

    def add_handlers(self, host: str, routes: list[tuple[str, type]]) -> None:
        self.routes += routes


def test_loading_serves_the_outbox_page_and_tells_kernels_where(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in (BASE_URL_VARIABLE, OUTBOX_VARIABLE):
        monkeypatch.setenv(name, "")  # and put back as they were afterwards
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    outbox = tmp_path / "home" / "outbox"
    assert outbox_url(outbox) is None  # a kernel no course server started: nothing to link to
    server = SimpleNamespace(base_url="/user/ana/", web_app=WebApp())
    _load_jupyter_server_extension(server)
    assert [route for route, _ in server.web_app.routes] == [
        "/user/ana/alliance/outbox",
        "/user/ana/alliance/outbox/([^/]+)",
    ]
    assert os.environ[BASE_URL_VARIABLE] == "/user/ana/"
    assert served_outbox() == outbox
    assert outbox_url(outbox) == "/user/ana/alliance/outbox"
    # a notebook that moved its private folder elsewhere gets no link to this server's page
    assert outbox_url(tmp_path / "elsewhere" / "outbox") is None


def test_the_outbox_page_offers_each_shared_file_newest_first(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    assert outbox_files(outbox) == []
    outbox.mkdir()
    older, newer = outbox / "a1b2.json", outbox / "c3d4.json"
    older.write_text("{}")
    newer.write_text("{}")
    os.utime(older, (time.time() - 60, time.time() - 60))
    (outbox / ".c3d4.json-77.tmp").write_text("{")  # a file being written: never offered
    assert outbox_files(outbox) == [newer, older]
    page = outbox_page(outbox_files(outbox), "~/.alliance/outbox")
    assert page.index('href="outbox/c3d4.json"') < page.index('href="outbox/a1b2.json"')
    assert "~/.alliance/outbox" in page and ".tmp" not in page
    assert "Your outbox is empty" in outbox_page([], "~/.alliance/outbox")


def test_only_kernels_no_page_holds_are_shut_down() -> None:
    """A kernel outside every session, with no browser connected, idle for the grace period, is
    an abandoned page's; a notebook session's kernel, a connected page, a busy or a recently
    active kernel are kept."""
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    old = now - timedelta(seconds=61)

    def kernel(name: str) -> dict[str, object]:
        return {"id": name, "connections": 0, "execution_state": "idle", "last_activity": old}

    kernels = [
        kernel("left-at-once"),
        kernel("jupyterlab-notebook"),
        {**kernel("page-open"), "connections": 1},
        {**kernel("still-running-the-notebook"), "execution_state": "busy"},
        {**kernel("just-rendered"), "last_activity": now - timedelta(seconds=5)},
        {**kernel("starting"), "last_activity": None},
    ]
    assert abandoned_kernels(kernels, {"jupyterlab-notebook"}, now, 60) == ["left-at-once"]


def test_the_grace_period_is_a_minute_unless_the_site_sets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(GRACE_VARIABLE, raising=False)
    assert page_kernel_grace() == DEFAULT_GRACE == 60
    monkeypatch.setenv(GRACE_VARIABLE, "5")
    assert page_kernel_grace() == 5
    for unusable in ("soon", "0", "-3"):
        monkeypatch.setenv(GRACE_VARIABLE, unusable)
        assert page_kernel_grace() == DEFAULT_GRACE
