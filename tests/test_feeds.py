"""The calendar feed, canvas roadmaps, Bases file and canvas picture generators."""

from __future__ import annotations

import calendar as stdlib_calendar
import json
import re
import shutil
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import icalendar
import ics  # type: ignore[import-untyped]
import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from milepost import load_config, scan
from milepost.feeds import (
    FeedMilestone,
    NotMilepost,
    calendar,
    canvas_svg,
    from_index,
    obsidian_url,
    plain,
    portfolio_base,
    review_date,
    roadmap_canvas,
)
from milepost.feeds.bases import MILESTONE_COLUMNS, ROADMAP_COLUMNS
from milepost.feeds.canvas import canvas_id
from milepost.model import Period
from milepost.records import replace

from .conftest import SAMPLE_VAULT, TODAY, Result

Run = Callable[..., Result]


# ----- records ---------------------------------------------------------------------------------
def quarter(year: int, n: int) -> Period:
    first = date(year, 3 * n - 2, 1)
    last = (first + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    return Period(f"Q{n} {year}", first, last, "quarter")


def month(year: int, n: int) -> Period:
    first = date(year, n, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(first.strftime("%b %Y"), first, last, "month")


def day(when: date) -> Period:
    return Period(when.isoformat(), when, when, "day")


def ms(identity: str, title: str, **fields: Any) -> FeedMilestone:
    fields.setdefault("model", "Space X")
    fields.setdefault("status", "planned")
    return FeedMilestone(identity=identity, title=title, **fields)


SEED = ms(
    "seed",
    "Seed round closed",
    due=quarter(2026, 3),
    kind="implementation",
    description="€1.2M to build the kitchen; the reef window, too.",
    owner="[[People/Marta Keller|Marta]]",
    budget="€25,000",
    path="Milestones/Seed round closed.md",
    whole_note=True,
)
PILOT = ms(
    "pilot",
    "Pilot signed",
    status="achieved",
    due=month(2026, 2),
    done=day(date(2026, 3, 2)),
    path="Concepts/Milestones.md",
    heading="Space X",
)
LAUNCH = ms(
    "launch",
    "Launch **site** ready",
    status="overdue",
    due=month(2026, 6),
    path="Concepts/Milestones.md",
    heading="Space X",
    depends_on=("seed", "pilot"),
)
FAIR = ms("fair", "Trade fair booth", status="cancelled", due=day(date(2026, 1, 10)))
SURVEY = ms("survey", "Survey 20 customers", budget="€500")
OTHER = ms("other", "Open in Lisbon", model="Underwater restaurant", due=quarter(2027, 1))
ALL = [SEED, PILOT, LAUNCH, FAIR, SURVEY, OTHER]


def test_plain_titles() -> None:
    assert plain("Launch **site** ready") == "Launch site ready"
    assert (
        plain("Sign [[People/Ana|Ana]] and [[Tools/Gantt Chart#Use]]") == "Sign Ana and Gantt Chart"
    )
    assert plain("See [the deck](Deck.md) ==now==") == "See the deck now"
    assert plain("  two\n lines ") == "two lines"


def test_records_from_the_sample_vault_index() -> None:
    index = scan(load_config(SAMPLE_VAULT), TODAY, cache=False).index
    records = from_index(index)
    entries = [e for m in index.models.values() for e in m.entries]
    assert len(records) == len(entries) == index.milestone_count() > 0
    assert len({r.identity for r in records}) == len(records)
    by_id = {r.identity: r for r in records}
    for entry in entries:
        record = by_id[entry.id]
        assert record.title == entry.milestone.title
        assert record.status == entry.status
        assert record.model == index.models[entry.model_key].name
        assert record.path == entry.path
        assert record.due == entry.milestone.due
    seed = next(r for r in records if r.title == "Seed round closed")
    assert seed.whole_note and seed.budget == "€25,000" and seed.kind == "implementation"


# ----- calendar: a strict line-level reader --------------------------------------------------
def physical_lines(data: bytes) -> list[bytes]:
    """The feed's lines; fails unless every one ends in CRLF and is at most 75 octets."""
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a character
    return lines


def unfold(data: bytes) -> list[str]:
    logical: list[bytes] = []
    for line in physical_lines(data):
        if line[:1] in (b" ", b"\t"):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]


def components(data: bytes, kind: str = "VEVENT") -> list[dict[str, list[str]]]:
    """Each component's content lines: ``NAME;PARAMS`` -> values, in order."""
    found: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for line in unfold(data):
        if line == f"BEGIN:{kind}":
            current = {}
        elif line == f"END:{kind}":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current.setdefault(name, []).append(value)
    return found


def by_uid(data: bytes) -> dict[str, dict[str, list[str]]]:
    return {e["UID"][0]: e for e in components(data)}


def feed(milestones: Iterable[FeedMilestone] = ALL, **options: Any) -> bytes:
    options.setdefault("vault", "Business plans")
    options.setdefault("token", "v7")
    options.setdefault("today", TODAY)
    return calendar(milestones, **options)


def test_calendar_header() -> None:
    lines = unfold(feed())
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    head = lines[: lines.index("BEGIN:VEVENT")]
    assert "VERSION:2.0" in head
    assert "CALSCALE:GREGORIAN" in head
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in head
    assert "NAME:Milestones · Business plans" in head
    assert "X-WR-CALNAME:Milestones · Business plans" in head
    assert any(line.startswith("PRODID:-//milepost//") for line in head)


def test_a_quarter_is_one_all_day_event_on_its_last_day() -> None:
    event = by_uid(feed())["seed@v7.milepost"]
    assert event["DTSTART;VALUE=DATE"] == ["20260930"]
    assert event["DTEND;VALUE=DATE"] == ["20261001"]
    assert event["SUMMARY"] == ["Seed round closed (due Q3 2026)"]


def test_spans_cover_the_whole_period() -> None:
    events = by_uid(feed(spans=True))
    assert events["seed@v7.milepost"]["DTSTART;VALUE=DATE"] == ["20260701"]
    assert events["seed@v7.milepost"]["DTEND;VALUE=DATE"] == ["20261001"]
    assert events["launch@v7.milepost"]["DTSTART;VALUE=DATE"] == ["20260601"]
    assert events["launch@v7.milepost"]["DTEND;VALUE=DATE"] == ["20260701"]


def test_every_event_is_all_day_and_transparent() -> None:
    events = components(feed())
    for event in events:
        assert set(event) & {"DTSTART", "DTEND"} == set()
        assert re.fullmatch(r"\d{8}", event["DTSTART;VALUE=DATE"][0])
        start = date.fromisoformat(_iso(event["DTSTART;VALUE=DATE"][0]))
        end = date.fromisoformat(_iso(event["DTEND;VALUE=DATE"][0]))
        assert end > start
        assert event["TRANSP"] == ["TRANSPARENT"]
        assert event["DTSTAMP"] == ["20261122T000000Z"]


def _iso(value: str) -> str:
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def test_undated_milestones_are_left_out_and_the_review_is_in() -> None:
    uids = set(by_uid(feed()))
    assert uids == {f"{m.identity}@v7.milepost" for m in ALL if m.when} | {
        "plan-review@v7.milepost"
    }
    assert "survey@v7.milepost" not in uids


def test_statuses_titles_and_categories() -> None:
    events = by_uid(feed())
    assert events["fair@v7.milepost"]["STATUS"] == ["CANCELLED"]
    assert events["fair@v7.milepost"]["SUMMARY"] == ["Trade fair booth (cancelled)"]
    assert events["seed@v7.milepost"]["STATUS"] == ["CONFIRMED"]
    assert events["launch@v7.milepost"]["SUMMARY"] == [
        "Launch site ready (overdue\\, due Jun 2026)"  # a comma in TEXT is escaped
    ]
    assert events["seed@v7.milepost"]["CATEGORIES"] == ["Space X,implementation"]
    assert events["other@v7.milepost"]["CATEGORIES"] == ["Underwater restaurant"]
    day_due = ms("d", "Demo day", due=day(date(2027, 2, 3)))
    assert by_uid(feed([day_due], review_day=None))["d@v7.milepost"]["SUMMARY"] == ["Demo day"]


def test_an_achieved_milestone_is_on_its_done_date() -> None:
    event = by_uid(feed())["pilot@v7.milepost"]
    assert event["DTSTART;VALUE=DATE"] == ["20260302"]
    assert event["DTEND;VALUE=DATE"] == ["20260303"]
    assert event["SUMMARY"] == ["Pilot signed (achieved 2026-03-02)"]


def test_description_url_and_dependencies() -> None:
    parsed = icalendar.Calendar.from_ical(feed())
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    seed = events["seed@v7.milepost"]
    text = str(seed["DESCRIPTION"])
    assert text.startswith("€1.2M to build the kitchen; the reef window, too.")
    assert "Owner: Marta" in text and "Budget: €25,000" in text
    url = urlsplit(str(seed["URL"]))
    assert (url.scheme, url.netloc, url.path) == ("obsidian", "open", "")
    query = parse_qs(url.query)
    assert query == {"vault": ["Business plans"], "file": ["Milestones/Seed round closed"]}
    launch = events["launch@v7.milepost"]
    related: Any = launch["RELATED-TO"]
    assert [str(r) for r in related] == ["seed@v7.milepost", "pilot@v7.milepost"]
    assert all(r.params["RELTYPE"] == "FINISHTOSTART" for r in related)
    assert "Depends on: Seed round closed, Pilot signed" in str(launch["DESCRIPTION"])
    assert "RELATED-TO" not in seed


def test_obsidian_urls_encode_every_reserved_character() -> None:
    url = obsidian_url("My vault & co", "Plans/Q3 #1 100%.md", "Risks & ^odd/headings?")
    assert re.fullmatch(r"obsidian://open\?vault=[A-Za-z0-9%._~-]+&file=[A-Za-z0-9%._~-]+", url)
    query = parse_qs(urlsplit(url).query)
    assert query["vault"] == ["My vault & co"]
    assert query["file"] == ["Plans/Q3 #1 100%#Risks & ^odd/headings?"]
    assert obsidian_url("v", "a/Note.MD").endswith("file=a%2FNote")


def test_a_changed_date_keeps_the_uid_and_moves_the_event() -> None:
    before = by_uid(feed())
    moved = replace(SEED, due=quarter(2027, 1))
    after = by_uid(feed([moved if m is SEED else m for m in ALL]))
    assert set(after) == set(before)
    assert after["seed@v7.milepost"]["DTSTART;VALUE=DATE"] == ["20270331"]
    for uid in set(before) - {"seed@v7.milepost"}:
        assert after[uid] == before[uid]


def test_same_input_same_bytes_and_uids_do_not_depend_on_order() -> None:
    assert feed() == feed()
    assert feed() == feed(list(reversed(ALL)))
    assert feed() != feed(today=TODAY + timedelta(days=1))
    assert set(by_uid(feed(token="other"))) == {
        u.replace("@v7.", "@other.") for u in by_uid(feed())
    }


def test_one_feed_per_business_model() -> None:
    data = feed(model="Underwater restaurant")
    assert set(by_uid(data)) == {"other@v7.milepost", "plan-review@v7.milepost"}
    assert "X-WR-CALNAME:Milestones · Underwater restaurant" in unfold(data)
    assert set(by_uid(feed(model="Nobody"))) == {"plan-review@v7.milepost"}
    waits = ms(
        "waits",
        "Second kitchen",
        model="Underwater restaurant",
        due=quarter(2027, 2),
        depends_on=("seed",),
    )
    event = icalendar.Calendar.from_ical(feed([*ALL, waits], model="Underwater restaurant"))
    described = next(
        str(e["DESCRIPTION"]) for e in event.walk("VEVENT") if "Second kitchen" in str(e["SUMMARY"])
    )
    assert "Depends on: Seed round closed" in described  # named though in another model's feed


def test_the_plan_review_recurs_on_the_second_friday() -> None:
    review = by_uid(feed())["plan-review@v7.milepost"]
    assert review["RRULE"] == ["FREQ=MONTHLY;BYDAY=2FR"]
    assert review["SUMMARY"] == ["Plan review"]
    assert review["DTSTART;VALUE=DATE"] == ["20261113"]
    last_monday = by_uid(feed(review_day="-1MO"))["plan-review@v7.milepost"]
    assert last_monday["RRULE"] == ["FREQ=MONTHLY;BYDAY=-1MO"]
    assert last_monday["DTSTART;VALUE=DATE"] == ["20261130"]
    assert "plan-review@v7.milepost" not in by_uid(feed(review_day=None))
    for bad in ("FR", "5FR", "2XX", "second friday", "0MO"):
        with pytest.raises(ValueError, match="review_day"):
            feed(review_day=bad)


@pytest.mark.parametrize("nth", [1, 2, 3, 4, -1, -2, -4])
def test_review_dates_agree_with_the_standard_library(nth: int) -> None:
    names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    for year in (2026, 2027, 2028):
        for number in range(1, 13):
            weeks = stdlib_calendar.monthcalendar(year, number)
            for weekday, name in enumerate(names):
                days = [w[weekday] for w in weeks if w[weekday]]
                expected = date(year, number, days[nth - 1 if nth > 0 else nth])
                assert review_date(f"{nth}{name}", date(year, number, 17)) == expected


def test_bad_tokens_are_refused() -> None:
    for bad in ("", "a b", "x@y", "-lead"):
        with pytest.raises(ValueError, match="token"):
            feed(token=bad)


def test_long_and_unusual_text_is_folded_escaped_and_read_back() -> None:
    title = "Straße 🚀 " + "Ünïcödé, commas; semicolons \\ backslashes " * 4
    odd = ms(
        "odd id/with spaces",
        title,
        due=quarter(2026, 4),
        description="Line one\nLine two, with a comma; and a semicolon",
        path="Concepts/Ünï.md",
    )
    data = feed([odd])
    physical = physical_lines(data)
    assert len(physical) > len(unfold(data))  # something was folded
    parsed = icalendar.Calendar.from_ical(data)
    event = next(e for e in parsed.walk("VEVENT") if str(e["SUMMARY"]) != "Plan review")
    assert str(event["SUMMARY"]) == plain(title) + " (due Q4 2026)"
    assert str(event["DESCRIPTION"]).startswith("Line one\nLine two, with a comma; and a semicolon")
    assert str(event["UID"]) == "odd%20id%2Fwith%20spaces@v7.milepost"


def test_a_second_parser_reads_the_same_events() -> None:
    data = feed(spans=False)
    parsed = ics.Calendar(data.decode("utf-8"))
    events = {e.uid: e for e in parsed.events}
    assert set(events) == set(by_uid(data))
    for m in ALL:
        when = m.when
        if when is None:
            continue
        event = events[f"{m.identity}@v7.milepost"]
        assert event.all_day
        assert event.begin.date() == when.end
        assert event.end.date() == when.end + timedelta(days=1)
        assert event.name.startswith(plain(m.title))
        assert m.model in event.categories
        assert event.status == ("CANCELLED" if m.status == "cancelled" else "CONFIRMED")
    review = events["plan-review@v7.milepost"]
    assert [(x.name, x.value) for x in review.extra] == [("RRULE", "FREQ=MONTHLY;BYDAY=2FR")]
    launch = events["launch@v7.milepost"]
    assert sorted((x.name, x.value) for x in launch.extra) == [
        ("RELATED-TO", "pilot@v7.milepost"),
        ("RELATED-TO", "seed@v7.milepost"),
    ]


# ----- canvas: a JSON Schema of JSON Canvas 1.0, written from the spec -----------------------
CANVAS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "nodes": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        "edges": {"type": "array", "items": {"$ref": "#/$defs/edge"}},
    },
    "$defs": {
        "color": {"type": "string", "pattern": "^([1-6]|#[0-9A-Fa-f]{6})$"},
        "side": {"enum": ["top", "right", "bottom", "left"]},
        "end": {"enum": ["none", "arrow"]},
        "node": {
            "type": "object",
            "required": ["id", "type", "x", "y", "width", "height"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "type": {"enum": ["text", "file", "link", "group"]},
                "x": {"type": "integer"},
                "y": {"type": "integer"},
                "width": {"type": "integer", "minimum": 1},
                "height": {"type": "integer", "minimum": 1},
                "color": {"$ref": "#/$defs/color"},
            },
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": "text"}}},
                    "then": {"required": ["text"], "properties": {"text": {"type": "string"}}},
                },
                {
                    "if": {"properties": {"type": {"const": "file"}}},
                    "then": {
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "minLength": 1},
                            "subpath": {"type": "string", "pattern": "^#"},
                        },
                    },
                },
                {
                    "if": {"properties": {"type": {"const": "link"}}},
                    "then": {"required": ["url"], "properties": {"url": {"type": "string"}}},
                },
                {
                    "if": {"properties": {"type": {"const": "group"}}},
                    "then": {
                        "properties": {
                            "label": {"type": "string"},
                            "background": {"type": "string"},
                            "backgroundStyle": {"enum": ["cover", "ratio", "repeat"]},
                        }
                    },
                },
            ],
        },
        "edge": {
            "type": "object",
            "required": ["id", "fromNode", "toNode"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "fromNode": {"type": "string"},
                "toNode": {"type": "string"},
                "fromSide": {"$ref": "#/$defs/side"},
                "toSide": {"$ref": "#/$defs/side"},
                "fromEnd": {"$ref": "#/$defs/end"},
                "toEnd": {"$ref": "#/$defs/end"},
                "color": {"$ref": "#/$defs/color"},
                "label": {"type": "string"},
            },
        },
    },
}


