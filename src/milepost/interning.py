"""One object for each repeated value of the notes read back from the cache.

A note decoded from its stored form gets a new string for every value, so 163,500 milestones
carried 163,500 copies of ``"milestone"``, of their business models' names and owners, and of
equal due dates. :class:`Pool` replaces each such value of a decoded note by the one object kept
for all equal values (strings, and the immutable :class:`~milepost.model.Period` and
:class:`~milepost.model.Budget` records); the values are equal, so nothing that reads them can
tell. Done note by note, right after each is decoded, the copies' memory is reused by the next
note (about 40% of the notes' memory on a generated vault). A status, a date's precision or a
kind needs none of it: the decoder gives each of their few literal values as one object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import Diagnostic
from .model import Heading, Link, Milestone, Note, Tag


def _setter(record: type, name: str) -> Callable[[Any, Any], None]:
    """Sets field ``name`` of a frozen record in place (its slot, past the frozen check)."""
    setter: Callable[[Any, Any], None] = getattr(record, name).__set__
    return setter


_M_TAG = _setter(Milestone, "tag")
_M_MODEL = _setter(Milestone, "model")
_M_HEADING = _setter(Milestone, "heading")
_M_OWNER = _setter(Milestone, "owner")
_M_DUE = _setter(Milestone, "due")
_M_DONE = _setter(Milestone, "done")
_M_START = _setter(Milestone, "start")
_M_BUDGET = _setter(Milestone, "budget")
_TAG_NAME = _setter(Tag, "name")
_HEADING_TEXT = _setter(Heading, "text")
_LINK_TARGET = _setter(Link, "target")
_FOUND_PATH = _setter(Diagnostic, "path")
_FOUND_CODE = _setter(Diagnostic, "code")


class Pool:
    """The objects kept for the values seen so far."""

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}

    def note(self, note: Note) -> Note:
        """``note``, its repeated values replaced by the pool's (in place: they are equal)."""
        keep = self.values.setdefault
        path = note.path
        for m in note.milestones:
            _M_TAG(m, keep(m.tag, m.tag))
            if m.model is not None:
                _M_MODEL(m, keep(m.model, m.model))
            if m.heading is not None:
                _M_HEADING(m, keep(m.heading, m.heading))
            if m.owner is not None:
                _M_OWNER(m, keep(m.owner, m.owner))
            if m.due is not None:
                _M_DUE(m, keep(m.due, m.due))
            if m.done is not None:
                _M_DONE(m, keep(m.done, m.done))
            if m.start is not None:
                _M_START(m, keep(m.start, m.start))
            if m.budget is not None:
                _M_BUDGET(m, keep(m.budget, m.budget))
        for tag in note.tags:
            _TAG_NAME(tag, keep(tag.name, tag.name))
        for heading in note.headings:
            _HEADING_TEXT(heading, keep(heading.text, heading.text))
        for link in note.links:
            _LINK_TARGET(link, keep(link.target, link.target))
        for use in note.tools:
            _LINK_TARGET(use.link, keep(use.link.target, use.link.target))
        for found in note.diagnostics:
            if found.path == path:
                _FOUND_PATH(found, path)
            _FOUND_CODE(found, keep(found.code, found.code))
        return note
