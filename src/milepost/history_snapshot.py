"""The history as the last build left it, kept in the cache (outside the vault) so that the next
build compares only the milestones of the notes that changed since.

The snapshot holds the state the history file leads to, each milestone's summary and identity,
and the digest of every note it was taken from; it counts only while the history file has the
size and mtime it was taken with (a pull, a merge or ``history --from-git`` changes them, and
the file is read again). Like the parse cache it is typed MessagePack: data, never code.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date

import msgspec

from . import __version__
from .cache import cache_folder
from .config import Config
from .errors import Diagnostic
from .files import write_atomic
from .history import Log, file_key
from .identity import span
from .index import VaultIndex
from .memory import Slip, Summary, Tracker, period

NAME = "history.msgpack"
SCHEMA = 1


class _Summary(msgspec.Struct, array_like=True):
    first_seen: str
    first_due: tuple[str, str] | None
    slips: int
    changes: int
    slipped: list[tuple[str, str, str]]


class _Snapshot(msgspec.Struct):
    key: str
    digests: dict[str, bytes]
    models: list[str]
    state: dict[str, dict[str, str | None]]
    idents: dict[str, str]
    summaries: dict[str, _Summary]
    invalid: list[tuple[int, str]]
    ends_with_newline: bool


def _key(config: Config) -> str:
    return f"{SCHEMA}|{__version__}|{config.fingerprint()}|{file_key(config)}"


def _models(index: VaultIndex) -> set[str]:
    return {note.path for note in index.model_notes.values()}


def restore(
    config: Config, tracker: Tracker, index: VaultIndex, digests: Mapping[str, bytes]
) -> set[str] | None:
    """Put the last build's history into ``tracker``; return the notes that changed since
    (None: no snapshot that counts, or a business-model note changed: compare every milestone)."""
    folder = cache_folder(config)
    if folder is None:
        return None
    try:
        snapshot = msgspec.msgpack.decode((folder / NAME).read_bytes(), type=_Snapshot)
    except (OSError, msgspec.MsgspecError, RecursionError):
        return None
    if snapshot.key != _key(config):
        return None
    summaries = {}
    for ident, s in snapshot.summaries.items():
        first_due = period(*s.first_due) if s.first_due is not None else None
        slipped = [Slip(date.fromisoformat(on), old, new) for on, old, new in s.slipped]
        summaries[ident] = Summary(
            date.fromisoformat(s.first_seen), first_due, s.slips, 0, s.changes, slipped
        )
    invalid = [
        Diagnostic(".milepost/history.jsonl", line, "history.invalid", "warning", message)
        for line, message in snapshot.invalid
    ]
    log = Log(diagnostics=invalid, ends_with_newline=snapshot.ends_with_newline)
    tracker.restore(file_key(config), log, snapshot.state, summaries, snapshot.idents)
    old = snapshot.digests
    changed = {p for p in old.keys() | digests.keys() if old.get(p) != digests.get(p)}
    if changed & (set(snapshot.models) | _models(index)):
        return None
    return changed


def save(config: Config, tracker: Tracker, index: VaultIndex, digests: Mapping[str, bytes]) -> None:
    """Keep what ``tracker`` knows after this build (a cache: a failure is no error)."""
    folder = cache_folder(config)
    if folder is None:
        return
    summaries = {
        ident: _Summary(
            s.first_seen.isoformat(),
            (s.first_due.text, span(s.first_due) or "") if s.first_due is not None else None,
            s.slips,
            s.changes,
            [(slip.on.isoformat(), slip.old, slip.new) for slip in s.slipped],
        )
        for ident, s in tracker.summaries.items()
    }
    snapshot = _Snapshot(
        _key(config),
        dict(digests),
        sorted(_models(index)),
        tracker.state,
        tracker.idents,
        summaries,
        [(d.line, d.message) for d in tracker.log.diagnostics],
        tracker.log.ends_with_newline,
    )
    with contextlib.suppress(Exception):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(folder / NAME, msgspec.msgpack.encode(snapshot), durable=False)
