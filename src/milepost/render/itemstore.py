"""Each milestone's Markdown, kept in the cache (outside the vault) from one build to the next.

A roadmap page shows every milestone of its business model. A one-note edit moves the page's
fingerprint, so the page is rendered again, but most of its milestones are as they were: a
one-shot build reads the Markdown the last build kept for that model and renders only the
milestones whose inputs moved (a watching session keeps them in memory instead, see
:class:`~milepost.render.Renderer`).

An item is kept under a digest of everything its Markdown is made from: the settings (milepost's
version, the configuration, today, the templates) and the sources of milepost itself; the note it
is written in (its bytes, where its links lead, whether its name is shared with another note);
the entry (id, note, business model, status, what it lacks); what it shows of its dependencies
and of its history. Stored per business model (the items its roadmap showed last), as typed
MessagePack: data, never code; a file that cannot be read is no items.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from ..files import write_atomic
from ..index import Entry, VaultIndex
from ..sources import sources_digest

if TYPE_CHECKING:
    from . import PagePaths

NAME = "items"
Items = dict[bytes, bytes]
"""An item's digest -> its Markdown (UTF-8)."""
_DECODE = msgspec.msgpack.Decoder(Items)
_NOTHING = (None, None)
"""What a milestone with no dependencies and no slips shows of them."""


def code_fingerprint() -> bytes:
    """A digest of milepost's own sources and shipped templates (what renders an item)."""
    return sources_digest(("",), ("*.py", "*.j2"))


class ItemStore:
    """The items of the business models a build renders, read and kept per model."""

    def __init__(self, folder: Path, digests: Mapping[str, bytes]) -> None:
        self.folder = folder / NAME
        self.digests = digests
        """Each note's digest, as the index was read (the session's, kept up to date)."""
        self._index: VaultIndex | None = None
        self._base = b""
        self._notes: dict[str, bytes] = {}
        self._read: dict[str, Items] = {}
        """Each business model's items as read from its file (empty: none)."""
        self._now: dict[str, Items] = {}
        """The items each business model's roadmap showed in this build."""

    def use(self, index: VaultIndex, paths: PagePaths) -> None:
        """Key the items of ``index``, whose pages ``paths`` names."""
        from .plan import settings_fingerprint

        base = hashlib.blake2b(digest_size=16)
        for part in (settings_fingerprint(index.config, index.today), repr(paths.signature())):
            base.update(part.encode("utf-8", "replace") + b"\0")
        base.update(code_fingerprint())
        self._index, self._base, self._notes = index, base.digest(), {}

    def _note(self, index: VaultIndex, path: str) -> bytes | None:
        """The digest of the settings and of the note ``path`` as its items see it."""
        known = self._notes.get(path)
        if known is None:
            if not self.digests.get(path):
                return None  # bytes not known: the item is rendered
            contribution = index.contributions.get(path)
            resolved = contribution.resolved if contribution is not None else ()
            shared = index.names.shares_name(path)
            digest = hashlib.blake2b(self._base, digest_size=16)
            digest.update(self.digests[path] + b"\0" + path.encode("utf-8", "replace"))
            digest.update(b"\0" + repr((resolved, shared)).encode("utf-8", "replace"))
            known = self._notes[path] = digest.digest()
        return known

    def key(self, entry: Entry, shown: object) -> bytes | None:
        """The digest of what ``entry``'s Markdown is made from (``shown``: what it shows of its
        dependencies and history, as the renderer computes it); None: not known."""
        assert self._index is not None, "call use() first"
        note = self._note(self._index, entry.path)
        if note is None:
            return None
        own = f"{entry.id}\0{entry.model_key}\0{entry.spelling}\0{entry.status}\0{entry.missing}"
        digest = hashlib.blake2b(note, digest_size=16)
        digest.update(own.encode("utf-8", "replace"))
        if shown != _NOTHING:
            digest.update(b"\0" + repr(shown).encode("utf-8", "replace"))
        return digest.digest()

    def _file(self, model: str) -> Path:
        return self.folder / (hashlib.blake2b(model.encode(), digest_size=16).hexdigest() + ".mp")

    def get(self, model: str, key: bytes) -> bytes | None:
        known = self._read.get(model)
        if known is None:
            try:
                known = _DECODE.decode(self._file(model).read_bytes())
            except (OSError, msgspec.MsgspecError, RecursionError):
                known = {}
            self._read[model] = known
        found = known.get(key)
        if found is not None:
            self._now.setdefault(model, {})[key] = found
        return found

    def put(self, model: str, key: bytes, data: bytes) -> None:
        self._now.setdefault(model, {})[key] = data

    def shown(self, model: str) -> None:
        """``model``'s roadmap page was rendered (it showed all its items): keep them."""
        now = self._now.pop(model, {})
        read = self._read.pop(model, None)
        if read is not None and now.keys() == read.keys():
            return
        with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(self._file(model), msgspec.msgpack.encode(now), durable=False)

    def forget(self) -> None:
        """Let go of what was read (items of pages not rendered whole are not kept)."""
        self._read, self._now = {}, {}
