"""Entries of the search index in temporary files until the index is written.

At 10,000 notes the entries are about 40 MB; held in memory they and the script joined from them
were the largest things an export kept. Here each entry is appended to a file in a temporary
folder as its page is rendered (by this process, or by a worker process into a file of its own
in the same folder) and read back once, in the order of the index.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from . import scratch

Spilled = tuple[str, int, int]
"""Where an entry is: the name of its file in the spool's folder, its offset and its size."""


class Spool(Mapping[str, bytes]):
    """Path -> bytes, the bytes in temporary files."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix=scratch.prefix("search"))
        self.at: dict[str, Spilled] = {}
        self.files: dict[str, BinaryIO] = {}

    def _file(self, name: str) -> BinaryIO:
        handle = self.files.get(name)
        if handle is None:
            path = Path(self.folder.name) / name
            path.touch()
            handle = self.files[name] = path.open("r+b")
        return handle

    def __setitem__(self, key: str, data: bytes) -> None:
        self.at[key] = spill(self._file("here"), "here", data)

    def refer(self, key: str, where: Spilled) -> None:
        """An entry a worker wrote into a file of the spool's folder."""
        self.at[key] = where

    def __getitem__(self, key: str) -> bytes:
        name, start, size = self.at[key]
        handle = self._file(name)
        handle.seek(start)
        return handle.read(size)

    def __iter__(self) -> Iterator[str]:
        return iter(self.at)

    def __len__(self) -> int:
        return len(self.at)

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()
        self.files.clear()
        self.folder.cleanup()


def spill(handle: BinaryIO, name: str, data: bytes) -> Spilled:
    """Append ``data`` to the file ``name`` open as ``handle``; where it is."""
    start = handle.seek(0, 2)
    handle.write(data)
    handle.flush()
    return name, start, len(data)
