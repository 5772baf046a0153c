"""Planning accuracy, the portfolio's numbers, and dates to sharpen: figures over the index.

Accuracy counts achieved milestones that have both a due and a done date: on time when the done
date is no later than the end of the due period, else late by the days between the two.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import Diagnostic, warning
from .index import BusinessModel, Entry, VaultIndex
from .model import Period

OPEN = ("planned", "in_progress", "overdue")
SHARPEN_DAYS = 30
_COARSE = ("quarter", "half", "year")


@dataclass(frozen=True, slots=True)
class Accuracy:
    achieved: int
    on_time: int
    late: int
    median_late_days: int | float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "achieved": self.achieved,
            "on_time": self.on_time,
            "late": self.late,
            "median_late_days": self.median_late_days,
        }

    @property
    def rate(self) -> int | None:
        """The on-time share in whole percent, or None without achieved milestones."""
        return round(100 * self.on_time / self.achieved) if self.achieved else None


def accuracy(entries: Iterable[Entry]) -> Accuracy:
    late_days: list[int] = []
    on_time = 0
    for entry in entries:
        m = entry.milestone
        if entry.status != "achieved" or m.due is None or m.done is None:
            continue
        days = (m.done.end - m.due.end).days
        if days <= 0:
            on_time += 1
        else:
            late_days.append(days)
    median = statistics.median(late_days) if late_days else None
    if isinstance(median, float) and median.is_integer():
        median = int(median)
    return Accuracy(on_time + len(late_days), on_time, len(late_days), median)


def owners(index: VaultIndex) -> list[dict[str, Any]]:
    """Planning accuracy per owner (as written), by name."""
    by_owner: dict[str, list[Entry]] = {}
    for model in index.models.values():
        for entry in model.entries:
            if entry.milestone.owner:
                by_owner.setdefault(entry.milestone.owner, []).append(entry)
    return [
        {"owner": name, "accuracy": accuracy(by_owner[name]).as_json()}
        for name in sorted(by_owner, key=lambda n: (n.casefold(), n))
    ]


def next_due(entries: Sequence[Entry], today: date) -> Entry | None:
    """The open milestone due next (the soonest due end from today on)."""
    upcoming = [
        e
        for e in entries
        if e.status in ("planned", "in_progress")
        and e.milestone.due is not None
        and e.milestone.due.end >= today
    ]
    return min(upcoming, key=lambda e: (_due_end(e), e.path, e.milestone.line), default=None)


def _due_end(entry: Entry) -> date:
    due = entry.milestone.due
    return due.end if due is not None else date.max


def open_budgets(entries: Iterable[Entry]) -> list[str]:
    """The open milestones' budgets, summed per currency and period."""
    sums: dict[tuple[str, str], float] = {}
    for entry in entries:
        budget = entry.milestone.budget
        if entry.status in OPEN and budget is not None and budget.amount is not None:
            key = (budget.currency or "no currency", budget.period or "")
            sums[key] = sums.get(key, 0) + budget.amount
    return [
        f"{currency} {_money(amount)}" + (f" per {per}" if per else "")
        for (currency, per), amount in sorted(sums.items())
    ]


def _money(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


def properties(model: BusinessModel, today: date) -> dict[str, Any]:
    """The numbers a roadmap page's front matter carries (Obsidian's Bases list them)."""
    entries = model.entries
    upcoming = next_due(entries, today)
    total = len(entries)
    return {
        "milestones": total,
        "overdue": sum(1 for e in entries if e.status == "overdue"),
        "next_due": upcoming.milestone.due.end.isoformat()  # type: ignore[union-attr]
        if upcoming is not None
        else None,
        "complete": round(100 * sum(1 for e in entries if not e.missing) / total)
        if total
        else None,
        "on_time": accuracy(entries).rate,
    }


def coarse(period: Period) -> bool:
    """True for a due with quarter, half, year or season precision."""
    if period.precision in _COARSE:
        return True
    return period.precision == "part" and (period.end - period.start).days > 31


def to_sharpen(entry: Entry, today: date, days: int) -> str | None:
    """Why an open milestone's coarse due should be made precise now, or None."""
    due = entry.milestone.due
    if entry.status not in OPEN or due is None or not coarse(due):
        return None
    ahead = (due.start - today).days
    if ahead > days:
        return None
    if ahead > 0:
        when = f"starts in {ahead} day{'s' * (ahead != 1)}"
    elif ahead == 0:
        when = "starts today"
    else:
        when = "has started"
    return f"{due.text} {when}: set a month or a day"


def sharpen(index: VaultIndex) -> list[Diagnostic]:
    """``date.sharpen``: open milestones whose coarse due period starts within ``sharpen_days``."""
    days = index.config.sharpen_days
    found = []
    for model in index.models.values():
        for entry in model.entries:
            why = to_sharpen(entry, index.today, days)
            if why is not None:
                found.append(
                    warning(
                        entry.path,
                        entry.milestone.line,
                        "date.sharpen",
                        f"{entry.milestone.title!r}: {why}",
                    )
                )
    return [d for d in found if not index.config.is_silenced(d.code)]