def _no_floats(text: str) -> float:
    raise AssertionError(f"a number that is not an integer: {text}")


def valid_canvas(data: bytes | NotMilepost) -> dict[str, Any]:
    """The canvas, after checking it against the schema and what a schema cannot say."""
    assert isinstance(data, bytes), data
    text = data.decode("utf-8")
    assert text.endswith("}\n")
    canvas: dict[str, Any] = json.loads(text, parse_float=_no_floats)
    jsonschema.Draft202012Validator(CANVAS_SCHEMA).validate(canvas)
    ids = [n["id"] for n in canvas["nodes"]]
    assert len(set(ids)) == len(ids), "node ids are unique"
    edge_ids = [e["id"] for e in canvas["edges"]]
    assert len(set(edge_ids)) == len(edge_ids), "edge ids are unique"
    for edge in canvas["edges"]:
        assert edge["fromNode"] in ids and edge["toNode"] in ids, edge
    assert text == json.dumps(canvas, indent="\t", sort_keys=True, ensure_ascii=False) + "\n"
    return canvas


def test_the_schema_catches_what_it_should() -> None:
    good = {
        "nodes": [{"id": "a", "type": "text", "text": "x", "x": 0, "y": 0, "width": 1, "height": 1}]
    }
    jsonschema.validate(good, CANVAS_SCHEMA)
    bad_nodes: list[dict[str, Any]] = [
        {**good["nodes"][0], "type": "circle"},
        {k: v for k, v in good["nodes"][0].items() if k != "text"},
        {**good["nodes"][0], "color": "red"},
        {**good["nodes"][0], "x": "0"},
        {"id": "f", "type": "file", "x": 0, "y": 0, "width": 1, "height": 1, "subpath": "#h"},
        {
            "id": "f",
            "type": "file",
            "file": "a.md",
            "subpath": "h",
            "x": 0,
            "y": 0,
            "width": 1,
            "height": 1,
        },
    ]
    for node in bad_nodes:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"nodes": [node]}, CANVAS_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"edges": [{"id": "e", "fromNode": "a", "toNode": "b", "toEnd": "dot"}]}, CANVAS_SCHEMA
        )
    with pytest.raises(AssertionError):
        valid_canvas(
            b'{"nodes": [{"id": "a", "type": "text", "text": "", "x": 0.5, "y": 0, '
            b'"width": 1, "height": 1}]}\n'
        )


