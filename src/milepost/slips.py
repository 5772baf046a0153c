"""What history says of one milestone: when it was first seen and due, and each time its due
date slipped (:class:`Summary`), made from its records (:func:`summarise`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .history import Record
from .index import Entry
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


@functools.lru_cache(maxsize=65536)
def period(text: str | None, span: str | None) -> Period | None:
    """A period from its text and ``start/end/precision``, or None (one object for equal
    ones: a period is immutable)."""
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


def summarise(
    records: Iterable[Record], out: dict[str, Summary] | None = None
) -> dict[str, Summary]:
    """Per identity, from its records in the order they apply (slip days not yet computed);
    ``out``: the summaries the records follow, changed in place."""
    out = {} if out is None else out
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
        if summary.first_due is None:  # what it was due before its first recorded change
            summary.first_due = period(record.old, record.span[0]) or period(
                record.new, record.span[1]
            )
        old, new = _end(record.span[0]), _end(record.span[1])
        if old is not None and new is not None and new > old:
            summary.slips += 1
            summary.slipped = [*summary.slipped, Slip(day, record.old or "", record.new or "")]
    return out


def with_slips(summaries: Mapping[str, Summary]) -> dict[str, Summary]:
    """The summaries of the milestones that slipped (all that pages show of history)."""
    return {ident: s for ident, s in summaries.items() if s.slips}


def slip_days(
    entries: Iterable[Entry], idents: Mapping[str, str], summaries: Mapping[str, Summary]
) -> None:
    """Set each milestone's slip in days: how much later it is due now than when first seen."""
    if not summaries:
        return
    get = summaries.get
    for entry in entries:
        summary = get(idents[entry.id])
        if summary is None or summary.first_due is None:
            continue
        due = entry.milestone.due
        if due is not None:
            summary.slip_days = max(0, (due.end - summary.first_due.end).days)
