"""A milestone on a page of the site, as the ``item`` macro of ``site/_item.html.j2`` shows it.

A roadmap of a thousand milestones called the macro a thousand times, and Jinja2's machinery
for each call (a context, an attribute lookup through the environment for every field) cost
more than the milestones' text. :func:`item_html` makes the same HTML in one pass; the site's
templates take it (``i.html``) while the macro is milepost's own, and call the macro when a
vault's templates replace it. A test compares the two on every item of the sample vault.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup
from markupsafe import escape as markup_escape

from ..config import Config

if TYPE_CHECKING:
    from .pages import Shown

MACRO = "site/_item.html.j2"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def escape(value: object) -> str:
    """What Jinja2's autoescape makes of ``value`` (markupsafe's ``escape``), without making a
    Markup object of every piece."""
    if type(value) is not str:
        return str(markup_escape(value))
    if "&" in value or "<" in value or ">" in value or "'" in value or '"' in value:
        return value.translate(_ESCAPES)
    return value


def own_item_macro(config: Config) -> bool:
    """True when the ``item`` macro the templates import is milepost's own (the vault's
    template folder, if it names one, has no ``site/_item.html.j2``)."""
    return not config.templates or not (config.vault / config.templates / MACRO).exists()


def item_html(shown: Shown) -> Markup:
    """The HTML of ``shown``: what ``{{ item(i) }}`` renders, byte for byte."""
    item = shown.item
    status = escape(shown.status)
    parts = [
        '<li class="mp-item" data-status="',
        status,
        '">\n  <div class="mp-item-title"><span class="mp-status mp-status-',
        status,
        '">',
        escape(shown.status_label),
        "</span> <strong>",
        escape(shown.title),
        "</strong>",
    ]
    for day in item.dates:
        parts += (' <span class="mp-date">', escape(day), "</span>")
    if item.history:
        parts += (' <span class="mp-slip">', escape(item.history), "</span>")
    parts += (
        '</div>\n  <div class="mp-item-meta">owner: ',
        escape(shown.owner or "—"),
        " · budget: ",
        escape(item.budget or "—"),
        " · kind: ",
        escape(item.kind or "—"),
    )
    for fact in item.facts:
        parts += (" · ", escape(fact))
    if item.missing:
        missing = ", ".join([escape(m) for m in item.missing])
        parts += (' · <span class="mp-missing">missing: ', missing, "</span>")
    parts.append('</div>\n  <div class="mp-item-source">')
    where = escape(shown.where)
    if shown.url:
        parts += ('<a class="internal" href="', escape(shown.url), '">', where, "</a>")
    else:
        parts.append(where)
    parts += (" (line ", escape(shown.line), ")</div>\n")
    description = shown.description
    if description:
        parts += ('<div class="mp-item-description">', escape(description), "</div>")
    parts.append("</li>")
    return Markup("".join(parts))