def nodes_of(canvas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in canvas["nodes"]}


def box(node: dict[str, Any]) -> tuple[int, int, int, int]:
    return node["x"], node["y"], node["width"], node["height"]


def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ax, ay, aw, ah = box(a)
    bx, by, bw, bh = box(b)
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def assert_no_cards_overlap(canvas: dict[str, Any]) -> None:
    cards = [n for n in canvas["nodes"] if n["type"] != "group"]
    for i, a in enumerate(cards):
        for b in cards[i + 1 :]:
            assert not overlap(a, b), (a["id"], b["id"])


def inside(node: dict[str, Any], group: dict[str, Any]) -> bool:
    x, y, w, h = box(node)
    gx, gy, gw, gh = box(group)
    return gx <= x and gy <= y and x + w <= gx + gw and y + h <= gy + gh


MANY = [
    *ALL,
    ms("q3b", "Hire a chef", due=month(2026, 8), status="in_progress", path="Plans/Hiring.md"),
    ms("old", "First manned mission", status="achieved", done=month(2020, 2)),
    ms(
        "later",
        "Second site",
        due=Period("H2 2027", date(2027, 7, 1), date(2027, 12, 31), "half"),
        depends_on=("launch", "gone"),
    ),
    ms("undated2", "Brand book"),
]


