"""The calendar feeds, canvas roadmaps and ``Portfolio.base`` as outputs of a build.

Each file is planned like a page, recorded in the manifest with its kind (``calendar``,
``canvas``, ``bases``), and made again only when what it shows changed or the file is no longer
what milepost wrote. A feed's fingerprint has two parts: a cheap one from what its milestones
are read from (the business model's notes' bytes, each milestone's identity and the identities
of those it waits for, today, the settings), and one from what the feed shows of them (the
feed records). The second is computed only when the first moved, and a feed whose shown part
did not move is left as it is: an edit of a note's prose makes no feed again. Writes go through
the :class:`~milepost.write.Writer`, so a file milepost cannot recognise as its own is a
conflict and is left alone.

- ``<output>/Calendars/Milestones – <model>.ics``: one feed per business model.
- ``<output>/Milestones.ics``: the whole vault. Its events are those of the per-model feeds as
  they are on disk (made again only where a per-model feed is not milepost's), so an edit in
  one note makes one model's events again, never the whole vault's; it is written as it is
  assembled, one business model at a time, and never held whole.
- ``<output>/Canvas/Roadmap – <model>.canvas``: merged into the canvas on disk (the user's
  positions, sizes, nodes and edges are kept), and written by compare-and-swap when the user
  changed it since milepost wrote it.
- ``<output>/Portfolio.base``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from .config import Config
from .errors import WriteError
from .feedprints import feed_settings, graph_of, in_graph, model_print, shown_print
from .feeds.bases import portfolio_base
from .feeds.calendar import calendar, calendar_parts
from .feeds.canvas import NotMilepost, roadmap_canvas
from .feeds.records import Depends, FeedMilestone, Ident, identity, of_model
from .feedwrite import END, EVENT, REVIEW_UID, events_of, recorded_events, write_stream
from .files import inside, swap
from .index import VaultIndex
from .manifest_records import PageRecord, Written, digest
from .marks import BASE_MARK
from .render import Page, safe_name
from .render.plan import fingerprint
from .write import Change, Writer, written_record

__all__ = [
    "ATTEMPTS",
    "KINDS",
    "Feed",
    "FeedPaths",
    "FeedWork",
    "events_of",
    "feed_settings",
    "model_events",
    "output_of",
    "plan_feeds",
    "vault_token",
    "whole_calendar",
    "whole_head",
    "write_canvas",
    "write_feeds",
]

KINDS = {"calendar": "calendar", "canvas": "canvas", "bases": "bases"}
"""Manifest kind of each feed output -> the name in ``outputs`` that turns it on."""
ATTEMPTS = 5
"""How often a canvas is merged again when the user keeps saving it meanwhile."""
_END = END


def output_of(kind: str) -> str:
    """The name in ``outputs`` that makes a manifest entry of ``kind``."""
    return KINDS.get(kind, "pages")


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed file to make: where, what kind, which business model, from what."""

    path: str
    kind: str
    key: str = ""
    inputs: str = ""


def vault_token(config: Config) -> str:
    """A short token, the same at every build of this vault, that keeps two vaults' UIDs apart."""
    return hashlib.blake2b(config.vault.name.encode("utf-8"), digest_size=5).hexdigest()


class FeedPaths:
    """Where each feed goes; two business models whose names make the same file name are told
    apart by a number."""

    def __init__(self, index: VaultIndex, config: Config) -> None:
        out = config.output
        self.calendar = f"{out}/Milestones.ics"
        self.base = f"{out}/Portfolio.base"
        taken: set[str] = {self.calendar.lower(), self.base.lower()}

        def claim(folder: str, name: str, suffix: str) -> str:
            base, number = safe_name(name), 1
            path = f"{out}/{folder}/{base}{suffix}"
            while path.lower() in taken:
                number += 1
                path = f"{out}/{folder}/{base} ({number}){suffix}"
            taken.add(path.lower())
            return path

        models = list(index.models.values())
        self.calendars = {
            m.key: claim("Calendars", f"Milestones – {m.name}", ".ics") for m in models
        }
        self.canvases = {m.key: claim("Canvas", f"Roadmap – {m.name}", ".canvas") for m in models}


