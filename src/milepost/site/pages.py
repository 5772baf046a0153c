"""The site's own pages: roadmaps with SVG timelines, tools, the home page (milestone index),
the monthly review, tag pages, the list of notes and the search index. Only published notes and
their milestones appear anywhere.

Which milestones a page lists, in which groups and order, and how they are counted is decided by
the page views in :mod:`milepost.render.pageviews`, and each milestone is the same
:class:`~milepost.render.views.Item` the vault's Markdown pages show; this module adds only what a
site needs besides: URLs, and text without Markdown link syntax."""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..index import BusinessModel, Entry, Tool, VaultIndex
from ..parse.text import repair_mojibake
from ..render.pageviews import (
    Group,
    IndexView,
    ReviewView,
    RoadmapView,
    index_view,
    review_view,
    roadmap_view,
    tool_view,
)
from ..render.planning import blocked
from ..render.views import Item, Views
from ..render.wording import STATUS_LABELS
from .arrows import overlay
from .itemhtml import item_html, own_item_macro
from .shape import Site, relative
from .svg import timeline

_WIKILINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_TAGS_RE = re.compile(r"<[^>]+>")
_SVG_RE = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def plain(text: str) -> str:
    """Markdown written in a title or description, as plain text (links keep their names)."""
    return _WIKILINK.sub(lambda m: m.group(1).rsplit("/", 1)[-1], text)


def html_text(markup: str) -> str:
    """The visible text of HTML milepost rendered (for the search index), without the text of
    its SVG charts (their tooltips repeat every title)."""
    return " ".join(html.unescape(_TAGS_RE.sub(" ", _SVG_RE.sub(" ", markup))).split())


@dataclass(frozen=True, slots=True)
class Shown:
    """A milestone's :class:`Item` on a page of the site, with the link to where it is written."""

    item: Item
    url: str | None
    """Its note's page (at its heading), relative to the page it is shown on."""
    where: str
    """The note's name, and the heading it is under."""
    fast: bool = False
    """Whether the ``item`` macro is milepost's own (see :mod:`.itemhtml`)."""

    @property
    def html(self) -> Markup | None:
        """This milestone's HTML, made without the ``item`` macro (None: the vault's
        templates replace the macro, so the template calls it)."""
        return item_html(self) if self.fast else None

    @property
    def title(self) -> str:
        return plain(self.item.title)

    @property
    def status(self) -> str:
        return self.item.status

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.item.status]

    @property
    def owner(self) -> str | None:
        return plain(self.item.owner) if self.item.owner else None

    @property
    def description(self) -> str:
        return plain(self.item.description)

    @property
    def line(self) -> int:
        return self.item.entry.milestone.line


