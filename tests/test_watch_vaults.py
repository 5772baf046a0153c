"""`milepost watch` on an unbuilt vault (every vault's first run) and on a built one: every kind
of change an editor, a sync tool or a person makes, with real file-system events. After each,
the pages are what a fresh build makes, no page was renamed that did not have to be, and the
vault then stays quiet: milepost never answers its own writes."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from milepost import load_config
from milepost.session import Session

from .conftest import SAMPLE_VAULT, TODAY
from .test_watch import Running, wait_for

QUIET = 1.0
"""Seconds of quiet after which nothing in the vault may change any more."""
SPACE_X = "Roadmaps/Models/Roadmap – Space X.md"


def snapshot(vault: Path) -> dict[str, tuple[int, int, int]]:
    """Every file of the vault with its inode, size and mtime (milepost's cache left out)."""
    found = {}
    for folder, _, names in os.walk(vault):
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(vault).as_posix()
            if rel.startswith(".milepost/cache"):
                continue
            try:
                info = path.stat()
            except FileNotFoundError:  # a temp file that was just renamed
                continue
            found[rel] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return found


def pages(vault: Path) -> list[str]:
    return sorted(p.relative_to(vault).as_posix() for p in (vault / "Roadmaps").rglob("*.md"))


def stale(vault: Path) -> list[tuple[str, str, str]]:
    """What a fresh `milepost build --check` would change (nothing when watch kept up)."""
    session = Session(load_config(vault), TODAY, cache=False, read_only=True)
    try:
        result = session.build(dry_run=True)
    finally:
        session.close()
    return [(c.action, c.path, c.what) for c in result.changes if c.action != "unchanged"]


def settled(vault: Path) -> None:
    """Wait until the pages are what a fresh build makes, then check that nothing in the vault
    changes over a quiet second (no build answers milepost's own writes)."""
    wait_for(lambda: not stale(vault))
    before = snapshot(vault)
    deadline = time.monotonic() + 5
    while True:  # the round that wrote the pages may still be saving the manifest
        time.sleep(0.3)
        now = snapshot(vault)
        if now == before or time.monotonic() > deadline:
            break
        before = now
    time.sleep(QUIET)
    assert snapshot(vault) == before
    assert not [p for p in pages(vault) if "(milepost" in p and "Space X" not in p]


@pytest.fixture(params=["unbuilt", "built"])
def vault(request: pytest.FixtureRequest, copy_vault: Callable[[Path], Path]) -> Iterator[Path]:
    copied = copy_vault(SAMPLE_VAULT)
    if request.param == "unbuilt":
        shutil.rmtree(copied / "Roadmaps")
        shutil.rmtree(copied / ".milepost")
    yield copied


def test_every_kind_of_change(vault: Path) -> None:
    concepts = vault / "Concepts"
    with Running(load_config(vault, today=TODAY)) as running:
        settled(vault)
        first = pages(vault)
        # a new note, then an editor's atomic save of it
        probe = concepts / "Probe note.md"
        probe.write_text("# Probe\n\n## Examples\n### Space X\n#milestone Probe (expected 2031)\n")
        wait_for(lambda: "**Probe**" in running.page())
        settled(vault)
        temp = concepts / ".Probe note.md.tmp.77"
        temp.write_text(probe.read_text().replace("Probe (expected", "Probe two (expected"))
        temp.replace(probe)
        wait_for(lambda: "**Probe two**" in running.page())
        settled(vault)
        # a burst of saves
        for number in range(50):
            probe.write_text(
                f"## Examples\n### Space X\n#milestone Save {number} (expected 2030)\n"
            )
        wait_for(lambda: "**Save 49**" in running.page())
        settled(vault)
        # rename, delete, a folder rename
        probe.rename(concepts / "Renamed probe.md")
        wait_for(lambda: "Renamed probe" in running.page())
        settled(vault)
        (concepts / "Renamed probe.md").unlink()
        wait_for(lambda: "Save 49" not in running.page())
        settled(vault)
        (vault / "Concepts").rename(vault / "Ideas")
        wait_for(lambda: "[[Ideas/Milestones" in running.page())
        settled(vault)
        assert pages(vault) == first
        # a note saved with broken YAML, then fixed
        model = vault / "Models/Space X.md"
        good = model.read_bytes()
        model.write_bytes(b"---\naliases: [SpaceX\n---\n" + good.split(b"---\n", 2)[-1])
        wait_for(lambda: not stale(vault))
        model.write_bytes(good)
        settled(vault)
        assert pages(vault) == first
        # a new business model, then a new note
        (vault / "Models/Moon base.md").write_text("---\ntype: business-model\n---\n# Moon base\n")
        wait_for((vault / "Roadmaps/Models/Roadmap – Moon base.md").is_file)
        settled(vault)
        (vault / "Ideas/Lunar.md").write_text(
            "## Examples\n### Moon base\n#milestone First landing (expected 2032)\n"
        )
        wait_for(lambda: "First landing" in running.page("Roadmaps/Models/Roadmap – Moon base.md"))
        settled(vault)
        assert sorted(pages(vault)) == sorted([*first, "Roadmaps/Models/Roadmap – Moon base.md"])
    assert not [o for o in running.outcomes if o.error]


def test_hand_edits_and_names_taken_by_the_user(vault: Path) -> None:
    with Running(load_config(vault, today=TODAY)) as running:
        settled(vault)
        first = pages(vault)
        # a hand edit of a generated page is kept, reported, and does not start a loop
        page = vault / SPACE_X
        edited = page.read_text(encoding="utf-8") + "\nMy own line.\n"
        page.write_text(edited, encoding="utf-8")
        wait_for(lambda: any(o.result and o.result.count("conflict") for o in running.outcomes))
        before = snapshot(vault)
        time.sleep(QUIET)
        assert snapshot(vault) == before
        assert page.read_text(encoding="utf-8") == edited
        page.unlink()  # the user gives up the edit: the page comes back
        wait_for(page.is_file)
        settled(vault)
        assert pages(vault) == first
        # a note of the user's takes a page's name: the page moves aside once, and stays there
        (vault / "Concepts/Roadmap – Space X.md").write_text("# My notes on the roadmap\n")
        aside = "Roadmaps/Models/Roadmap – Space X (milepost).md"
        wait_for(lambda: (vault / aside).is_file() and not page.exists())
        settled(vault)
        assert pages(vault) == sorted([p for p in first if p != SPACE_X] + [aside])
        (vault / "Concepts/Roadmap – Space X.md").unlink()  # the name is free again
        wait_for(lambda: page.is_file() and not (vault / aside).exists())
        settled(vault)
        assert pages(vault) == first
    assert not [o for o in running.outcomes if o.error]
