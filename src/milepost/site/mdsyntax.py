"""What only a reader sees, parsed into tokens: ``==highlights==``, callouts, block ids, tasks.

These are markdown-it rules added to the index's parser for the site: an inline rule for
highlights, and core rules that turn a blockquote starting ``[!type]`` into a callout (with its
folding and Obsidian's aliases), a trailing `` ^id`` into the id of its paragraph or list item,
and a list item starting ``[c]`` into a task with its checkbox. They only mark the tokens; the
render rules of :mod:`.markdown` turn them into HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..parse.fields import BLOCK_ID
from .mdpage import Page
from .shape import block_anchor

_CALLOUT = re.compile(r"^\[!(?P<type>[A-Za-z0-9_-]+)\](?P<fold>[+-]?)[ \t]*(?P<title>.*)$")
_LONE_BLOCK = re.compile(r"^\^([A-Za-z0-9-]+)$")
_TASK = re.compile(r"^\[(?P<char>[^\]\n])\][ \t]+")
CALLOUT_ALIASES = {
    "summary": "abstract",
    "tldr": "abstract",
    "hint": "tip",
    "important": "tip",
    "check": "success",
    "done": "success",
    "help": "question",
    "faq": "question",
    "caution": "warning",
    "attention": "warning",
    "fail": "failure",
    "missing": "failure",
    "error": "danger",
    "cite": "quote",
}


def _highlight(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("==", pos) or src.startswith("===", pos):
        return False
    close = src.find("==", pos + 2, state.posMax)
    if close < 0 or close == pos + 2 or src[pos + 2].isspace() or src[close - 1].isspace():
        return False
    if not silent:
        state.push("mark_open", "mark", 1)
        old = state.posMax
        state.pos, state.posMax = pos + 2, close
        state.md.inline.tokenize(state)
        state.posMax = old
        state.push("mark_close", "mark", -1)
    state.pos = close + 2
    return True


def _callouts(state: StateCore) -> None:
    """Blockquotes whose first line is ``[!type]`` become callouts (with folding)."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "blockquote_open" or index + 2 >= len(tokens):
            continue
        inline = tokens[index + 2]
        if tokens[index + 1].type != "paragraph_open" or inline.type != "inline":
            continue
        first, _, rest = inline.content.partition("\n")
        match = _CALLOUT.match(first.strip())
        if match is None:
            continue
        kind = match.group("type").lower()
        token.meta = {
            "callout": CALLOUT_ALIASES.get(kind, kind),
            "fold": match.group("fold"),
            "title": match.group("title").strip() or kind.capitalize(),
        }
        children = inline.children or []
        cut = next(
            (i for i, c in enumerate(children) if c.type in ("softbreak", "hardbreak")),
            len(children),
        )
        inline.children = children[cut + 1 :]
        inline.content = rest
        if not rest.strip():
            tokens[index + 1].hidden = tokens[index + 3].hidden = True


def _blocks_and_tasks(state: StateCore) -> None:
    """`` ^id`` at the end of a paragraph or list item becomes its id; ``[c]`` a checkbox.
    Inside an embed the id is dropped (the embedded note's own page has it)."""
    tokens = state.tokens
    page = state.env.get("page")
    top = not isinstance(page, Page) or page.depth == 0
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        last = token.children[-1]
        owner = _block_owner(tokens, index)
        if last.type == "text" and owner is not None:
            lone = _LONE_BLOCK.match(last.content.strip()) if len(token.children) == 1 else None
            match = lone or BLOCK_ID.search(last.content)
            if match is not None:
                if top:
                    owner.attrSet("id", block_anchor(match.group(1).lower()))
                last.content = "" if lone else last.content[: match.start()]
        opener = tokens[index - 2] if index >= 2 else None
        first = token.children[0]
        if opener is not None and opener.type == "list_item_open" and first.type == "text":
            task = _TASK.match(first.content)
            if task is not None:
                first.content = first.content[task.end() :]
                box = Token("task_box", "input", 0)
                box.meta = {"char": task.group("char")}
                token.children.insert(0, box)
                opener.attrJoin("class", "task")
                opener.attrSet("data-task", task.group("char"))


def _block_owner(tokens: Sequence[Token], index: int) -> Token | None:
    if index < 1 or tokens[index - 1].type != "paragraph_open":
        return None
    if index >= 2 and tokens[index - 2].type == "list_item_open":
        return tokens[index - 2]
    return tokens[index - 1]
