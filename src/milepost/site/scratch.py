"""An export's temporary files (the kit its page workers read, the search index's spool) in the
system's temporary folder, named by the process that made them.

An export removes its own when it ends; one killed on the way (``kill -9``, a crash, a power
cut) cannot, so the next export removes those of every process of this user that no longer runs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import tempfile
from pathlib import Path

from ..workers import alive

KINDS = ("kit", "search")


def prefix(kind: str) -> str:
    """The start of the name of a temporary file or folder of ``kind`` made by this process."""
    sweep_once()
    return f"milepost-{kind}-{os.getpid()}-"


def _owner_pid(name: str) -> int | None:
    for kind in KINDS:
        start = f"milepost-{kind}-"
        if name.startswith(start):
            pid, _, rest = name[len(start) :].partition("-")
            if pid.isdigit() and rest:
                return int(pid)
    return None


def sweep(folder: Path | None = None) -> list[str]:
    """Remove the temporary files and folders of exports that no longer run (this user's only;
    a symbolic link is removed, never followed); return their names."""
    base = Path(folder if folder is not None else tempfile.gettempdir())
    removed: list[str] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        pid = _owner_pid(entry.name)
        if pid is None or pid == os.getpid() or alive(pid):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if info.st_uid != os.getuid():
                continue
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(entry.path)
            else:
                Path(entry.path).unlink()
            removed.append(entry.name)
    return removed


@functools.cache
def sweep_once() -> None:
    sweep()
