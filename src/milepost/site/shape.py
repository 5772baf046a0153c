"""The shape of an exported site: what is published, where every page and file goes, and
where every link leads. One predicate decides publication, and every page, embed, attachment,
backlink, tag page and search entry goes through it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from urllib.parse import quote

from markupsafe import Markup

from ..config import Config
from ..errors import Diagnostic, warning
from ..index import VaultIndex, heading_key
from ..model import Heading, Link, Note
from ..parse.text import repair_mojibake
from ..render import PagePaths
from ..resolve import stem

IMAGES = frozenset(["avif", "bmp", "gif", "jpeg", "jpg", "png", "svg", "webp"])
AUDIO = frozenset(["flac", "m4a", "mp3", "ogg", "wav", "3gp"])
VIDEO = frozenset(["mkv", "mov", "mp4", "ogv", "webm"])
DOCUMENTS = frozenset({"pdf"})
_UNSAFE = re.compile(r'[\\/:*?"<>|#%&{}^~\[\]`\'$!@=+;,\x00-\x1f\x7f]')


def extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def slug(text: str) -> str:
    """A URL segment: lower case, dashes for spaces and unsafe characters, letters kept."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _UNSAFE.sub("-", text)
    text = re.sub(r"[\s\-]+", "-", text).strip("-.")
    return text[:100].strip("-.") or "untitled"


def anchor_for(text: str) -> str:
    """The id of a heading, from its name the way Obsidian matches heading links."""
    return "mp-h-" + slug(heading_key(text) or "section")


def block_anchor(block: str) -> str:
    return "mp-b-" + slug(block)


@lru_cache(maxsize=1 << 13)  # a page's links repeat within it; more is memory held
def relative(from_page: str, to_file: str) -> str:
    """A relative URL from one output file to another, percent-encoded (both are clean paths
    from the site's root: no ``.`` or ``..`` parts)."""
    here = from_page.split("/")[:-1]
    there = to_file.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return quote("/".join([*[".."] * (len(here) - common), *there[common:]]), safe="/#-._~")


@dataclass(frozen=True, slots=True)
class Target:
    """Where a link leads in the site."""

    url: str | None
    """Output path (with ``#anchor``) or None when there is nothing to link to."""
    path: str | None
    """The vault path the link resolved to."""
    problem: str | None = None
    """``unresolved``, ``unpublished``, ``heading`` or ``block`` when something is off."""


