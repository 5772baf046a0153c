"""The words an item is read in: statuses, kinds, priorities and the trailing parenthetical.

A ``status::`` value and a ``kind::`` value (or a milestone tag's sub-tag) are matched against
their word lists whatever their case and spacing; a priority is one of the Tasks plugin's five
names. A title's trailing ``(verb date)`` or ``(date)`` is a :class:`Parenthetical`, read here
and weighed against the other sources of status and dates in :mod:`.items`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ..model import BaseStatus, Kind
from .dates import parse_period

_VERBS: dict[str, BaseStatus] = {
    **dict.fromkeys(
        ("achieved", "achived", "acheived", "done", "completed", "complete"),
        "achieved",
    ),
    **dict.fromkeys(("reached", "launched", "shipped", "signed"), "achieved"),
    **dict.fromkeys(
        ("expected", "planned", "target", "targeted", "due", "by", "eta", "scheduled"), "planned"
    ),
    **dict.fromkeys(("cancelled", "canceled", "dropped", "abandoned"), "cancelled"),
    **dict.fromkeys(("started", "ongoing", "in progress", "in-progress"), "in_progress"),
}
_PAREN = re.compile(r"\((?P<inner>[^()]*)\)\s*$")
_VERB = re.compile(
    r"^(?P<verb>"
    + "|".join(sorted((re.escape(v) for v in _VERBS), key=len, reverse=True))
    + r")\b[:\s]*(?P<date>.*)$",
    re.IGNORECASE,
)
_STATUS_WORDS: dict[str, BaseStatus] = {
    **dict.fromkeys(
        ("achieved", "done", "complete", "completed", "finished", "reached", "shipped"),
        "achieved",
    ),
    **dict.fromkeys(("launched", "signed"), "achieved"),
    **dict.fromkeys(
        ("planned", "todo", "to-do", "to do", "open", "pending", "not started", "next", "overdue"),
        "planned",
    ),
    **dict.fromkeys(
        ("in progress", "in-progress", "in_progress", "inprogress", "doing", "started"),
        "in_progress",
    ),
    **dict.fromkeys(("active", "ongoing", "wip"), "in_progress"),
    **dict.fromkeys(("cancelled", "canceled", "dropped", "abandoned", "killed"), "cancelled"),
}
_KINDS: dict[str, Kind] = {
    **dict.fromkeys(
        ("plan-review", "plan_review", "planreview", "review", "plan review", "plan"), "plan-review"
    ),
    **dict.fromkeys(
        (
            "assumption",
            "assumptions",
            "validation",
            "assumption validation",
            "assumptions validation",
            "assumption-validation",
            "validate",
        ),
        "assumption",
    ),
    **dict.fromkeys(("implementation", "implement", "execution", "build"), "implementation"),
}
PRIORITY_NAMES = frozenset(("highest", "high", "medium", "low", "lowest"))


def kind_of(text: str) -> Kind | None:
    return _KINDS.get(" ".join(text.strip().lower().split()))


def status_of(text: str) -> BaseStatus | None:
    return _STATUS_WORDS.get(" ".join(text.strip().lower().split()))


class Parenthetical(NamedTuple):
    """A trailing ``(verb date)``: its status, and the date for the matching slot."""

    raw: str
    status: BaseStatus
    date_text: str


def status_parenthetical(title: str) -> Parenthetical | None:
    """The trailing status parenthetical of a title, if it is one."""
    if ")" not in title:
        return None
    match = _PAREN.search(title)
    if match is None:
        return None
    return _parenthetical(match.group(0), match.group("inner"))


@lru_cache(maxsize=4096)
def _parenthetical(raw: str, inner: str) -> Parenthetical | None:
    """What a trailing ``raw`` parenthetical (``inner`` between its brackets) says, if it is
    one (cached: items repeat them, ``(achieved Jun 2024)``)."""
    inner = " ".join(inner.split())
    verb = _VERB.match(inner)
    if verb is not None:
        status = _VERBS[verb.group("verb").lower()]
        date_text = verb.group("date").strip()
        if date_text and parse_period(date_text).outcome == "invalid":
            return None
        return Parenthetical(raw, status, date_text)
    if inner and parse_period(inner).outcome in ("ok", "ambiguous"):
        return Parenthetical(raw, "planned", inner)
    return None
