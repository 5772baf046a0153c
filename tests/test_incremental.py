"""Incremental builds equal full builds; the cache makes a new process cheap on a quiet vault."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from milepost import load_config
from milepost.cache import cache_folder
from milepost.index import apply
from milepost.parse import parse_note
from milepost.reading import scan
from milepost.report import iter_json
from milepost.session import Session, build

from .conftest import SAMPLE_VAULT, TODAY, MakeVault


def full_json(vault: Path, today: date = TODAY) -> str:
    """The JSON of the index a session without a cache makes."""
    session = Session(load_config(vault), today, cache=False, lasting=True)
    try:
        session.scan()
        assert session.index is not None
        return "".join(iter_json(session.index))
    finally:
        session.close()


def pages(vault: Path) -> dict[str, bytes]:
    return {p.relative_to(vault).as_posix(): p.read_bytes() for p in sorted(vault.rglob("*.md"))}


def assert_same_as_full_build(session: Session, vault: Path) -> None:
    assert session.index is not None
    assert "".join(iter_json(session.index)) == full_json(vault)
    fresh = Session(load_config(vault), TODAY, cache=False, lasting=True)
    try:
        result = fresh.build(dry_run=True)
    finally:
        fresh.close()
    stale = [(c.action, c.path, c.what) for c in result.changes if c.action != "unchanged"]
    assert stale == []


TITLES = ["Open a shop", "Sign the lease", "Hire a chef", "Reach 100 covers", "Win an award"]
MODELS = ["Space X", "SpaceX", "Underwater restaurant", "Exotic Pets", "New venture", ""]
DATES = ["Q1 2027", "Jun 2025", "2026-12-01", "H2 2027", "TBD"]
TOOLS = ["Gantt Chart", "Nowhere tool", "OKR (Objectives and Key Results)"]


def random_note(rng: random.Random) -> str:
    lines = ["# Generated", "", "## Examples"]
    for _ in range(rng.randint(1, 3)):
        model = rng.choice(MODELS)
        lines.append(f"### {model}")
        for _ in range(rng.randint(0, 3)):
            title = rng.choice(TITLES)
            box = rng.choice(["- [ ] ", "- [x] ", "", "🏁"])
            lines.append(f"{box}#milestone {title} [due:: {rng.choice(DATES)}]")
            if rng.random() < 0.5:
                lines.append("  It matters because it does.")
    if rng.random() < 0.5:
        lines += [
            "",
            "## Tools",
            f"- [[{rng.choice(TOOLS)}]]",
            "  - How.",
        ]
    if rng.random() < 0.3:
        lines += ["", "See [[Milestones#Space X]] and [[Key Activities#Nope]]."]
    return "\n".join(lines) + "\n"


def mutate(vault: Path, rng: random.Random) -> list[str]:
    """One random edit of the kinds editors make; return the paths an event would name."""
    notes = sorted(
        p.relative_to(vault).as_posix()
        for p in vault.rglob("*.md")
        if not p.relative_to(vault).as_posix().startswith("Roadmaps/")
    )
    action = rng.choice(
        ["edit", "edit", "create", "delete", "rename", "model", "heading", "touch", "target"]
    )
    if action == "target":  # a file that links name comes or goes: they resolve elsewhere
        path = rng.choice(["Tools/Nowhere tool.md", "Archive/Gantt Chart.md", "Nowhere tool.md"])
        if (vault / path).exists():
            (vault / path).unlink()
        else:
            (vault / path).parent.mkdir(parents=True, exist_ok=True)
            (vault / path).write_text("# A tool\n", encoding="utf-8")
        return [path]
    if action == "create":
        path = f"Concepts/New {rng.randint(0, 999)}.md"
        (vault / path).write_text(random_note(rng), encoding="utf-8")
        return [path]
    target = rng.choice(notes)
    full = vault / target
    if action == "edit":
        full.write_text(random_note(rng), encoding="utf-8")
        return [target]
    if action == "delete":
        full.unlink()
        return [target]
    if action == "rename":
        new = f"Archive/{full.name}"
        (vault / "Archive").mkdir(exist_ok=True)
        full.rename(vault / new)
        return [target, new]
    if action == "model":
        path = "Models/Space X.md"
        text = (vault / path).read_text(encoding="utf-8")
        alias = rng.choice(["SpaceX", "Space Exploration Technologies", "Rocket Co"])
        text = (
            text.replace("  - SpaceX\n", f"  - {alias}\n")
            if "  - SpaceX\n" in text
            else text.replace(f"  - {alias}\n", "  - SpaceX\n")
        )
        (vault / path).write_text(text, encoding="utf-8")
        return [path]
    if action == "heading":
        path = "Concepts/Milestones.md"
        if (vault / path).exists():
            data = (vault / path).read_bytes()
            data = (
                data.replace(b"### Space X", b"### SpaceX", 1)
                if b"### Space X" in data
                else data.replace(b"### SpaceX", b"### Space X", 1)
            )
            (vault / path).write_bytes(data)
        return [path]
    full.touch()
    return [target]


def generated_pages(vault: Path) -> dict[str, bytes]:
    folder = vault / "Roadmaps"
    return {p.relative_to(vault).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


def built_afresh(vault: Path, elsewhere: Path) -> dict[str, bytes]:
    """The pages a first build of a copy of ``vault`` (no pages, no manifest) writes."""
    if elsewhere.exists():
        shutil.rmtree(elsewhere)
    shutil.copytree(vault, elsewhere, ignore=shutil.ignore_patterns("Roadmaps", ".milepost"))
    session = Session(load_config(elsewhere), TODAY, cache=False)
    try:
        session.build()
    finally:
        session.close()
    return generated_pages(elsewhere)


@pytest.mark.parametrize("start", ["built", "unbuilt"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_random_edit_sequences_equal_a_full_build(
    seed: int, start: str, copy_vault: Callable[[Path], Path], tmp_path: Path
) -> None:
    rng = random.Random(seed)
    vault = copy_vault(SAMPLE_VAULT)
    if start == "unbuilt":
        shutil.rmtree(vault / "Roadmaps")
        shutil.rmtree(vault / ".milepost")
    session = Session(load_config(vault), TODAY, cache=False, lasting=True)
    try:
        session.build()
        for _ in range(12):
            changed = mutate(vault, rng)
            session.update(changed)
            assert_same_as_full_build(session, vault)
            assert generated_pages(vault) == built_afresh(vault, tmp_path / "afresh")
    finally:
        session.close()


def test_a_folder_event_covers_every_file_in_it(copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    session = Session(load_config(vault), TODAY, cache=False, lasting=True)
    try:
        session.build()
        shutil.move(vault / "Concepts", vault / "Ideas")
        session.update(["Concepts", "Ideas"])
        assert_same_as_full_build(session, vault)
        shutil.rmtree(vault / "Ideas")
        session.update(["Ideas"])
        assert_same_as_full_build(session, vault)
        assert not (vault / "Roadmaps/Tools/Tool – Gantt Chart.md").exists()
    finally:
        session.close()


def test_reconcile_catches_changes_no_event_reported(copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    session = Session(load_config(vault), TODAY, cache=False, lasting=True)
    try:
        session.build()
        (vault / "Concepts/Milestones.md").write_bytes(
            (vault / "Concepts/Milestones.md")
            .read_bytes()
            .replace(b"Achievement of profitability", b"Profit")
        )
        (vault / "Plans/Lean plan 2027.md").unlink()
        result = session.reconcile()
        assert {"Concepts/Milestones.md", "Plans/Lean plan 2027.md"} <= set(result.changed)
        assert_same_as_full_build(session, vault)
    finally:
        session.close()


# ----- the cache ---------------------------------------------------------------------------------
def test_a_warm_build_of_an_unchanged_vault_reads_no_note(
    copy_vault: Callable[[Path], Path],
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    config = load_config(vault)
    cold = Session(config, TODAY)
    first = cold.build()
    cold.close()
    assert first.index is not None and first.parsed == len(first.index.notes)
    warm = Session(config, TODAY)
    again = warm.build()
    warm.close()
    assert again.index is None and again.parsed == 0  # answered from the stamp
    assert again.count("unchanged") == first.count("unchanged") + first.count(
        "create"
    ) + first.count("update")
    assert not again.stale


def test_only_changed_notes_are_parsed_again(copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    config = load_config(vault)
    Session(config, TODAY).build()
    note = vault / "Concepts/Revenue Streams.md"
    note.write_bytes(
        note.read_bytes().replace(b"Corporate event package", b"Corporate events package")
    )
    (vault / "Concepts/Key Activities.md").touch()  # new mtime, same bytes
    session = Session(config, TODAY)
    result = session.build()
    session.close()
    assert result.parsed == 2  # the edited one, and the touched one (read to compare its hash)
    assert "Corporate events package" in (
        vault / "Roadmaps/Models/Roadmap – Exotic Pet Rental.md"
    ).read_text(encoding="utf-8")


def test_the_cache_is_dropped_when_parsing_settings_change(
    copy_vault: Callable[[Path], Path],
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    Session(load_config(vault), TODAY).build()
    (vault / "milepost.toml").write_text('today = "2026-11-22"\ntags = ["goal"]\n')
    session = Session(load_config(vault), TODAY)
    result = session.build(dry_run=True)
    session.close()
    assert result.index is not None and result.parsed == len(result.index.notes)
    assert result.index.milestone_count() == 0


def test_a_damaged_cache_is_ignored(copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    Session(load_config(vault), TODAY).build()
    cache = cache_folder(load_config(vault))
    assert cache is not None
    (cache / "notes.sqlite").write_bytes(b"this is not a database")
    (cache / "stamp.json").write_text("{not json")
    session = Session(load_config(vault), TODAY)
    result = session.build()
    session.close()
    assert result.index is not None and not result.stale


def test_dry_run_leaves_no_cache(make_vault: MakeVault) -> None:
    vault = make_vault({"a.md": "#milestone A\n"})
    session = Session(load_config(vault), TODAY, read_only=True)
    session.build(dry_run=True)
    session.close()
    assert not (vault / ".milepost").exists()
    cache = cache_folder(load_config(vault))
    assert cache is not None and not cache.exists()


# ----- an immutable index, and outputs rendered by what they were made from ---------------------
def test_apply_leaves_the_index_it_was_given_alone(copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    config = load_config(vault, today=TODAY)
    index = scan(config, TODAY, cache=False).index
    before = "".join(iter_json(index))
    path = "Concepts/Milestones.md"
    data = (vault / path).read_bytes().replace(b"Achievement of profitability", b"Profit")
    (vault / path).write_bytes(data)
    (vault / "Plans/Lean plan 2027.md").unlink()
    changed = {path: parse_note(path, data, config), "Plans/Lean plan 2027.md": None}
    after, delta = apply(index, changed, files=index.files - {"Plans/Lean plan 2027.md"})
    assert "".join(iter_json(index)) == before
    assert "".join(iter_json(after)) == full_json(vault) != before
    assert delta.models and not delta.everything


def test_a_new_process_renders_only_the_pages_an_edit_reaches(
    copy_vault: Callable[[Path], Path],
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    note = vault / "Plans/Pets.md"
    note.write_text(
        "---\nbusiness_model: Exotic Pet Rental\n---\n#milestone First lease (expected 2027)\n"
    )
    config = load_config(vault, today=TODAY)
    first = build(config, TODAY)
    pages = first.count("create") + first.count("update") + first.count("unchanged")
    note.write_text(
        "---\nbusiness_model: Exotic Pet Rental\n---\n"
        "#milestone First lease signed (expected 2027)\n"
    )
    again = build(config, TODAY)
    updated = sorted(c.path for c in again.changes if c.action == "update")
    assert updated == [
        "Roadmaps/Calendars/Milestones – Exotic Pet Rental.ics",
        "Roadmaps/Canvas/Roadmap – Exotic Pet Rental.canvas",
        "Roadmaps/Milestones.ics",
        "Roadmaps/Models/Roadmap – Exotic Pet Rental.md",
        "Roadmaps/Reviews/Plan review 2026-11.md",
    ]
    # the model's roadmap, the review, the index (whose counts the note feeds) and the portfolio
    # are rendered (the index's and the portfolio's bytes did not change); so are the model's
    # feed and canvas and the whole feed
    assert again.rendered == 7 < pages
    assert again.count("unchanged") == pages - 5