def space_x(
    previous: bytes | None = None, milestones: Iterable[FeedMilestone] = MANY, **kw: Any
) -> bytes:
    made = roadmap_canvas(milestones, model="Space X", previous=previous, **kw)
    assert isinstance(made, bytes), made
    return made


def test_a_fresh_canvas() -> None:
    canvas = valid_canvas(space_x())
    nodes = nodes_of(canvas)
    mine = [m for m in MANY if m.model == "Space X"]
    cards = {f"milestone-{m.identity}": m for m in mine}
    assert set(cards) <= set(nodes)
    assert "milestone-other" not in nodes  # another business model's
    groups = {n["id"]: n for n in canvas["nodes"] if n["type"] == "group"}
    assert set(groups) == {
        "quarter-2020-Q1",
        "quarter-2026-Q1",
        "quarter-2026-Q2",
        "quarter-2026-Q3",
        "quarter-2027-Q4",
        "undated",
    }
    assert groups["quarter-2026-Q3"]["label"] == "Q3 2026"
    # colours by status
    colours = {m.identity: nodes[f"milestone-{m.identity}"].get("color") for m in mine}
    assert colours["launch"] == "1" and colours["pilot"] == "4" and colours["seed"] == "5"
    assert colours["q3b"] == "3" and colours["fair"] is None
    # file nodes for a heading or a whole note, text nodes otherwise
    assert nodes["milestone-pilot"]["type"] == "file"
    assert nodes["milestone-pilot"]["file"] == "Concepts/Milestones.md"
    assert nodes["milestone-pilot"]["subpath"] == "#Space X"
    assert nodes["milestone-seed"]["type"] == "file" and "subpath" not in nodes["milestone-seed"]
    assert nodes["milestone-q3b"]["type"] == "text"
    assert nodes["milestone-q3b"]["text"].startswith("**Hire a chef**\nDue Aug 2026 · in progress")
    assert "[[Plans/Hiring|Hiring]]" in nodes["milestone-q3b"]["text"]
    # x grows with the date; every card sits in its quarter's group
    dated = sorted((m for m in mine if m.when), key=lambda m: m.when.end if m.when else date.min)
    xs = [nodes[f"milestone-{m.identity}"]["x"] for m in dated]
    assert xs == sorted(xs) and len(set(xs)) == len(groups) - 1
    for m in dated:
        end = m.when.end if m.when else date.min
        group = groups[f"quarter-{end.year}-Q{(end.month - 1) // 3 + 1}"]
        assert inside(nodes[f"milestone-{m.identity}"], group)
    for undated in ("survey", "undated2"):
        assert inside(nodes[f"milestone-{undated}"], groups["undated"])
    assert_no_cards_overlap(canvas)
    # one edge per dependency whose two ends are on the canvas
    edges = {(e["fromNode"], e["toNode"]): e for e in canvas["edges"]}
    assert set(edges) == {
        ("milestone-seed", "milestone-launch"),
        ("milestone-pilot", "milestone-launch"),
        ("milestone-launch", "milestone-later"),
    }
    assert edges[("milestone-seed", "milestone-launch")]["color"] == "1"  # Q3 before June
    assert "color" not in edges[("milestone-pilot", "milestone-launch")]
    assert all(e["toEnd"] == "arrow" for e in edges.values())
    # the marker
    assert (
        nodes["milepost"]["type"] == "text" and "generated by milepost" in nodes["milepost"]["text"]
    )


