"""Block and inline rules tried by the character they start at.

markdown-it tries every block rule, in order, at the start of every block, and every paragraph
"terminator" rule at every line of a paragraph; nearly all of them give up at once because the
line does not start with their character (``#`` for a heading, ``>`` for a quote). Inline, it
tries every rule at every character the text rule stops at. Here each rule chain becomes a
single rule that looks at that character first and tries, in the same order, only the rules
that can start with it. The tokens are the same; a test compares them on real vaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from . import ruler

BlockRule = Callable[[StateBlock, int, int, bool], bool]
InlineRule = Callable[[StateInline, bool], bool]

STARTS: dict[str, str] = {
    "front_matter": "-+",
    "milepost_region": "%",
    "comment_block": "%",
    "math_block": "$",
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "reference": "[",
    "footnote_def": "[",
    "html_block": "<",
    "heading": "#",
}
"""The characters each rule's line can start with (after indentation). Each of these rules
returns False at once for any other first character. Rules not named here are tried always."""


def _table(table: BlockRule) -> BlockRule:
    """The table rule, tried only when the next line starts like a delimiter row."""

    def guarded(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        following = start + 1
        if following + 1 > end:
            return False
        pos = state.bMarks[following] + state.tShift[following]
        if pos >= state.eMarks[following] or state.src[pos] not in "|-:":
            return False
        return table(state, start, end, silent)

    return guarded


def _code(code: BlockRule) -> BlockRule:
    """The indented code rule, tried only on a line indented by four columns or more."""

    def guarded(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if state.sCount[start] - state.blkIndent < 4:
            return False
        return code(state, start, end, silent)

    return guarded


def _lheading(lheading: BlockRule) -> BlockRule:
    """The setext heading rule, tried only when a line of the paragraph could underline it
    (a run of ``=`` or of ``-``, then nothing but spaces or tabs) before the next blank line:
    the rule gives up without one. A list item's ``- owner:: Ana`` under a milestone line
    starts with ``-`` too, but it underlines nothing."""

    def guarded(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        src, begins, shifts, ends = state.src, state.bMarks, state.tShift, state.eMarks
        line = start + 1
        while line < end:
            pos = begins[line] + shifts[line]
            last = ends[line]
            if pos >= last:
                return False
            marker = src[pos]
            if marker in "=-" and not src[pos:last].rstrip(" \t").strip(marker):
                return lheading(state, start, end, silent)
            line += 1
        return False

    return guarded


def _hr(hr: BlockRule) -> BlockRule:
    """The thematic break rule, tried only when the line's next character that is not a space
    or tab is its first one again (a break is three or more of one marker and nothing else but
    spaces and tabs). A list item's ``- [ ] #milestone`` starts with ``-`` too."""

    def guarded(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        src = state.src
        pos = state.bMarks[start] + state.tShift[start]
        last = state.eMarks[start]
        if pos < last:
            at = pos + 1
            while at < last and src[at] in " \t":
                at += 1
            if at >= last or src[at] != src[pos]:
                return False
        return hr(state, start, end, silent)

    return guarded


_LABEL_STOP = re.compile(r"[\[\]\\\n]")


def _reference(reference: BlockRule) -> BlockRule:
    """The link reference definition rule, tried only when the line's label can end in
    ``]:``: the rule gives up at a ``[`` inside the label and at a ``]`` not followed by
    ``:``, so a ``[[wikilink]]`` line or a ``[ ]`` checkbox is no definition. A label that
    holds an escape or runs on to the next line is left to the rule."""

    def guarded(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        src = state.src
        pos = state.bMarks[start] + state.tShift[start]
        last = state.eMarks[start]
        if pos < last and src[pos] == "[":
            found = _LABEL_STOP.search(src, pos + 1, last + 1)
            if found is not None:
                stop = found.start()
                if src[stop] == "[" or (src[stop] == "]" and src[stop + 1 : stop + 2] != ":"):
                    return False
        return reference(state, start, end, silent)

    return guarded


def _heading(heading: BlockRule) -> BlockRule:
    """The ATX heading rule, not tried on a line that starts with a tag (``#milestone``):
    a heading's ``#`` is followed by another ``#``, a space, a tab or the line's end."""

    def guarded(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        pos = state.bMarks[start] + state.tShift[start] + 1
        if pos < state.eMarks[start] and state.src[pos] not in "# \t":
            return False
        return heading(state, start, end, silent)

    return guarded


GUARDS: dict[str, Callable[[BlockRule], BlockRule]] = {
    "heading": _heading,
    "hr": _hr,
    "reference": _reference,
    "table": _table,
    "code": _code,
    "lheading": _lheading,
}
"""Rules that can start with any character, tried only when a cheap check says they may match."""


ONLY_INDENTED_OR_FIRST = frozenset({"code", "front_matter"})
"""Rules that match only a line indented by four columns or more past the block's indent
(indented code) or only the note's first line (front matter)."""


def _dispatcher(rules: list[tuple[str, BlockRule]]) -> BlockRule:
    def pick(char: str | None, *, lean: bool = False) -> list[BlockRule]:
        return [
            fn
            for name, fn in rules
            if (name not in STARTS or (char is not None and char in STARTS[name]))
            and not (lean and name in ONLY_INDENTED_OR_FIRST)
        ]

    chars = {char for name, _ in rules for char in STARTS.get(name, "")}
    by_char = {char: pick(char) for char in chars}
    other = pick(None)
    lean_by_char = {char: pick(char, lean=True) for char in chars}
    lean_other = pick(None, lean=True)
    every = [fn for _, fn in rules]

    def dispatch(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        pos = state.bMarks[line] + state.tShift[line]
        if pos >= state.eMarks[line]:
            tried = every
        elif line and state.sCount[line] - state.blkIndent < 4:  # neither code nor front matter
            tried = lean_by_char.get(state.src[pos], lean_other)
        else:
            tried = by_char.get(state.src[pos], other)
        for rule in tried:  # noqa: SIM110 (a plain loop: it runs for every line of every note)
            if rule(state, line, end, silent):
                return True
        return False

    return dispatch


INLINE_STARTS: dict[str, str] = {
    "newline": "\n",
    "comment": "%",
    "math_inline": "$",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "highlight": "=",
    "emphasis": "*_",
    "wikilink": "[!",
    "inline_field": "[(",
    "link": "[",
    "image": "!",
    "footnote_inline": "^",
    "footnote_ref": "[",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
    "tag": "#",
}
"""The characters each inline rule can start at; it returns False at once at any other.
The text rule takes any character but the parser's terminators. Rules not named here are
tried always."""


def _inline_dispatcher(md: MarkdownIt, rules: list[tuple[str, InlineRule]]) -> InlineRule:
    def pick(char: str) -> list[InlineRule]:
        stop = md.inline.terminator_re.match(char)  # read late: plugins may add terminators
        starts = {"text": "" if stop else char, **INLINE_STARTS}
        return [fn for name, fn in rules if name not in starts or char in starts[name]]

    by_char: dict[str, list[InlineRule]] = {}

    def dispatch(state: StateInline, silent: bool) -> bool:
        char = state.src[state.pos]
        tried = by_char.get(char)
        if tried is None:
            tried = by_char[char] = pick(char)
        for rule in tried:  # noqa: SIM110 (a plain loop: it runs at every stop of every line)
            if rule(state, silent):
                return True
        return False

    return dispatch


def _dispatch_inline(md: MarkdownIt) -> None:
    rules = [(rule.name, rule.fn) for rule in ruler.enabled(md.inline.ruler)]
    ruler.replace_chains(md.inline.ruler, {"": [_inline_dispatcher(md, rules)]})


def dispatch_by_first_char(md: MarkdownIt) -> MarkdownIt:
    """Make every block rule chain and the inline rule chain of ``md`` one dispatching rule.
    Call it last: the chains are read once, so rules enabled or added afterwards would be
    missed."""
    rules = ruler.enabled(md.block.ruler)
    chains = {""}.union(*(rule.alt for rule in rules))
    compiled: dict[str, list[ruler.Fn]] = {}
    for chain in chains:
        chosen = [
            (rule.name, GUARDS[rule.name](rule.fn) if rule.name in GUARDS else rule.fn)
            for rule in rules
            if not chain or chain in rule.alt
        ]
        compiled[chain] = [_dispatcher(chosen)]
    ruler.replace_chains(md.block.ruler, compiled)
    _dispatch_inline(md)
    return md
