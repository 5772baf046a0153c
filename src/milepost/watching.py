"""Watch mode: the same build, run again on every save. The only module that imports watchdog.

Events become vault paths; a filter drops editor and sync temp files, dot-folders and
milepost's cache; paths are collected into a batch until the vault has been quiet for a moment
(or a latency cap passes), and each batch is one incremental build. While a build runs, new
events wait in the queue and become the next batch, so at most one build is ever pending. A move
is a delete plus a create. When the observer dies, or events may have been lost, a
reconciliation scan (one stat of every file) catches up. An error in a build is reported and the
watcher goes on.

The observer starts after the first build, which is when milepost makes its own folders
(``Roadmaps/Models/`` and its siblings): a recursive inotify watch that sees a folder and its
subfolder appear together registers the subfolder twice, and watchdog warns about it with a
screen of repr. A reconciliation scan then catches up with what was saved during the first
build. That warning is harmless (the same callback is registered again) and is silenced when a
user makes nested folders too; watchdog's log records (a queue overflow, a watch it could not
add) mean events may have been lost, so they ask for a reconciliation scan instead of printing.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .config import CACHE_DIR, CONFIG_NAME, Config, load_config
from .discover import is_ignored
from .errors import Diagnostic, MilepostError
from .reading import Progress
from .session import Session
from .uptodate import BuildResult

After = Callable[["Session", "list[str] | None"], "str | None"]
"""Called after every build with what changed (None: everything); may return a note for the
console line. The static export keeps its site fresh through this."""

RESCAN = "\0rescan"
"""A batch member that asks for a reconciliation scan instead of a list of paths."""
CATCH_UP = "\0feeds"
"""A batch member that asks for the feeds left for later while saves kept coming."""
QUIET = 0.05
"""Seconds without events that close a batch."""
MAX_LATENCY = 0.5
"""Seconds after the first event of a batch at which it closes regardless."""
RECONCILE_EVERY = 30.0
"""Seconds between reconciliation scans while the vault is quiet."""


def event_filter(config: Config) -> Callable[[str], bool]:
    """Which vault paths are worth a build: not temp files, dot-folders or milepost's cache."""
    cache = CACHE_DIR + "/"

    def accept(path: str) -> bool:
        if path == CONFIG_NAME:
            return True
        return not path.startswith(cache) and not is_ignored(path, config)

    return accept


class _Handler(FileSystemEventHandler):
    """Turns watchdog events into vault paths on a queue; never raises into the observer."""

    def __init__(self, root: Path, accept: Callable[[str], bool], out: queue.Queue[str]) -> None:
        self.root = root
        self.accept = accept
        self.out = out

    def _relative(self, raw: str | bytes) -> str | None:
        text = raw.decode() if isinstance(raw, bytes) else raw
        try:
            return Path(text).relative_to(self.root).as_posix()
        except ValueError:
            return None

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            if event.event_type in ("opened", "closed_no_write") or (
                event.is_directory and event.event_type in ("modified", "closed")
            ):
                return
            paths = [event.src_path]
            if event.event_type == "moved":
                paths.append(getattr(event, "dest_path", ""))
            for raw in paths:
                rel = self._relative(raw) if raw else None
                if rel and rel != "." and self.accept(rel):
                    self.out.put(rel)
        except Exception:
            self.out.put(RESCAN)


def collect(
    events: queue.Queue[str],
    *,
    stop: threading.Event,
    healthy: Callable[[], bool] = lambda: True,
    quiet: float = QUIET,
    max_latency: float = MAX_LATENCY,
    reconcile_every: float = RECONCILE_EVERY,
    owed: Callable[[], bool] = lambda: False,
) -> Iterator[set[str]]:
    """Batches of paths: debounced, capped in latency; ``{RESCAN}`` after trouble or a lull;
    ``{CATCH_UP}`` in the first half second without events while ``owed`` says feeds wait."""
    last_scan = time.monotonic()
    while not stop.is_set():
        try:
            first = events.get(timeout=0.5)
        except queue.Empty:
            if not healthy() or time.monotonic() - last_scan > reconcile_every:
                yield {RESCAN}
                last_scan = time.monotonic()
            elif owed():
                yield {CATCH_UP}
            continue
        batch = {first}
        opened = time.monotonic()
        while True:
            wait = min(quiet, opened + max_latency - time.monotonic())
            if wait <= 0:
                break
            try:
                batch.add(events.get(timeout=wait))
            except queue.Empty:
                break
        yield batch


def waiting(events: queue.Queue[str]) -> list[str]:
    """The paths in ``events``, left where they are."""
    with events.mutex:
        return list(events.queue)


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


class _LostEvents(logging.Handler):
    """watchdog's warnings and errors (a queue overflow, a folder it could not watch) mean
    events may have been lost: each asks for a reconciliation scan, and none is printed."""

    def __init__(self, out: queue.Queue[str]) -> None:
        super().__init__(logging.WARNING)
        self.out = out

    def emit(self, record: logging.LogRecord) -> None:  # noqa: ARG002 (logging's signature)
        self.out.put(RESCAN)


HARMLESS = r"Callback with id .* already exists for watch"
"""watchdog's warning when a recursive watch meets a folder it already watches (a folder and
its subfolder made at once): the same callback is registered again; nothing is lost."""


class Events:
    """A watchdog observer feeding a queue; restarted (native or polling) when it dies."""

    def __init__(self, config: Config, *, poll: bool = False) -> None:
        self.config = config
        self.poll = poll
        self.queue: queue.Queue[str] = queue.Queue()
        self.handler = _Handler(config.vault.resolve(), event_filter(config), self.queue)
        self.observer: Any = None
        self.fallback: str | None = None
        self.log = _LostEvents(self.queue)

    def start(self) -> None:
        warnings.filterwarnings("ignore", HARMLESS, RuntimeWarning)
        library = logging.getLogger("watchdog")
        if self.log not in library.handlers:
            library.addHandler(self.log)
            library.propagate = False
        self.observer = PollingObserver(timeout=1.0) if self.poll else Observer()
        self.observer.schedule(self.handler, str(self.config.vault), recursive=True)
        try:
            self.observer.start()
        except OSError as exc:
            if self.poll:
                raise
            self.fallback = (
                f"native file events unavailable ({exc.strerror or exc}); polling instead"
            )
            self.poll = True
            self.start()

    def healthy(self) -> bool:
        if self.observer is not None and self.observer.is_alive():
            return True
        self.stop()
        self.start()
        return False

    def stop(self) -> None:
        if self.observer is not None:
            try:
                self.observer.stop()
                self.observer.join(timeout=2)
            except RuntimeError:
                pass
            self.observer = None

    def close(self) -> None:
        """Stop, and leave watchdog's logging as it was."""
        self.stop()
        library = logging.getLogger("watchdog")
        if self.log in library.handlers:
            library.removeHandler(self.log)
            library.propagate = True


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
