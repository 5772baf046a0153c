"""Run the stages: discover -> read and parse -> index -> render -> write.

A :class:`Session` holds what one process knows about a vault. ``scan`` and ``build`` run the
whole pipeline (parsing only notes whose bytes are not in the cache, in worker processes when
there are many); ``update`` takes the paths that changed, re-reads only those notes, drops and
re-adds their contribution to the index, re-renders only the pages that depend on them and writes
only pages whose bytes changed. The result never depends on which of these ran.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import (
    NoteCache,
    content_digest,
    decode_note,
    encode_note,
    read_stamp,
    stamp_key,
    write_stamp,
)
from .config import CACHE_DIR, Config
from .discover import Discovery, SourceFile, discover, discover_file
from .errors import Diagnostic, error
from .index import Delta, VaultIndex
from .model import Note
from .parse import parse_note
from .workers import share, starting

if TYPE_CHECKING:
    from .render import Renderer
    from .write import Change, Manifest

Progress = Callable[[int, int], None]
"""Called with (notes done, notes in all) while notes are parsed."""

PARALLEL_MIN_BYTES = 2_000_000
"""Below this much Markdown to parse, worker processes cost more than they save."""


@dataclass(slots=True)
class Timings:
    phases: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - started
        return now

    @property
    def total(self) -> float:
        return sum(self.phases.values())


@contextmanager
def bulk(*, keep: bool = True) -> Iterator[None]:
    """Build many long-lived, acyclic records without the cyclic collector rescanning them.

    Parsing a vault allocates millions of objects that live on; each full collection would walk
    all of them again, which made a 10,000-note scan 14x slower than a 1,000-note one instead of
    10x. Reference counting still frees everything that becomes garbage. With ``keep`` the
    records built are moved out of the collector's reach afterwards (``gc.freeze``), so later
    collections skip them too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if keep:
            gc.freeze()
        if enabled:
            gc.enable()


# ----- parsing -------------------------------------------------------------------------------
def read_note(root: Path, path: str, config: Config) -> tuple[Note, bytes]:
    """Read and parse one note; return it with the digest of its bytes (empty when unread)."""
    try:
        data = (root / path).read_bytes()
    except FileNotFoundError:
        vanished = error(path, 0, "file.vanished", "deleted while being read")
        return Note(path, diagnostics=(vanished,)), b""
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Note(
            path, diagnostics=(error(path, 0, "file.unreadable", f"cannot read: {reason}"),)
        ), b""
    return parse_note(path, data, config), content_digest(data)


Parsed = tuple[Note, bytes, bytes | None]
"""A parsed note, the digest of its bytes and, when it crossed from a worker, its stored form."""

Sink = Callable[[list[Parsed]], None]
"""Takes each batch of parsed notes as it arrives (the cache stores them)."""

BATCH = 200
"""Notes per batch handed to the sink when parsing in this process."""


def _parse_chunk(
    root: Path, paths: Sequence[str], config: Config
) -> list[tuple[bytes | Note, bytes]]:
    """Parse notes in a worker; return each in its stored form (sent as bytes, stored as they
    are), or as itself when it cannot be stored."""
    with bulk(keep=False):
        done: list[tuple[bytes | Note, bytes]] = []
        for path in paths:
            note, digest = read_note(root, path, config)
            done.append((encode_note(note) or note, digest))
        return done


def jobs_for(config: Config, total_bytes: int) -> int:
    """Worker processes to parse with: ``jobs`` when set, else every core for a large vault."""
    if config.jobs:
        return config.jobs
    if total_bytes < PARALLEL_MIN_BYTES:
        return 1
    return os.cpu_count() or 1


def _chunks(files: Sequence[SourceFile], count: int) -> list[list[str]]:
    """Split notes into about ``count`` chunks of similar size, keeping path order inside."""
    total = sum(f.size for f in files) or 1
    target = total / count
    chunks: list[list[str]] = [[]]
    size = 0
    for file in files:
        if size >= target and len(chunks) < count:
            chunks.append([])
            size = 0
        chunks[-1].append(file.path)
        size += file.size
    return [c for c in chunks if c]


