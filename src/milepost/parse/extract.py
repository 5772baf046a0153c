"""Walk a note's tokens once and collect what the index needs.

Headings (and the Examples and Tools sections they open), links, tags, block ids, tool uses with
their explanations, and milestone items with everything that belongs to them. Managed regions
and comments are skipped; code never reaches here as inline tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from markdown_it.token import Token

from ..config import Config
from ..errors import Diagnostic
from ..model import Heading, Link, Milestone, Tag, ToolUse
from .dates import parse_period
from .dependencies import at_line_end
from .fields import BLOCK_ID, full_line_field, tasks_fields, tasks_noise, tasks_signifier
from .items import ItemDraft, build_milestone, status_parenthetical
from .lines import (
    CHECKBOX,
    Line,
    Marker,
    checkbox_char,
    opening_marker,
    plain_text,
    split_lines,
    strip_container,
    tag_anywhere,
)
from .strategy import Chain
from .tags import TAG_BODY
from .text import collapse, drop_symbol_prefix, remove_first, section_key, tidy_emphasis

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_LONE_BLOCK_ID = re.compile(r"^\^([A-Za-z0-9-]+)$")
_CONTAINERS = {"list_item_open": 1, "blockquote_open": 1, "list_item_close": -1}
_CONTAINERS["blockquote_close"] = -1
_RAW_BLOCKS = frozenset({"fence", "code_block", "html_block", "math_block", "table_open"})


@dataclass(slots=True)
class _Section:
    level: int
    model: str | None = None
    model_level: int | None = None


@dataclass(slots=True)
class _Open:
    """The item being read."""

    draft: ItemDraft
    depth: int
    """Container depth where the item started; it ends when the walk leaves that container."""
    from_list: bool
    in_paragraph: bool = True


@dataclass(slots=True)
class _ToolFrame:
    depth: int
    links: list[Link] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


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
        self.finish_tool()
        level = int(token.tag[1:])
        line = (token.map or [0])[0] + 1
        text = inline.content
        plain = _inline_plain(inline)
        self.out.headings.append(Heading(level, text, line))
        if inline.children is not None:
            self.collect(split_lines(inline, self.source))
        elif "^" in text and (block := _plain_block_id(text)) is not None:
            self.out.blocks.append((block, line))
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        year = _year_heading(plain)
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
                block = _plain_block_id(content)
                if block is not None:
                    self.out.blocks.append((block, number))
            if tools:
                list_first = first_of_list and offset == 0
                text = strip_container(raw, quote_depth=self.quote_depth, list_marker=list_first)
                self.tool_line([], text, list_first)
            if item is not None:
                text = strip_container(raw, quote_depth=self.quote_depth, list_marker=False)
                cleaned = BLOCK_ID.sub("", self.take_emoji(item.draft, content, text, number))
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
            self.tool_line([link for link in _links(line) if not link.embed], text, list_first)
        if marker is not None:
            self.open_item(line, marker, box, text, from_list=list_first)
            return
        if box is not None and self.item is not None and self.depth == self.item.depth + 1:
            self.item.draft.children.append(box)
        found = _field_line(line, text)
        if found is not None:
            key, value = found
            if self.item is not None:
                self.item.draft.fields.append((key, value, line.number))
            else:
                self.out.page_fields.append((key, value, line.number))
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
        cleaned = self.take_fields(draft, line, text, own=own)
        draft.description.append(collapse(cleaned) if cleaned.strip() else "")
        draft.links.extend(_links(line))

    def take_fields(self, draft: ItemDraft, line: Line, text: str, *, own: bool = True) -> str:
        """Move a line's inline fields and Tasks emoji into the draft; return the rest."""
        raws = []
        for token in line.tokens:
            if token.type == "inline_field_open":
                meta = token.meta
                draft.fields.append((meta["key"], meta["value"], line.number))
                raws.append(meta["raw"])
        text = remove_first(text, raws)
        text = self.take_emoji(draft, plain_text(line.tokens), text, line.number, own=own)
        return BLOCK_ID.sub("", text)

    @staticmethod
    def take_emoji(
        draft: ItemDraft, plain: str, text: str, number: int, *, own: bool = True
    ) -> str:
        """Move the Tasks emoji dates of ``plain`` into the draft; drop them and other Tasks
        signifiers from ``text`` (``own``: ids and dependencies are the item's own too)."""
        raws = []
        for emoji in tasks_fields(plain):
            draft.emoji.append((emoji.name, emoji.value, number))
            raws.append(emoji.raw)
        noises = tasks_noise(plain)
        for noise in noises:
            signified = tasks_signifier(noise)
            if signified is not None and (
                signified[0] not in ("id", "depends")
                or (own and at_line_end(plain, noise, [*raws, *noises]))
            ):
                draft.emoji.append((*signified, number))
            raws.append(noise)
        return remove_first(text, raws)

    def open_item(
        self, line: Line, marker: Marker, box: str | None, text: str, *, from_list: bool
    ) -> None:
        self.close_item()
        draft = ItemDraft(
            path=self.path,
            line=line.number,
            title="",
            tag=marker.tag,
            heading=self.heading_text(),
            model=self.current_model(),
            checkbox=box,
            context_year=self.context_year(),
            strategy=self.chain.of("strategy"),
            tactic=self.chain.of("tactic"),
        )
        title = CHECKBOX.sub("", text, count=1) if box is not None else text
        title = _remove_marker(title, marker)
        title = tidy_emphasis(collapse(self.take_fields(draft, line, title)))
        paren = status_parenthetical(title)
        if paren is not None:
            draft.paren = paren
            title = title[: title.rfind(paren.raw)]
        draft.title = drop_symbol_prefix(tidy_emphasis(collapse(title)))
        draft.links.extend(_links(line))
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
            rest = _without_links(text, links)
            self.out.tools.extend(ToolUse(link, rest) for link in links)
            return
        if list_first and not self.tool.links and self.tool.depth == self.depth:
            self.tool.links = links
            rest = _without_links(text, links)
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
            self.out.links.extend(_links(line))
            for token, number in zip(line.tokens, line.numbers, strict=True):
                if token.type == "tag":
                    self.out.tags.append(Tag(token.content, number))
            block = _block_id(line)
            if block is not None:
                self.out.blocks.append((block, line.number))