class Site:
    """Output paths and publication for one index."""

    def __init__(self, index: VaultIndex, config: Config, *, only_published: bool) -> None:
        self.index = index
        self.config = config
        self.only_published = only_published
        self.problems: list[Diagnostic] = []
        self.published = {n.path: self._decide(n) for n in index.sources}
        self._taken: set[str] = set()
        self.note_urls = {
            p: self._claim("notes", p[:-3] if p.lower().endswith(".md") else p, ".html")
            for p in sorted(self.published)
            if self.published[p]
        }
        self.roadmap_urls = {
            m.key: self._claim("roadmaps", m.name, ".html") for m in index.models.values()
        }
        self.tool_urls = {
            t.key: self._claim("tools", t.name, ".html") for t in index.tools.values()
        }
        self.file_urls = {
            path: self._file_url(path)
            for path in sorted(index.files)
            if path not in index.notes and not path.lower().endswith(".md")
        }
        """Every attachment's output path, claimed up front so that pages rendered in any order
        (or process) agree; only the files a published page uses are copied."""
        self.charts: dict[str, Markup] = {}
        """Business-model key -> its SVG roadmap (filled by the exporter)."""
        self.anchors = {p: note_anchors(index.notes[p]) for p in self.note_urls}
        paths = self.paths = PagePaths(index, config)
        self.generated: dict[str, str] = {paths.index: "index.html", paths.review: "review.html"}
        self.generated.update({paths.roadmaps[k]: u for k, u in self.roadmap_urls.items()})
        self.generated.update({paths.tools[k]: u for k, u in self.tool_urls.items()})
        for note in index.notes.values():
            if note.generated and note.path not in self.generated:
                kind = str(note.frontmatter.get("page", ""))
                self.generated[note.path] = "review.html" if kind == "review" else "index.html"

    def _decide(self, note: Note) -> bool:
        keys = {k.lower(): v for k, v in note.frontmatter.items()}
        if "publish" in keys and not isinstance(keys["publish"], bool):
            self.problems.append(
                warning(
                    note.path,
                    1,
                    "export.publish-not-boolean",
                    f"publish is {keys['publish']!r}, not true or false (YAML 1.2 reads yes/no as "
                    "text); the note is left out until it is a real boolean",
                )
            )
            return False
        if self.only_published:
            return keys.get("publish") is True
        return keys.get("publish") is not False

    def _claim(self, folder: str, name: str, suffix: str) -> str:
        parts = [slug(part) for part in name.split("/")]
        base = "/".join([folder, *parts])
        candidate, number = base + suffix, 1
        while candidate in self._taken:
            number += 1
            candidate = f"{base}-{number}{suffix}"
        self._taken.add(candidate)
        return candidate

    def _file_url(self, path: str) -> str:
        name, dot, ext = path.rpartition(".")
        base = name if dot else path
        return self._claim("files", base, f".{slug(ext)}" if dot else "")

    def file_url(self, path: str) -> str:
        """The output path of an attachment."""
        url = self.file_urls.get(path)
        if url is None:  # a file the index does not list (it appeared since): claim it now
            url = self.file_urls[path] = self._file_url(path)
        return url

    def note_title(self, path: str) -> str:
        return stem(path)

    def tag_url(self, tag: str) -> str:
        """The page of a tag; nested tags nest their pages (``tags/a/b.html``)."""
        return "tags/" + "/".join(slug(part) for part in tag.lower().split("/") if part) + ".html"

    def region_model(self, what: str) -> str | None:
        """The business model whose chart a ``roadmap``/``chart`` region shows, if known."""
        match = re.match(r'^(roadmap|chart)\s+"?([^"]*)"?$', what.strip())
        if match is None:
            return None
        key = self.model_key(match.group(2).strip())
        return key if key in self.charts else None

    def model_key(self, name: str) -> str:
        """The key of the business model ``name`` names."""
        return self.index.model_key(name)

    def resolved(self, link: Link, source: str) -> str | None:
        """The vault path ``link`` (written in ``source``) resolves to, or None."""
        return self.index.resolve(link, source).path

    def note_blocks(self, path: str) -> tuple[tuple[str, int], ...] | None:
        """The block ids of note ``path`` (with their lines), or None when it is no note."""
        note = self.index.notes.get(path)
        return None if note is None else note.blocks

    def spot(self, path: str, heading: str | None, page: str) -> tuple[str | None, str]:
        """Where a milestone of note ``path`` under ``heading`` is written: the link to it
        from ``page`` (None: the note is not published), and the note's name with the heading."""
        url = self.note_urls.get(path)
        if url is not None and heading:
            fixed = repair_mojibake(heading)
            anchor = self.anchors[path].get(heading_key(fixed))
            url += "#" + (anchor if anchor is not None else anchor_for(fixed))
        where = self.note_title(path)
        if heading:
            where += f" › {repair_mojibake(heading)}"
        return (relative(page, url) if url else None), where

    # ----- links ------------------------------------------------------------------------------
    def target(self, link: Link, source: str) -> Target:
        """Where ``link`` (written in ``source``) leads in the site."""
        path = self.resolved(link, source)
        if path is None:
            return Target(None, None, "unresolved")
        if path in self.generated:
            return Target(self.generated[path], path)
        blocks = self.note_blocks(path)
        if blocks is None:
            if link.embed or not path.lower().endswith(".md"):
                return Target(self.file_url(path), path)
            return Target(None, path, "unresolved")
        if not self.published.get(path, False):
            return Target(None, path, "unpublished")
        url = self.note_urls[path]
        sub = link.subpath
        if not sub:
            return Target(url, path)
        if sub.startswith("^"):
            if sub[1:].lower() not in {b.lower() for b, _ in blocks}:
                return Target(url, path, "block")
            return Target(f"{url}#{block_anchor(sub[1:].lower())}", path)
        anchor = self.anchors[path].get(heading_key(repair_mojibake(sub.split("#")[-1])))
        if anchor is None:
            return Target(url, path, "heading")
        return Target(f"{url}#{anchor}", path)


class Headed(Protocol):
    """A note, or what a page knows of one: its headings."""

    @property
    def headings(self) -> Sequence[Heading]: ...


def heading_anchors(note: Headed) -> list[str]:
    """The anchor of each heading of ``note``, in order (repeated names numbered)."""
    used: set[str] = set()
    out = []
    for heading in note.headings:
        anchor = base = anchor_for(repair_mojibake(heading.text))
        number = 1
        while anchor in used:
            number += 1
            anchor = f"{base}-{number}"
        used.add(anchor)
        out.append(anchor)
    return out


def note_anchors(note: Headed) -> dict[str, str]:
    """Heading key -> anchor id; a repeated heading name links to its first occurrence."""
    anchors: dict[str, str] = {}
    for heading, anchor in zip(note.headings, heading_anchors(note), strict=True):
        anchors.setdefault(heading_key(repair_mojibake(heading.text)), anchor)
    return anchors
