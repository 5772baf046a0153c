"""Write a large generated file (a calendar feed) as it is made, and read one back, never whole.

:func:`write_stream` keeps the rules of :meth:`~milepost.write.Writer.page`: equal bytes are not
written again (the file keeps its mtime), a file without milepost's mark is the user's and a
file edited since milepost wrote it is a conflict (``force`` overwrites the latter), the manifest
journals the write before the file is replaced, and the record's size and mtime are kept only
when the file still holds milepost's bytes. What differs is how: the parts go to a temp file
beside the target as they come, hashed on the way, and the file on disk is known by its record
(size and mtime) or read in blocks, so neither the old nor the new bytes are ever held whole.
:func:`recorded_events` reads the events of a feed milepost wrote back from its file, in blocks.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from .files import Hashed, remove, temp_beside
from .manifest_records import PageRecord, Written
from .marks import is_ours
from .write import Change, Writer

BLOCK = 1 << 20
HEAD = 4096
"""Bytes at the start of a file that tell whether it is milepost's (see ``marks.is_ours``)."""
EVENT = b"BEGIN:VEVENT\r\n"
END = b"END:VCALENDAR\r\n"
REVIEW_UID = b"\r\nUID:plan-review@"


def _on_disk(target: Path, known: PageRecord | None) -> tuple[Written, bytes | None] | None:
    """What the file there now holds (its hash, size and, while it did not change as it was
    read, mtime) and its first bytes; None when there is none. A file that kept the size and
    mtime of milepost's last write is known by its record, unread (its first bytes are then
    None: it is milepost's)."""
    try:
        before = target.stat()
    except FileNotFoundError:
        return None
    if known is not None and known.written.matches(before.st_size, before.st_mtime_ns):
        return known.written, None
    made = hashlib.sha256()
    head = b""
    with target.open("rb") as handle:
        while block := handle.read(BLOCK):
            head = head or block[:HEAD]
            made.update(block)
    return _kept(target, before, Written(made.hexdigest(), before.st_size)), head


def write_stream(
    writer: Writer, path: str, kind: str, parts: Iterable[bytes], *, inputs: str = "", key: str = ""
) -> None:
    """Write the file ``path`` (a vault path) from ``parts`` and record it with ``kind``,
    ``key`` and ``inputs`` as :meth:`Writer.page <milepost.write.Writer.page>` would."""
    target = writer.target(path)
    if target is None:
        return
    manifest = writer.manifest
    known = manifest.pages.get(path)
    try:
        current = _on_disk(target, known)
    except OSError as exc:
        writer.record(Change(path, "conflict", f"cannot read: {exc.strerror or exc}"))
        return
    made = Hashed(parts)
    temp: Path | None = None
    if writer.dry_run:
        made.drain()
    else:
        temp = temp_beside(target, made)
    try:
        sha = made.hash.hexdigest()
        record = PageRecord(Written(sha, made.size), kind, key, inputs)
        if current is not None and current[0].sha256 == sha:
            record = PageRecord(current[0], kind, key, inputs)
            if not writer.dry_run:
                manifest.set_page(path, record)
            writer.record(Change(path, "unchanged"))
            return
        if current is not None:
            seen, head = current
            if head is not None and not is_ours(path, head):
                why = "a file milepost did not write is in the way; it is left alone"
                writer.record(Change(path, "conflict", why))
                return
            if (known is None or seen.sha256 != known.written.sha256) and not writer.force:
                why = (
                    "edited by hand since milepost wrote it"
                    if known is not None and known.written.sha256 is not None
                    else "not in milepost's manifest"
                )
                writer.record(Change(path, "conflict", f"{why}; kept (--force overwrites)"))
                return
        if temp is not None:
            manifest.will_write_page(path, record)
            before = temp.stat()
            temp.replace(target)
            temp = None
            manifest.wrote_page(
                path, replace(record, written=_kept(target, before, record.written))
            )
        writer.record(Change(path, "create" if current is None else "update"))
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                remove(temp)


def _kept(target: Path, before: os.stat_result, written: Written) -> Written:
    """The record of a file just moved into place: with its size and mtime only while it is
    still the file written (same inode, size and mtime), so a save that lands right after is
    never taken for milepost's own bytes."""
    try:
        after = target.stat()
    except OSError:
        return written
    same = (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    return Written(written.sha256, after.st_size, after.st_mtime_ns) if same else written


def events_of(feed: bytes) -> bytes:
    """The ``VEVENT`` blocks of a feed milepost made, without the plan review."""
    start, end = feed.find(EVENT), feed.rfind(END)
    if start < 0 or end < start:
        return b""
    blocks = feed[start:end].split(EVENT)
    return b"".join(EVENT + b for b in blocks if b and REVIEW_UID not in b"\r\n" + b)


def recorded_events(target: Path, written: Written) -> Iterator[bytes] | None:
    """The events of the feed file ``target`` (as :func:`events_of`), read in blocks, while
    the file holds what milepost wrote there (``written``); else None."""
    try:
        info = target.stat()
        if not written.matches(info.st_size, info.st_mtime_ns):
            made = hashlib.sha256()
            with target.open("rb") as handle:
                while block := handle.read(BLOCK):
                    made.update(block)
            if made.hexdigest() != written.sha256:
                return None
        handle = target.open("rb")
    except OSError:
        return None
    return _events(handle, info.st_size)


def _events(handle: BinaryIO, size: int) -> Iterator[bytes]:
    with handle:
        first = handle.read(BLOCK)
        # a feed milepost wrote: its header and plan review, its events, its end
        start = after = -1
        while True:
            start = first.find(EVENT)
            after = first.find(EVENT, start + len(EVENT)) if start >= 0 else -1
            if after >= 0 or len(first) >= size or not (more := handle.read(BLOCK)):
                break
            first += more
        if after < 0:  # no second event: a small feed, read at once
            yield events_of(first + handle.read())
            return
        if REVIEW_UID in b"\r\n" + first[start + len(EVENT) : after]:
            start = after
        left = size - len(END) - start
        handle.seek(start)
        while left > 0 and (block := handle.read(min(BLOCK, left))):
            left -= len(block)
            yield block
