"""The calendar feeds, canvas roadmaps and ``Portfolio.base`` as outputs of a build.

Each file is planned like a page: a fingerprint of what it is made from (a business model's
notes, today, the settings), recorded in the manifest with its kind (``calendar``, ``canvas``,
``bases``), and made again only when that fingerprint changed or the file is no longer what
milepost wrote. Writes go through the :class:`~milepost.write.Writer`, so a file milepost cannot
recognise as its own is a conflict and is left alone.

- ``<output>/Calendars/Milestones – <model>.ics``: one feed per business model.
- ``<output>/Milestones.ics``: the whole vault. Its events are those of the per-model feeds (as
  just made, or as they are on disk when unchanged), so an edit in one note makes one model's
  events again, never the whole vault's.
- ``<output>/Canvas/Roadmap – <model>.canvas``: merged into the canvas on disk (the user's
  positions, sizes, nodes and edges are kept), and written by compare-and-swap when the user
  changed it since milepost wrote it.
- ``<output>/Portfolio.base``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .config import Config
from .errors import WriteError
from .feeds.bases import portfolio_base
from .feeds.calendar import calendar
from .feeds.canvas import NotMilepost, roadmap_canvas
from .feeds.records import Depends, FeedMilestone, Ident, identity, of_model
from .files import inside, swap
from .index import BusinessModel, VaultIndex
from .manifest_records import PageRecord, Written, digest
from .marks import BASE_MARK
from .render import Page, safe_name
from .write import Change, Writer, written_record

KINDS = {"calendar": "calendar", "canvas": "canvas", "bases": "bases"}
"""Manifest kind of each feed output -> the name in ``outputs`` that turns it on."""
ATTEMPTS = 5
"""How often a canvas is merged again when the user keeps saving it meanwhile."""
_EVENT = b"BEGIN:VEVENT\r\n"
_END = b"END:VCALENDAR\r\n"
_REVIEW_UID = b"\r\nUID:plan-review@"


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


def _hash(*parts: object) -> str:
    made = hashlib.blake2b(digest_size=16)
    for part in parts:
        made.update(part if isinstance(part, bytes) else repr(part).encode("utf-8", "replace"))
        made.update(b"\0")
    return made.hexdigest()


def vault_token(config: Config) -> str:
    """A short token, the same at every build of this vault, that keeps two vaults' UIDs apart."""
    return hashlib.blake2b(config.vault.name.encode("utf-8"), digest_size=5).hexdigest()


def feed_settings(config: Config, today: date) -> str:
    """Everything besides the notes that every feed depends on."""
    from . import __version__

    plain = replace(
        config,
        vault=Path(config.vault.name),  # its name is in the feeds; where it is, nowhere
        cache_dir=None,
        cache=True,
        jobs=0,
        today=None,
        source=None,
        outputs=(),
    )
    return _hash(__version__, plain, today)


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
) -> list[Feed]:
    """Every feed of the outputs ``index.config`` turns on, with its fingerprint. ``ident`` and
    ``depends``: each milestone's identity and the milestones it waits for (see FeedWork)."""
    config = index.config
    chosen = set(config.outputs)
    settings = feed_settings(config, index.today)
    models = {
        m.key: _model_print(settings, m, digests, ident, depends) for m in index.models.values()
    }
    feeds: list[Feed] = []
    if "calendar" in chosen:
        for key, made in models.items():
            feeds.append(Feed(paths.calendars[key], "calendar", key, _hash("calendar", made)))
        every = _hash("calendar", settings, [(k, paths.calendars[k], v) for k, v in models.items()])
        feeds.append(Feed(paths.calendar, "calendar", "", every))
    if "canvas" in chosen:
        for key, made in models.items():
            feeds.append(Feed(paths.canvases[key], "canvas", key, _hash("canvas", made)))
    if "bases" in chosen:
        feeds.append(Feed(paths.base, "bases", "", _hash("bases", settings)))
    return feeds


