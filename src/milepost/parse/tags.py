"""Obsidian tags as a markdown-it inline rule.

A tag is ``#`` and then one or more characters that are not whitespace, not General or
Supplemental Punctuation (U+2000-U+206F, U+2E00-U+2E7F) and not ASCII punctuation other than
``-``, ``_`` and ``/``; a body of digits only is not a tag. The ``#`` must open the line, follow
whitespace, or open an inline chunk (right inside emphasis, right after a link or code span).
Code, math and comments never reach this rule, so they never hold tags.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_EXCLUDED = "\u2000-\u206f\u2e00-\u2e7f" + re.escape("'!\"#$%&()*+,.:;<=>?@^`{|}~[]\\")
TAG_BODY = re.compile(f"[^{_EXCLUDED}{JS_SPACE}]+")
_SPACE = re.compile(f"[{JS_SPACE}]")
_CHUNK_OPENERS = "*_~="
_AFTER_TOKENS = frozenset({"link_close", "code_inline", "wikilink", "math_inline"})


def tag_body(text: str, start: int = 0, end: int | None = None) -> str | None:
    """The tag body that starts at ``text[start]`` (just after ``#``), or None."""
    match = TAG_BODY.match(text, start, len(text) if end is None else end)
    if match is None:
        return None
    body = match.group(0)
    return None if body.isascii() and body.isdigit() else body


def is_space(char: str) -> bool:
    return bool(_SPACE.match(char))


def _can_open_tag(state: StateInline) -> bool:
    pos = state.pos
    if pos == 0:
        return True
    before = state.src[pos - 1]
    if is_space(before):
        return True
    if before in _CHUNK_OPENERS:
        run = pos - 1
        while run > 0 and state.src[run - 1] in _CHUNK_OPENERS:
            run -= 1
        return run == 0 or is_space(state.src[run - 1])
    if before == "[":
        return state.linkLevel > 0
    tokens = state.tokens
    return not state.pending and bool(tokens) and tokens[-1].type in _AFTER_TOKENS


def _tag_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "#" or not _can_open_tag(state):
        return False
    body = tag_body(state.src, state.pos + 1, state.posMax)
    if body is None:
        return False
    if not silent:
        token = state.push("tag", "", 0)
        token.content = body
        token.markup = "#"
    state.pos += 1 + len(body)
    return True


def tags_plugin(md: MarkdownIt) -> None:
    """Emit a ``tag`` token (content = body without ``#``) for every Obsidian tag."""
    md.inline.ruler.push("tag", _tag_rule)
