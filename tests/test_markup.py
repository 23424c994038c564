"""Vignette text renders a tiny Markdown subset; anything else shows as typed, never runs."""

from __future__ import annotations

import pytest

from helpers.markup import render, render_inline


@pytest.mark.parametrize(
    ("payload", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("<http://example.org>", "&lt;http://example.org&gt;"),
        ("![photo](x.png)", "![photo](x.png)"),
        (
            '<a href="https://example.org">site</a>',
            "&lt;a href=&quot;https://example.org&quot;&gt;site&lt;/a&gt;",
        ),
    ],
)
def test_html_links_and_scripts_show_as_text(payload, shown):
    assert render(payload) == f"<p>{shown}</p>\n"
    assert render_inline(payload) == shown


def test_inline_render_escapes_too():
    assert render_inline("<script>x</script> *ok*") == "&lt;script&gt;x&lt;/script&gt; <em>ok</em>"


def test_emphasis_and_strong():
    assert render("She felt *unheard* and **angry**.") == (
        "<p>She felt <em>unheard</em> and <strong>angry</strong>.</p>\n"
    )


def test_bullet_and_numbered_lists():
    html = render("Notice:\n\n- the pause\n- the shrug\n\n1. reflect\n2. ask")
    assert html == (
        "<p>Notice:</p>\n<ul>\n<li>the pause</li>\n<li>the shrug</li>\n</ul>\n"
        "<ol>\n<li>reflect</li>\n<li>ask</li>\n</ol>\n"
    )


def test_paragraphs_and_line_breaks():
    html = render("First line,  \nsecond line.\n\nNew paragraph\nwrapped.")
    assert html == "<p>First line,<br>\nsecond line.</p>\n<p>New paragraph\nwrapped.</p>\n"


def test_headings_quotes_and_code_stay_plain_text():
    html = render("# Title\n> quoted\n`code`")
    assert html == "<p># Title\n&gt; quoted\n`code`</p>\n"
