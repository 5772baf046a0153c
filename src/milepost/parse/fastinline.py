"""A fast inline tokenizer for the index parser's common case, with markdown-it as the fallback.

Most inline content the index reads (a milestone line and its ``due:: …`` lines, a heading, a
paragraph with a tag or a wikilink) holds only text, line breaks, tags and ``[[wikilinks]]``.
For such content, :class:`FastInline` makes the very tokens markdown-it-py's inline parser makes
with milepost's rules (same types, contents, markups, meta and levels): it replays the parser's
``text``, ``newline``, ``tag`` and ``wikilink`` rules step by step. At a character where any
other rule can start (``\\``, `````, ``!``, ``<``, ``%``, ``$``, ``[``, ``(``) it asks that
character's real rules, in silent mode, whether one matches there; if none does, markdown-it
would keep the character as text, and so does this; if one does (a Markdown link, code, math,
a comment, an inline field, an embed, HTML, an escape), it gives up and the caller runs
markdown-it-py on the whole content. ``tests/test_fastinline.py`` compares the tokens of both
on every inline run of the real corpora and generated vaults.

``MILEPOST_PARSER=reference`` in the environment turns this path off: every note is then
tokenized by markdown-it-py alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType

from . import ruler
from .blocks import INLINE_STARTS
from .blockstate import new_token, text_token
from .tags import _CHUNK_OPENERS, _SPACE, tag_body
from .wikilinks import fill_wikilink, find_wikilink

REFERENCE_ENV = "MILEPOST_PARSER"
"""Set to ``reference`` to tokenize every note with markdown-it-py alone (no fast path)."""

REPLAYED = frozenset({"text", "newline", "tag", "wikilink"})
"""The inline rules :class:`FastInline` replays; it asks the others whether they match."""

_REPLAYED_AT = {"\n": "newline", "#": "tag"}
"""Characters where the only rule that can start is one replayed here."""

Rule = Callable[[StateInline, bool], bool]

Guard = Callable[[str, int, EnvType], bool]

_GUARDS: dict[str, Guard] = {
    "inline_field": lambda src, pos, _env: src.find("::", pos + 1) >= 0,
    "link": lambda src, pos, env: "references" in env or src.find("](", pos + 1) >= 0,
    "wikilink": lambda src, pos, _env: src.startswith(("[[", "![["), pos),
    "image": lambda src, pos, _env: src.startswith("![", pos),
    "math_inline": lambda src, pos, _env: src.find("$", pos + 1) >= 0,
}
"""For a rule, what must hold at ``src[pos]`` for it to match at all (a ``::`` after an
inline field's bracket; a ``](`` after a link's, or reference definitions in the note; the
brackets of a wikilink or an image; a closing ``$`` after inline math's). Where no rule of a
character can match, none is asked: the ``[`` of a task's ``[ ]``, the ``(`` of
``(achieved Jun 2024)`` and the ``$`` of ``$1,000`` stay text without a probe."""


def reference_only() -> bool:
    """True when ``MILEPOST_PARSER=reference``: no fast path, markdown-it-py for everything."""
    return os.environ.get(REFERENCE_ENV, "").strip().lower() == "reference"


_text = text_token


class FastInline:
    """The inline tokens of the index parser ``md``, made without markdown-it when possible.
    ``terminators``: the characters its text rule stops at (where any other rule can start)."""

    def __init__(self, md: MarkdownIt, terminators: str) -> None:
        self.md = md
        self.terminators = terminators
        self.stop = re.compile("[" + re.escape(terminators) + "]")
        self._probes: dict[str, list[Rule]] | None = None
        self.guards: dict[str, tuple[Guard, ...]] = {}
        """For a character whose every rule has one, the checks that one of them may match."""
        self.usable = True
        """False when the parser has a rule or a text rule this does not know how to replay."""

    def probes(self) -> dict[str, list[Rule]]:
        """For each terminator but a line break or ``#``, the rules markdown-it tries there, in
        its order (read at first use: plugins are all in by then). When a rule this does not
        know of could start somewhere, or the parser's text rule stops elsewhere, the fast path
        is never taken (``usable`` is False)."""
        if self._probes is None:
            rules = [(r.name, r.fn) for r in ruler.enabled(self.md.inline.ruler)]
            names = {name for name, _ in rules}
            starts = {
                char: [n for n in names if char in INLINE_STARTS.get(n, "")]
                for char in _REPLAYED_AT
            }
            if (
                names - REPLAYED - set(INLINE_STARTS)
                or self.md.inline.terminator_re.pattern != self.stop.pattern
                or any(starts[char] != [name] for char, name in _REPLAYED_AT.items())
            ):
                self._probes = {}
                self.usable = False
            else:
                probes = {
                    char: [fn for name, fn in rules if char in INLINE_STARTS.get(name, "")]
                    for char in self.terminators
                    if char not in _REPLAYED_AT
                }
                self._probes = {char: fns for char, fns in probes.items() if fns}
                for char in self._probes:
                    at = [name for name, _ in rules if char in INLINE_STARTS.get(name, "")]
                    if all(name in _GUARDS for name in at):
                        self.guards[char] = tuple(_GUARDS[name] for name in at)
                # where no rule starts (":", "]"), markdown-it keeps the character as text
                self.stop = re.compile(
                    "[" + re.escape("".join(_REPLAYED_AT) + "".join(self._probes)) + "]"
                )
        return self._probes

    def tokens(self, src: str, env: EnvType) -> list[Token] | None:
        """The inline tokens markdown-it-py makes of ``src`` (``env``: the note's, for its
        link references), or None when a rule this does not replay matches somewhere."""
        probes = self.probes()
        if not self.usable:
            return None
        tokens: list[Token] = []
        pending = ""
        pos = 0
        end = len(src)
        search = self.stop.search
        scratch: StateInline | None = None
        while pos < end:
            found = search(src, pos)
            stop = end if found is None else found.start()
            if stop > pos:
                pending += src[pos:stop]
                pos = stop
                if pos >= end:
                    break
            char = src[pos]
            if char == "\n":
                pos = _newline(src, pos, end, pending, tokens)
                pending = ""
                continue
            if char == "#":
                body = (
                    tag_body(src, pos + 1, end)
                    if _can_open_tag(src, pos, pending, tokens)
                    else None
                )
                if body is not None:
                    if pending:
                        tokens.append(_text(pending))
                        pending = ""
                    token = new_token("tag", "", 0)
                    token.content = body
                    token.markup = "#"
                    tokens.append(token)
                    pos += 1 + len(body)
                    continue
            elif char == "[" and (link := _wikilink(src, pos, end)) is not None:
                if pending:
                    tokens.append(_text(pending))
                    pending = ""
                tokens.append(link)
                pos += len(link.meta["raw"])
                continue
            elif (guards := self.guards.get(char)) is None or any(
                may(src, pos, env) for may in guards
            ):
                if scratch is None:
                    scratch = StateInline(src, self.md, env, [])
                for rule in probes[char]:
                    scratch.pos = pos
                    if rule(scratch, True):
                        return None  # markdown-it reads something else here
            pending += char  # no rule starts here: markdown-it keeps it as text
            pos += 1
        if pending:
            tokens.append(_text(pending))
        return tokens


def _newline(src: str, pos: int, end: int, pending: str, tokens: list[Token]) -> int:
    """markdown-it's ``newline`` rule at ``src[pos]``: push the text before (without its
    trailing spaces) and a soft or hard break; return where the next line's text starts."""
    kind = "softbreak"
    if pending.endswith("  "):
        pending = pending.rstrip(" ")
        kind = "hardbreak"
    elif pending.endswith(" "):
        pending = pending[:-1]
    if pending:
        tokens.append(_text(pending))
    tokens.append(new_token(kind, "br", 0))
    pos += 1
    while pos < end and src[pos] in " \t":
        pos += 1
    return pos


def _can_open_tag(src: str, pos: int, pending: str, tokens: list[Token]) -> bool:
    """``tags._can_open_tag`` for the content this tokenizer reads (no link is ever open)."""
    if pos == 0:
        return True
    before = src[pos - 1]
    if _SPACE.match(before):
        return True
    if before in _CHUNK_OPENERS:
        run = pos - 1
        while run > 0 and src[run - 1] in _CHUNK_OPENERS:
            run -= 1
        return run == 0 or bool(_SPACE.match(src[run - 1]))
    if before == "[":
        return False
    return not pending and bool(tokens) and tokens[-1].type == "wikilink"


def _wikilink(src: str, pos: int, end: int) -> Token | None:
    """What ``wikilinks._wikilink_rule`` makes at a ``[`` (an embed, at ``!``, is probed)."""
    found = find_wikilink(src, pos, end)
    if found is None or found[2]:
        return None
    token = new_token("wikilink", "", 0)
    fill_wikilink(token, src, pos, found)
    return token
