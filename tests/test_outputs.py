"""`build` writes the calendar feeds, canvas roadmaps and Portfolio.base: planned, recorded in
the manifest, written by the guarded writer, and left alone when they are not milepost's."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import icalendar
import pytest
import yaml

from milepost import load_config, scan
from milepost.feeds import from_index

from .conftest import SAMPLE_VAULT, TODAY, MakeVault, Result
from .test_feeds import (
    PENDING,
    front_matter,
    note_properties,
    statements,
    valid_canvas,
)

Run = Callable[..., Result]

SPACE = "Concepts/Space.md"
KITCHEN = "Concepts/Kitchen.md"
FEED = "Roadmaps/Milestones.ics"
SPACE_FEED = "Roadmaps/Calendars/Milestones – Space X.ics"
KITCHEN_FEED = "Roadmaps/Calendars/Milestones – Kitchen.ics"
SPACE_CANVAS = "Roadmaps/Canvas/Roadmap – Space X.canvas"
KITCHEN_CANVAS = "Roadmaps/Canvas/Roadmap – Kitchen.canvas"
BASE = "Roadmaps/Portfolio.base"
NOTES = {
    SPACE: "## Examples\n### Space X\n"
    "#milestone Seed round closed (expected Q3 2026)\n"
    "#milestone Land on Mars (expected 2031-05-04)\n"
    "#milestone Pick a launch site\n",
    KITCHEN: "## Examples\n### Kitchen\n#milestone Open the first kitchen (expected Mar 2027)\n",
}


def build(run: Run, vault: Path, *args: str) -> Result:
    return run("build", vault, "--today", TODAY.isoformat(), "--jobs", "1", *args)


@pytest.fixture
def vault(make_vault: MakeVault, run: Run) -> Path:
    root = make_vault(dict(NOTES))
    result = build(run, root)
    assert result.code == 0, result.out + result.err
    return root


def snapshot(vault: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(vault).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(vault.rglob("*"))
        if p.is_file() and ".milepost" not in p.parts
    }


def events(data: bytes) -> dict[str, Any]:
    """The feed's events by summary, after a strict check of its lines."""
    strict_lines(data)
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def strict_lines(data: bytes) -> None:
    """CRLF line ends, lines of at most 75 octets, folds that start with a space, and all-day
    dates written as VALUE=DATE (a check independent of icalendar's parser)."""
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    for line in lines:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
    unfolded: list[bytes] = []
    for line in lines:
        if line.startswith(b" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    for line in unfolded:
        if line.startswith((b"DTSTART", b"DTEND")):
            assert re.fullmatch(rb"DT(START|END);VALUE=DATE:\d{8}", line), line


def day(event: Any, name: str) -> str:
    """An all-day date of an event, as ISO text."""
    return str(event[name].dt.isoformat())


def uid_of(data: bytes, summary: str) -> str:
    return str(events(data)[summary]["uid"])


# ----- the calendar ------------------------------------------------------------------------------
def test_the_sample_vaults_feed(run: Run, copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    shutil.rmtree(vault / "Roadmaps")
    shutil.rmtree(vault / ".milepost")
    assert build(run, vault, "-q").code == 0
    data = (vault / FEED).read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    strict_lines(data)
    index = scan(load_config(vault, today=TODAY)).index
    dated = [m for m in from_index(index) if m.when is not None]
    found = [e for e in cal.walk("VEVENT") if "plan-review" not in str(e["uid"])]
    assert len(found) == len(dated) > 10
    assert {str(e["uid"]).split("@")[0] for e in found} == {m.identity for m in dated}
    assert cal["x-wr-calname"] == "Milestones · sample-vault"
    # every business model's feed holds exactly its own events, as the whole feed has them
    per_model: set[str] = set()
    for path in (vault / "Roadmaps/Calendars").glob("*.ics"):
        feed = path.read_bytes()
        strict_lines(feed)
        uids = [str(e["uid"]) for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")]
        per_model.update(u for u in uids if not u.startswith("plan-review"))
    assert per_model == {str(e["uid"]) for e in found}


def test_a_quarter_is_an_all_day_event_on_its_last_day(vault: Path) -> None:
    raw = (vault / FEED).read_bytes().replace(b"\r\n ", b"")
    block = raw[raw.index(b"SUMMARY:Seed round closed") :]
    block = block[: block.index(b"END:VEVENT")]
    assert b"\r\nDTSTART;VALUE=DATE:20260930\r\n" in block
    assert b"\r\nDTEND;VALUE=DATE:20261001\r\n" in block
    found = events((vault / FEED).read_bytes())
    assert "Pick a launch site" not in found  # undated: left out
    assert set(found) == {
        "Plan review",
        "Seed round closed (overdue, due Q3 2026)",
        "Land on Mars",
        "Open the first kitchen (due Mar 2027)",
    }
    review = found["Plan review"]
    assert review["rrule"]["BYDAY"] == ["2FR"]


def test_a_changed_date_keeps_the_uid_and_rebuilds_only_that_models_feeds(
    vault: Path, run: Run
) -> None:
    summary = "Seed round closed (overdue, due Q3 2026)"
    before_uid = uid_of((vault / FEED).read_bytes(), summary)
    before = snapshot(vault)
    note = vault / SPACE
    note.write_text(note.read_text().replace("Q3 2026", "Q2 2027"), encoding="utf-8")
    assert build(run, vault, "-q").code == 0
    after = snapshot(vault)
    moved = "Seed round closed (due Q2 2027)"
    for path in (FEED, SPACE_FEED):
        found = events((vault / path).read_bytes())
        assert summary not in found
        assert str(found[moved]["uid"]) == before_uid
        assert day(found[moved], "dtstart") == "2027-06-30"
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed == {
        SPACE,
        FEED,
        SPACE_FEED,
        SPACE_CANVAS,
        "Roadmaps/Models/Roadmap – Space X.md",
        "Roadmaps/Milestone index.md",
        "Roadmaps/Reviews/Plan review 2026-11.md",
        "Roadmaps/Portfolio.md",  # Space X is no longer overdue
    }
    assert after[KITCHEN_FEED] == before[KITCHEN_FEED]
    assert after[KITCHEN_CANVAS] == before[KITCHEN_CANVAS]
    assert after[BASE] == before[BASE]


@pytest.mark.parametrize("cache", [True, False])
def test_a_rebuild_of_an_unchanged_vault_writes_nothing(vault: Path, run: Run, cache: bool) -> None:
    before = snapshot(vault)
    args = [] if cache else ["--no-cache"]
    result = build(run, vault, *args)
    assert result.code == 0
    assert result.out == ""
    assert result.err.startswith("0 written, ")
    assert snapshot(vault) == before


def test_calendar_settings(make_vault: MakeVault, run: Run) -> None:
    vault = make_vault({**NOTES, "milepost.toml": 'review_day = "-1mo"\ncalendar_spans = true\n'})
    assert build(run, vault, "-q").code == 0
    found = events((vault / FEED).read_bytes())
    seed = found["Seed round closed (overdue, due Q3 2026)"]
    assert day(seed, "dtstart") == "2026-07-01"
    assert day(seed, "dtend") == "2026-10-01"
    assert found["Plan review"]["rrule"]["BYDAY"] == ["-1MO"]
    assert day(found["Plan review"], "dtstart") == "2026-11-30"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('outputs = ["pages", "feeds"]', "'outputs' names unknown output 'feeds'"),
        ('review_day = "5FR"', "'review_day' must be an ordinal"),
        ("calendar_spans = 1", "'calendar_spans' must be true or false"),
    ],
)
def test_bad_settings_exit_2(make_vault: MakeVault, run: Run, setting: str, message: str) -> None:
    vault = make_vault({**NOTES, "milepost.toml": setting + "\n"})
    result = build(run, vault)
    assert result.code == 2
    assert message in result.err
    assert not (vault / "Roadmaps").exists()


# ----- choosing outputs --------------------------------------------------------------------------
def test_only_writes_the_outputs_named(make_vault: MakeVault, run: Run) -> None:
    vault = make_vault(dict(NOTES))
    assert build(run, vault, "-q", "--only", "pages").code == 0
    made = {p.relative_to(vault).as_posix() for p in (vault / "Roadmaps").rglob("*.*")}
    assert made and all(p.endswith(".md") for p in made)
    assert build(run, vault, "-q", "--only", "calendar,bases").code == 0
    now = {p.relative_to(vault).as_posix() for p in (vault / "Roadmaps").rglob("*.*")}
    assert now - made == {FEED, SPACE_FEED, KITCHEN_FEED, BASE}  # pages kept, no canvas
    before = snapshot(vault)
    (vault / "milepost.toml").write_text('outputs = ["canvas"]\n', encoding="utf-8")
    (vault / KITCHEN).unlink()  # a model gone: its canvas never made, its feed left as it is
    assert build(run, vault, "-q").code == 0
    after = snapshot(vault)
    assert set(after) - set(before) == {SPACE_CANVAS, "milepost.toml"}
    assert set(before) - set(after) == {KITCHEN}  # its roadmap page too is left as it is
    assert after[KITCHEN_FEED] == before[KITCHEN_FEED]
    assert build(run, vault, "-q", "--only", "calendar").code == 0
    assert not (vault / KITCHEN_FEED).exists()  # calendar on again: the stale feed goes
    result = build(run, vault, "--only", "pages", "--only", "charts")
    assert result.code == 2
    assert "unknown output 'charts'" in result.err


# ----- conflicts ---------------------------------------------------------------------------------
def test_files_that_are_not_milepost_s_are_conflicts(make_vault: MakeVault, run: Run) -> None:
    mine = {
        FEED: "BEGIN:VCALENDAR\r\nPRODID:-//Someone//Else//EN\r\nEND:VCALENDAR\r\n",
        SPACE_CANVAS: '{"nodes": [{"id": "a", "type": "text", "text": "mine", "x": 0, "y": 0, '
        '"width": 10, "height": 10}], "edges": []}\n',
        BASE: "views:\n  - type: table\n    name: Mine\n",
    }
    vault = make_vault({**NOTES, **mine})
    result = build(run, vault)
    assert result.code == 1
    for path, text in mine.items():
        assert (vault / path).read_bytes() == text.encode()
        assert f"conflict {path}: " in result.out
    assert "no milepost legend card" in result.out
    assert (vault / KITCHEN_FEED).exists()
    result = build(run, vault, "--force")
    assert result.code == 1
    assert all((vault / p).read_bytes() == t.encode() for p, t in mine.items())


def test_a_feed_edited_by_hand_is_kept(vault: Path, run: Run) -> None:
    feed = vault / SPACE_FEED
    edited = feed.read_bytes().replace(b"Land on Mars", b"Land on Mars!")
    feed.write_bytes(edited)
    result = build(run, vault)
    assert result.code == 1
    assert f"conflict {SPACE_FEED}: edited by hand" in result.out
    assert feed.read_bytes() == edited
    assert build(run, vault, "--force", "-q").code == 0
    assert b"Land on Mars!" not in feed.read_bytes()


# ----- canvases ----------------------------------------------------------------------------------
def canvas_at(vault: Path, path: str = SPACE_CANVAS) -> dict[str, Any]:
    return valid_canvas((vault / path).read_bytes())


def by_id(canvas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in canvas["nodes"]}


def cards_of(canvas: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in canvas["nodes"] if n["id"].startswith("milestone-")]


def geometry(node: dict[str, Any]) -> tuple[int, int, int, int]:
    return node["x"], node["y"], node["width"], node["height"]


def test_canvases_are_json_canvas_and_keep_what_the_user_did(vault: Path, run: Run) -> None:
    canvas = canvas_at(vault)
    canvas_at(vault, KITCHEN_CANVAS)
    cards = [n for n in canvas["nodes"] if n["id"].startswith("milestone-")]
    assert len(cards) == 3
    assert {(n["type"], n["file"], n["subpath"]) for n in cards} == {("file", SPACE, "#Space X")}
    seed = next(n for n in cards if n.get("color") == "1")  # red: the overdue one
    # as Obsidian saves it: a card moved and resized, a card and an edge of the user's own
    seed.update(x=-4000, y=3000, width=520, height=260)
    canvas["nodes"].append(
        {
            "id": "0123456789abcdef",
            "type": "text",
            "text": "ask Marta",
            "x": 0,
            "y": -900,
            "width": 250,
            "height": 60,
        }
    )
    canvas["edges"].append(
        {"id": "fedcba9876543210", "fromNode": "0123456789abcdef", "toNode": seed["id"]}
    )
    (vault / SPACE_CANVAS).write_text(json.dumps(canvas, indent="\t"), encoding="utf-8")
    result = build(run, vault)
    assert result.code == 0, result.out
    kept = canvas_at(vault)
    nodes = by_id(kept)
    assert geometry(nodes[seed["id"]]) == (-4000, 3000, 520, 260)
    assert nodes["0123456789abcdef"]["text"] == "ask Marta"
    assert "fedcba9876543210" in {e["id"] for e in kept["edges"]}
    # a new milestone adds a card and moves no other
    placed = {nid: geometry(n) for nid, n in nodes.items()}
    note = vault / SPACE
    note.write_text(
        note.read_text() + "#milestone Second launch pad (expected Q3 2026)\n", encoding="utf-8"
    )
    assert build(run, vault, "-q").code == 0
    grown = by_id(canvas_at(vault))
    assert set(grown) - set(placed) == {
        nid for nid in grown if nid.startswith("milestone-") and nid not in placed
    }
    assert len(set(grown) - set(placed)) == 1
    for nid, box in placed.items():
        if not nid.startswith("quarter-"):  # a lane may grow to take the new card
            assert geometry(grown[nid]) == box, nid
    before = snapshot(vault)
    assert build(run, vault, "-q").code == 0
    assert snapshot(vault) == before


# ----- the Bases file ----------------------------------------------------------------------------
def test_the_base_is_yaml_bases_reads(vault: Path) -> None:
    data = (vault / BASE).read_bytes()
    assert data.startswith(b"# generated_by: milepost\n")
    base = yaml.safe_load(data)
    assert set(base) == {"filters", "properties", "views"}
    assert [v["name"] for v in base["views"]] == ["Business models", "Milestone notes"]
    assert 'file.inFolder("Roadmaps")' in statements(base["views"][0]["filters"])


def test_the_base_names_properties_the_roadmap_pages_carry(vault: Path) -> None:
    base = yaml.safe_load((vault / BASE).read_bytes())
    roadmaps = base["views"][0]
    named = {c.removeprefix("note.") for c in roadmaps["order"][1:]}
    for expression in statements(roadmaps["filters"]):
        named |= note_properties(expression)
    for sort in roadmaps["sort"]:
        named.add(sort["property"].removeprefix("note."))
    assert named >= PENDING
    for page in sorted((vault / "Roadmaps/Models").glob("*.md")):
        assert named <= set(front_matter(page)), page.name


# ----- watch -------------------------------------------------------------------------------------
def test_watch_keeps_the_feeds_fresh_without_looping_on_its_own_writes(vault: Path) -> None:
    from .test_watch import Running, wait_for

    feed, canvas = vault / SPACE_FEED, vault / SPACE_CANVAS
    with Running(load_config(vault, today=TODAY)) as running:
        note = vault / SPACE
        note.write_text(note.read_text() + "#milestone Reach orbit (expected 2028-02-03)\n")
        wait_for(lambda: b"SUMMARY:Reach orbit" in (vault / FEED).read_bytes())
        wait_for(lambda: b"SUMMARY:Reach orbit" in feed.read_bytes())
        wait_for(lambda: len(cards_of(canvas_at(vault))) == 4)
        wait_for(lambda: running.rounds() >= 1)  # files are written just before a round ends
        settled = running.rounds()
        time.sleep(1.5)  # long enough for any echo of milepost's own writes to come back
        assert running.rounds() == settled
        # the user moves a card on the canvas: kept, and no loop either
        moved = canvas_at(vault)
        card = next(n for n in moved["nodes"] if n["id"].startswith("milestone-"))
        card.update(x=card["x"] - 3000, y=card["y"] + 1000)
        canvas.write_text(json.dumps(moved, indent="\t"), encoding="utf-8")
        wait_for(lambda: running.rounds() > settled)
        time.sleep(1.5)
        assert running.rounds() == settled + 1
        assert geometry(by_id(canvas_at(vault))[card["id"]]) == geometry(card)
    assert not [o for o in running.outcomes if o.error]
    assert [o.changed for o in running.outcomes[1:]] == [[SPACE], [SPACE_CANVAS]]


# ----- the exported site -------------------------------------------------------------------------
def test_the_site_links_the_feeds_and_draws_the_canvases(
    vault: Path, run: Run, tmp_path: Path
) -> None:
    canvas = canvas_at(vault)
    card = cards_of(canvas)[0]
    card.update(x=-7000, y=5000)
    (vault / SPACE_CANVAS).write_text(json.dumps(canvas, indent="\t"), encoding="utf-8")
    site = tmp_path / "site"
    result = run("export", vault, "-o", site, "--today", TODAY.isoformat(), "--jobs", "1")
    assert result.code == 0, result.err
    assert 'href="feeds.html"' in (site / "index.html").read_text(encoding="utf-8")
    page = (site / "feeds.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="mp-feed" href="([^"]+)"', page)
    assert links == ["feeds/milestones.ics", "feeds/kitchen.ics", "feeds/space-x.ics"]
    assert (site / links[0]).read_bytes() == (vault / FEED).read_bytes()
    assert (site / links[2]).read_bytes() == (vault / SPACE_FEED).read_bytes()
    pictures = re.findall(r'<img src="([^"]+)"', page)
    assert pictures == ["feeds/kitchen.svg", "feeds/space-x.svg"]
    svg = ElementTree.fromstring((site / pictures[1]).read_text(encoding="utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    assert not list(svg.iter(f"{ns}script"))
    assert not [e for e in svg.iter() if any(a.startswith("on") for a in e.attrib)]
    rects = {(int(r.get("x", "0")), int(r.get("y", "0"))) for r in svg.iter(f"{ns}rect")}
    assert (-7000, 5000) in rects  # the card where the user put it
    assert len(rects) >= len(canvas["nodes"])


def test_the_site_s_feeds_hold_only_published_milestones(
    make_vault: MakeVault, run: Run, tmp_path: Path
) -> None:
    vault = make_vault({**NOTES, SPACE: "---\npublish: true\n---\n" + NOTES[SPACE]})
    site = tmp_path / "site"
    args = ("-o", site, "--today", TODAY.isoformat(), "--only-published")
    assert run("export", vault, *args).code == 0
    feed = (site / "feeds/milestones.ics").read_bytes()
    assert set(events(feed)) == {
        "Plan review",
        "Seed round closed (overdue, due Q3 2026)",
        "Land on Mars",
    }
    assert not (site / "feeds/kitchen.ics").exists()


def test_a_deleted_feed_comes_back_and_a_lost_manifest_is_no_conflict(
    vault: Path, run: Run
) -> None:
    before = snapshot(vault)
    (vault / SPACE_FEED).unlink()
    (vault / SPACE_CANVAS).unlink()
    result = build(run, vault, "--dry-run")
    assert result.code == 0
    assert result.out.splitlines() == [f"would create {SPACE_FEED}", f"would create {SPACE_CANVAS}"]
    assert build(run, vault, "-q").code == 0
    assert {p: b for p, (b, _) in snapshot(vault).items()} == {p: b for p, (b, _) in before.items()}
    shutil.rmtree(vault / ".milepost")
    result = build(run, vault, "--no-cache")
    assert result.code == 0, result.out
    assert result.err.startswith("0 written, ")
    assert build(run, vault, "--check").code == 0


def test_the_whole_feed_is_every_model_s_events(vault: Path) -> None:
    """The whole vault's feed is made from the per-model feeds' events; made afresh (when a
    per-model feed cannot be read), they are the same bytes."""
    from milepost.feedbuild import events_of, model_events, whole_calendar
    from milepost.feeds.records import of_model

    config = load_config(vault, today=TODAY)
    index = scan(config).index
    parts = [model_events(config, TODAY, of_model(m), m.name) for m in index.models.values()]
    assert parts == [events_of((vault / path).read_bytes()) for path in (KITCHEN_FEED, SPACE_FEED)]
    assert whole_calendar(config, TODAY, parts) == (vault / FEED).read_bytes()


def test_a_renamed_or_moved_milestone_keeps_its_uid_and_its_canvas_node(
    vault: Path, run: Run
) -> None:
    """The feeds take a milestone's identity from the vault's history: a title changed in place
    and a milestone moved to another note keep their calendar UID and canvas node id."""
    feed = (vault / FEED).read_bytes()
    land, seed = (
        uid_of(feed, "Land on Mars"),
        uid_of(feed, "Seed round closed (overdue, due Q3 2026)"),
    )

    def milestone_nodes() -> set[str]:
        canvas = json.loads((vault / SPACE_CANVAS).read_text(encoding="utf-8"))
        return {n["id"] for n in canvas["nodes"] if n["id"].startswith("milestone-")}

    before = milestone_nodes()
    assert len(before) == 3
    note = vault / SPACE
    text = note.read_text(encoding="utf-8").replace("Land on Mars", "Land on Mars at last")
    note.write_text(text.replace("#milestone Seed round closed (expected Q3 2026)\n", ""))
    (vault / "Concepts/Funding.md").write_text(
        "## Examples\n### Space X\n#milestone Seed round closed (expected Q3 2026)\n",
        encoding="utf-8",
    )
    assert build(run, vault, "-q").code == 0
    feed = (vault / FEED).read_bytes()
    assert uid_of(feed, "Land on Mars at last") == land
    assert uid_of(feed, "Seed round closed (overdue, due Q3 2026)") == seed
    assert milestone_nodes() == before


def test_dependencies_reach_the_calendar_and_the_canvas(make_vault: MakeVault, run: Run) -> None:
    vault = make_vault(
        {
            SPACE: "## Examples\n### Space X\n"
            "- [ ] MVP #milestone 📅 2026-04-15 🆔 mvp\n"
            "- [ ] Beta #milestone (expected Q2 2026) ⛔ mvp 🆔 beta\n"
        }
    )
    assert build(run, vault).code == 0
    found = events((vault / FEED).read_bytes())
    mvp = next(e for s, e in found.items() if s.startswith("MVP"))
    beta = next(e for s, e in found.items() if s.startswith("Beta"))
    related = beta.get("related-to")
    assert related is not None and str(related) == str(mvp["uid"])
    assert related.params.get("RELTYPE") == "FINISHTOSTART"
    assert "related-to" not in mvp
    canvas = json.loads((vault / SPACE_CANVAS).read_text(encoding="utf-8"))
    ids = {n["id"] for n in canvas["nodes"]}
    assert any(e["fromNode"] in ids and e["toNode"] in ids for e in canvas["edges"])
