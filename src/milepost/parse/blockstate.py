"""markdown-it's block state, set up line by line and pushing tokens without the dataclass
constructor.

``StateBlock.__init__`` finds where each line begins and ends and how far it is indented by
walking the leading whitespace of each line character by character; here one ``split`` gives
the lines and ``lstrip`` their indentation (tabs are expanded only on a line whose indentation
holds one). ``push`` (and :mod:`.fastinline`) make tokens by setting the slots of a bare
``Token``: the generated ``__init__``, with its default factories and ``__post_init__``, costs
three times as much. ``getLines`` at indent 0 cuts each line with one slice. The state's lists
and the tokens are the same as markdown-it's; ``tests/test_blockstate.py`` compares them, and
``tests/test_blocks.py`` the tokens of whole notes.
"""

from __future__ import annotations

from itertools import accumulate, repeat
from operator import sub
from typing import TYPE_CHECKING, Literal

from markdown_it.common.utils import mdTrim
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType

from . import ruler

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_new = Token.__new__
LINES = "milepost.lines"
"""The ``env`` key under which the text being parsed can come with its lines already split:
``(text, text.split("\n"))``; the state uses them when ``text`` is the very text it reads."""
_ONE = 1


def text_token(content: str) -> Token:
    """``new_token("text", "", 0)`` with ``content``."""
    token = new_token("text", "", 0)
    token.content = content
    return token


def new_token(
    ttype: str, tag: str, nesting: Literal[-1, 0, 1], level: int = 0, block: bool = False
) -> Token:
    """``Token(ttype, tag, nesting)`` with its ``level`` and ``block`` set, made faster."""
    token = _new(Token)
    token.type = ttype
    token.tag = tag
    token.nesting = nesting
    token.attrs = {}
    token.map = None
    token.level = level
    token.children = None
    token.content = ""
    token.markup = ""
    token.info = ""
    token.meta = {}
    token.block = block
    token.hidden = False
    return token


def _expanded(line: str, indent: int) -> int:
    """The columns of a line's first ``indent`` characters (spaces and tabs), tabs to 4."""
    offset = 0
    for char in line[:indent]:
        offset += 4 - offset % 4 if char == "\t" else 1
    return offset


class LineState(StateBlock):
    """A ``StateBlock`` whose line marks come from splitting the source into lines."""

    def __init__(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> None:
        self.src = src
        self.md = md
        self.env = env
        self.tokens = tokens
        given = env.get(LINES)
        lines = given[1][:] if given is not None and given[0] is src else src.split("\n")
        if not lines[-1].strip(" \t"):
            # src ends with a line break, or its last line is spaces and tabs: no line there
            lines.pop()
        lengths = list(map(len, lines))  # the lists are made by map, without a Python loop
        begins = list(accumulate(map(_ONE.__add__, lengths), initial=0))
        ends = list(map(sub, begins[1:], repeat(1)))
        shifts = list(map(sub, lengths, map(len, map(str.lstrip, lines, repeat(" \t")))))
        if "\t" in src:
            counts = [
                _expanded(line, shift) if "\t" in line[:shift] else shift
                for line, shift in zip(lines, shifts, strict=True)
            ]
        else:
            counts = shifts.copy()
        length = len(src)
        if ends and ends[-1] > length:  # the last line has no line break
            ends[-1] = length
        begins[-1] = length
        ends.append(length)
        shifts.append(0)
        counts.append(0)
        self.bMarks = begins
        self.eMarks = ends
        self.tShift = shifts
        self.sCount = counts
        self.bsCount = [0] * len(begins)
        self.blkIndent = 0
        self.line = 0
        self.lineMax = len(lines)
        self.tight = False
        self.ddIndent = -1
        self.listIndent = -1
        self.parentType = "root"
        self.level = 0
        self.result = ""
        self._code_enabled = "code" in md.block.ruler.get_active_rules()

    def push(self, ttype: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
        """Push new token to "stream" (what ``StateBlock.push`` does)."""
        if nesting < 0:
            self.level -= 1
        token = new_token(ttype, tag, nesting, self.level, True)
        if nesting > 0:
            self.level += 1
        self.tokens.append(token)
        return token

    def getLines(self, begin: int, end: int, indent: int, keepLastLF: bool) -> str:
        """The text of lines ``begin`` to ``end`` (what ``StateBlock.getLines`` gives): at
        indent 0 nothing is cut from a line's start, a line that starts with ``indent`` spaces
        loses just them, and nothing is cut from a line that starts with no space or tab and no
        indentation (``tShift``) to skip, so each such line is one slice; markdown-it cuts the
        others."""
        if begin >= end:
            return ""
        src, starts, ends = self.src, self.bMarks, self.eMarks
        last = end - 1
        if not indent:
            parts = [src[starts[line] : ends[line] + 1] for line in range(begin, last)]
            parts.append(src[starts[last] : ends[last] + 1 if keepLastLF else ends[last]])
            return "".join(parts)
        spaces = " " * indent  # a line indented by that many spaces loses just them
        shifts = self.tShift
        parts = []
        for line in range(begin, end):
            start = starts[line]
            stop = ends[line] + 1 if line < last or keepLastLF else ends[line]
            if start + indent <= stop and src.startswith(spaces, start):
                parts.append(src[start + indent : stop])
            elif not shifts[line] and (start >= stop or src[start] not in " \t"):
                parts.append(src[start:stop])  # a list item's first line: it starts at its text
            else:
                parts.append(super().getLines(line, line + 1, indent, line < last or keepLastLF))
        return "".join(parts)


def use_line_state(md: MarkdownIt) -> MarkdownIt:
    """Make ``md``'s block parser set up a :class:`LineState` for each note."""
    ruler.block_state(md, LineState)
    return md


def lean_paragraphs(md: MarkdownIt) -> MarkdownIt:
    """Make ``md``'s paragraph rule :func:`paragraph` (before the chains are compiled)."""
    md.block.ruler.at("paragraph", paragraph)
    return md


def paragraph(state: StateBlock, start: int, _end: int, _silent: bool) -> bool:
    """markdown-it's paragraph rule, step for step, with the line arrays read once and no
    debug logging: it runs for every paragraph, and tries the terminators at each line."""
    next_line = start + 1
    terminators = state.md.block.ruler.getRules("paragraph")
    end = state.lineMax
    old_parent = state.parentType
    state.parentType = "paragraph"
    begins, shifts, ends, counts = state.bMarks, state.tShift, state.eMarks, state.sCount
    while next_line < end:
        if begins[next_line] + shifts[next_line] >= ends[next_line]:
            break  # an empty line
        count = counts[next_line]
        # indented like code, or a blockquote's own line: a lazy continuation all the same
        if count - state.blkIndent > 3 or count < 0:
            next_line += 1
            continue
        for rule in terminators:
            if rule(state, next_line, end, True):
                break
        else:
            next_line += 1
            continue
        break
    content = mdTrim(state.getLines(start, next_line, state.blkIndent, False))
    state.line = next_line
    token = state.push("paragraph_open", "p", 1)
    token.map = [start, next_line]
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [start, next_line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    state.parentType = old_parent
    return True
