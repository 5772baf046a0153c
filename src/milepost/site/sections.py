"""The part of a note an embed shows: all of it, a heading's section, or one block."""

from __future__ import annotations

import re
from typing import Any


def section(text: str, note: Any, subpath: str) -> str:
    """The part of a note an embed shows: all of it, a heading's section, or one block."""
    if not subpath:
        return text
    lines = text.split("\n")
    if subpath.startswith("^"):
        line = next((n for b, n in note.blocks if b.lower() == subpath[1:].lower()), 0)
        if not line:
            return ""
        start = end = line - 1
        item = _LIST_ITEM.match(lines[start])
        if item is not None:  # a list item: it and what is nested under it
            depth = len(item.group(1))
            while (
                end + 1 < len(lines) and lines[end + 1].strip() and _indent(lines[end + 1]) > depth
            ):
                end += 1
            return "\n".join(line.removeprefix(" " * depth) for line in lines[start : end + 1])
        while start > 0 and lines[start - 1].strip():
            start -= 1
        while end + 1 < len(lines) and lines[end + 1].strip():
            end += 1
        return "\n".join(lines[start : end + 1])
    from ..index import heading_key

    wanted = heading_key(subpath.rsplit("#", maxsplit=1)[-1])
    headings = list(note.headings)
    for number, heading in enumerate(headings):
        if heading_key(heading.text) == wanted:
            stop = next(
                (h.line for h in headings[number + 1 :] if h.level <= heading.level), len(lines) + 1
            )
            return "\n".join(lines[heading.line - 1 : stop - 1])
    return ""


_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
