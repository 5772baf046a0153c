"""The parse cache: data read back by a typed decoder, kept outside the vault, per vault."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from milepost import load_config
from milepost.cache import NoteCache, cache_folder, decode_note, encode_note
from milepost.discover import discover
from milepost.reading import read_note
from milepost.session import Session

from .conftest import SAMPLE_VAULT, TODAY, MakeVault, Result

Run = Callable[..., Result]
TODAY_ARGS = ("--today", TODAY.isoformat())


def test_every_note_of_the_sample_vault_comes_back_equal(
    copy_vault: Callable[[Path], Path],
) -> None:
    config = load_config(copy_vault(SAMPLE_VAULT))
    for file in discover(config).notes:
        note, _ = read_note(config.vault, file.path, config)
        blob = encode_note(note)
        assert blob is not None, file.path
        assert decode_note(blob) == note


@pytest.mark.parametrize(
    "front",
    [
        "tags: !!set {a, b}",
        "blob: !!binary aGVsbG8=",
        "pairs: !!omap [{a: 1}, {b: 2}]",
        "big: 123456789012345678901234567890",
    ],
)
def test_a_note_data_cannot_carry_exactly_is_parsed_again_not_changed(
    front: str, make_vault: MakeVault, run: Run
) -> None:
    vault = make_vault({"Odd.md": f"---\n{front}\n---\n#milestone Odd one\n", "a.md": "[[Odd]]\n"})
    note, _ = read_note(vault, "Odd.md", load_config(vault))
    assert encode_note(note) is None
    first = run("index", vault, "--json", *TODAY_ARGS, "-q")
    second = run("index", vault, "--json", *TODAY_ARGS, "-q")
    assert first.code == second.code == 0
    assert first.out == second.out
    session = Session(load_config(vault), TODAY)
    try:
        assert session.scan().parsed == 1  # only the odd one; a.md came from the cache
    finally:
        session.close()


@pytest.mark.parametrize(
    "blob",
    [
        b"\x80\x04\x95\x00",  # the start of a pickle
        b"\xc1",  # never used in MessagePack
        json.dumps({"path": "a.md", "milestones": "not a list"}).encode(),
        b"\x81\xa4path\xa4b.md",  # a note, but of another path
        b"\x82\xa4path\xa4a.md\xabfrontmatter\x81\xa1x\xc7\x01\x05\x00",  # an extension type
    ],
)
def test_a_row_that_is_not_a_note_is_a_cache_miss(
    blob: bytes, make_vault: MakeVault, run: Run
) -> None:
    vault = make_vault({"a.md": "#milestone A\n"})
    expected = run("index", vault, "--json", *TODAY_ARGS, "-q").out
    folder = cache_folder(load_config(vault))
    assert folder is not None
    with sqlite3.connect(folder / "notes.sqlite") as db:
        assert db.execute("UPDATE notes SET note = ? WHERE path = 'a.md'", (blob,)).rowcount == 1
    db.close()
    again = run("index", vault, "--json", *TODAY_ARGS, "-q")
    assert again.code == 0 and again.out == expected


def test_the_cache_is_in_the_user_cache_folder_by_default(
    make_vault: MakeVault, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MILEPOST_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    vault = make_vault({"a.md": "#milestone A\n"})
    assert run("build", vault, *TODAY_ARGS).code == 0
    folders = list((tmp_path / "xdg" / "milepost" / "vaults").iterdir())
    assert len(folders) == 1
    assert {p.name for p in folders[0].iterdir()} >= {"notes.sqlite", "stamp.json"}
    assert folders[0].stat().st_mode & 0o077 == 0  # note text is for this user alone
    assert sorted(p.name for p in (vault / ".milepost").iterdir()) == [
        "history.jsonl",
        "lock",
        "manifest.json",
    ]


def test_cache_dir_wins_over_the_environment(
    make_vault: MakeVault, run: Run, tmp_path: Path, cache_root: Path
) -> None:
    vault = make_vault({"a.md": "#milestone A\n"})
    chosen = tmp_path / "chosen"
    assert run("index", vault, "--cache-dir", chosen, *TODAY_ARGS, "-q").code == 0
    assert len(list((chosen / "vaults").iterdir())) == 1
    assert not (cache_root / "vaults").exists()
    assert run("index", vault, *TODAY_ARGS, "-q").code == 0
    assert len(list((cache_root / "vaults").iterdir())) == 1


def test_no_cache_reads_and_writes_no_cache(
    make_vault: MakeVault, run: Run, cache_root: Path
) -> None:
    vault = make_vault({"a.md": "#milestone A\n"})
    assert run("build", vault, "--no-cache", *TODAY_ARGS).code == 0
    assert list(cache_root.iterdir()) == []
    assert run("build", vault, *TODAY_ARGS).code == 0  # makes the cache ...
    (vault / "a.md").write_text("#milestone B\n")
    os.utime(vault / "a.md", ns=(1, 1))
    folder = cache_folder(load_config(vault))
    assert folder is not None
    with sqlite3.connect(folder / "notes.sqlite") as db:  # ... which now says a.md is A
        db.execute("UPDATE notes SET size = ?, mtime = 1", ((vault / "a.md").stat().st_size,))
    db.close()
    (folder / "stamp.json").unlink()
    cached = run("index", vault, "--json", *TODAY_ARGS, "-q")
    assert '"title": "A"' in cached.out  # the cache is believed (same size and mtime) ...
    index = run("index", vault, "--no-cache", "--json", *TODAY_ARGS, "-q")
    assert '"title": "B"' in index.out  # ... unless told not to read it


def test_each_vault_has_its_own_folder(make_vault: MakeVault, tmp_path: Path) -> None:
    one = make_vault({"a.md": "x\n"})
    two = tmp_path / "two"
    two.mkdir()
    link = tmp_path / "link"
    link.symlink_to(one)
    folders = {cache_folder(load_config(p)) for p in (one, two, link)}
    assert len(folders) == 2  # the symlink is the same vault as its target


def test_a_cache_folder_that_cannot_be_made_only_costs_speed(
    make_vault: MakeVault, run: Run, tmp_path: Path
) -> None:
    vault = make_vault({"a.md": "#milestone A\n"})
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache root should be\n")
    result = run("build", vault, "--cache-dir", blocker / "cache", *TODAY_ARGS)
    assert result.code == 0 and "created Roadmaps/Milestone index.md" in result.out
    assert result.err.count("\n") == 1  # the summary line only
    cache = NoteCache(load_config(vault, cache_dir=blocker / "cache"))
    assert cache.db is None and cache.load(["a.md"]) == {}
    cache.close()
