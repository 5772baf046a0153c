"""The page being rendered: what markdown-it's render rules know about where their HTML goes.

A :class:`Page` carries the site, the note whose text is rendered, the output path links are made
relative to, and what the page collects while it renders (attachments, links, problems, heading
anchors still to hand out). It also owns the embed stack's limits: how deep embeds may nest and
the warning given when an embed would embed its own note again. The render rules of
:mod:`.mdsyntax`, :mod:`.mdlinks` and :mod:`.markdown` read it from markdown-it's ``env``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token
from markdown_it.utils import EnvType

from ..errors import Diagnostic, warning
from ..model import Link
from .shape import Site

MAX_EMBED_DEPTH = 5


@dataclass(slots=True)
class Page:
    """What the render rules need to know about the page being rendered."""

    site: Site
    source: str
    """The note whose text is being rendered (an embed renders another note's text)."""
    page: str
    """The output path of the page the HTML goes into (links are relative to it)."""
    embed: Callable[[Link, str, Page], str]
    """Renders an embed of another note, given the link, its source and this page."""
    depth: int = 0
    stack: tuple[str, ...] = ()
    """Notes (with subpaths) being embedded, to stop cycles."""
    problems: list[Diagnostic] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    """Heading anchors still to hand out, in order (top-level pages only)."""
    region: str | None = None
    """The managed region being rendered, if any."""
    files: set[str] = field(default_factory=set)
    """Attachments this page uses."""
    links: list[str] = field(default_factory=list)
    """Vault paths of the notes this page links to."""


def _page(env: EnvType) -> Page:
    page = env["page"]
    assert isinstance(page, Page)
    return page


def cycle_warning(page: Page, link: Link, target: str) -> Diagnostic:
    return warning(
        page.source,
        link.line,
        "export.embed-cycle",
        f"{link.raw} embeds {target}, which embeds this note again; shown as a link",
    )


def matching_open(tokens: Sequence[Token], idx: int, kind: str) -> Token | None:
    """The ``<kind>_open`` token that the ``<kind>_close`` token at ``idx`` closes (nested pairs
    of the same kind skipped), or None."""
    depth = 0
    for back in range(idx - 1, -1, -1):
        token = tokens[back]
        if token.type == f"{kind}_close":
            depth += 1
        elif token.type == f"{kind}_open":
            if depth == 0:
                return token
            depth -= 1
    return None
