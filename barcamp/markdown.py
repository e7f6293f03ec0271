"""Markdown written by people, rendered safely: their HTML is shown as text, and the
output is sanitized again before it reaches a page."""

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.tasklists import tasklists_plugin

_PARSER = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    # A to-do's text is its checkbox's label (a box without one reads as "checkbox").
    .use(tasklists_plugin, label=True)
)
_TAGS = nh3.ALLOWED_TAGS | {"input", "label"}
_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "input": {"type", "checked", "disabled"},
    "li": {"class"},
    "ul": {"class"},
}
_SCHEMES = {"http", "https", "mailto"}
# The template's empty bullets ("- ", "- [ ] ") are room to write, not content.
_EMPTY_ITEM = re.compile(r"<li>(?:\s|\[ \])*</li>\n?")
_EMPTY_LIST = re.compile(r"<ul>\s*</ul>\n?")


_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def render(text, *, images=True, shift=0):
    """HTML for a Markdown text: no user HTML, links to the web and mail only, opened
    with rel="noopener noreferrer nofollow", task lists as disabled checkboxes, empty
    bullets left out. `images=False` leaves images out (a page that fetches nothing:
    the proceedings); `shift` moves headings down that many levels (at most h6)."""
    html = nh3.clean(
        _PARSER.render(text or ""),
        tags=_TAGS if images else _TAGS - {"img"},
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    html = _EMPTY_LIST.sub("", _EMPTY_ITEM.sub("", html))
    if shift:
        html = _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}>", html)
    return Markup(html)
