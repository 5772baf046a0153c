"""With no history yet, ``remember`` answers as a first build would, without its records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from milepost.config import load_config
from milepost.history import Log
from milepost.index import VaultIndex
from milepost.memory import Memory, Tracker, first_memory, remember
from milepost.reading import scan
from milepost.report import iter_json

from .conftest import MakeVault

TODAY = date(2026, 11, 22)

PLAN = """---
business_model: Shop
---
# Plan

## Launch

- #milestone Open the shop due:: 2027-03 owner:: Ana
- #milestone Hire a baker 📅 2027-01-15 [id:: baker]
- #milestone Second baker 📅 2027-06-30 [id:: baker]
- #milestone First baker again [id:: baker]
- #milestone No date yet
- #milestone Sell online due:: Q3 2027 [id:: web]
- #milestone Done already due:: 2026-10 (achieved 2026-10-02)
"""

OTHER = """---
business_model: Cafe
---
# Cafe

- #milestone Lease signed due:: 2027 [id:: web]
- #milestone Espresso machine due:: 2027-02-01
"""


def both(vault: Path) -> tuple[Memory, Memory, VaultIndex]:
    config = load_config(vault, today=TODAY, cache=False)
    index = scan(config).index
    compared = Tracker(config, Log()).memory(index)
    return first_memory(index, Log()), compared, index


def test_first_memory_is_what_comparing_with_an_empty_history_gives(
    make_vault: MakeVault,
) -> None:
    vault = make_vault(
        {
            "Models/Shop.md": "---\ntype: business-model\n---\n# Shop\n",
            "Plan.md": PLAN,
            "Cafe.md": OTHER,
        }
    )
    fast, compared, index = both(vault)
    entries = [e for m in index.models.values() for e in m.entries]
    assert len(entries) == 9
    assert compared.pending, "comparing with an empty history records every milestone"
    assert fast.idents == compared.idents
    assert fast.summaries.keys() == compared.summaries.keys()
    for ident, summary in compared.summaries.items():
        mine = fast.summaries[ident]
        assert mine.as_json() == summary.as_json(), ident
        assert (mine.slips, mine.slip_days, mine.slipped) == (
            summary.slips,
            summary.slip_days,
            summary.slipped,
        ), ident
    # a duplicated stated id: the later milestone's slip from the first one's due date shows
    assert any(s.slip_days for s in compared.summaries.values())
    assert "".join(iter_json(index, fast)) == "".join(iter_json(index, compared))


def test_remember_takes_the_history_when_there_is_one(make_vault: MakeVault) -> None:
    vault = make_vault({"Cafe.md": OTHER})
    config = load_config(vault, today=TODAY, cache=False)
    index = scan(config).index
    first = remember(index, Log())
    assert first.pending == [] and len(first.summaries) == 2
    recorded = Tracker(config, Log()).memory(index).pending
    log = Log(records=list(recorded))
    again = remember(index, log)
    assert again.pending == [], "nothing changed since the records"
    assert {i: s.as_json() for i, s in again.summaries.items()} == {
        i: s.as_json() for i, s in first.summaries.items()
    }
