"""Charts a screen reader can read.

JupyterLab shows a plain PNG output as an ``<img>`` with no text alternative, so course charts
are shown as an HTML ``<figure>``: the image with its ``alt`` text and a caption holding the
one-sentence summary. The plain-text form of the output is that summary, which is what nbval
compares and what a notebook shows before it is run.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def png_bytes(fig: Figure, dpi: int = 100, *, tight: bool = True) -> bytes:
    """The figure as PNG bytes, without a timestamp or software tag (stable across runs).

    ``tight=False`` is for figures with a constrained layout, which already fit their page:
    a tight bounding box would draw the figure twice, for almost no difference.
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


@dataclass
class AccessibleFigure:
    """A rendered chart with its alternative text and its one-sentence summary."""

    png: bytes
    alt: str
    summary: str

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (
            '<figure class="alliance-figure" style="margin:0">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" '
            'style="max-width:100%;height:auto">'
            f"<figcaption>{html.escape(self.summary)}</figcaption></figure>"
        )

    def __repr__(self) -> str:
        return self.summary


def accessible_figure(
    fig: Figure, alt: str, summary: str, *, tight: bool = True
) -> AccessibleFigure:
    """Render ``fig`` once, close it (so it is not shown a second time), and wrap it."""
    import matplotlib.pyplot as plt

    try:
        return AccessibleFigure(png=png_bytes(fig, tight=tight), alt=alt, summary=summary)
    finally:
        plt.close(fig)
