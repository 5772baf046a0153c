"""Where a note's managed regions are, for writing them: found by the parser, never by a scan
of raw lines, so markers shown inside code blocks are left alone."""

from __future__ import annotations

from dataclasses import dataclass

from .markdown import index_parser


@dataclass(frozen=True, slots=True)
class RegionSpan:
    what: str
    """The region's name as written after ``milepost:begin``."""
    begin: int
    """0-based line of the begin marker."""
    end: int
    """0-based line of the end marker."""


def find_regions(text: str) -> list[RegionSpan]:
    """The top-level managed regions of a note (markers at the start of a line)."""
    spans = []
    for token in index_parser().parse(text):
        if token.type == "milepost_region_open" and token.level == 0 and token.map is not None:
            spans.append(RegionSpan(token.info, token.map[0], token.map[1] - 1))
    return spans
