"""What a note page is rendered from, without the index: a :class:`Kit`.

A worker process that renders note pages reads the kit from one pickled file into
objects of its own. It never touches the index it was forked beside, so the pages of the index
stay shared with the parent (a forked worker that read the index raised every object's reference
count and so ended up with its own copy of most of it). The kit holds only what pages and links
need: where every page goes, what is published, how names resolve, each published note's
headings, block ids and tags, and the roadmap charts.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from markupsafe import Markup

from ..config import Config
from ..model import Heading, Link
from ..parse.text import name_key
from ..resolve import NameTable
from .shape import Site, note_anchors

if TYPE_CHECKING:
    from ..index import VaultIndex


@dataclass(frozen=True, slots=True)
class Facts:
    """What a page needs of one published note besides its text."""

    headings: tuple[Heading, ...]
    blocks: tuple[tuple[str, int], ...]
    tags: tuple[str, ...]
    """Its tags' names, as the note has them."""
    large: bool
    embeds: dict[str, int]
    """Source text of each embed it holds (and ``""``) -> the line it is first on."""


@dataclass(slots=True)
class Kit:
    """Everything note pages are rendered from; picklable, and free of the index's objects once
    pickled."""

    config: Config
    today: date
    note_urls: dict[str, str]
    published: dict[str, bool]
    generated: dict[str, str]
    file_urls: dict[str, str]
    taken: set[str]
    anchors: dict[str, dict[str, str]]
    charts: dict[str, Markup]
    by_path: dict[str, str]
    by_name: dict[str, list[str]]
    notes: frozenset[str]
    """Every note of the vault (published or not)."""
    model_keys: dict[str, str]
    """Business-model name key -> its key, for names that are an alias."""
    facts: dict[str, Facts]

    def blob(self) -> bytes:
        return pickle.dumps(self.to_send(), protocol=pickle.HIGHEST_PROTOCOL)

    def to_send(self) -> Kit:
        """This kit as a worker gets it: without the heading anchors of every note, which it
        works out from the facts for the notes its pages link to (a quarter of the kit)."""
        return replace(self, anchors=Anchors(self.facts))


class Anchors(dict[str, dict[str, str]]):
    """Note path -> heading key -> anchor id, worked out from the kit's facts when first
    asked for."""

    __slots__ = ("facts",)

    def __init__(self, facts: dict[str, Facts]) -> None:
        super().__init__()
        self.facts = facts

    def __missing__(self, path: str) -> dict[str, str]:
        found = self[path] = note_anchors(self.facts[path])
        return found


def kit_of(index: VaultIndex, site: Site) -> Kit:
    """The kit of ``site``, once its charts are drawn."""
    facts = {}
    shown = [*site.note_urls, *(p for p in site.generated if p in index.notes)]
    for path in shown:  # published notes, and milepost's pages (an embed shows them too)
        note = index.notes[path]
        embeds: dict[str, int] = {}
        for link in note.links:
            if link.raw.startswith("!") or not link.raw:
                embeds.setdefault(link.raw, link.line)
        facts[path] = Facts(
            note.headings, note.blocks, tuple(t.name for t in note.tags), note.large, embeds
        )
    return Kit(
        config=site.config,
        today=index.today,
        note_urls=site.note_urls,
        published=site.published,
        generated=site.generated,
        file_urls=site.file_urls,
        taken=site._taken,
        anchors=site.anchors,
        charts=site.charts,
        by_path=index.names.by_path,
        by_name=index.names.by_name,
        notes=frozenset(index.notes),
        model_keys=index.alias_to_key,
        facts=facts,
    )


class KitSite(Site):
    """A :class:`Site` answered from a kit: the same targets, without an index."""

    def __init__(self, kit: Kit) -> None:  # the base class's fields, from the kit
        self.config = kit.config
        self.only_published = False
        self.problems = []
        self.published = kit.published
        self._taken = kit.taken
        self.note_urls = kit.note_urls
        self.roadmap_urls = {}
        self.tool_urls = {}
        self.file_urls = kit.file_urls
        self.charts = kit.charts
        self.anchors = kit.anchors
        self.generated = kit.generated
        self.kit = kit
        names = NameTable(())
        names.by_path = kit.by_path
        names.by_name = kit.by_name
        self.names = names

    def model_key(self, name: str) -> str:
        key = name_key(name)
        return self.kit.model_keys.get(key, key)

    def resolved(self, link: Link, source: str) -> str | None:
        return self.names.resolve(link.target, source).path

    def note_blocks(self, path: str) -> tuple[tuple[str, int], ...] | None:
        if path not in self.kit.notes:
            return None
        facts = self.kit.facts.get(path)
        return facts.blocks if facts is not None else ()
