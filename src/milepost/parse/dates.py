"""The date grammar of MILESTONES.md: a date is a period with a precision, never a guessed day.

``parse_period`` reads one expression (a field value, a front matter value, the date of a status
parenthetical). It knows days, months, quarters, halves, years, fiscal years, seasons and the
modifiers ``end of``, ``start of``, ``early``, ``mid`` and ``late``. Year-less expressions take the
context year when there is one, else they are ambiguous. Month names alone never make a date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from ..model import Period, Precision

Outcome = Literal["ok", "undated", "ambiguous", "invalid"]

_UNDATED = frozenset(
    (
        *("tbd", "tbc", "tba", "?", "??", "???", "-", "--", "n/a", "na", "none", "unknown"),
        *("someday", "later", "eventually", "unscheduled", "open", "ongoing", "pending"),
        *("not set", "to be decided", "to be confirmed", "to be determined", "no date"),
    )
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_ORDINALS |= {"fourth": 4, "4th": 4, "last": 0}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_DROP = re.compile(
    r"^(?:by|in|on|around|approx\.?|approximately|circa|ca\.|~|for|until|till|at|the|"
    r"expected|planned|due|target|eta)\s+"
)

_M = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_Y = r"(?P<year>\d{4}|'\d{2})"
_YO = r"(?:[\s,/-]+" + _Y + r")?"
_D = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_ORD = r"(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|last)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "iso_day",
            r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?:[t ][\d:.+z-]*)?$",
        ),
        ("iso_month", r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),
        ("num_month", r"^(?P<month>\d{1,2})/(?P<year>\d{4})$"),
        ("num_day", r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})$"),
        ("year", r"^(?P<year>\d{4})$"),
        ("fy", r"^(?:fy|fiscal(?: year)?)\s?'?(?P<fy>\d{4}|\d{2})$"),
        ("quarter", r"^q(?P<q>[1-4])(?:[\s,/-]+" + _Y + r")?$"),
        ("quarter_fy", r"^q(?P<q>[1-4])[\s,/-]+(?:fy|fiscal(?: year)?)\s?'?(?P<fy>\d{4}|\d{2})$"),
        ("year_quarter", r"^(?P<year>\d{4})[\s-]?q(?P<q>[1-4])$"),
        ("nq", r"^(?P<q>[1-4])q\s?(?P<y2>\d{4}|\d{2})$"),
        ("ord_quarter", r"^" + _ORD + r" quarter(?:\s+(?:of\s+)?" + _Y + r")?$"),
        ("half", r"^h(?P<h>[12])(?:[\s,/-]+" + _Y + r")?$"),
        ("year_half", r"^(?P<year>\d{4})[\s-]?h(?P<h>[12])$"),
        ("nh", r"^(?P<h>[12])h\s?(?P<y2>\d{4}|\d{2})$"),
        ("ord_half", r"^(?P<ord>first|1st|second|2nd) half(?:\s+(?:of\s+)?" + _Y + r")?$"),
        ("day_month", r"^" + _D + r"(?:\s+of)?[\s-]+" + _M + _YO + r"$"),
        ("month_day", r"^" + _M + r"[\s-]+" + _D + _YO + r"$"),
        ("month", r"^" + _M + _YO + r"$"),
        ("season", r"^(?P<season>spring|summer|autumn|fall|winter)(?:[\s,]+" + _Y + r")?$"),
    )
)
_MODIFIER = re.compile(
    r"^(?P<mod>end|start|beginning|early|mid|late)(?:\s+of)?[\s-]*(?:the\s+)?(?P<rest>.+)$"
)
_PLAIN_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""A day as Tasks and front matter write it (``2026-06-30``): read without the grammar's walk."""
_EOY = re.compile(r"^eoy(?:\s*(?P<rest>.+))?$")
_MOD_NAMES = {"end": "end", "start": "start", "beginning": "start"}


@dataclass(frozen=True, slots=True)
class DateReading:
    """What :func:`parse_period` made of an expression."""

    period: Period | None
    outcome: Outcome


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(year: int, month: int, months: int) -> tuple[date, date]:
    """From the first day of ``month`` through the end of ``months`` months."""
    last = month + months - 1
    end_year, end_month = year + (last - 1) // 12, (last - 1) % 12 + 1
    return date(year, month, 1), _month_end(end_year, end_month)


def _year(text: str | None, context: int | None) -> int | None:
    if text is None:
        return context
    if text.startswith("'"):
        return 2000 + int(text[1:])
    return 2000 + int(text) if len(text) == 2 else int(text)


class _Ambiguous(Exception):
    pass


def _fiscal_start(fy: str, fiscal_start: int) -> tuple[int, int]:
    """First (year, month) of the fiscal year named by ``fy`` (the year it ends in)."""
    end_year = _year(fy, None)
    assert end_year is not None
    return (end_year, 1) if fiscal_start == 1 else (end_year - 1, fiscal_start)


def _base(text: str, fiscal_start: int, context: int | None) -> tuple[date, date, Precision] | None:
    """The unmodified period ``text`` names, or None; raise _Ambiguous when it lacks a year."""
    for name, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        groups = match.groupdict()
        if groups.get("year", "") is None and context is None:
            raise _Ambiguous
        return _build(name, groups, fiscal_start, context)
    return None


