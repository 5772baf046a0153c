"""Milestones in milepost's own words and sums: periods, money, statuses and whole lists.

Owns how a period is named at its precision (``Q3 2027``, ``Jun 2025``) and shown beside the
text it was written as, how an amount of money is written, the label of each status, and what a
page says about a list of milestones: its counts per status, its one-line summary, its budget
totals per currency, the day it sorts by, whether it is dated at all, and the month arithmetic
behind the review window. Plain values from :class:`~milepost.index.Entry` and
:class:`~milepost.model.Period`, no index and no I/O; :mod:`.views` and :mod:`.pageviews` use
them.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from ..index import Entry
from ..model import STATUSES, Budget, Period, Status

STATUS_LABELS: dict[Status, str] = {
    "overdue": "Overdue",
    "in_progress": "In progress",
    "planned": "Planned",
    "achieved": "Achieved",
    "cancelled": "Cancelled",
}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def period_name(period: Period) -> str:
    """A period in milepost's own words, at its precision: ``Q3 2027``, ``Jun 2025``."""
    start, end = period.start, period.end
    if period.precision == "day":
        return start.isoformat()
    if period.precision == "month":
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if period.precision == "quarter":
        return (
            f"Q{(start.month - 1) // 3 + 1} {start.year}" if start.month % 3 == 1 else _span(period)
        )
    if period.precision == "half":
        return (
            f"H{1 if start.month == 1 else 2} {start.year}"
            if start.month in (1, 7)
            else _span(period)
        )
    if period.precision == "year":
        return str(start.year) if (start.month, end.month) == (1, 12) else _span(period)
    return _span(period)


def _span(period: Period) -> str:
    start, end = period.start, period.end
    if start.year == end.year and start.month == end.month:
        return f"{start.day}–{end.day} {_MONTHS[start.month - 1]} {start.year}"
    left = _MONTHS[start.month - 1] + ("" if start.year == end.year else f" {start.year}")
    return f"{left}–{_MONTHS[end.month - 1]} {end.year}"


def show_period(period: Period) -> str:
    """The period as written, with milepost's reading when the two differ."""
    name = period_name(period)
    if " ".join(period.text.split()).lower() == name.lower():
        return name
    return f"{period.text} ({name})"


def money(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


def _dated(entry: Entry) -> bool:
    m = entry.milestone
    return any(p is not None for p in (m.due, m.done, m.cancelled, m.start))


def sort_day(entry: Entry, status: str) -> tuple[date, int]:
    m = entry.milestone
    period = m.done if status == "achieved" else m.cancelled if status == "cancelled" else m.due
    period = period or m.due or m.done or m.start or m.cancelled
    day = period.end if period is not None else date.max
    return (day, m.line)


def status_counts(entries: Sequence[Entry]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for entry in entries:
        counts[entry.status] += 1
    return counts


def summary(entries: Sequence[Entry]) -> str:
    counts = status_counts(entries)
    parts = [f"{counts[s]} {STATUS_LABELS[s].lower()}" for s in STATUSES if counts[s]]
    complete = sum(1 for e in entries if not e.missing)
    noun = "milestone" if len(entries) == 1 else "milestones"
    if not entries:
        return "No milestones yet."
    return (
        f"{len(entries)} {noun}: " + ", ".join(parts) + f"; {complete} of {len(entries)} complete."
    )


def budget_totals(entries: Sequence[Entry]) -> list[str]:
    """Sums per currency and period, for open and achieved milestones apart."""
    lines = []
    for label, statuses in (
        ("Open", ("overdue", "in_progress", "planned")),
        ("Achieved", ("achieved",)),
    ):
        sums: dict[tuple[str, str], float] = defaultdict(float)
        unread = 0
        for entry in entries:
            budget: Budget | None = entry.milestone.budget
            if budget is None or entry.status not in statuses:
                continue
            if budget.amount is None:
                unread += 1
                continue
            sums[(budget.currency or "no currency", budget.period or "")] += budget.amount
        if not sums and not unread:
            continue
        shown = [
            f"{currency} {money(amount)}" + (f" per {period}" if period else "")
            for (currency, period), amount in sorted(sums.items())
        ]
        if unread:
            shown.append(f"{unread} budget{'s' * (unread != 1)} without an amount")
        lines.append(f"{label}: " + "; ".join(shown))
    return lines


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
