"""Watch mode: the same build, run again on every save.

Each batch of changed paths (:mod:`.watchevents`) is one incremental build. While a build runs,
new events wait in the queue and become the next batch, so at most one build is ever pending.
When the observer dies, or events may have been lost, a reconciliation scan (one stat of every
file) catches up. An error in a build is reported and the watcher goes on.

The observer starts after the first build, which is when milepost makes its own folders
(``Roadmaps/Models/`` and its siblings): a recursive inotify watch that sees a folder and its
subfolder appear together registers the subfolder twice (see :mod:`.watchevents`). A
reconciliation scan then catches up with what was saved during the first build.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .config import CONFIG_NAME, Config, load_config
from .errors import Diagnostic, MilepostError
from .reading import Progress
from .session import Session
from .uptodate import BuildResult
from .watchevents import CATCH_UP, RESCAN, Events, collect, waiting

After = Callable[["Session", "list[str] | None"], "str | None"]
"""Called after every build with what changed (None: everything); may return a note for the
console line. The static export keeps its site fresh through this."""


@dataclass(slots=True)
class Outcome:
    """What one round of watching did, for the console."""

    changed: list[str]
    result: BuildResult | None
    seconds: float
    new_findings: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    note: str | None = None
    silent: bool = False
    """Nothing worth a line: only milepost's own writes came back as events."""
    extra: str | None = None
    """What the after-build hook reported (the export)."""


def describe(outcome: Outcome) -> str:
    """One console line per rebuild: what changed, what was written, how long it took."""
    clock = datetime.now().strftime("%H:%M:%S")
    if outcome.error is not None:
        return f"[{clock}] error: {outcome.error} (still watching)"
    result = outcome.result
    changed = outcome.changed
    what = changed[0] if len(changed) == 1 else f"{len(changed)} files"
    if outcome.note:
        what = outcome.note
    if result is None:
        return f"[{clock}] {what}: nothing to do ({outcome.seconds:.2f} s)"
    written = [c for c in result.changes if c.action in ("create", "update")]
    removed = [c for c in result.changes if c.action == "remove"]
    conflicts = [c for c in result.changes if c.action == "conflict"]
    parts = []
    if written:
        names = ", ".join(
            Path(c.path).stem + (f" ({c.what})" if c.what else "") for c in written[:3]
        )
        more = f" and {len(written) - 3} more" if len(written) > 3 else ""
        parts.append(f"wrote {names}{more}")
    if removed:
        parts.append(f"removed {len(removed)}")
    if conflicts:
        parts.append(f"{len(conflicts)} in conflict ({conflicts[0].path}: {conflicts[0].reason})")
    if not parts:
        parts.append("no page changed")
    if outcome.extra:
        parts.append(outcome.extra)
    line = f"[{clock}] {what}: {'; '.join(parts)} in {outcome.seconds:.2f} s"
    for finding in outcome.new_findings[:5]:
        line += f"\n    {finding.format()}"
    if len(outcome.new_findings) > 5:
        line += f"\n    … and {len(outcome.new_findings) - 5} more (milepost check lists them)"
    return line


def settle_memory() -> None:
    """After a whole build: leave what it keeps (the index, the history, the pages' memos) out
    of the collector's later passes, which would otherwise walk millions of objects that live as
    long as the session does, in the middle of a save's round. (A full pass first would take a
    second at 10,000 notes and find a few dozen objects: only the young ones are collected.)"""
    gc.collect(1)
    gc.freeze()


