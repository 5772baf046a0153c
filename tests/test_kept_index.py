"""The index contributions kept between processes: a new process that takes them in makes the
same index and the same pages as a build from nothing, and takes only what still holds."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

import msgspec
import pytest

from milepost import load_config
from milepost.cache import cache_folder
from milepost.index import kept
from milepost.index.kept import FILE
from milepost.index.vault import VaultIndex
from milepost.report import iter_json
from milepost.session import build
from milepost.stamp import clear_stamp

from .conftest import SAMPLE_VAULT, TODAY, MakeVault
from .test_incremental import built_afresh, full_json, generated_pages, mutate


def made_again(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes whose contributions the index makes (not takes from the kept file)."""
    made: list[str] = []
    add = VaultIndex._add

    def counted(self: VaultIndex, path: str) -> None:
        made.append(path)
        add(self, path)

    monkeypatch.setattr(VaultIndex, "_add", counted)
    return made


def built(vault: Path, today: date = TODAY) -> str:
    """A build in a new session (as a new process makes it); the JSON of its index. (The
    stamp is dropped first: a build it answers makes no index.)"""
    config = load_config(vault)
    clear_stamp(config)
    result = build(config, today)
    assert result.index is not None
    return "".join(iter_json(result.index))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_builds_that_take_kept_contributions_equal_a_build_from_nothing(
    seed: int, copy_vault: Callable[[Path], Path], tmp_path: Path
) -> None:
    rng = random.Random(seed)
    vault = copy_vault(SAMPLE_VAULT)
    built(vault)
    folder = cache_folder(load_config(vault))
    assert folder is not None and (folder / FILE).is_file()
    for _ in range(10):  # edits, new notes, deletions, renames, aliases, headings, link targets
        mutate(vault, rng)
        assert built(vault) == full_json(vault)
        assert generated_pages(vault) == built_afresh(vault, tmp_path / "afresh")


