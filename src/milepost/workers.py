"""Work shared between this process and worker processes.

The work is cut into chunks. Worker processes take chunks from the front; this process takes
chunks from the back, taking back any chunk no worker has started, and between its own chunks
hands on what the workers sent. So every core is busy until the end, and nothing is done twice.

Workers die with the process that started them: killed (even with ``kill -9``), it leaves no
worker behind. On Linux the kernel sends each worker SIGKILL when its parent dies
(``PR_SET_PDEATHSIG``); elsewhere a thread in each worker watches its parent's pid.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
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
    workers = min(workers, len(chunks) - 1, most_workers())
    if workers < 1 or len(chunks) < 2:
        if meanwhile is not None:
            meanwhile()
        for chunk in chunks:
            here(chunk)
        return
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
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


def most_workers() -> int:
    """However many jobs are asked for, at most four worker processes per CPU."""
    return 4 * (os.cpu_count() or 1)


PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5
"""How often a worker without ``PR_SET_PDEATHSIG`` looks whether its parent is still there."""


def die_with_parent(starter: int) -> None:
    """In a worker, first thing: make sure it ends when its parent does. ``starter`` is the pid
    of the process that started the work (the parent, or the parent of a fork server)."""
    parent = os.getppid()
    if sys.platform.startswith("linux") and _kernel_kills_orphans():
        if not alive(starter) or os.getppid() != parent:  # died before the call took effect
            os._exit(1)
        return

    def watch() -> None:
        while os.getppid() == parent and alive(starter):
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="milepost-parent-watch", daemon=True).start()


def _kernel_kills_orphans() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False when it cannot."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    return False


def alive(pid: int) -> bool:
    """True while the process ``pid`` runs (a process of another user too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


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
