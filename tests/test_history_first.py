"""A first build's history, made record by record, is what comparing with no history gives."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from milepost import history
from milepost.config import load_config
from milepost.errors import WriteError
from milepost.history import HISTORY_PATH, Log, changes, replay
from milepost.history_first import FirstBatch
from milepost.identity import seen
from milepost.memory import Tracker
from milepost.slips import slip_days, summarise

from .conftest import MakeVault
from .test_first_memory import OTHER, PLAN

TODAY = date(2026, 11, 22)
FILES: dict[str, str | bytes] = {
    "Models/Shop.md": "---\ntype: business-model\n---\n# Shop\n",
    "Plan.md": PLAN,
    "Cafe.md": OTHER,
}


def test_first_batch_is_the_comparison_with_an_empty_state(make_vault: MakeVault) -> None:
    from milepost.reading import scan

    vault = make_vault(FILES)
    config = load_config(vault, today=TODAY, cache=False)
    index = scan(config).index
    entries = [e for m in index.models.values() for e in m.entries]
    looked = [seen(index, e) for e in entries]
    records, found = changes({}, looked, TODAY)
    state = replay(records)
    summaries = summarise(records)
    slip_days(entries, found, summaries)  # as a build sets them

    tracker = Tracker(config, Log())
    memory = tracker.memory(index)
    assert isinstance(memory.pending, FirstBatch)
    made = list(memory.pending)
    assert len(made) == len(records) == 9, "a duplicated id gets a record each time"
    assert [r.line() for r in made] == [r.line() for r in records]
    assert memory.pending[-1].line() == records[-1].line()
    assert [r.line() for r in memory.pending[2:5]] == [r.line() for r in records[2:5]]
    assert list(tracker.state.items()) == list(state.items())  # values and their order
    assert [list(v) for v in tracker.state.values()] == [list(v) for v in state.values()]
    assert {i: s.as_json() for i, s in memory.summaries.items()} == {
        i: s.as_json() for i, s in summaries.items()
    }
    assert all(memory.idents[e.id] == found[e.id] for e in entries)


def test_a_first_build_appends_the_same_lines(make_vault: MakeVault) -> None:
    from milepost.reading import scan

    vault = make_vault(FILES)
    config = load_config(vault, today=TODAY, cache=False)
    index = scan(config).index
    looked = [seen(index, e) for e in (e for m in index.models.values() for e in m.entries)]
    records, _ = changes({}, looked, TODAY)
    expected = "".join(r.line() + "\n" for r in records)

    memory = Tracker(config, Log()).memory(index)
    log = Log()
    written = history.append(config, log, memory.pending)
    data = (vault / HISTORY_PATH).read_text(encoding="utf-8")
    assert data == expected and written == len(data.encode("utf-8"))
    assert log.records == [], "a generated batch is not kept in the log"
    assert len(log.lines) == len(set(expected.splitlines()))
    assert history.append(config, log, memory.pending) == 0, "every line is there already"


def test_an_append_that_fails_halfway_leaves_nothing(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from milepost.reading import scan

    vault = make_vault(FILES)
    config = load_config(vault, today=TODAY, cache=False)
    index = scan(config).index
    memory = Tracker(config, Log()).memory(index)
    (vault / ".milepost").mkdir(exist_ok=True)
    path: Path = vault / HISTORY_PATH
    path.write_text("kept\n", encoding="utf-8")
    monkeypatch.setattr(history, "APPEND_CHUNK", 2)
    real_write = os.write
    calls = []

    def failing(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing)
    with pytest.raises(WriteError, match="the disk is full"):
        history.append(config, Log(), memory.pending)
    assert len(calls) == 3, "the batch was written in chunks"
    assert path.read_text(encoding="utf-8") == "kept\n"


def test_a_one_shot_build_keeps_only_the_summaries_its_pages_show(
    make_vault: MakeVault,
) -> None:
    from milepost.session import Session

    vault = make_vault({**FILES, "Launch.md": "- [ ] #milestone Launch 📅 2027-03-01\n"})
    config = load_config(vault, today=TODAY)
    first = Session(config, TODAY)
    first.build()
    first.close()
    assert first.memory is not None and first.memory.summaries == {}, "nothing slipped yet"

    (vault / "Launch.md").write_text("- [ ] #milestone Launch 📅 2027-06-01\n", encoding="utf-8")
    later = Session(config, date(2026, 11, 23))
    later.build()
    later.close()
    assert later.memory is not None
    assert [s.slips for s in later.memory.summaries.values()] == [1]
    pages = "".join(p.read_text(encoding="utf-8") for p in (vault / "Roadmaps").rglob("*.md"))
    assert "slipped 1×" in pages
