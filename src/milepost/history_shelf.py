"""The cached history's milestones, one blob per note, read only as far as a build needs them.

The history snapshot (:mod:`milepost.history_snapshot`) ends with a header; before it, each note
has a blob with the state and the summary of every identity last seen in that note, and one more
blob says which note each identity is in. A one-note build reads the header and the blob of the
note that changed (and of a note an identity it looks up is in); a build that compares every
milestone reads them all. Blobs are read from the file as it was opened, so a snapshot that
another process writes meanwhile changes nothing for this one.

File layout: ``MAGIC``, the blobs, the header (MessagePack), then the header's offset as eight
bytes (big-endian).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import BinaryIO

import msgspec

from .history import State
from .identity import span
from .slips import Slip, Summary, period

MAGIC = b"mphist2\n"
TRAILER = 8


class ShelfError(Exception):
    """The snapshot cannot be read as one (a cache: the history file is read instead)."""


class StoredSummary(msgspec.Struct, array_like=True):
    first_seen: str
    first_due: tuple[str, str] | None
    slips: int
    changes: int
    slipped: list[tuple[str, str, str]]


Group = dict[str, tuple[dict[str, str | None], StoredSummary | None]]
"""Identity -> its last recorded values and its summary."""

_GROUP = msgspec.msgpack.Decoder(Group)
_MEMBERS = msgspec.msgpack.Decoder(list[list[str]])
_ENCODE = msgspec.msgpack.Encoder()


def stored(summary: Summary) -> StoredSummary:
    due = summary.first_due
    return StoredSummary(
        summary.first_seen.isoformat(),
        (due.text, span(due) or "") if due is not None else None,
        summary.slips,
        summary.changes,
        [(slip.on.isoformat(), slip.old, slip.new) for slip in summary.slipped],
    )


def summary_of(s: StoredSummary) -> Summary:
    first_due = period(*s.first_due) if s.first_due is not None else None
    slipped = [Slip(date.fromisoformat(on), old, new) for on, old, new in s.slipped]
    return Summary(date.fromisoformat(s.first_seen), first_due, s.slips, 0, s.changes, slipped)


def group_of(values: Mapping[str, str | None]) -> str:
    """The note an identity is filed under: the one it was last seen in."""
    return values.get("note") or ""


class Shelf:
    """The blobs of a snapshot file not read yet (its header is read)."""

    def __init__(self, handle: BinaryIO, names: list[str], spans: list[tuple[int, int]]) -> None:
        self.handle = handle
        self.names = names
        """Every note that has a blob, in file order."""
        self.spans = dict(zip(names, spans[: len(names)], strict=True))
        self.where_span = spans[-1] if len(spans) > len(names) else (0, 0)
        self.loaded: set[str] = set()
        """Notes whose identities are in memory now (their blobs, or no blob at all)."""
        self._where: dict[str, int] | None = None

    def _read(self, at: tuple[int, int]) -> bytes:
        offset, length = at
        data = os.pread(self.handle.fileno(), length, offset)
        if len(data) != length:
            raise ShelfError("the snapshot is shorter than its header says")
        return data

    def where(self) -> dict[str, int]:
        """Identity -> the index in :attr:`names` of the note it is filed under."""
        if self._where is None:
            self._where = {
                ident: number for number, idents in enumerate(self.members()) for ident in idents
            }
        return self._where

    def members(self) -> list[list[str]]:
        """The identities filed under each note of :attr:`names`, in that order."""
        try:
            found = _MEMBERS.decode(self._read(self.where_span))
        except (OSError, msgspec.MsgspecError, RecursionError) as exc:
            raise ShelfError(str(exc)) from None
        if len(found) != len(self.names):
            raise ShelfError("the snapshot's notes and their identities disagree")
        return found

    def group(self, name: str) -> Group:
        """The identities filed under ``name``, as stored."""
        at = self.spans.get(name)
        if at is None:
            return {}
        try:
            return _GROUP.decode(self._read(at))
        except (OSError, msgspec.MsgspecError, RecursionError) as exc:
            raise ShelfError(str(exc)) from None

    def raw(self, name: str) -> bytes:
        return self._read(self.spans[name])

    def load(
        self,
        state: State,
        summaries: dict[str, Summary],
        notes: Iterable[str] = (),
        idents: Iterable[str] = (),
    ) -> None:
        """Put in ``state`` and ``summaries`` the identities filed under ``notes`` and those
        that hold ``idents`` (what is there already stays)."""
        wanted = {n for n in notes if n not in self.loaded}
        missing = [i for i in idents if i not in state]
        if missing:
            where = self.where()
            for ident in missing:
                number = where.get(ident)
                if number is not None and 0 <= number < len(self.names):
                    wanted.add(self.names[number])
        for name in sorted(wanted - self.loaded):
            for ident, (values, summary) in self.group(name).items():
                if ident not in state:
                    state[ident] = values
                if summary is not None and ident not in summaries:
                    summaries[ident] = summary_of(summary)
            self.loaded.add(name)

    def load_all(self, state: State, summaries: dict[str, Summary]) -> None:
        self.load(state, summaries, self.names)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()


def open_shelf(path: Path, header_type: type[msgspec.Struct]) -> tuple[Shelf, msgspec.Struct]:
    """The shelf of a snapshot file and its header (decoded as ``header_type``, which must
    have ``names`` and ``spans``). Raises ShelfError when it is not one."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ShelfError(str(exc)) from None
    try:
        size = os.fstat(handle.fileno()).st_size
        if size < len(MAGIC) + TRAILER or handle.read(len(MAGIC)) != MAGIC:
            raise ShelfError("not a snapshot")
        start = int.from_bytes(os.pread(handle.fileno(), TRAILER, size - TRAILER), "big")
        if not len(MAGIC) <= start <= size - TRAILER:
            raise ShelfError("not a snapshot")
        data = os.pread(handle.fileno(), size - TRAILER - start, start)
        header = msgspec.msgpack.decode(data, type=header_type)
        names: list[str] = header.names  # type: ignore[attr-defined]
        spans: list[tuple[int, int]] = header.spans  # type: ignore[attr-defined]
        if len(spans) not in (len(names), len(names) + 1) or any(
            not len(MAGIC) <= offset <= start - length for offset, length in spans
        ):
            raise ShelfError("not a snapshot")
        return Shelf(handle, names, spans), header
    except (OSError, msgspec.MsgspecError, RecursionError, ShelfError) as exc:
        handle.close()
        raise ShelfError(str(exc)) from None


