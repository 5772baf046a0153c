"""The calendar's events are made as bytes without icalendar's Component path: the bytes must be
exactly those icalendar itself makes for the same events, and icalendar must read them back."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from itertools import product
from typing import Any

import icalendar
from icalendar.parser.string import _foldline

from milepost.feeds import FeedMilestone, calendar, plain
from milepost.feeds.calendar import (
    PRODID,
    REFRESH,
    _description,
    _event,
    _Feed,
    _review,
    event_bytes,
    summary,
    uid,
)
from milepost.feeds.ics import EVENT_PROPERTIES, ORDER, fold, text
from milepost.model import Period

TODAY = date(2026, 11, 22)
STAMP = datetime(2026, 11, 22, tzinfo=UTC)

# pieces that make text hard to escape and fold: multi-byte characters of every width, the
# characters TEXT escapes, line breaks of every kind, carets (RFC 6868) and ASCII
PIECES = [
    "a",
    "Z9",
    " ",
    "é",
    "€",
    "市場",
    "🏁",
    "👩‍💻",
    "\\",
    "\\\\",
    "^",
    ",",
    ";",
    ":",
    '"',
    "\n",
    "\r\n",
    "\r",
    "\\N",
    "\t",
    "[[Link|shown]]",
    "**bold**",
]


def texts(count: int, seed: int, longest: int = 120) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(PIECES) for _ in range(rng.randint(0, longest))) for _ in range(count)
    ]


def test_folding_is_icalendar_s_for_every_cut() -> None:
    lines = [line.replace("\n", " ").replace("\r", " ") for line in texts(1500, 1, 200)]
    # a backslash, a caret and each multi-byte width at every place around the 74-octet cut
    for filler, special in product(range(60, 80), ["\\", "^", "é", "€", "🏁", "\\\\", "^^"]):
        lines.append("x" * filler + special + "y" * 90)
        lines.append("é" * (filler // 2) + special + "z" * 80)
    for line in lines:
        assert fold(line.encode("utf-8")) == _foldline(line).encode("utf-8"), line


def test_text_values_and_the_order_of_properties_are_icalendar_s() -> None:
    for value in texts(1500, 4):
        assert text(value) == icalendar.vText(value).to_ical(), value
    assert ORDER == EVENT_PROPERTIES


def period(start: date, end: date, precision: str = "day", text: str | None = None) -> Period:
    return Period(text or start.isoformat(), start, end, precision)  # type: ignore[arg-type]


def milestones(count: int, seed: int) -> list[FeedMilestone]:
    rng = random.Random(seed)
    words = texts(count * 4, seed)
    made: list[FeedMilestone] = []
    for n in range(count):
        start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 3000))
        long = rng.random() < 0.5
        when = (
            period(start, start + timedelta(days=89), "quarter", "Q1 2027")
            if long
            else period(start, start)
        )
        status = rng.choice(["planned", "in_progress", "overdue", "achieved", "cancelled"])
        fields: dict[str, Any] = {
            "identity": rng.choice([f"id{n}", f"ïd {n},;\\/{words[n][:5]}", f"{n:012x}"]),
            "title": words[4 * n + 1] or "t",
            "model": rng.choice(["Space X", "Café; Bar, Inc\\", "市場 🏁", "A\nB"]),
            "status": status,
            "kind": rng.choice([None, "implementation", "validation,x"]),
            "due": when if rng.random() < 0.9 else None,
            "done": period(start, start) if status == "achieved" and rng.random() < 0.7 else None,
            "description": words[4 * n + 2] * rng.randint(0, 4),
            "owner": rng.choice([None, "[[People/Marta Keller|Marta]]", words[4 * n + 3]]),
            "budget": rng.choice([None, "€25,000", "$1.2M; more"]),
            "path": rng.choice(["", "Notes/Strategie é.md", f"A/{words[n][:30]}.md"]),
            "heading": rng.choice([None, "Launch, phase 2", words[4 * n][:40]]),
            "depends_on": tuple(f"id{rng.randint(0, count)}" for _ in range(rng.randint(0, 3))),
        }
        made.append(FeedMilestone(**fields))
    return made


def test_event_bytes_are_icalendar_s_for_every_kind_of_text() -> None:
    found = milestones(250, 2)
    titles = {m.identity: plain(m.title) for m in found}
    for spans in (False, True):
        feed = _Feed(titles, "Vault, mine; é", "tok-1.x", STAMP, spans, b"DTSTAMP:20261122T000000Z")
        for m in found:
            when = m.when
            if when is None:
                continue
            assert event_bytes(m, when, feed) == _event(m, when, feed).to_ical(), m


def reference(found: list[FeedMilestone], model: str | None = None) -> bytes:
    """The feed made wholly by icalendar's Calendar and Event, as milepost made it before."""
    titles = {m.identity: plain(m.title) for m in found}
    cal = icalendar.Calendar()
    title = f"Milestones · {model}" if model else "Milestones · Vault"
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    cal.add_component(_review("2FR", TODAY, "tok", STAMP))
    feed = _Feed(titles, "Vault", "tok", STAMP, False)
    dated = [(m, m.when) for m in found if model is None or m.model == model]
    for m, when in sorted(
        ((m, p) for m, p in dated if p is not None),
        key=lambda mp: (mp[1].end, mp[0].model, plain(mp[0].title), mp[0].identity),
    ):
        cal.add_component(_event(m, when, feed))
    return bytes(cal.to_ical())


def as_read(text: str) -> str:
    """Text as a reader gets it back: RFC 5545 knows one line break, and icalendar writes a
    literal ``\\N`` as one."""
    return text.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")


def test_the_feed_is_icalendar_s_and_icalendar_reads_it_back() -> None:
    found = milestones(120, 3)
    for model in (None, "Space X", "市場 🏁"):
        data = calendar(found, vault="Vault", token="tok", today=TODAY, model=model)
        assert data == reference(found, model)
        parsed = icalendar.Calendar.from_ical(data)
        events = [e for e in parsed.walk("VEVENT") if e["UID"] != "plan-review@tok.milepost"]
        chosen = [m for m in found if m.when is not None and model in (None, m.model)]
        assert len(events) == len(chosen)
        read = {str(e["UID"]): e for e in events}
        titles = {m.identity: plain(m.title) for m in found}
        for m in chosen:
            event = read[uid(m.identity, "tok")]
            assert str(event["SUMMARY"]) == as_read(summary(m))
            assert str(event["DESCRIPTION"]) == as_read(_description(m, titles))
            categories = event["CATEGORIES"]
            assert isinstance(categories, icalendar.vCategory)
            assert categories.cats == [m.model, *([m.kind] if m.kind else [])]
    # the longest lines fold and every physical line stays within 75 octets
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert b"\r\n " in data
