"""Page workers as plain child processes: every chunk is done exactly once, a worker's error is
raised in the exporting process, and a worker that dies fails the run instead of hanging it."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from milepost.site.pageworkers import share_with_workers

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers import this module's functions by name, from the repository's root."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))


def square_all(chunk: list[int]) -> list[tuple[int, int, int]]:
    time.sleep(0.002)
    return [(n, n * n, os.getpid()) for n in chunk]


def inverse(chunk: list[int]) -> list[float]:
    return [1 / n for n in chunk]


def die_on_zero(chunk: list[int]) -> list[int]:
    if 0 in chunk:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return chunk


def _children() -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.extend(int(p) for p in (task / "children").read_text().split())
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_every_chunk_is_done_once(workers: int) -> None:
    chunks = [list(range(start, start + 3)) for start in range(0, 300, 3)]
    seen: list[tuple[int, int, int]] = []

    def meanwhile() -> None:
        time.sleep(0.3)  # the workers start and take chunks meanwhile

    def here(chunk: list[int]) -> None:
        seen.extend(square_all(chunk))

    share_with_workers(
        chunks,
        here,
        square_all,
        seen.extend,
        workers=workers,
        meanwhile=meanwhile,
    )
    assert sorted(n for n, _, _ in seen) == list(range(300))
    assert all(square == n * n for n, square, _ in seen)
    pids = {pid for _, _, pid in seen} - {os.getpid()}
    assert pids, "no worker did any chunk"
    assert len(pids) <= workers
    if Path("/proc").is_dir():
        assert not set(_children()) & pids, "a worker outlived the run"


def test_an_error_in_a_worker_is_raised_here() -> None:
    with pytest.raises(ZeroDivisionError):
        share_with_workers(
            [[1], [0], [2]],
            lambda _chunk: time.sleep(1),  # the worker gets to the failing chunk first
            inverse,
            lambda _result: None,
            workers=1,
        )


def test_a_worker_that_dies_fails_the_run_without_hanging() -> None:
    started = time.monotonic()
    with pytest.raises(BrokenProcessPool):
        share_with_workers(
            [[1], [0], [2], [3], [4], [5]],
            lambda _chunk: time.sleep(0.5),
            die_on_zero,
            lambda _result: None,
            workers=1,
        )
    assert time.monotonic() - started < 20


def test_an_error_in_a_worker_carries_its_traceback() -> None:
    with pytest.raises(ZeroDivisionError) as raised:
        share_with_workers([[0], [1]], lambda _chunk: time.sleep(1), inverse, print, workers=1)
    notes = getattr(raised.value, "__notes__", [])
    assert any("in a page worker" in n and "def inverse" not in n and "1 / n" in n for n in notes)


def origin(chunk: list[int]) -> list[str]:
    import milepost

    return [str(milepost.__file__) for _ in chunk]


def test_a_worker_imports_this_milepost_not_one_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import milepost

    fake = tmp_path / "milepost"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('the folder the export runs in')\n")
    monkeypatch.chdir(tmp_path)
    seen: list[str] = []
    share_with_workers([[1], [2]], lambda _chunk: time.sleep(1), origin, seen.extend, workers=1)
    assert seen == [str(milepost.__file__)]
