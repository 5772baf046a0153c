"""A first build's history, made without holding every milestone's record at once.

With no recorded state, every milestone is new: its identity is the id it states, else its index
id, and its record is a ``created`` line. Comparing against the empty state would hold, for
163,500 milestones, each as seen (110 MB) and each record (80 MB) besides the state they lead
to; here the state is made from each milestone directly, and the records are made again, one at
a time, as the history file is written (:class:`FirstBatch`). The state, the records and their
order are exactly what :func:`milepost.history.changes` and :func:`milepost.history.replay`
give.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from .history import Generated, Record, created
from .identity import seen
from .index import Entry, VaultIndex


def identity_of(entry: Entry) -> str:
    """A milestone's identity when nothing is recorded yet."""
    stated = entry.milestone.ident
    return entry.id if stated is None else stated


class FirstBatch(Generated):
    """The ``created`` records of ``entries`` (those at ``order``), made as they are read."""

    def __init__(
        self,
        index: VaultIndex,
        day: str,
        entries: Sequence[Entry],
        order: Sequence[int],
        idents: dict[str, str],
    ) -> None:
        self._index = index
        self._day = day
        self._entries = entries
        self._order = order
        self._idents = idents

    def __len__(self) -> int:
        return len(self._order)

    def _record(self, number: int) -> Record:
        entry = self._entries[number]
        return created(self._day, self._idents[entry.id], seen(self._index, entry))

    @overload
    def __getitem__(self, at: int) -> Record: ...

    @overload
    def __getitem__(self, at: slice) -> list[Record]: ...

    def __getitem__(self, at: int | slice) -> Record | list[Record]:
        if isinstance(at, slice):
            return [self._record(n) for n in self._order[at]]
        return self._record(self._order[at])

    def __iter__(self) -> Iterator[Record]:
        for number in self._order:
            yield self._record(number)


def first_batch(index: VaultIndex, entries: Sequence[Entry]) -> tuple[FirstBatch, dict[str, str]]:
    """The records a first build makes for ``entries`` (none recorded before), sorted as
    :func:`~milepost.history.changes` sorts them, and each milestone's identity by its index
    id."""
    idents = {e.id: identity_of(e) for e in entries}
    order = sorted(range(len(entries)), key=lambda n: idents[entries[n].id])
    return FirstBatch(index, index.today.isoformat(), entries, order, idents), idents
