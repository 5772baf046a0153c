"""The calendar feed (RFC 5545): every dated milestone as an all-day event, and the plan review.

Made with the ``icalendar`` library, which escapes text, folds lines at 75 octets and ends them
with CRLF. A milestone's event keeps its ``UID`` (its identity and the vault's token) whatever
changes, so a calendar that subscribed to the feed moves the event when its date changes and
never shows it twice. Nothing in the feed depends on the clock: ``DTSTAMP`` is today's date, so
the same milestones and today give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote

from icalendar import Calendar, Event, vDDDTypes, vDuration, vRecur, vUri

from ..model import Period
from .ics import CRLF, MEMO, categories, day, fold, params, text
from .records import FeedMilestone, plain

PRODID = "-//milepost//Milestone feed//EN"
REFRESH = timedelta(hours=12)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_REVIEW_DAY = re.compile(r"([+-]?[1-4])(MO|TU|WE|TH|FR|SA|SU)")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")
_UID_SAFE = "-_.~"
_END = b"END:VCALENDAR\r\n"
_DATE = b";" + params(VALUE="DATE") + b":"
_AFTER = b";" + params(RELTYPE="FINISHTOSTART") + b":"


def review_date(review_day: str, month: date) -> date:
    """The day of ``month`` that ``review_day`` names (``2FR``: its second Friday).

    ``review_day`` is an ordinal (1 to 4, or -1 to -4 counting from the end) and a weekday as
    RFC 5545 writes it; a fifth weekday is refused, as not every month has one.
    """
    found = _REVIEW_DAY.fullmatch(review_day.strip().upper())
    if found is None:
        raise ValueError(
            f"review_day {review_day!r} is not an ordinal and a weekday such as 2FR "
            "(second Friday) or -1MO (last Monday)"
        )
    nth, weekday = int(found.group(1)), WEEKDAYS.index(found.group(2))
    first = month.replace(day=1)
    if nth > 0:
        day = first + timedelta(days=(weekday - first.weekday()) % 7)
        return day + timedelta(weeks=nth - 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    day = last - timedelta(days=(last.weekday() - weekday) % 7)
    return day - timedelta(weeks=-nth - 1)


def obsidian_url(vault: str, path: str, heading: str | None = None) -> str:
    """``obsidian://open`` for a note (and a heading in it), every value percent-encoded."""
    name = path[:-3] if path.lower().endswith(".md") else path
    url = f"obsidian://open?vault={_quoted(vault)}&file={_quoted(name)}"
    # percent-encoding goes character by character: the parts can be encoded one by one
    return f"{url}%23{_quoted(heading)}" if heading else url


@lru_cache(maxsize=MEMO)
def _quoted(part: str) -> str:
    return quote(part, safe="")


def uid(identity: str, token: str) -> str:
    """The event's UID: the milestone's identity at the vault's token."""
    return f"{quote(identity, safe=_UID_SAFE)}@{token}.milepost"


def calendar(
    milestones: Iterable[FeedMilestone],
    *,
    vault: str,
    token: str,
    today: date,
    model: str | None = None,
    name: str | None = None,
    spans: bool = False,
    review_day: str | None = "2FR",
) -> bytes:
    """The feed of the whole vault, or of one business model's milestones when ``model`` is set.

    ``vault`` is the vault's name (for ``obsidian://`` links), ``token`` a short string that is
    the same at every build of this vault (it keeps UIDs of two vaults apart). A milestone due in
    a month, quarter, half or year is an event on the period's last day, or across the whole
    period with ``spans``. ``review_day`` (default ``2FR``, the second Friday) adds the monthly
    plan review as one recurring event; None leaves it out.
    """
    return b"".join(
        calendar_parts(
            milestones,
            vault=vault,
            token=token,
            today=today,
            model=model,
            name=name,
            spans=spans,
            review_day=review_day,
        )
    )


def calendar_parts(
    milestones: Iterable[FeedMilestone],
    *,
    vault: str,
    token: str,
    today: date,
    model: str | None = None,
    name: str | None = None,
    spans: bool = False,
    review_day: str | None = "2FR",
) -> Iterator[bytes]:
    """The bytes of :func:`calendar` in parts (the header, then one part per event, then the
    end), to write to a file as they are made."""
    if not _TOKEN.fullmatch(token):
        raise ValueError(f"token {token!r} must be letters, digits, dots and hyphens")
    everything = list(milestones)
    shown = [plain(m.title) for m in everything]
    titles = {m.identity: title for m, title in zip(everything, shown, strict=True)}
    cal = Calendar()
    title = name or (f"Milestones · {model}" if model is not None else f"Milestones · {vault}")
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    if review_day is not None:
        cal.add_component(_review(review_day, today, token, stamp))
    yield bytes(cal.to_ical()).removesuffix(_END)
    feed = _Feed(titles, vault, token, stamp, spans, b"DTSTAMP:" + vDDDTypes(stamp).to_ical())
    dated = [
        (m, m.when, title)
        for m, title in zip(everything, shown, strict=True)
        if model is None or m.model == model
    ]
    for m, period, title in sorted(
        ((m, p, t) for m, p, t in dated if p is not None),
        key=lambda mpt: (mpt[1].end, mpt[0].model, mpt[2], mpt[0].identity),
    ):
        yield event_bytes(m, period, feed, title)
    yield _END


