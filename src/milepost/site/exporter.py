"""Rendering the site of one index: note pages (many in forked workers), milepost's own pages,
the search index, the style and the attachments a published note uses.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, BinaryIO

from ..config import Config
from ..errors import Diagnostic
from ..index import VaultIndex
from ..model import Link
from ..render.env import environment, package_templates
from ..workers import forking, most_workers, share
from . import scratch
from .feeds import feed_outputs
from .heap import give_back, trim
from .kit import Kit, kit_of
from .leftovers import Leftovers, link_findings
from .mdpage import Page
from .notepage import NoteRenderer, NoteResult, page_html, page_pieces
from .ownpages import OwnPages
from .pages import Pages, search_chunks
from .pageworkers import share_with_workers
from .shape import Site
from .spool import Spilled, Spool, spill
from .writer import Output, SiteWriter, place

Progress = Callable[[int, int], None]
Work = tuple[str, list[str], str | None]
"""A note page to render: the note, the notes that link to it, the digest last written."""
Rendered = tuple[str, NoteResult, bool, Spilled | None]
"""A note page a worker rendered: the note, the result, whether the worker wrote the page (or
found it there), and where it put the search entry (None: it is in the result)."""


class Exporter(OwnPages):
    """Renders the site of one index."""

    def __init__(
        self, index: VaultIndex, config: Config, *, only_published: bool = False, keep: bool = True
    ) -> None:
        """``keep``: keep each note page's result (its search entry too), for a later update
        to reuse; without it the search entries wait in a temporary file."""
        self.index = index
        self.config = config
        self.site = Site(index, config, only_published=only_published)
        self.pages = Pages(index, self.site)
        self.env = environment(config)
        self.keep = keep
        self.search: dict[str, bytes] | Spool = {} if keep else Spool()
        """Note path -> its entry in the search index."""
        self._renderer: NoteRenderer | None = None
        self.problems: list[Diagnostic] = list(self.site.problems)
        self.files: dict[str, set[str]] = defaultdict(set)
        """Attachment path -> the pages that use it."""
        self.note_results: dict[str, NoteResult] = {}
        self.leftovers: Leftovers | None = None
        """Once the index is let go (see :meth:`let_go`): what the end of the export needs."""

    # ----- reading notes ----------------------------------------------------------------------
    @property
    def renderer(self) -> NoteRenderer:
        """Renders note pages (made once the charts are drawn: note pages embed them)."""
        if self._renderer is None:
            self._renderer = NoteRenderer(kit_of(self.index, self.site), self.env)
        return self._renderer

    def text(self, path: str, *, keep: bool = True) -> str:
        """The text of note ``path``; ``keep``: remember it (notes that are embedded)."""
        return self.renderer.text(path, keep=keep)

    def embed(self, link: Link, target: str, page: Page) -> str:
        return self.renderer.embed(link, target, page)

    # ----- rendering --------------------------------------------------------------------------
    def _html(self, template: str, page: str, title: str, **context: Any) -> bytes:
        today = self.index.today
        return page_html(
            template, page, title, env=self.env, config=self.config, today=today, **context
        )

    def _pieces(self, template: str, page: str, title: str, **context: Any) -> Iterator[bytes]:
        today = self.index.today
        return page_pieces(
            template, page, title, env=self.env, config=self.config, today=today, **context
        )

    @property
    def site_title(self) -> str:
        return self.config.vault.name

    def note_page(self, path: str, backlinks: list[str]) -> NoteResult:
        return self.renderer.note_page(path, backlinks)

    def note_pages(
        self,
        paths: list[str],
        writer: SiteWriter,
        progress: Progress | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> None:
        """Render and write the pages of ``paths``. Many are rendered in worker processes too,
        fresh ones (see :mod:`.pageworkers`; not forked from this process) that read the kit (see
        :mod:`.kit`) from a file and never see the index; this process writes every page as it
        arrives. ``meanwhile``: other work for this process while the workers start."""
        backlinks = self.backlinks()
        done = 0

        def here(chunk: list[Work]) -> None:
            nonlocal done
            for path, links, _ in chunk:
                self._take(path, self.note_page(path, links), writer)
                done += 1
                if progress is not None and done % 25 == 0:
                    progress(done, len(paths))

        def received(results: list[Rendered]) -> None:
            nonlocal done
            for path, result, written, spilled in results:
                self._take(path, result, writer, written)
                if spilled is not None and isinstance(self.search, Spool):
                    self.search.refer(path, spilled)
            done += len(results)
            if progress is not None:
                progress(done, len(paths))

        global _INHERITED  # noqa: PLW0603 (what a forked worker renders with)
        forked = forking() if len(paths) < FRESH_FROM else None
        context = forked or fresh_context() if len(paths) >= PARALLEL_PAGES else None
        workers = (self.config.jobs or os.cpu_count() or 1) - 1 if context is not None else 0
        work = [(p, backlinks.get(p, []), writer.known.get(self.site.note_urls[p])) for p in paths]
        size = max(1, len(work) // ((workers + 1) * 16))
        chunks = [work[i : i + size] for i in range(0, len(work), size)]
        parallel = workers > 0 and len(chunks) > 1
        fresh = parallel and forked is None
        _INHERITED = self.renderer if parallel and forked is not None else None
        try:
            with kit_file(self.renderer.kit) if fresh else contextlib.nullcontext("") as kit:
                there = partial(
                    _render_pages,
                    kit,
                    writer.out,
                    writer.dry_run,
                    self._spill_to(),
                    fresh=writer.fresh,
                )
                if fresh and not self.keep and sys.executable:  # plain child processes
                    count = min(workers, len(chunks) - 1, most_workers())
                    share_with_workers(
                        chunks, here, there, received, workers=count, meanwhile=meanwhile
                    )
                else:
                    share(
                        chunks,
                        here,
                        there,
                        received,
                        workers=workers if parallel else 0,
                        context=context,
                        meanwhile=meanwhile,
                    )
        finally:
            _INHERITED = None
        if progress is not None:
            progress(len(paths), len(paths))

    def _take(
        self, path: str, result: NoteResult, writer: SiteWriter, written: bool | None = None
    ) -> None:
        """Write a note page's result, or record it: ``written`` when a worker wrote it (True)
        or found it there (False), None when it is kept from an earlier export."""
        if result.output is not None:
            result.placed = writer.put(result.output)
            result.output = None  # its bytes are on disk now
        else:
            assert result.placed is not None, "a note page is either rendered or written"
            if written is None:
                writer.keep(result.placed)
            else:
                writer.record(result.placed, written=written)
        self.problems.extend(result.problems)
        for file in result.files:
            self.files[file].add(path)
        if result.search:  # else a worker put it in the spool
            self.search[path] = result.search
        if self.keep:
            self.note_results[path] = result

    def _spill_to(self) -> str | None:
        """The folder workers put search entries in (None: they send them with the page)."""
        return self.search.folder.name if isinstance(self.search, Spool) else None

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
        ``again``. Without ``keep``, the index is let go once the own pages are written."""
        self._charts()
        notes = sorted(self.site.note_urls)
        kept: dict[str, NoteResult] = {}
        if reuse is not None and again is not None:
            kept = {p: reuse[p] for p in notes if p not in again and p in reuse}
        for path, result in kept.items():
            self._take(path, result, writer)

        def site_pages() -> None:
            for output in self.roadmap_pages(self.pages.visible_models()):
                writer.put_any(output)
            trim()
            for output in self.index_pages(notes):
                writer.put_any(output)
            trim()
            for feed in feed_outputs(self):
                writer.put_any(feed)
                del feed  # not held while the next one is made
                trim()  # a business model's feed and picture are megabytes each
            self.pages.forget()
            if not self.keep:
                self.let_go()  # note pages need only the kit
            give_back()  # before this process renders note pages too

        self.note_pages([p for p in notes if p not in kept], writer, progress, site_pages)
        if self.leftovers is None:
            entries = self.pages.search_entries(self.search)
        else:
            entries = self.leftovers.search_entries(self.site.note_urls, self.search)
        writer.put_chunks("assets/search-index.js", search_chunks(entries), "the search index")
        if isinstance(self.search, Spool):
            self.search.close()
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

    def _charts(self) -> None:
        """Draw the roadmaps' SVG charts (note pages embed them)."""
        for model in self.pages.visible_models():
            self.pages.chart(model)

    def let_go(self) -> None:
        """Keep what the rest of the export needs of the index (:class:`.Leftovers`), then drop
        this exporter's references to it: note pages are rendered from the kit, and the site's
        shape is the kit's from here on. The index's memory is freed when the caller holds no
        reference either (as :func:`milepost.site.export` does)."""
        renderer = self.renderer  # made from the index
        self.leftovers = Leftovers(
            tuple(self.pages.own_search_entries()), tuple(link_findings(self.index, self.site))
        )
        self.site = renderer.site
        del self.pages, self.index

    def diagnostics(self) -> list[Diagnostic]:
        """Link problems in published notes (see :func:`.link_findings`), and what the export
        itself found."""
        if self.leftovers is not None:
            found = list(self.leftovers.link_findings)
        else:
            found = link_findings(self.index, self.site)
        found.extend(self.problems)
        return sorted({d for d in found if not self.config.is_silenced(d.code)})


