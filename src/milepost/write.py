"""Write generated pages and managed regions into the vault, never losing a byte the user wrote.

- Every write goes through a temp file in the same folder and ``os.replace``.
- Unchanged bytes are never rewritten (no mtime churn, no sync conflicts, no watch loops).
- A page or region is overwritten only when its current bytes are what milepost last wrote (the
  manifest keeps their hash); a hand edit is kept and reported as a conflict (``force`` overrides).
- A file without the ``generated_by: milepost`` marker is never overwritten or deleted.
- Inside a user's note only the bytes between the region markers change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal, TypedDict

import msgspec

from .config import CACHE_DIR, Config
from .errors import WriteError
from .parse.regions import find_regions
from .render import Page, Region

Action = Literal["create", "update", "remove", "unchanged", "conflict"]
MANIFEST = "manifest.json"
MARKER = b"generated_by: milepost"
KEEP_KINDS = frozenset({"review"})
"""Pages kept when no longer produced: last month's review is history, not stale."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    action: Action
    reason: str = ""
    what: str = ""
    """For a region: which one."""


class _ManifestData(TypedDict, total=False):
    """What ``.milepost/manifest.json`` may hold; anything else is not milepost's."""

    schema: int
    pages: dict[str, dict[str, str]]
    regions: dict[str, dict[str, str]]


def _vault_path(path: str) -> bool:
    """True for a relative POSIX path that stays inside the vault."""
    parts = PurePosixPath(path).parts
    return bool(parts) and "\\" not in path and parts[0] != "/" and ".." not in parts