def test_the_canvas_is_deterministic_and_stable() -> None:
    first = space_x()
    assert first == space_x(milestones=list(reversed(MANY)))
    assert space_x(first) == first
    assert space_x(space_x(first)) == first


def obsidian_save(canvas: dict[str, Any]) -> bytes:
    """The canvas as Obsidian writes it: its own key order, tabs, no sorting."""
    order = ["id", "type", "text", "file", "subpath", "label", "x", "y", "width", "height", "color"]
    nodes = [
        {k: n[k] for k in [*order, *sorted(set(n) - set(order))] if k in n} for n in canvas["nodes"]
    ]
    return json.dumps({"nodes": nodes[::-1], "edges": canvas["edges"]}, indent="\t").encode()


def test_moved_and_resized_nodes_keep_their_place() -> None:
    canvas = valid_canvas(space_x())
    nodes = nodes_of(canvas)
    nodes["milestone-seed"].update(x=-5000, y=7000, width=520, height=333)
    nodes["quarter-2026-Q2"].update(x=40000, y=-3000, width=900, height=700)
    nodes["milepost"].update(x=-9000, y=-9000)
    again = valid_canvas(space_x(obsidian_save(canvas)))
    kept = nodes_of(again)
    assert box(kept["milestone-seed"]) == (-5000, 7000, 520, 333)
    assert box(kept["quarter-2026-Q2"]) == (40000, -3000, 900, 700)
    assert box(kept["milepost"])[:2] == (-9000, -9000)
    for nid, node in nodes_of(canvas).items():
        assert box(kept[nid]) == box(node)
    assert space_x(space_x(obsidian_save(canvas))) == space_x(obsidian_save(canvas))


