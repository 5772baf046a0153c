"""What milepost keeps between runs, in the user's cache folder: never in the vault.

A vault is often shared (git, a sync tool, a zip), so nothing milepost can make again is
written into it. Each vault has its own folder, ``<cache root>/vaults/<hash of its real
path>/``; the cache root is ``--cache-dir``, else ``MILEPOST_CACHE_DIR``, else the user's cache
folder (``~/.cache/milepost`` on Linux). It holds:

- ``notes.sqlite``: every parsed note, keyed by path, with the size, mtime and content hash of
  the file it came from. A note is parsed again only when its bytes changed (a touch that leaves
  the bytes alone costs a hash, not a parse).
- ``stamp.json``: a fingerprint of the last build's inputs (every file's size and mtime,
  milepost's version, the configuration, today) and what it reported. When nothing changed, a new
  ``milepost build`` process answers from the stamp after one stat of every file (:mod:`.stamp`
  reads and writes it).

Notes are stored as data (MessagePack, read back into the record types by a typed decoder), so
reading a cache, whoever wrote it, can only give notes or nothing: never run code. Both files
are dropped whenever milepost's version, the storage format or a setting that changes parsing
changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

from .config import Config
from .discover import SourceFile
from .interning import Pool
from .model import Note
from .sources import sources_digest

PARSER_VERSION = "4"
"""Bumped by hand for a change the sources below do not show (a library's new behaviour)."""
PARSER_SOURCES = ("model.py", "records.py", "parse")
"""What makes a note's parse: its fingerprint is part of the cache's, so an edited parser or
record never reads notes parsed by the old one (no version to remember to bump)."""
FORMAT = "msgpack-2"
"""How notes are stored; bumped whenever that changes."""
CACHE_ENV = "MILEPOST_CACHE_DIR"
"""The environment variable that moves the cache root (``--cache-dir`` wins over it)."""
PLAIN_DEPTH = 64
"""Front matter nested deeper than this is not cached (it is parsed again each run)."""
PLAIN_NODES = 100_000
"""Nor front matter of more values than this."""


def cache_root(config: Config) -> Path:
    """Where milepost keeps its caches: ``--cache-dir``, ``MILEPOST_CACHE_DIR``, else the user's
    cache folder."""
    if config.cache_dir is not None:
        return config.cache_dir.absolute()
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen).absolute()
    import platformdirs

    return Path(platformdirs.user_cache_dir("milepost", appauthor=False))


def cache_folder(config: Config) -> Path | None:
    """The cache folder of this vault (keyed by its real path), or None with ``--no-cache``."""
    if not config.cache:
        return None
    real = os.path.realpath(config.vault)
    key = hashlib.sha256(os.fsencode(real)).hexdigest()[:32]
    return cache_root(config) / "vaults" / key


def make_folder(folder: Path) -> None:
    """Create the vault's cache folder, readable by this user alone (it holds note text)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)


def parser_fingerprint() -> str:
    """A digest of the parser's source files (see PARSER_SOURCES)."""
    return sources_digest(PARSER_SOURCES).hex()


def fingerprint(config: Config) -> str:
    from . import __version__

    text = (
        f"{__version__}\0{PARSER_VERSION}\0{parser_fingerprint()}\0{FORMAT}\0{config.fingerprint()}"
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def content_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


# ----- notes as data --------------------------------------------------------------------------
def _no_extensions(code: int, _data: memoryview) -> Any:
    raise ValueError(f"unexpected MessagePack extension {code}")


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Note, ext_hook=_no_extensions)


def _plain(value: object) -> bool:
    """True for values data carries exactly: str, int, float, bool, None, lists, and tables
    with text keys (YAML can also give sets, binary, timestamps and tuples), nested at most
    ``PLAIN_DEPTH`` deep and ``PLAIN_NODES`` values in all (YAML aliases can make far more)."""
    todo: list[tuple[object, int]] = [(value, 0)]
    seen = 0
    while todo:
        item, depth = todo.pop()
        seen += 1
        kind = type(item)
        if kind is str or kind is bool or kind is int or kind is float or item is None:
            continue
        if depth >= PLAIN_DEPTH or seen > PLAIN_NODES:
            return False
        if kind is list:
            todo.extend((member, depth + 1) for member in item)  # type: ignore[attr-defined]
        elif kind is dict:
            for key, member in item.items():  # type: ignore[attr-defined]
                if type(key) is not str:
                    return False
                todo.append((member, depth + 1))
        else:
            return False
    return True


