"""Export the vault as a static site that works from ``file://``, offline, and safely.

Every published note becomes a page, rendered with the same link resolution as the index;
milepost renders its own roadmap (with an SVG timeline), tool, index and review pages from the
index instead of exporting their Markdown. Raw HTML in notes is sanitized; no path outside the
output folder is ever written; the output folder may not be the vault or contain it; a re-export
deletes only files its manifest lists; attachments are copied only when a published note uses
them.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nh3
from markupsafe import Markup

from ..config import Config
from ..discover import is_ignored
from ..errors import ConfigError, Diagnostic, WriteError, warning
from ..files import remove_empty_folders, write_atomic
from ..index import BusinessModel, VaultIndex
from ..manifest import digest
from ..model import Link
from ..parse.text import decode, repair_mojibake
from ..render.env import environment, package_templates, template_errors
from ..workers import forking, share
from .markdown import MAX_EMBED_DEPTH, Page, cycle_warning, render_note
from .pages import SEARCH_TEXT, Pages, html_text, search_script
from .plain import NOTICE, PLAIN_BODY, fill
from .site import Site, heading_anchors, relative

MANIFEST = ".milepost-export.json"
Progress = Callable[[int, int], None]

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"audio", "video", "source", "section"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir", "data-callout", "data-callout-fold", "data-task"},
    "div": {"data-chart"},
    "span": {"data-box"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "width", "height"},
    "source": {"src", "type"},
    "td": {"align", "style"},
    "th": {"align", "style"},
    "ol": {"start"},
    "details": {"open"},
}


def _only_our_ids(_tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("id", "name") and not value.startswith(("mp-", "fn-mp", "fnref-mp")):
        return None
    if attribute == "style" and not value.replace(" ", "").startswith("text-align:"):
        return None
    return value


def sanitize(markup: str) -> Markup:
    """What Obsidian would show of a note's HTML: no scripts, handlers or ``javascript:`` URLs.

    The sanitizer is the function that makes a note's HTML safe, so its result is
    :class:`~markupsafe.Markup`; nothing else is marked safe."""
    clean = nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_only_our_ids,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # nh3: the one place HTML is trusted


@dataclass(slots=True)
class Output:
    """One file of the site: where it goes, what it holds, and why it is there."""

    path: str
    data: bytes
    cause: str


@dataclass(frozen=True, slots=True)
class Placed:
    """A file of the site once written (in a dry run: planned); its bytes are not kept."""

    path: str
    cause: str
    digest: str
    size: int


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


@dataclass(slots=True)
class ExportResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    planned: list[Placed] = field(default_factory=list)
    """Every file of the site, with its cause (what ``--dry-run`` lists), by path."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Link problems in published notes, and export findings."""
    bytes: int = 0


def check_output(config: Config, out: Path) -> Path:
    """The output folder, or ConfigError when writing there could touch the vault or user files."""
    vault = config.vault.resolve()
    target = out.resolve()
    if target == vault or vault.is_relative_to(target):
        raise ConfigError(f"{out}: the export folder may not be the vault or contain it")
    if target.is_relative_to(vault):
        inside = target.relative_to(vault).as_posix()
        if not is_ignored(inside, config):
            raise ConfigError(
                f"{out}: the export folder is inside the vault; put it outside, in a dot-folder, "
                "or add it to 'ignore' in milepost.toml"
            )
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{out}: is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise ConfigError(
            f"{out}: is not empty and milepost did not create it; choose an empty folder"
        )
    return target


