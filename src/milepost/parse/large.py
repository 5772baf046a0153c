"""A note too large to parse in full (over ``max_note_mb``), read by a cheap line scan.

It keeps the lines the index needs at their own numbers (every other line is left empty), and
the normal parser reads them a part at a time, in a fraction of the time and memory:

- the front matter block, headings, and managed-region marker lines, as they are;
- each line that names a milestone tag, with the lines that follow it up to the next blank line,
  the next list item beside it or ``ITEM_LINES`` (its fields and description);
- lines that are only a ``key:: value`` field (a page field such as ``business_model::``).

Of every other line only its links, embeds, tags and block id (``^id`` at its end) are taken, by
regular expressions, straight into records: the parser never sees those lines.

Fenced code, ``%%`` comment blocks, ``$$`` math blocks and what a managed region holds are
skipped, as the parser skips them. Inline code spans are dropped before links and tags are
looked for. What the scan cannot see (a link's list item in a Tools section, the description
paragraphs after a blank line) is what a large note gives up.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import unquote

from markdown_it.token import Token

from ..model import Link, Tag
from .frontmatter import split_front_matter
from .markdown import index_parser
from .tags import tag_body
from .wikilinks import split_wikilink

ITEM_LINES = 50
"""Most lines read after a milestone line (its fields and first paragraph)."""

_READ = re.compile(r"[#\[`~%$:^]|^[ \t]*[-*_=]")
"""A line without these characters (the last ones at its start) holds nothing the scan reads."""
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$")
"""A thematic break, or a setext heading's underline (then the line above is the heading)."""
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_REGION = re.compile(r"^\s*%%\s*milepost:(begin|end)\b")
_FIELD_LINE = re.compile(r"^\s*(?:[-*+]\s+)?[^\s:\[\]()][^:\[\]()]{0,80}::")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINKS_AND_TAGS = re.compile(
    r"(?P<wiki>!?\[\[(?P<inner>[^\[\]\n]+)\]\])"
    r"|(?P<md>!?\[(?P<text>[^\[\]\n]*)\]\((?P<href>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)"
    r"(?:\s+\"[^\"\n]*\")?\))"
    r"|(?:(?<=\s)|^)[*_~=]*#(?P<tag>[^\s#]+)"  # a tag may open emphasis, as the tag rule says
)
_BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


class Skimmed(NamedTuple):
    """What the scan found: the lines the parser reads, and the links and tags of the rest."""

    lines: list[str]
    """The note's lines that the parser reads, at their own numbers; the others are empty."""
    breaks: frozenset[int]
    """Lines where the parser may start a new part (no list or quote goes on past them)."""
    links: list[Link]
    tags: list[Tag]
    blocks: list[tuple[str, int]]


PART_LINES = 2000
"""About how many kept lines the parser reads at a time (its tokens are dropped after each)."""


def token_chunks(skimmed: Skimmed) -> Iterator[list[Token]]:
    """The index parser's tokens of the kept lines, a part at a time, with file lines."""
    lines, parser = skimmed.lines, index_parser()
    cuts = [0]
    kept = 0
    for number, line in enumerate(lines):
        if number in skimmed.breaks and kept >= PART_LINES:
            cuts.append(number)
            kept = 0
        kept += bool(line)
    cuts.append(len(lines))
    for start, end in itertools.pairwise(cuts):
        tokens = parser.parse("\n".join(lines[start:end]))
        for token in tokens:
            if token.map is not None:
                token.map = [token.map[0] + start, token.map[1] + start]
        yield tokens


def _found(line: str, number: int, links: list[Link], tags: list[Tag]) -> None:
    """The links, embeds and tags of one line that the parser does not read."""
    if "`" in line:
        line = _CODE_SPAN.sub(" ", line)
    for match in _LINKS_AND_TAGS.finditer(line):
        raw = match.group(0)
        if match.group("wiki") is not None:
            parts = split_wikilink(match.group("inner"))
            if parts.target or parts.subpath:
                embed = raw.startswith("!")
                links.append(Link(*parts, embed, number, raw))
        elif match.group("md") is not None:
            href = match.group("href")
            if href and not _SCHEME.match(href) and not href.startswith("//"):
                target, _, subpath = unquote(href).partition("#")
                display = match.group("text") or None
                embed = raw.startswith("!")
                links.append(
                    Link(target.strip(), subpath.strip(), display, embed, number, raw, True)
                )
        else:
            body = tag_body(match.group("tag"))
            if body is not None:
                tags.append(Tag(body, number))


