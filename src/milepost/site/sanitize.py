"""The HTML of notes made safe: what Obsidian would show of it, and nothing that runs.

:func:`sanitize` is the one function whose output is trusted as HTML (Markup); :func:`finish`
puts milepost's own markup into it, each piece built by a function that escapes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import partial
from typing import Any

import nh3
from markupsafe import Markup

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"audio", "video", "source", "section"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir", "data-callout", "data-callout-fold", "data-task"},
    "div": {"data-chart"},
    "span": {"data-box"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "width", "height"},
    "source": {"src", "type"},
    "td": {"align", "style"},
    "th": {"align", "style"},
    "ol": {"start"},
    "details": {"open"},
}


def _only_our_ids(_tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("id", "name") and not value.startswith(("mp-", "fn-mp", "fnref-mp")):
        return None
    if attribute == "style" and _ALIGN.fullmatch(value) is None:
        return None  # a table cell's alignment, nothing else
    return value


_ALIGN = re.compile(r"\s*text-align:\s*(?:left|right|center|justify)\s*;?\s*")


def sanitize(markup: str) -> Markup:
    """What Obsidian would show of a note's HTML: no scripts, handlers or ``javascript:`` URLs.

    The sanitizer is the function that makes a note's HTML safe, so its result is
    :class:`~markupsafe.Markup`; nothing else is marked safe."""
    return Markup(_clean(markup))  # nh3: the one place HTML is trusted


_RULES: dict[str, Any] = {
    "tags": ALLOWED_TAGS,
    "attributes": ALLOWED_ATTRIBUTES,
    "attribute_filter": _only_our_ids,
    "url_schemes": {"http", "https", "mailto", "tel"},
    "link_rel": "noopener noreferrer",
    "strip_comments": True,
}
"""What :func:`sanitize` allows (nh3's options)."""


def _cleaner() -> Callable[[str], str]:
    """nh3's cleaner made once with :data:`_RULES` (nh3 0.3 on; older ones take the rules
    with every call, and build the sanitizer again from them each time)."""
    made = getattr(nh3, "Cleaner", None)
    if made is None:
        return partial(nh3.clean, **_RULES)
    clean: Callable[[str], str] = made(**_RULES).clean
    return clean


_clean = _cleaner()


_MINE = re.compile(
    r'<div class="mp-chart" data-chart="([^"]*)"></div>'
    r'|<span class="mp-task" data-box="([a-z]+)"></span>'
)


def finish(body: Markup, charts: dict[str, Markup]) -> Markup:
    """Put milepost's own markup into sanitized HTML: task checkboxes and SVG roadmaps. Every
    piece put in is Markup that escaped what it holds (the charts: :func:`.svg.timeline`)."""

    def chart(match: re.Match[str]) -> Markup:
        svg = charts.get(html.unescape(match.group(1)))
        return Markup('<div class="mp-scroll">{}</div>').format(svg) if svg else Markup("")

    def box(match: re.Match[str]) -> Markup:
        if match.group(2) == "checked":
            return Markup('<input type="checkbox" disabled checked>')
        return Markup('<input type="checkbox" disabled>')

    pieces: list[Markup] = []
    at = 0
    for match in _MINE.finditer(body):
        pieces.append(Markup(body[at : match.start()]))
        pieces.append(chart(match) if match.group(1) is not None else box(match))
        at = match.end()
    pieces.append(Markup(body[at:]))
    return Markup("").join(pieces)
