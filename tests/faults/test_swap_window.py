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


NEWEST = b"# Note\n\nrewritten from milepost's text\n"
"""A whole save an editor makes from milepost's text (not an append to it)."""


@pytest.mark.parametrize(
    ("saves", "kept"),
    [
        # an append to the user's file before the exchange: the user's file is put back
        ({1: ("append", b"- first\n")}, EXPECT + b"- first\n"),
        # and an append to milepost's file just before it is put back: added to the user's
        (
            {1: ("append", b"- first\n"), 2: ("append", b"- second\n")},
            EXPECT + b"- first\n- second\n",
        ),
        # a whole save onto milepost's file just before it is put back: it is the newest
        ({1: ("append", b"- first\n"), 2: ("replace", NEWEST)}, NEWEST),
    ],
    ids=["user-file", "append-to-milepost-s", "whole-save-to-milepost-s"],
)
def test_a_save_landing_at_an_exchange_is_kept(
    saves: dict[int, tuple[str, bytes]],
    kept: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    note = tmp_path / "Note.md"
    note.write_bytes(EXPECT)
    make = {"append": _append, "replace": _replace}
    _exchanging(monkeypatch, {n: make[kind](note, data) for n, (kind, data) in saves.items()})
    assert files.swap(note, EXPECT, NEW) == (kept, kept)
    assert note.read_bytes() == kept
    _no_temp_left(tmp_path)
