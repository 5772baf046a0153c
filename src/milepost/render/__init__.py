"""Render the pages milepost writes into the vault: (path, text) values, no I/O.

One roadmap per business model, one page per tool, an index and this month's review, plus the
content of every managed region (``%% milepost:begin <what> %%``) in the vault's notes. The same
index and today always give byte-identical text.

Which outputs there are, and which of them a change reaches, is :mod:`.plan`'s to say; a
:class:`Renderer` renders one output at a time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass
from typing import Any

from ..config import Config
from ..errors import Diagnostic, warning
from ..index import BusinessModel, Entry, VaultIndex
from ..memory import Memory
from ..planning import planning as dependencies_of
from ..resolve import norm, stem
from .env import environment, render, render_bytes, template_errors
from .history import Rows, portfolio
from .itemstore import ItemStore
from .planning import item_fields
from .views import Views

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]')
NAME_LIMIT = 120


@dataclass(frozen=True, slots=True)
class Page:
    """A generated page: where it goes, what it says (UTF-8), and what it is about."""

    path: str
    data: bytes
    """The page as written to disk. Kept as bytes: a page with one emoji in it would take four
    bytes per character as a ``str``, and a large vault's roadmaps are tens of megabytes."""
    kind: str
    """``roadmap``, ``tool``, ``index`` or ``review``."""
    key: str = ""
    """The business model or tool key, for roadmap and tool pages."""

    @classmethod
    def of(cls, path: str, text: str, kind: str, key: str = "") -> Page:
        return cls(path, text.encode("utf-8"), kind, key)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True, slots=True)
class Region:
    """New content for a managed region of a user's note."""

    path: str
    what: str
    """The region's name as written after ``milepost:begin``."""
    text: str


def safe_name(name: str) -> str:
    """A file name Obsidian and every file system accept, and that links cannot misread."""
    cleaned = " ".join(_UNSAFE_NAME.sub("-", name).split()).strip(". ")
    return cleaned[:NAME_LIMIT].rstrip(". ") or "untitled"


class PagePaths:
    """Names for generated pages that no user note shares, so links to them are unambiguous."""

    def __init__(self, index: VaultIndex, config: Config) -> None:
        self.output = config.output
        self.taken = {norm(stem(p)) for p in index.files if p not in index.owned}
        self.roadmaps = {
            m.key: self._claim("Models", f"Roadmap – {m.name}") for m in index.models.values()
        }
        self.tools = {t.key: self._claim("Tools", f"Tool – {t.name}") for t in index.tools.values()}
        self.index = self._claim("", "Milestone index")
        self.review = self._claim("Reviews", f"Plan review {index.today:%Y-%m}")
        self.portfolio = self._claim("", "Portfolio")

    def _claim(self, folder: str, name: str) -> str:
        base = safe_name(name)
        candidate, number = base, 1
        while norm(candidate) in self.taken:
            number += 1
            candidate = f"{base} (milepost)" if number == 2 else f"{base} (milepost {number - 1})"
        self.taken.add(norm(candidate))
        parts = (
            [self.output, folder, candidate + ".md"] if folder else [self.output, candidate + ".md"]
        )
        return "/".join(parts)

    def signature(self) -> tuple[object, ...]:
        return (self.roadmaps, self.tools, self.index, self.review, self.portfolio)


_REGION = re.compile(r'^(?P<kind>[a-z]+)(?:\s+(?:"(?P<quoted>[^"]*)"|(?P<bare>.+)))?$')
_PLAIN = (None, None)
"""What most milestones show of dependencies and history (one tuple for all of them)."""
ITEM_MEMO = 200_000
"""Most milestones whose Markdown a watching session keeps (a memo, rebuilt when dropped)."""


