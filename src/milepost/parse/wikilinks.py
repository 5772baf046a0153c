"""Obsidian wikilinks and embeds as a markdown-it inline rule.

``[[target#subpath|display]]`` and ``![[...]]``. The display text starts after the first ``|``
(``\\|`` inside tables), the subpath after the first ``#`` of the target. A single ``]`` does not
end a link (``[[Sq]uare]]`` targets ``Sq]uare``); a link never spans lines and never nests.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token


class WikiParts(NamedTuple):
    target: str
    subpath: str
    display: str | None


def split_wikilink(inner: str) -> WikiParts:
    """Split the text between ``[[`` and ``]]`` into target, subpath and display."""
    bar = inner.find("|")
    display: str | None = None
    if bar >= 0:
        display = inner[bar + 1 :]
        inner = inner[:bar]
        if inner.endswith("\\"):
            inner = inner[:-1]
    target, _, subpath = inner.partition("#")
    return WikiParts(target.strip(), subpath.strip(), display)


_WHOLE_LINK = re.compile(r"^\s*\[\[([^\[\]]+)\]\]\s*$")


def whole_link(value: str) -> WikiParts | None:
    """The parts of ``value`` when it is exactly one ``[[wikilink]]``."""
    match = _WHOLE_LINK.match(value)
    return split_wikilink(match.group(1)) if match is not None else None


def link_name(value: str) -> str:
    """A name written plainly or as a link: ``[[Models/Space X|SpaceX]]`` gives ``Space X``."""
    parts = whole_link(value)
    if parts is None:
        return value.strip()
    return parts.target.rsplit("/", 1)[-1].removesuffix(".md").strip()


def find_wikilink(src: str, pos: int, limit: int) -> tuple[int, int, bool] | None:
    """The wikilink (or embed, at ``!``) that starts at ``pos`` and closes before ``limit``:
    ``(start, end, embed)`` with its text at ``src[start:end]`` and its ``]]`` at ``end``;
    None when there is none."""
    if src.startswith("![[", pos):
        start, embed = pos + 3, True
    elif src.startswith("[[", pos):
        start, embed = pos + 2, False
    else:
        return None
    end = src.find("]]", start, limit)
    if end < 0:
        return None
    inner = src[start:end]
    if not inner.strip() or "\n" in inner or "[[" in inner:
        return None
    return start, end, embed


def fill_wikilink(token: Token, src: str, pos: int, found: tuple[int, int, bool]) -> None:
    """Make ``token`` the ``wikilink`` token of the link :func:`find_wikilink` found at ``pos``."""
    start, end, embed = found
    inner = src[start:end]
    parts = split_wikilink(inner)
    token.content = inner
    token.markup = "![[" if embed else "[["
    token.meta = {
        "target": parts.target,
        "subpath": parts.subpath,
        "display": parts.display,
        "embed": embed,
        "raw": src[pos : end + 2],
    }


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    found = find_wikilink(src, pos, state.posMax)
    if found is None:
        return False
    if not silent:
        fill_wikilink(state.push("wikilink", "", 0), src, pos, found)
    state.pos = found[1] + 2
    return True


def wikilinks_plugin(md: MarkdownIt) -> None:
    """Emit a ``wikilink`` token for ``[[...]]`` and ``![[...]]``."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
