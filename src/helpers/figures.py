"""Charts a screen reader can read.

JupyterLab shows a plain PNG output as an ``<img>`` with no text alternative, so course charts
are shown as an HTML ``<figure>``: the image with its ``alt`` text and a caption holding the
one-sentence summary. The plain-text form of the output is that summary, which is what nbval
compares and what a notebook shows before it is run.

The image in the notebook is an SVG: it stays sharp when a reader zooms in, its text is real
text, and drawing it skips rasterising. The handout and the image tests use a PNG of the same
chart, drawn again when first asked for.
"""

from __future__ import annotations

import base64
import gc
import html
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

# Text stays text (the browser draws it, falling back to any sans-serif font), and ids and
# dates are fixed so the same chart gives the same file on every run (see _without_run_details).
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "alliance-lab"}


def png_bytes(fig: Figure, dpi: int = 100, *, tight: bool = True) -> bytes:
    """The figure as PNG bytes, without a timestamp or software tag (stable across runs).

    ``tight=False`` is for figures already laid out to fit their page: a tight bounding box
    would draw the figure twice, for almost no difference.
    """
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=dpi,
        bbox_inches="tight" if tight else None,
        metadata={"Software": None},
    )
    return buffer.getvalue()


def svg_text(fig: Figure, *, tight: bool = True) -> str:
    """The figure as an SVG document with real text, stable across runs."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_SVG_RC):
        fig.savefig(
            buffer,
            format="svg",
            bbox_inches="tight" if tight else None,
            metadata={"Date": None},
        )
    return _without_run_details(buffer.getvalue())


_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_HASHED_ID = re.compile(r"\b([mp])([0-9a-f]{10})\b")


def _without_run_details(svg: str) -> str:
    """The SVG without the matplotlib version (its metadata block) and with its hashed ids
    (markers ``m…``, clip paths ``p…``) numbered in order, so that upgrading matplotlib alone
    does not change a stored chart."""
    svg = _METADATA.sub("", svg, count=1)
    numbers: dict[str, str] = {}

    def number(found: re.Match[str]) -> str:
        if found[0] not in numbers:
            numbers[found[0]] = f"{found[1]}{len(numbers) + 1}"
        return numbers[found[0]]

    return _HASHED_ID.sub(number, svg)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a chart is drawn.

    A figure is tens of thousands of short-lived objects. Collected while the figure is
    still being built, they survive and are moved to the oldest generation, which soon
    forces a pass over the whole kernel's memory (about 0.1 s with pandas and matplotlib
    loaded). Paused, the figure's objects are freed together once it is let go.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class AccessibleFigure:
    """A rendered chart with its alternative text and its one-sentence summary.

    ``draw`` makes the figure again: the PNG (for the handout and the image tests) is drawn
    from it only when asked for, so no figure is kept alive between cells.
    """

    svg: str = field(repr=False)
    alt: str
    summary: str
    draw: Callable[[], Figure] = field(repr=False, compare=False)
    tight: bool = True

    @cached_property
    def png(self) -> bytes:
        with collector_paused():
            return png_bytes(self.draw(), tight=self.tight)

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return (
            '<figure class="alliance-figure" style="margin:0">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(self.alt)}" '
            'style="max-width:100%;height:auto">'
            f"<figcaption>{html.escape(self.summary)}</figcaption></figure>"
        )

    def __repr__(self) -> str:
        return self.summary


def accessible_figure(
    draw: Callable[[], Figure],
    alt: str,
    summary: str,
    *,
    tight: bool = True,
    cache_as: tuple[str, str] | None = None,
) -> AccessibleFigure:
    """Draw the chart once as an SVG and wrap it with its texts; the figure is let go.

    ``cache_as`` is ``(name, data)`` for a chart of fixed course data: drawn on the first
    visit, it is kept in the private folder's cache and read back on later ones.
    """
    with collector_paused():
        if cache_as is None:
            svg = _draw_svg(draw, tight)
        else:
            svg = _cached_svg(draw, tight, *cache_as)
    return AccessibleFigure(svg=svg, alt=alt, summary=summary, draw=draw, tight=tight)


def _cached_svg(draw: Callable[[], Figure], tight: bool, name: str, data: str) -> str:
    """The chart's SVG from the cache when the same data, code and matplotlib drew it before;
    else drawn and kept (a cache that cannot be read or written only costs the drawing)."""
    import hashlib
    import sys

    import matplotlib

    from helpers.files import replace_atomically
    from helpers.paths import cache_folder

    code = [Path(__file__), Path(sys.modules[draw.__module__].__file__ or __file__)]
    key = hashlib.sha256()
    for part in (data, matplotlib.__version__, str(tight), *(p.read_text("utf-8") for p in code)):
        key.update(part.encode("utf-8") + b"\0")
    file_name = f"{name}-{key.hexdigest()[:16]}.svg"
    try:
        folder: Path | None = cache_folder("figures")
    except OSError:  # no private folder: the chart is simply drawn each time
        folder = None
    if folder is not None:
        try:
            return (folder / file_name).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            pass
    svg = _draw_svg(draw, tight)
    if folder is not None:
        try:
            for old in folder.glob(f"{name}-*.svg"):  # drawn from older data or code
                old.unlink()
            replace_atomically(folder / file_name, svg.encode("utf-8"))
        except OSError:
            pass
    return svg


def _draw_svg(draw: Callable[[], Figure], tight: bool) -> str:
    import sys

    fig = draw()
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)  # a pyplot figure would otherwise be shown a second time
    return svg_text(fig, tight=tight)  # the figure is garbage on return, before collection
