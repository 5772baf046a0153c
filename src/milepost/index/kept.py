"""Each note's contribution to the index, kept in the vault's cache folder between processes.

Building the index from 10,000 cached notes resolves every link, checks it and makes an entry
for every milestone: about a second in each new process, although one edited note changes
almost none of it. ``index.msgpack`` keeps what the last build made of each note (its
milestones' ids, business models and statuses, its tool uses, where its links lead and what is
wrong with them), so the next process makes again only the contributions that may differ.

A note's kept contribution is used only when everything it was made from is as it was:

- the whole file is dropped unless its key matches: milepost's parser and settings (the parse
  cache's key), the sources of the index code, ``today``, and the business-model notes with
  their titles and aliases (which name a milestone's model);
- the note's own bytes have the digest kept with it;
- no file whose name one of its links asks for was added or removed since (links resolve by
  name against the vault's whole file list; the pages a build writes are such files too), and
  a relative link (``./``, ``../``) is made again after any file came or went;
- each note it links to with a heading or block has the digest kept for it, and is still a
  note milepost reads or still its own page, as it was (that decides the link's findings).

The file is data (MessagePack, read by a typed decoder) after a checksum of it: a damaged or
foreign file reads as nothing kept, never as code, and is written again whole by the next build.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from ..errors import Diagnostic, Severity
from ..files import temp_beside
from ..linkcheck import name_of
from ..model import COMPLETENESS, STATUSES, Note
from ..resolve import norm, stem
from ..sources import sources_digest
from .records import Entry

if TYPE_CHECKING:
    from .vault import VaultIndex, _Contribution

FILE = "index.msgpack"
FORMAT = 1
"""Bumped whenever what is stored changes shape."""
CHECK = 16
"""The file starts with a checksum (BLAKE2b) of the rest, this many bytes."""
DRIFT = 100
"""The file is written again once more than one note in this many was made again (fewer cost
less to make again in the next process than the file costs to write)."""
CODE = ("index", "resolve.py", "linkcheck.py", "errors.py", "model.py", "records.py")
"""The sources a contribution is made by: an edited one never reads what the old one made."""

_new_entry = tuple.__new__


class _Kept(msgspec.Struct, array_like=True, frozen=True):
    """One note's contribution as stored."""

    digest: bytes
    """The digest of the note's bytes it was made from."""
    models: list[tuple[str, str]]
    """The business models its milestones name: (key, spelling as written)."""
    ids: list[str]
    """Each milestone's id, in order."""
    which: bytes
    """Each milestone's business model: which of ``models``."""
    statuses: bytes
    """Each milestone's status: which of :data:`STATUSES`."""
    lacks: bytes
    """What each milestone lacks, as bits of :data:`COMPLETENESS`."""
    uses: list[tuple[str, str, str]]
    links: list[tuple[int, str, Severity, str]]
    """Its link findings: (line, code, severity, message); their path is the note's."""
    targets: list[tuple[str, bytes]]
    """Each note it links to with a heading or block, with the digest of that note's bytes."""
    resolved: list[str | None]
    names: list[str]
    """The name keys its links ask the name table for (:data:`ANY` for a relative link)."""


class _File(msgspec.Struct, frozen=True):
    format: int
    key: str
    files: list[str]
    """The vault's files the links were resolved against."""
    owned: list[str]
    """milepost's own pages then."""
    notes: dict[str, msgspec.Raw]


_NOTHING = b"\xc0"
"""A note whose contribution cannot be checked next time is kept as nil: it reads as none."""

ANY = "\0"
"""The name a relative link asks for: it may lead elsewhere once any file came or went."""


_LACKS = [tuple(c for n, c in enumerate(COMPLETENESS) if bits >> n & 1) for bits in range(16)]
_BITS = {lacks: bits for bits, lacks in enumerate(_LACKS)}
_STATUS = {status: n for n, status in enumerate(STATUSES)}
_ID, _MODEL, _STATUS_OF, _LACKS_OF = itemgetter(0), itemgetter(3, 4), itemgetter(5), itemgetter(6)
"""An entry's id, (model key, spelling), status and what it lacks."""

_READ_FILE = msgspec.msgpack.Decoder(_File)
_READ_NOTE = msgspec.msgpack.Decoder(_Kept)
_WRITE = msgspec.msgpack.Encoder()


def code_fingerprint() -> str:
    """A digest of the sources in :data:`CODE` (this module among them)."""
    return sources_digest(CODE).hex()


def context_key(index: VaultIndex, salt: str) -> str:
    """What every note's contribution depends on besides the notes it reads (see the module)."""
    digest = hashlib.sha1(usedforsecurity=False)
    today: date = index.today
    head = f"{FORMAT}\0{salt}\0{code_fingerprint()}\0{today.isoformat()}\0{index.config!r}\n"
    digest.update(head.encode("utf-8", "surrogatepass"))
    parts = [
        "\0".join(f"{a}\1{k}" for a, k in sorted(index.alias_to_key.items())),
        "\0".join(
            f"{k}\1{n.path}\1{n.title}\1" + "\2".join(n.aliases)
            for k, n in sorted(index.model_notes.items())
        ),
    ]
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