def parse_notes(
    config: Config,
    files: Sequence[SourceFile],
    progress: Progress | None = None,
    sink: Sink | None = None,
) -> dict[str, tuple[Note, bytes]]:
    """Parse every note of ``files`` once, here and in ``jobs - 1`` worker processes (see
    :mod:`.workers`). ``sink`` sees every batch as it arrives, so the stored forms the workers
    send can be stored and dropped as they come."""
    root = config.vault
    jobs = jobs_for(config, sum(f.size for f in files))
    parsed: dict[str, tuple[Note, bytes]] = {}

    def here(paths: Sequence[str]) -> None:
        batch: list[Parsed] = []
        for path in paths:
            note, digest = read_note(root, path, config)
            parsed[path] = (note, digest)
            batch.append((note, digest, None))
            if len(batch) == BATCH:
                deliver(batch)
                batch = []
        deliver(batch)

    def deliver(batch: list[Parsed]) -> None:
        if sink is not None and batch:
            sink(batch)
        if progress is not None and batch:
            progress(len(parsed), len(files))

    def received(result: list[tuple[bytes | Note, bytes]]) -> None:
        batch: list[Parsed] = []
        for sent, digest in result:
            if isinstance(sent, bytes):
                note, blob = decode_note(sent), sent
            else:
                note, blob = sent, None
            parsed[note.path] = (note, digest)
            batch.append((note, digest, blob))
        deliver(batch)

    chunks = _chunks(files, jobs * 32) if jobs > 1 else [[f.path for f in files]]
    there = partial(_parse_chunk, root, config=config)
    share(chunks, here, there, received, workers=jobs - 1, context=starting())
    if progress is not None:
        progress(len(files), len(files))
    return parsed


# ----- results -------------------------------------------------------------------------------
@dataclass(slots=True)
class Scan:
    """A parsed and indexed vault, with how long each stage took."""

    index: VaultIndex
    discovery: Discovery
    timings: Timings
    parsed: int = 0
    """How many notes were parsed (the others came from the cache)."""


@dataclass(slots=True)
class BuildResult:
    """What a build found, rendered and changed."""

    changes: list[Change]
    diagnostics: list[Diagnostic]
    """Findings of the build itself (unknown regions); the vault's are counted in ``findings``."""
    findings: int
    """How many findings the vault has (``milepost check`` lists them)."""
    timings: Timings
    index: VaultIndex | None = None
    """The index, unless the build answered from the stamp without reading any note."""
    changed: list[str] = field(default_factory=list)
    """The vault paths whose change this build took in (watch)."""
    parsed: int = 0
    echo: bool = False
    """True when every change was milepost's own write (a region it filled), nothing else."""

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def stale(self) -> bool:
        """True when the vault's generated pages differ from what this build makes."""
        return any(change.action != "unchanged" for change in self.changes)


