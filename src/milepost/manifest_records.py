"""What one entry of milepost's manifest is, and the tests that say a file or path is milepost's.

This module owns the pieces of ownership that need no vault: the marker every generated page
carries in its front matter (:func:`has_marker`, :func:`page_kind`), the hash milepost records
(:func:`digest`), the check that a path named by a manifest is a plain path inside the vault
(:func:`plain_path`), and the records the manifest keeps with their JSON forms: :class:`Written`
(what was written to one file), :class:`PageRecord` (a generated page) and :class:`RegionRecord`
(a filled managed region). :mod:`milepost.manifest` holds them, journals them and saves them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

MARKER = b"generated_by: milepost"
"""The front matter line every generated page carries."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def has_marker(data: bytes) -> bool:
    """True when the front matter says milepost generated the file."""
    head = data[:2048].replace(b"\r\n", b"\n")
    if not head.startswith(b"---\n"):
        return False
    end = head.find(b"\n---", 3)
    front = head[: end if end >= 0 else len(head)]
    return any(line.strip() == MARKER for line in front.split(b"\n"))


def page_kind(data: bytes) -> str:
    """The ``page:`` property of a generated page's front matter (its kind)."""
    for line in data[:2048].replace(b"\r\n", b"\n").split(b"\n")[1:]:
        if line.strip() == b"---":
            break
        if line.startswith(b"page:"):
            return line[5:].strip().decode("utf-8", "replace")
    return ""


def plain_path(path: object) -> str | None:
    """``path`` when it is a relative POSIX path inside the vault (no ``..``, no root, no
    empty or dot parts), else None: nothing outside the vault is ever named by a manifest."""
    if not isinstance(path, str) or not path or "\\" in path or "\0" in path:
        return None
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return None
    return "/".join(parts)


@dataclass(frozen=True, slots=True)
class Written:
    """What milepost last wrote to one file."""

    sha256: str | None
    """Hash of the bytes; None for a page adopted without a manifest (see ``Manifest.adopt``)."""
    size: int = -1
    mtime_ns: int = -1
    """The file's size and mtime right after the write: when the file still has them, its
    bytes are known without reading it."""

    def matches(self, size: int, mtime_ns: int) -> bool:
        return self.sha256 is not None and (size, mtime_ns) == (self.size, self.mtime_ns)

    def as_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "mtime_ns": self.mtime_ns}

    @classmethod
    def of(cls, data: dict[str, Any]) -> Written:
        sha = data.get("sha256")
        return cls(
            sha if isinstance(sha, str) else None,
            _int(data.get("size")),
            _int(data.get("mtime_ns")),
        )


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A generated page: what was written, what it is, and what it was rendered from."""

    written: Written
    kind: str
    """``roadmap``, ``tool``, ``index``, ``review`` (or another output kind)."""
    key: str = ""
    """The business model or tool it is about, if any."""
    inputs: str = ""
    """Fingerprint of everything it was rendered from; equal inputs render equal bytes."""

    def as_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, **self.written.as_json()}
        if self.key:
            data["key"] = self.key
        if self.inputs:
            data["inputs"] = self.inputs
        return data

    @classmethod
    def of(cls, data: dict[str, Any]) -> PageRecord:
        return cls(
            Written.of(data),
            str(data.get("kind", "")),
            str(data.get("key", "")),
            str(data.get("inputs", "")),
        )


EARLIER = 4
"""How many of milepost's earlier texts of a region are remembered."""


@dataclass(frozen=True, slots=True)
class RegionRecord:
    """A managed region milepost filled: the hash of its content and what it was rendered from."""

    sha256: str
    inputs: str = ""
    earlier: tuple[str, ...] = ()
    """Hashes of what milepost wrote there before, newest first: an editor that read the note
    before milepost's last write and saved after it brings one of them back, which is still
    milepost's text and is filled again, not kept as the user's."""

    def ours(self, sha256: str) -> bool:
        return sha256 == self.sha256 or sha256 in self.earlier

    def as_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            **({"inputs": self.inputs} if self.inputs else {}),
            **({"earlier": list(self.earlier)} if self.earlier else {}),
        }