class KeptIndex:
    """The contributions the last build kept (``folder``: the vault's cache folder, None for
    none); :meth:`reuse` gives the index those still valid, :meth:`keep` writes this one's."""

    def __init__(
        self, folder: Path | None, salt: str, digests: Mapping[str, bytes], *, write: bool = True
    ) -> None:
        self.folder = folder
        self.salt = salt
        self.digests = digests
        self.write = write and folder is not None
        self.key = ""
        self.stored: dict[str, msgspec.Raw] = {}
        self.reused: set[str] = set()

    def _read(self) -> _File | None:
        """The kept file, when it holds the bytes that were written (see :func:`_write`)."""
        if self.folder is None:
            return None
        try:
            data = memoryview((self.folder / FILE).read_bytes())
            if _checksum(data[CHECK:]) != data[:CHECK]:
                return None
            found = _READ_FILE.decode(data[CHECK:])
        except (OSError, msgspec.MsgspecError, RecursionError, ValueError):
            return None
        return found if found.format == FORMAT else None

    def reuse(self, index: VaultIndex) -> dict[str, _Contribution]:
        """The kept contributions that are still what ``index`` would make (called by the index
        once its business models are known, before it adds the notes)."""
        from .vault import _one

        self.key = context_key(index, self.salt)
        found = self._read()
        if found is None or found.key != self.key:
            return {}
        self.stored = found.notes
        digests, notes = self.digests, index.notes
        came_or_went = set(found.files).symmetric_difference(index.files)
        names = {key for path in came_or_went for key in _names_of_file(path)}
        if came_or_went:
            names.add(ANY)
        owned = set(found.owned).symmetric_difference(index.owned)
        keep: dict[object, object] = {}
        lacks = [_one(t) for t in _LACKS]
        made: dict[str, _Contribution] = {}
        for path, raw in found.notes.items():
            note = notes.get(path)
            digest = digests.get(path)
            if note is None or not digest or not index.is_source(path):
                continue
            try:
                kept = _READ_NOTE.decode(raw)
            except (msgspec.MsgspecError, RecursionError, ValueError):
                continue
            count = len(note.milestones)
            if kept.digest != digest or not (
                len(kept.ids) == len(kept.which) == len(kept.statuses) == len(kept.lacks) == count
            ):
                continue
            if names and not names.isdisjoint(kept.names):
                continue
            if any(
                not d or digests.get(t) != d or t not in notes or t in owned
                for t, d in kept.targets
            ):
                continue
            with contextlib.suppress(IndexError):  # a model it does not list: made again
                made[path] = _contribution(path, note.milestones, kept, keep, lacks)
        self.reused = set(made)
        return made

    def keep(self, index: VaultIndex) -> None:
        """Write ``index``'s contributions for the next process, unless the file holds them all
        or all but a few (at most one note in :data:`DRIFT`): the next process makes those few
        again, as this one did. (What the file holds is checked note by note as it is read,
        against the files it lists, so an older file is never wrong, only slower.)"""
        if not self.write or self.folder is None:
            return
        key = self.key or context_key(index, self.salt)
        paths = set(index.contributions)
        if key == self.key and self.reused == paths and set(self.stored) == paths:
            return  # (the file lists it keeps may be older: what differs is checked by name)
        if key == self.key and len(paths - self.reused) <= len(paths) // DRIFT:
            return  # the few made again are made again by the next process too
        stored, reused, digests = self.stored, self.reused, self.digests

        def notes() -> Iterator[tuple[str, bytes | msgspec.Raw]]:
            for path in sorted(paths):
                if path in reused:
                    yield path, stored[path]
                    continue
                made = _stored(index.notes[path], index.contributions[path], digests)
                yield path, _NOTHING if made is None else _WRITE.encode(made)

        head = _File(FORMAT, key, sorted(index.files), sorted(index.owned), {})
        _write(self.folder / FILE, _parts(head, len(paths), notes()))
        self.stored, self.reused = {}, set()


def _parts(
    head: _File, count: int, notes: Iterable[tuple[str, bytes | msgspec.Raw]]
) -> Iterator[bytes | msgspec.Raw]:
    """``head`` as MessagePack with ``count`` notes, made one at a time (neither the file nor
    its notes are ever held whole: at 10,000 notes they are 18 MB)."""
    fields = [name for name in head.__struct_fields__ if name != "notes"]
    yield bytes([0x80 | (len(fields) + 1)])  # a map of the fields, the notes last
    for name in fields:
        yield _WRITE.encode(name) + _WRITE.encode(getattr(head, name))
    yield _WRITE.encode("notes")
    yield (
        b"\xdf" + count.to_bytes(4, "big") if count > 0xFFFF else b"\xde" + count.to_bytes(2, "big")
    )
    for path, data in notes:
        yield _WRITE.encode(path)
        yield data


