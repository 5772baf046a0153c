"""Inline tokens as lines of the file: which token stands on which line, and line text.

markdown-it gives a paragraph one line range; milestone items are per line, so the extractor
splits a paragraph's inline children at its line breaks. A token that swallows line breaks
(a code span, a comment) carries their count in ``meta["newlines"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from markdown_it.token import Token

from .blockstate import text_token
from .tags import TAG_BODY

_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_QUOTE = re.compile(r"^[ \t]*>[ \t]?")
CHECKBOX = re.compile(r"^\[(?P<char>[^\]\n])\](?:[ \t]+|$)")
_BREAKS = frozenset({"softbreak", "hardbreak"})
_EMPHASIS_OPEN = frozenset({"strong_open", "em_open", "s_open", "mark_open"})
_GLUED = re.compile(r"^(?P<prefix>[^\sA-Za-z0-9#\\`\[\]<>*_~=!|]*)(?P<space>\s*)#")


@dataclass(slots=True)
class Line:
    """One line of an inline token: its tokens (with their own lines) and the raw file text."""

    number: int
    """1-based line of the file where this line starts."""
    tokens: list[Token]
    numbers: list[int]
    """The file line of each token."""
    raw: str
    """The file's text of this line."""
    links: list[Any] | None = None
    """The line's links, once the extractor has read them."""


_plain = text_token


def split_lines(inline: Token, source: list[str]) -> list[Line]:
    """The lines of an inline token; untokenized content becomes one text token per line."""
    assert inline.map is not None
    first = inline.map[0]
    if inline.children is None:
        plain: list[Line] = []
        for i, (part, raw) in enumerate(
            zip(inline.content.split("\n"), source[first : inline.map[1]], strict=False)
        ):
            text = part.strip()
            plain.append(
                Line(
                    first + i + 1,
                    [_plain(text)] if text else [],
                    [first + i + 1] if text else [],
                    raw,
                )
            )
        return plain
    lines: list[Line] = []
    count = len(source)
    number = start = first + 1
    tokens: list[Token] = []
    numbers: list[int] = []
    for token in inline.children:
        kind = token.type
        if kind in _BREAKS:
            lines.append(Line(start, tokens, numbers, source[start - 1] if start <= count else ""))
            number += 1
            start = number
            tokens, numbers = [], []
            continue
        tokens.append(token)
        numbers.append(number)
        meta = token.meta
        if meta and "newlines" in meta:
            number += meta["newlines"]
        elif kind == "comment":
            number += token.content.count("\n")
    lines.append(Line(start, tokens, numbers, source[start - 1] if start <= count else ""))
    return lines


def strip_container(raw: str, *, quote_depth: int, list_marker: bool) -> str:
    """A line's text without indentation, blockquote ``>`` markers and (optionally) list marker."""
    if not quote_depth and not list_marker:
        return raw.strip()
    text = raw
    for _ in range(quote_depth):
        text = _QUOTE.sub("", text, count=1)
    if list_marker:
        text = _LIST_MARKER.sub("", text, count=1)
    return text.strip()


class Marker(NamedTuple):
    """How a line opens a milestone item."""

    tag: str
    """The tag body as written, e.g. ``milestone`` or ``milestone/review``."""
    glued: str
    """Text of a symbol prefix glued to the tag (``🏁#milestone``), empty for a real tag."""


@lru_cache(maxsize=4096)
def is_milestone_tag(name: str, tags: tuple[str, ...]) -> bool:
    lower = name.lower()
    return any(lower == tag or lower.startswith(tag + "/") for tag in tags)


def _glued_marker(text: str, following: Token | None, tags: tuple[str, ...]) -> Marker | None:
    match = _GLUED.match(text)
    if match is not None:
        body = TAG_BODY.match(text, match.end())
        if body is not None and is_milestone_tag(body.group(0), tags):
            return Marker(body.group(0), text[: body.end()])
        return None
    if (
        following is not None
        and following.type == "tag"
        and is_milestone_tag(following.content, tags)
    ):
        prefix = text.strip()
        if not prefix or not any(c.isascii() and c.isalnum() for c in prefix):
            return Marker(following.content, "")
    return None


def opening_marker(tokens: list[Token], tags: tuple[str, ...], checkbox: bool) -> Marker | None:
    """The marker when the line starts with a milestone tag (after a checkbox and symbols)."""
    index = 0
    while index < len(tokens) and tokens[index].type in _EMPHASIS_OPEN:
        index += 1
    if index >= len(tokens):
        return None
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if token.type == "tag":
        return Marker(token.content, "") if is_milestone_tag(token.content, tags) else None
    if token.type != "text":
        return None
    text = token.content
    if "#" not in text and (following is None or following.type != "tag"):
        return None  # neither a tag glued to a symbol nor one after it
    if checkbox:
        text = CHECKBOX.sub("", text, count=1)
    if not text.strip():
        if following is not None and following.type == "tag":
            return _glued_marker("", following, tags)
        return None
    return _glued_marker(text, following, tags)


def tag_anywhere(tokens: list[Token], tags: tuple[str, ...]) -> Marker | None:
    """A milestone tag anywhere in the line (list items and tasks)."""
    for token in tokens:
        if token.type == "tag" and is_milestone_tag(token.content, tags):
            return Marker(token.content, "")
    return None


def checkbox_char(tokens: list[Token]) -> str | None:
    """The task checkbox character when the line starts with ``[c] ``."""
    if tokens and tokens[0].type == "text":
        match = CHECKBOX.match(tokens[0].content)
        if match is not None:
            return match.group("char")
    return None


def plain_text(tokens: list[Token]) -> str:
    """Text a reader sees on the line (for emoji fields and parentheticals); code is blanked."""
    parts: list[str] = []
    depth = 0
    for token in tokens:
        if token.type == "inline_field_open":
            depth += 1
        elif token.type == "inline_field_close":
            depth -= 1
        elif depth == 0 and token.type in ("text", "text_special"):
            parts.append(token.content)
        elif depth == 0 and token.type == "wikilink":
            parts.append(token.meta["raw"])
        elif depth == 0 and token.type == "tag":
            parts.append("#" + token.content)
        else:
            parts.append(" ")
    return "".join(parts)
