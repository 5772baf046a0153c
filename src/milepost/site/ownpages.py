"""The site's own pages, drawn from the index: roadmaps, tools, the home page with the vault's
home note beside the milestone overview, the review, the list of notes and the tag pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from markupsafe import Markup

from ..config import Config
from ..errors import Diagnostic, warning
from ..index import BusinessModel, VaultIndex
from ..model import Link
from .markdown import render_note
from .mdpage import Page
from .pages import Pages
from .plain import NOTICE
from .sanitize import finish, sanitize
from .shape import Site, heading_anchors, relative
from .writer import Output, Pieces


class OwnPages:
    """The part of :class:`~milepost.site.exporter.Exporter` that renders milepost's own pages."""

    index: VaultIndex
    config: Config
    site: Site
    pages: Pages
    problems: list[Diagnostic]

    def text(self, path: str, *, keep: bool = True) -> str:
        raise NotImplementedError

    def embed(self, link: Link, target: str, page: Page) -> str:
        raise NotImplementedError

    def _html(self, template: str, page: str, title: str, **context: Any) -> bytes:
        raise NotImplementedError

    def _pieces(self, template: str, page: str, title: str, **context: Any) -> Iterator[bytes]:
        raise NotImplementedError

    def roadmap_pages(self, models: list[BusinessModel]) -> Iterator[Output | Pieces]:
        """The roadmap page of every business model in ``models`` (piece by piece: one can be
        megabytes) and every tool page."""
        for model in models:
            url = self.site.roadmap_urls[model.key]
            yield Pieces(
                url,
                self._pieces(
                    "roadmap.html.j2",
                    url,
                    f"{model.name} · roadmap",
                    view=self.pages.roadmap(model, url),
                ),
                f"business model {model.name}",
            )
        for tool in self.pages.tools():
            url = self.site.tool_urls[tool.key]
            yield Output(
                url,
                self._html(
                    "tool.html.j2", url, f"{tool.name} · tool", view=self.pages.tool(tool, url)
                ),
                f"tool {tool.name}",
            )

    def home_note(self) -> str | None:
        """The published note the home page shows: ``home`` in milepost.toml, else ``Home.md``,
        ``index.md`` or ``README.md`` at the vault's root (any case)."""
        configured = self.config.home
        wanted = [configured] if configured else ["Home.md", "index.md", "README.md"]
        by_lower = {p.lower(): p for p in self.index.notes if "/" not in p or configured}
        for name in wanted:
            path = by_lower.get(name.lower())
            if path is not None and path in self.site.note_urls:
                return path
        if configured:
            self.problems.append(
                warning(
                    str(self.config.source.name if self.config.source else "milepost.toml"),
                    1,
                    "export.home-missing",
                    f"home = {configured!r} is not a published note of the vault; the home "
                    "page shows the milestone overview alone",
                )
            )
        return None

    def home_body(self, path: str) -> Markup:
        """The home note's text, rendered for the home page (its links lead from there)."""
        note = self.index.notes[path]
        if note.large:
            return Markup("<p>{}</p>").format(NOTICE)
        page = Page(
            self.site,
            path,
            "index.html",
            self.embed,
            anchors=heading_anchors(note),
            stack=(f"{path}#",),
        )  # its problems are the note page's, reported once there
        return finish(sanitize(render_note(self.text(path, keep=False), page)), self.site.charts)

    def index_pages(self, notes: list[str]) -> Iterator[Output | Pieces]:
        """The home page, this month's review, the list of notes, and the tag pages."""
        home = self.home_note()
        yield Output(
            "index.html",
            self._html(
                "home.html.j2",
                "index.html",
                "Milestones",
                view=self.pages.home("index.html"),
                home=(
                    {
                        "name": self.site.note_title(home),
                        "url": self.site.note_urls[home],
                        "body": self.home_body(home),
                    }
                    if home
                    else None
                ),
            ),
            "the home page and the milestone overview",
        )
        yield Pieces(
            "review.html",
            self._pieces(
                "review.html.j2",
                "review.html",
                f"Plan review {self.index.today:%Y-%m}",
                view=self.pages.review("review.html"),
            ),
            "this month's review",
        )
        yield Pieces(
            "notes.html",
            self._pieces(
                "notes.html.j2",
                "notes.html",
                "All notes",
                notes=[
                    {"name": self.site.note_title(p), "path": p, "url": self.site.note_urls[p]}
                    for p in notes
                ],
            ),
            "the list of notes",
        )
        tags = self.pages.tags()
        yield Output(
            "tags/index.html",
            self._html(
                "tags.html.j2",
                "tags/index.html",
                "Tags",
                tags=[
                    {
                        "name": t,
                        "count": len(v),
                        "url": relative("tags/index.html", self.site.tag_url(t)),
                    }
                    for t, v in tags.items()
                ],
            ),
            "the list of tags",
        )
        for tag, paths in tags.items():
            url = self.site.tag_url(tag)
            listed = [
                {"name": self.site.note_title(p), "url": relative(url, self.site.note_urls[p])}
                for p in paths
            ]
            yield Pieces(
                url,
                self._pieces("tag.html.j2", url, f"#{tag}", tag=tag, notes=listed),
                f"tag #{tag}",
            )
