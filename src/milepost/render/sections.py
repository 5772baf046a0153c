"""The review's sections, kept in the cache (outside the vault) from one build to the next.

The review page shows one section per business model; each is made from what that model's
roadmap page is made from, so the roadmap's fingerprint names it (a watching session keeps them
in memory by the same key, see :class:`~milepost.render.Renderer`). A one-shot build reads the
sections the last build kept and renders again only those whose model's fingerprint moved: a
one-note edit no longer renders every business model's section. The portfolio's rows, one per
business model and made from what its roadmap is made from too, are kept the same way. Stored
as typed MessagePack: data, never code; a file that cannot be read is no sections.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import msgspec

from ..files import write_atomic
from . import Renderer
from .history import Rows

_Rows = dict[str, tuple[str, dict[str, str | int]]]

NAME = "review-sections.msgpack"
ROWS = "portfolio-rows.msgpack"
"""The portfolio's row of each business model, kept the same way."""

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
    renderer._rows.update(_read_rows(folder))
    return found


def _read_rows(folder: Path) -> Rows:
    try:
        return msgspec.msgpack.decode((folder / ROWS).read_bytes(), type=_Rows)
    except (OSError, msgspec.MsgspecError, RecursionError):
        return {}


def keep(renderer: Renderer, folder: Path | None, read: Sections, models: set[str]) -> None:
    """Keep the sections of ``models`` for the next build, unless they are what was read."""
    if folder is None:
        return
    rows = {key: known for key, known in renderer._rows.items() if key in models}
    if rows != _read_rows(folder):
        with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(folder / ROWS, msgspec.msgpack.encode(rows), durable=False)
    now = {key: known for key, known in renderer._sections.items() if key in models}
    if now == read:
        return
    with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(folder / NAME, msgspec.msgpack.encode(now), durable=False)