def _write(target: Path, parts: Iterable[bytes | msgspec.Raw]) -> None:
    """Replace ``target`` with a checksum of ``parts`` and ``parts``, through a temp file beside
    it (not read first, as :func:`~milepost.files.write_atomic` does: it differs whenever it is
    written). A file whose bytes changed since, anywhere, is not read (:meth:`KeptIndex._read`)."""
    if not target.parent.is_dir():
        return  # (the parse cache makes the folder, readable by this user alone)
    made = hashlib.blake2b(digest_size=CHECK)

    def checked() -> Iterator[bytes | msgspec.Raw]:
        yield bytes(CHECK)  # the checksum's place
        for part in parts:
            made.update(part)
            yield part

    with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
        temp = temp_beside(target, checked())
        try:
            with temp.open("r+b") as handle:
                handle.write(made.digest())
            temp.replace(target)
        except OSError:
            temp.unlink(missing_ok=True)


def _checksum(data: memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=CHECK).digest()


def _contribution(
    path: str,
    milestones: tuple[object, ...],
    kept: _Kept,
    keep: dict[object, object],
    lacks: list[tuple[str, ...]],
) -> _Contribution:
    from .vault import _Contribution

    same = keep.setdefault
    models = [(same(k, k), same(s, s)) for k, s in kept.models]
    keys = [k for k, _ in models]
    spellings = [s for _, s in models]
    columns = zip(
        kept.ids,
        repeat(path),
        milestones,
        map(keys.__getitem__, kept.which),
        map(spellings.__getitem__, kept.which),
        map(STATUSES.__getitem__, kept.statuses),
        map(lacks.__getitem__, kept.lacks),
    )
    entries = list(map(_new_entry, repeat(Entry), columns))  # (IndexError: not one kept)
    uses = [(same(k, k), same(s, s), text) for k, s, text in kept.uses]
    links = [
        Diagnostic(path, line, same(code, code), severity, message)  # type: ignore[arg-type]
        for line, code, severity, message in kept.links
    ]
    targets = {same(t, t) for t, _ in kept.targets}
    resolved = tuple(map(same, kept.resolved, kept.resolved))
    return _Contribution(entries, uses, links, targets, resolved)  # type: ignore[arg-type]


def _names_of_file(path: str) -> set[str]:
    """The name keys under which a link can reach ``path`` (by its name, or by its path with or
    without ``.md``: ``a.md.md`` is reached by ``[[a.md]]`` too)."""
    found = {norm(stem(path))}
    key = norm(path)
    for reached in (key, key[:-3] if key.endswith(".md") else None):
        if reached is not None:
            name = reached.rsplit("/", 1)[-1]
            found.add(name[:-3] if name.endswith(".md") else name)
    return found


def _names_of_links(note: Note) -> list[str]:
    """The name keys the links of ``note`` ask for (see :data:`ANY`)."""
    found: set[str] = set()
    for link in (*(use.link for use in note.tools), *note.links):
        target = link.target.strip().replace("\\", "/")
        if not target:
            continue  # the note itself
        found.add(ANY if target.startswith(("./", "../")) else name_of(target))
    return sorted(found)


def _stored(note: Note, made: _Contribution, digests: Mapping[str, bytes]) -> _Kept | None:
    """What to keep of one note's contribution; None when it cannot be checked next time (a
    note or linked note read without a digest, a finding about another file)."""
    path = note.path
    digest = digests.get(path)
    targets = [(t, digests.get(t, b"")) for t in sorted(made.subpath_targets)]
    if not digest or any(not d for _, d in targets):
        return None
    if any(d.path != path for d in made.links):
        return None
    entries = made.entries
    pairs = list(map(_MODEL, entries))
    models = {pair: n for n, pair in enumerate(dict.fromkeys(pairs))}
    try:  # (a status or lack it cannot tell, or more models than a byte tells apart: made again)
        which = bytes(map(models.__getitem__, pairs))
        statuses = bytes(map(_STATUS.__getitem__, map(_STATUS_OF, entries)))
        lacks = bytes(map(_BITS.__getitem__, map(_LACKS_OF, entries)))
    except (KeyError, ValueError):
        return None
    return _Kept(
        digest,
        list(models),
        list(map(_ID, entries)),
        which,
        statuses,
        lacks,
        [tuple(use) for use in made.uses],  # type: ignore[misc]
        [(d.line, d.code, d.severity, d.message) for d in made.links],
        targets,
        list(made.resolved),
        _names_of_links(note),
    )
