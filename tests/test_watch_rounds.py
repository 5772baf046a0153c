"""A watching session's rounds take in only what a save changed (history, dependencies, model
fingerprints), and still write what a build from scratch writes."""

from __future__ import annotations

from pathlib import Path

from milepost import load_config
from milepost.cache import cache_folder
from milepost.index import apply
from milepost.memory import remember
from milepost.parse import parse_note
from milepost.planning import planning
from milepost.session import Session
from milepost.session.update import edited_models
from milepost.watching import Watcher
from milepost.watchmemory import WatchMemory

from .conftest import TODAY, MakeVault

ALPHA = "Roadmaps/Models/Roadmap – Alpha.md"
BETA = "Roadmaps/Models/Roadmap – Beta.md"
NOTES: dict[str, str | bytes] = {
    "Notes/A1.md": "# Alpha plan\n\n## Examples\n### Alpha\n"
    "- [ ] #milestone Launch beta 🆔 launch 📅 2027-03-01\n"
    "- [ ] #milestone Hire team 📅 2027-01-15\n",
    "Notes/A2.md": "# Alpha notes\n\n## Examples\n### Alpha\n"
    "- [ ] #milestone Open office 📅 2027-05-01\n  Office prose.\n",
    "Notes/B1.md": "# Beta plan\n\n## Examples\n### Beta\n"
    "- [ ] #milestone Follow launch ⛔ launch 📅 2027-04-01\n"
    "- [ ] #milestone Sign partner 📅 2027-06-01\n",
    "Notes/B2.md": "# Beta notes\n\n## Examples\n### Beta\n"
    "- [ ] #milestone Ship kit 📅 2027-07-01\n",
}


def _save(vault: Path, rel: str, old: str, new: str) -> None:
    path = vault / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def _pages(vault: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted((vault / "Roadmaps").rglob("*"))
        if p.is_file()
    }


def _a_forced_build_keeps(vault: Path) -> dict[str, bytes]:
    """The pages the rounds left; asserts a forced build from scratch leaves them as they are."""
    made = _pages(vault)
    Session(load_config(vault, today=TODAY), cache=False).build(force=True)
    assert _pages(vault) == made
    return made


def _watcher(vault: Path) -> Watcher:
    watcher = Watcher(load_config(vault, today=TODAY))
    watcher.start()
    return watcher


def test_a_save_rewrites_the_pages_it_reaches_and_only_those(make_vault: MakeVault) -> None:
    vault = make_vault(dict(NOTES))
    watcher = _watcher(vault)
    try:
        session = watcher.session
        beta = _stamp(vault / BETA)
        alpha = (vault / ALPHA).read_bytes()
        before = session.index
        assert before is not None
        epoch = session.memory.epoch if isinstance(session.memory, WatchMemory) else None
        _save(vault, "Notes/A2.md", "Open office 📅 2027-05-01", "Open office 📅 2027-09-01")
        outcome = watcher.handle(["Notes/A2.md"])
        assert outcome.error is None
        after = session.index
        assert after is not None and after is not before
        # A2 takes no part in dependencies: the planning is carried over, not computed again
        assert planning(after).schedule is planning(before).schedule
        # the history looked at A2 alone: same epoch, and a slip that Alpha's roadmap shows
        assert isinstance(session.memory, WatchMemory) and session.memory.epoch == epoch
        page = (vault / ALPHA).read_text(encoding="utf-8")
        assert page.encode() != alpha and "2027-09-01" in page and "slipped 1×" in page
        assert _stamp(vault / BETA) == beta, "Beta's fingerprint did not move: not rewritten"
        # what the history says now is what a new process reads from the file
        fresh = remember(after)
        assert fresh.idents == session.memory.idents
        assert {i: (s.slips, s.slip_days) for i, s in fresh.slipped.items()} == {
            i: (s.slips, s.slip_days) for i, s in session.memory.slipped.items()
        }
    finally:
        watcher.close()