class _Scan:
    """The state of the scan between lines: which block it is inside, and the item it reads."""

    def __init__(self, lines: list[str], tags: tuple[str, ...]) -> None:
        self.lines = lines
        self.kept = [""] * len(lines)
        self.links: list[Link] = []
        self.tags: list[Tag] = []
        self.blocks: list[tuple[str, int]] = []
        self.breaks: set[int] = set()
        self.words = tuple(f"#{tag}" for tag in tags)
        self.fence: str | None = None
        self.closing: str | None = None
        """What ends the ``%%`` comment or ``$$`` math block the scan is in."""
        self.region = False
        self.item = 0
        """Lines of the current milestone item still to keep."""
        self.indent = -1
        """Indentation of the item's list marker (-1: it is not a list item)."""

    def run(self, start: int) -> None:
        lines, read = self.lines, _READ.search
        for number in range(start, len(lines)):
            line = lines[number]
            if self.fence or self.closing or self.region or self.item or read(line):
                self.line(number, line)  # (a line without those characters is plain text)

    def line(self, number: int, line: str) -> None:
        stripped = line.lstrip(" \t>")
        if self.skipped(number, line, stripped):
            return
        if not stripped.strip():
            self.item = 0
        elif _HEADING.match(line):
            self.keep(number, 0)
            self.breaks.add(number)
        elif _BREAK.match(line):
            self.keep(number, 0)
            above = self.lines[number - 1] if number else ""
            if above.strip() and line.strip()[0] in "=-":
                self.kept[number - 1] = above  # the underline of a setext heading
        elif "#" in line and any(word in line.lower() for word in self.words):
            if number and not self.kept[number - 1] and line[:1] not in " \t>":
                self.breaks.add(number)  # an item at the top: no list or quote goes on
            self.keep(number, ITEM_LINES)
            opened = _LIST_ITEM.match(line)
            self.indent = len(opened.group(1)) if opened is not None else -1
        elif self.item and self.in_item(line):
            self.keep(number, self.item - 1)
        elif "::" in line and _FIELD_LINE.match(line):
            self.kept[number], self.item = line.strip(), 0
        else:
            if "[" in line or "#" in line:
                _found(line, number + 1, self.links, self.tags)
            if "^" in line and (block := _BLOCK_ID.search(line)) is not None:
                self.blocks.append((block.group(1), number + 1))

    def skipped(self, number: int, line: str, stripped: str) -> bool:
        """True for a line inside (or opening or closing) code, a comment, math or a region."""
        if self.fence is not None:
            fence = self.fence
            if stripped.startswith(fence) and not stripped[len(fence) :].strip(fence[0] + " \t"):
                self.fence = None
            return True
        if self.closing is not None:
            if self.closing in line:
                self.closing = None
            return True
        marker = _REGION.match(line)
        if marker is not None:
            self.keep(number, 0)
            self.region = marker.group(1) == "begin"
            return True
        if self.region:
            return True
        opened = _FENCE.match(stripped)
        if opened is not None:
            self.fence, self.item = opened.group(1), 0
            return True
        if stripped.startswith(("%%", "$$")) and stripped.count(stripped[:2]) == 1:
            self.closing, self.item = stripped[:2], 0
            return True
        return False

    def in_item(self, line: str) -> bool:
        """True for a line that goes on the current item (not a list item beside it)."""
        beside = _LIST_ITEM.match(line)
        if beside is None or len(beside.group(1)) > self.indent:
            return True
        self.item = 0
        return False

    def keep(self, number: int, item: int) -> None:
        self.kept[number] = self.lines[number]
        self.item = item


def skim(text: str, tags: tuple[str, ...]) -> Skimmed:
    """The lines of ``text`` the index reads, and the links and tags of the others."""
    scan = _Scan(text.split("\n"), tags)
    block = split_front_matter(text)
    start = block.close + 1 if block is not None else 0
    scan.kept[:start] = scan.lines[:start]
    scan.run(start)
    _dedent_items(scan.kept, scan.lines, start)
    return Skimmed(scan.kept, frozenset(scan.breaks), scan.links, scan.tags, scan.blocks)


def _dedent_items(kept: list[str], lines: list[str], start: int) -> None:
    """Kept lines lose the indentation they had inside lists, so that alone they are not read
    as indented code; runs of kept lines keep their indentation relative to their first."""
    number = start
    while number < len(kept):
        if not kept[number] or kept[number] is not lines[number]:
            number += 1
            continue
        end = number
        while end + 1 < len(kept) and kept[end + 1] and kept[end + 1] is lines[end + 1]:
            end += 1
        indent = min(len(line) - len(line.lstrip(" \t")) for line in kept[number : end + 1])
        if indent:
            for at in range(number, end + 1):
                kept[at] = kept[at][indent:]
        number = end + 1
