"""What history says about each milestone of an index: when it was first seen, how often its due
date slipped and by how much, and which slips fall in a review's window.

:func:`remember` reads the vault's history, adds what this build would record (without writing
it), and summarises per milestone, so ``index --json`` and the pages of a build agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .config import Config
from .errors import Diagnostic
from .history import Log, Record, load, pending
from .index import Entry, VaultIndex
from .model import Period


@dataclass(frozen=True, slots=True)
class Slip:
    """A due date moved later."""

    on: date
    old: str
    new: str


@dataclass(slots=True)
class Summary:
    first_seen: date
    first_due: Period | None = None
    slips: int = 0
    slip_days: int = 0
    changes: int = 0
    slipped: list[Slip] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "first_seen": self.first_seen.isoformat(),
            "first_due": self.first_due.as_json() if self.first_due is not None else None,
            "slips": self.slips,
            "slip_days": self.slip_days,
            "changes": self.changes,
        }


def period(text: str | None, span: str | None) -> Period | None:
    """A period from its text and ``start/end/precision``, or None."""
    if text is None or span is None:
        return None
    try:
        start, end, precision = span.split("/")
        return Period(text, date.fromisoformat(start), date.fromisoformat(end), precision)  # type: ignore[arg-type]
    except ValueError:
        return None


def _end(span: str | None) -> date | None:
    if span is None:
        return None
    try:
        return date.fromisoformat(span.split("/")[1])
    except (ValueError, IndexError):
        return None


def summarise(records: Iterable[Record]) -> dict[str, Summary]:
    """Per identity, from its records in the order they apply (slip days not yet computed)."""
    out: dict[str, Summary] = {}
    for record in sorted(records, key=lambda r: r.on):
        day = date.fromisoformat(record.on)
        summary = out.get(record.id)
        if summary is None:
            summary = out[record.id] = Summary(day)
        if record.field == "created":
            state = record.state or {}
            if summary.first_due is None:
                summary.first_due = period(state.get("due"), state.get("due_span"))
            continue
        if record.field == "removed":
            continue
        summary.changes += 1
        if record.field != "due" or record.span is None:
            continue
        if summary.first_due is None:
            summary.first_due = period(record.new, record.span[1])
        old, new = _end(record.span[0]), _end(record.span[1])
        if old is not None and new is not None and new > old:
            summary.slips += 1
            summary.slipped.append(Slip(day, record.old or "", record.new or ""))
    return out


@dataclass(slots=True)
class Memory:
    """History as the pages and the JSON of one index show it."""

    idents: dict[str, str] = field(default_factory=dict)
    """Index id -> identity."""
    summaries: dict[str, Summary] = field(default_factory=dict)
    pending: list[Record] = field(default_factory=list)
    """What this build records (not written yet)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    log: Log = field(default_factory=Log)

    def of(self, entry: Entry) -> Summary | None:
        ident = self.idents.get(entry.id)
        return self.summaries.get(ident) if ident is not None else None

    def ident(self, entry: Entry) -> str:
        return self.idents.get(entry.id, entry.id)

    def fingerprint(self, entries: Iterable[Entry]) -> bytes:
        """What the pages of ``entries`` show of history: the slips (nothing else is shown)."""
        digest = hashlib.blake2b(digest_size=16)
        for entry in entries:
            summary = self.of(entry)
            if summary is not None and summary.slips:
                shown = (summary.slips, summary.slip_days, summary.first_due, summary.slipped)
                digest.update(entry.id.encode() + repr(shown).encode())
        return digest.digest()


def remember(index: VaultIndex, log: Log | None = None, config: Config | None = None) -> Memory:
    """The memory of ``index``: the vault's history plus what a build of it would record."""
    if log is None:
        log = load(config or index.config)
    records, idents = pending(index, log)
    summaries = summarise([*log.records, *records])
    for entry in (e for model in index.models.values() for e in model.entries):
        summary = summaries.get(idents.get(entry.id, entry.id))
        due = entry.milestone.due
        if summary is not None and summary.first_due is not None and due is not None:
            summary.slip_days = max(0, (due.end - summary.first_due.end).days)
    return Memory(idents, summaries, records, list(log.diagnostics), log)
