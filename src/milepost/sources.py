"""Digests of milepost's own source files: part of the key of each cache, so that an edited
module never reads what the old one made (no version to remember to bump)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
"""The folder of the ``milepost`` package."""


@functools.cache
def sources_digest(names: tuple[str, ...], patterns: tuple[str, ...] = ("*.py",)) -> bytes:
    """A digest of the files ``names`` (paths in the package; a folder stands for its files
    that match ``patterns``, at any depth), with the path and bytes of each, in order."""
    digest = hashlib.blake2b(digest_size=16)
    for name in names:
        target = PACKAGE / name
        found = (
            sorted(path for pattern in patterns for path in target.rglob(pattern))
            if target.is_dir()
            else [target]
        )
        for path in found:
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.digest()
