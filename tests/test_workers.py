"""Work shared with worker processes: every chunk is done exactly once, whatever the timing."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from milepost.workers import share, starting


def square_all(chunk: list[int]) -> list[tuple[int, int, int]]:
    return [(n, n * n, os.getpid()) for n in chunk]


@pytest.fixture
def slow_polling(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make every look at an unfinished future slow, so futures finish between two looks."""
    original = Future.done

    def done(self: Future[object]) -> bool:
        answer = original(self)
        if not answer:
            time.sleep(0.005)
        return answer

    monkeypatch.setattr(Future, "done", done)
    yield


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_every_chunk_is_done_once(workers: int, slow_polling: None) -> None:
    chunks = [list(range(start, start + 3)) for start in range(0, 300, 3)]
    seen: list[tuple[int, int, int]] = []
    share(
        chunks,
        lambda chunk: seen.extend(square_all(chunk)),
        square_all,
        seen.extend,
        workers=workers,
        context=starting(),
    )
    assert sorted(n for n, _, _ in seen) == list(range(300))
    assert all(square == n * n for n, square, _ in seen)
    if workers:
        assert {pid for _, _, pid in seen} - {os.getpid()}, "no worker did any chunk"


def test_a_failing_chunk_fails_the_whole_run() -> None:
    with pytest.raises(ZeroDivisionError):
        share(
            [[1], [0], [2]],
            lambda chunk: _ignore(_inverse(chunk)),
            _inverse,
            _ignore,
            workers=1,
            context=starting(),
        )


def _inverse(chunk: list[int]) -> list[float]:
    return [1 / n for n in chunk]


def _ignore(_result: list[float]) -> None:
    """Nothing to take in: the run must fail first."""
