"""Writing the site: only files whose bytes changed, never outside the output folder, and a
manifest so a re-export deletes only what milepost wrote.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..discover import is_ignored
from ..errors import ConfigError, Diagnostic, WriteError
from ..files import remove_empty_folders, write_atomic
from ..manifest_records import digest

MANIFEST = ".milepost-export.json"


@dataclass(slots=True)
class Output:
    """One file of the site: where it goes, what it holds, and why it is there."""

    path: str
    data: bytes
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

    def put(self, output: Output) -> Placed:
        target = (self.out / output.path).resolve()
        if not target.is_relative_to(self.out):
            raise WriteError(f"{output.path}: would be written outside {self.out}; refused")
        placed = Placed(output.path, output.cause, digest(output.data), len(output.data))
        if self.known.get(output.path) == placed.digest:
            self.keep(placed)
            return placed
        try:
            same = target.read_bytes() == output.data
        except OSError:
            same = False
        if same:
            self.keep(placed)
            return placed
        self._list(placed)
        self.result.written.append(output.path)
        if not self.dry_run:
            write_atomic(target, output.data, durable=False)
        return placed

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
