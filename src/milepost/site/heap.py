"""Handing memory back between the phases of an export.

The site's own pages (roadmaps, tools, the overview, the feeds) build many short-lived objects in
the main process just before it renders note pages beside its workers; freed, their memory stays
in the process's heap unless it is handed back. At 10,000 notes that is tens of megabytes held
for the rest of the export.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Callable
from functools import cache

from .shape import relative


def give_back() -> None:
    """Forget the memo of relative URLs, collect what only cycles hold, and return the heap's
    free pages to the system (see :func:`trim`)."""
    relative.cache_clear()
    gc.collect()
    trim()


def trim() -> None:
    """Return the heap's free pages to the system (glibc's ``malloc_trim``; elsewhere
    nothing): between large pages, so that the next one reuses no more than it needs."""
    function = _malloc_trim()
    if function is not None:
        function(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return function