PARALLEL_PAGES = 100
"""From this many note pages on, worker processes render some of them."""
FRESH_FROM = 2000
"""From this many note pages on, the workers start fresh (from a fork server) and read the kit
from a file; below it they are forked from this process (no start-up: the modules, templates
and the renderer are there) and render with its renderer: a forked worker ends up with its own
copy of most of the index (reference counts, allocations), which costs little when it is small.
"""
_INHERITED: NoteRenderer | None = None
"""The renderer a forked worker renders with."""
_RENDERER: tuple[str, NoteRenderer] | None = None
"""In a worker: the kit file it read, and the renderer made from it."""
_SPILL: tuple[str, str, BinaryIO] | None = None
"""In a worker: the spool folder, and the name and handle of its file there."""


def fresh_context() -> BaseContext:
    """Worker processes that start without this process's memory, when they are not plain
    child processes (see :mod:`.pageworkers`; a one-shot export uses those): from a fork server
    that has imported the renderer once for every round of a watched site (a worker forked from
    this process would, by reference counts and allocations, end up with its own copy of most
    of the index), else spawned."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        multiprocessing.set_forkserver_preload(["milepost.site.notepage"])
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def kit_file(kit: Kit) -> Iterator[str]:
    """The kit, pickled into a temporary file for the workers (removed afterwards)."""
    handle, name = tempfile.mkstemp(prefix=scratch.prefix("kit"))
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(kit.to_send(), out, protocol=pickle.HIGHEST_PROTOCOL)  # never whole
        yield name
    finally:
        Path(name).unlink(missing_ok=True)


def _render_pages(
    kit: str, out: Path, dry_run: bool, spill_to: str | None, chunk: list[Work], *, fresh: bool
) -> list[Rendered]:
    """In a worker: render note pages from the kit in the file ``kit`` (read once) and write
    them into the site in ``out`` (the parent keeps no page's bytes). With ``spill_to``, the
    search entries go to a file of this worker in that folder, and what an update of the site
    would reuse is not sent. ``fresh``: the site's folder was empty when the export began."""
    global _RENDERER, _SPILL  # noqa: PLW0603 (made once per worker)
    if not kit:  # forked: the parent's renderer
        assert _INHERITED is not None, "a worker without a kit file is forked"
        _RENDERER = ("", _INHERITED)
    elif _RENDERER is None or _RENDERER[0] != kit:
        with Path(kit).open("rb") as handle:
            _RENDERER = (kit, NoteRenderer(pickle.load(handle)))  # this process's own file
    renderer = _RENDERER[1]
    if spill_to is not None and (_SPILL is None or _SPILL[0] != spill_to):
        name = f"worker-{os.getpid()}"
        _SPILL = (spill_to, name, (Path(spill_to) / name).open("ab"))
    done: list[Rendered] = []
    for path, links, known in chunk:
        result = renderer.note_page(path, links)
        assert result.output is not None, "a page just rendered has its bytes"
        result.placed, written = place(out, result.output, known, dry_run, fresh=fresh)
        result.output = None
        spilled = None
        if spill_to is not None and _SPILL is not None:
            spilled = spill(_SPILL[2], _SPILL[1], result.search)
            result.search, result.links = b"", set()
        done.append((path, result, written, spilled))
    return done
