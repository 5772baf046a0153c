"""What the index is made of: milestones as the index sees them, business models, tools, and
what an update changed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from ..model import Milestone, Status

UNASSIGNED = "Unassigned"


class Entry(NamedTuple):
    """A milestone as the index sees it: where it is, whose it is, and its status today."""

    id: str
    """Stable id: a hash of the note path, the title and its occurrence in the note."""
    path: str
    """The note it comes from."""
    milestone: Milestone
    model_key: str
    """Key of its business model in :attr:`VaultIndex.models`."""
    spelling: str
    """The business-model name as this milestone's note spells it."""
    status: Status
    """Stated status, or ``overdue`` when open and due before today."""
    missing: tuple[str, ...]
    """What the milestone lacks (``Milestone.missing``), read once."""


entry_id: Callable[[Entry], str] = itemgetter(0)
"""An entry's id, read in C (for ``map`` over a business model's thousands of entries)."""


@dataclass(slots=True)
class BusinessModel:
    name: str
    key: str
    note: str | None = None
    """The business-model note (front matter ``type: business-model``), if there is one."""
    aliases: tuple[str, ...] = ()
    by_note: dict[str, list[Entry]] = field(default_factory=dict)
    tools: list[str] = field(default_factory=list)
    """Keys of the tools its source notes use."""
    _flat: list[Entry] | None = None

    def copy(self) -> BusinessModel:
        """A copy whose changes leave this one alone (the index is never changed in place)."""
        return BusinessModel(
            self.name,
            self.key,
            self.note,
            self.aliases,
            dict(self.by_note),
            list(self.tools),
            self._flat,
        )

    @property
    def entries(self) -> list[Entry]:
        """Its milestones, by note path and line."""
        if self._flat is None:
            self._flat = [e for path in sorted(self.by_note) for e in self.by_note[path]]
        return self._flat


@dataclass(slots=True)
class Tool:
    name: str
    key: str
    note: str | None
    """The tool's note, or None when the link does not resolve."""
    used_by: list[tuple[str, str]] = field(default_factory=list)
    """(concept note path, explanation text), by note path."""
    models: list[str] = field(default_factory=list)
    """Keys of the business models that reach this tool."""


@dataclass(frozen=True, slots=True)
class Delta:
    """What an update changed, for re-rendering only what depends on it."""

    everything: bool = False
    models: frozenset[str] = frozenset()
    """Keys of business models whose page content may have changed."""
    tools: frozenset[str] = frozenset()
    """Keys of tools whose page content may have changed."""


def derive_status(milestone: Milestone, today: date) -> Status:
    """The stated status, or ``overdue`` for an open milestone whose due period has ended."""
    due = milestone.due
    if milestone.status in ("planned", "in_progress") and due is not None and due.end < today:
        return "overdue"
    return milestone.status


def milestone_id(path: str, title: str, occurrence: int) -> str:
    digest = hashlib.sha1(f"{path}\0{title}\0{occurrence}".encode(), usedforsecurity=False)
    return digest.hexdigest()[:12]
