"""Rendering the site of one index: note pages (many in forked workers), milepost's own pages,
the search index, the style and the attachments a published note uses.
"""

from __future__ import annotations

import contextlib
import html
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..config import Config
from ..errors import Diagnostic, warning
from ..index import VaultIndex
from ..model import Link
from ..parse.text import decode, repair_mojibake
from ..render.env import environment, package_templates, template_errors
from ..workers import forking, share
from .feeds import feed_outputs
from .markdown import render_note
from .mdpage import MAX_EMBED_DEPTH, Page, cycle_warning
from .ownpages import OwnPages
from .pages import SEARCH_TEXT, Pages, html_text, search_script
from .plain import NOTICE, PLAIN_BODY, fill
from .sanitize import finish, sanitize
from .sections import section
from .shape import Site, heading_anchors, relative
from .writer import Output, Placed, SiteWriter

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class NoteResult:
    """A note's page and what it drew on, kept so an update can reuse it."""

    output: Output | None
    """The page, until it is written."""
    placed: Placed | None
    """The page, once written."""
    search: bytes
    """Its entry in the search index."""
    files: set[str]
    problems: list[Diagnostic]
    links: set[str]
    """The notes it links to or embeds."""


class Exporter(OwnPages):
    """Renders the site of one index."""

    def __init__(self, index: VaultIndex, config: Config, *, only_published: bool = False) -> None:
        self.index = index
        self.config = config
        self.site = Site(index, config, only_published=only_published)
        self.pages = Pages(index, self.site)
        self.env = environment(config)
        self.texts: dict[str, str] = {}
        self.search: dict[str, bytes] = {}
        """Note path -> its entry in the search index."""
        self.problems: list[Diagnostic] = list(self.site.problems)
        self.files: dict[str, set[str]] = defaultdict(set)
        """Attachment path -> the pages that use it."""
        self.note_results: dict[str, NoteResult] = {}

    # ----- reading notes ----------------------------------------------------------------------
    def text(self, path: str, *, keep: bool = True) -> str:
        """The text of note ``path``; ``keep``: remember it (notes that are embedded)."""
        cached = self.texts.get(path)
        if cached is None:
            try:
                cached = repair_mojibake(decode((self.config.vault / path).read_bytes()).text)
            except OSError:
                cached = ""
            if keep:
                self.texts[path] = cached
        return cached

    def embed(self, link: Link, target: str, page: Page) -> str:
        key = f"{target}#{link.subpath}"
        if key in page.stack or (target == page.source and not link.subpath):
            note = self.index.notes.get(page.source)
            links = note.links if note else ()
            line = next((other.line for other in links if other.raw == link.raw), 0)
            page.problems.append(
                cycle_warning(
                    page, Link(link.target, link.subpath, None, True, line, link.raw), target
                )
            )
            url = self.site.note_urls.get(target)
            href = relative(page.page, url) if url else "#"
            return f'<a class="internal" href="{html.escape(href)}">{html.escape(link.raw)}</a>'
        if page.depth >= MAX_EMBED_DEPTH:
            return f'<span class="mp-broken">{html.escape(link.raw)}</span>'
        if self.index.notes[target].large:
            return f'<div class="mp-embed">{html.escape(link.raw)}: {NOTICE}</div>'
        text = section(self.text(target), self.index.notes[target], link.subpath)
        child = Page(
            self.site,
            target,
            page.page,
            self.embed,
            page.depth + 1,
            (*page.stack, key),
            page.problems,
        )
        body = render_note(text, child)
        page.files |= child.files
        title = self.site.note_title(target) + (f" › {link.subpath}" if link.subpath else "")
        url = self.site.note_urls.get(target, "")
        return (
            f'<div class="mp-embed"><div class="mp-embed-title"><a class="internal" '
            f'href="{html.escape(relative(page.page, url))}">{html.escape(title)}</a></div>'
            f"{body}</div>"
        )

    # ----- rendering --------------------------------------------------------------------------
    def _html(self, template: str, page: str, title: str, **context: Any) -> bytes:
        depth = page.count("/")
        root = "../" * depth
        with template_errors(self.config):
            markup = self.env.get_template(f"site/{template}").render(
                page=page,
                root=root,
                title=title,
                today=self.index.today,
                site_title=self.site_title,
                config_outputs=self.config.outputs,
                **context,
            )
        return markup.encode("utf-8")

    @property
    def site_title(self) -> str:
        return self.config.vault.name

    def note_page(self, path: str, backlinks: list[str]) -> NoteResult:
        url = self.site.note_urls[path]
        note = self.index.notes[path]
        page = Page(
            self.site, path, url, self.embed, anchors=heading_anchors(note), stack=(f"{path}#",)
        )
        body: Markup
        if note.large:  # over max_note_mb: its text as it is, not rendered (see .plain)
            body = Markup(PLAIN_BODY)
        else:
            body = finish(
                sanitize(render_note(self.text(path, keep=False), page)), self.site.charts
            )
        links = [
            {"name": self.site.note_title(p), "url": relative(url, self.site.note_urls[p])}
            for p in backlinks
        ]
        tags = sorted({t.name for t in note.tags}, key=str.lower)
        data = self._html(
            "note.html.j2",
            url,
            repair_mojibake(self.site.note_title(path)),
            body=body,
            backlinks=links,
            tags=[{"name": t, "url": relative(url, self.site.tag_url(t))} for t in tags],
            source=path,
        )
        if note.large:
            data, start = fill(data, self.config.vault / path)
            text = start[:SEARCH_TEXT]
        else:
            text = html_text(body)
        return NoteResult(
            Output(url, data, path),
            None,
            self.pages.search_entry(path, text),
            page.files,
            page.problems,
            set(page.links),
        )

    def note_pages(
        self,
        paths: list[str],
        writer: SiteWriter,
        progress: Progress | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> None:
        """Render and write the pages of ``paths``. Many are rendered in forked worker processes
        too, which inherit this exporter (index, site, templates) instead of receiving a copy;
        this process writes every page as it arrives. ``meanwhile``: other work for this
        process while the workers start."""
        global _FORKED  # noqa: PLW0603 (what a forked worker renders with)
        backlinks = self.backlinks()
        done = 0

        def here(chunk: list[tuple[str, list[str]]]) -> None:
            nonlocal done
            for path, links in chunk:
                self._take(path, self.note_page(path, links), writer)
                done += 1
                if progress is not None and done % 25 == 0:
                    progress(done, len(paths))

        def received(results: list[tuple[str, NoteResult]]) -> None:
            nonlocal done
            for path, result in results:
                self._take(path, result, writer)
            done += len(results)
            if progress is not None:
                progress(done, len(paths))

        context = forking() if len(paths) >= PARALLEL_PAGES else None
        workers = (self.config.jobs or os.cpu_count() or 1) - 1 if context is not None else 0
        work = [(p, backlinks.get(p, [])) for p in paths]
        size = max(1, len(work) // ((workers + 1) * 16))
        chunks = [work[i : i + size] for i in range(0, len(work), size)]
        _FORKED = self
        try:
            share(
                chunks,
                here,
                _render_pages,
                received,
                workers=workers,
                context=context,
                meanwhile=meanwhile,
            )
        finally:
            _FORKED = None
        if progress is not None:
            progress(len(paths), len(paths))

    def _take(self, path: str, result: NoteResult, writer: SiteWriter) -> None:
        if result.output is not None:
            result.placed = writer.put(result.output)
            result.output = None  # its bytes are on disk now
        else:
            assert result.placed is not None, "a note page is either rendered or written"
            writer.keep(result.placed)
        self.note_results[path] = result
        self.problems.extend(result.problems)
        for file in result.files:
            self.files[file].add(path)
        self.search[path] = result.search

    def backlinks(self) -> dict[str, list[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for source in self.site.note_urls:
            for link in self.index.notes[source].links:
                target = self.index.resolve(link, source).path
                if target and target != source and target in self.site.note_urls:
                    found[target].add(source)
        return {k: sorted(v) for k, v in found.items()}

    def outputs(
        self,
        writer: SiteWriter,
        progress: Progress | None = None,
        reuse: dict[str, NoteResult] | None = None,
        again: set[str] | None = None,
    ) -> None:
        """Render every file of the site into ``writer``. The SVG charts are drawn first (note
        pages embed them); this process renders the other pages while worker processes start on
        the note pages. With ``reuse``, a note's earlier page is kept unless its path is in
        ``again``."""
        models = self.pages.visible_models()
        for model in models:
            self.pages.chart(model)
        notes = sorted(self.site.note_urls)
        kept: dict[str, NoteResult] = {}
        if reuse is not None and again is not None:
            kept = {p: reuse[p] for p in notes if p not in again and p in reuse}
        for path, result in kept.items():
            self._take(path, result, writer)

        def site_pages() -> None:
            for output in self.roadmap_pages(models):
                writer.put(output)
            for output in self.index_pages(notes):
                writer.put(output)
            for output in feed_outputs(self):
                writer.put(output)

        self.note_pages([p for p in notes if p not in kept], writer, progress, site_pages)
        writer.put(
            Output(
                "assets/search-index.js",
                search_script(self.pages.search_entries(self.search)),
                "the search index",
            )
        )
        static = package_templates() / "site" / "static"
        for asset in sorted(static.iterdir()):
            writer.put(
                Output(
                    f"assets/{asset.name}", asset.read_bytes(), "milepost's style and search script"
                )
            )
        for file in sorted(self.files):
            url = self.site.file_urls[file]
            with contextlib.suppress(OSError):
                data = (self.config.vault / file).read_bytes()
                users = ", ".join(sorted(self.files[file]))
                writer.put(Output(url, data, f"{file} (used by {users})"))

    def diagnostics(self) -> list[Diagnostic]:
        """Link problems in published notes, and what the export itself found. The link findings
        are the index's, the same as every other command reports (a link that differs from its
        note only in case is no problem here: the site's URLs are lower-cased, and Obsidian
        resolves it too)."""
        published = self.site.note_urls
        codes = {"link.unresolved", "link.ambiguous", "link.heading-missing", "link.block-missing"}
        found = [d for d in self.index.diagnostics() if d.code in codes and d.path in published]
        for source in published:
            for link in self.index.notes[source].links:
                resolution = self.index.resolve(link, source)
                if (
                    resolution.path in self.site.published
                    and not self.site.published[resolution.path]
                ):
                    found.append(
                        warning(
                            source,
                            link.line,
                            "export.link-unpublished",
                            f"{link.raw or link.target} points to a note that is not published; "
                            "shown as plain text",
                        )
                    )
        found.extend(self.problems)
        return sorted({d for d in found if not self.config.is_silenced(d.code)})


PARALLEL_PAGES = 100
"""From this many note pages on, worker processes render some of them."""
_FORKED: Exporter | None = None
"""The exporter whose pages a forked worker renders."""


def _render_pages(chunk: list[tuple[str, list[str]]]) -> list[tuple[str, NoteResult]]:
    """In a forked worker: render note pages with the exporter inherited from the parent."""
    exporter = _FORKED
    assert exporter is not None, "note pages are rendered only in forked workers"
    return [(path, exporter.note_page(path, links)) for path, links in chunk]