# ----- the session -----------------------------------------------------------------------------
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
        self.today = today or config.today_or_now()
        self.cache = NoteCache(config, read_only=read_only) if cache else None
        self.files: dict[str, SourceFile] = {}
        self.digests: dict[str, bytes] = {}
        self.found: dict[str, list[Diagnostic]] = {}
        """Discovery findings by path."""
        self.index: VaultIndex | None = None
        self._renderer: Renderer | None = None
        self._manifest: Manifest | None = None
        self.own: dict[str, str] = {}
        """Hash of the bytes milepost last wrote to each path (its own writes are not changes)."""
        self.pages: dict[str, str] = {}
        """The digest of what each generated page held when this session last wrote or checked
        it."""
        self.texts: dict[str, str] = {}
        """What each managed region held when this session last wrote or checked it."""

    # ----- scanning ---------------------------------------------------------------------------
    def scan(self, progress: Progress | None = None, discovery: Discovery | None = None) -> Scan:
        """Discover, parse (what the cache does not hold) and index the whole vault."""
        timings = Timings()
        started = time.perf_counter()
        discovery = discovery or discover(self.config)
        self.files = {f.path: f for f in discovery.files}
        self.found = {}
        for diagnostic in discovery.diagnostics:
            self.found.setdefault(diagnostic.path, []).append(diagnostic)
        started = timings.add("discover", started)
        with bulk():
            notes, parsed = self._read_all(discovery.notes, progress)
            started = timings.add("parse", started)
            self.index = VaultIndex(
                notes, self.files, self.config, self.today, discovery.diagnostics
            )
        timings.add("index", started)
        return Scan(self.index, discovery, timings, parsed)

    def _read_all(
        self, files: Sequence[SourceFile], progress: Progress | None
    ) -> tuple[dict[str, Note], int]:
        cache = self.cache
        cached: dict[str, Note] = {}
        if cache is not None:
            cached = cache.load(f.path for f in files if cache.fresh(f))
        todo = [f for f in files if f.path not in cached]
        parsed: dict[str, tuple[Note, bytes]] = {}
        if todo and cache is not None:
            with cache.storing() as store:

                def keep(batch: list[Parsed]) -> None:
                    store([(self.files[n.path], d, n, blob) for n, d, blob in batch if d])

                parsed = parse_notes(self.config, todo, progress, keep)
        elif todo:
            parsed = parse_notes(self.config, todo, progress)
        notes = dict(cached)
        for file in files:
            if file.path in parsed:
                notes[file.path] = parsed[file.path][0]
        self.digests = (
            {f.path: cache.digest_of(f.path) or b"" for f in files if f.path in cached}
            if cache
            else {}
        )
        for path, (_, digest) in parsed.items():
            self.digests[path] = digest
        if cache is not None:
            known = {f.path for f in files}
            cache.forget([p for p in cache.rows if p not in known])
        return notes, len(parsed)

    # ----- building ---------------------------------------------------------------------------
    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            from .render import Renderer

            self._renderer = Renderer(self.config, remember=self.lasting)
        return self._renderer

    def manifest(self) -> Manifest:
        if self._manifest is None:
            from .write import Manifest

            self._manifest = Manifest.load(self.config.vault)
        return self._manifest

    def _stamp(self, files: Iterable[SourceFile]) -> str:
        manifest = self.config.vault / CACHE_DIR / "manifest.json"
        try:
            info = manifest.stat()
            extra = f"{info.st_size}:{info.st_mtime_ns}"
        except OSError:
            extra = "none"
        plain = replace(self.config, jobs=0, today=None, source=None)
        return stamp_key(plain, files, self.today.isoformat(), extra)

    def build(
        self, *, force: bool = False, dry_run: bool = False, progress: Progress | None = None
    ) -> BuildResult:
        """Bring the vault's generated pages and regions up to date (all of them)."""
        started = time.perf_counter()
        discovery = discover(self.config)
        if not force and self.cache is not None:
            stamp = read_stamp(self.config)
            if stamp is not None and stamp.get("key") == self._stamp(discovery.files):
                return self._replay(stamp, started)
        result = self.scan(progress, discovery)
        assert self.index is not None
        timings = result.timings
        with bulk(keep=False):
            changes, diagnostics = self._render_and_write(
                Delta(everything=True), None, force=force, dry_run=dry_run, timings=timings
            )
        built = BuildResult(
            changes,
            diagnostics,
            len(self.index.diagnostics()),
            timings,
            self.index,
            parsed=result.parsed,
        )
        if not dry_run:
            self._save_stamp(built)
        return built

    def _render_and_write(
        self,
        delta: Delta,
        touched: set[str] | None,
        *,
        force: bool,
        dry_run: bool,
        timings: Timings,
    ) -> tuple[list[Change], list[Diagnostic]]:
        """Render what ``delta`` names; write what changed. ``touched``: paths that changed on
        disk (None: check every page against the disk)."""
        from .write import Writer, digest

        assert self.index is not None
        started = time.perf_counter()
        rendered = self.renderer.render(self.index, delta, frozenset(touched or ()))
        started = timings.add("render", started)
        writer = Writer(self.config, self.manifest(), force=force, dry_run=dry_run)
        pages = [
            page
            for page in rendered.pages
            if touched is None
            or page.path in touched
            or self.pages.get(page.path) != digest(page.data)
        ]
        writer.pages(pages, rendered.produced)
        region_notes = {region.path for region in rendered.regions}
        regions = [
            r
            for r in rendered.regions
            if touched is None
            or r.path in touched
            or self.texts.get(f"{r.path}\0{r.what}") != r.text
        ]
        writer.regions(regions, region_notes)
        if not dry_run:
            self.manifest().save(self.config.vault)
            self.own.update(writer.written)
            conflicts = {c.path for c in writer.changes if c.action == "conflict" and not c.what}
            for page in pages:
                if page.path not in conflicts:
                    self.pages[page.path] = digest(page.data)
            for region in regions:
                self.texts[f"{region.path}\0{region.what}"] = region.text
        timings.add("write", started)
        diagnostics = [d for d in rendered.diagnostics if not self.config.is_silenced(d.code)]
        changes = writer.changes
        rewritten = {c.path for c in changes if c.what and c.action == "update"}
        if rewritten and not dry_run and touched is None:
            changes = _merge(changes, self._settle(rewritten, timings))
        return changes, diagnostics

    def _settle(self, notes: set[str], timings: Timings) -> list[Change]:
        """Filling a region moves the lines below it: read those notes again, and rewrite pages
        that quote their line numbers, so the next build has nothing left to do."""
        assert self.index is not None
        sources = {p for p in notes if self.index.notes.get(p) and self.index.notes[p].milestones}
        if not sources:
            return []
        return self.update(sources, timings=timings).changes

    def _replay(self, stamp: dict[str, Any], started: float) -> BuildResult:
        from .write import Change

        timings = Timings()
        timings.add("discover", started)
        changes = [Change(path, "unchanged") for path in stamp.get("unchanged", [])]
        changes += [
            Change(c["path"], "conflict", c["reason"], c["what"])
            for c in stamp.get("conflicts", [])
        ]
        diagnostics = [Diagnostic(**d) for d in stamp.get("diagnostics", [])]
        return BuildResult(changes, diagnostics, int(stamp.get("findings", 0)), timings)

    def _save_stamp(self, built: BuildResult) -> None:
        written = {c.path for c in built.changes if c.action in ("create", "update")}
        removed = {c.path for c in built.changes if c.action == "remove"}
        for path in written:
            file, _ = discover_file(self.config, path)
            if file is not None:
                self.files[path] = file
        for path in removed:
            self.files.pop(path, None)
        write_stamp(
            self.config,
            {
                "key": self._stamp(sorted(self.files.values(), key=lambda f: f.path)),
                "unchanged": sorted(
                    {c.path for c in built.changes if c.action != "conflict"} - removed
                ),
                "conflicts": [
                    {"path": c.path, "reason": c.reason, "what": c.what}
                    for c in built.changes
                    if c.action == "conflict"
                ],
                "diagnostics": [
                    {
                        "path": d.path,
                        "line": d.line,
                        "code": d.code,
                        "severity": d.severity,
                        "message": d.message,
                    }
                    for d in built.diagnostics
                ],
                "findings": built.findings,
            },
        )

    # ----- incremental ------------------------------------------------------------------------
    def update(self, paths: Iterable[str], *, timings: Timings | None = None) -> BuildResult:
        """Take in changes to ``paths`` (vault-relative files or folders); write what follows."""
        timings = timings or Timings()
        if self.index is None:  # the last build answered from its stamp: read the vault now
            self.scan()
        assert self.index is not None
        started = time.perf_counter()
        seen = self._restat(paths)
        echo = bool(seen) and all(self._own_bytes(p) for p in seen)
        started = timings.add("discover", started)
        changed: dict[str, Note | None] = {}
        parsed: list[tuple[SourceFile, bytes, Note, bytes | None]] = []
        for path, file in sorted(seen.items()):
            if not path.lower().endswith(".md"):
                continue
            if file is None:
                if path in self.index.notes:
                    changed[path] = None
                continue
            note, digest = read_note(self.config.vault, path, self.config)
            if digest and digest == self.digests.get(path) and path in self.index.notes:
                if self.cache is not None:
                    self.cache.touch(file)
                continue
            self.digests[path] = digest
            changed[path] = note
            if digest:
                parsed.append((file, digest, note, None))
        started = timings.add("parse", started)
        files_changed = any((f is None) != (p not in self.index.files) for p, f in seen.items())
        templates = self._templates_changed(seen)
        today = self._today_changed()
        if not changed and not files_changed and not templates and not today:
            findings = len(self.index.diagnostics())
            return BuildResult([], [], findings, timings, self.index, [], echo=echo)
        self.index.extra_diagnostics = [d for found in self.found.values() for d in found]
        if today:
            notes = {**self.index.notes, **{p: n for p, n in changed.items() if n is not None}}
            for path in (p for p, n in changed.items() if n is None):
                notes.pop(path, None)
            extra = self.index.extra_diagnostics
            self.index = VaultIndex(notes, self.files, self.config, self.today, extra)
            delta = Delta(everything=True)
        else:
            delta = self.index.update(changed, self.files if files_changed else None)
        if templates:
            delta = Delta(everything=True)
        timings.add("index", started)
        if self.cache is not None:
            self.cache.store(parsed)
            self.cache.forget([p for p, n in changed.items() if n is None])
        touched = set(seen)
        changes, diagnostics = self._render_and_write(
            delta, touched, force=False, dry_run=False, timings=timings
        )
        changes = [c for c in changes if c.action != "unchanged"]
        return BuildResult(
            changes,
            diagnostics,
            len(self.index.diagnostics()),
            timings,
            self.index,
            sorted({*changed, *(p for p in seen if not p.lower().endswith(".md"))}),
            len(parsed),
            echo=echo,
        )

    def reconcile(self) -> BuildResult:
        """Catch up with changes no event reported: one stat of every file, then an update."""
        if self.index is None:
            self.scan()
        discovery = discover(self.config)
        current = {f.path: f for f in discovery.files}
        changed = [p for p, f in current.items() if self.files.get(p) != f]
        changed += [p for p in self.files if p not in current]
        return self.update(changed)

    def _restat(self, paths: Iterable[str]) -> dict[str, SourceFile | None]:
        """The current state of each changed path (folders expanded); own writes left out."""
        seen: dict[str, SourceFile | None] = {}
        for raw in paths:
            path = raw.strip("/")
            if not path:
                continue
            full = self.config.vault / path
            if full.is_dir():
                found = discover(self.config, path)
                present = {f.path for f in found.files}
                for known in [p for p in self.files if p.startswith(path + "/")]:
                    if known not in present:
                        seen[known] = None
                for entry in found.files:
                    seen[entry.path] = entry
                for diagnostic in found.diagnostics:
                    self.found.setdefault(diagnostic.path, []).append(diagnostic)
                continue
            file, diagnostics = discover_file(self.config, path)
            self.found.pop(path, None)
            if diagnostics:
                self.found[path] = diagnostics
            if file is None:
                for known in [p for p in self.files if p == path or p.startswith(path + "/")]:
                    seen[known] = None
            else:
                seen[path] = file
        for path, state in list(seen.items()):
            if state is not None and self._own_write(path, state):
                del seen[path]
            elif state is None:
                self.files.pop(path, None)
            else:
                self.files[path] = state
        return seen

    def _templates_changed(self, seen: dict[str, SourceFile | None]) -> bool:
        """A template override changed: forget the compiled templates and render everything."""
        folder = self.config.templates
        if not folder or not any(p.startswith(folder + "/") for p in seen):
            return False
        from .render.env import forget_templates

        forget_templates()
        self._renderer = None
        return True

    def _today_changed(self) -> bool:
        """Past midnight with no pinned today, statuses are computed against the new date."""
        if self.config.today is not None or date.today() == self.today:
            return False
        self.today = date.today()
        return True

    def _own_bytes(self, path: str) -> bool:
        """True when ``path`` holds exactly the bytes milepost last wrote to it."""
        wrote = self.own.get(path)
        if wrote is None:
            return False
        from .write import digest

        try:
            return digest((self.config.vault / path).read_bytes()) == wrote
        except OSError:
            return False

    def _own_write(self, path: str, file: SourceFile) -> bool:
        """True when the file holds exactly what milepost wrote to a generated page."""
        if not path.startswith(self.config.output + "/") or not self._own_bytes(path):
            return False
        self.files[path] = file
        return True

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def _merge(first: list[Change], then: list[Change]) -> list[Change]:
    """One change per page or region: a later update folds into an earlier create or update."""
    merged = {(c.path, c.what): c for c in first}
    for change in then:
        key = (change.path, change.what)
        earlier = merged.get(key)
        if earlier is None or earlier.action == "unchanged":
            merged[key] = change
    return list(merged.values())


def scan(config: Config, today: date | None = None, progress: Progress | None = None) -> Scan:
    """Discover, parse and index the vault of ``config`` (using and refreshing its cache)."""
    session = Session(config, today)
    try:
        return session.scan(progress)
    finally:
        session.close()


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
