"""The markdown-it parsers milepost uses: Obsidian syntax as small named rules.

``index_parser`` reads notes for the index: CommonMark + tables, Obsidian front matter, comments,
math, wikilinks, tags and Dataview inline fields. It tokenizes a paragraph's inline content only
when it holds something the index reads (``[``, ``#`` or ``::``); the other paragraphs are plain
text, which the extractor sees as one text token per line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin

from . import ruler
from .blocks import dispatch_by_first_char
from .blockstate import lean_paragraphs, use_line_state
from .comments import comments_plugin
from .fastinline import FastInline, reference_only
from .fields import inline_fields_plugin
from .frontmatter import front_matter_plugin
from .inlinestate import use_token_state
from .tags import tags_plugin
from .wikilinks import wikilinks_plugin

INDEX_TRIGGERS = ("[", "#", "::")

InlineRule = Callable[[StateInline, bool], bool]


def _counting_newlines(rule: InlineRule, first: str) -> InlineRule:
    """Wrap an inline rule whose single token may swallow line breaks: record how many."""

    def counted(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] != first:
            return False
        start, before = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent and len(state.tokens) > before:
            newlines = state.src.count("\n", start, state.pos)
            if newlines:
                token = state.tokens[-1]
                token.meta = {**(token.meta or {}), "newlines": newlines}
        return True

    return counted


def _flip_counting(first: str, rule: InlineRule) -> InlineRule:
    return _counting_newlines(rule, first)


def _count_newlines_in(md: MarkdownIt, rules: dict[str, str]) -> None:
    """Make the named rules (each firing only at its first character) count line breaks."""
    for name, first in rules.items():
        ruler.wrap(md.inline.ruler, name, partial(_flip_counting, first))


def _keeping_source(rule: InlineRule) -> InlineRule:
    """Wrap a Markdown link or image rule: its ``link_open`` or ``image`` token keeps the link's
    exact source text in ``meta["raw"]`` (diagnostics quote links as written)."""

    def kept(state: StateInline, silent: bool) -> bool:
        start, before = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            for token in state.tokens[before:]:  # pending text may be pushed before it
                if token.type in ("link_open", "image"):
                    token.meta = {**(token.meta or {}), "raw": state.src[start : state.pos]}
                    break
        return True

    return kept


def _keep_link_source(md: MarkdownIt) -> None:
    for name in ("link", "image"):
        ruler.wrap(md.inline.ruler, name, _keeping_source)


def _lazy_inline(state: StateCore, fast: FastInline | None = None) -> None:
    """Tokenize only the inline content the index reads (see INDEX_TRIGGERS); ``fast``, unless
    ``MILEPOST_PARSER=reference``, makes the tokens of the content it can (see .fastinline)."""
    md = state.md
    if fast is not None and reference_only():
        fast = None
    for token in state.tokens:
        if token.type == "inline":
            content = token.content
            if "[" in content or "#" in content or "::" in content:  # INDEX_TRIGGERS
                children = fast.tokens(content, state.env) if fast is not None else None
                if children is None:
                    children = []
                    md.inline.parse(content, md, state.env, children)
                token.children = children
            else:
                token.children = None  # plain text: the extractor reads it line by line


CoreRule = Callable[[StateCore], None]


def _normalizing_when_needed(normalize: CoreRule) -> CoreRule:
    """markdown-it's ``normalize`` (CR and CRLF to LF, NUL to U+FFFD), run only on text that
    holds a CR or a NUL: on any other text it gives the same text back, after a pass that
    replaces every line break with itself."""

    def guarded(state: StateCore) -> None:
        if "\r" in state.src or "\0" in state.src:
            normalize(state)

    return guarded


def obsidian_plugins(md: MarkdownIt) -> MarkdownIt:
    """The Obsidian syntax shared by every milepost parser."""
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.use(comments_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(wikilinks_plugin)
    md.use(inline_fields_plugin)
    md.use(tags_plugin)
    _keep_link_source(md)
    _count_newlines_in(
        md, {"backticks": "`", "image": "!", "html_inline": "<", "comment": "%", "math_inline": "$"}
    )
    return md


INDEX_TERMINATORS = "\n\\`[]!<#%$(:"
"""Where an inline rule of the index parser can start; text runs through everything else."""


def build_index_parser(*, dispatch: bool = True) -> MarkdownIt:
    """The parser the index reads notes with (``dispatch=False``: without :func:`lean`, for
    comparing).

    The index never looks at emphasis, strikethrough or entities (a tag after ``**`` is
    recognised by the characters before it), so those rules are off and the text rule runs
    until the next character one of the remaining rules starts at.
    """
    md = obsidian_plugins(MarkdownIt("commonmark", {"html": True}))
    md.disable(
        ["text_join", "emphasis", "strikethrough", "entity", "balance_pairs", "fragments_join"]
    )
    md.core.ruler.at("inline", partial(_lazy_inline, fast=FastInline(md, INDEX_TERMINATORS)))
    md.inline.terminator_re = re.compile("[" + re.escape(INDEX_TERMINATORS) + "]")
    return lean(md) if dispatch else md


def lean(md: MarkdownIt) -> MarkdownIt:
    """``md``, giving the same tokens faster: markdown-it's ``normalize`` only on text that
    needs it, options read straight from their dict, the lean paragraph rule, the block rules
    dispatched by first character (:mod:`.blocks`), the line state (:mod:`.blockstate`) and
    inline tokens made without their constructor (:mod:`.inlinestate`). Call it last: the rule
    chains are read once."""
    ruler.wrap(md.core.ruler, "normalize", _normalizing_when_needed)
    ruler.quick_options(md)
    return use_token_state(use_line_state(dispatch_by_first_char(lean_paragraphs(md))))


@cache
def index_parser() -> MarkdownIt:
    """The parser the index reads notes with (cached; markdown-it parsers are reusable)."""
    return build_index_parser()
