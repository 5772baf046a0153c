"""What the feed generators read: one plain, frozen record per milestone.

The generators (calendar, canvas, Bases file, picture) know nothing of notes or the index; they
take :class:`FeedMilestone` values, so they can be fed from the index, from a view model or from
a test. :func:`from_index` makes them from a :class:`~milepost.index.VaultIndex`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..index import BusinessModel, Entry, VaultIndex
from ..model import Kind, Period, Status
from ..records import Record


class FeedMilestone(Record, frozen=True):
    """A milestone as the calendar feed, the canvas and the picture show it."""

    identity: str
    """Stable identity: the same milestone keeps it across builds and edits elsewhere."""
    title: str
    """The title as written (Markdown: links are shown by their text)."""
    model: str
    """Name of its business model."""
    status: Status
    """Status against today (``overdue`` included)."""
    kind: Kind | None = None
    due: Period | None = None
    done: Period | None = None
    description: str = ""
    owner: str | None = None
    budget: str | None = None
    """The budget as written."""
    path: str = ""
    """Vault path of the note it is written in (with ``.md``); empty when unknown."""
    heading: str | None = None
    """Text of the heading above it in that note, if any."""
    whole_note: bool = False
    """True when the note itself is the milestone (front matter ``tags: [milestone]``)."""
    depends_on: tuple[str, ...] = ()
    """Identities of the milestones that must be finished before this one starts."""

    @property
    def when(self) -> Period | None:
        """The period it is placed at: its done date once achieved, else its due date."""
        if self.status == "achieved" and self.done is not None:
            return self.done
        return self.due


_WIKILINK = re.compile(r"!?\[\[([^\]|]*)(?:\|([^\]]*))?\]\]")
_MDLINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|==|~~|`)")


def plain(text: str) -> str:
    """A title as a reader sees it: links by their text, emphasis marks dropped, one line."""

    def wikilink(match: re.Match[str]) -> str:
        target, shown = match.group(1), match.group(2)
        return shown if shown is not None else target.split("#", 1)[0].rsplit("/", 1)[-1]

    text = _MDLINK.sub(r"\1", _WIKILINK.sub(wikilink, text))
    return " ".join(_EMPHASIS.sub("", text).split())


def identity(entry: Entry) -> str:
    """The identity a milestone is known by in the feeds (calendar UIDs, canvas node ids) when
    no history is at hand: the id it states (Tasks' 🆔 or ``[id:: …]``), else the index's id.
    A build passes the vault's history instead (see :mod:`milepost.memory`), which keeps a
    milestone's identity through renames and moves."""
    return entry.milestone.ident or entry.id


Ident = Callable[[Entry], str]
Depends = Callable[[Entry], Iterable[Entry]]


def from_index(
    index: VaultIndex, ident: Ident = identity, depends: Depends | None = None
) -> list[FeedMilestone]:
    """Every milestone of the index, by business model (as the index orders them)."""
    found: list[FeedMilestone] = []
    for model in index.models.values():
        found.extend(_records(model.name, model.entries, ident, depends))
    return found


def of_model(
    model: BusinessModel, ident: Ident = identity, depends: Depends | None = None
) -> list[FeedMilestone]:
    """The milestones of one business model of the index."""
    return records_of(model.name, model.entries, ident, depends)


def records_of(
    model: str, entries: Iterable[Entry], ident: Ident = identity, depends: Depends | None = None
) -> list[FeedMilestone]:
    """Some of the milestones of business model ``model`` (named as shown). ``ident``: each
    one's identity; ``depends``: the milestones each one waits for."""
    return list(_records(model, entries, ident, depends))


def _records(
    model: str, entries: Iterable[Entry], ident: Ident, depends: Depends | None
) -> Iterable[FeedMilestone]:
    for entry in entries:
        m = entry.milestone
        yield FeedMilestone(
            identity=ident(entry),
            depends_on=tuple(ident(p) for p in depends(entry)) if depends is not None else (),
            title=m.title,
            model=model,
            status=entry.status,
            kind=m.kind,
            due=m.due,
            done=m.done,
            description=m.description,
            owner=m.owner,
            budget=m.budget.text if m.budget is not None else None,
            path=entry.path,
            heading=m.heading,
            whole_note=m.note_milestone,
        )