def _model_print(
    settings: str,
    model: BusinessModel,
    digests: Mapping[str, bytes],
    ident: Ident,
    depends: Depends | None,
) -> str:
    """A business model's milestones as the feeds see them: its name, its notes' bytes, each
    milestone's identity and those of the milestones it waits for (they may live elsewhere)."""
    notes = [(path, digests.get(path, b"")) for path in sorted(model.by_note)]
    known = [
        (ident(e), [ident(p) for p in depends(e)] if depends is not None else [])
        for e in model.entries
    ]
    return _hash(settings, model.key, model.name, notes, known)


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
    _records: dict[str, list[FeedMilestone]] = field(default_factory=dict)

    def records(self, key: str) -> list[FeedMilestone]:
        found = self._records.get(key)
        if found is None:
            found = of_model(self.index.models[key], self.ident, self.depends)
            self._records[key] = found
        return found


def write_feeds(work: FeedWork, feeds: Iterable[Feed]) -> None:
    """Make and write each feed that is not fresh; the whole-vault calendar last, from the
    per-model feeds' events."""
    index, writer = work.index, work.writer
    config = index.config
    vault, token = config.vault.name, vault_token(config)
    events: dict[str, bytes] = {}
    whole: Feed | None = None
    for feed in feeds:
        if feed.kind == "calendar" and not feed.key:
            whole = feed
            continue
        if work.fresh(feed):
            writer.unchanged(feed.path)
            continue
        work.rendered += 1
        if feed.kind == "calendar":
            model = index.models[feed.key]
            data = calendar(
                work.records(feed.key),
                vault=vault,
                token=token,
                today=index.today,
                model=model.name,
                spans=config.calendar_spans,
                review_day=config.review_day,
            )
            events[feed.key] = events_of(data)
            writer.page(Page(feed.path, data, "calendar", feed.key), feed.inputs)
        elif feed.kind == "canvas":
            write_canvas(writer, feed, work.records(feed.key), index.models[feed.key].name)
        else:
            data = BASE_MARK + b"\n" + portfolio_base(output=config.output, tags=config.tags)
            writer.page(Page(feed.path, data, "bases"), feed.inputs)
    if whole is None:
        return
    if work.fresh(whole):
        writer.unchanged(whole.path)
        return
    work.rendered += 1
    paths = FeedPaths(index, config)
    parts: list[bytes] = []
    for key, model in index.models.items():
        known = events.get(key)
        if known is None:
            known = _on_disk_events(writer.root, paths.calendars[key])
        if known is None:  # not on disk as milepost wrote it: make the events again
            work.rendered += 1
            known = model_events(config, index.today, work.records(key), model.name)
        parts.append(known)
    data = whole_calendar(config, index.today, parts)
    writer.page(Page(whole.path, data, "calendar"), whole.inputs)


def model_events(
    config: Config, today: date, records: Iterable[FeedMilestone], model: str
) -> bytes:
    """The ``VEVENT`` blocks of one business model's milestones."""
    made = calendar(
        records,
        vault=config.vault.name,
        token=vault_token(config),
        today=today,
        model=model,
        spans=config.calendar_spans,
        review_day=None,
    )
    return events_of(made)


def whole_calendar(config: Config, today: date, events: Iterable[bytes]) -> bytes:
    """The whole vault's feed: its header and plan review, then every model's events."""
    head = calendar(
        [],
        vault=config.vault.name,
        token=vault_token(config),
        today=today,
        name=f"Milestones · {config.vault.name}",
        review_day=config.review_day,
    )
    return head.removesuffix(_END) + b"".join(events) + _END


def events_of(feed: bytes) -> bytes:
    """The ``VEVENT`` blocks of a feed milepost made, without the plan review."""
    start, end = feed.find(_EVENT), feed.rfind(_END)
    if start < 0 or end < start:
        return b""
    blocks = feed[start:end].split(_EVENT)
    return b"".join(_EVENT + b for b in blocks if b and _REVIEW_UID not in b"\r\n" + b)


def _on_disk_events(root: Path, path: str) -> bytes | None:
    try:
        data = inside(root, path).read_bytes()
    except (OSError, WriteError):
        return None
    return events_of(data) if data.startswith(b"BEGIN:VCALENDAR\r\n") else None


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
