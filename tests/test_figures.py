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