def test_one_edited_note_is_the_only_contribution_made_again(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(
        {
            "a.md": "#milestone Open [due:: 2027-01-01]\nSee [[b#Plan]] and [[c]].\n",
            "x/b.md": "# Plan\n#milestone Sign [due:: 2025-01-01]\n",
            "c.md": "#milestone Hire\n",
        }
    )
    built(vault)
    made = made_again(monkeypatch)
    (vault / "c.md").write_text("#milestone Hire a chef\n", encoding="utf-8")
    after = built(vault)
    assert made == ["c.md"]
    assert after == full_json(vault)
    made.clear()
    # a.md links to a heading of x/b.md: a change there is made again in a.md too
    (vault / "x/b.md").write_text("# Plans\n#milestone Sign [due:: 2025-01-01]\n")
    after = built(vault)
    assert made == ["a.md", "x/b.md"]
    assert after == full_json(vault)
    assert "link.heading-missing" in after


def test_a_few_notes_made_again_leave_the_kept_file_as_it_was(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to one note in ``DRIFT`` made again is not worth writing the whole file for: the next
    process makes those notes again, and builds the same; past that the file is written."""
    notes = {f"n{i:03}.md": f"#milestone Step {i} [due:: 2027-01-01]\n" for i in range(250)}
    vault = make_vault(dict(notes))
    built(vault)
    folder = cache_folder(load_config(vault))
    assert folder is not None
    first = (folder / FILE).read_bytes()
    made = made_again(monkeypatch)
    for n in (7, 8):
        (vault / f"n{n:03}.md").write_text(f"#milestone Step {n}, later [due:: 2027-06-01]\n")

    def build_and_check(expected: list[str]) -> None:
        made.clear()
        after = built(vault)
        assert made == expected
        assert after == full_json(vault)

    build_and_check(["n007.md", "n008.md"])
    assert (folder / FILE).read_bytes() == first  # 2 of 250: not written
    build_and_check(["n007.md", "n008.md"])  # made again, from the file as it was
    (vault / "n008.md").write_text(notes["n008.md"], encoding="utf-8")  # as kept: taken again
    build_and_check(["n007.md"])
    assert (folder / FILE).read_bytes() == first
    for name in ("n100.md", "n101.md", "n102.md"):  # 4 of 250: written again
        (vault / name).write_text(f"#milestone {name} moved [due:: 2028-01-01]\n")
    build_and_check(["n007.md", "n100.md", "n101.md", "n102.md"])
    assert (folder / FILE).read_bytes() != first
    build_and_check([])


@pytest.mark.parametrize("change", ["add", "rename", "delete", "double suffix"])
def test_a_file_that_changes_where_links_lead_drops_what_was_kept(
    change: str, make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(
        {
            "a.md": "#milestone Open\nSee [[b]], [[Tools/Gantt]] and [[c.md]].\n",
            "x/b.md": "#milestone Sign\n",
            "Tools/Gantt.md": "# Gantt\n",
            "y/b.md": "# another b\n",
        }
    )
    before = built(vault)
    made = made_again(monkeypatch)
    if change == "add":  # a shorter path: [[b]] now leads to it
        (vault / "b.md").write_text("# b at the root\n", encoding="utf-8")
    elif change == "rename":
        (vault / "Tools/Gantt.md").rename(vault / "Tools/Gantt chart.md")
    elif change == "delete":
        (vault / "y/b.md").unlink()  # [[b]] is no longer ambiguous
    else:  # found by its path less ".md", as Obsidian finds it
        (vault / "c.md.md").write_text("# c\n", encoding="utf-8")
    after = built(vault)
    assert "a.md" in made
    assert after == full_json(vault) != before


def test_another_day_or_a_damaged_file_makes_every_contribution_again(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault({"a.md": "#milestone Open [due:: 2026-11-30]\n", "b.md": "# b\n"})
    built(vault)
    made = made_again(monkeypatch)
    later = TODAY.replace(month=12)
    after = built(vault, later)
    assert sorted(made) == ["a.md", "b.md"]
    assert after == full_json(vault, later)
    assert '"overdue"' in after  # statuses are made for the day
    folder = cache_folder(load_config(vault))
    assert folder is not None
    for damage in (b"", b"\x93\x01", b"not msgpack at all", (folder / FILE).read_bytes()[:-7]):
        made.clear()
        (folder / FILE).write_bytes(damage)
        after = built(vault, later)
        assert "a.md" in made
        assert after == full_json(vault, later)
    assert (folder / FILE).read_bytes()[:1] != b"n"  # written again whole


def test_a_kept_file_with_bytes_changed_anywhere_never_changes_what_is_built(
    make_vault: MakeVault,
) -> None:
    vault = make_vault(
        {
            "a.md": "#milestone Open [due:: 2026-12-01]\nSee [[b#Plan]], [[c]] and [[x]].\n",
            "b.md": "# Plan\n- [ ] #milestone Sign [owner:: Ana] [budget:: 5k]\n",
            "c.md": "---\nbusiness_model: Rocket\n---\n#milestone Hire\n#milestone Hire\n",
        }
    )
    expected = built(vault)
    folder = cache_folder(load_config(vault))
    assert folder is not None
    good = (folder / FILE).read_bytes()
    rng = random.Random(5)
    for _ in range(40):
        damaged = bytearray(good)
        at = rng.randrange(len(damaged))
        damaged[at] = rng.randrange(256)
        (folder / FILE).write_bytes(bytes(damaged))
        assert built(vault) == expected == full_json(vault)


def test_no_cache_keeps_nothing(make_vault: MakeVault) -> None:
    vault = make_vault({"a.md": "#milestone Open\n"})
    config = load_config(vault, cache=False)
    build(config, TODAY)
    folder = cache_folder(load_config(vault))
    assert folder is not None and not (folder / FILE).exists()


@pytest.mark.parametrize("count", [0, 3, 70_000])
def test_the_kept_file_is_written_in_parts_that_read_back_whole(count: int) -> None:
    head = kept._File(kept.FORMAT, "key", ["a.md", "b.md"], ["Roadmaps/x.md"], {})
    notes = [(f"n{n}.md", msgspec.msgpack.encode([n])) for n in range(count)]
    data = b"".join(kept._parts(head, count, iter(notes)))
    found = kept._READ_FILE.decode(data)
    assert (found.format, found.key, found.files, found.owned) == (
        kept.FORMAT,
        "key",
        ["a.md", "b.md"],
        ["Roadmaps/x.md"],
    )
    assert {p: msgspec.msgpack.decode(r) for p, r in found.notes.items()} == {
        p: msgspec.msgpack.decode(d) for p, d in notes
    }
