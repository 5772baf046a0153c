"""Fingerprints of the calendar feeds and canvases: what they are read from, and what they show.

A feed's fingerprint has two parts. :func:`model_print` is cheap and made at every build: a
business model's notes (their bytes), each milestone's identity and the identities of the
milestones it waits for, today and the settings. :func:`shown_print` is made only when the first
moved: the feed records themselves, which is all a feed shows, so an edit that leaves them as
they were (a note's prose) makes no feed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from datetime import date

from .config import Config
from .feeds.records import Depends, FeedMilestone, Ident
from .index import BusinessModel, VaultIndex, entry_id
from .model import Period
from .planning import planning
from .render.plan import fingerprint, portable


def feed_settings(config: Config, today: date) -> str:
    """Everything besides the notes that every feed depends on."""
    from . import __version__

    return fingerprint(__version__, portable(config), today)


def graph_of(index: VaultIndex, depends: Depends | None) -> Collection[str] | None:
    """The ids of the milestones in the index's dependency graph, the only ones ``depends``
    need be asked of (None without ``depends``)."""
    return planning(index).schedule.timings if depends is not None else None


def in_graph(index: VaultIndex, depends: Depends | None) -> Depends | None:
    """``depends``, asked only of the milestones in the index's dependency graph."""
    graph = graph_of(index, depends)
    if depends is None or graph is None:
        return None
    return lambda entry: depends(entry) if entry.id in graph else ()


def model_print(
    settings: str,
    model: BusinessModel,
    digests: Mapping[str, bytes],
    ident: Ident,
    depends: Depends | None,
    *,
    idents: Mapping[str, str] | None = None,
    graph: Collection[str] | None = None,
) -> str:
    """What a business model's feeds are read from: its name, its notes' bytes, each
    milestone's identity and those of the milestones it waits for (they may live elsewhere).

    ``idents``: when ``ident`` is the vault history's, its identities by index id (an id it
    lacks is its own identity), so they are looked up in one pass. ``graph``: the ids
    ``depends`` is asked of (the others wait for nothing)."""
    made = hashlib.blake2b(digest_size=16)
    made.update(repr((settings, model.key, model.name)).encode("utf-8", "surrogatepass"))
    for path in sorted(model.by_note):
        made.update(b"\0" + path.encode("utf-8", "surrogatepass") + b"\0" + digests.get(path, b""))
    entries = model.entries
    if idents is not None:
        ids = list(map(entry_id, entries))
        known = "\x1f".join(map(idents.get, ids, ids))
    else:
        known = "\x1f".join(map(ident, entries))
    made.update(b"\1" + known.encode("utf-8", "surrogatepass"))
    if depends is not None and (graph is None or graph):
        for entry in entries if graph is None else (e for e in entries if e.id in graph):
            before = depends(entry)
            if before:
                shown = repr((ident(entry), [ident(p) for p in before]))
                made.update(b"\2" + shown.encode("utf-8", "surrogatepass"))
    return made.hexdigest()


def shown_print(settings: str, model: BusinessModel, records: Iterable[FeedMilestone]) -> str:
    """What a business model's feeds show: its name and its feed records."""
    made = hashlib.blake2b(digest_size=16)
    made.update(repr((settings, model.key, model.name)).encode("utf-8", "replace"))
    for r in records:
        shown = (
            r.identity,
            r.title,
            r.model,
            r.status,
            r.kind,
            period_print(r.due),
            period_print(r.done),
            r.description,
            r.owner,
            r.budget,
            r.path,
            r.heading,
            r.whole_note,
            r.depends_on,
        )
        made.update(repr(shown).encode("utf-8", "surrogatepass"))
    return made.hexdigest()


def period_print(period: Period | None) -> tuple[str, int, int, str] | None:
    if period is None:
        return None
    return (period.text, period.start.toordinal(), period.end.toordinal(), period.precision)
