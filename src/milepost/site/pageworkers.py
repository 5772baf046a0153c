"""Page workers as plain child processes that take their work over pipes.

A large export renders note pages in fresh worker processes (forked ones would copy the index).
multiprocessing starts fresh workers from a fork server, which needs a resource tracker beside
it: two more Python processes, about 30 MiB at 10,000 notes, held for the whole export. Here each
worker is a fresh interpreter (:data:`_START`), a child of the export itself: it imports
only what rendering needs, reads its function from its standard input, then answers chunk after
chunk. The sharing is :func:`milepost.workers.share`'s: workers take chunks from the front, this
process takes them from the back and, between its own, hands on what the workers sent.

A worker ends with its parent (:func:`milepost.workers.die_with_parent`); an error in a worker is
raised here, and a worker that dies raises :class:`BrokenProcessPool`, as a process pool would.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from ..workers import die_with_parent

C = TypeVar("C")
R = TypeVar("R")
PROTOCOL = pickle.HIGHEST_PROTOCOL


class _Worker(Generic[C, R]):
    """One worker process and the pipes to it."""

    def __init__(self, there: Callable[[C], R]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", _START, str(os.getpid()), _PACKAGES],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.to: IO[bytes] = self.process.stdin
        self.back: IO[bytes] = self.process.stdout
        pickle.dump(there, self.to, protocol=PROTOCOL)

    def ask(self, chunk: C) -> R:
        """Send a chunk; return what the worker made of it (or raise what it raised)."""
        try:
            pickle.dump(chunk, self.to, protocol=PROTOCOL)
            self.to.flush()
            ok, answer = pickle.load(self.back)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            raise BrokenProcessPool(
                f"a page worker (pid {self.process.pid}) ended abruptly"
            ) from exc
        if not ok:
            raise answer
        result: R = answer
        return result

    def stop(self, *, kill: bool) -> None:
        if kill:
            with contextlib.suppress(OSError):
                self.process.kill()
        with contextlib.suppress(OSError):
            self.to.close()  # the worker's end of input: it leaves
        self.process.wait()
        self.back.close()


def share_with_workers(
    chunks: Sequence[C],
    here: Callable[[C], None],
    there: Callable[[C], R],
    received: Callable[[R], None],
    *,
    workers: int,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Run ``here(chunk)`` in this process or ``received(there(chunk))`` with ``there`` in one
    of ``workers`` worker processes, once for every chunk (see :func:`milepost.workers.share`);
    ``there`` must be picklable by reference to a module-level function."""
    _Sharing(chunks, received).run(here, there, workers, meanwhile)


class _Sharing(Generic[C, R]):
    """The chunks still to do, and what the workers' threads sent back."""

    def __init__(self, chunks: Sequence[C], received: Callable[[R], None]) -> None:
        self.todo: deque[C] = deque(chunks)
        self.lock = threading.Lock()
        self.sent: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        self.received = received
        self.threads: list[threading.Thread] = []
        self.ended = 0

    def feed(self, worker: _Worker[C, R]) -> None:
        """On a thread of its own: give ``worker`` chunks from the front until none is left."""
        try:
            while True:
                with self.lock:
                    if not self.todo:
                        break
                    chunk = self.todo.popleft()
                self.sent.put((True, worker.ask(chunk)))
        except BaseException as exc:  # raised in the exporting thread
            self.sent.put((False, exc))
        self.sent.put((True, _END))

    def hand_on(self, *, block: bool) -> None:
        """Hand on what the workers sent (``block``: until every worker is done)."""
        while self.ended < len(self.threads):
            try:
                ok, item = self.sent.get(block=block)
            except queue.Empty:
                return
            if not ok:
                raise item
            if item is _END:
                self.ended += 1
            else:
                self.received(item)

    def take_last(self) -> C | None:
        with self.lock:
            return self.todo.pop() if self.todo else None

    def run(
        self,
        here: Callable[[C], None],
        there: Callable[[C], R],
        workers: int,
        meanwhile: Callable[[], None] | None,
    ) -> None:
        started: list[_Worker[C, R]] = []
        failed = True
        try:
            started.extend(_Worker(there) for _ in range(workers))
            for worker in started:
                thread = threading.Thread(target=self.feed, args=(worker,), daemon=True)
                self.threads.append(thread)
                thread.start()
            if meanwhile is not None:
                meanwhile()
            while (chunk := self.take_last()) is not None:
                self.hand_on(block=False)
                here(chunk)
            self.hand_on(block=True)
            failed = False
        finally:
            if failed:
                with self.lock:
                    self.todo.clear()  # no worker takes another chunk
            for worker in started:
                worker.stop(kill=failed)
            for thread in self.threads:
                thread.join()


_END = "end of a worker's chunks"
_START = (
    "import sys; sys.path.insert(0, sys.argv[2]); "
    "from milepost.site.pageworkers import serve; serve(int(sys.argv[1]))"
)
"""What a worker runs: this very milepost (from :data:`_PACKAGES`), and nothing from the
current folder (``-P``)."""
_PACKAGES = str(Path(__file__).resolve().parents[2])
"""The folder the ``milepost`` package is imported from."""


def serve(starter: int) -> None:
    """In a worker: read the function, then answer each chunk until the input ends."""
    die_with_parent(starter)
    inp = sys.stdin.buffer
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot break the pipe
    there = pickle.load(inp)
    while True:
        try:
            chunk = pickle.load(inp)
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, there(chunk))
        except Exception as exc:
            answer = (False, _sendable(exc))
        pickle.dump(answer, out, protocol=PROTOCOL)
        out.flush()


def _sendable(exc: Exception) -> Exception:
    """``exc`` with the worker's traceback as a note, if it survives pickling; else a
    RuntimeError with that traceback."""
    where = "".join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc, protocol=PROTOCOL))
    except Exception:
        return RuntimeError(where)
    exc.add_note(f"in a page worker:\n{where}")
    return exc
