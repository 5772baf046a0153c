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
    """Rewrite the wikilinks of ``text`` (written in ``source``) to the paths they resolve to."""
    for link in links:
        if not link.raw or link.raw not in text:
            continue
        found = index.resolve(link, source)
        if found.path is None:
            continue
        sub = f"#{link.subpath}" if link.subpath else ""
        shown = link.display if link.display is not None else (link.target or stem(found.path))
        bang = "!" if link.embed else ""
        replacement = f"{bang}[[{target_of(found.path)}{sub}|{clean_display(shown)}]]"
        text = text.replace(link.raw, replacement)
    return text


def table_cell(text: str) -> str:
    """Markdown that can stand in a table cell: pipes escaped, one line."""
    return " ".join(text.replace("|", "\\|").split())
