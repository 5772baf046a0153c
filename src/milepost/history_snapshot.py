"""The history as the last build left it, kept in the cache (outside the vault) so that the next
build compares only the milestones of the notes that changed since.

The snapshot holds the state the history file leads to, each milestone's summary and identity,
and the digest of every note it was taken from; it counts only while the history file has the
size and mtime it was taken with (a pull, a merge or ``history --from-git`` changes them, and
the file is read again). Like the parse cache it is typed MessagePack: data, never code. The
milestones' states and summaries are filed by note (:mod:`milepost.history_shelf`) and read only
for the notes a build looks at; the summaries of milestones that slipped (what pages show) and
the identities that differ from the index's ids are in the header, read each time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

import msgspec

from . import __version__
from .cache import cache_folder
from .config import Config
from .errors import Diagnostic
from .history import Log, file_key
from .history_shelf import (
    TRAILER,
    Shelf,
    ShelfError,
    StoredSummary,
    open_shelf,
    stored,
    summary_of,
    temp_beside,
    write_blobs,
)
from .index import VaultIndex
from .memory import Tracker

NAME = "history.msgpack"
SCHEMA = 2


class _Header(msgspec.Struct):
    key: str
    digests: dict[str, bytes]
    models: list[str]
    idents: dict[str, str]
    """Index id -> identity, where they differ."""
    slipped: dict[str, StoredSummary]
    """The summaries of the milestones that slipped."""
    invalid: list[tuple[int, str]]
    ends_with_newline: bool
    names: list[str]
    spans: list[tuple[int, int]]


def _key(config: Config) -> str:
    return f"{SCHEMA}|{__version__}|{config.fingerprint()}|{file_key(config)}"


def _models(index: VaultIndex) -> set[str]:
    return {note.path for note in index.model_notes.values()}


def restore(
    config: Config, tracker: Tracker, index: VaultIndex, digests: Mapping[str, bytes]
) -> set[str] | None:
    """Put the last build's history into ``tracker`` (the milestones' states and summaries are
    read later, for the notes it looks at); return the notes that changed since (None: no
    snapshot that counts, or a business-model note changed: compare every milestone)."""
    folder = cache_folder(config)
    if folder is None:
        return None
    try:
        shelf, found = open_shelf(folder / NAME, _Header)
    except ShelfError:
        return None
    assert isinstance(found, _Header)
    if found.key != _key(config):
        shelf.close()
        return None
    invalid = [
        Diagnostic(".milepost/history.jsonl", line, "history.invalid", "warning", message)
        for line, message in found.invalid
    ]
    log = Log(diagnostics=invalid, ends_with_newline=found.ends_with_newline)
    summaries = {ident: summary_of(s) for ident, s in found.slipped.items()}
    tracker.restore(file_key(config), log, {}, summaries, found.idents, shelf=shelf)
    old = found.digests
    changed = {p for p in old.keys() | digests.keys() if old.get(p) != digests.get(p)}
    if changed & (set(found.models) | _models(index)):
        return None
    return changed


def save(config: Config, tracker: Tracker, index: VaultIndex, digests: Mapping[str, bytes]) -> bool:
    """Keep what ``tracker`` knows after this build (a cache: a failure is no error); True
    when it is kept."""
    folder = cache_folder(config)
    if folder is None:
        return False
    shelf = tracker.shelf
    if shelf is not None and not isinstance(shelf, Shelf):
        return False
    with contextlib.suppress(Exception):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = temp_beside(folder / NAME)
        try:
            with handle:
                names, spans = write_blobs(handle, tracker.state, tracker.summaries, shelf)
                header = _Header(
                    _key(config),
                    dict(digests),
                    sorted(_models(index)),
                    {i: ident for i, ident in tracker.idents.items() if i != ident},
                    {i: stored(s) for i, s in tracker.summaries.items() if s.slips},
                    [(d.line, d.message) for d in tracker.log.diagnostics],
                    tracker.log.ends_with_newline,
                    names,
                    spans,
                )
                start = handle.tell()
                handle.write(msgspec.msgpack.encode(header))
                handle.write(start.to_bytes(TRAILER, "big"))
            temp.replace(folder / NAME)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        return True
    return False


def shelve(config: Config, tracker: Tracker) -> None:
    """Let ``tracker`` read its states and summaries from the snapshot :func:`save` has just
    written, instead of holding them (a watching session between saves)."""
    folder = cache_folder(config)
    if folder is None:
        return
    try:
        shelf, found = open_shelf(folder / NAME, _Header)
    except ShelfError:
        return
    assert isinstance(found, _Header)
    if found.key != _key(config) or found.key.rsplit("|", 1)[-1] != tracker.key:
        shelf.close()
        return
    tracker.shelve(shelf)
