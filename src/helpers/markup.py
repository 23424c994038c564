"""Safe rendering of vignette text: a tiny Markdown subset, everything else shown as text.

Vignette files are written by many hands and shared between courses, so nothing in them may
ever run in a trainee's browser. Only paragraphs, *emphasis*, **strong**, bullet and numbered
lists and line breaks are turned into HTML. Raw HTML, links, images, headings and code are not
recognised: they appear exactly as typed, escaped.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

_RULES = ["list", "emphasis", "newline", "escape"]  # on top of paragraphs and plain text
_MD: MarkdownIt | None = None


def _md() -> MarkdownIt:
    global _MD
    if _MD is None:
        # "zero" starts with only paragraphs and text; html=False escapes any tag.
        _MD = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
        _MD.enable(_RULES)
    return _MD


@lru_cache(maxsize=2048)
def render(text: str) -> str:
    """HTML for ``text`` (paragraphs, emphasis, lists, line breaks); all else escaped."""
    return _md().render(str(text))


@lru_cache(maxsize=2048)
def render_inline(text: str) -> str:
    """HTML for a one-line ``text`` (emphasis only, no paragraph), e.g. a button or option."""
    return _md().renderInline(str(text))
