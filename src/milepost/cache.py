"""What milepost keeps between runs in the vault's ``.milepost/cache/``.

- ``notes.sqlite``: every parsed note, keyed by path, with the size, mtime and content hash of
  the file it came from. A note is parsed again only when its bytes changed (a touch that leaves
  the bytes alone costs a hash, not a parse).
- ``stamp.json``: a fingerprint of the last build's inputs (every file's size and mtime,
  milepost's version, the configuration, today) and what it reported. When nothing changed, a new
  ``milepost build`` process answers from the stamp after one stat of every file.

Both are dropped whenever milepost's version or a setting that changes parsing changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .config import CACHE_DIR, Config
from .discover import SourceFile
from .model import Note

PARSER_VERSION = "3"
"""Bumped whenever a change to the parser changes what it makes of the same bytes."""


def cache_folder(config: Config) -> Path:
    return config.vault / CACHE_DIR / "cache"


def fingerprint(config: Config) -> str:
    from . import __version__

    text = f"{__version__}\0{PARSER_VERSION}\0{config.fingerprint()}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def content_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


Stored = tuple[SourceFile, bytes, Note, bytes | None]
"""A parsed note to remember: its file, the digest of its bytes, the note, its pickle if made."""


def _discard(_batch: list[Stored]) -> None:
    """Where batches go when there is no cache to keep them in."""


class NoteCache:
    """Parsed notes, kept in SQLite. Every failure degrades to "not cached", never to an error."""

    def __init__(self, config: Config, *, read_only: bool = False) -> None:
        self.key = fingerprint(config)
        self.read_only = read_only
        self.rows: dict[str, tuple[int, int, bytes]] = {}
        self.db: sqlite3.Connection | None = None
        folder = cache_folder(config)
        try:
            if read_only:
                uri = (folder / "notes.sqlite").as_uri() + "?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
                self._read_rows()
            else:
                folder.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(
                    folder / "notes.sqlite", timeout=5, check_same_thread=False
                )
                self._prepare()
        except (OSError, sqlite3.Error):
            self.db = None
            self.rows = {}

    def _prepare(self) -> None:
        assert self.db is not None
        db = self.db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS notes "
            "(path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, digest BLOB, note BLOB)"
        )
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if row is None or row[0] != self.key:
            db.execute("DELETE FROM notes")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (self.key,))
            db.commit()
        self._read_rows()

    def _read_rows(self) -> None:
        assert self.db is not None
        row = self.db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if row is None or row[0] != self.key:
            return
        for path, size, mtime, digest in self.db.execute(
            "SELECT path, size, mtime, digest FROM notes"
        ):
            self.rows[path] = (size, mtime, digest)

    def fresh(self, file: SourceFile) -> bool:
        """True when the cached note of ``file`` was made from a file of the same size and mtime."""
        row = self.rows.get(file.path)
        return row is not None and row[0] == file.size and row[1] == file.mtime_ns

    def digest_of(self, path: str) -> bytes | None:
        row = self.rows.get(path)
        return row[2] if row is not None else None

    def load(self, paths: Iterable[str]) -> dict[str, Note]:
        """The cached notes of ``paths`` (those that cannot be read are simply missing)."""
        if self.db is None:
            return {}
        wanted = set(paths)
        found: dict[str, Note] = {}
        try:
            for path, blob in self.db.execute("SELECT path, note FROM notes"):
                if path in wanted:
                    with contextlib.suppress(Exception):
                        found[path] = pickle.loads(blob)
        except sqlite3.Error:
            return found
        return found

    def store(self, items: Iterable[Stored]) -> None:
        """Remember parsed notes: (file, content digest, note, its pickle if already made)."""
        if self.db is None or self.read_only:
            return
        stored: list[tuple[str, int, int, bytes]] = []

        def rows() -> Iterator[tuple[str, int, int, bytes, bytes]]:
            for f, digest, note, blob in items:
                stored.append((f.path, f.size, f.mtime_ns, digest))
                yield (
                    f.path,
                    f.size,
                    f.mtime_ns,
                    digest,
                    blob or pickle.dumps(note, protocol=pickle.HIGHEST_PROTOCOL),
                )

        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?)", rows())
        except sqlite3.Error:
            return
        for path, size, mtime, digest in stored:
            self.rows[path] = (size, mtime, digest)

    @contextmanager
    def storing(self) -> Iterator[Callable[[list[Stored]], None]]:
        """Store batches on a thread while the caller parses on (SQLite writes without holding
        the GIL). The connection is used by that thread alone until the block ends."""
        if self.db is None or self.read_only:
            yield _discard
            return
        work: queue.SimpleQueue[list[Stored] | None] = queue.SimpleQueue()

        def run() -> None:
            while (batch := work.get()) is not None:
                with contextlib.suppress(Exception):  # a cache that fails is only slower
                    self.store(batch)

        thread = threading.Thread(target=run, name="milepost-cache", daemon=True)

        def put(batch: list[Stored]) -> None:
            if not thread.is_alive() and thread.ident is None:
                thread.start()  # on the first batch: worker processes are forked by then
            work.put(batch)

        try:
            yield put
        finally:
            if thread.ident is not None:
                work.put(None)
                thread.join()

    def forget(self, paths: Iterable[str]) -> None:
        """Forget the notes of removed paths."""
        gone = [(p,) for p in paths]
        if self.db is None or self.read_only or not gone:
            return
        try:
            with self.db:
                self.db.executemany("DELETE FROM notes WHERE path = ?", gone)
        except sqlite3.Error:
            return
        for (path,) in gone:
            self.rows.pop(path, None)

    def touch(self, file: SourceFile) -> None:
        """The file's bytes did not change, only its stat: remember the new size and mtime."""
        row = self.rows.get(file.path)
        if self.db is None or row is None or self.read_only:
            return
        with contextlib.suppress(sqlite3.Error), self.db:
            self.db.execute(
                "UPDATE notes SET size = ?, mtime = ? WHERE path = ?",
                (file.size, file.mtime_ns, file.path),
            )
        self.rows[file.path] = (file.size, file.mtime_ns, row[2])

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None


def stamp_key(config: Config, files: Iterable[SourceFile], today: str, extra: str = "") -> str:
    """A fingerprint of everything a build reads: the files' stats, the settings, today."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{fingerprint(config)}\0{today}\0{config!r}\0{extra}".encode())
    for file in files:
        digest.update(f"{file.path}\0{file.size}\0{file.mtime_ns}\n".encode())
    return digest.hexdigest()


def read_stamp(config: Config) -> dict[str, Any] | None:
    try:
        data = json.loads((cache_folder(config) / "stamp.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_stamp(config: Config, data: dict[str, Any]) -> None:
    from .write import write_atomic

    with contextlib.suppress(Exception):
        folder = cache_folder(config)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(
            folder / "stamp.json", json.dumps(data, sort_keys=True).encode(), durable=False
        )


def clear_stamp(config: Config) -> None:
    with contextlib.suppress(OSError):
        (cache_folder(config) / "stamp.json").unlink()
