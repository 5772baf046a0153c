"""The calendar feeds and canvas roadmaps in the exported site.

``feeds.html`` links the whole vault's calendar feed and one per business model (copied into
``feeds/``, to subscribe to), and shows each business model's canvas roadmap as an SVG picture
(``feeds/<model>.svg``, shown with ``<img>``: no script). Only published milestones are in them,
as on every other page of the site. A canvas keeps the layout the user gave it in the vault.
Each business model's feed and picture are made once per content and kept while an export is
watched, so a save makes again only the model it touches.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from ..config import Config
from ..feedbuild import FeedPaths, events_of, vault_token, whole_calendar
from ..feeds.calendar import calendar
from ..feeds.canvas import NotMilepost, roadmap_canvas
from ..feeds.picture import canvas_svg
from ..feeds.records import FeedMilestone, records_of
from ..planning import planning
from .shape import relative, slug
from .spool import Spool
from .writer import Pieces

if TYPE_CHECKING:
    from . import Exporter, Output

PAGE = "feeds.html"
FOLDER = "feeds"
MEMO = 64
"""Business models whose feed and picture are kept between exports (watch)."""


def feed_outputs(exporter: Exporter) -> Iterator[Output | Pieces]:
    """The feeds, the pictures and the page that shows them; nothing when neither the calendar
    nor the canvas is among the configured outputs."""
    from . import Output

    config = exporter.config
    chosen = set(config.outputs)
    if not chosen & {"calendar", "canvas"}:
        return
    index = exporter.index
    today = index.today
    paths = FeedPaths(index, config)
    settings = (config.vault.name, vault_token(config), config.calendar_spans, config.review_day)
    names: set[str] = {"milestones"}
    rows = []
    # Each model's events, for the whole vault's feed: in a temporary file when the feeds are
    # not kept between exports (at 10,000 notes they are tens of megabytes).
    events: list[bytes] | Spool = [] if exporter.keep else Spool()
    feed_of = _model_feed if exporter.keep else _model_feed.__wrapped__
    picture_of = _picture if exporter.keep else _picture.__wrapped__
    for model in exporter.pages.visible_models():
        records = tuple(
            records_of(
                model.name,
                exporter.pages.entries(model),
                depends=planning(exporter.index).predecessors,
            )
        )
        name = _claim(names, slug(model.name))
        row: dict[str, str] = {"name": model.name}
        if "calendar" in chosen:
            feed, block = feed_of(records, model.name, today, settings)
            if isinstance(events, Spool):
                events[str(len(events))] = block
            else:
                events.append(block)
            row["feed"] = f"{FOLDER}/{name}.ics"
            del block
            yield Output(row["feed"], feed, f"the calendar feed of {model.name}")
            del feed  # written: not held while the picture is made (megabytes each)
        if "canvas" in chosen:
            previous = _vault_file(config, paths.canvases[model.key])
            row["picture"] = f"{FOLDER}/{name}.svg"
            svg = picture_of(records, model.name, previous)
            del previous
            yield Output(row["picture"], svg, f"the canvas roadmap of {model.name}")
            del svg
        rows.append(row)
    whole = None
    if "calendar" in chosen:
        whole = f"{FOLDER}/milestones.ics"
        if isinstance(events, Spool):
            yield Pieces(whole, _whole_pieces(config, today, events), "the calendar feed")
        else:
            yield Output(whole, whole_calendar(config, today, events), "the calendar feed")
    elif isinstance(events, Spool):
        events.close()
    for row in rows:
        for key in ("feed", "picture"):
            if key in row:
                row[key] = relative(PAGE, row[key])
    html = exporter._html(
        "feeds.html.j2",
        PAGE,
        "Calendar and canvases",
        whole=relative(PAGE, whole) if whole else None,
        rows=rows,
    )
    yield Output(PAGE, html, "the calendar feeds and canvas roadmaps")


_MARK = b"\x00events\x00"


def _whole_pieces(config: Config, today: date, events: Spool) -> Iterator[bytes]:
    """The whole vault's feed as :func:`~milepost.feedbuild.whole_calendar` makes it, piece by
    piece: the events come from the spool, one model at a time."""
    try:
        frame = whole_calendar(config, today, [_MARK])
        head, _, tail = frame.partition(_MARK)
        yield head
        for key in events:
            yield events[key]
        yield tail
    finally:
        events.close()


def _claim(taken: set[str], name: str) -> str:
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}-{number}"
    taken.add(candidate)
    return candidate


def _vault_file(config: Config, path: str) -> bytes | None:
    try:
        return (config.vault / path).read_bytes()
    except OSError:
        return None


@lru_cache(maxsize=MEMO)
def _model_feed(
    records: tuple[FeedMilestone, ...],
    model: str,
    today: date,
    settings: tuple[str, str, bool, str],
) -> tuple[bytes, bytes]:
    """One business model's feed, and its events for the whole vault's feed."""
    vault, token, spans, review_day = settings
    feed = calendar(
        records,
        vault=vault,
        token=token,
        today=today,
        model=model,
        spans=spans,
        review_day=review_day,
    )
    return feed, events_of(feed)


@lru_cache(maxsize=MEMO)
def _picture(records: tuple[FeedMilestone, ...], model: str, previous: bytes | None) -> bytes:
    """The SVG of a business model's canvas, laid out as the vault's canvas is (when that
    canvas is milepost's)."""
    made = roadmap_canvas(records, model=model, previous=previous)
    if isinstance(made, NotMilepost):
        made = roadmap_canvas(records, model=model)
    assert not isinstance(made, NotMilepost)
    return canvas_svg(made, title=f"{model} · roadmap canvas").encode("utf-8")
