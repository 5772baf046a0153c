"""History between the rounds of a watching session, in time proportional to what a save changed.

:meth:`milepost.memory.Tracker.memory` looks at every milestone of the index on every call (the
identities of all of them, each one's slip in days, which of them slipped): at 10,000 notes that
is most of a save's round. :class:`WatchTracker` gives the same :class:`~milepost.memory.Memory`
from the milestones of the notes that changed alone, when the summaries those notes' records
touch belong to no other note's milestone (else, and for a whole look, it does what the tracker
does). :attr:`WatchMemory.epoch` moves whenever a round may have changed what the history says of
a milestone outside the changed notes, so fingerprints kept from earlier rounds can tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .config import Config
from .history import Log, changes, file_key, replay
from .index import Entry, VaultIndex
from .memory import Memory, Tracker
from .slips import Summary, summarise


@dataclass(slots=True)
class WatchMemory(Memory):
    """A :class:`~milepost.memory.Memory` that says how far it may differ from the last one."""

    epoch: int = 0
    """Equal to the last memory's: only the milestones of the notes that changed may show
    other history; moved: any milestone may."""


class WatchTracker(Tracker):
    """A :class:`~milepost.memory.Tracker` that compares only the notes a save changed."""

    def __init__(self, config: Config, log: Log | None = None) -> None:
        super().__init__(config, log)
        self.epoch = 0
        self._contributions: Mapping[str, object] | None = None
        """The last index's contributions (to find the milestones a changed note had)."""
        self._slipped: dict[str, Summary] = {}
        self._shared: dict[str, set[str]] = {}
        """Identity -> the ids of the milestones it names, for identities not equal to the id
        of the one milestone they name."""

    def memory(self, index: VaultIndex, scope: set[str] | None = None) -> Memory:
        try:
            known = self._contributions is not None and self.key not in (None, "given")
            if scope is not None and known and file_key(self.config) == self.key:
                found = self._scoped(index, scope)
                if found is not None:
                    return found
            return self._whole(super().memory(index, scope), index)
        except BaseException:  # this round's notes were not compared: next time, look at
            self._contributions = None  # every milestone
            raise

    def _whole(self, memory: Memory, index: VaultIndex) -> WatchMemory:
        self.epoch += 1
        self._contributions = index.contributions
        self._slipped = dict(memory.slipped)
        self._shared = {}
        for entry_id, ident in memory.idents.items():
            if ident != entry_id:
                self._shared.setdefault(ident, set()).add(entry_id)
        return _watch(memory, self._slipped, self.epoch)

    def _scoped(self, index: VaultIndex, scope: set[str]) -> WatchMemory | None:
        before = self._contributions
        assert before is not None
        old = [e for p in sorted(scope) if (c := before.get(p)) is not None for e in _entries(c)]
        chosen = [
            e
            for model in index.models.values()
            for path in sorted(scope.intersection(model.by_note))
            for e in model.by_note[path]
        ]
        if not self._read_shelf(chosen, scope):
            return None
        looked = [self.seen(index, e) for e in chosen]
        records, found = changes(self.state, looked, index.today, scope)
        del looked
        idents = dict(self.idents)
        for entry in old:
            idents.pop(entry.id, None)
        for entry in chosen:
            idents[entry.id] = found.get(entry.id) or self.idents.get(entry.id, entry.id)
        mine = {e.id for e in chosen} | {e.id for e in old}
        touched = {idents[e.id] for e in chosen} | {r.id for r in records}
        touched |= {self.idents.get(e.id, e.id) for e in old}
        for ident in touched:  # a summary another note's milestone shows too: look at all
            users = self._shared.get(ident, set())  # (a superset of the milestones it names)
            users = users | ({ident} if ident in idents or ident in self.idents else set())
            if users - mine:
                return None
        replay(records, self.state)
        summarise(records, self.summaries)
        summaries = self.summaries
        for entry in chosen:  # the last milestone named by a summary sets its slip, as in
            summary = summaries.get(idents[entry.id])  # slips.slip_days (none is named by
            due = entry.milestone.due  # another note's milestone: checked above)
            if summary is not None and summary.first_due is not None and due is not None:
                summary.slip_days = max(0, (due.end - summary.first_due.end).days)
        slipped = dict(self._slipped)
        for entry in old:
            slipped.pop(entry.id, None)
        for entry in chosen:
            summary = summaries.get(idents[entry.id])
            if summary is not None and summary.slips:
                slipped[entry.id] = summary
        for entry in old:
            ident = self.idents.get(entry.id, entry.id)
            if ident != entry.id:
                self._shared.get(ident, set()).discard(entry.id)
        for entry in chosen:
            ident = idents[entry.id]
            if ident != entry.id:
                self._shared.setdefault(ident, set()).add(entry.id)
        self.idents = idents
        self._slipped = slipped
        self._contributions = index.contributions
        made = Memory(idents, summaries, records, list(self.log.diagnostics), self.log)
        return _watch(made, slipped, self.epoch)

    def forget(self) -> None:
        super().forget()
        self._contributions = None


def _entries(contribution: object) -> list[Entry]:
    return list(getattr(contribution, "entries", ()))


def _watch(memory: Memory, slipped: dict[str, Summary], epoch: int) -> WatchMemory:
    return WatchMemory(
        memory.idents,
        memory.summaries,
        memory.pending,
        memory.diagnostics,
        memory.log,
        slipped,
        epoch,
    )
