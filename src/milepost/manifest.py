"""The one answer to "which paths are milepost's, and what did it last write there".

``.milepost/manifest.json`` lists every generated page (its hash, size and mtime as written, its
kind, and the fingerprint of what it was rendered from), every managed region milepost filled, and
the notes it rewrote to fill them. Nothing else decides ownership: page names are chosen against
the files the manifest does not list, watch ignores a file whose bytes are what the manifest says
milepost wrote, and a build overwrites or deletes only what the manifest lists, unedited.

Each write is announced in a journal (``.milepost/manifest.journal``, one JSON line per write,
flushed before the file is replaced) and the manifest itself is saved once at the end. A build
that is killed half-way leaves a journal; the next load replays it against the disk, so every page
that was written counts as milepost's and nothing is reported as edited by hand that nobody touched.

Every path the manifest names is checked to be a plain path inside the vault before anything
trusts it: an entry that points elsewhere (``../victim.md``, an absolute path) is dropped.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from .config import CACHE_DIR
from .errors import WriteError
from .files import write_atomic
from .manifest_records import (
    EARLIER,
    MARKER,
    PageRecord,
    RegionRecord,
    Written,
    digest,
    has_marker,
    page_kind,
    plain_path,
)

__all__ = [
    "EARLIER",
    "JOURNAL",
    "MANIFEST",
    "MARKER",
    "SCHEMA",
    "Manifest",
    "PageRecord",
    "RegionRecord",
    "Written",
    "digest",
    "has_marker",
    "page_kind",
    "plain_path",
]

MANIFEST = "manifest.json"
JOURNAL = "manifest.journal"
SCHEMA = 2


@dataclass(slots=True)
class Manifest:
    """What milepost owns in one vault. Loaded once per build, saved once at its end, and
    journaled write by write in between."""

    pages: dict[str, PageRecord] = field(default_factory=dict)
    regions: dict[str, dict[str, RegionRecord]] = field(default_factory=dict)
    """Note path -> region name -> record."""
    notes: dict[str, Written] = field(default_factory=dict)
    """The user's notes as milepost last wrote them (to fill a region): watch knows its echo."""
    folder: Path | None = None
    """The vault's ``.milepost`` folder, when the manifest belongs to a vault on disk."""
    replayed: int = 0
    """Journal lines taken in from a build that did not finish."""
    interrupted: set[str] = field(default_factory=set)
    """The user's notes such a build was filling a region of (a temp file may lie beside)."""
    _journal: TextIO | None = None
    _dirty: bool = False

    # ----- ownership ----------------------------------------------------------------------------
    def owns(self, path: str) -> bool:
        """True when ``path`` is a page milepost generated."""
        return path in self.pages

    def echo(self, path: str, size: int, mtime_ns: int, read: Any = None) -> bool:
        """True when ``path`` holds exactly what milepost last wrote there (a page, or a note
        whose region it filled): a file event for it is milepost's own write coming back.
        ``read``: returns the file's bytes, for when size and mtime do not settle it."""
        written = self.pages[path].written if path in self.pages else self.notes.get(path)
        if written is None or written.sha256 is None:
            return False
        if written.matches(size, mtime_ns):
            return True
        if read is None or size != written.size:
            return False
        try:
            return bool(digest(read()) == written.sha256)
        except OSError:
            return False

    # ----- changes, each journaled before the file changes ----------------------------------------
    def will_write_page(self, path: str, record: PageRecord) -> None:
        before = self.pages.get(path)
        self._log({"op": "page", "path": path, "page": record.as_json(), "was": _sha(before)})

    def wrote_page(self, path: str, record: PageRecord) -> None:
        self.pages[path] = record
        self._dirty = True

    def will_remove_page(self, path: str) -> None:
        self._log({"op": "drop", "path": path, "was": _sha(self.pages.get(path))})

    def forget_page(self, path: str) -> None:
        if self.pages.pop(path, None) is not None:
            self._dirty = True

    def set_page(self, path: str, record: PageRecord) -> None:
        """Record a page whose file already holds ``record``'s bytes (nothing is written)."""
        if self.pages.get(path) != record:
            self.pages[path] = record
            self._dirty = True

    def will_write_note(
        self, path: str, regions: dict[str, RegionRecord], written: Written, was: str | None
    ) -> None:
        self._log(
            {
                "op": "note",
                "path": path,
                "regions": {w: r.as_json() for w, r in regions.items()},
                "note": written.as_json(),
                "was": was,
            }
        )

    def set_regions(self, path: str, regions: dict[str, RegionRecord]) -> None:
        known = self.regions.setdefault(path, {})
        for what, fresh in regions.items():
            before = known.get(what)
            record = fresh
            if before is not None and before.sha256 != fresh.sha256:
                kept = (before.sha256, *before.earlier)
                record = replace(
                    fresh, earlier=tuple(s for s in kept if s != fresh.sha256)[:EARLIER]
                )
            elif before is not None:
                record = replace(fresh, earlier=before.earlier)
            if before != record:
                known[what] = record
                self._dirty = True

    def wrote_note(self, path: str, written: Written) -> None:
        if self.notes.get(path) != written:
            self.notes[path] = written
            self._dirty = True

    def saw_note(self, path: str, written: Written) -> None:
        """Remember a note whose regions were all as they should be (its bytes, not its stat,
        decide whether the record changes: a synced copy's new mtime rewrites nothing)."""
        known = self.notes.get(path)
        if known is None or known.sha256 != written.sha256:
            self.notes[path] = written
            self._dirty = True

    def keep_regions_of(self, notes: set[str]) -> None:
        """Forget the regions (and rewritten notes) of notes that no longer have any."""
        for path in [p for p in self.regions if p not in notes]:
            del self.regions[path]
            self._dirty = True
        for path in [p for p in self.notes if p not in notes]:
            del self.notes[path]
            self._dirty = True

    def _log(self, entry: dict[str, Any]) -> None:
        if self.folder is None:
            return
        if self._journal is None:
            try:
                self.folder.mkdir(exist_ok=True)
                self._journal = (self.folder / JOURNAL).open("a", encoding="utf-8")
            except OSError as exc:
                raise WriteError(
                    f"{self.folder / JOURNAL}: cannot write: {exc.strerror or exc}"
                ) from None
        self._journal.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        self._journal.flush()
        self._dirty = True

    # ----- reading and saving -------------------------------------------------------------------
    @classmethod
    def load(cls, vault: Path, *, journal: bool = True) -> Manifest:
        """The vault's manifest, with an unfinished build's journal taken in. Without
        ``journal`` it can be read but never saved (commands that write nothing in the vault)."""
        folder = vault / CACHE_DIR
        path = folder / MANIFEST
        manifest = cls(folder=folder)
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError, RecursionError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0][:200]
            raise WriteError(
                f"{path}: cannot read milepost's manifest ({reason}); delete it to start over"
            ) from None
        problem = _problem(data)
        if problem is not None:
            raise WriteError(
                f"{path}: {problem}; milepost did not write it: delete it to start over"
            )
        manifest._read(data)
        manifest._replay(vault)
        if not journal:
            manifest.folder = None
        return manifest

    def _read(self, data: dict[str, Any]) -> None:
        for raw, entry in _items(data.get("pages")):
            path = plain_path(raw)
            if path is None or not isinstance(entry, dict):
                continue
            self.pages[path] = PageRecord.of(entry)
        for raw, regions in _items(data.get("regions")):
            path = plain_path(raw)
            if path is None or not isinstance(regions, dict):
                continue
            self.regions[path] = {
                str(what): record
                for what, value in regions.items()
                if (record := _region(value)) is not None
            }
        for raw, entry in _items(data.get("notes")):
            path = plain_path(raw)
            if path is not None and isinstance(entry, dict):
                self.notes[path] = Written.of(entry)

    def _replay(self, vault: Path) -> None:
        """Take in the journal of a build that did not finish: each announced write counts
        when the file holds what was announced (or, for a write that may not have happened,
        what was there before)."""
        assert self.folder is not None
        try:
            lines = (self.folder / JOURNAL).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the last line of a build killed while writing it
            path = plain_path(entry.get("path")) if isinstance(entry, dict) else None
            if path is None:
                continue
            self.replayed += 1
            self._dirty = True
            on_disk = _disk_digest(vault / path)
            op = entry.get("op")
            if op == "page" and isinstance(entry.get("page"), dict):
                record = PageRecord.of(entry["page"])
                if on_disk == record.written.sha256 or on_disk != entry.get("was"):
                    self.pages[path] = _restat(vault / path, record)
            elif op == "drop" and on_disk is None:
                self.pages.pop(path, None)
            elif op == "note" and isinstance(entry.get("note"), dict):
                self.interrupted.add(path)
                written = Written.of(entry["note"])
                if on_disk == written.sha256:
                    self.notes[path] = written
                    regions = entry.get("regions")
                    if isinstance(regions, dict):
                        self.set_regions(
                            path,
                            {str(w): r for w, v in regions.items() if (r := _region(v))},
                        )

    def adopt(self, path: str, kind: str) -> None:
        """Count a page as milepost's although no manifest lists it: a vault whose
        ``.milepost`` folder was lost still has its pages (they carry milepost's marker). Its
        bytes are unknown, so it is overwritten only when they equal what milepost renders
        (or with ``--force``)."""
        if path not in self.pages:
            self.pages[path] = PageRecord(Written(None), kind)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def dumps(self) -> str:
        data = {
            "schema": SCHEMA,
            "pages": {p: r.as_json() for p, r in sorted(self.pages.items())},
            "regions": {
                p: {w: r.as_json() for w, r in sorted(regions.items())}
                for p, regions in sorted(self.regions.items())
                if regions
            },
            "notes": {p: w.as_json() for p, w in sorted(self.notes.items())},
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    def save(self) -> None:
        """Write the manifest (when anything changed) and end the journal."""
        self.close_journal()
        if self.folder is None:
            return
        if self._dirty:
            try:
                self.folder.mkdir(exist_ok=True)
            except OSError as exc:
                raise WriteError(f"{self.folder}: cannot write: {exc.strerror or exc}") from None
            write_atomic(self.folder / MANIFEST, self.dumps().encode("utf-8"))
            self._dirty = False
        with contextlib.suppress(FileNotFoundError):
            (self.folder / JOURNAL).unlink()

    def close_journal(self) -> None:
        if self._journal is not None:
            with contextlib.suppress(OSError):
                self._journal.close()
            self._journal = None

    def copy(self) -> Manifest:
        """An independent copy that journals nowhere (for a dry run)."""
        return replace(
            self,
            pages=dict(self.pages),
            regions={p: dict(r) for p, r in self.regions.items()},
            notes=dict(self.notes),
            folder=None,
            interrupted=set(self.interrupted),
            _journal=None,
        )


def _problem(data: object) -> str | None:
    """What makes ``data`` something milepost did not write, or None."""
    if not isinstance(data, dict):
        return f"the manifest is a JSON {type(data).__name__}, not an object"
    for section in ("pages", "regions", "notes"):
        table = data.get(section, {})
        if not isinstance(table, dict):
            return f"its {section!r} is not a table"
        for raw, entry in table.items():
            if plain_path(raw) is None:
                return f"it lists {raw!r}, not a path inside the vault"
            if not isinstance(entry, dict):
                return f"its entry for {raw!r} is not a table"
            if section == "pages" and not isinstance(entry.get("sha256"), str | None):
                return f"its entry for {raw!r} has no readable hash"
    return None


def _sha(record: PageRecord | None) -> str | None:
    return record.written.sha256 if record is not None else None


def _items(value: object) -> Iterator[tuple[object, Any]]:
    if isinstance(value, dict):
        yield from value.items()


def _region(value: object) -> RegionRecord | None:
    if isinstance(value, str):  # schema 1: the hash alone
        return RegionRecord(value)
    if isinstance(value, dict) and isinstance(value.get("sha256"), str):
        earlier = value.get("earlier", [])
        return RegionRecord(
            value["sha256"],
            str(value.get("inputs", "")),
            tuple(s for s in earlier if isinstance(s, str)) if isinstance(earlier, list) else (),
        )
    return None


def _disk_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def _restat(path: Path, record: PageRecord) -> PageRecord:
    with contextlib.suppress(OSError):
        info = path.stat()
        written = replace(record.written, size=info.st_size, mtime_ns=info.st_mtime_ns)
        return replace(record, written=written)
    return record
