"""What one process knows about one vault, and how it takes in changes.

A :class:`Session` reads the vault once (:meth:`~Session.build`), then takes in the paths that
changed (:meth:`~Session.update`): it re-reads only the notes whose bytes changed, makes the next
index with :func:`~milepost.index.apply` (the old one is left as it was), and writes through
:func:`~milepost.uptodate.bring_up_to_date`, which renders only the outputs whose inputs changed. A
file event for a page or note that holds exactly what the manifest says milepost wrote is its own
write coming back, and is not a change.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date

from .. import history
from .. import history_snapshot as snapshot
from ..cache import NoteCache, cache_folder
from ..changes import merged, sweep_temp_files
from ..config import Config
from ..discover import Discovery, SourceFile, discover, discover_file
from ..errors import Diagnostic, WriteError
from ..index import VaultIndex, apply
from ..index.kept import KeptIndex
from ..manifest import Manifest
from ..memory import Memory, Tracker
from ..ownership import reconcile
from ..reading import Progress, Scan, Timings, bulk, read_notes, sources
from ..render import Renderer
from ..render import sections as review_sections
from ..render.itemstore import ItemStore
from ..render.plan import NoteMemo, WatchPrints
from ..uptodate import BuildResult, Outputs, bring_up_to_date, vault_lock
from ..watchmemory import WatchTracker
from ..write import Change, check_output_folder
from . import update as session_update

SETTLE_ROUNDS = 3
"""Filling a region moves the lines below it; the notes are read again this many times at most,
and then for as long as the user keeps saving them while they are written (each such save is
new text that the pages must show: no event is left to announce it, since the file then holds
what milepost wrote)."""
SAVES_ROUNDS = 1000
"""A bound on that too, for a note saved without pause."""


class Session:
    """What one process knows about one vault; builds it fully, or again after changes."""

    def __init__(
        self,
        config: Config,
        today: date | None = None,
        *,
        cache: bool = True,
        read_only: bool = False,
        lasting: bool = False,
    ) -> None:
        self.config = config
        self.lasting = lasting
        """True for a session that builds again after changes (watch): it keeps what makes the
        next build fast, at the cost of memory."""
        self.read_only = read_only
        self.today = today or config.today_or_now()
        self.cache = NoteCache(config, read_only=read_only) if cache else None
        self.files: dict[str, SourceFile] = {}
        self.digests: dict[str, bytes] = {}
        self.found: dict[str, list[Diagnostic]] = {}
        """Discovery findings by path."""
        self.index: VaultIndex | None = None
        self.renderer = Renderer(config, remember=lasting)
        self.prints: NoteMemo | None = WatchPrints() if lasting else None
        """Each note's fingerprint, kept between rounds by a watching session."""
        self._manifest: Manifest | None = None
        self.memory: Memory | None = None
        """The vault's history as this session's pages show it."""
        self._tracker: Tracker | None = None
        self.later: Callable[[], bool] | None = None
        """True when more saves are waiting (a watcher's queue): feeds wait for a pause."""
        self.owed = False
        """Feeds were left for later by the last round: :meth:`catch_up` writes them."""

    # ----- reading ----------------------------------------------------------------------------
    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = Manifest.load(self.config.vault, journal=not self.read_only)
        return self._manifest

    def owned(self) -> dict[str, str]:
        return {path: record.kind for path, record in self.manifest.pages.items()}

    def scan(self, progress: Progress | None = None, discovery: Discovery | None = None) -> Scan:
        """Discover, parse (what the cache does not hold) and index the whole vault."""
        timings = Timings()
        started = time.perf_counter()
        discovery = discovery or discover(self.config)
        reconcile(self.config, discovery, self.manifest)
        self.files = {f.path: f for f in discovery.files}
        self.found = {}
        for diagnostic in discovery.diagnostics:
            self.found.setdefault(diagnostic.path, []).append(diagnostic)
        started = timings.add("discover", started)
        with bulk():
            files = sources(discovery, self.manifest.pages)
            # the notes parsed now share values with the others as they arrive (read_notes)
            notes, self.digests, parsed = read_notes(self.config, files, self.cache, progress)
            started = timings.add("parse", started)
            kept = self._kept()
            self.index = VaultIndex(
                notes,
                self.files,
                self.config,
                self.today,
                discovery.diagnostics,
                owned=self.owned(),
                kept=kept.reuse if kept is not None else None,
            )
            if kept is not None:
                kept.keep(self.index)
        timings.add("index", started)
        return Scan(self.index, discovery, timings, parsed, self.digests)

    def _kept(self) -> KeptIndex | None:
        """The index contributions kept in the cache folder (none without a cache)."""
        folder = cache_folder(self.config) if self.cache is not None else None
        if folder is None or self.cache is None:
            return None
        return KeptIndex(folder, self.cache.key, self.digests, write=not self.read_only)

    # ----- building ---------------------------------------------------------------------------
    def build(
        self, *, force: bool = False, dry_run: bool = False, progress: Progress | None = None
    ) -> BuildResult:
        """Bring the vault's generated pages and regions up to date (all of them)."""
        from .. import stamp

        check_output_folder(self.config)
        if not dry_run:  # a manifest milepost did not write stops the build before it writes
            Manifest.load(self.config.vault, journal=False)
        discovery = discover(self.config)
        if not force and self.cache is not None:
            known = stamp.answer(self.config, discovery.files, self.today)
            if known is not None:
                return known
        with self._writing(dry_run):
            if not dry_run:
                sweep_temp_files(self.config, self.manifest)
            result = self.scan(progress, discovery)
            assert self.index is not None
            self._remember(dry_run)
            folder = None if force or dry_run or self.lasting else cache_folder(self.config)
            read = review_sections.seed(self.renderer, folder) if folder is not None else ({}, {})
            with bulk(keep=False):
                out = self._round(force=force, dry_run=dry_run, timings=result.timings)
            if not dry_run:
                self.manifest.save()
            review_sections.keep(self.renderer, folder, read, set(self.index.models))
        built = BuildResult(
            out.changes,
            [*out.diagnostics, *self._history_findings()],
            len(self.index.diagnostics()),
            result.timings,
            self.index,
            parsed=result.parsed,
            rendered=out.rendered,
        )
        if not dry_run:
            stamp.save(self.config, built, self._sorted_files(), self.today)
        return built

    @contextmanager
    def _writing(self, dry_run: bool) -> Iterator[None]:
        """Hold the vault's write lock (not for a dry run); end the journal however it ends."""
        lock = nullcontext() if dry_run or self.read_only else vault_lock(self.config)
        with lock:
            try:
                yield
            finally:
                if self._manifest is not None:
                    self._manifest.close_journal()

    def _round(
        self,
        *,
        force: bool = False,
        dry_run: bool = False,
        recheck: Iterable[str] = (),
        notes: Iterable[str] | None = None,
        timings: Timings,
        first: Collection[str] = (),
    ) -> Outputs:
        """Render and write what changed; then read again the notes whose regions were filled
        (their lines moved), until nothing moves. Milestones' Markdown is read from and kept in
        the cache (a one-shot build reuses the last build's; a watching session keeps it there
        between rounds, not in memory: 76 MB at 10,000 notes). ``first``: business models whose
        roadmaps are written before the other pages (the ones a watched save shows on)."""
        folder = None if force or dry_run else cache_folder(self.config)
        if folder is None:
            return self._settle(force, dry_run, recheck, notes, timings, first=first)
        store = ItemStore(folder, self.digests)
        self.renderer.keep_items(store)
        try:
            return self._settle(force, dry_run, recheck, notes, timings, first=first)
        finally:
            store.forget()
            self.renderer.keep_items(None)

    def _settle(
        self,
        force: bool,
        dry_run: bool,
        recheck: Iterable[str],
        notes: Iterable[str] | None,
        timings: Timings,
        *,
        first: Collection[str] = (),
    ) -> Outputs:
        assert self.index is not None
        started = time.perf_counter()
        out = bring_up_to_date(
            self.index,
            self.digests,
            self.manifest,
            self.renderer,
            force=force,
            dry_run=dry_run,
            recheck=recheck,
            notes=notes,
            memo=self.prints,
            memory=self.memory,
            later=self.later,
            first=first,
        )
        timings.add("render and write", started)
        if dry_run:
            return out
        self._took_in(out)
        last = out
        for number in range(SAVES_ROUNDS):
            if number >= SETTLE_ROUNDS and not last.merged:
                break
            moved = {
                p for p in out.notes if p in self.index.notes and self.index.notes[p].milestones
            } | last.merged
            if not moved:
                break
            changed = session_update.read_again(self, moved)
            if not changed:
                break
            self.index, _ = apply(self.index, changed)
            more = bring_up_to_date(
                self.index,
                self.digests,
                self.manifest,
                self.renderer,
                notes=set(changed),
                memo=self.prints,
                memory=self.memory,
                later=self.later,
            )
            self._took_in(more)
            out = merged(out, more)
            last = more
        self.owed = out.deferred
        return out

    def catch_up(self) -> BuildResult:
        """Write the feeds the last rounds left for later (nothing else changed since)."""
        timings = Timings()
        if not self.owed or self.index is None:
            findings = len(self.index.diagnostics()) if self.index is not None else 0
            return BuildResult([], [], findings, timings, self.index, [])
        with self._writing(False):
            out = self._round(notes=set(), timings=timings)
            self.manifest.save()
        return BuildResult(
            [c for c in out.changes if c.action != "unchanged"],
            list(out.diagnostics),
            len(self.index.diagnostics()),
            timings,
            self.index,
            [],
            rendered=out.rendered,
        )

    def _remember(self, dry_run: bool, scope: set[str] | None = None) -> None:
        """Know what the history says of the index and what this index adds to it, and append
        that (one sorted batch), unless this is a dry run. ``scope``: the only notes that
        changed since the last round (None: any)."""
        assert self.index is not None
        whole = False
        if self._tracker is None or not self.lasting:
            self._tracker = WatchTracker(self.config) if self.lasting else Tracker(self.config)
            scope = snapshot.restore(self.config, self._tracker, self.index, self.digests)
            whole = scope is None
        self.memory = self._tracker.memory(self.index, scope)
        if dry_run or self.read_only:
            if self.memory.pending:
                self._tracker.forget()
            if not self.lasting:
                self._tracker.close()
            return
        recorded = bool(self.memory.pending)
        if recorded:
            try:
                history.append(self.config, self.memory.log, self.memory.pending)
            except WriteError:
                self._tracker.forget()
                raise
            self._tracker.wrote()
        self.memory.log.records = []  # replayed into the state: nothing reads them again
        self.memory.pending = []  # nor what was appended (a first build's batch weighs 130 MB)
        if not self.lasting:  # nor the lines: let them go before the snapshot and the pages
            self.memory.log.lines = set()
        if recorded or (whole and not self.lasting):
            # else the snapshot's older digests only widen the next build's scope a little
            saved = snapshot.save(self.config, self._tracker, self.index, self.digests)
            if saved and self.lasting:  # read back from there the notes a save changes
                snapshot.shelve(self.config, self._tracker)
                self.memory.summaries = self._tracker.summaries
        if not self.lasting:
            self._tracker.close()
            self.memory.only_slips()

    def _history_findings(self) -> list[Diagnostic]:
        if self.memory is None:
            return []
        return [d for d in self.memory.diagnostics if not self.config.is_silenced(d.code)]

    def _took_in(self, out: Outputs) -> None:
        """Know the files this round wrote or removed, and the pages the manifest now lists."""
        assert self.index is not None
        came = False
        for path in out.written | out.notes:
            file, _ = discover_file(self.config, path)
            if file is not None:
                came = came or path not in self.files
                self.files[path] = file
        for path in out.removed:
            came = self.files.pop(path, None) is not None or came
        owned = self.owned()
        if came or owned != self.index.owned:
            self.index, _ = apply(self.index, {}, files=self.files if came else None, owned=owned)

    def _sorted_files(self) -> list[SourceFile]:
        return sorted(self.files.values(), key=lambda f: f.path)

    # ----- incremental (see session/update.py) ----------------------------------------------
    def update(self, paths: Iterable[str], *, timings: Timings | None = None) -> BuildResult:
        """Take in changes to ``paths`` (vault-relative files or folders); write what follows."""
        return session_update.update(self, paths, timings=timings)

    def reconcile(self) -> BuildResult:
        """Catch up with changes no event reported: one stat of every file, then an update."""
        return session_update.reconcile(self)

    def close(self) -> None:
        if self._tracker is not None:
            self._tracker.close()
        if self._manifest is not None:
            self._manifest.close_journal()
        if self.cache is not None:
            self.cache.close()


def build(
    config: Config,
    today: date | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Bring the generated pages and managed regions of the vault of ``config`` up to date."""
    session = Session(config, today, read_only=dry_run)
    try:
        return session.build(force=force, dry_run=dry_run, progress=progress)
    finally:
        session.close()


__all__ = ["BuildResult", "Change", "Session", "build"]
