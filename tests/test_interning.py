"""Notes read back from the cache share one object per repeated value, and equal the notes
parsed from their files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from milepost import load_config
from milepost.cache import NoteCache
from milepost.discover import discover
from milepost.reading import read_note, read_notes

from .conftest import SAMPLE_VAULT, MakeVault


def test_cached_notes_equal_parsed_ones(copy_vault: Callable[[Path], Path]) -> None:
    config = load_config(copy_vault(SAMPLE_VAULT))
    files = discover(config).notes
    cache = NoteCache(config)
    try:
        parsed, _, count = read_notes(config, files, cache)
        assert count == len(files) > 0
        cached, _, count = read_notes(config, files, cache)
        assert count == 0
    finally:
        cache.close()
    assert cached == parsed
    for file in files:
        assert cached[file.path] == read_note(config.vault, file.path, config)[0]


def test_repeated_values_are_one_object(make_vault: MakeVault) -> None:
    item = "- #milestone {} (expected Q3 2026) [owner:: Ana] [budget:: 5k USD]\n"
    vault = make_vault(
        {
            f"{name}.md": f"---\nbusiness_model: Shop\n---\n# {name}\n\n## Plan\n\n"
            + item.format(f"{name} one")
            + item.format(f"{name} two")
            for name in ("A", "B")
        }
    )
    config = load_config(vault)
    files = discover(config).notes
    cache = NoteCache(config)
    try:
        read_notes(config, files, cache)
        notes, _, count = read_notes(config, files, cache)
    finally:
        cache.close()
    assert count == 0
    milestones = [m for path in ("A.md", "B.md") for m in notes[path].milestones]
    assert len(milestones) == 4
    first = milestones[0]
    assert first.due is not None and first.due.text == "Q3 2026" and first.owner == "Ana"
    for other in milestones[1:]:
        assert other.tag is first.tag
        assert other.model is first.model
        assert other.owner is first.owner
        assert other.heading is first.heading
        assert other.due is first.due
        assert other.budget is first.budget
        assert other.status is first.status  # a literal: one object as decoded
        assert other.due is not None and other.due.precision is first.due.precision
    assert notes["A.md"].tags[0].name is notes["B.md"].tags[0].name


@pytest.mark.parametrize(("jobs", "cached"), [(1, True), (2, True), (1, False)])
def test_notes_parsed_now_share_values(make_vault: MakeVault, jobs: int, cached: bool) -> None:
    """Notes parsed in this run (here, or in a worker and sent back) share values as they
    arrive, with or without a cache."""
    item = "- #milestone {} (expected Q3 2026) [owner:: Ana] [budget:: 5k USD]\n"
    names = [f"N{i}" for i in range(6)]
    vault = make_vault(
        {
            f"{name}.md": f"---\nbusiness_model: Shop\n---\n# {name}\n\n## Plan\n\n"
            + item.format(f"{name} one")
            for name in names
        }
    )
    config = load_config(vault, jobs=jobs)
    files = discover(config).notes
    cache = NoteCache(config) if cached else None
    try:
        notes, _, count = read_notes(config, files, cache)
    finally:
        if cache is not None:
            cache.close()
    assert count == len(names)
    milestones = [notes[f"{name}.md"].milestones[0] for name in names]
    first = milestones[0]
    assert first.owner == "Ana" and first.due is not None and first.due.text == "Q3 2026"
    for other in milestones[1:]:
        assert other.owner is first.owner
        assert other.model is first.model
        assert other.due is first.due
        assert other.budget is first.budget
    assert notes["N1.md"].tags[0].name is notes["N5.md"].tags[0].name
