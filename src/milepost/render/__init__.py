"""Render the pages milepost writes into the vault: (path, text) values, no I/O.

One roadmap per business model, one page per tool, an index and this month's review, plus the
content of every managed region (``%% milepost:begin <what> %%``) in the vault's notes. The same
index and today always give byte-identical text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config import Config
from ..errors import Diagnostic, warning
from ..index import VaultIndex
from ..resolve import norm, stem
from .env import render
from .views import Views

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]')
NAME_LIMIT = 120


@dataclass(frozen=True, slots=True)
class Page:
    """A generated page: where it goes, what it says, and what it is about."""

    path: str
    text: str
    kind: str
    """``roadmap``, ``tool``, ``index`` or ``review``."""
    key: str = ""
    """The business model or tool key, for roadmap and tool pages."""


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
    regions: list[Region] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


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


def render_vault(index: VaultIndex, config: Config) -> Rendered:
    """Every generated page and managed region of the vault."""
    paths = PagePaths(index, config)
    views = Views(index, paths.roadmaps, paths.tools)
    today = index.today
    out = Rendered()
    for model in index.models.values():
        text = render(config, "roadmap.md.j2", view=views.roadmap(model), today=today, page=True)
        out.pages.append(Page(paths.roadmaps[model.key], text, "roadmap", model.key))
    for tool in index.tools.values():
        text = render(config, "tool.md.j2", view=views.tool(tool), today=today, page=True)
        out.pages.append(Page(paths.tools[tool.key], text, "tool", tool.key))
    overview = views.overview(paths.review)
    out.pages.append(
        Page(
            paths.index,
            render(config, "index.md.j2", view=overview, today=today, page=True),
            "index",
        )
    )
    review = views.review()
    out.pages.append(
        Page(
            paths.review,
            render(config, "review.md.j2", view=review, today=today, page=True),
            "review",
        )
    )
    for note in index.sources:
        for what, line in note.regions:
            content = region_text(what, views, config, paths)
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
    return out


_REGION = re.compile(r'^(?P<kind>[a-z]+)(?:\s+(?:"(?P<quoted>[^"]*)"|(?P<bare>.+)))?$')


def region_text(what: str, views: Views, config: Config, paths: PagePaths) -> str | None:
    """The content of a managed region, or None when ``what`` names nothing milepost makes."""
    match = _REGION.match(what.strip())
    if match is None:
        return None
    kind = match.group("kind")
    name = (match.group("quoted") or match.group("bare") or "").strip()
    index = views.index
    today = index.today
    if kind in ("roadmap", "chart", "milestones"):
        model = index.models.get(index.model_key(name)) if name else None
        if model is None:
            return None
        view = views.roadmap(model)
        template = {
            "roadmap": "_roadmap_body.md.j2",
            "chart": "_chart.md.j2",
            "milestones": "_milestones.md.j2",
        }[kind]
        return render(config, template, view=view, today=today, page=False)
    if kind == "tool":
        tool = next((t for t in index.tools.values() if norm(t.name) == norm(name)), None)
        if tool is None:
            return None
        return render(config, "_tool_body.md.j2", view=views.tool(tool), today=today, page=False)
    if kind == "index" and not name:
        return render(
            config, "_index_body.md.j2", view=views.overview(paths.review), today=today, page=False
        )
    if kind == "review" and not name:
        return render(config, "_review_body.md.j2", view=views.review(), today=today, page=False)
    return None