class Pages:
    """Views of the site's pages; every list goes through the publish predicate."""

    def __init__(self, index: VaultIndex, site: Site) -> None:
        self.index = index
        self.site = site
        self.views = Views(index, site.paths.roadmaps, site.paths.tools, lambda _: "")
        self._entries: dict[str, list[Entry]] = {}
        """Business-model key -> its published milestones (every tool page counts them)."""
        self._roadmaps: dict[str, RoadmapView] = {}
        self._spots: tuple[str, dict[tuple[str, str | None], tuple[str | None, str]]] = ("", {})
        """The page whose milestones are being listed, and where each (note, heading) of it
        links to (see :meth:`item`)."""
        self.fast_items = own_item_macro(site.config)
        """Milestones' HTML is made by :func:`.item_html` (the ``item`` macro is milepost's)."""

    def forget(self) -> None:
        """Drop the roadmap views kept for the pages that show them (once those are written)."""
        self._roadmaps.clear()
        self._spots = ("", {})

    def entries(self, model: BusinessModel) -> list[Entry]:
        entries = self._entries.get(model.key)
        if entries is None:
            published = self.site.published
            entries = [e for e in model.entries if published.get(e.path, False)]
            self._entries[model.key] = entries
        return entries

    def visible_models(self) -> list[BusinessModel]:
        return [
            m
            for m in self.index.models.values()
            if self.entries(m) or (m.note and self.site.published.get(m.note, False))
        ]

    def item(self, entry: Entry, page: str) -> Shown:
        m = entry.milestone
        if self._spots[0] != page:
            self._spots = (page, {})  # the milestones of one note, under one heading, in a row
        spot = (entry.path, m.heading)
        found = self._spots[1].get(spot)
        if found is None:
            found = self._spots[1][spot] = self.site.spot(entry.path, m.heading, page)
        return Shown(self.views.item(entry), found[0], found[1], self.fast_items)

    def roadmap_view(self, model: BusinessModel) -> RoadmapView:
        """The roadmap of ``model`` as both outputs decide it, of its published milestones."""
        view = self._roadmaps.get(model.key)
        if view is None:
            limit = self.index.config.chart_limit
            view = self._roadmaps[model.key] = roadmap_view(model, self.entries(model), limit)
        return view

    def chart(self, model: BusinessModel) -> int:
        """Draw the SVG roadmap of ``model`` into the site's charts (note pages embed them);
        the number of milestones it shows."""
        markers = self.roadmap_view(model).markers
        self.site.charts[model.key] = timeline(
            f"{model.name} roadmap",
            markers,
            self.index.today,
            model.key,
            overlay(self.index, (m.entry for m in markers)),
        )
        return len(markers)

    def _group(self, group: Group, page: str) -> dict[str, Any]:
        return {
            "label": group.label,
            "status": group.status,
            "items": [self.item(e, page) for e in group.entries],
        }

    def roadmap(self, model: BusinessModel, page: str) -> dict[str, Any]:
        view = self.roadmap_view(model)
        if model.key not in self.site.charts:
            self.chart(model)
        groups = [self._group(g, page) for g in view.groups]
        if view.undated:
            groups.append(self._group(Group("Undated", None, view.undated), page))
        tools = [
            self.index.tools[k] for k in model.tools if self._tool_visible(self.index.tools[k])
        ]
        note = model.note if model.note and self.site.published.get(model.note, False) else None
        return {
            "model": model,
            "view": view,
            "note": relative(page, self.site.note_urls[note]) if note else None,
            "summary": view.summary,
            "svg": self.site.charts[model.key],
            "charted": len(view.markers),
            "dated": view.dated_total,
            "groups": groups,
            "budgets": view.budgets,
            "tools": [
                {"name": t.name, "url": relative(page, self.site.tool_urls[t.key])} for t in tools
            ],
        }

    def _tool_visible(self, tool: Tool) -> bool:
        return any(self.site.published.get(path, False) for path, _ in tool.used_by)

    def tool(self, tool: Tool, page: str) -> dict[str, Any]:
        site = self.site
        view = tool_view(
            tool,
            self.index.models,
            self.entries,
            lambda path: site.published.get(path, False),
            empty=False,
        )
        note_url = site.note_urls.get(tool.note or "")
        return {
            "tool": tool,
            "note": relative(page, note_url) if note_url else None,
            "uses": [
                {
                    "name": site.note_title(path),
                    "url": relative(page, site.note_urls[path]),
                    "text": plain(text),
                }
                for path, text in view.uses
            ],
            "models": [
                {"name": m.name, "url": relative(page, site.roadmap_urls[m.key]), "count": n}
                for m, n in view.models
            ],
        }

    def tools(self) -> list[Tool]:
        return [t for t in self.index.tools.values() if self._tool_visible(t)]

    def index_view(self) -> IndexView:
        """The milestone overview as both outputs decide it, of published notes only."""
        published = self.site.published
        return index_view(
            ((m, self.entries(m)) for m in self.visible_models()),
            (
                (t, [p for p, _ in t.used_by if published.get(p, False)], len(t.models))
                for t in self.tools()
            ),
            self.index.today,
            next(iter(self.index.config.tags), "milestone"),
        )

    def home(self, page: str) -> dict[str, Any]:
        view = self.index_view()
        rows = [
            {
                "name": row.model.name,
                "url": relative(page, self.site.roadmap_urls[row.model.key]),
                "total": row.total,
                "counts": row.counts,
                "complete": row.complete,
            }
            for row in view.rows
        ]
        tools = [
            {
                "name": t.tool.name,
                "url": relative(page, self.site.tool_urls[t.tool.key]),
                "notes": t.notes,
            }
            for t in view.tools
        ]
        return {
            "view": view,
            "rows": rows,
            "tools": tools,
            "today": view.today,
            "notes": len(self.site.note_urls),
            "total": view.total,
            "tag": view.tag,
        }

    def review_view(self) -> ReviewView:
        """This month's review as both outputs decide it, of published milestones only."""
        return review_view(
            ((m, self.entries(m)) for m in self.visible_models()),
            self.index.today,
            self.index.config.review_limit,
            lambda model: blocked(self.index, model),
        )

    def review(self, page: str) -> dict[str, Any]:
        view = self.review_view()
        sections = [
            {
                "name": section.model.name,
                "url": relative(page, self.site.roadmap_urls[section.model.key]),
                "parts": [
                    {
                        "label": part.label,
                        "items": [self.item(e, page) for e in part.entries],
                        "more": part.more,
                    }
                    for part in section.parts
                ],
            }
            for section in view.sections
        ]
        return {"today": view.today, "last": view.last, "next": view.next, "sections": sections}

    def tags(self) -> dict[str, list[str]]:
        """Each tag (and every parent of a nested tag) -> the published notes that carry it."""
        found: dict[str, set[str]] = defaultdict(set)
        spelled: dict[str, str] = {}
        for path in self.site.note_urls:
            for tag in self.index.notes[path].tags:
                parts = tag.name.split("/")
                for depth in range(1, len(parts) + 1):
                    name = "/".join(parts[:depth])
                    key = name.lower()
                    spelled.setdefault(key, name)
                    found[key].add(path)
        return {spelled[k]: sorted(v) for k, v in sorted(found.items())}

    def search_entry(self, path: str, text: str) -> bytes:
        """The search index's entry for note ``path`` whose page shows ``text``."""
        note = self.index.notes[path]
        return search_json(
            {
                "t": self.site.note_title(path),
                "u": self.site.note_urls[path],
                "h": [repair_mojibake(plain(h.text)) for h in note.headings],
                "g": sorted({t.name for t in note.tags}),
                "x": text[:SEARCH_TEXT],
            }
        )

    def search_entries(self, notes: Mapping[str, bytes]) -> Iterator[bytes]:
        """Every entry of the search index, one by one; ``notes``: the notes' entries, by
        path."""
        for path in self.site.note_urls:
            yield notes.get(path) or self.search_entry(path, "")
        yield from self.own_search_entries()

    def own_search_entries(self) -> Iterator[bytes]:
        """The search index's entries of the roadmap and tool pages."""
        for model in self.visible_models():
            text = " ".join(plain(e.milestone.title) for e in self.entries(model))
            yield (
                search_json(
                    {
                        "t": f"{model.name} · roadmap",
                        "u": self.site.roadmap_urls[model.key],
                        "h": [],
                        "g": [],
                        "x": text[:SEARCH_TEXT],
                    }
                )
            )
        for tool in self.tools():
            yield (
                search_json(
                    {
                        "t": f"{tool.name} · tool",
                        "u": self.site.tool_urls[tool.key],
                        "h": [],
                        "g": [],
                        "x": "",
                    }
                )
            )


SEARCH_TEXT = 4000
"""How many characters of a page's text the search index holds."""


def search_json(entry: dict[str, Any]) -> bytes:
    """One entry of the search index, as the UTF-8 JSON the script holds (no ``</`` in it)."""
    data = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    return data.replace("</", "<\\/").encode()


def search_script(entries: Iterable[bytes]) -> bytes:
    """The search index as a script that sets one global (a script loads from file://, fetch
    does not)."""
    return b"".join(search_chunks(entries))


def search_chunks(entries: Iterable[bytes]) -> Iterator[bytes]:
    """The search index's script (see :func:`search_script`) piece by piece, so it need not
    be held whole."""
    yield b"window.milepostSearch = ["
    first = True
    for entry in entries:
        if not first:
            yield b","
        yield entry
        first = False
    yield b"];\n"