def _field_line(line: Line, text: str) -> tuple[str, str] | None:
    if not line.tokens or line.tokens[0].type != "text" or "::" not in line.tokens[0].content:
        return None
    found = full_line_field(text)
    return (found.key, found.value) if found is not None else None


def _remove_marker(title: str, marker: Marker) -> str:
    if marker.glued and title.startswith(marker.glued):
        return title[len(marker.glued) :]
    needle = "#" + marker.tag
    start = 0
    while True:
        at = title.find(needle, start)
        if at < 0:
            return title
        after = at + len(needle)
        clean_end = after == len(title) or TAG_BODY.match(title, after) is None
        clean_start = at == 0 or title[at - 1] in " \t*_~="
        if clean_start and clean_end:
            return title[:at] + " " + title[after:]
        start = after


def _without_links(text: str, links: list[Link]) -> str:
    for link in links:
        if link.raw:
            text = text.replace(link.raw, " ", 1)
    return collapse(text).strip(" -–—:;,")


def _block_id(line: Line) -> str | None:
    if not line.tokens or line.tokens[-1].type != "text":
        return None
    text = line.tokens[-1].content
    if "^" not in text:
        return None
    if len(line.tokens) == 1:
        return _plain_block_id(text)
    match = BLOCK_ID.search(text)
    return match.group(1) if match is not None else None


def _plain_block_id(text: str) -> str | None:
    """The block id of a line that is all text: ``^id`` alone or at its end."""
    lone = _LONE_BLOCK_ID.match(text.strip())
    if lone is not None:
        return lone.group(1)
    match = BLOCK_ID.search(text)
    return match.group(1) if match is not None else None


def _links(line: Line) -> list[Link]:
    if line.links is None:
        line.links = _read_links(line)
    return line.links


def _read_links(line: Line) -> list[Link]:
    links: list[Link] = []
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


def _inline_plain(inline: Token) -> str:
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


def _year_heading(text: str) -> int | None:
    reading = parse_period(text)
    if reading.period is not None and reading.period.precision == "year":
        return reading.period.end.year
    return None


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