class Renderer:
    """Renders one output at a time. A watching session keeps each milestone's Markdown and
    each review section, by what they were made from, so a save re-renders little."""

    def __init__(self, config: Config, *, remember: bool = True) -> None:
        self.config = config
        self.remember = remember
        """Keep milestone Markdown between renders (a watching session does; a one-shot build
        renders each page once and keeps nothing)."""
        self._items: dict[int, tuple[Entry, bytes, object]] = {}
        """Each milestone's Markdown, as UTF-8 (see :class:`Page`), by its entry, with what its
        dependencies (they live in other notes) and its history showed."""
        self._sections: dict[str, tuple[str, str | None]] = {}
        """Each business model's review section, with the fingerprint it was made from."""
        self._rows: Rows = {}
        """Each business model's portfolio row, with the fingerprint it was made from (kept
        as the review sections are)."""
        self.keep_sections = False
        """Keep the review sections even when not ``remember``: a one-shot build hands them to
        the next one (:mod:`milepost.render.sections`)."""
        self.store: ItemStore | None = None
        """Milestones' Markdown kept in the cache (see :mod:`.itemstore` and
        :meth:`keep_items`)."""
        self._macros: Any = None
        self._shared: frozenset[str] | None = None
        """The names more than one note has (their milestones show the folder too)."""
        self._index: VaultIndex | None = None
        self._paths: PagePaths | None = None
        self._views: Views | None = None
        self.memory: Memory | None = None
        """The vault's history, shown on the pages (None: none)."""

    def use(self, index: VaultIndex, paths: PagePaths, memory: Memory | None = None) -> None:
        """Render from ``index`` (and the history ``memory``), linking to the pages ``paths``
        names."""
        if index is self._index and paths is self._paths and memory is self.memory:
            return
        self.memory = memory
        if self._paths is not None and paths.signature() != self._paths.signature():
            self._items.clear()
            self._sections.clear()
            self._rows.clear()
        if self.remember:  # a note whose name another shares is shown with its folder
            shared = frozenset(k for k, where in index.names.by_name.items() if len(where) > 1)
            if self._shared is not None and shared != self._shared:
                self._items.clear()
            self._shared = shared
        self._index, self._paths = index, paths
        self._views = Views(index, paths.roadmaps, paths.tools, self.item_text, memory)
        if self.store is not None:
            self.store.use(index, paths)
        if len(self._items) > ITEM_MEMO:
            self._items.clear()

    def keep_items(self, store: ItemStore | None) -> None:
        """Read and keep milestones' Markdown in ``store`` (None: no more)."""
        self.store = store
        if store is not None and self._index is not None and self._paths is not None:
            store.use(self._index, self._paths)

    @property
    def views(self) -> Views:
        assert self._views is not None, "call use() first"
        return self._views

    @property
    def index(self) -> VaultIndex:
        assert self._index is not None, "call use() first"
        return self._index

    def item_text(self, entry: Entry) -> str:
        slips = self.memory.slipped_of(entry) if self.memory is not None else None
        signature = dependencies_of(self.index).signature(entry)
        shown = _PLAIN if signature is None and slips is None else (signature, copy(slips))
        cached = self._items.get(id(entry))
        if cached is not None and cached[0] is entry and cached[2] == shown:
            return cached[1].decode("utf-8")
        store, key = self.store, None
        if store is not None:
            fields = item_fields(self.index, entry) if shown[0] is not None else None
            key = store.key(entry, (fields, shown[1]))
            kept = store.get(entry.model_key, key) if key is not None else None
            if kept is not None:
                return kept.decode("utf-8")
        with template_errors(self.config):
            if self._macros is None:
                self._macros = environment(self.config).get_template("_macros.md.j2").module
            text = str(self._macros.item(self.views.item(entry))).rstrip("\n")
        if self.remember and store is None:
            self._items[id(entry)] = (entry, text.encode("utf-8"), shown)
        if store is not None and key is not None:
            store.put(entry.model_key, key, text.encode("utf-8"))
        return text

    def _page(self, template: str, **context: object) -> bytes:
        return render_bytes(self.config, template, today=self.index.today, page=True, **context)

    def page(
        self, kind: str, path: str, key: str = "", sections: Mapping[str, str] | None = None
    ) -> Page:
        """The page of ``kind`` (about ``key``) that goes to ``path``. ``sections``: each
        business model's fingerprint, so a review reuses the sections that did not change."""
        index, views = self.index, self.views
        if kind == "roadmap":
            text = self._page("roadmap.md.j2", view=views.roadmap(index.models[key]))
            if self.store is not None:
                self.store.shown(key)
        elif kind == "tool":
            text = self._page("tool.md.j2", view=views.tool(index.tools[key]))
        elif kind == "index":
            assert self._paths is not None
            text = self._page("index.md.j2", view=views.overview(self._paths.review))
        elif kind == "review":
            text = self._page("review.md.j2", view=self._review(sections or {}))
        elif kind == "portfolio":
            rows = self._rows if self.remember or self.keep_sections else None
            text = self._page("portfolio.md.j2", view=portfolio(views, rows, sections))
        else:
            raise ValueError(f"milepost makes no page of kind {kind!r}")
        return Page(path, text, kind, key)

    def _review(self, prints: Mapping[str, str]) -> dict[str, object]:
        sections: list[str] = []
        quiet: list[BusinessModel] = []
        for model in self.index.models.values():
            print_ = prints.get(model.key, "")
            known = self._sections.get(model.key)
            if known is None or not print_ or known[0] != print_:
                view = self.views.review_section(model)
                text = None
                if view is not None:
                    text = render(
                        self.config, "_review_model.md.j2", section=view, page=True
                    ).rstrip("\n")
                known = (print_, text)
                if (self.remember or self.keep_sections) and print_:
                    self._sections[model.key] = known
            if known[1] is None:
                quiet.append(model)
            else:
                sections.append(known[1])
        return self.views.review(sections, quiet)

    def region(self, what: str) -> str | None:
        """The content of a managed region, or None when ``what`` names nothing milepost makes."""
        kind, name = region_parts(what)
        index, views, config = self.index, self.views, self.config
        today = index.today
        if kind in ("roadmap", "chart", "milestones"):
            model = index.models.get(index.model_key(name)) if name else None
            if model is None:
                return None
            template = {
                "roadmap": "_roadmap_body.md.j2",
                "chart": "_chart.md.j2",
                "milestones": "_milestones.md.j2",
            }[kind]
            return render(config, template, view=views.roadmap(model), today=today, page=False)
        if kind == "tool":
            tool = next((t for t in index.tools.values() if norm(t.name) == norm(name)), None)
            if tool is None:
                return None
            return render(
                config, "_tool_body.md.j2", view=views.tool(tool), today=today, page=False
            )
        if kind == "index" and not name:
            assert self._paths is not None
            return render(
                config,
                "_index_body.md.j2",
                view=views.overview(self._paths.review),
                today=today,
                page=False,
            )
        if kind == "review" and not name:
            sections, quiet = [], []
            for model in index.models.values():
                section = views.review_section(model)
                if section is None:
                    quiet.append(model)
                else:
                    text = render(config, "_review_model.md.j2", section=section, page=False)
                    sections.append(text.rstrip("\n"))
            view = views.review(sections, quiet)
            return render(config, "_review_body.md.j2", view=view, today=today, page=False)
        return None


def unknown_region(path: str, line: int, what: str) -> Diagnostic:
    return warning(
        path,
        line,
        "region.unknown",
        f'milepost does not know the region {what!r}; use roadmap "<model>", '
        'chart "<model>", milestones "<model>", tool "<tool>", index or review',
    )


def region_parts(what: str) -> tuple[str, str]:
    """A region's kind and the name it is about: ``roadmap "Space X"`` -> (roadmap, Space X)."""
    match = _REGION.match(what.strip())
    if match is None:
        return "", ""
    return match.group("kind"), str(match.group("quoted") or match.group("bare") or "").strip()
