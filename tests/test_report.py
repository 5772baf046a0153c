"""The JSON index: each milestone line is exactly what the JSON encoder makes of it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milepost import load_config, scan
from milepost.index import Entry
from milepost.memory import Memory
from milepost.model import Budget, Milestone, Period, Priority
from milepost.report import _with_history, entry_json, entry_text

from .conftest import CORPORA, FIXTURE_VAULTS, SAMPLE_VAULT, TODAY, needs_shared


def entries_of(vault: Path) -> list[Entry]:
    index = scan(load_config(vault, today=TODAY)).index
    return [entry for model in index.models.values() for entry in model.entries]


def expected(entry: Entry) -> str:
    return json.dumps(entry_json(entry), ensure_ascii=False)


@pytest.mark.parametrize("vault", [SAMPLE_VAULT, *sorted(FIXTURE_VAULTS.iterdir())], ids=str)
def test_every_milestone_of_the_sample_and_fixture_vaults(vault: Path) -> None:
    for entry in entries_of(vault):
        assert entry_text(entry) == expected(entry)


@needs_shared
@pytest.mark.slow
def test_every_milestone_of_the_synthetic_corpus() -> None:
    entries = entries_of(CORPORA / "synthetic-300")
    assert len(entries) > 1000
    for entry in entries:
        assert entry_text(entry) == expected(entry)


TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
PERIOD = st.sampled_from([None, Period("Q3 2027", date(2027, 7, 1), date(2027, 9, 30), "quarter")])


@settings(max_examples=300, deadline=None)
@given(
    title=TEXT,
    description=TEXT,
    owner=st.none() | TEXT,
    heading=st.none() | TEXT,
    due=PERIOD,
    amount=st.none() | st.integers(-(10**12), 10**12) | st.floats(0, 1e9, allow_nan=False),
    currency=st.none() | TEXT,
    every=st.sampled_from([None, "month", "year"]),
    fields=st.lists(st.tuples(TEXT, TEXT), max_size=3),
    priority=st.sampled_from([None, "highest", "high", "medium", "low", "lowest"]),
    recurrence=st.none() | TEXT,
    created=PERIOD,
    scheduled=PERIOD,
)
def test_any_text_is_written_as_the_encoder_would(
    *,
    title: str,
    description: str,
    owner: str | None,
    heading: str | None,
    due: Period | None,
    amount: float | None,
    currency: str | None,
    every: str | None,
    fields: list[tuple[str, str]],
    priority: Priority | None,
    recurrence: str | None,
    created: Period | None,
    scheduled: Period | None,
) -> None:
    budget = Budget("$x", amount, currency, every) if amount is not None else None
    milestone = Milestone(
        title=title,
        description=description,
        line=7,
        heading=heading,
        model=None,
        status="planned",
        due=due,
        owner=owner,
        budget=budget,
        kind="assumption",
        fields=tuple(fields),
        priority=priority,
        recurrence=recurrence,
        created=created,
        scheduled=scheduled,
    )
    entry = Entry(
        "0123456789ab",
        "Notes/A “quoted” path.md",
        milestone,
        "key",
        "Key",
        "planned",
        milestone.missing(),
    )
    assert entry_text(entry) == expected(entry)
    with_history = json.dumps({**entry_json(entry), "history": None}, ensure_ascii=False)
    assert _with_history(entry, Memory()) == with_history


def test_tasks_priority_recurrence_created_and_scheduled(tmp_path: Path) -> None:
    """Read from Tasks emoji and Dataview fields, written by both JSON writers alike."""
    (tmp_path / "Plan.md").write_text(
        "- [ ] #milestone Close the books 🔁 every month when done ⏫ ➕ 2026-01-02 "
        "⏳ 2026-01-05 📅 2026-01-31\n"
        "- [ ] #milestone Audit [priority:: lowest] [repeat:: every year] [created:: 2026-02-01]"
        " 🛫 2026-02-02 ⏳ 2026-02-10\n"
        "- [ ] #milestone Plain\n",
        encoding="utf-8",
    )
    entries = entries_of(tmp_path)
    got = [json.loads(entry_text(entry)) for entry in entries]
    assert got == [json.loads(expected(entry)) for entry in entries]
    shown = [
        (
            m["priority"],
            m["recurrence"],
            m["created"] and m["created"]["start"],
            m["scheduled"] and m["scheduled"]["start"],
            m["start"] and m["start"]["start"],
        )
        for m in got
    ]
    assert shown == [
        ("high", "every month when done", "2026-01-02", "2026-01-05", "2026-01-05"),
        ("lowest", "every year", "2026-02-01", "2026-02-10", "2026-02-02"),
        (None, None, None, None, None),
    ]
    assert [entry.milestone.title for entry in entries] == ["Close the books", "Audit", "Plain"]