def _review(review_day: str, today: date, token: str, stamp: datetime) -> Event:
    day = review_date(review_day, today)
    event = Event()
    event.add("uid", f"plan-review@{token}.milepost")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("rrule", vRecur({"FREQ": "MONTHLY", "BYDAY": review_day.strip().upper().lstrip("+")}))
    event.add("summary", "Plan review")
    event.add(
        "description",
        "Monthly plan review: what is overdue, what falls due before the next review, what was "
        "achieved since the last one, and which milestones lack a description, a due date, a "
        "budget or an owner.",
    )
    event.add("categories", ["plan-review"])
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def summary(m: FeedMilestone, shown: str | None = None) -> str:
    """The event's title: the milestone's (``shown``: its plain text, when known), with what
    its date means when that is not plain."""
    title = (plain(m.title) if shown is None else shown) or "Untitled milestone"
    if m.status == "achieved":
        return f"{title} (achieved {m.done.text})" if m.done else f"{title} (achieved)"
    if m.status == "cancelled":
        return f"{title} (cancelled)"
    due = m.due
    if due is None:
        return title
    if m.status == "overdue":
        return f"{title} (overdue, due {due.text})"
    return title if due.precision == "day" else f"{title} (due {due.text})"


@dataclass(frozen=True, slots=True)
class _Feed:
    """What every event of one feed shares."""

    titles: dict[str, str]
    vault: str
    token: str
    stamp: datetime
    spans: bool
    stamp_line: bytes = b""
    """``DTSTAMP`` as a content line."""


def event_bytes(m: FeedMilestone, period: Period, feed: _Feed, shown: str | None = None) -> bytes:
    """The bytes ``_event(m, period, feed).to_ical()`` gives, made without a ``Component``
    (``shown``: the title's plain text, when known). The properties are written in
    :data:`~milepost.feeds.ics.EVENT_PROPERTIES`' order, which is icalendar's."""
    token = feed.token
    lines = [
        b"BEGIN:VEVENT",
        fold(b"SUMMARY:" + text(summary(m, shown))),
        b"DTSTART" + _DATE + day(period.start if feed.spans else period.end),
        b"DTEND" + _DATE + day(period.end + timedelta(days=1)),
        feed.stamp_line,
        fold(b"UID:" + text(uid(m.identity, token))),
        fold(b"CATEGORIES:" + categories((m.model, m.kind) if m.kind else (m.model,))),
        fold(b"DESCRIPTION:" + text(_description(m, feed.titles))),
    ]
    lines.extend(fold(b"RELATED-TO" + _AFTER + text(uid(d, token))) for d in m.depends_on)
    lines.append(b"STATUS:CANCELLED" if m.status == "cancelled" else b"STATUS:CONFIRMED")
    lines.append(b"TRANSP:TRANSPARENT")
    if m.path:
        url = vUri(obsidian_url(feed.vault, m.path, m.heading)).to_ical()
        lines.append(fold(b"URL:" + url))
    lines.append(b"END:VEVENT\r\n")
    return CRLF.join(lines)


def _event(m: FeedMilestone, period: Period, feed: _Feed) -> Event:
    event = Event()
    event.add("uid", uid(m.identity, feed.token))
    event.add("dtstamp", feed.stamp)
    event.add("dtstart", period.start if feed.spans else period.end)
    event.add("dtend", period.end + timedelta(days=1))
    event.add("summary", summary(m))
    event.add("description", _description(m, feed.titles))
    event.add("categories", [m.model, *([m.kind] if m.kind else [])])
    event.add("status", "CANCELLED" if m.status == "cancelled" else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    if m.path:
        event.add("url", obsidian_url(feed.vault, m.path, m.heading))
    for other in m.depends_on:
        event.add("related-to", uid(other, feed.token), parameters={"RELTYPE": "FINISHTOSTART"})
    return event


def _description(m: FeedMilestone, titles: dict[str, str]) -> str:
    lines = [m.description.strip()] if m.description.strip() else []
    if lines:
        lines.append("")
    facts = [
        ("Status", m.status.replace("_", " ")),
        ("Business model", m.model),
        ("Kind", m.kind),
        ("Owner", plain(m.owner) if m.owner else None),
        ("Budget", m.budget),
        ("Due", _period(m.due)),
        ("Achieved", _period(m.done) if m.status == "achieved" else None),
        ("Depends on", ", ".join(titles.get(d, d) for d in m.depends_on) or None),
        ("Note", m.path + (f" › {m.heading}" if m.heading else "") if m.path else None),
    ]
    lines.extend(f"{label}: {value}" for label, value in facts if value)
    return "\n".join(lines)


def _period(period: Period | None) -> str | None:
    if period is None:
        return None
    if period.precision == "day":
        return period.text
    return f"{period.text} ({period.start.isoformat()} to {period.end.isoformat()})"
