"""Read a vault's notes: discover, parse what the cache does not hold, index.

Parsing is pure (bytes in, a :class:`~milepost.model.Note` out) and runs here and in worker
processes when there are many notes (see :mod:`.workers`); the cache gives back the notes whose
bytes did not change since they were parsed. Pages milepost generated (the manifest lists them)
are files of the vault, for links, but never sources: they are not parsed at all.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from . import planning  # noqa: F401  (registers the dependency passes with every index)
from .cache import NoteCache, content_digest, decode_note, encode_note
from .config import Config
from .discover import Discovery, SourceFile, discover
from .errors import error
from .index import VaultIndex
from .interning import Pool
from .model import Note
from .parse import parse_note
from .workers import share, starting

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
    pool: Pool | None = None,
) -> dict[str, tuple[Note, bytes]]:
    """Parse every note of ``files`` once, here and in ``jobs - 1`` worker processes (see
    :mod:`.workers`). ``sink`` sees every batch as it arrives, so the stored forms the workers
    send can be stored and dropped as they come. ``pool``: each note's repeated values are
    replaced by its objects as the note arrives (see :mod:`.interning`), so the copies' memory
    is reused by the next notes."""
    root = config.vault
    share_values = pool.note if pool is not None else _same
    jobs = jobs_for(config, sum(f.size for f in files))
    parsed: dict[str, tuple[Note, bytes]] = {}

    def here(paths: Sequence[str]) -> None:
        batch: list[Parsed] = []
        for path in paths:
            note, digest = read_note(root, path, config)
            note = share_values(note)
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
            note = share_values(note)
            parsed[note.path] = (note, digest)
            batch.append((note, digest, blob))
        deliver(batch)

    chunks = _chunks(files, jobs * 32) if jobs > 1 else [[f.path for f in files]]
    there = partial(_parse_chunk, root, config=config)
    share(chunks, here, there, received, workers=jobs - 1, context=starting())
    if progress is not None:
        progress(len(files), len(files))
    return parsed


def _same(note: Note) -> Note:
    return note


# ----- results -------------------------------------------------------------------------------
def read_notes(
    config: Config,
    files: Sequence[SourceFile],
    cache: NoteCache | None,
    progress: Progress | None = None,
) -> tuple[dict[str, Note], dict[str, bytes], int]:
    """Every note of ``files``: from the cache when its bytes are known, else parsed (and then
    stored). Return the notes, the digest of each note's bytes, and how many were parsed."""
    cached: dict[str, Note] = {}
    if cache is not None:
        cached = cache.load(f.path for f in files if cache.fresh(f))
    todo = [f for f in files if f.path not in cached]
    by_path = {f.path: f for f in files}
    parsed: dict[str, tuple[Note, bytes]] = {}
    pool = cache.pool if cache is not None else Pool()  # shared with the cached notes
    if todo and cache is not None:
        with cache.storing() as store:

            def keep(batch: list[Parsed]) -> None:
                store([(by_path[n.path], d, n, blob) for n, d, blob in batch if d])

            parsed = parse_notes(config, todo, progress, keep, pool)
    elif todo:
        parsed = parse_notes(config, todo, progress, pool=pool)
    notes = dict(cached)
    digests: dict[str, bytes] = {}
    if cache is not None:
        digests = {path: cache.digest_of(path) or b"" for path in cached}
    for file in files:
        if file.path in parsed:
            note, digest = parsed[file.path]
            notes[file.path] = note
            digests[file.path] = digest
    if cache is not None:
        known = set(by_path)
        cache.forget([p for p in cache.rows if p not in known])
    return notes, digests, len(parsed)


def sources(discovery: Discovery, owned: Mapping[str, object]) -> list[SourceFile]:
    """The notes milestones are read from: every Markdown file that is not milepost's page."""
    return [f for f in discovery.notes if f.path not in owned]


@dataclass(slots=True)
class Scan:
    """A parsed and indexed vault, with how long each stage took."""

    index: VaultIndex
    discovery: Discovery
    timings: Timings
    parsed: int = 0
    """How many notes were parsed (the others came from the cache)."""
    digests: dict[str, bytes] = field(default_factory=dict)
    """The digest of each note's bytes, as read."""


def scan(
    config: Config,
    today: date | None = None,
    progress: Progress | None = None,
    *,
    cache: bool = True,
) -> Scan:
    """Discover, parse and index the vault of ``config``; write nothing in the vault."""
    from .ownership import owned_pages

    timings = Timings()
    started = time.perf_counter()
    discovery = discover(config)
    owned = owned_pages(config, discovery)
    started = timings.add("discover", started)
    store = NoteCache(config) if cache else None
    try:
        with bulk():
            notes, digests, parsed = read_notes(config, sources(discovery, owned), store, progress)
            started = timings.add("parse", started)
            index = VaultIndex(
                notes,
                (f.path for f in discovery.files),
                config,
                today or config.today_or_now(),
                discovery.diagnostics,
                owned=owned,
            )
        timings.add("index", started)
    finally:
        if store is not None:
            store.close()
    return Scan(index, discovery, timings, parsed, digests)