class Watcher:
    """Consumes batches of changed paths and keeps the vault's pages up to date."""

    def __init__(
        self,
        config: Config,
        config_file: Path | None = None,
        *,
        after: After | None = None,
        reload: Callable[[], Config] | None = None,
        queued: Callable[[], list[str]] | None = None,
    ) -> None:
        self.config = config
        self.config_file = config_file
        self.queued = queued
        """The paths whose events wait to be taken in (the observer's queue)."""
        self.after = after
        """Called after every build (the static export hooks in here)."""
        self.reload = reload or (lambda: load_config(self.config.vault))
        """Reads the configuration again when milepost.toml changes (keeping command-line
        settings such as --today)."""
        self.session = self._session(config)
        self.findings: set[Diagnostic] = set()

    def _session(self, config: Config) -> Session:
        session = Session(config, lasting=True)
        session.later = self.later
        return session

    def later(self) -> bool:
        """True when a save waits (not milepost's own writes coming back): a round writes the
        pages, and leaves the feeds for the first pause (the pages are what a save shows)."""
        if self.queued is None:
            return False
        return any(self._waiting(path) for path in self.queued())

    def _waiting(self, path: str) -> bool:
        """True when the event for ``path`` is a save to take in: not one of milepost's pages,
        nor a note that holds just what milepost wrote into its regions."""
        if path == RESCAN:
            return True
        manifest = self.session.manifest
        if manifest.owns(path):
            return False
        full = self.config.vault / path
        try:
            info = full.stat()
        except OSError:
            return True
        return not manifest.echo(path, info.st_size, info.st_mtime_ns, read=full.read_bytes)

    def owed(self) -> bool:
        """True when the last rounds left feeds for later."""
        return self.session.owed

    def start(self, progress: Progress | None = None) -> Outcome:
        started = time.perf_counter()
        result = self.session.build(progress=progress)
        if result.index is None:
            self.session.update([])
        settle_memory()
        extra = self._after(None)
        self.findings = set(self.session.index.diagnostics()) if self.session.index else set()
        note = "first build" + (f"; {extra}" if extra else "")
        return Outcome([], result, time.perf_counter() - started, note=note)

    def _after(self, changed: list[str] | None) -> str | None:
        if self.after is None:
            return None
        return self.after(self.session, changed)

    def handle(self, batch: Iterable[str]) -> Outcome:
        """One round: a batch of paths (or a rescan) in, an outcome out; never raises."""
        paths = sorted(set(batch))
        started = time.perf_counter()
        try:
            if CONFIG_NAME in paths and self.config_file is None:
                return self._reload(paths, started)
            if RESCAN in paths:
                result = self.session.reconcile()
                note = "reconciliation scan"
            elif CATCH_UP in paths:
                result = self.session.catch_up()
                note = "feeds after the saves"
            else:
                result = self.session.update(paths)
                note = None
            extra = self._after(result.changed) if result.changed else None
        except MilepostError as exc:
            return Outcome(paths, None, time.perf_counter() - started, error=str(exc))
        except Exception as exc:
            return Outcome(
                paths, None, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}"
            )
        new = self._new_findings()
        if not result.changes and not new and (not result.changed or result.echo):
            silent = note is None or CATCH_UP in paths  # feeds that turned out unchanged
            return Outcome(paths, None, time.perf_counter() - started, note=note, silent=silent)
        return Outcome(
            result.changed or paths,
            result,
            time.perf_counter() - started,
            new,
            note=note,
            extra=extra,
        )

    def _reload(self, paths: list[str], started: float) -> Outcome:
        config = self.reload()
        self.session.close()
        self.config = config
        self.session = self._session(config)
        result = self.session.build()
        if result.index is None:
            self.session.update([])
        settle_memory()
        extra = self._after(None)
        self._new_findings()
        note = "milepost.toml changed: full build"
        return Outcome(paths, result, time.perf_counter() - started, note=note, extra=extra)

    def _new_findings(self) -> list[Diagnostic]:
        index = self.session.index
        current = set(index.diagnostics()) if index is not None else set()
        new = sorted(current - self.findings)
        self.findings = current
        return new

    def run(self, batches: Iterable[set[str]], report: Callable[[Outcome], None]) -> None:
        """The loop: one build per batch. Tests drive it with canned batches, without threads."""
        for batch in batches:
            outcome = self.handle(batch)
            if not outcome.silent:
                report(outcome)

    def close(self) -> None:
        self.session.close()


def watch(
    config: Config,
    report: Callable[[Outcome], None],
    *,
    poll: bool = False,
    stop: threading.Event | None = None,
    config_file: Path | None = None,
    after: After | None = None,
    reload: Callable[[], Config] | None = None,
    progress: Progress | None = None,
) -> None:
    """Build, then rebuild on every change until ``stop`` is set (or KeyboardInterrupt)."""
    stop = stop or threading.Event()
    events = Events(config, poll=poll)
    watcher = Watcher(
        config,
        config_file,
        after=after,
        reload=reload,
        queued=lambda: waiting(events.queue),
    )
    try:
        first = watcher.start(progress)  # before the observer: see the module's docstring
        events.start()
        caught = watcher.handle({RESCAN})  # what was saved during the first build
        report(first)
        if caught.result is not None or caught.error is not None:
            report(caught)
        if events.fallback:
            report(Outcome([], None, 0.0, note=events.fallback))
        batches = collect(events.queue, stop=stop, healthy=events.healthy, owed=watcher.owed)
        watcher.run(batches, report)
    finally:
        events.close()
        watcher.close()
