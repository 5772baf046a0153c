"""What history says about each milestone of an index: when it was first seen, how often its due
date slipped and by how much, and which slips fall in a review's window.

:func:`remember` reads the vault's history, adds what this build would record (without writing
it), and summarises per milestone, so ``index --json`` and the pages of a build agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .config import Config
from .errors import Diagnostic
from .history import Log, Record, State, changes, file_key, load, replay
from .identity import Seen, explicit_id, seen
from .index import Entry, VaultIndex, entry_id
from .slips import Summary, period, slip_days, summarise, with_slips


@dataclass(slots=True)
class Memory:
    """History as the pages and the JSON of one index show it."""

    idents: dict[str, str] = field(default_factory=dict)
    """Index id -> identity."""
    summaries: dict[str, Summary] = field(default_factory=dict)
    pending: Sequence[Record] = field(default_factory=list)
    """What this build records (not written yet; a first build's are made as they are read)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    log: Log = field(default_factory=Log)
    _slipped: dict[str, Summary] | None = None

    def of(self, entry: Entry) -> Summary | None:
        ident = self.idents.get(entry.id)
        return self.summaries.get(ident) if ident is not None else None

    @property
    def slipped(self) -> dict[str, Summary]:
        """Index id -> summary, of the milestones that slipped (all that pages show of history:
        one look-up per milestone, not two)."""
        if self._slipped is None:
            summaries = self.summaries
            self._slipped = {
                i: s
                for i, ident in self.idents.items()
                if (s := summaries.get(ident)) is not None and s.slips
            }
        return self._slipped

    def only_slips(self) -> None:
        """Let go of the summaries of the milestones that never slipped: pages show nothing
        else of history (a one-shot build's 163,500 summaries weighed 30 MB under its pages)."""
        self.summaries = with_slips(self.summaries)
        self._slipped = None

    def slipped_of(self, entry: Entry) -> Summary | None:
        """The summary of ``entry`` when it slipped, else None."""
        return self.slipped.get(entry.id)

    def ident(self, entry: Entry) -> str:
        return self.idents.get(entry.id, entry.id)

    def fingerprint(self, entries: Iterable[Entry]) -> bytes:
        """What the pages of ``entries`` show of history: the slips (nothing else is shown)."""
        digest = hashlib.blake2b(digest_size=16)
        slipped = self.slipped
        ids = [i for i in map(entry_id, entries) if i in slipped] if slipped else []
        for index_id in ids:  # (an index id, as the summaries by id are keyed)
            summary = slipped[index_id]
            shown = (summary.slips, summary.slip_days, summary.first_due, summary.slipped)
            digest.update(index_id.encode() + repr(shown).encode())
        return digest.digest()


class Shelved(Protocol):
    """Milestones' states and summaries kept aside, read for the notes a build looks at
    (:class:`milepost.history_shelf.Shelf`)."""

    def load(
        self,
        state: State,
        summaries: dict[str, Summary],
        notes: Iterable[str] = (),
        idents: Iterable[str] = (),
    ) -> None: ...

    def load_all(self, state: State, summaries: dict[str, Summary]) -> None: ...

    def close(self) -> None: ...


class Tracker:
    """The history of one vault as a session knows it: the file's records, the state they lead
    to, and each milestone as last seen. A watching session keeps one between rounds, so a save
    compares only the milestones of the notes it changed."""

    def __init__(self, config: Config, log: Log | None = None) -> None:
        self.config = config
        self.key: str | None = None
        self.log = Log()
        self.state: State = {}
        self.summaries: dict[str, Summary] = {}
        self.idents: dict[str, str] = {}
        self._seen: dict[str, tuple[Entry, Seen]] = {}
        self.shelf: Shelved | None = None
        """What of the state and summaries is not read yet (None: all of it is here)."""
        if log is not None:
            self._take(log, "given")

    def _take(self, log: Log, key: str) -> None:
        self._unshelve()
        self.key, self.log = key, log
        self.state = replay(log.records)
        self.summaries = summarise(log.records)
        self.idents = {}
        self._seen = {}

    def restore(
        self,
        key: str,
        log: Log,
        state: State,
        summaries: dict[str, Summary],
        idents: dict[str, str],
        *,
        shelf: Shelved | None = None,
    ) -> None:
        """Take what an earlier build knew, for the history file whose key is ``key`` (``log``
        holds its findings; its records are not read). ``idents``: those that differ from the
        index's ids; ``shelf``: the states and summaries not in ``state`` and ``summaries``."""
        self._unshelve()
        self.key, self.log, self.state = key, log, state
        self.summaries, self.idents, self._seen = summaries, idents, {}
        self.shelf = shelf

    def shelve(self, shelf: Shelved) -> None:
        """Leave the states and summaries to ``shelf``, just written from them, and keep only
        the summaries of milestones that slipped (what pages show): a watching session reads
        back those of the notes a save changes (the rest weighed 130 MB at 10,000 notes)."""
        self._unshelve()
        self.state, self._seen = {}, {}
        self.summaries = with_slips(self.summaries)
        self.shelf = shelf

    def close(self) -> None:
        """Let go of the shelf's file and of the state (the next :meth:`memory` reads the
        history file again; a one-shot build's pages need only the summaries: the state of
        163,500 milestones weighs 100 MB)."""
        self._unshelve()
        if self.key != "given":
            self.key = None
            self.state, self._seen = {}, {}
            self.summaries, self.idents = {}, {}  # a memory made before keeps its own

    def _unshelve(self) -> None:
        if self.shelf is not None:
            self.shelf.close()
            self.shelf = None

    def _read_shelf(self, looked: list[Entry], scope: set[str] | None) -> bool:
        """Read from the shelf what comparing ``looked`` needs (``scope`` None: everything);
        False when it cannot be read (then the history file is read instead)."""
        if self.shelf is None:
            return True
        try:
            if scope is None:
                self.shelf.load_all(self.state, self.summaries)
                self._unshelve()
            else:
                wanted = {e.id for e in looked}
                wanted.update(i for e in looked if (i := explicit_id(e.milestone)) is not None)
                self.shelf.load(self.state, self.summaries, scope, wanted)
        except Exception:  # a cache that cannot be read is only slower
            self.key = None
            return False
        return True

    def seen(self, index: VaultIndex, entry: Entry) -> Seen:
        known = self._seen.get(entry.id)
        if known is not None and known[0] is entry:
            return known[1]
        made = seen(index, entry)
        self._seen[entry.id] = (entry, made)
        return made

    def memory(self, index: VaultIndex, scope: set[str] | None = None) -> Memory:
        """What history says of ``index``, with what a build of it adds (applied here: the
        caller appends it, or forgets this tracker). ``scope``: the only notes that changed
        since the last call (None: any)."""
        if self.key != "given":
            key = file_key(self.config)
            if key != self.key:
                self._take(load(self.config), key)
                scope = None
        entries = [e for model in index.models.values() for e in model.entries]
        chosen = [e for e in entries if scope is None or e.path in scope]
        if not self._read_shelf(chosen, scope):
            self._take(load(self.config), file_key(self.config))
            scope, chosen = None, entries
        if scope is None and not self.state:  # nothing recorded yet: every milestone is new
            self._seen = {}
            return self._first(index, entries)
        if scope is None:  # every entry is looked at once: none is kept (a whole vault's
            self._seen = {}  # milestones as seen weighed 110 MB at 10,000 notes)
            looked = [seen(index, e) for e in chosen]
        else:
            looked = [self.seen(index, e) for e in chosen]
        records, found = changes(self.state, looked, index.today, scope)
        del looked  # what the state and summaries are made of next reuses its memory
        replay(records, self.state)
        summarise(records, self.summaries)
        idents = _identities(entries, found, self.idents)
        self.idents = idents
        slip_days(entries, idents, self.summaries)
        return Memory(idents, self.summaries, records, list(self.log.diagnostics), self.log)

    def _first(self, index: VaultIndex, entries: list[Entry]) -> Memory:
        """:meth:`memory` with no recorded state: the records are made as they are written."""
        from .history_first import first_batch

        records, found = first_batch(index, entries)
        day = index.today
        state, summaries = self.state, self.summaries
        for record in records:  # what replaying and summarising them gives (each record's
            values = record.state or {}  # state is made for this alone: it becomes the state)
            summary = summaries.get(record.id)
            if summary is None:
                summary = summaries[record.id] = Summary(day)
            if summary.first_due is None:
                summary.first_due = period(values.get("due"), values.get("due_span"))
            values["title"] = record.new
            state[record.id] = values
        idents = _identities(entries, found, self.idents)
        self.idents = idents
        slip_days(entries, idents, summaries)
        return Memory(idents, summaries, records, list(self.log.diagnostics), self.log)

    def wrote(self) -> None:
        """The pending records are in the file now."""
        if self.key != "given":
            self.key = file_key(self.config)

    def forget(self) -> None:
        """The pending records were not written: read the file again next time."""
        self.key = None


def remember(index: VaultIndex, log: Log | None = None, config: Config | None = None) -> Memory:
    """The memory of ``index``: the vault's history plus what a build of it would record (its
    ``pending`` records only when the history holds any: with none, it is what a first build
    would know, and nothing reads those records from here)."""
    if log is None:
        log = load(config or index.config)
    if not log.records:
        return first_memory(index, log)
    return Tracker(config or index.config, log).memory(index)


def first_memory(index: VaultIndex, log: Log) -> Memory:
    """What a first build knows of ``index``: every milestone new today, due when it is due
    now; its identity the id it states, else its index id. The same summaries and identities
    as comparing against an empty history, without making a record for every milestone (a
    cold ``index`` of 10,000 notes spent 4 s and 240 MB on them)."""
    today = index.today
    idents: dict[str, str] = {}
    summaries: dict[str, Summary] = {}
    entries = [e for model in index.models.values() for e in model.entries]
    for entry in entries:
        stated = entry.milestone.ident
        ident = entry.id if stated is None else stated
        idents[entry.id] = stated or entry.id
        summary = summaries.get(ident)
        if summary is None:
            summary = summaries[ident] = Summary(today)
        if summary.first_due is None:
            summary.first_due = entry.milestone.due
    slip_days(entries, idents, summaries)
    return Memory(idents, summaries, [], list(log.diagnostics), log)


def _identities(
    entries: Iterable[Entry], found: Mapping[str, str], known: Mapping[str, str]
) -> dict[str, str]:
    """Index id -> identity, in the order of ``entries``: the one ``found`` now, else the one
    ``known`` before, else the index id (a one-note build finds few: one Python step for each
    of those, not for each of 163,500 milestones)."""
    ids = [e.id for e in entries]
    idents = dict(zip(ids, ids, strict=True))
    for ident, value in known.items():
        if ident in idents:
            idents[ident] = value
    for ident, value in found.items():
        if value and ident in idents:
            idents[ident] = value
    return idents