def _build(
    name: str, g: dict[str, str | None], fiscal_start: int, context: int | None
) -> tuple[date, date, Precision] | None:
    year = _year(g.get("year") or g.get("y2"), context)
    assert year is not None or name in ("fy", "quarter_fy")
    if name == "iso_day":
        day = date(int(g["year"] or 0), int(g["month"] or 0), int(g["day"] or 0))
        return day, day, "day"
    if name in ("iso_month", "num_month"):
        return (*_span(year or 0, int(g["month"] or 0), 1), "month")
    if name == "num_day":
        a, b = int(g["a"] or 0), int(g["b"] or 0)
        if a <= 12 and b <= 12 and a != b:
            raise _Ambiguous
        day_n, month_n = (a, b) if a > 12 or a == b else (b, a)
        day = date(year or 0, month_n, day_n)
        return day, day, "day"
    if name == "year":
        return date(year or 0, 1, 1), date(year or 0, 12, 31), "year"
    if name == "fy":
        first_year, first_month = _fiscal_start(g["fy"] or "", fiscal_start)
        return (*_span(first_year, first_month, 12), "year")
    if name in ("quarter", "year_quarter", "nq", "ord_quarter"):
        quarter = int(g["q"] or 0) if g.get("q") else _ORDINALS[g["ord"] or ""] or 4
        return (*_span(year or 0, 3 * quarter - 2, 3), "quarter")
    if name == "quarter_fy":
        first_year, first_month = _fiscal_start(g["fy"] or "", fiscal_start)
        month = first_month + 3 * (int(g["q"] or 1) - 1)
        return (*_span(first_year + (month - 1) // 12, (month - 1) % 12 + 1, 3), "quarter")
    if name in ("half", "year_half", "nh", "ord_half"):
        half = int(g["h"] or 0) if g.get("h") else _ORDINALS[g["ord"] or ""]
        return (*_span(year or 0, 6 * half - 5, 6), "half")
    if name in ("day_month", "month_day"):
        day = date(year or 0, _MONTHS[g["mon"] or ""], int(g["day"] or 0))
        return day, day, "day"
    if name == "month":
        return (*_span(year or 0, _MONTHS[g["mon"] or ""], 1), "month")
    if name == "season":
        month = _SEASONS[g["season"] or ""]
        return (*_span(year or 0, month, 3), "part")
    return None


def _modified(
    mod: str, start: date, end: date, precision: Precision
) -> tuple[date, date, Precision]:
    """The part of a period that ``end of``, ``start of``, ``early``, ``mid`` or ``late`` names."""
    if precision == "day":
        return start, end, precision
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if mod == "end":
        first, last = _span(end.year, end.month, 1)
        return first, last, "month"
    if mod == "start":
        first, last = _span(start.year, start.month, 1)
        return first, last, "month"
    index = {"early": 0, "mid": 1, "late": 2}[mod]
    if months == 1:
        bounds = ((1, 10), (11, 20), (21, end.day))[index]
        return start.replace(day=bounds[0]), start.replace(day=bounds[1]), "part"
    if months == 3:
        first, last = _span(start.year, start.month + index, 1)
        return first, last, "month"
    size = months // 3
    first_month = start.month + index * size
    first, last = _span(start.year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, size)
    return first, last, "part"


def _normalise(text: str) -> str:
    text = " ".join(text.replace("\u2013", "-").replace("\u2014", "-").split()).lower()
    text = text.rstrip(".,;!")
    previous = None
    while previous != text:
        previous = text
        text = _DROP.sub("", text)
    return text


@lru_cache(maxsize=4096)
def parse_period(
    text: str, *, fiscal_start: int = 1, context_year: int | None = None
) -> DateReading:
    """Read one date expression; never raises (results are cached: notes repeat dates)."""
    if _PLAIN_ISO_DAY.fullmatch(text) is not None:  # what the iso_day pattern reads, at once
        try:
            day = date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            return DateReading(None, "invalid")
        return DateReading(Period(text, day, day, "day"), "ok")
    return by_grammar(text, fiscal_start, context_year)


def by_grammar(text: str, fiscal_start: int = 1, context_year: int | None = None) -> DateReading:
    """What the date grammar reads of ``text``, without :func:`parse_period`'s shortcut for a
    plain ISO day (which must read as this does)."""
    written = " ".join(text.split())
    norm = _normalise(text)
    if not norm or norm in _UNDATED:
        return DateReading(None, "undated")
    try:
        found = _read(norm, fiscal_start, context_year)
    except _Ambiguous:
        return DateReading(None, "ambiguous")
    except (ValueError, KeyError, OverflowError):
        return DateReading(None, "invalid")
    if found is None:
        return DateReading(None, "invalid")
    start, end, precision = found
    return DateReading(Period(written, start, end, precision), "ok")


def _read(norm: str, fiscal_start: int, context: int | None) -> tuple[date, date, Precision] | None:
    eoy = _EOY.match(norm)
    if eoy is not None:
        norm = f"end of {eoy.group('rest') or 'year'}"
    modifier = _MODIFIER.match(norm)
    if modifier is not None:
        rest = modifier.group("rest")
        if rest in ("year", "this year"):
            if context is None:
                raise _Ambiguous
            rest = str(context)
        base = _base(rest.removeprefix("year "), fiscal_start, context)
        if base is not None:
            word = modifier.group("mod")
            return _modified(_MOD_NAMES.get(word, word), *base)
    return _base(norm, fiscal_start, context)
