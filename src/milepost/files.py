"""Writing files safely: atomic replacement, compare-and-swap for the user's notes, and paths
that cannot leave the folder they belong to.

- :func:`write_atomic` replaces a file through a temp file in the same folder and ``os.replace``,
  and skips equal bytes, so unchanged files keep their mtime.
- :func:`swap` replaces a file only while it still holds the bytes a change was made from; a save
  that lands in between is never overwritten (Linux swaps the two files atomically with
  ``renameat2(RENAME_EXCHANGE)`` and checks what it took out).
- :func:`inside` resolves a relative path under a root and refuses one that leaves it, through
  ``..`` or through a symbolic link anywhere on the way.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import WriteError

TEMP_SUFFIX = ".milepost-tmp"
"""The end of every temp file's name (``.<name>.<random>.milepost-tmp``)."""
SETTLE = 0.005
"""Seconds to wait before trusting that nobody writes any more to a note milepost replaced."""


def _failed(path: Path, exc: OSError, doing: str = "write") -> WriteError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    return WriteError(f"{path}: cannot {doing}: {reason}")


def inside(root: Path, rel: str) -> Path:
    """``root / rel`` when it stays inside ``root`` (``root`` must be resolved): no ``..``, no
    absolute path, no symbolic link on the way that leads out. The last part may be missing."""
    target = root / rel
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise WriteError(f"{rel}: would be written outside {root}; refused")
    real = target.parent.resolve() / target.name
    if not real.is_relative_to(root) or real == root:
        raise WriteError(f"{rel}: leads outside {root} (through a symbolic link); refused")
    return real


def _temp(path: Path) -> tuple[int, Path]:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    return fd, Path(name)


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return None


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Replace ``path`` with ``data`` through a temp file in the same folder; skip equal bytes.
    Return True when the file was written.

    ``durable`` also flushes the bytes to disk before the rename (a user's note with a managed
    region); files milepost can make again (pages, the site, caches) skip that wait.
    """
    with contextlib.suppress(OSError):
        if path.read_bytes() == data:
            return False
    temp = temp_beside(path, (data,), durable=durable)
    try:
        temp.replace(path)
    except BaseException as exc:  # Ctrl-C too: never leave a temp file behind
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise _failed(path, exc) from None
        raise
    return True


class Hashed:
    """Parts passed through while their hash (SHA-256) and size are taken."""

    def __init__(self, parts: Iterable[bytes]) -> None:
        self.parts = parts
        self.hash = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for part in self.parts:
            self.hash.update(part)
            self.size += len(part)
            yield part

    def drain(self) -> None:
        for _ in self:
            pass


def temp_beside(path: Path, chunks: Iterable[bytes], *, durable: bool = False) -> Path:
    """A temp file in ``path``'s folder (with ``path``'s mode, when it exists) that holds
    ``chunks`` one after the other, written as they come so that a large file is never held
    whole (``durable``: flushed to disk too); the caller moves it over ``path`` or removes it."""
    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode(path)
        fd, temp = _temp(path)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            temp.chmod(mode)
    except BaseException as exc:  # Ctrl-C too: never leave a temp file behind
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
        if isinstance(exc, OSError):
            raise _failed(path, exc) from None
        raise
    return temp


def _exchange() -> Callable[[Path, Path], bool] | None:
    """``renameat2(RENAME_EXCHANGE)`` where the C library has it (Linux), else None."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return None
    at_fdcwd, exchange = -100, 2

    def swap_names(a: Path, b: Path) -> bool:
        result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), exchange)
        if result != 0:
            code = ctypes.get_errno()
            if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
                return False  # this file system cannot exchange: fall back to a replace
            raise OSError(code, os.strerror(code), str(b))
        return True

    return swap_names


_EXCHANGE = _exchange()


CLOSE_WAIT = 5.0
"""Seconds to wait at most for other processes to close the file milepost swapped out."""


def _closed_by_others(path: Path) -> None:
    """Return once no other process has ``path`` open (or after CLOSE_WAIT): then nothing more
    can be written to it. A write lease on Linux is granted only to a file nobody else holds
    open; where leases are not available, wait SETTLE instead."""
    import fcntl

    lease = getattr(fcntl, "F_SETLEASE", None)
    if lease is None:
        time.sleep(SETTLE)
        return
    deadline = time.monotonic() + CLOSE_WAIT
    fd = os.open(path, os.O_RDONLY)
    try:
        while True:
            try:
                fcntl.fcntl(fd, lease, fcntl.F_WRLCK)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EBUSY):  # no leases here
                    time.sleep(SETTLE)
                    return
                if time.monotonic() > deadline:
                    return
                time.sleep(SETTLE)
                continue
            fcntl.fcntl(fd, lease, fcntl.F_UNLCK)
            return
    finally:
        os.close(fd)


def swap(path: Path, expect: bytes, new: bytes) -> tuple[bytes, bytes] | None:
    """Replace ``path`` with ``new`` if it still holds ``expect``. Return None when done; when a
    save came in between, return (the user's bytes to splice into again, what ``path`` holds
    now) and leave nothing of that save lost.

    On Linux the two files are exchanged atomically; what was taken out is checked (after a
    moment, for a writer that had the file open) and, when the user wrote to it meanwhile, put
    back, or merged with what they appended to milepost's file since.
    """
    temp: Path | None = None
    try:
        temp = temp_beside(path, (new,), durable=True)
        current = path.read_bytes()
        if current != expect:
            return current, current
        if _EXCHANGE is None or not _EXCHANGE(temp, path):
            temp.replace(path)
            temp = None
            return None
        _closed_by_others(temp)  # a writer that opened the old file may still be writing to it
        displaced = temp.read_bytes()
        if displaced == expect:
            return None
        now = path.read_bytes()
        if now == new:  # nobody wrote to milepost's file: put the user's back
            _EXCHANGE(temp, path)
            return _put_back(path, temp, new, displaced)
        if now.startswith(new) and displaced.startswith(expect):  # appends to both files
            return displaced + now[len(new) :], now
        return now, now  # a whole new save onto milepost's file: it is the newest
    except OSError as exc:
        raise _failed(path, exc) from None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()


def _put_back(path: Path, temp: Path, new: bytes, displaced: bytes) -> tuple[bytes, bytes]:
    """The user's file is back at ``path`` and milepost's at ``temp``: keep what a save wrote to
    milepost's file in the moment before (appended: added to the user's file; a whole new save:
    it is the newest, put in place)."""
    assert _EXCHANGE is not None
    _closed_by_others(temp)
    late = temp.read_bytes()
    if late == new:
        return displaced, displaced
    if late.startswith(new):
        with path.open("ab") as handle:
            handle.write(late[len(new) :])
            handle.flush()
            os.fsync(handle.fileno())
    else:
        _EXCHANGE(temp, path)
    now = path.read_bytes()
    return now, now


def remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _failed(path, exc, "remove") from None


def remove_empty_folders(folder: Path, stop: Path) -> None:
    """Remove ``folder`` and then its parents while they are empty, up to ``stop`` (kept)."""
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
