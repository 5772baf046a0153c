"""A save that lands in the moments of a region fill's exchange: milepost swaps its file in, looks
at what it took out, and puts the user's file back when they wrote to it. A save made to
milepost's file just before it is put back is kept too (appended: added to the user's file; a
whole new save: it is the newest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from milepost import files

EXPECT = b"# Note\n\n%% milepost:begin x %%\n%% milepost:end %%\n"
NEW = b"# Note\n\n%% milepost:begin x %%\nfilled\n%% milepost:end %%\n"


def _exchanging(monkeypatch: pytest.MonkeyPatch, before: dict[int, Callable[[], None]]) -> None:
    """Run ``before[n]`` just before the n-th exchange (counted from 1)."""
    real = files._EXCHANGE
    if real is None:
        pytest.skip("this platform cannot exchange two files atomically")
    calls = [0]

    def exchange(a: Path, b: Path) -> bool:
        calls[0] += 1
        step = before.get(calls[0])
        if step is not None:
            step()
        return real(a, b)

    monkeypatch.setattr(files, "_EXCHANGE", exchange)


def _append(path: Path, data: bytes) -> Callable[[], None]:
    def step() -> None:
        with path.open("ab") as handle:
            handle.write(data)

    return step


def _replace(path: Path, data: bytes) -> Callable[[], None]:
    def step() -> None:
        temp = path.with_name(".editor.tmp")
        temp.write_bytes(data)
        temp.replace(path)

    return step


def _no_temp_left(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == ["Note.md"]


def test_a_swap_with_no_save_in_between_writes_milepost_s_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "Note.md"
    note.write_bytes(EXPECT)
    _exchanging(monkeypatch, {})
    assert files.swap(note, EXPECT, NEW) is None
    assert note.read_bytes() == NEW
    _no_temp_left(tmp_path)


def test_an_append_to_the_user_s_file_before_the_exchange_is_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "Note.md"
    note.write_bytes(EXPECT)
    _exchanging(monkeypatch, {1: _append(note, b"- first\n")})
    assert files.swap(note, EXPECT, NEW) == (EXPECT + b"- first\n",) * 2
    assert note.read_bytes() == EXPECT + b"- first\n"
    _no_temp_left(tmp_path)


def test_an_append_to_milepost_s_file_just_before_it_is_put_back_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "Note.md"
    note.write_bytes(EXPECT)
    _exchanging(monkeypatch, {1: _append(note, b"- first\n"), 2: _append(note, b"- second\n")})
    user = EXPECT + b"- first\n- second\n"
    assert files.swap(note, EXPECT, NEW) == (user, user)
    assert note.read_bytes() == user
    _no_temp_left(tmp_path)


def test_a_whole_save_onto_milepost_s_file_just_before_it_is_put_back_is_the_newest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "Note.md"
    note.write_bytes(EXPECT)
    newest = b"# Note\n\nrewritten from milepost's text\n"
    _exchanging(monkeypatch, {1: _append(note, b"- first\n"), 2: _replace(note, newest)})
    assert files.swap(note, EXPECT, NEW) == (newest, newest)
    assert note.read_bytes() == newest
    _no_temp_left(tmp_path)