@dataclass(slots=True)
class Manifest:
    """What milepost last wrote: page path -> (hash, kind), and note -> region -> hash."""

    pages: dict[str, dict[str, str]] = field(default_factory=dict)
    regions: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, vault: Path) -> Manifest:
        path = vault / CACHE_DIR / MANIFEST
        try:
            data = msgspec.json.decode(path.read_bytes(), type=_ManifestData)
        except FileNotFoundError:
            return cls()
        except (OSError, msgspec.MsgspecError, RecursionError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise WriteError(
                f"{path}: cannot read milepost's manifest ({reason}); delete it to start over"
            ) from None
        pages, regions = data.get("pages", {}), data.get("regions", {})
        for listed in [*pages, *regions]:
            if not _vault_path(listed):
                raise WriteError(
                    f"{path}: the manifest lists {listed!r}, not a path inside the vault; "
                    "milepost did not write it: delete it to start over"
                )
        return cls(dict(pages), dict(regions))

    def dumps(self) -> str:
        data = {
            "schema": 1,
            "pages": dict(sorted(self.pages.items())),
            "regions": dict(sorted(self.regions.items())),
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    def save(self, vault: Path) -> None:
        write_atomic(vault / CACHE_DIR / MANIFEST, self.dumps().encode("utf-8"))


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` through a temp file in the same folder; skip equal bytes.

    ``durable`` also flushes the bytes to disk before the rename (a user's note with a managed
    region); files milepost can make again (pages, the site, caches) skip that wait. Any
    failure (a read-only folder, a full disk) is a WriteError naming the file, and leaves no
    temp file behind.
    """
    with contextlib.suppress(OSError):
        if path.read_bytes() == data:
            return
    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = None
        with contextlib.suppress(OSError):
            mode = path.stat().st_mode & 0o7777
        fd, name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".milepost-tmp"
        )
        temp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            temp.chmod(mode)
        temp.replace(path)
    except BaseException as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
        if isinstance(exc, OSError):
            raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(f"{path}: cannot read: {exc.strerror or exc}") from None


def has_marker(data: bytes) -> bool:
    """True when the front matter says milepost generated the file."""
    head = data[:2048].replace(b"\r\n", b"\n")
    if not head.startswith(b"---\n"):
        return False
    end = head.find(b"\n---", 3)
    front = head[: end if end >= 0 else len(head)]
    return any(line.strip() == MARKER for line in front.split(b"\n"))


@dataclass(slots=True)
class Writer:
    """Plans and (unless ``dry_run``) applies the changes that bring the vault up to date."""

    config: Config
    manifest: Manifest
    force: bool = False
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)
    """Every file written, with the hash of its bytes (so watch can recognise its own writes)."""

    @property
    def root(self) -> Path:
        return self.config.vault

    def record(self, change: Change) -> None:
        self.changes.append(change)

    @contextlib.contextmanager
    def _saving_on_failure(
        self, note: str | None = None, regions: dict[str, str] | None = None
    ) -> Iterator[None]:
        """A write that fails stops the build; the manifest first records what was written
        (not the regions of ``note``, whose write failed), so the next build knows its pages."""
        try:
            yield
        except WriteError:
            if note is not None:
                self.manifest.regions[note] = regions or {}
            with contextlib.suppress(WriteError):
                self.manifest.save(self.root)
            raise

    # ----- pages -----------------------------------------------------------------------------
    def pages(self, pages: Iterable[Page], produced: set[str] | None = None) -> None:
        """Write ``pages``; prune pages the manifest lists that are not ``produced`` (by default,
        not among ``pages``)."""
        seen = set()
        for page in pages:
            seen.add(page.path)
            self.page(page)
        keep = produced if produced is not None else seen
        for path, entry in sorted(self.manifest.pages.items()):
            if path not in keep and entry.get("kind") not in KEEP_KINDS:
                self.prune(path, entry)

    def outside(self, path: str) -> bool:
        """True (and a conflict recorded) when writing ``path`` would leave the vault: a
        folder on the way is a symbolic link out of it."""
        target = self.root / path
        if target.parent.resolve().is_relative_to(self.root.resolve()):
            return False
        self.record(Change(path, "conflict", "its folder links out of the vault; left alone"))
        return True

    def page(self, page: Page) -> None:
        if self.outside(page.path):
            return
        target = self.root / page.path
        new = page.data
        current = _read(target)
        entry = self.manifest.pages.get(page.path)
        if current == new:
            self.manifest.pages[page.path] = {"sha256": digest(new), "kind": page.kind}
            self.record(Change(page.path, "unchanged"))
            return
        if current is not None:
            if not has_marker(current):
                self.record(
                    Change(
                        page.path,
                        "conflict",
                        "a file milepost did not write is in the way; it is left alone",
                    )
                )
                return
            edited = entry is None or digest(current) != entry.get("sha256")
            if edited and not self.force:
                why = (
                    "edited by hand since milepost wrote it"
                    if entry
                    else "not in milepost's manifest"
                )
                self.record(Change(page.path, "conflict", f"{why}; kept (--force overwrites)"))
                return
        if not self.dry_run:
            with self._saving_on_failure():
                write_atomic(target, new, durable=False)  # a page milepost can always make again
            self.written[page.path] = digest(new)
        self.manifest.pages[page.path] = {"sha256": digest(new), "kind": page.kind}
        self.record(Change(page.path, "create" if current is None else "update"))

    def prune(self, path: str, entry: dict[str, str]) -> None:
        if self.outside(path):
            return
        target = self.root / path
        current = _read(target)
        if current is None:
            del self.manifest.pages[path]
            return
        if not has_marker(current):
            del self.manifest.pages[path]  # the user took it over
            return
        if digest(current) != entry.get("sha256") and not self.force:
            self.record(Change(path, "conflict", "no longer produced, but edited by hand; kept"))
            return
        if not self.dry_run:
            with self._saving_on_failure():
                try:
                    target.unlink()
                except OSError as exc:
                    raise WriteError(f"{target}: cannot remove: {exc.strerror or exc}") from None
            remove_empty_folders(target.parent, self.root / self.config.output)
        del self.manifest.pages[path]
        self.record(Change(path, "remove"))

    # ----- regions ---------------------------------------------------------------------------
    def regions(self, regions: Iterable[Region], notes: set[str] | None = None) -> None:
        """Fill ``regions``; forget manifest entries of notes that are not in ``notes`` (by
        default, the notes of ``regions``)."""
        by_note: dict[str, list[Region]] = {}
        for region in regions:
            by_note.setdefault(region.path, []).append(region)
        for path, wanted in sorted(by_note.items()):
            self.note_regions(path, wanted)
        keep = notes if notes is not None else set(by_note)
        for path in list(self.manifest.regions):
            if path not in keep:
                del self.manifest.regions[path]

    def note_regions(self, path: str, wanted: list[Region]) -> None:
        if self.outside(path):
            return
        target = self.root / path
        data = _read(target)
        if data is None:
            return
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            for region in wanted:
                self.record(
                    Change(
                        path, "conflict", "the note is not UTF-8; region left alone", region.what
                    )
                )
            return
        lines = data.splitlines(keepends=True)
        texts = {r.what: r.text for r in wanted}
        known = self.manifest.regions.setdefault(path, {})
        before = dict(known)
        replacements: dict[int, tuple[int, bytes]] = {}
        for found in find_regions(text):
            if found.what not in texts:
                continue
            newline = b"\r\n" if lines[found.begin].endswith(b"\r\n") else b"\n"
            new = texts[found.what].replace("\n", newline.decode()).encode("utf-8")
            current = b"".join(lines[found.begin + 1 : found.end])
            if current == new:
                known[found.what] = digest(new)
                self.record(Change(path, "unchanged", what=found.what))
                continue
            fresh = not current.strip() or digest(current) == known.get(found.what)
            if not fresh and not self.force:
                self.record(
                    Change(
                        path,
                        "conflict",
                        "region edited by hand; kept (--force overwrites)",
                        found.what,
                    )
                )
                continue
            replacements[found.begin] = (found.end, new)
            known[found.what] = digest(new)
            self.record(Change(path, "update", what=found.what))
        if replacements and not self.dry_run:
            spliced = _splice(lines, replacements)
            with self._saving_on_failure(path, before):
                write_atomic(target, spliced)
            self.written[path] = digest(spliced)


def _splice(lines: list[bytes], replacements: dict[int, tuple[int, bytes]]) -> bytes:
    """The file with each region's lines (after ``begin``, before ``end``) replaced."""
    out: list[bytes] = []
    index = 0
    for begin in sorted(replacements):
        end, new = replacements[begin]
        out.extend(lines[index : begin + 1])
        out.append(new)
        index = end
    out.extend(lines[index:])
    return b"".join(out)


def remove_empty_folders(folder: Path, stop: Path) -> None:
    """Remove ``folder`` and then its parents while they are empty, up to ``stop`` (kept)."""
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
