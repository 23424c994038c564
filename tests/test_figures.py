"""Course charts as accessible figures: what the notebook shows, and what drawing leaves behind."""

from __future__ import annotations

import gc
import re

import pytest
from matplotlib.figure import Figure

from helpers.figures import accessible_figure


def small_chart() -> Figure:
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [4, 6, 5])
    ax.set_title("Safety across sessions")
    return fig


def test_the_notebook_shows_an_svg_with_real_text_alt_and_caption():
    shown = accessible_figure(small_chart, alt="Line chart of safety", summary="Safety rose.")
    html = shown._repr_html_()
    assert html.startswith('<figure class="alliance-figure"')
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'alt="Line chart of safety"' in html and "<figcaption>Safety rose.</figcaption>" in html
    assert ">Safety across sessions</text>" in shown.svg  # text a zoomed page keeps sharp
    assert repr(shown) == "Safety rose."
    assert shown.png.startswith(b"\x89PNG")  # drawn again for the handout


def test_the_same_chart_gives_the_same_svg():
    first = accessible_figure(small_chart, alt="a", summary="s").svg
    assert accessible_figure(small_chart, alt="a", summary="s").svg == first


def test_a_new_matplotlib_version_alone_does_not_change_the_stored_svg(monkeypatch):
    """Stored notebooks compare their charts; a library upgrade must not make them stale."""
    import matplotlib

    first = accessible_figure(small_chart, alt="a", summary="s").svg
    monkeypatch.setattr(matplotlib, "__version__", "99.1.0")
    again = accessible_figure(small_chart, alt="a", summary="s").svg
    assert again == first
    assert "99.1.0" not in again and "Matplotlib v" not in first and "<metadata>" not in first
    clip = re.search(r'clip-path="url\(#(p\d+)\)"', first)  # ids numbered in order
    assert clip and f'<clipPath id="{clip[1]}">' in first  # and references kept


def test_drawing_leaves_the_cycle_collector_as_it_found_it():
    def broken() -> Figure:
        raise ValueError("no data")

    assert gc.isenabled()
    with pytest.raises(ValueError, match="no data"):
        accessible_figure(broken, alt="", summary="")
    assert gc.isenabled()  # a failed chart does not leave the kernel collecting nothing
    gc.disable()
    try:
        accessible_figure(small_chart, alt="", summary="")
        assert not gc.isenabled()  # nor switches it on for a caller that had it off
    finally:
        gc.enable()


def test_a_chart_of_fixed_data_is_drawn_on_the_first_visit_only(tmp_path, monkeypatch):
    """Notebook 01's research chart opens faster on later visits: read back from the private
    folder's cache, the same picture; new data draws it again and replaces the old file."""
    monkeypatch.setenv("ALLIANCE_HOME", str(tmp_path / "home"))
    drawn = []

    def chart() -> Figure:
        drawn.append(1)
        return small_chart()

    first = accessible_figure(chart, alt="a", summary="s", cache_as=("safety", "data v1")).svg
    again = accessible_figure(chart, alt="a", summary="s", cache_as=("safety", "data v1")).svg
    assert again == first and len(drawn) == 1
    cached = list((tmp_path / "home" / "cache" / "figures").glob("safety-*.svg"))
    assert len(cached) == 1 and cached[0].stat().st_mode & 0o077 == 0
    accessible_figure(chart, alt="a", summary="s", cache_as=("safety", "data v2"))
    assert len(drawn) == 2
    assert list((tmp_path / "home" / "cache" / "figures").glob("safety-*.svg")) != cached
    assert len(list((tmp_path / "home" / "cache" / "figures").glob("safety-*.svg"))) == 1


def test_a_chart_is_still_drawn_when_there_is_no_cache(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("ALLIANCE_HOME", str(blocked))
    shown = accessible_figure(small_chart, alt="a", summary="s", cache_as=("safety", "d"))
    assert ">Safety across sessions</text>" in shown.svg