def test_a_save_to_a_dependency_reaches_the_other_model(make_vault: MakeVault) -> None:
    vault = make_vault(dict(NOTES))
    watcher = _watcher(vault)
    try:
        before = watcher.session.index
        assert before is not None
        beta = (vault / BETA).read_bytes()
        _save(vault, "Notes/A1.md", "launch 📅 2027-03-01", "launch 📅 2027-05-20")
        watcher.handle(["Notes/A1.md"])
        after = watcher.session.index
        assert after is not None
        assert planning(after).schedule is not planning(before).schedule
        page = (vault / BETA).read_text(encoding="utf-8")
        assert page.encode() != beta and "49 days late" in page, "it waits on Alpha's"
    finally:
        watcher.close()
    _a_forced_build_keeps(vault)


def test_rounds_of_all_kinds_end_where_a_forced_build_starts(make_vault: MakeVault) -> None:
    notes = dict(NOTES)
    notes["Notes/C1.md"] = "# Shared\n\n## Examples\n### Beta\n- [ ] #milestone Twin 🆔 twin\n"
    notes["Notes/C2.md"] = "# Shared too\n\n## Examples\n### Beta\n- [ ] #milestone Twin 🆔 twin\n"
    vault = make_vault(notes)
    watcher = _watcher(vault)
    saves = [
        ("Notes/B2.md", "Ship kit 📅 2027-07-01", "Ship kit 📅 2027-08-01"),
        ("Notes/B2.md", "Ship kit", "Ship the kit"),
        ("Notes/A2.md", "  Office prose.\n", "  Office prose.\n- [ ] #milestone Move in\n"),
        ("Notes/A2.md", "- [ ] #milestone Open office 📅 2027-05-01\n", ""),
        ("Notes/B1.md", "⛔ launch ", ""),
        ("Notes/C1.md", "Twin 🆔 twin", "Twin 🆔 twin 📅 2027-02-01"),  # one identity, two notes
    ]
    try:
        memory = watcher.session.memory
        assert isinstance(memory, WatchMemory)
        epochs = [memory.epoch]
        for rel, old, new in saves:
            _save(vault, rel, old, new)
            outcome = watcher.handle([rel])
            assert outcome.error is None and outcome.result is not None
            memory = watcher.session.memory
            assert isinstance(memory, WatchMemory)
            epochs.append(memory.epoch)
        assert epochs[:-1] == [epochs[0]] * len(saves), "each save looked at its note alone"
        assert epochs[-1] > epochs[0], "a summary two notes share: the whole history again"
        index = watcher.session.index
        assert index is not None
        assert remember(index).idents == memory.idents
    finally:
        watcher.close()
    made = _a_forced_build_keeps(vault)
    assert "Move in" in made[ALPHA].decode() and "Ship the kit" in made[BETA].decode()
    assert len(made) > 5


def test_a_note_that_comes_and_goes_with_a_name_another_has(make_vault: MakeVault) -> None:
    """A second ``A2.md`` changes how the first one's name is shown: kept fingerprints go."""
    vault = make_vault(dict(NOTES))
    watcher = _watcher(vault)
    twin = vault / "Other/A2.md"
    try:
        alpha = (vault / ALPHA).read_bytes()
        twin.parent.mkdir()
        twin.write_text("# Other\n\n## Examples\n### Beta\n- [ ] #milestone Twin step\n", "utf-8")
        assert watcher.handle(["Other/A2.md"]).error is None
        assert (vault / ALPHA).read_bytes() != alpha, "A2 is now shown with its folder"
        assert "Twin step" in (vault / BETA).read_text(encoding="utf-8")
        _a_forced_build_keeps(vault)
        twin.unlink()
        assert watcher.handle(["Other/A2.md"]).error is None
        assert (vault / ALPHA).read_bytes() == alpha
    finally:
        watcher.close()
    _a_forced_build_keeps(vault)


