"""Obsidian ``%%comments%%`` and milepost's managed regions, as markdown-it rules.

Inline, ``%%...%%`` hides its text (an unclosed one hides the rest of the paragraph). A block
that opens with ``%%`` hides everything up to the line that closes it, or the rest of the note.
A managed region is ``%% milepost:begin <what> %%`` ... ``%% milepost:end %%`` on lines of their
own; its content is parsed (the export shows it) but wrapped in ``milepost_region`` tokens so the
index never reads milepost's own output as a source.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.ruler import RuleOptionsType
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

REGION_BEGIN = re.compile(r"^%%\s*milepost:begin\s+(?P<what>.*?)\s*%%\s*$")
REGION_END = re.compile(r"^%%\s*milepost:end\s*%%\s*$")


def _inline_comment(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("%%", pos):
        return False
    close = src.find("%%", pos + 2, state.posMax)
    end = state.posMax if close < 0 else close + 2
    if not silent:
        token = state.push("comment", "", 0)
        token.content = src[pos + 2 : close if close >= 0 else state.posMax]
        token.markup = "%%"
    state.pos = end
    return True


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _starts_comment(state: StateBlock, line: int) -> bool:
    pos = state.bMarks[line] + state.tShift[line]
    return state.src.startswith("%%", pos) and state.sCount[line] - state.blkIndent < 4


def _region_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if not _starts_comment(state, start_line):
        return False
    begin = REGION_BEGIN.match(_line(state, start_line))
    if begin is None:
        return False
    close = next(
        (ln for ln in range(start_line + 1, end_line) if REGION_END.match(_line(state, ln))), None
    )
    if close is None:
        return False  # an unclosed begin marker is an ordinary comment
    if silent:
        return True
    token = state.push("milepost_region_open", "", 1)
    token.info = begin.group("what")
    token.map = [start_line, close + 1]
    token.block = True
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "milepost_region"
    state.lineMax = close
    state.md.block.tokenize(state, start_line + 1, close)
    state.parentType, state.lineMax = old_parent, old_max
    token = state.push("milepost_region_close", "", -1)
    token.block = True
    state.line = close + 1
    return True


def _block_comment(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if not _starts_comment(state, start_line):
        return False
    text = _line(state, start_line)
    same_line = text.find("%%", 2)
    if same_line >= 0 and text[same_line + 2 :].strip():
        return False  # `%% a %% text` is a paragraph with an inline comment
    if same_line >= 0:
        last = start_line
    else:
        last = next((ln for ln in range(start_line + 1, end_line) if "%%" in _line(state, ln)), -1)
        if last < 0:
            last = end_line - 1
    if silent:
        return True
    token = state.push("comment_block", "", 0)
    token.map = [start_line, last + 1]
    token.content = state.getLines(start_line, last + 1, state.blkIndent, False)
    token.markup = "%%"
    token.block = True
    state.line = last + 1
    return True


def comments_plugin(md: MarkdownIt) -> None:
    """Hide ``%%`` comments and mark milepost's managed regions."""
    alt: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote", "list"]}
    md.block.ruler.before("fence", "milepost_region", _region_rule, alt)
    md.block.ruler.before("fence", "comment_block", _block_comment, alt)
    md.inline.ruler.before("escape", "comment", _inline_comment)
