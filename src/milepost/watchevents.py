"""File-system events of a watched vault, as batches of vault paths. The only module that
imports watchdog.

Events become vault paths; a filter drops editor and sync temp files, dot-folders and milepost's
cache; paths are collected into a batch until the vault has been quiet for a moment (or a
latency cap passes). A move is a delete plus a create. When the observer dies, or events may have
been lost, the batch asks for a reconciliation scan (one stat of every file) instead.

watchdog warns when a recursive inotify watch sees a folder and its subfolder appear together
(the subfolder is registered twice, with a screen of repr): that warning is harmless (the same
callback is registered again) and is silenced. watchdog's log records (a queue overflow, a watch
it could not add) mean events may have been lost, so they ask for a reconciliation scan instead
of printing.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .config import CACHE_DIR, CONFIG_NAME, Config
from .discover import is_ignored

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