def test_a_new_milestone_is_added_without_moving_the_others() -> None:
    canvas = valid_canvas(space_x())
    before = nodes_of(canvas)
    # the user has dragged a card right where the next card of Q3 2026 would go
    q3 = before["quarter-2026-Q3"]
    below = max(
        n["y"] + n["height"] for n in canvas["nodes"] if n["type"] != "group" and inside(n, q3)
    )
    before["milestone-pilot"].update(x=q3["x"] + 20, y=below + 40)
    new = ms("new", "Kitchen certified", due=day(date(2026, 9, 1)))
    undated = ms("new2", "Logo")
    after = valid_canvas(space_x(obsidian_save(canvas), [*MANY, new, undated]))
    nodes = nodes_of(after)
    for nid, node in before.items():
        if nid not in ("quarter-2026-Q3", "undated"):  # they grow to hold the new cards
            assert box(nodes[nid]) == box(node), nid
    assert_no_cards_overlap(after)
    groups = {n["id"]: n for n in after["nodes"] if n["type"] == "group"}
    assert inside(nodes["milestone-new"], groups["quarter-2026-Q3"])
    assert inside(nodes["milestone-new2"], groups["undated"])
    assert nodes["milestone-new"]["x"] == before["milestone-seed"]["x"]
    # a group grows to hold its new card, and never shrinks or moves
    assert box(groups["quarter-2026-Q3"])[:3] == box(before["quarter-2026-Q3"])[:3]
    assert groups["quarter-2026-Q3"]["height"] > before["quarter-2026-Q3"]["height"]
    old_undated, new_undated = box(before["undated"]), box(groups["undated"])
    assert new_undated[1] + new_undated[3] == old_undated[1] + old_undated[3]  # grows upward
    assert new_undated[1] <= old_undated[1]


def test_the_users_nodes_and_edges_survive_and_gone_milestones_leave() -> None:
    canvas = valid_canvas(space_x())
    note: dict[str, Any] = {
        "id": "5b0d2c6e8f1a3b47",
        "type": "text",
        "text": "Ask the bank",
        "x": 0,
        "y": 5000,
        "width": 250,
        "height": 60,
        "color": "#FF8800",
    }
    link: dict[str, Any] = {
        "id": "9c1e0a2b3d4f5a6b",
        "type": "link",
        "url": "https://example.com",
        "x": 400,
        "y": 5000,
        "width": 250,
        "height": 60,
    }
    area: dict[str, Any] = {
        "id": "a1b2c3d4e5f60718",
        "type": "group",
        "label": "Mine",
        "x": -100,
        "y": 4900,
        "width": 900,
        "height": 300,
    }
    canvas["nodes"] += [area, note, link]
    canvas["edges"] += [
        {
            "id": "0f0e0d0c0b0a0908",
            "fromNode": note["id"],
            "toNode": "milestone-seed",
            "label": "asks",
        },
        {"id": "1f1e1d1c1b1a1918", "fromNode": note["id"], "toNode": "milestone-fair"},
    ]
    nodes_of(canvas)["milestone-seed"]["styleAttributes"] = {"shape": "pill"}
    without_fair = [m for m in MANY if m.identity not in ("fair", "old")]
    after = valid_canvas(space_x(obsidian_save(canvas), without_fair))
    nodes = nodes_of(after)
    for mine in (note, link, area):
        assert nodes[mine["id"]] == mine
    assert "milestone-fair" not in nodes and "milestone-old" not in nodes
    assert "quarter-2020-Q1" not in nodes  # its only milestone is gone
    edge_ids = {e["id"] for e in after["edges"]}
    assert "0f0e0d0c0b0a0908" in edge_ids  # to a milestone still there
    assert "1f1e1d1c1b1a1918" not in edge_ids  # its end is gone
    assert nodes["milestone-seed"]["styleAttributes"] == {"shape": "pill"}
    # the user's group stays below milepost's cards, and their own nodes above them
    order = [n["id"] for n in after["nodes"]]
    assert order.index(area["id"]) < order.index("milestone-seed") < order.index(note["id"])


def test_a_status_change_recolours_a_kept_card() -> None:
    canvas = valid_canvas(space_x())
    nodes_of(canvas)["milestone-seed"].update(x=1, y=2)
    done = replace(SEED, status="achieved", done=day(date(2026, 8, 30)))
    after = nodes_of(
        valid_canvas(space_x(obsidian_save(canvas), [done if m is SEED else m for m in MANY]))
    )
    assert after["milestone-seed"]["color"] == "4"
    assert box(after["milestone-seed"])[:2] == (1, 2)


def test_text_cards_on_request() -> None:
    canvas = valid_canvas(space_x(cards="text"))
    cards = [n for n in canvas["nodes"] if n["id"].startswith("milestone-")]
    assert cards and all(n["type"] == "text" for n in cards)
    pilot = nodes_of(canvas)["milestone-pilot"]["text"]
    assert pilot.splitlines()[:2] == ["**Pilot signed**", "Achieved 2026-03-02"]
    assert "[[Concepts/Milestones#Space X|Milestones › Space X]]" in pilot


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe not text", "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2]", "not a JSON Canvas"),
        (b'{"nodes": {}}', "not a JSON Canvas"),
        (
            b'{"nodes": [{"id": "abc", "type": "text", "text": "mine", '
            b'"x": 0, "y": 0, "width": 9, "height": 9}]}',
            "someone else's",
        ),
        (b"{}", "someone else's"),
        (
            b'{"nodes": [{"id": "milepost", "type": "file", "file": "a.md", '
            b'"x": 0, "y": 0, "width": 9, "height": 9}]}',
            "someone else's",
        ),
    ],
)
def test_a_canvas_that_is_not_milepost_s_is_reported(data: bytes, reason: str) -> None:
    answer = roadmap_canvas(MANY, model="Space X", previous=data)
    assert isinstance(answer, NotMilepost)
    assert reason in answer.reason


