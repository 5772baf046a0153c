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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


Kept = tuple[Sections, Rows]
"""The sections and the portfolio rows read from the cache."""


def seed(renderer: Renderer, folder: Path | None) -> Kept:
    """Give ``renderer`` the sections and rows kept in ``folder``; return what was read."""
    renderer.keep_sections = True
    if folder is None:
        return {}, {}
    sections: Sections = _read(folder / NAME, Sections)
    rows: Rows = _read(folder / ROWS, _Rows)
    renderer._sections.update(sections)
    renderer._rows.update(rows)
    return sections, rows


def _read(path: Path, kind: Any) -> Any:
    try:
        return msgspec.msgpack.decode(path.read_bytes(), type=kind)
    except (OSError, msgspec.MsgspecError, RecursionError):
        return {}


def keep(renderer: Renderer, folder: Path | None, read: Kept, models: set[str]) -> None:
    """Keep the sections and rows of ``models`` for the next build, unless they are what was
    read."""
    if folder is None:
        return
    sections, rows = read
    _write(folder / NAME, {k: v for k, v in renderer._sections.items() if k in models}, sections)
    _write(folder / ROWS, {k: v for k, v in renderer._rows.items() if k in models}, rows)


def _write(path: Path, now: Mapping[str, object], read: Mapping[str, object]) -> None:
    if now == read:
        return
    with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(path, msgspec.msgpack.encode(now), durable=False)
