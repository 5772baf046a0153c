"""One object for each repeated value of the notes read back from the cache.

A note decoded from its stored form gets a new string for every value, so 163,500 milestones
carried 163,500 copies of ``"milestone"``, of their business models' names and owners, and of
equal due dates. :class:`Pool` replaces each such value of a decoded note by the one object kept
for all equal values (strings, and the immutable :class:`~milepost.model.Period` and
:class:`~milepost.model.Budget` records); the values are equal, so nothing that reads them can
tell. Done note by note, right after each is decoded, the copies' memory is reused by the next
note (about 40% of the notes' memory on a generated vault).
"""

from __future__ import annotations

from typing import Any

from .model import Note

_set = object.__setattr__


class Pool:
    """The objects kept for the values seen so far."""

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}

    def note(self, note: Note) -> Note:
        """``note``, its repeated values replaced by the pool's (in place: they are equal)."""
        keep = self.values.setdefault
        path = note.path
        for m in note.milestones:
            _set(m, "tag", keep(m.tag, m.tag))
            _set(m, "status", keep(m.status, m.status))
            if m.model is not None:
                _set(m, "model", keep(m.model, m.model))
            if m.heading is not None:
                _set(m, "heading", keep(m.heading, m.heading))
            if m.owner is not None:
                _set(m, "owner", keep(m.owner, m.owner))
            if m.due is not None:
                _set(m, "due", keep(m.due, m.due))
            if m.done is not None:
                _set(m, "done", keep(m.done, m.done))
            if m.start is not None:
                _set(m, "start", keep(m.start, m.start))
            if m.budget is not None:
                _set(m, "budget", keep(m.budget, m.budget))
        for tag in note.tags:
            _set(tag, "name", keep(tag.name, tag.name))
        for heading in note.headings:
            _set(heading, "text", keep(heading.text, heading.text))
        for link in note.links:
            _set(link, "target", keep(link.target, link.target))
        for use in note.tools:
            _set(use.link, "target", keep(use.link.target, use.link.target))
        for found in note.diagnostics:
            if found.path == path:
                _set(found, "path", path)
            _set(found, "code", keep(found.code, found.code))
        return note