def regroup(state: State) -> dict[str, list[str]]:
    """The identities of ``state`` by the note each is filed under."""
    groups: dict[str, list[str]] = {}
    for ident, values in state.items():
        groups.setdefault(group_of(values), []).append(ident)
    return groups


def write_blobs(
    handle: BinaryIO,
    state: State,
    summaries: dict[str, Summary],
    shelf: Shelf | None,
) -> tuple[list[str], list[tuple[int, int]]]:
    """Write ``MAGIC`` and every blob into ``handle``; return the notes and their spans, the
    last span being that of the blob that lists each note's identities."""
    if shelf is not None:  # an identity filed under a note not read yet: read that note first
        stray = {group_of(v) for v in state.values()} - shelf.loaded
        shelf.load(state, summaries, [n for n in stray if n in shelf.spans])
    in_memory = regroup(state)
    kept = [n for n in shelf.names if n not in shelf.loaded] if shelf is not None else []
    names = sorted({*in_memory, *kept})
    handle.write(MAGIC)
    offset = len(MAGIC)
    spans: list[tuple[int, int]] = []
    written: list[str] = []
    for name in names:
        if name in in_memory:
            group = {
                ident: (state[ident], stored(s) if (s := summaries.get(ident)) else None)
                for ident in in_memory[name]
            }
            data = _ENCODE.encode(group)
        else:
            assert shelf is not None
            data = shelf.raw(name)
        handle.write(data)
        spans.append((offset, len(data)))
        written.append(name)
        offset += len(data)
    kept_members: dict[str, list[str]] = {}
    if shelf is not None and kept:
        kept_members = dict(zip(shelf.names, shelf.members(), strict=True))
    members = [in_memory[n] if n in in_memory else kept_members[n] for n in written]
    data = _ENCODE.encode(members)
    handle.write(data)
    spans.append((offset, len(data)))
    return written, spans


def temp_beside(path: Path) -> tuple[BinaryIO, Path]:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    return os.fdopen(fd, "wb"), Path(name)
