"""Entries of the search index in a temporary file until the index is written.

At 10,000 notes the entries are about 40 MB; held in memory they and the script joined from them
were the largest things an export kept. Here each entry is appended as its page is written and
read back once, in the order of the index.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping


class Spool(Mapping[str, bytes]):
    """Path -> bytes, the bytes in an anonymous temporary file."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(prefix="milepost-search-")  # noqa: SIM115 (closed by close)
        self.at: dict[str, tuple[int, int]] = {}
        self.end = 0

    def __setitem__(self, key: str, data: bytes) -> None:
        self.file.seek(self.end)
        self.file.write(data)
        self.at[key] = (self.end, len(data))
        self.end += len(data)

    def __getitem__(self, key: str) -> bytes:
        start, size = self.at[key]
        self.file.seek(start)
        return self.file.read(size)

    def __iter__(self) -> Iterator[str]:
        return iter(self.at)

    def __len__(self) -> int:
        return len(self.at)

    def close(self) -> None:
        self.file.close()
