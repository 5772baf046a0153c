"""The parse cache is data outside the vault: a poisoned cache runs nothing, and reading
commands leave the vault exactly as it was."""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from milepost import load_config
from milepost.cache import cache_folder

from ..conftest import SAMPLE_VAULT, MakeVault
from .conftest import args, changes, milepost, payload, snapshot


class Payload:
    """Unpickling this runs a shell command."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (self.command,)


def test_a_pickle_in_the_cache_runs_nothing(
    make_vault: MakeVault, tmp_path: Path, outside: Path
) -> None:
    vault = make_vault({"a.md": "#milestone A\ndue:: 2027-01-01\n", "b.md": "[[a]]\n"})
    first = milepost("index", vault, *args("--json", "-q"))
    assert first.code == 0
    marker = outside / "PWNED"
    folder = cache_folder(load_config(vault))
    assert folder is not None and (folder / "notes.sqlite").is_file()
    blob = pickle.dumps(Payload(payload(marker)))
    with sqlite3.connect(folder / "notes.sqlite") as db:
        assert db.execute("UPDATE notes SET note = ?", (blob,)).rowcount == 2
    db.close()
    again = milepost("index", vault, *args("--json", "-q"))
    assert again.code == 0 and again.out == first.out
    assert not marker.exists()


def test_no_cache_row_is_a_pickle(make_vault: MakeVault) -> None:
    vault = make_vault({"a.md": "---\ntags: [x]\n---\n#milestone A\n"})
    assert milepost("build", vault, *args("--jobs", "2")).code == 0
    folder = cache_folder(load_config(vault))
    assert folder is not None
    with sqlite3.connect(folder / "notes.sqlite") as db:
        blobs = [row[0] for row in db.execute("SELECT note FROM notes")]
    db.close()
    assert blobs and not any(b.startswith(b"\x80") for b in blobs)  # pickles start with PROTO


@pytest.mark.parametrize(
    "command",
    [
        ("index", "--json"),
        ("check",),
        ("check", "--strict"),
        ("export", "-o", "{site}"),
        ("build", "--dry-run"),
        ("build", "--check"),
    ],
)
def test_reading_commands_change_nothing_in_the_vault(
    command: tuple[str, ...],
    copy_vault: Callable[[Path], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MILEPOST_CACHE_DIR")  # the default place, under a temp home
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    vault = copy_vault(SAMPLE_VAULT)
    before = snapshot(vault)
    site = tmp_path / "site"
    filled = [part.replace("{site}", str(site)) for part in command]
    for _ in range(2):  # cold, then with a cache
        done = milepost(filled[0], vault, *args(*filled[1:]))
        assert done.code in (0, 1), done.err
        assert changes(before, snapshot(vault)) == []
    if command[0] != "build":  # a dry run or a check reads the cache but never writes it
        assert list((tmp_path / "xdg" / "milepost" / "vaults").iterdir())
