"""What the walk of :mod:`.extract` keeps while it reads a note: the Examples section it is in,
the item being read and the tool list item being read."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Link
from .items import ItemDraft


@dataclass(slots=True)
class Section:
    level: int
    model: str | None = None
    model_level: int | None = None


@dataclass(slots=True)
class OpenItem:
    """The item being read."""

    draft: ItemDraft
    depth: int
    """Container depth where the item started; it ends when the walk leaves that container."""
    from_list: bool
    in_paragraph: bool = True


@dataclass(slots=True)
class ToolFrame:
    depth: int
    links: list[Link] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
