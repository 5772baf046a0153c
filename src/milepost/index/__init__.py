"""The vault index: notes by path, links resolved, milestones per business model, tools.

Built from parsed notes and nothing else, and never changed once built: :func:`apply` makes the
index that follows some changed notes, leaving the one it was given as it was.
"""

from ..linkcheck import heading_key
from .incremental import apply
from .records import (
    UNASSIGNED,
    BusinessModel,
    Delta,
    Entry,
    Tool,
    derive_status,
    entry_id,
    milestone_id,
)
from .vault import VaultIndex

__all__ = [
    "UNASSIGNED",
    "BusinessModel",
    "Delta",
    "Entry",
    "Tool",
    "VaultIndex",
    "apply",
    "derive_status",
    "entry_id",
    "heading_key",
    "milestone_id",
]
