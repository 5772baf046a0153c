"""Content lines of the calendar feed as bytes, without icalendar's generic component path.

``icalendar`` defines the feed: every value is made by its value types (``vText``, ``vDate``,
``vCategory``, ``vUri``), and the order of an event's properties is its canonical order. What
this module skips is the generic path around them (a ``Component`` per event, a ``Contentline``
per property, and folding one character at a time), which cost about 0.25 ms per event: a
milestone's event is made straight as bytes, folded as ``icalendar`` folds (lines of at most 75
octets, never inside a UTF-8 character, an escaping backslash or caret moved to the next line).
``tests/test_feeds_ics.py`` checks that the bytes are those ``icalendar`` makes itself for the
same events, and that ``icalendar`` reads them back.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from icalendar import Event, Parameters, vCategory, vDate
from icalendar.caselessdict import canonsort_keys

LIMIT = 75
"""Octets of a content line (without its CRLF) before it is folded."""
_ROOM = LIMIT - 1
_FOLD = b"\r\n "
_ESCAPES = (0x5C, 0x5E)  # backslash, caret
CRLF = b"\r\n"

EVENT_PROPERTIES = (
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DTSTAMP",
    "UID",
    "CATEGORIES",
    "DESCRIPTION",
    "RELATED-TO",
    "STATUS",
    "TRANSP",
    "URL",
)
"""A milestone event's properties, in the order they are written."""
ORDER: tuple[str, ...] = tuple(canonsort_keys(list(EVENT_PROPERTIES), Event.canonical_order))
"""The order ``icalendar`` writes them in (a test checks that it is that one)."""
MEMO = 1 << 14
"""Values kept once made (dates, categories, URL parts repeat across a vault's events)."""


def fold(line: bytes) -> bytes:
    """One content line folded as ``icalendar`` folds it: each physical line at most 74 octets
    (so that with the leading space of a continuation it stays within 75), cut only between
    UTF-8 characters, and never right after a backslash or caret that escapes what follows."""
    size = len(line)
    if size < LIMIT:
        return line
    parts: list[bytes] = []
    start = 0
    while size - start > _ROOM:
        end = start + _ROOM
        while line[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if end - start > 1 and line[end - 1] in _ESCAPES:
            end -= 1
        parts.append(line[start:end])
        start = end
    parts.append(line[start:])
    return _FOLD.join(parts)


def params(**values: str) -> bytes:
    """Property parameters as ``icalendar`` writes them (``VALUE=DATE``)."""
    return bytes(Parameters(values).to_ical())


def text(value: str) -> bytes:
    """A TEXT value as ``vText(value).to_ical()`` writes it (RFC 5545 escapes, in icalendar's
    order: ``\\N`` is a line break, then backslashes, semicolons and commas are escaped, and
    every line break is written ``\\n``), without making a ``vText`` (and its parameters)."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
        .encode("utf-8")
    )


@lru_cache(maxsize=MEMO)
def day(value: date) -> bytes:
    """A DATE value (``vDate``)."""
    return bytes(vDate(value).to_ical())  # type: ignore[no-untyped-call]


@lru_cache(maxsize=MEMO)
def categories(names: tuple[str, ...]) -> bytes:
    """A CATEGORIES value (``vCategory``)."""
    return bytes(vCategory(list(names)).to_ical())
