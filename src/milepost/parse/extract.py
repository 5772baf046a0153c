"""Walk a note's tokens once and collect what the index needs.

Headings (and the Examples and Tools sections they open), links, tags, block ids, tool uses with
their explanations, and milestone items with everything that belongs to them. Managed regions
and comments are skipped; code never reaches here as inline tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown_it.token import Token

from ..config import Config
from ..errors import Diagnostic
from ..model import Heading, Link, Milestone, Tag, ToolUse
from .fields import BLOCK_ID
from .frames import OpenItem as _Open
from .frames import Section as _Section
from .frames import ToolFrame as _ToolFrame
from .inline import (
    block_id,
    inline_plain,
    line_links,
    plain_block_id,
    without_links,
    year_heading,
)
from .itemlines import field_line, take_emoji, take_fields, take_title
from .items import ItemDraft, build_milestone
from .lines import (
    Line,
    Marker,
    checkbox_char,
    opening_marker,
    split_lines,
    strip_container,
    tag_anywhere,
)
from .strategy import Chain
from .text import collapse, drop_symbol_prefix, section_key

_CONTAINERS = {"list_item_open": 1, "blockquote_open": 1, "list_item_close": -1}
_CONTAINERS["blockquote_close"] = -1
_RAW_BLOCKS = frozenset({"fence", "code_block", "html_block", "math_block", "table_open"})
_WALKED = {"milepost_region_open", "milepost_region_close", "heading_open", "hr", "inline"}
_WALKED |= {*_CONTAINERS, *_RAW_BLOCKS}  # the others (closing tokens, lists) say nothing


@dataclass(slots=True)
class Extracted:
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    blocks: list[tuple[str, int]] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    tools: list[ToolUse] = field(default_factory=list)
    page_fields: list[tuple[str, str, int]] = field(default_factory=list)
    regions: list[tuple[str, int]] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    """Lines of the first paragraph that is not part of an item (a milestone note's text)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Walker:
    def __init__(self, path: str, source: list[str], config: Config, year: int | None) -> None:
        self.path = path
        self.source = source
        self.config = config
        self.tags = config.tags
        self.examples = {section_key(h) for h in config.examples_headings}
        self.tools_names = {section_key(h) for h in config.tools_headings}
        self.out = Extracted()
        self.headings: list[tuple[int, str, int | None]] = []  # level, text, year
        self.front_year = year
        self.example: _Section | None = None
        self.tools_level: int | None = None
        self.tool: _ToolFrame | None = None
        self.item: _Open | None = None
        self.depth = 0
        self.quote_depth = 0
        self.list_first: set[int] = set()  # token indexes of list items' first paragraphs
        self.lead_open = False
        self.chain = Chain(path)
        self.context: tuple[str | None, str | None, int | None, str | None, str | None] | None
        self.context = None  # what an item opened here takes from the headings above it

    # ----- context -------------------------------------------------------------------------
    def context_year(self) -> int | None:
        for _, _, year in reversed(self.headings):
            if year is not None:
                return year
        return self.front_year

    def current_model(self) -> str | None:
        return self.example.model if self.example is not None else None

    def heading_text(self) -> str | None:
        return next((text for _, text, _ in reversed(self.headings) if text.strip()), None)

    # ----- walk ------------------------------------------------------------------------------
    def walk(self, tokens: list[Token], *, last: bool = True) -> Extracted:
        """Read the tokens of a note, or of one part of it (``last``: the note ends there)."""
        self.list_first = set()
        skip = 0
        for index, token in enumerate(tokens):
            kind = token.type
            if kind not in _WALKED:
                continue
            if kind == "milepost_region_open":
                skip += 1
                if skip == 1:
                    self.out.regions.append((token.info, (token.map or [0])[0] + 1))
            elif kind == "milepost_region_close":
                skip -= 1
            elif skip:
                continue
            elif kind == "heading_open":
                self.heading(token, tokens[index + 1])
            elif kind == "hr":
                self.close_item()
            elif kind == "inline":
                opener = tokens[index - 1].type
                if opener == "paragraph_open":
                    self.paragraph(token, first_of_list=index - 1 in self.list_first)
                elif opener != "heading_open":  # headings were read with their heading_open
                    self.other_inline(token)
            elif kind in _CONTAINERS:
                self.container(tokens, index)
            elif kind in _RAW_BLOCKS:
                self.raw_block(token)
        if last:
            self.close_item()
        return self.out

    def container(self, tokens: list[Token], index: int) -> None:
        token = tokens[index]
        if token.type == "list_item_open":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if (
                following is not None
                and following.type == "paragraph_open"
                and following.map
                and token.map
                and following.map[0] == token.map[0]
            ):
                self.list_first.add(index + 1)
            self.depth += 1
            if self.tools_level is not None and self.tool is None:
                self.tool = _ToolFrame(self.depth)
            return
        if token.type == "blockquote_open":
            self.depth += 1
            self.quote_depth += 1
            return
        if (
            token.type == "list_item_close"
            and self.tool is not None
            and self.tool.depth == self.depth
        ):
            self.finish_tool()
        if self.item is not None and self.item.depth >= self.depth:
            self.close_item()
        self.depth -= 1
        if token.type == "blockquote_close":
            self.quote_depth -= 1

    def heading(self, token: Token, inline: Token) -> None:
        self.close_item()
        self.context = None
        self.finish_tool()
        level = int(token.tag[1:])
        line = (token.map or [0])[0] + 1
        text = inline.content
        plain = inline_plain(inline)
        self.out.headings.append(Heading(level, text, line))
        if inline.children is not None:
            self.collect(split_lines(inline, self.source))
        elif "^" in text and (block := plain_block_id(text)) is not None:
            self.out.blocks.append((block, line))
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        year = year_heading(plain)
        self.headings.append((level, text, year))
        self.chain.heading(level, plain, line)
        key = section_key(plain)
        if self.tools_level is not None and level <= self.tools_level:
            self.tools_level = None
        if key in self.tools_names:
            self.tools_level = level
        if self.example is not None and level <= self.example.level:
            self.example = None
        if key in self.examples:
            self.example = _Section(level)
        elif self.example is not None and (
            self.example.model_level is None or level <= self.example.model_level
        ):
            self.example.model_level = level
            self.example.model = drop_symbol_prefix(plain) or None

    # ----- paragraphs ------------------------------------------------------------------------
    def paragraph(self, inline: Token, *, first_of_list: bool) -> None:
        if inline.children is None:
            self.plain_paragraph(inline, first_of_list=first_of_list)
            return
        lines = split_lines(inline, self.source)
        self.collect(lines)
        if self.item is not None and not self.item.in_paragraph:
            self.item.draft.description.append("")
        self.lead_open = not self.out.lead and self.item is None and self.depth == 0
        for number, line in enumerate(lines):
            list_first = first_of_list and number == 0
            self.line(line, list_first)
        self.lead_open = False
        if self.item is not None:
            self.item.in_paragraph = False

    def plain_paragraph(self, inline: Token, *, first_of_list: bool) -> None:
        """A paragraph without links, tags or fields (see ``_lazy_inline``), read line by line.

        It cannot open an item or hold a field, so only what it adds to the open item, the
        Tools section or the lead, and its block ids, are read.
        """
        assert inline.map is not None
        first = inline.map[0]
        item = self.item
        if item is not None and not item.in_paragraph:
            item.draft.description.append("")
        lead_open = not self.out.lead and item is None and self.depth == 0
        tools = self.tool is not None or self.tools_level is not None
        parts = zip(inline.content.split("\n"), self.source[first : inline.map[1]], strict=False)
        for offset, (part, raw) in enumerate(parts):
            number = first + offset + 1
            content = part.strip()
            if "^" in content:
                block = plain_block_id(content)
                if block is not None:
                    self.out.blocks.append((block, number))
            if tools:
                list_first = first_of_list and offset == 0
                text = strip_container(raw, quote_depth=self.quote_depth, list_marker=list_first)
                self.tool_line([], text, list_first)
            if item is not None:
                text = strip_container(raw, quote_depth=self.quote_depth, list_marker=False)
                cleaned = take_emoji(item.draft, content, text, number)
                if "^" in cleaned:
                    cleaned = BLOCK_ID.sub("", cleaned)
                item.draft.description.append(collapse(cleaned) if cleaned.strip() else "")
            elif lead_open:
                self.out.lead.append(
                    strip_container(raw, quote_depth=self.quote_depth, list_marker=False)
                )
        if item is not None:
            item.in_paragraph = False

    def line(self, line: Line, list_first: bool) -> None:
        box = checkbox_char(line.tokens) if list_first else None
        marker = opening_marker(line.tokens, self.tags, checkbox=box is not None)
        if marker is None and list_first:
            marker = tag_anywhere(line.tokens, self.tags)
        text = strip_container(line.raw, quote_depth=self.quote_depth, list_marker=list_first)
        if self.tool is not None or self.tools_level is not None:
            self.tool_line([link for link in line_links(line) if not link.embed], text, list_first)
        if marker is not None:
            self.open_item(line, marker, box, text, from_list=list_first)
            return
        if box is not None and self.item is not None and self.depth == self.item.depth + 1:
            self.item.draft.children.append(box)
        found = field_line(line, text)
        if found is not None:
            key, value = found
            if self.item is not None:
                self.item.draft.fields.append((key, value, line.number))
            else:
                self.out.page_fields.append((key, value, line.number))
                self.context = None
                level = self.headings[-1][0] if self.headings else 0
                self.chain.field(key, value, level, line.number)
            return
        if self.item is not None:
            self.describe(line, own=not (list_first and self.depth > self.item.depth))
        elif self.lead_open:
            self.out.lead.append(
                strip_container(line.raw, quote_depth=self.quote_depth, list_marker=False)
            )

    def describe(self, line: Line, *, own: bool = True) -> None:
        """A line of the open item's description (``own``: not a child list item's first line,
        whose Tasks ids and dependencies are the child's)."""
        assert self.item is not None
        draft = self.item.draft
        text = strip_container(line.raw, quote_depth=self.quote_depth, list_marker=False)
        draft.description.append(collapse(take_fields(draft, line, text, own=own)))
        draft.links.extend(line_links(line))

    def open_item(
        self, line: Line, marker: Marker, box: str | None, text: str, *, from_list: bool
    ) -> None:
        self.close_item()
        context = self.context
        if context is None:  # read again only after a heading or a page field
            context = self.context = (
                *(self.heading_text(), self.current_model(), self.context_year()),
                *(self.chain.of("strategy"), self.chain.of("tactic")),
            )
        heading, model, year, strategy, tactic = context
        draft = ItemDraft(
            path=self.path,
            line=line.number,
            title="",
            tag=marker.tag,
            heading=heading,
            model=model,
            checkbox=box,
            context_year=year,
            strategy=strategy,
            tactic=tactic,
        )
        take_title(draft, line, marker, box, text)
        draft.links.extend(line_links(line))
        self.item = _Open(draft, self.depth, from_list)

    def close_item(self) -> None:
        if self.item is None:
            return
        milestone, diagnostics = build_milestone(self.item.draft, self.config)
        self.out.milestones.append(milestone)
        self.chain.milestone(milestone)
        self.out.diagnostics.extend(diagnostics)
        self.item = None

    # ----- tools -----------------------------------------------------------------------------
    def tool_line(self, links: list[Link], text: str, list_first: bool) -> None:
        if self.tool is None:  # a paragraph in the Tools section: one tool per linked line
            rest = without_links(text, links)
            self.out.tools.extend(ToolUse(link, rest) for link in links)
            return
        if list_first and not self.tool.links and self.tool.depth == self.depth:
            self.tool.links = links
            rest = without_links(text, links)
            if rest:
                self.tool.text.append(rest)
            return
        if text:
            self.tool.text.append(text)

    def finish_tool(self) -> None:
        tool = self.tool
        self.tool = None
        if tool is None or not tool.links:
            return
        explanation = "\n".join(t for t in tool.text if t)
        self.out.tools.extend(ToolUse(link, explanation) for link in tool.links)

    # ----- everything else -------------------------------------------------------------------
    def other_inline(self, inline: Token) -> None:
        """Inline content outside paragraphs and headings: table cells."""
        self.collect(split_lines(inline, self.source))

    def raw_block(self, token: Token) -> None:
        if self.item is None or token.map is None:
            return
        start, end = token.map
        block = [line.strip() for line in self.source[start:end]]
        if self.item.draft.description:
            self.item.draft.description.append("")
        self.item.draft.description.extend(block)
        self.item.in_paragraph = False

    def collect(self, lines: list[Line]) -> None:
        """Links, tags and block ids of some lines, for the note."""
        for line in lines:
            self.out.links.extend(line_links(line))
            if "#" in line.raw:  # a tag starts with a "#" on its line
                for token, number in zip(line.tokens, line.numbers, strict=True):
                    if token.type == "tag":
                        self.out.tags.append(Tag(token.content, number))
            block = block_id(line)
            if block is not None:
                self.out.blocks.append((block, line.number))


def extract(
    path: str,
    chunks: Iterable[list[Token]],
    source: list[str],
    config: Config,
    year: int | None,
) -> Extracted:
    """Everything the index needs from one note's tokens, given whole or in parts that each
    begin where an item cannot go on (a large note is parsed part by part)."""
    walker = _Walker(path, source, config, year)
    for tokens in chunks:
        walker.walk(tokens, last=False)
    walker.close_item()
    walker.out.diagnostics.extend(walker.chain.stalled())
    return walker.out
