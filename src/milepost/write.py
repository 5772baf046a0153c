"""Write generated pages and managed regions into the vault, never losing a byte the user wrote.

- Pages go through a temp file in the same folder and ``os.replace``; unchanged bytes are never
  rewritten (no mtime churn, no sync conflicts, no watch loops).
- A page is overwritten or deleted only when the manifest lists it and its bytes are still what
  milepost wrote; a hand edit is kept and reported as a conflict (``force`` overrides). A file
  without the ``generated_by: milepost`` marker is never overwritten or deleted, even by force.
- Inside a user's note only the bytes between the region markers change, and only by
  compare-and-swap (:func:`~milepost.files.swap`): a save that lands meanwhile is spliced again.
- Every path is resolved first and must stay inside the vault.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from .config import Config
from .errors import WriteError
from .files import inside, remove, remove_empty_folders, swap, write_atomic
from .manifest import Manifest
from .manifest_records import MARKER, PageRecord, RegionRecord, Written, digest, has_marker
from .marks import is_ours
from .parse.regions import RegionSpan, find_regions
from .render import Page, Region

Action = Literal["create", "update", "remove", "unchanged", "conflict"]
KEEP_KINDS = frozenset({"review"})
"""Pages kept when no longer produced: last month's review is history, not stale."""
ATTEMPTS = 5
"""How often a region is spliced again when the note keeps changing under milepost."""

__all__ = ["MARKER", "Change", "Writer", "digest", "has_marker", "write_atomic"]


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    action: Action
    reason: str = ""
    what: str = ""
    """For a region: which one."""


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(f"{path}: cannot read: {exc.strerror or exc}") from None


def written_record(path: Path, data: bytes) -> Written:
    """The record of ``data`` just written to (or seen in) ``path``, with the file's size and
    mtime only when the file still holds ``data``: a save that lands between the write and this
    stat must never take on the record of milepost's bytes, or its event would pass for
    milepost's own write and the save would go unseen."""
    try:
        before = path.stat()
        same = before.st_size == len(data) and path.read_bytes() == data
        after = path.stat()
    except OSError:
        return Written(digest(data), len(data))
    if not same or (after.st_size, after.st_mtime_ns, after.st_ino) != (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    ):
        return Written(digest(data), len(data))
    return Written(digest(data), after.st_size, after.st_mtime_ns)


