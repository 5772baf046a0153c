"""The terminal: elapsed time, progress bars, findings, Ctrl-C and library warnings."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from ..errors import Diagnostic

if TYPE_CHECKING:
    from ..reading import Progress

STARTED = time.perf_counter()
"""When the command started: the parser and the pipeline are imported inside the commands, after
this, so every summary line's elapsed time includes loading them."""


def elapsed() -> str:
    return f"{time.perf_counter() - STARTED:.2f} s"


@contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr, only when stderr is a terminal and the work takes a while."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    started = time.perf_counter()
    bar: Any = None
    finished = False

    def update(done: int, total: int) -> None:
        """Show ``done`` of ``total``; ``done >= total`` ends the bar."""
        nonlocal bar, finished
        if finished:
            return
        if bar is None and done < total and time.perf_counter() - started >= 0.5:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(min(done, total) - bar.pos)
        if done >= total:
            finished = True
            if bar is not None:
                bar.__exit__(None, None, None)

    try:
        yield update
    finally:
        if bar is not None and not finished:
            bar.__exit__(None, None, None)


def echo_diagnostics(diagnostics: list[Diagnostic], *, err: bool, quiet: bool = False) -> None:
    """Print findings; with ``quiet``, only errors (warnings are counted in the summary)."""
    for diagnostic in diagnostics:
        if not quiet or diagnostic.severity == "error":
            click.echo(diagnostic.format(), err=err)


STOP_SECONDS = 5.0
"""After Ctrl-C, the most a watcher waits for its clean-up before it exits anyway."""


@contextmanager
def exit_soon_after_ctrl_c() -> Iterator[None]:
    """On Ctrl-C, stop as usual (the current write finishes, the cache closes), but exit with 0
    within ``STOP_SECONDS`` even if a clean-up hangs: a file observer that does not join, or a
    worker pool whose processes took the same signal."""
    import os
    import signal
    import threading

    def interrupted(_signum: int, _frame: object) -> None:
        def leave() -> None:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

        timer = threading.Timer(STOP_SECONDS, leave)
        timer.daemon = True
        timer.start()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():  # only it may set handlers
        yield
        return
    before = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def warning_line(  # noqa: PLR0917 (warnings.showwarning's signature)
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,  # noqa: ARG001
    file: TextIO | None = None,  # noqa: ARG001
    line: str | None = None,  # noqa: ARG001
) -> None:
    """A library's warning as one readable line on stderr: never a traceback or a repr."""
    text = " ".join(str(message).split())
    if len(text) > 160:
        text = text[:160] + "…"
    module = Path(filename).stem
    click.echo(f"milepost: warning: {text} ({category.__name__} in {module})", err=True)
