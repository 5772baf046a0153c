"""The review's sections, kept in the cache (outside the vault) from one build to the next.

The review page shows one section per business model; each is made from what that model's
roadmap page is made from, so the roadmap's fingerprint names it (a watching session keeps them
in memory by the same key, see :class:`~milepost.render.Renderer`). A one-shot build reads the
sections the last build kept and renders again only those whose model's fingerprint moved: a
one-note edit no longer renders every business model's section. Stored as typed MessagePack:
data, never code; a file that cannot be read is no sections.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import msgspec

from ..files import write_atomic
from . import Renderer

NAME = "review-sections.msgpack"

Sections = dict[str, tuple[str, str | None]]
"""Business model key -> (the fingerprint of its roadmap, its section's text or None)."""


def seed(renderer: Renderer, folder: Path | None) -> Sections:
    """Give ``renderer`` the sections kept in ``folder``; return what was read."""
    renderer.keep_sections = True
    if folder is None:
        return {}
    try:
        found = msgspec.msgpack.decode((folder / NAME).read_bytes(), type=Sections)
    except (OSError, msgspec.MsgspecError, RecursionError):
        return {}
    renderer._sections.update(found)
    return found


def keep(renderer: Renderer, folder: Path | None, read: Sections, models: set[str]) -> None:
    """Keep the sections of ``models`` for the next build, unless they are what was read."""
    if folder is None:
        return
    now = {key: known for key, known in renderer._sections.items() if key in models}
    if now == read:
        return
    with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(folder / NAME, msgspec.msgpack.encode(now), durable=False)