def test_a_milepost_canvas_with_odd_nodes_is_still_read() -> None:
    canvas = valid_canvas(space_x())
    nodes_of(canvas)["milestone-seed"]["x"] = "left"  # geometry it cannot read: laid out anew
    nodes_of(canvas)["milestone-pilot"]["x"] = 10.6  # a float: rounded
    canvas["nodes"].append({"no": "id"})
    canvas["edges"].append("not an edge")
    after = nodes_of(valid_canvas(space_x(json.dumps(canvas).encode())))
    assert after["milestone-pilot"]["x"] == 11
    assert isinstance(after["milestone-seed"]["x"], int)


@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=6, unique=True))
def test_canvas_ids_are_safe_and_distinct(identities: list[str]) -> None:
    ids = [canvas_id(i) for i in identities]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    assert all("__" not in i for i in ids)


# ----- Portfolio.base --------------------------------------------------------------------------
BASE_KEYS = {"filters", "formulas", "properties", "summaries", "views"}
VIEW_KEYS = {"type", "name", "limit", "filters", "order", "sort", "groupBy", "summaries"}
SUMMARIES = {
    "Average",
    "Min",
    "Max",
    "Sum",
    "Range",
    "Median",
    "Stddev",
    "Earliest",
    "Latest",
    "Checked",
    "Unchecked",
    "Empty",
    "Filled",
    "Unique",
}
PENDING = {"milestones", "overdue", "next_due", "complete", "on_time"}
"""Roadmap front matter the Portfolio base shows that the pages are about to carry."""


def statements(filters: Any) -> list[str]:
    """Every expression of a filter, after checking its shape (a string, or one of and/or/not)."""
    if isinstance(filters, str):
        return [filters]
    assert isinstance(filters, dict) and len(filters) == 1, filters
    ((key, items),) = filters.items()
    assert key in ("and", "or", "not") and isinstance(items, list) and items
    return [s for item in items for s in statements(item)]


def note_properties(expression: str) -> set[str]:
    return set(re.findall(r"\bnote\.([A-Za-z_][A-Za-z0-9_]*)", expression))


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    loaded = yaml.safe_load(text[4 : text.index("\n---\n", 4)])
    assert isinstance(loaded, dict)
    return loaded


def test_the_base_is_yaml_with_the_keys_bases_reads() -> None:
    base = yaml.safe_load(portfolio_base().decode("utf-8"))
    assert set(base) <= BASE_KEYS
    statements(base["filters"])
    for pid, settings in base["properties"].items():
        assert re.fullmatch(r"(note|file|formula)\.\w+", pid) and set(settings) == {"displayName"}
    assert [v["name"] for v in base["views"]] == ["Business models", "Milestone notes"]
    for view in base["views"]:
        assert set(view) <= VIEW_KEYS and view["type"] == "table"
        statements(view["filters"])
        assert view["order"][0] == "file.name"
        for column in view["order"][1:]:
            assert column in base["properties"]
        for sort in view.get("sort", []):
            assert set(sort) == {"property", "direction"} and sort["direction"] in ("ASC", "DESC")
            assert sort["property"] in view["order"]
        assert set(view.get("summaries", {}).values()) <= SUMMARIES
        assert set(view.get("summaries", {})) <= set(view["order"])


def test_the_base_names_what_the_pages_really_carry(run: Run, tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(SAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".milepost", "Roadmaps"))
    assert run("build", vault, "--today", TODAY.isoformat(), "--jobs", "1", "-q").code == 0
    pages = sorted((vault / "Roadmaps" / "Models").glob("Roadmap – *.md"))
    assert pages
    base = yaml.safe_load(portfolio_base(output="Roadmaps").decode("utf-8"))
    roadmaps, notes = base["views"]
    for page in pages:
        carried = front_matter(page)
        # every property the roadmap view selects on is there, with the value it looks for
        for expression in statements(roadmaps["filters"]):
            for name in note_properties(expression):
                assert name in carried, (name, page.name)
            for name, value in re.findall(r'note\.(\w+) == "([^"]*)"', expression):
                assert carried[name] == value
        for name in note_properties(expression):
            assert name in carried
        columns = {c.removeprefix("note.") for c in roadmaps["order"][1:]}
        assert columns - set(carried) <= PENDING, page.name
    assert 'file.inFolder("Roadmaps")' in statements(roadmaps["filters"])
    # milestone notes: the columns are properties such notes carry
    milestone_notes = [
        front_matter(p)
        for p in sorted(vault.rglob("*.md"))
        if ".milepost" not in p.parts
        and p.read_text(encoding="utf-8").startswith("---\n")
        and any(str(t).split("/")[0] == "milestone" for t in front_matter(p).get("tags") or [])
    ]
    assert len(milestone_notes) == 2
    known = set().union(*milestone_notes) | {"status", "kind"}
    assert {c.removeprefix("note.") for c in notes["order"][1:]} <= known
    assert {k for k, _ in MILESTONE_COLUMNS} <= known
    assert {k for k, _ in ROADMAP_COLUMNS} - {"business_model"} == PENDING


def test_the_base_follows_the_output_folder_and_tags() -> None:
    base = yaml.safe_load(portfolio_base(output='Our "roadmaps"', tags=["Milestone", "goal"]))
    roadmaps, notes = base["views"]
    folder = next(s for s in statements(roadmaps["filters"]) if s.startswith("file.inFolder("))
    assert json.loads(folder.removeprefix("file.inFolder(").removesuffix(")")) == 'Our "roadmaps"'
    found = statements(notes["filters"])
    assert 'file.hasTag("Milestone", "goal")' in found
    assert any('== "milestone"' in s and 'startsWith("milestone/")' in s for s in found)
    assert any('== "goal"' in s for s in found)
    assert 'file.inFolder("Our \\"roadmaps\\"")' in found
    assert portfolio_base() == portfolio_base()


