"""Links and embeds in HTML: wikilinks, Markdown links and images, tags and embedded files.

Each target is resolved the way the index resolves it (through :meth:`.site.Site.target`) and
made relative to the page: a note that is not published becomes a marked span, a broken one
another, an attachment is recorded on the :class:`~.mdpage.Page` so it gets copied, and an
embedded note is rendered by the page's ``embed`` callback. External links get
``rel="noopener noreferrer"``.
"""

# Render rules take markdown-it's full signature, used or not.
# ruff: noqa: ARG001

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..model import Link
from .mdpage import Page, _page, matching_open
from .shape import AUDIO, IMAGES, VIDEO, extension, relative

_SIZE = re.compile(r"^(?P<w>\d+)(?:x(?P<h>\d+))?$")


def _wikilink(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    link = Link(meta["target"], meta["subpath"], meta["display"], meta["embed"], 0, meta["raw"])
    return link_html(link, _page(env))


def link_html(link: Link, page: Page, text: str | None = None) -> str:
    """The HTML of a wikilink or embed (``text`` overrides the shown text, already HTML)."""
    site = page.site
    if link.embed:
        return embed_html(link, page)
    target = site.target(link, page.source)
    shown = text if text is not None else html.escape(_display(link))
    if target.path and target.path.lower().endswith(".md"):
        page.links.append(target.path)
    if target.url is None:
        css = "mp-unpublished" if target.problem == "unpublished" else "mp-broken"
        return f'<span class="{css}">{shown}</span>'
    if target.url.startswith("files/"):
        page.files.add(target.path or "")
    return f'<a class="internal" href="{html.escape(relative(page.page, target.url))}">{shown}</a>'


def _display(link: Link) -> str:
    if link.display is not None:
        return link.display
    shown = link.target.rsplit("/", 1)[-1] if link.target else ""
    if shown.lower().endswith(".md"):
        shown = shown[:-3]
    if link.subpath:
        sub = link.subpath.replace("#", " › ")
        return f"{shown} › {sub}" if shown else sub
    return shown


def embed_html(link: Link, page: Page) -> str:
    site = page.site
    target = site.target(link, page.source)
    if target.path is None:
        return f'<span class="mp-broken">{html.escape(link.raw or link.target)}</span>'
    ext = extension(target.path)
    if not target.path.lower().endswith(".md"):
        if target.url is None:
            return f'<span class="mp-broken">{html.escape(link.raw)}</span>'
        page.files.add(target.path)
        src = html.escape(relative(page.page, target.url))
        alt = html.escape(link.target.rsplit("/", 1)[-1])
        if ext in IMAGES:
            size = _SIZE.match(link.display or "")
            dims = ""
            if size is not None:
                dims = f' width="{size.group("w")}"' + (
                    f' height="{size.group("h")}"' if size.group("h") else ""
                )
            elif link.display:
                alt = html.escape(link.display)
            return f'<img src="{src}" alt="{alt}"{dims} loading="lazy">'
        if ext in AUDIO:
            return f'<audio controls src="{src}"></audio>'
        if ext in VIDEO:
            return f'<video controls src="{src}"></video>'
        return f'<a class="internal attachment" href="{src}">{alt}</a>'
    if target.problem == "unpublished":
        return '<div class="mp-embed mp-unpublished">This embedded note is not published.</div>'
    page.links.append(target.path)
    return page.embed(link, target.path, page)


def _tag(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    page = _page(env)
    name = tokens[idx].content
    url = page.site.tag_url(name)
    return f'<a class="tag" href="{html.escape(relative(page.page, url))}">#{html.escape(name)}</a>'


def _link_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = str(token.attrs.get("href", ""))
    page = _page(env)
    internal = _internal(href)
    if internal is not None:
        target = page.site.target(
            Link(internal[0], internal[1], None, False, 0, "", markdown=True), page.source
        )
        if target.path and target.path.lower().endswith(".md"):
            page.links.append(target.path)
        if target.url is None:
            token.attrs.pop("href", None)
            token.attrSet(
                "class", "mp-unpublished" if target.problem == "unpublished" else "mp-broken"
            )
            token.tag = "span"
        else:
            if target.url.startswith("files/") and target.path:
                page.files.add(target.path)
            token.attrSet("href", relative(page.page, target.url))
            token.attrSet("class", "internal")
    else:
        token.attrSet("rel", "noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


def _link_close(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    opened = matching_open(tokens, idx, "link")
    return f"</{opened.tag}>" if opened is not None else "</a>"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    page = _page(env)
    internal = _internal(str(token.attrs.get("src", "")))
    if internal is not None:
        link = Link(internal[0], internal[1], token.content or None, True, 0, "", markdown=True)
        target = page.site.target(link, page.source)
        if target.url is None or target.path is None:
            return f'<span class="mp-broken">{html.escape(token.content or internal[0])}</span>'
        page.files.add(target.path)
        token.attrSet("src", relative(page.page, target.url))
    token.attrSet("loading", "lazy")
    return str(self.image(tokens, idx, options, env))


def _internal(href: str) -> tuple[str, str] | None:
    from urllib.parse import unquote

    if not href or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
        return None
    target, _, sub = unquote(href).partition("#")
    return target.strip(), sub.strip()