def plan_feeds(
    index: VaultIndex,
    digests: Mapping[str, bytes],
    paths: FeedPaths,
    ident: Ident = identity,
    depends: Depends | None = None,
    *,
    idents: Mapping[str, str] | None = None,
) -> list[Feed]:
    """Every feed of the outputs ``index.config`` turns on, with the cheap part of its
    fingerprint (see the module). ``ident`` and ``depends``: each milestone's identity and the
    milestones it waits for (asked only of milestones in the dependency graph: the others wait
    for nothing); ``idents``: when ``ident`` is the vault history's, its identities by index id
    (see :func:`~milepost.feedprints.model_print`)."""
    config = index.config
    chosen = set(config.outputs)
    settings = feed_settings(config, index.today)
    graph = graph_of(index, depends)
    models = {
        m.key: model_print(settings, m, digests, ident, depends, idents=idents, graph=graph)
        for m in index.models.values()
    }
    feeds: list[Feed] = []
    if "calendar" in chosen:
        for key, made in models.items():
            feeds.append(Feed(paths.calendars[key], "calendar", key, fingerprint("calendar", made)))
        every = fingerprint(
            "calendar", settings, [(k, paths.calendars[k], v) for k, v in models.items()]
        )
        feeds.append(Feed(paths.calendar, "calendar", "", every))
    if "canvas" in chosen:
        for key, made in models.items():
            feeds.append(Feed(paths.canvases[key], "canvas", key, fingerprint("canvas", made)))
    if "bases" in chosen:
        feeds.append(Feed(paths.base, "bases", "", fingerprint("bases", settings)))
    return feeds


@dataclass(slots=True)
class FeedWork:
    """What writing the feeds needs to know, and what it did."""

    index: VaultIndex
    writer: Writer
    fresh: Callable[[Feed], bool]
    """True when a feed's file is as recorded and its fingerprint unchanged (not made again)."""
    ident: Ident = identity
    """Each milestone's identity (the vault's history keeps it through renames)."""
    depends: Depends | None = None
    """The milestones each one waits for (RELATED-TO in the calendar, edges on the canvas)."""
    rendered: int = 0
    made: set[str] = field(default_factory=set)
    """Business models whose calendar feed was made in this build."""
    later: Callable[[], bool] | None = None
    """True when more saves are waiting: the feeds not made yet wait for a quiet moment (a
    watching session writes its pages first, and the feeds when the saves pause)."""
    deferred: bool = False
    """Some feeds were left for later (their files and records are as they were)."""
    _records: dict[str, list[FeedMilestone]] = field(default_factory=dict)
    _shown: dict[str, str] = field(default_factory=dict)
    _settings: str = ""
    _waits: Depends | None = None

    def __post_init__(self) -> None:
        self._settings = feed_settings(self.index.config, self.index.today)
        self._waits = in_graph(self.index, self.depends)

    def records(self, key: str) -> list[FeedMilestone]:
        found = self._records.get(key)
        if found is None:
            found = of_model(self.index.models[key], self.ident, self._waits)
            self._records[key] = found
        return found

    def done(self, key: str) -> None:
        """Forget a business model's records (the next one's take their place)."""
        self._records.pop(key, None)

    def shown(self, key: str) -> str:
        """The fingerprint of what a business model's feeds show."""
        found = self._shown.get(key)
        if found is None:
            model = self.index.models[key]
            found = self._shown[key] = shown_print(self._settings, model, self.records(key))
        return found

    def settle(self, feed: Feed, paths: FeedPaths) -> tuple[bool, str]:
        """Whether ``feed`` is fresh (its file as recorded and what it shows unchanged), and
        the fingerprint to record for it. A feed whose cheap fingerprint moved but whose
        shown part did not is fresh: its record takes the new fingerprint, its file stays."""
        manifest = self.writer.manifest
        record = manifest.pages.get(feed.path)
        old = record.inputs if record is not None else ""
        old_read, _, old_shown = old.partition(" ")
        if old_shown and old_read == feed.inputs and self.fresh(replace(feed, inputs=old)):
            if feed.key:
                self._shown.setdefault(feed.key, old_shown)
            return True, old
        if feed.key:
            shown = self.shown(feed.key)
        else:  # the whole vault's calendar: every business model's
            every = [(k, paths.calendars[k], self.shown(k)) for k in self.index.models]
            shown = fingerprint("calendar", self._settings, every)
        inputs = f"{feed.inputs} {shown}"
        if record is not None and old_shown == shown and self.fresh(replace(feed, inputs=old)):
            if not self.writer.dry_run:
                manifest.set_page(feed.path, replace(record, inputs=inputs))
            return True, inputs
        return False, inputs


def write_feeds(work: FeedWork, feeds: Iterable[Feed]) -> None:
    """Make and write each feed that is not fresh, one business model at a time (its records
    are dropped once its feeds are written); the whole-vault calendar last, from the per-model
    feeds' events."""
    index, writer = work.index, work.writer
    config = index.config
    paths = FeedPaths(index, config)
    by_model: dict[str, list[Feed]] = {}
    rest: list[Feed] = []
    for feed in feeds:
        (by_model.setdefault(feed.key, []) if feed.key else rest).append(feed)
    for key, mine in by_model.items():
        if work.later is not None and work.later():
            work.deferred = True
            return
        for feed in mine:
            fresh, inputs = work.settle(feed, paths)
            if fresh:
                writer.unchanged(feed.path)
                continue
            work.rendered += 1
            records = work.records(key)
            name = index.models[key].name
            if feed.kind == "calendar":
                parts = calendar_parts(
                    records,
                    vault=config.vault.name,
                    token=vault_token(config),
                    today=index.today,
                    model=name,
                    spans=config.calendar_spans,
                    review_day=config.review_day,
                )
                work.made.add(key)
                write_stream(writer, feed.path, "calendar", parts, inputs=inputs, key=key)
            else:
                write_canvas(writer, replace(feed, inputs=inputs), records, name)
        work.done(key)
    if rest and work.later is not None and work.later():
        work.deferred = True
        return
    for feed in rest:
        if feed.kind == "bases":
            if work.fresh(feed):
                writer.unchanged(feed.path)
                continue
            work.rendered += 1
            data = BASE_MARK + b"\n" + portfolio_base(output=config.output, tags=config.tags)
            writer.page(Page(feed.path, data, "bases"), feed.inputs)
            continue
        fresh, inputs = work.settle(feed, paths)
        if fresh:
            writer.unchanged(feed.path)
            continue
        work.rendered += 1
        write_stream(writer, feed.path, "calendar", _whole_parts(work, paths), inputs=inputs)


