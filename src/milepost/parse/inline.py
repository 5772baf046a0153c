"""What the walk reads off a line of inline tokens besides items: links, block ids, headings.

A line's links are its wikilinks and its relative markdown links and images (a link with a
scheme or ``//`` leads out of the vault), each with the text it was written as, so a table
cell's escaped ``\\|`` is given back; they are read once and kept on the :class:`Line`. A block
id is a ``^id`` ending a line of text. A heading's plain text is what its tokens show; a heading
that names a year (``## 2027``) lends it to the dates below it that have none.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from markdown_it.token import Token

from ..model import Link
from .dates import parse_period
from .fields import BLOCK_ID
from .lines import Line
from .text import collapse

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_LONE_BLOCK_ID = re.compile(r"^\^([A-Za-z0-9-]+)$")


def without_links(text: str, links: list[Link]) -> str:
    for link in links:
        if link.raw:
            text = text.replace(link.raw, " ", 1)
    return collapse(text).strip(" -–—:;,")


def block_id(line: Line) -> str | None:
    if not line.tokens or line.tokens[-1].type != "text":
        return None
    text = line.tokens[-1].content
    if "^" not in text:
        return None
    if len(line.tokens) == 1:
        return plain_block_id(text)
    match = BLOCK_ID.search(text)
    return match.group(1) if match is not None else None


def plain_block_id(text: str) -> str | None:
    """The block id of a line that is all text: ``^id`` alone or at its end."""
    lone = _LONE_BLOCK_ID.match(text.strip())
    if lone is not None:
        return lone.group(1)
    match = BLOCK_ID.search(text)
    return match.group(1) if match is not None else None


def line_links(line: Line) -> list[Link]:
    if line.links is None:
        line.links = _read_links(line)
    return line.links


def _read_links(line: Line) -> list[Link]:
    links: list[Link] = []
    if "[" not in line.raw:  # every link the index reads starts with a "[" on its line
        return links
    tokens = line.tokens
    table = "\\|" in line.raw  # a table row: its cells' links had their pipes unescaped
    for index, (token, number) in enumerate(zip(tokens, line.numbers, strict=True)):
        if token.type == "wikilink":
            meta = token.meta
            links.append(
                Link(
                    meta["target"],
                    meta["subpath"],
                    meta["display"],
                    meta["embed"],
                    number,
                    _as_written(meta["raw"], line.raw)
                    if table and "|" in meta["raw"]
                    else meta["raw"],
                )
            )
        elif token.type in ("link_open", "image"):
            href = str(token.attrs.get("href" if token.type == "link_open" else "src", ""))
            link = _markdown_link(href, token, tokens, index, number)
            if link is not None:
                links.append(link)
    return links


def _as_written(raw: str, source: str) -> str:
    """A wikilink's source text: in a table cell, markdown-it has unescaped its ``\\|``."""
    escaped = raw.replace("|", "\\|")
    return escaped if escaped in source else raw


def _markdown_link(
    href: str, token: Token, tokens: list[Token], index: int, line: int
) -> Link | None:
    if not href or _SCHEME.match(href) or href.startswith("//"):
        return None
    decoded = unquote(href)
    target, _, subpath = decoded.partition("#")
    if token.type == "image":
        display = token.content or None
    else:
        text = []
        at = index + 1
        while at < len(tokens) and tokens[at].type != "link_close":
            if tokens[at].type in ("text", "text_special", "code_inline"):
                text.append(tokens[at].content)
            at += 1
        display = "".join(text) or None
    raw = str(token.meta.get("raw", "")) if token.meta else ""
    return Link(
        target.strip(), subpath.strip(), display, token.type == "image", line, raw, markdown=True
    )


def inline_plain(inline: Token) -> str:
    if inline.children is None:
        return inline.content
    parts = []
    for token in inline.children:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type == "wikilink":
            meta = token.meta
            parts.append(meta["display"] or meta["target"].rsplit("/", 1)[-1])
        elif token.type == "tag":
            parts.append("#" + token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


_DIGIT = re.compile(r"\d")


def year_heading(text: str) -> int | None:
    if _DIGIT.search(text) is None:  # a year (2027, FY27, '27) is written with digits
        return None
    reading = parse_period(text)
    if reading.period is not None and reading.period.precision == "year":
        return reading.period.end.year
    return None
