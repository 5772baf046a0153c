"""How a build decides to make a feed again, and how it writes the whole vault's calendar (as it
is assembled, never whole): what a feed shows decides, not the bytes of the notes it is read
from; the guarded writer's rules hold for the streamed file too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest

from milepost import build as build_vault
from milepost import feedwrite, load_config
from milepost.feedbuild import events_of, whole_calendar
from milepost.files import TEMP_SUFFIX
from milepost.manifest_records import Written, digest

from .conftest import TODAY, MakeVault, Result
from .test_outputs import (
    FEED,
    KITCHEN,
    KITCHEN_CANVAS,
    KITCHEN_FEED,
    NOTES,
    SPACE,
    SPACE_CANVAS,
    SPACE_FEED,
    build,
    snapshot,
    strict_lines,
)

Run = Callable[..., Result]
FEEDS = (FEED, SPACE_FEED, KITCHEN_FEED, SPACE_CANVAS, KITCHEN_CANVAS)


@pytest.fixture
def vault(make_vault: MakeVault, run: Run) -> Path:
    root = make_vault(dict(NOTES))
    assert build(run, root).code == 0
    return root


def edit(vault: Path, note: str, old: str, new: str) -> None:
    path = vault / note
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def summaries(data: bytes) -> set[str]:
    strict_lines(data)
    return {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_an_edit_of_prose_makes_no_feed_again(vault: Path, run: Run) -> None:
    before = snapshot(vault)
    edit(vault, SPACE, "## Examples\n", "## Examples\nWhy we go: a sentence of prose.\n")
    feeds_only = load_config(vault, today=TODAY, jobs=1, outputs=("calendar", "canvas", "bases"))
    done = build_vault(feeds_only)
    assert done.rendered == 0  # no feed was even made: what they show did not change
    assert done.count("unchanged") == len(FEEDS) + 1  # and the base
    assert build(run, vault, "-q").code == 0
    after = snapshot(vault)
    for path in FEEDS:
        assert after[path] == before[path], path  # same bytes, same mtime: not written
    # the new fingerprint is recorded: the next build of the same vault writes nothing at all
    again = build(run, vault)
    assert again.code == 0 and again.err.startswith("0 written, ")
    assert snapshot(vault) == after


@pytest.mark.parametrize("block", [feedwrite.BLOCK, 97])
def test_a_date_edit_makes_that_model_s_feeds_and_the_whole_feed_again(
    vault: Path, run: Run, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 97: every feed is larger than a block, so the events are read back block by block
    monkeypatch.setattr(feedwrite, "BLOCK", block)
    before = snapshot(vault)
    edit(vault, KITCHEN, "Mar 2027", "Apr 2027")
    assert build(run, vault, "-q").code == 0
    after = snapshot(vault)
    assert after[KITCHEN_FEED] != before[KITCHEN_FEED]
    assert after[FEED] != before[FEED]
    assert after[SPACE_FEED] == before[SPACE_FEED]
    assert after[SPACE_CANVAS] == before[SPACE_CANVAS]
    whole = (vault / FEED).read_bytes()
    assert "Open the first kitchen (due Apr 2027)" in summaries(whole)
    # the whole feed is the per-model feeds' events under its own header, in model order
    config = load_config(vault, today=TODAY)
    parts = [events_of((vault / p).read_bytes()) for p in (SPACE_FEED, KITCHEN_FEED)]
    assert whole in {
        whole_calendar(config, TODAY, parts),
        whole_calendar(config, TODAY, parts[::-1]),
    }
    assert not list(vault.rglob(f"*{TEMP_SUFFIX}"))


def test_a_dry_run_writes_no_feed(vault: Path, run: Run) -> None:
    edit(vault, KITCHEN, "Mar 2027", "Apr 2027")
    before = snapshot(vault)
    result = build(run, vault, "--dry-run")
    assert result.code == 0
    assert f"would update {FEED}" in result.out
    assert f"would update {KITCHEN_FEED}" in result.out
    assert snapshot(vault) == before
    assert not list(vault.rglob(f"*{TEMP_SUFFIX}"))


def test_the_whole_feed_edited_by_hand_is_kept_and_force_replaces_it(vault: Path, run: Run) -> None:
    feed = vault / FEED
    edited = feed.read_bytes().replace(b"Land on Mars", b"Land on Mars!")
    feed.write_bytes(edited)
    edit(vault, KITCHEN, "Mar 2027", "Apr 2027")
    result = build(run, vault)
    assert result.code == 1
    assert f"conflict {FEED}: edited by hand" in result.out
    assert feed.read_bytes() == edited
    assert not list(vault.rglob(f"*{TEMP_SUFFIX}"))
    assert build(run, vault, "--force", "-q").code == 0
    whole = feed.read_bytes()
    assert b"Land on Mars!" not in whole
    assert "Open the first kitchen (due Apr 2027)" in summaries(whole)


def test_the_whole_feed_never_takes_events_from_a_feed_edited_by_hand(
    vault: Path, run: Run
) -> None:
    space = vault / SPACE_FEED
    space.write_bytes(space.read_bytes().replace(b"Land on Mars", b"Land on Venus"))
    edit(vault, KITCHEN, "Mar 2027", "Apr 2027")
    result = build(run, vault)
    assert f"conflict {SPACE_FEED}: edited by hand" in result.out
    found = summaries((vault / FEED).read_bytes())
    assert "Land on Mars" in found and "Land on Venus" not in found
    assert "Open the first kitchen (due Apr 2027)" in found


@pytest.mark.parametrize("block", [13, 97, 1000, feedwrite.BLOCK])
def test_events_read_back_in_blocks_are_the_feed_s_events(
    vault: Path, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feedwrite, "BLOCK", block)
    for path in (SPACE_FEED, KITCHEN_FEED, FEED):
        data = (vault / path).read_bytes()
        assert len(data) > 1000  # header, review and events span several small blocks
        ours = Written(digest(data), len(data))
        parts = feedwrite.recorded_events(vault / path, ours)
        assert parts is not None
        assert b"".join(parts) == events_of(data) != b""
        assert feedwrite.recorded_events(vault / path, Written(digest(b"other"), 5)) is None