@dataclass(slots=True)
class Writer:
    """Applies (unless ``dry_run``) the changes that bring the vault's pages and regions up to
    date, recording each in the manifest as it is made."""

    config: Config
    manifest: Manifest
    force: bool = False
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)
    read: Callable[[str, bytes], bool] | None = None
    """True when the bytes of a note are the ones the index was made from."""
    merged: set[str] = field(default_factory=set)
    """Notes whose regions were filled around a save that came in after the index read them:
    what they hold now is newer than what the pages show."""
    root: Path = field(init=False)

    def __post_init__(self) -> None:
        self.root = self.config.vault.resolve()

    def record(self, change: Change) -> None:
        self.changes.append(change)

    # ----- pages -----------------------------------------------------------------------------
    def unchanged(self, path: str) -> None:
        """A page that was not rendered again: its inputs and its file are as recorded."""
        self.record(Change(path, "unchanged"))

    def target(self, path: str) -> Path | None:
        """Where a generated file goes, or None (recorded as a conflict) when it would leave the
        vault or a symbolic link stands there."""
        try:
            target = inside(self.root, path)
        except WriteError as exc:
            self.record(Change(path, "conflict", str(exc)))
            return None
        if target.is_symlink():
            self.record(Change(path, "conflict", "a symbolic link is in the way; left alone"))
            return None
        return target

    def page(self, page: Page, inputs: str = "") -> None:
        target = self.target(page.path)
        if target is None:
            return
        new = page.data
        current = _read(target)
        known = self.manifest.pages.get(page.path)
        record = PageRecord(Written(digest(new), len(new)), page.kind, page.key, inputs)
        if current == new:
            if known is not None and known.written.sha256 == record.written.sha256:
                if known.written.size < 0:  # recorded before sizes were: learn them now
                    known = replace(known, written=written_record(target, new))
                record = PageRecord(known.written, page.kind, page.key, inputs)
            else:
                record = PageRecord(written_record(target, new), page.kind, page.key, inputs)
            if not self.dry_run:
                self.manifest.set_page(page.path, record)
            self.record(Change(page.path, "unchanged"))
            return
        if current is not None:
            if not is_ours(page.path, current):
                self.record(
                    Change(
                        page.path,
                        "conflict",
                        "a file milepost did not write is in the way; it is left alone",
                    )
                )
                return
            edited = known is None or digest(current) != known.written.sha256
            if edited and not self.force:
                why = (
                    "edited by hand since milepost wrote it"
                    if known is not None and known.written.sha256 is not None
                    else "not in milepost's manifest"
                )
                self.record(Change(page.path, "conflict", f"{why}; kept (--force overwrites)"))
                return
        if not self.dry_run:
            self.manifest.will_write_page(page.path, record)
            write_atomic(target, new, durable=False)  # a page milepost can always make again
            self.manifest.wrote_page(
                page.path, replace(record, written=written_record(target, new))
            )
        self.record(Change(page.path, "create" if current is None else "update"))

    def prune(self, produced: Iterable[str]) -> None:
        """Remove the pages the manifest lists that are no longer produced (unedited ones)."""
        keep = set(produced)
        for path, record in sorted(self.manifest.pages.items()):
            if path not in keep and record.kind not in KEEP_KINDS:
                self._prune(path, record)

    def _prune(self, path: str, record: PageRecord) -> None:
        try:
            target = inside(self.root, path)
        except WriteError:
            self.manifest.forget_page(path)
            return
        current = None if target.is_symlink() else _read(target)
        if current is None or not is_ours(path, current):
            if not self.dry_run:
                self.manifest.forget_page(path)  # gone, or the user took it over
            return
        if digest(current) != record.written.sha256 and not self.force:
            self.record(Change(path, "conflict", "no longer produced, but edited by hand; kept"))
            return
        if not self.dry_run:
            self.manifest.will_remove_page(path)
            remove(target)
            remove_empty_folders(target.parent, self.root / self.config.output)
            self.manifest.forget_page(path)
        self.record(Change(path, "remove"))

    # ----- regions ---------------------------------------------------------------------------
    def regions(self, regions: Iterable[Region], inputs: dict[tuple[str, str], str]) -> None:
        """Fill ``regions`` (grouped by note); ``inputs``: each region's fingerprint."""
        by_note: dict[str, list[Region]] = {}
        for region in regions:
            by_note.setdefault(region.path, []).append(region)
        for path, wanted in sorted(by_note.items()):
            self.note_regions(path, wanted, inputs)

    def note_regions(
        self, path: str, wanted: list[Region], inputs: dict[tuple[str, str], str]
    ) -> None:
        try:
            target = inside(self.root, path)
        except WriteError as exc:
            for region in wanted:
                self.record(Change(path, "conflict", str(exc), region.what))
            return
        data = _read(target)
        expect = data
        if data is not None and self.read is not None and not self.read(path, data):
            self.merged.add(path)
        tried: dict[str, set[str]] = {}
        """What each region held in the splices tried so far: a save that came in meanwhile may
        have been made from one of them, which is milepost's text, not the user's."""
        for _ in range(ATTEMPTS):
            if data is None or expect is None:
                return
            plan = self._splice(path, data, wanted, inputs, tried)
            if plan is None:
                return
            spliced, records, changes = plan
            for what, record in records.items():
                tried.setdefault(what, set()).add(record.sha256)
            if spliced == expect or self.dry_run:
                if not self.dry_run and spliced == data:  # the note as milepost last saw it
                    self.manifest.saw_note(path, written_record(target, data))
                break
            written = Written(digest(spliced), len(spliced))
            self.manifest.will_write_note(path, records, written, digest(expect))
            again = swap(target, expect, spliced)
            if again is None:
                self.manifest.wrote_note(path, written_record(target, spliced))
                break
            data, expect = again  # the user saved meanwhile: splice into what they saved
            self.merged.add(path)
        else:
            self._adopt(path, target, tried)
            for region in wanted:
                self.record(
                    Change(
                        path,
                        "conflict",
                        "the note kept changing; filled on the next save",
                        region.what,
                    )
                )
            return
        if not self.dry_run:
            self.manifest.set_regions(path, records)
        self.changes.extend(changes)

    def _adopt(self, path: str, target: Path, tried: dict[str, set[str]]) -> None:
        """After the note kept changing: a region that holds one of the texts milepost tried to
        write (a save made from milepost's file) is recorded as milepost's, so the next round
        fills it instead of keeping it as the user's."""
        data = _read(target)
        read = _regions_in(data) if data is not None and not self.dry_run else None
        if read is None:
            return
        adopted = {}
        for found, current in read[1]:
            sha = digest(current)
            if sha in tried.get(found.what, ()):
                adopted[found.what] = RegionRecord(sha)
        if adopted:
            self.manifest.set_regions(path, adopted)

    def _splice(
        self,
        path: str,
        data: bytes,
        wanted: list[Region],
        inputs: dict[tuple[str, str], str],
        tried: dict[str, set[str]],
    ) -> tuple[bytes, dict[str, RegionRecord], list[Change]] | None:
        """The note with its regions filled, their records, and what changed; None when the note
        cannot be read as text (every region is then left alone and reported)."""
        read = _regions_in(data)
        if read is None:
            self.changes.extend(
                Change(path, "conflict", "the note is not UTF-8; region left alone", r.what)
                for r in wanted
            )
            return None
        lines, found_regions = read
        texts = {r.what: r.text for r in wanted}
        known = self.manifest.regions.get(path, {})
        records: dict[str, RegionRecord] = {}
        changes: list[Change] = []
        replacements: dict[int, tuple[int, bytes]] = {}
        for found, current in found_regions:
            if found.what not in texts:
                continue
            newline = b"\r\n" if lines[found.begin].endswith(b"\r\n") else b"\n"
            new = texts[found.what].replace("\n", newline.decode()).encode("utf-8")
            record = RegionRecord(digest(new), inputs.get((path, found.what), ""))
            if current == new:
                records[found.what] = record
                changes.append(Change(path, "unchanged", what=found.what))
                continue
            before = known.get(found.what)
            sha = digest(current)
            fresh = (
                not current.strip()
                or sha in tried.get(found.what, ())
                or (before is not None and before.ours(sha))
            )
            if not fresh and not self.force:
                changes.append(
                    Change(
                        path,
                        "conflict",
                        "region edited by hand; kept (--force overwrites)",
                        found.what,
                    )
                )
                continue
            replacements[found.begin] = (found.end, new)
            records[found.what] = record
            changes.append(Change(path, "update", what=found.what))
        return _splice(lines, replacements), records, changes


def _regions_in(data: bytes) -> tuple[list[bytes], list[tuple[RegionSpan, bytes]]] | None:
    """A note's lines, and each managed region in it with the bytes it holds now; None when the
    note is not UTF-8 text."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    lines = data.splitlines(keepends=True)
    return lines, [(f, b"".join(lines[f.begin + 1 : f.end])) for f in find_regions(text)]


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


def check_output_folder(config: Config) -> None:
    """Refuse (exit 2) an output folder that leads out of the vault through a symbolic link."""
    from .errors import ConfigError

    root = config.vault.resolve()
    folder = root / config.output
    with contextlib.suppress(OSError):
        real = folder.resolve()
        if not real.is_relative_to(root) or real == root:
            raise ConfigError(
                f"{folder}: the output folder leads outside the vault (to {real}) through a "
                "symbolic link; milepost writes only inside the vault"
            )
    with contextlib.suppress(OSError):
        if (root / ".milepost").is_symlink():
            raise ConfigError(
                f"{root / '.milepost'}: is a symbolic link; milepost keeps its manifest only "
                "inside the vault"
            )
