"""A milestone's identity across builds, and the rule that follows it through a rename or a move.

A milestone's identity is its explicit id (Tasks ``🆔 launch`` or ``[id:: launch]``) when it has
one. Otherwise it is the id the index gives it (a hash of its note, its title and its occurrence
in the note), carried over from the last recorded state by these rules, in this order:

1. the same id as a milestone present in the last recorded state;
2. the same note and the same title as a present milestone not yet matched;
3. the rename rule: a milestone that disappeared and one that appeared in the same build, in the
   same note under the same heading, with the same due text, are the same one renamed; failing
   that, under the same heading in the same order (its position);
4. the move rule: one that disappeared from a note and one that appeared in another note with
   the same title are the same one moved.

A milestone that gets an explicit id for the first time starts a new history under that id.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .index import Entry, VaultIndex
from .model import Milestone, Period


def explicit_id(m: Milestone) -> str | None:
    """The id the milestone states (Tasks' ``🆔 launch`` or ``[id:: launch]``), or None."""
    return m.ident


def span(period: Period | None) -> str | None:
    """A period as ``start/end/precision`` (what history keeps besides its text)."""
    if period is None:
        return None
    return _span(period)


@functools.lru_cache(maxsize=65536)
def _span(period: Period) -> str:
    """One string for equal periods (163,500 milestones have a few thousand distinct dates)."""
    return f"{period.start.isoformat()}/{period.end.isoformat()}/{period.precision}"


TRACKED: tuple[str, ...] = (
    "title",
    "model",
    "due",
    "status",
    "done",
    "owner",
    "budget",
    "note",
    "heading",
)
"""The fields history follows, in the order a build records them."""


@dataclass(frozen=True, slots=True)
class Seen:
    """A milestone as one build sees it: its identity candidates and its tracked values."""

    entry: Entry
    explicit: str | None
    values: dict[str, str | None]
    spans: dict[str, str | None]
    """``due`` and ``done`` as ``start/end/precision``."""


def seen(index: VaultIndex, entry: Entry) -> Seen:
    m = entry.milestone
    model = index.models.get(entry.model_key)
    values: dict[str, str | None] = {
        "title": m.title,
        "model": model.name if model is not None else entry.spelling,
        "due": m.due.text if m.due is not None else None,
        "status": m.status,
        "done": m.done.text if m.done is not None else None,
        "owner": m.owner,
        "budget": m.budget.text if m.budget is not None else None,
        "note": entry.path,
        "heading": m.heading,
    }
    return Seen(entry, explicit_id(m), values, {"due": span(m.due), "done": span(m.done)})


def current(index: VaultIndex) -> list[Seen]:
    """Every milestone of the index, by note and line."""
    return [seen(index, e) for model in index.models.values() for e in model.entries]


def match(
    milestones: Sequence[Seen], present: Mapping[str, Mapping[str, str | None]]
) -> dict[str, str]:
    """Each milestone's identity (by its index id), given the milestones ``present`` in the last
    recorded state (identity -> tracked values)."""
    found: dict[str, str] = {}
    taken: set[str] = set()
    rest: list[Seen] = []
    for one in milestones:
        if one.explicit is not None:
            found[one.entry.id] = one.explicit
            taken.add(one.explicit)
    for one in milestones:
        if one.explicit is None:
            ident = one.entry.id
            if ident in present and ident not in taken:
                found[ident] = ident
                taken.add(ident)
            else:
                rest.append(one)
    gone = [i for i in present if i not in taken]
    by_name: dict[object, list[str]] = {}
    for ident in gone:
        values = present[ident]
        by_name.setdefault((values.get("note"), values.get("title")), []).append(ident)
    rest = _pair(rest, found, taken, by_name, lambda v: (v.get("note"), v.get("title")))
    gone = [i for i in gone if i not in taken]
    for key in (
        lambda v: (v.get("note"), v.get("heading"), v["due"]) if v.get("due") else None,
        lambda v: (v.get("note"), v.get("heading")),
        lambda v: v.get("title"),
    ):
        groups: dict[object, list[str]] = {}
        for ident in gone:
            k = key(present[ident])
            if k is not None and ident not in taken:
                groups.setdefault(k, []).append(ident)
        rest = _pair(rest, found, taken, groups, key)
    for one in rest:
        found[one.entry.id] = one.entry.id
    return found


def _pair(
    rest: Iterable[Seen],
    found: dict[str, str],
    taken: set[str],
    groups: Mapping[object, list[str]],
    key: Callable[[Mapping[str, str | None]], object],
) -> list[Seen]:
    left = []
    for one in rest:
        k = key(one.values)
        candidates = groups.get(k, []) if k is not None else []
        while candidates and candidates[0] in taken:
            candidates.pop(0)
        if candidates:
            ident = candidates.pop(0)
            found[one.entry.id] = ident
            taken.add(ident)
        else:
            left.append(one)
    return left