class Exporter:
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
            return f'<a class="internal" href="{href}">{link.raw}</a>'
        if page.depth >= MAX_EMBED_DEPTH:
            return f'<span class="mp-broken">{link.raw}</span>'
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
            f'href="{relative(page.page, url)}">{title}</a></div>{body}</div>'
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

    def roadmap_pages(self, models: list[BusinessModel]) -> Iterator[Output]:
        """The roadmap page of every business model in ``models`` and every tool page."""
        for model in models:
            url = self.site.roadmap_urls[model.key]
            yield Output(
                url,
                self._html(
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

    def index_pages(self, notes: list[str]) -> Iterator[Output]:
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
        yield Output(
            "review.html",
            self._html(
                "review.html.j2",
                "review.html",
                f"Plan review {self.index.today:%Y-%m}",
                view=self.pages.review("review.html"),
            ),
            "this month's review",
        )
        yield Output(
            "notes.html",
            self._html(
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
            yield Output(
                url,
                self._html("tag.html.j2", url, f"#{tag}", tag=tag, notes=listed),
                f"tag #{tag}",
            )

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


def section(text: str, note: Any, subpath: str) -> str:
    """The part of a note an embed shows: all of it, a heading's section, or one block."""
    if not subpath:
        return text
    lines = text.split("\n")
    if subpath.startswith("^"):
        line = next((n for b, n in note.blocks if b.lower() == subpath[1:].lower()), 0)
        if not line:
            return ""
        start = end = line - 1
        item = _LIST_ITEM.match(lines[start])
        if item is not None:  # a list item: it and what is nested under it
            depth = len(item.group(1))
            while (
                end + 1 < len(lines) and lines[end + 1].strip() and _indent(lines[end + 1]) > depth
            ):
                end += 1
            return "\n".join(line.removeprefix(" " * depth) for line in lines[start : end + 1])
        while start > 0 and lines[start - 1].strip():
            start -= 1
        while end + 1 < len(lines) and lines[end + 1].strip():
            end += 1
        return "\n".join(lines[start : end + 1])
    from ..index import heading_key

    wanted = heading_key(subpath.rsplit("#", maxsplit=1)[-1])
    headings = list(note.headings)
    for number, heading in enumerate(headings):
        if heading_key(heading.text) == wanted:
            stop = next(
                (h.line for h in headings[number + 1 :] if h.level <= heading.level), len(lines) + 1
            )
            return "\n".join(lines[heading.line - 1 : stop - 1])
    return ""


PARALLEL_PAGES = 100
"""From this many note pages on, worker processes render some of them."""
_FORKED: Exporter | None = None
"""The exporter whose pages a forked worker renders."""


def _render_pages(chunk: list[tuple[str, list[str]]]) -> list[tuple[str, NoteResult]]:
    """In a forked worker: render note pages with the exporter inherited from the parent."""
    exporter = _FORKED
    assert exporter is not None, "note pages are rendered only in forked workers"
    return [(path, exporter.note_page(path, links)) for path, links in chunk]


_MINE = re.compile(
    r'<div class="mp-chart" data-chart="([^"]*)"></div>'
    r'|<span class="mp-task" data-box="([a-z]+)"></span>'
)


def finish(body: Markup, charts: dict[str, Markup]) -> Markup:
    """Put milepost's own markup into sanitized HTML: task checkboxes and SVG roadmaps. Every
    piece put in is Markup that escaped what it holds (the charts: :func:`.svg.timeline`)."""

    def chart(match: re.Match[str]) -> Markup:
        svg = charts.get(html.unescape(match.group(1)))
        return Markup('<div class="mp-scroll">{}</div>').format(svg) if svg else Markup("")

    def box(match: re.Match[str]) -> Markup:
        if match.group(2) == "checked":
            return Markup('<input type="checkbox" disabled checked>')
        return Markup('<input type="checkbox" disabled>')

    pieces: list[Markup] = []
    at = 0
    for match in _MINE.finditer(body):
        pieces.append(Markup(body[at : match.start()]))
        pieces.append(chart(match) if match.group(1) is not None else box(match))
        at = match.end()
    pieces.append(Markup(body[at:]))
    return Markup("").join(pieces)


_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


class SiteWriter:
    """Writes the site's files as they are rendered, keeping only their digests, so the site's
    bytes are never all in memory. Only files whose bytes changed are written; no path outside
    the output folder is ever written; ``finish`` removes only files the old manifest lists."""

    def __init__(self, out: Path, *, dry_run: bool, known: dict[str, str] | None = None) -> None:
        """``known``: path -> digest of what this process last wrote there, so an unchanged
        file need not even be read."""
        self.out = out
        self.dry_run = dry_run
        self.known = known or {}
        self.result = ExportResult()
        self.digests: dict[str, str] = {}

    def put(self, output: Output) -> Placed:
        target = (self.out / output.path).resolve()
        if not target.is_relative_to(self.out):
            raise WriteError(f"{output.path}: would be written outside {self.out}; refused")
        placed = Placed(output.path, output.cause, digest(output.data), len(output.data))
        if self.known.get(output.path) == placed.digest:
            self.keep(placed)
            return placed
        try:
            same = target.read_bytes() == output.data
        except OSError:
            same = False
        if same:
            self.keep(placed)
            return placed
        self._list(placed)
        self.result.written.append(output.path)
        if not self.dry_run:
            write_atomic(target, output.data, durable=False)
        return placed

    def keep(self, placed: Placed) -> None:
        """A file that is already there as it should be."""
        self._list(placed)
        self.result.unchanged.append(placed.path)

    def _list(self, placed: Placed) -> None:
        self.digests[placed.path] = placed.digest
        self.result.planned.append(placed)
        self.result.bytes += placed.size

    def finish(self) -> ExportResult:
        """Remove what the old manifest lists and this site no longer has; write the manifest."""
        result = self.result
        manifest_path = self.out / MANIFEST
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError):
            old = {}
        for path in sorted(set(old) - set(self.digests)):
            target = (self.out / path).resolve()
            if not target.is_relative_to(self.out) or path == MANIFEST:
                continue
            result.removed.append(path)
            if not self.dry_run:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
                remove_empty_folders(target.parent, self.out)
        if not self.dry_run:
            self.out.mkdir(parents=True, exist_ok=True)
            files = dict(sorted(self.digests.items()))
            data = json.dumps({"generator": "milepost", "files": files}, indent=1)
            write_atomic(manifest_path, data.encode(), durable=False)
        result.planned.sort(key=lambda placed: placed.path)
        result.written.sort()
        result.unchanged.sort()
        return result


def export(
    index: VaultIndex,
    config: Config,
    out: Path,
    *,
    only_published: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the vault of ``index`` into ``out``."""
    target = check_output(config, out)
    exporter = Exporter(index, config, only_published=only_published or config.only_published)
    writer = SiteWriter(target, dry_run=dry_run)
    exporter.outputs(writer, progress)
    result = writer.finish()
    result.diagnostics = exporter.diagnostics()
    return result


class SiteSession:
    """Keeps an exported site fresh while watching: only pages a change reaches are rendered."""

    def __init__(self, config: Config, out: Path, *, only_published: bool = False) -> None:
        self.config = config
        self.target = check_output(config, out)
        self.only_published = only_published or config.only_published
        self.notes: dict[str, NoteResult] = {}
        self.written: dict[str, str] = {}
        """Path -> digest of every file of the site as last written."""

    def export(self, index: VaultIndex, changed: list[str] | None = None) -> ExportResult:
        """Export again; ``changed``: the vault paths that changed (None: render everything)."""
        exporter = Exporter(index, self.config, only_published=self.only_published)
        again = None
        same_notes = set(exporter.site.note_urls) == set(self.notes)
        if changed is not None and same_notes and self.notes:
            touched = set(changed)
            again = set(touched)
            for path, earlier in self.notes.items():
                if earlier.links & touched:
                    again.add(path)  # it links to or embeds a changed note
            for path in touched & set(self.notes):
                again |= self.notes[path].links  # their backlinks may have changed
            for path in touched:
                note = index.notes.get(path)
                if note is not None:
                    again |= {t for link in note.links if (t := index.resolve(link, path).path)}
        writer = SiteWriter(self.target, dry_run=False, known=self.written)
        exporter.outputs(writer, reuse=self.notes, again=again)
        done = writer.finish()
        done.diagnostics = exporter.diagnostics()
        self.notes = exporter.note_results
        self.written = writer.digests
        return done


__all__ = [
    "ExportResult",
    "Exporter",
    "Placed",
    "SiteSession",
    "SiteWriter",
    "check_output",
    "export",
    "sanitize",
]
