"""Writing the site: only files whose bytes changed, never outside the output folder, and a
manifest so a re-export deletes only what milepost wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..discover import is_ignored
from ..errors import ConfigError, Diagnostic, WriteError
from ..files import Hashed, remove_empty_folders, temp_beside, write_atomic
from ..manifest_records import digest
from .newsite import forget, write_new

MANIFEST = ".milepost-export.json"


@dataclass(slots=True)
class Output:
    """One file of the site: where it goes, what it holds, and why it is there."""

    path: str
    data: bytes
    cause: str


@dataclass(slots=True)
class Pieces:
    """A file of the site given piece by piece (see :meth:`SiteWriter.put_chunks`)."""

    path: str
    chunks: Iterable[bytes]
    cause: str


@dataclass(frozen=True, slots=True)
class Placed:
    """A file of the site once written (in a dry run: planned); its bytes are not kept."""

    path: str
    cause: str
    digest: str
    size: int


@dataclass(slots=True)
class ExportResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    planned: list[Placed] = field(default_factory=list)
    """Every file of the site, with its cause (what ``--dry-run`` lists), by path."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Link problems in published notes, and export findings."""
    bytes: int = 0


def check_output(config: Config, out: Path) -> Path:
    """The output folder, or ConfigError when writing there could touch the vault or user files."""
    vault = config.vault.resolve()
    target = out.resolve()
    if target == vault or vault.is_relative_to(target):
        raise ConfigError(f"{out}: the export folder may not be the vault or contain it")
    if target.is_relative_to(vault):
        inside = target.relative_to(vault).as_posix()
        if not is_ignored(inside, config):
            raise ConfigError(
                f"{out}: the export folder is inside the vault; put it outside, in a dot-folder, "
                "or add it to 'ignore' in milepost.toml"
            )
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{out}: is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise ConfigError(
            f"{out}: is not empty and milepost did not create it; choose an empty folder"
        )
    return target


def place(
    out: Path, output: Output, known: str | None, dry_run: bool, *, fresh: bool = False
) -> tuple[Placed, bool]:
    """Write ``output`` into the site in ``out`` unless it holds those bytes already (``known``:
    the digest this process last wrote there); return what is there and whether it was written
    (in a dry run: would be). ``fresh``: the site's folder was empty when the export began
    (see :mod:`.newsite`)."""
    if fresh and not dry_run:
        write_new(out, output.path, output.data)
        return Placed(output.path, output.cause, digest(output.data), len(output.data)), True
    target = (out / output.path).resolve()
    if not target.is_relative_to(out):
        raise WriteError(f"{output.path}: would be written outside {out}; refused")
    placed = Placed(output.path, output.cause, digest(output.data), len(output.data))
    if known == placed.digest:
        return placed, False
    try:
        same = target.read_bytes() == output.data
    except OSError:
        same = False
    if same:
        return placed, False
    if not dry_run:
        write_atomic(target, output.data, durable=False)
    return placed, True


class SiteWriter:
    """Writes the site's files as they are rendered, keeping only their digests, so the site's
    bytes are never all in memory. Only files whose bytes changed are written; no path outside
    the output folder is ever written; ``finish`` removes only files the old manifest lists."""

    def __init__(self, out: Path, *, dry_run: bool, known: dict[str, str] | None = None) -> None:
        """``known``: path -> digest of what this process last wrote there, so an unchanged
        file need not even be read."""
        self.out = out
        self.dry_run = dry_run
        self.known = known or {}
        self.result = ExportResult()
        self.digests: dict[str, str] = {}
        self.fresh = False
        """The folder was empty (or missing) when this writer began: nothing there to compare."""
        if not dry_run:
            self._claim()

    def _claim(self) -> None:
        """Mark a new site as milepost's before the first file lands in it, so an export
        killed on the way leaves a folder the next export takes up (it lists no files yet:
        nothing is removed on their account)."""
        manifest = self.out / MANIFEST
        if manifest.is_file():
            return
        self.out.mkdir(parents=True, exist_ok=True)
        with os.scandir(self.out) as found:
            self.fresh = next(found, None) is None
        forget(self.out)
        data = json.dumps({"generator": "milepost", "files": {}}, indent=1)
        write_atomic(manifest, data.encode(), durable=False)

    def put(self, output: Output) -> Placed:
        known = self.known.get(output.path)
        placed, written = place(self.out, output, known, self.dry_run, fresh=self.fresh)
        self.record(placed, written=written)
        return placed

    def record(self, placed: Placed, *, written: bool) -> None:
        """A file :func:`place` put in place (in a worker process, say)."""
        if written:
            self._list(placed)
            self.result.written.append(placed.path)
        else:
            self.keep(placed)

    def put_any(self, output: Output | Pieces) -> Placed:
        if isinstance(output, Pieces):
            return self.put_chunks(output.path, output.chunks, output.cause)
        return self.put(output)

    def put_chunks(self, path: str, chunks: Iterable[bytes], cause: str) -> Placed:
        """Like :meth:`put`, for a file given piece by piece (never held whole): the pieces go
        to a temporary file beside the target, which replaces the target only when the bytes
        differ."""
        target = (self.out / path).resolve()
        if not target.is_relative_to(self.out):
            raise WriteError(f"{path}: would be written outside {self.out}; refused")
        made = Hashed(chunks)
        temp: Path | None = None
        try:
            if self.dry_run:
                made.drain()
            else:
                temp = temp_beside(target, made)  # keeps the mode of the file it replaces
            placed = Placed(path, cause, made.hash.hexdigest(), made.size)
            if self.known.get(path) == placed.digest or _same_file(target, placed):
                self.keep(placed)
                return placed
            self._list(placed)
            self.result.written.append(path)
            if temp is not None:
                temp.replace(target)
                temp = None
            return placed
        except OSError as exc:
            raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
        finally:
            if temp is not None:
                with contextlib.suppress(OSError):
                    temp.unlink()

    def keep(self, placed: Placed) -> None:
        """A file that is already there as it should be."""
        self._list(placed)
        self.result.unchanged.append(placed.path)

    def _list(self, placed: Placed) -> None:
        self.digests[placed.path] = placed.digest
        self.result.planned.append(placed)
        self.result.bytes += placed.size

    def finish(self) -> ExportResult:
        """Remove what the old manifest lists and this site no longer has; write the manifest."""
        result = self.result
        manifest_path = self.out / MANIFEST
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError):
            old = {}
        for path in sorted(set(old) - set(self.digests)):
            target = (self.out / path).resolve()
            if not target.is_relative_to(self.out) or path == MANIFEST:
                continue
            result.removed.append(path)
            if not self.dry_run:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
                remove_empty_folders(target.parent, self.out)
        if not self.dry_run:
            self.out.mkdir(parents=True, exist_ok=True)
            files = dict(sorted(self.digests.items()))
            data = json.dumps({"generator": "milepost", "files": files}, indent=1)
            write_atomic(manifest_path, data.encode(), durable=False)
        result.planned.sort(key=lambda placed: placed.path)
        result.written.sort()
        result.unchanged.sort()
        return result


def _same_file(target: Path, placed: Placed) -> bool:
    """True when ``target`` holds the bytes ``placed`` describes."""
    try:
        if target.stat().st_size != placed.size:
            return False
        hashed = hashlib.sha256()
        with target.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hashed.update(block)
    except OSError:
        return False
    return hashed.hexdigest() == placed.digest