def test_between_saves_the_history_waits_on_the_shelf(make_vault: MakeVault) -> None:
    """After a build a watching session keeps the milestones' history states in the cache's
    snapshot, and their Markdown in the cache's item files, not in memory: a save reads back
    the states of the note it changed alone, and its pages show the same slips a build from
    scratch shows."""
    vault = make_vault(dict(NOTES))
    watcher = _watcher(vault)
    try:
        session = watcher.session
        tracker = session._tracker
        assert tracker is not None and tracker.shelf is not None
        assert tracker.state == {} and tracker.summaries == {}
        folder = cache_folder(session.config)
        assert folder is not None and len(list((folder / "items").glob("*.mp"))) == 2
        assert session.renderer._items == {} and session.renderer.store is None
        _save(vault, "Notes/A2.md", "Open office 📅 2027-05-01", "Open office 📅 2027-09-01")
        assert watcher.handle(["Notes/A2.md"]).error is None
        assert session._tracker is tracker and tracker.shelf is not None
        assert tracker.state == {}, "the round's states went back to the shelf"
        kept = list(tracker.summaries.values())
        assert [s.slips for s in kept] == [1], "only the summary of the one that slipped"
        _save(vault, "Notes/B2.md", "Ship kit 📅 2027-07-01", "Ship kit 📅 2027-08-01")
        assert watcher.handle(["Notes/B2.md"]).error is None
        assert tracker.state == {} and [s.slips for s in tracker.summaries.values()] == [1, 1]
        page = (vault / ALPHA).read_text(encoding="utf-8")
        assert "2027-09-01" in page and "slipped 1×" in page
        assert "slipped 1×" in (vault / BETA).read_text(encoding="utf-8")
        pages = _pages(vault)
    finally:
        watcher.close()
    fresh = Session(load_config(vault, today=TODAY))
    try:
        changes = fresh.build(force=True).changes
        assert changes and {c.action for c in changes} == {"unchanged"}
    finally:
        fresh.close()
    assert _pages(vault) == pages


def test_the_roadmap_of_the_edited_model_is_written_first(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Notes/A.md": "# Alpha plan\n\n## Examples\n### Alpha\n"
            "- [ ] #milestone Open shop ⛔ kit 📅 2027-08-01\n",
            "Notes/B.md": "# Beta plan\n\n## Examples\n### Beta\n"
            "- [ ] #milestone Ship kit 🆔 kit 📅 2027-07-01\n",
        }
    )
    watcher = _watcher(vault)
    try:
        alpha = (vault / ALPHA).read_bytes()
        _save(vault, "Notes/B.md", "🆔 kit 📅 2027-07-01", "🆔 kit 📅 2027-09-01")
        outcome = watcher.handle(["Notes/B.md"])
        assert outcome.result is not None
        written = [c.path for c in outcome.result.changes if c.action == "update"]
        # Alpha's page moved too (its milestone now waits on the kit), but Beta's milestone is
        # the one the save edited: its roadmap comes first, though Alpha's comes first by path
        assert (vault / ALPHA).read_bytes() != alpha
        assert written.index(BETA) < written.index(ALPHA)
        assert sorted(written).index(ALPHA) < sorted(written).index(BETA)
    finally:
        watcher.close()
    _a_forced_build_keeps(vault)


def test_edited_models_leave_out_milestones_that_only_moved(make_vault: MakeVault) -> None:
    note = (
        "# Plan\n\n## Examples\n### Beta\n- [ ] #milestone Ship kit [[Supplier]] ⛔ hire "
        "📅 2027-07-01\n### Alpha\n- [ ] #milestone Hire team 🆔 hire 📅 2027-05-01\n"
    )
    vault = make_vault({"Notes/P.md": note})
    session = Session(load_config(vault, today=TODAY))
    session.build()
    before = session.index
    assert before is not None

    def edited(text: str) -> frozenset[str]:
        changed = {"Notes/P.md": parse_note("Notes/P.md", text.encode(), session.config)}
        after, _ = apply(before, changed)
        return edited_models(before, after, changed)

    assert edited("\n\n" + note) == frozenset(), "every line moved, nothing else changed"
    assert edited(note.replace("Ship kit [[Supplier]]", "Ship kit\n\n[[Supplier]]")) == {"beta"}
    assert edited(note.replace("2027-05-01", "2027-06-01")) == {"alpha"}
    assert edited(note.replace("- [ ] #milestone Hire team", "- [x] #milestone Hire team")) == {
        "alpha"
    }
    assert edited(note.split("### Alpha", maxsplit=1)[0]) == {"alpha"}
