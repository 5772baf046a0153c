"""Run the stages: discover -> read and parse -> index.

Parsing is pure per note, so it runs in worker processes when the vault is large enough to
gain from them (``jobs``, default one per CPU). The result never depends on how many ran.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .config import Config
from .discover import Discovery, SourceFile, discover
from .errors import Diagnostic, error
from .index import VaultIndex
from .model import Note
from .parse import parse_note
from .render import render_vault
from .write import Change, Manifest, Writer

Progress = Callable[[int, int], None]
"""Called with (notes done, notes in all) while notes are parsed."""

PARALLEL_MIN_BYTES = 2_000_000
"""Below this much Markdown, worker processes cost more than they save."""


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


def read_note(root: Path, path: str, config: Config) -> Note:
    """Read and parse one note; a file that cannot be read becomes a note with a diagnostic."""
    try:
        data = (root / path).read_bytes()
    except FileNotFoundError:
        return Note(
            path, diagnostics=(error(path, 0, "file.vanished", "deleted while being read"),)
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Note(
            path, diagnostics=(error(path, 0, "file.unreadable", f"cannot read: {reason}"),)
        )
    return parse_note(path, data, config)


def _parse_chunk(root: Path, paths: Sequence[str], config: Config) -> list[Note]:
    return [read_note(root, path, config) for path in paths]


def jobs_for(config: Config, total_bytes: int) -> int:
    if total_bytes < PARALLEL_MIN_BYTES:
        return 1
    wanted = config.jobs or (os.cpu_count() or 1)
    return max(1, wanted)


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
    config: Config, files: Sequence[SourceFile], progress: Progress | None = None
) -> dict[str, Note]:
    """Parse every note, in worker processes when it pays."""
    root = config.vault
    jobs = jobs_for(config, sum(f.size for f in files))
    notes: dict[str, Note] = {}
    if jobs == 1:
        for done, file in enumerate(files, start=1):
            notes[file.path] = read_note(root, file.path, config)
            if progress is not None and done % 50 == 0:
                progress(done, len(files))
    else:
        chunks = _chunks(files, jobs * 8)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_parse_chunk, root, chunk, config) for chunk in chunks]
            for future in futures:
                for note in future.result():
                    notes[note.path] = note
                if progress is not None:
                    progress(len(notes), len(files))
    if progress is not None:
        progress(len(files), len(files))
    return notes


@dataclass(slots=True)
class Scan:
    """A parsed and indexed vault, with how long each stage took."""

    index: VaultIndex
    discovery: Discovery
    timings: Timings


def scan(config: Config, today: date | None = None, progress: Progress | None = None) -> Scan:
    """Discover, parse and index the vault of ``config``."""
    timings = Timings()
    started = time.perf_counter()
    discovery = discover(config)
    started = timings.add("discover", started)
    notes = parse_notes(config, discovery.notes, progress)
    started = timings.add("parse", started)
    index = build_index(config, notes, discovery, today)
    timings.add("index", started)
    return Scan(index, discovery, timings)


def build_index(
    config: Config,
    notes: dict[str, Note],
    discovery: Discovery,
    today: date | None = None,
    extra: Iterable[Diagnostic] = (),
) -> VaultIndex:
    return VaultIndex(
        notes,
        (f.path for f in discovery.files),
        config,
        today or config.today_or_now(),
        (*discovery.diagnostics, *extra),
    )


@dataclass(slots=True)
class BuildResult:
    """What a build found, rendered and changed."""

    scan: Scan
    changes: list[Change]
    diagnostics: list[Diagnostic]
    """Findings of the build itself (unknown regions); the vault's are in ``scan.index``."""
    timings: Timings

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def stale(self) -> bool:
        """True when the vault's generated pages differ from what this build makes."""
        return any(change.action != "unchanged" for change in self.changes)


def build(
    config: Config,
    today: date | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Scan the vault and bring its generated pages and managed regions up to date."""
    result = scan(config, today, progress)
    timings = result.timings
    started = time.perf_counter()
    rendered = render_vault(result.index, config)
    started = timings.add("render", started)
    manifest = Manifest.load(config.vault)
    writer = Writer(config, manifest, force=force, dry_run=dry_run)
    writer.pages(rendered.pages)
    writer.regions(rendered.regions)
    if not dry_run:
        manifest.save(config.vault)
    timings.add("write", started)
    diagnostics = [d for d in rendered.diagnostics if not config.is_silenced(d.code)]
    return BuildResult(result, writer.changes, diagnostics, timings)
