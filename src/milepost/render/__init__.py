"""Render the pages milepost writes into the vault: (path, text) values, no I/O.

One roadmap per business model, one page per tool, an index and this month's review, plus the
content of every managed region (``%% milepost:begin <what> %%``) in the vault's notes. The same
index and today always give byte-identical text.

A :class:`Renderer` keeps what it rendered: after an update only the pages the
:class:`~milepost.index.Delta` names are rendered again, and each milestone's Markdown is reused
until its note changes, so a save in a large vault re-renders little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..errors import Diagnostic, warning
from ..index import BusinessModel, Delta, Entry, VaultIndex
from ..resolve import norm, stem
from .env import environment, render, template_errors
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


@dataclass(slots=True)
class Rendered:
    pages: list[Page] = field(default_factory=list)
    """The pages rendered this time; the other pages are as the last render left them."""
    regions: list[Region] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    produced: set[str] = field(default_factory=set)
    """The path of every generated page, rendered this time or not."""

    @property
    def fresh(self) -> set[str]:
        """Paths of the pages rendered this time."""
        return {page.path for page in self.pages}


def safe_name(name: str) -> str:
    """A file name Obsidian and every file system accept, and that links cannot misread."""
    cleaned = " ".join(_UNSAFE_NAME.sub("-", name).split()).strip(". ")
    return cleaned[:NAME_LIMIT].rstrip(". ") or "untitled"


class PagePaths:
    """Names for generated pages that no user note shares, so links to them are unambiguous."""

    def __init__(self, index: VaultIndex, config: Config) -> None:
        self.output = config.output
        generated = {path for path, note in index.notes.items() if note.generated}
        self.taken = {norm(stem(p)) for p in index.files if p not in generated}
        self.roadmaps = {
            m.key: self._claim("Models", f"Roadmap – {m.name}") for m in index.models.values()
        }
        self.tools = {t.key: self._claim("Tools", f"Tool – {t.name}") for t in index.tools.values()}
        self.index = self._claim("", "Milestone index")
        self.review = self._claim("Reviews", f"Plan review {index.today:%Y-%m}")

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
        return (self.roadmaps, self.tools, self.index, self.review)


_REGION = re.compile(r'^(?P<kind>[a-z]+)(?:\s+(?:"(?P<quoted>[^"]*)"|(?P<bare>.+)))?$')


class Renderer:
    """Renders a vault's pages and regions, reusing what did not change since the last render."""

    def __init__(self, config: Config, *, remember: bool = True) -> None:
        self.config = config
        self.remember = remember
        """Keep each milestone's Markdown for the next render (a watching session does; a
        one-shot build renders once and keeps nothing)."""
        self._items: dict[int, tuple[Entry, bytes]] = {}
        """Each milestone's Markdown, as UTF-8 (see :class:`Page`), by its entry."""
        self._roadmaps: dict[str, str] = {}
        self._tools: dict[str, str] = {}
        """The path each business model's and tool's page was last rendered to: only pages
        whose content may have changed are rendered again (and only they are kept in memory)."""
        self._sections: dict[str, str | None] = {}
        self._regions: dict[str, str | None] = {}
        self._paths: tuple[object, ...] | None = None
        self._macros: Any = None

    def item_text(self, entry: Entry) -> str:
        cached = self._items.get(id(entry))
        if cached is not None and cached[0] is entry:
            return cached[1].decode("utf-8")
        with template_errors(self.config):
            if self._macros is None:
                self._macros = environment(self.config).get_template("_macros.md.j2").module
            text = str(self._macros.item(self._views.item(entry))).rstrip("\n")
        if self.remember:
            self._items[id(entry)] = (entry, text.encode("utf-8"))
        return text

    def _page(self, template: str, **context: object) -> str:
        return render(self.config, template, today=self._index.today, page=True, **context)

    def render(
        self, index: VaultIndex, delta: Delta | None = None, wanted: frozenset[str] = frozenset()
    ) -> Rendered:
        """The pages and regions ``delta`` touches (everything without one), and the pages
        whose paths are ``wanted`` (changed on disk, so they must be checked)."""
        paths = PagePaths(index, self.config)
        everything = delta is None or delta.everything or paths.signature() != self._paths
        if everything:
            self._items.clear()
            self._roadmaps.clear()
            self._tools.clear()
            self._sections.clear()
        models = frozenset(index.models) if everything or delta is None else delta.models
        tools = frozenset(index.tools) if everything or delta is None else delta.tools
        self._paths = paths.signature()
        self._index = index
        self._views = views = Views(index, paths.roadmaps, paths.tools, self.item_text)
        out = Rendered()
        self._live_items(index)
        for model in index.models.values():
            path = paths.roadmaps[model.key]
            if model.key in models or model.key not in self._roadmaps or path in wanted:
                text = self._page("roadmap.md.j2", view=views.roadmap(model))
                out.pages.append(Page.of(path, text, "roadmap", model.key))
                self._roadmaps[model.key] = path
        for tool in index.tools.values():
            path = paths.tools[tool.key]
            if tool.key in tools or tool.key not in self._tools or path in wanted:
                text = self._page("tool.md.j2", view=views.tool(tool))
                out.pages.append(Page.of(path, text, "tool", tool.key))
                self._tools[tool.key] = path
        for cache, live in ((self._roadmaps, index.models), (self._tools, index.tools)):
            for key in set(cache) - set(live):
                del cache[key]
        overview = views.overview(paths.review)
        out.pages.append(Page.of(paths.index, self._page("index.md.j2", view=overview), "index"))
        out.pages.append(
            Page.of(paths.review, self._page("review.md.j2", view=self._review(models)), "review")
        )
        out.produced = {*self._roadmaps.values(), *self._tools.values(), paths.index, paths.review}
        self._render_regions(index, out, models if not everything else None)
        return out

    def _live_items(self, index: VaultIndex) -> None:
        """Forget the Markdown of milestones that are no longer in the index."""
        if len(self._items) > 2 * max(1, index.milestone_count()):
            live = {id(e) for m in index.models.values() for e in m.entries}
            self._items = {k: v for k, v in self._items.items() if k in live}

    def _review(self, changed: frozenset[str]) -> dict[str, object]:
        sections: list[str] = []
        quiet: list[BusinessModel] = []
        for model in self._index.models.values():
            if model.key in changed or model.key not in self._sections:
                view = self._views.review_section(model)
                text = None
                if view is not None:
                    text = render(
                        self.config, "_review_model.md.j2", section=view, page=True
                    ).rstrip("\n")
                self._sections[model.key] = text
            section = self._sections[model.key]
            if section is None:
                quiet.append(model)
            else:
                sections.append(section)
        for key in set(self._sections) - set(self._index.models):
            del self._sections[key]
        return self._views.review(sections, quiet)

    def _render_regions(
        self, index: VaultIndex, out: Rendered, changed: frozenset[str] | None
    ) -> None:
        if changed is None:
            self._regions.clear()
        for note in index.sources:
            for what, line in note.regions:
                if what not in self._regions or self._region_depends(what, changed):
                    self._regions[what] = self._region_text(what)
                content = self._regions[what]
                if content is None:
                    out.diagnostics.append(
                        warning(
                            note.path,
                            line,
                            "region.unknown",
                            f'milepost does not know the region {what!r}; use roadmap "<model>", '
                            'chart "<model>", milestones "<model>", tool "<tool>", index or review',
                        )
                    )
                else:
                    out.regions.append(Region(note.path, what, content))

    def _region_depends(self, what: str, changed: frozenset[str] | None) -> bool:
        if changed is None:
            return True
        kind, name = _region_parts(what)
        if kind in ("roadmap", "chart", "milestones"):
            return self._index.model_key(name) in changed or not name
        return True

    def _region_text(self, what: str) -> str | None:
        """The content of a managed region, or None when ``what`` names nothing milepost makes."""
        kind, name = _region_parts(what)
        index, views, config = self._index, self._views, self.config
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
            review = PagePaths(index, config).review
            return render(
                config, "_index_body.md.j2", view=views.overview(review), today=today, page=False
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


def _region_parts(what: str) -> tuple[str, str]:
    match = _REGION.match(what.strip())
    if match is None:
        return "", ""
    return match.group("kind"), str(match.group("quoted") or match.group("bare") or "").strip()


def render_vault(index: VaultIndex, config: Config) -> Rendered:
    """Every generated page and managed region of the vault, rendered afresh."""
    return Renderer(config).render(index)
