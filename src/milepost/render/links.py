"""Links in generated pages: unambiguous vault paths with display text, never a bare name.

A bare ``[[Plan]]`` copied from ``Concepts/x.md`` into ``Roadmaps/`` could resolve to another
note (the same-folder rule), so links are rewritten to the path they resolve to from their
source: ``[[Concepts/Plan|Plan]]``.
"""

from __future__ import annotations

import re

from ..index import VaultIndex
from ..model import Link
from ..resolve import stem

_LINK_BREAKERS = re.compile(r"[#|^:\[\]]|%%")


def target_of(path: str) -> str:
    """The link target for a vault path: Markdown notes without ``.md``."""
    return path[:-3] if path.lower().endswith(".md") else path


def clean_display(text: str) -> str:
    """Display text that cannot end or split a wikilink."""
    return " ".join(text.replace("[[", "[ [").replace("]]", "] ]").replace("|", "/").split())


def wikilink(path: str, display: str | None = None, *, in_table: bool = False) -> str:
    """``[[Folder/Note|Display]]``; the pipe is escaped inside a table cell."""
    shown = clean_display(display if display is not None else stem(path))
    bar = "\\|" if in_table else "|"
    return f"[[{target_of(path)}{bar}{shown}]]"


def heading_subpath(heading: str) -> str:
    """A heading as Obsidian writes it in links: characters that break links become spaces."""
    return " ".join(_LINK_BREAKERS.sub(" ", heading).split())


def heading_link(path: str, heading: str | None, display: str, *, in_table: bool = False) -> str:
    sub = heading_subpath(heading) if heading else ""
    shown = clean_display(display)
    bar = "\\|" if in_table else "|"
    anchor = f"#{sub}" if sub else ""
    return f"[[{target_of(path)}{anchor}{bar}{shown}]]"


def relink(text: str, links: tuple[Link, ...], source: str, index: VaultIndex) -> str:
    """Rewrite the wikilinks of ``text`` (written in ``source``) to the paths they resolve to.

    One pass over the text, whatever its size and however many links it holds: every
    ``[[...]]`` in it (its end is the first ``]]``, as the parser reads it) is looked up among
    the raw sources of ``links``, and each link is resolved once.
    """
    by_raw: dict[str, Link] = {}
    for link in links:
        if link.raw and link.raw not in by_raw:
            by_raw[link.raw] = link
    if not by_raw:
        return text
    replaced: dict[str, str | None] = {}

    def replacement(raw: str) -> str | None:
        if raw not in replaced:
            link = by_raw.get(raw)
            replaced[raw] = None if link is None else _rewritten(link, source, index)
        return replaced[raw]

    pieces: list[str] = []
    copied = pos = 0
    while (close := text.find("]]", pos)) >= 0:
        opening = text.rfind("[[", pos, close)
        if opening >= 0:
            begins = [opening - 1, opening] if opening > pos and text[opening - 1] == "!" else []
            for begin in begins or [opening]:
                new = replacement(text[begin : close + 2])
                if new is not None:
                    pieces += (text[copied:begin], new)
                    copied = close + 2
                    break
        pos = close + 2
    return "".join(pieces) + text[copied:] if pieces else text


def _rewritten(link: Link, source: str, index: VaultIndex) -> str | None:
    """The link written as the vault path it resolves to, or None when it resolves to none."""
    found = index.resolve(link, source)
    if found.path is None:
        return None
    sub = f"#{link.subpath}" if link.subpath else ""
    shown = link.display if link.display is not None else (link.target or stem(found.path))
    bang = "!" if link.embed else ""
    return f"{bang}[[{target_of(found.path)}{sub}|{clean_display(shown)}]]"


def table_cell(text: str) -> str:
    """Markdown that can stand in a table cell: pipes escaped, one line."""
    return " ".join(text.replace("|", "\\|").split())
