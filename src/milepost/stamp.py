"""The stamp of the last build: when nothing it read has changed, a new build answers from it.

The stamp's key is a fingerprint of every file's size and mtime, the manifest's, the settings,
today and milepost's version; with it the stamp keeps what the build reported (which pages were
unchanged or in conflict, its own findings). A no-op ``milepost build`` is then one stat of every
file, without reading any note.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any, Literal, TypedDict

import msgspec

from . import history
from .cache import cache_folder, fingerprint, make_folder
from .config import CACHE_DIR, Config
from .discover import SourceFile
from .errors import Diagnostic
from .files import write_atomic
from .manifest import MANIFEST
from .reading import Timings
from .uptodate import BuildResult
from .write import Change


def key(config: Config, files: Iterable[SourceFile], today: date) -> str:
    manifest = config.vault / CACHE_DIR / MANIFEST
    try:
        info = manifest.stat()
        extra = f"{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        extra = "none"
    extra += "|" + history.file_key(config)
    plain = replace(config, jobs=0, today=None, source=None)
    return stamp_key(plain, files, today.isoformat(), extra)


def answer(config: Config, files: Iterable[SourceFile], today: date) -> BuildResult | None:
    """What the last build reported, when nothing it read has changed since; else None."""
    started = time.perf_counter()
    stamp = read_stamp(config)
    if stamp is None or stamp.get("key") != key(config, files, today):
        return None
    return _replay(stamp, started)


def _replay(stamp: dict[str, Any], started: float) -> BuildResult:
    timings = Timings()
    timings.add("discover", started)
    changes = [Change(path, "unchanged") for path in stamp.get("unchanged", [])]
    changes += [
        Change(c["path"], "conflict", c["reason"], c["what"]) for c in stamp.get("conflicts", [])
    ]
    diagnostics = [Diagnostic(**d) for d in stamp.get("diagnostics", [])]
    return BuildResult(changes, diagnostics, int(stamp.get("findings", 0)), timings)


def save(config: Config, built: BuildResult, files: Iterable[SourceFile], today: date) -> None:
    """Remember what ``built`` reported, keyed by the files as they are after it."""
    removed = {c.path for c in built.changes if c.action == "remove"}
    write_stamp(
        config,
        {
            "key": key(config, files, today),
            "unchanged": sorted(
                {c.path for c in built.changes if c.action != "conflict"} - removed
            ),
            "conflicts": [
                {"path": c.path, "reason": c.reason, "what": c.what}
                for c in built.changes
                if c.action == "conflict"
            ],
            "diagnostics": [
                {
                    "path": d.path,
                    "line": d.line,
                    "code": d.code,
                    "severity": d.severity,
                    "message": d.message,
                }
                for d in built.diagnostics
            ],
            "findings": built.findings,
        },
    )


def stamp_key(config: Config, files: Iterable[SourceFile], today: str, extra: str = "") -> str:
    """A fingerprint of everything a build reads: the files' stats, the settings, today."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{fingerprint(config)}\0{today}\0{config!r}\0{extra}".encode())
    for file in files:
        digest.update(f"{file.path}\0{file.size}\0{file.mtime_ns}\n".encode())
    return digest.hexdigest()


class _Conflict(TypedDict):
    path: str
    reason: str
    what: str


class _Finding(TypedDict):
    path: str
    line: int
    code: str
    severity: Literal["error", "warning"]
    message: str


class _Stamp(TypedDict):
    """What ``stamp.json`` must hold; anything else is no stamp."""

    key: str
    unchanged: list[str]
    conflicts: list[_Conflict]
    diagnostics: list[_Finding]
    findings: int


def read_stamp(config: Config) -> dict[str, Any] | None:
    """The last build's stamp, or None when there is none or it is not one."""
    folder = cache_folder(config)
    if folder is None:
        return None
    try:
        data = (folder / "stamp.json").read_bytes()
        return dict(msgspec.json.decode(data, type=_Stamp))
    except (OSError, msgspec.MsgspecError, RecursionError):
        return None


def write_stamp(config: Config, data: dict[str, Any]) -> None:
    folder = cache_folder(config)
    if folder is None:
        return
    with contextlib.suppress(Exception):
        make_folder(folder)
        write_atomic(
            folder / "stamp.json", json.dumps(data, sort_keys=True).encode(), durable=False
        )


def clear_stamp(config: Config) -> None:
    folder = cache_folder(config)
    if folder is not None:
        with contextlib.suppress(OSError):
            (folder / "stamp.json").unlink()
