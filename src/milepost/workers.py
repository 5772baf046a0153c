"""Work shared between this process and worker processes.

The work is cut into chunks. Worker processes take chunks from the front; this process takes
chunks from the back, taking back any chunk no worker has started, and between its own chunks
hands on what the workers sent. So every core is busy until the end, and nothing is done twice.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from typing import TypeVar

C = TypeVar("C")
R = TypeVar("R")


def share(
    chunks: Sequence[C],
    here: Callable[[C], None],
    there: Callable[[C], R],
    received: Callable[[R], None],
    *,
    workers: int,
    context: BaseContext | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Run ``here(chunk)`` in this process or ``received(there(chunk))`` with ``there`` in one
    of ``workers`` processes, once for every chunk. ``there`` must be picklable. ``meanwhile``
    is other work for this process, done while the workers start on the chunks."""
    if workers < 1 or len(chunks) < 2:
        if meanwhile is not None:
            meanwhile()
        for chunk in chunks:
            here(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: list[tuple[Future[R], C]] = [(pool.submit(there, c), c) for c in chunks]
        if meanwhile is not None:
            meanwhile()
        while pending:
            finished = {id(f) for f, _ in pending if f.done()}  # asked once per round: a
            for future, _ in pending:  # future that finishes meanwhile waits for the next round
                if id(future) in finished:
                    received(future.result())
            pending = [(f, c) for f, c in pending if id(f) not in finished]
            if not pending:
                break
            future, chunk = pending[-1]
            if future.cancel():  # no worker has started it: do it here
                pending.pop()
                here(chunk)
            else:
                wait([f for f, _ in pending], return_when=FIRST_COMPLETED)


def forking() -> BaseContext | None:
    """The fork context, when workers may inherit this process's memory: POSIX, and no other
    thread running that could hold a lock at the moment of the fork. None otherwise."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    if threading.active_count() > 1:
        return None
    return multiprocessing.get_context("fork")


def starting() -> BaseContext:
    """How to start workers that need nothing from this process's memory: a fork when that is
    safe (fastest), else a fresh interpreter."""
    forked = forking()
    if forked is not None:
        return forked
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