def _whole_parts(work: FeedWork, paths: FeedPaths) -> Iterator[bytes]:
    """The whole vault's feed in parts: its header, each business model's events (from its
    feed on disk while that is what milepost wrote, else made again), its end."""
    index, writer = work.index, work.writer
    config = index.config
    yield whole_head(config, index.today)
    for key, model in index.models.items():
        known = None
        if not (writer.dry_run and key in work.made):  # a dry run did not write it
            known = _recorded_events(writer, paths.calendars[key])
        if known is None:
            work.rendered += 1
            known = _made_events(config, index.today, work.records(key), model.name)
        yield from known
        work.done(key)
    yield _END


def _made_events(
    config: Config, today: date, records: Iterable[FeedMilestone], model: str
) -> Iterator[bytes]:
    """The ``VEVENT`` blocks of one business model's milestones, one at a time."""
    parts = calendar_parts(
        records,
        vault=config.vault.name,
        token=vault_token(config),
        today=today,
        model=model,
        spans=config.calendar_spans,
        review_day=None,
    )
    next(parts)  # the header
    for part in parts:
        if part != _END and REVIEW_UID not in b"\r\n" + part.removeprefix(EVENT):
            yield part


def model_events(
    config: Config, today: date, records: Iterable[FeedMilestone], model: str
) -> bytes:
    """The ``VEVENT`` blocks of one business model's milestones."""
    return b"".join(_made_events(config, today, records, model))


def whole_calendar(config: Config, today: date, events: Iterable[bytes]) -> bytes:
    """The whole vault's feed: its header and plan review, then every model's events."""
    return whole_head(config, today) + b"".join(events) + _END


def whole_head(config: Config, today: date) -> bytes:
    """The whole vault's feed up to its first milestone event: header and plan review."""
    head = calendar(
        [],
        vault=config.vault.name,
        token=vault_token(config),
        today=today,
        name=f"Milestones · {config.vault.name}",
        review_day=config.review_day,
    )
    return head.removesuffix(_END)


def _recorded_events(writer: Writer, path: str) -> Iterator[bytes] | None:
    """The events of a per-model feed on disk, while it holds what milepost wrote there."""
    record = writer.manifest.pages.get(path)
    if record is None or record.written.sha256 is None:
        return None
    try:
        target = inside(writer.root, path)
    except WriteError:
        return None
    return recorded_events(target, record.written)


def write_canvas(writer: Writer, feed: Feed, records: list[FeedMilestone], model: str) -> None:
    """Merge the model's roadmap into the canvas on disk and write it. A canvas the user changed
    (moved, resized or added cards) is merged, not a conflict, and replaced only while it still
    holds what it was merged from; a canvas milepost cannot read as its own is a conflict."""
    target = writer.target(feed.path)
    if target is None:
        return
    manifest = writer.manifest
    for _ in range(ATTEMPTS):
        try:
            current: bytes | None = target.read_bytes()
        except FileNotFoundError:
            current = None
        except OSError as exc:
            writer.record(Change(feed.path, "conflict", f"cannot read: {exc.strerror or exc}"))
            return
        made = roadmap_canvas(records, model=model, previous=current)
        if isinstance(made, NotMilepost):
            writer.record(Change(feed.path, "conflict", f"{made.reason}; left alone"))
            return
        known = manifest.pages.get(feed.path)
        ours = known is not None and current is not None and known.written.sha256 == digest(current)
        if current is None or current == made or ours:
            writer.page(Page(feed.path, made, "canvas", feed.key), feed.inputs)
            return
        if writer.dry_run:
            writer.record(Change(feed.path, "update"))
            return
        record = PageRecord(Written(digest(made), len(made)), "canvas", feed.key, feed.inputs)
        manifest.will_write_page(feed.path, record)
        if swap(target, current, made) is None:
            manifest.wrote_page(feed.path, replace(record, written=written_record(target, made)))
            writer.record(Change(feed.path, "update"))
            return
    writer.record(
        Change(feed.path, "conflict", "the canvas kept changing; merged on the next build")
    )