# ----- the canvas as a picture -----------------------------------------------------------------
SVG = "{http://www.w3.org/2000/svg}"


def test_the_picture_of_a_canvas() -> None:
    hostile = ms(
        "x",
        '<script>alert("t")</script> & Co',
        due=quarter(2026, 3),
        depends_on=("seed",),
    )
    data = valid_canvas(space_x(milestones=[*MANY, hostile], cards="file"))
    data["nodes"] += [
        {
            "id": "u1",
            "type": "text",
            "text": "\n## <img src=x onerror=alert(1)>\nmore",
            "x": 0,
            "y": 9000,
            "width": 500,
            "height": 80,
            "color": 'red" onload="alert(1)',
        },
        {
            "id": "u2",
            "type": "link",
            "url": "javascript:alert(1)",
            "x": 600,
            "y": 9000,
            "width": 300,
            "height": 80,
        },
    ]
    data["edges"].append(
        {
            "id": "u3",
            "fromNode": "u1",
            "toNode": "u2",
            "color": "#00FF00",
            "fromEnd": "arrow",
            "label": "</text><script>x</script>",
        }
    )
    svg = canvas_svg(json.dumps(data).encode(), title="Space X & <friends>")
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    everything = list(root.iter())
    assert not [e for e in everything if e.tag.lower().endswith("script")]
    assert not [a for e in everything for a in e.attrib if a.lower().startswith("on")]
    assert 'alert(1)"' not in svg and 'onload="' not in svg
    texts = [("".join(e.itertext())) for e in root.iter(f"{SVG}text")]
    joined = "\n".join(texts)
    for node in data["nodes"]:
        if node["type"] == "file":
            stem = Path(node["file"]).stem
            shown = f"{stem} › {node['subpath'][1:]}" if "subpath" in node else stem
            assert shown in texts, shown
        elif node["type"] == "text":
            first = next(line for line in node["text"].splitlines() if line.strip())
            expected = plain(first.lstrip("#> "))
            assert any(
                t == expected or (t.endswith("…") and expected.startswith(t[:-1])) for t in texts
            ), expected
        elif node["type"] == "group":
            assert node["label"] in texts
    assert '<script>alert("t")</script> & Co' in joined
    assert "<img src=x onerror=alert(1)>" in joined
    assert "javascript:alert(1)" in joined  # as text, never as a link
    assert root.find(f".//{SVG}a") is None
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Space X & <friends>"
    # edges with arrowheads, each marker defined
    lines = list(root.iter(f"{SVG}line"))
    assert len(lines) == len(data["edges"])
    markers = {m.get("id") for m in root.iter(f"{SVG}marker")}
    for line in lines:
        ref = re.fullmatch(r"url\(#(.+)\)", line.get("marker-end", ""))
        assert ref and ref.group(1) in markers
    assert sum(1 for line in lines if line.get("marker-start")) == 1
    # colours are presets or hex, the hostile one drawn grey
    fills = {e.get("stroke") for e in root.iter(f"{SVG}rect") if e.get("stroke")}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", f or "") for f in fills)
    # scaled to fit: the view box holds every node
    left, top, width, height = (int(v) for v in root.get("viewBox", "").split())
    for node in data["nodes"]:
        x, y, w, h = box(node)
        assert left <= x and top <= y and x + w <= left + width and y + h <= top + height
    assert root.get("width") == "960"


def test_the_picture_of_an_empty_canvas() -> None:
    root = ElementTree.fromstring(canvas_svg(b"{}"))
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}line") is None


def test_empty_quarters_take_no_room() -> None:
    groups = {n["id"]: n for n in valid_canvas(space_x())["nodes"] if n["type"] == "group"}
    first, second = groups["quarter-2020-Q1"], groups["quarter-2026-Q1"]
    q1, q2 = groups["quarter-2026-Q1"], groups["quarter-2026-Q2"]
    assert q1["x"] < q2["x"] and first["x"] < second["x"]
    assert second["x"] - first["x"] < 2 * (q2["x"] - q1["x"])  # 24 empty quarters: one jump


def test_new_quarters_go_beside_their_neighbours_without_covering_anything() -> None:
    canvas = valid_canvas(space_x())
    before = nodes_of(canvas)
    between = ms("between", "Open a second kitchen", due=day(date(2026, 11, 30)))
    first = ms("first", "Founding", status="achieved", done=month(2019, 5))
    after = valid_canvas(space_x(obsidian_save(canvas), [*MANY, between, first]))
    nodes = nodes_of(after)
    for nid, node in before.items():
        assert box(nodes[nid]) == box(node), nid
    assert_no_cards_overlap(after)
    q4, q2019 = nodes["quarter-2026-Q4"], nodes["quarter-2019-Q2"]
    assert inside(nodes["milestone-between"], q4) and inside(nodes["milestone-first"], q2019)
    for new in (q4, q2019):
        for old in before.values():
            assert not overlap(new, old), (new["id"], old["id"])
    lanes = [n for n in before.values() if n["id"].startswith("quarter-")]
    assert q2019["x"] < min(n["x"] for n in lanes)
    assert q4["x"] > before["quarter-2026-Q3"]["x"]