def encode_note(note: Note) -> bytes | None:
    """The note as MessagePack data; None when it cannot be stored exactly (front matter with a
    YAML set, binary or timestamp value, an integer too large for 64 bits): such a note is not
    cached, only parsed again."""
    if not _plain(note.frontmatter):
        return None
    try:
        return _ENCODER.encode(note)
    except (msgspec.MsgspecError, TypeError, ValueError, OverflowError, RecursionError):
        return None


def decode_note(blob: bytes) -> Note:
    """The note stored as ``blob``; raises ValueError (or a subclass) when it is not one."""
    try:
        return _DECODER.decode(blob)
    except (msgspec.MsgspecError, RecursionError) as exc:
        raise ValueError(f"not a stored note: {exc}") from None


Stored = tuple[SourceFile, bytes, Note, bytes | None]
"""A parsed note to remember: its file, the digest of its bytes, the note, its encoded form if
already made (a worker process made it)."""


def _discard(_batch: list[Stored]) -> None:
    """Where batches go when there is no cache to keep them in."""


class NoteCache:
    """Parsed notes, kept in SQLite. Every failure degrades to "not cached", never to an error."""

    def __init__(self, config: Config, *, read_only: bool = False) -> None:
        self.key = fingerprint(config)
        self.read_only = read_only
        self.rows: dict[str, tuple[int, int, bytes]] = {}
        self.db: sqlite3.Connection | None = None
        self.pool = Pool()
        """The one object kept for each repeated value of the notes read (see ``load``)."""
        folder = cache_folder(config)
        if folder is None:
            return
        try:
            if read_only:
                uri = (folder / "notes.sqlite").as_uri() + "?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
                self._read_rows()
            else:
                make_folder(folder)
                self.db = sqlite3.connect(
                    folder / "notes.sqlite", timeout=5, check_same_thread=False
                )
                self._prepare(str(config.vault))
        except (OSError, sqlite3.Error):
            self.close()
            self.rows = {}

    def _prepare(self, vault: str) -> None:
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
            db.execute("INSERT OR REPLACE INTO meta VALUES ('vault', ?)", (vault,))
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
        """The cached notes of ``paths`` (those that cannot be read back are simply missing)."""
        if self.db is None:
            return {}
        wanted = set(paths)
        found: dict[str, Note] = {}
        pool = self.pool  # one object per repeated value, kept as each note is decoded
        try:
            for path, blob in self.db.execute("SELECT path, note FROM notes"):
                if path in wanted and isinstance(blob, bytes):
                    with contextlib.suppress(ValueError):
                        note = decode_note(blob)
                        if note.path == path:
                            found[path] = pool.note(note)
        except sqlite3.Error:
            return found
        return found

    def store(self, items: Iterable[Stored]) -> None:
        """Remember parsed notes: (file, content digest, note, its encoded form if made). A note
        that cannot be stored as data is forgotten instead."""
        if self.db is None or self.read_only:
            return
        stored: list[tuple[str, int, int, bytes]] = []
        dropped: list[tuple[str]] = []

        def rows() -> Iterator[tuple[str, int, int, bytes, bytes]]:
            for f, digest, note, blob in items:
                data = blob or encode_note(note)
                if data is None:
                    dropped.append((f.path,))
                    continue
                stored.append((f.path, f.size, f.mtime_ns, digest))
                yield f.path, f.size, f.mtime_ns, digest, data

        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?)", rows())
                if dropped:
                    self.db.executemany("DELETE FROM notes WHERE path = ?", dropped)
        except sqlite3.Error:
            return
        for path, size, mtime, digest in stored:
            self.rows[path] = (size, mtime, digest)
        for (path,) in dropped:
            self.rows.pop(path, None)

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
