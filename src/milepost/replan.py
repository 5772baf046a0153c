"""The planning of the index a save made, carried over from the index before it.

:func:`milepost.planning.planning` computes an index's dependencies from all its milestones, once
per index; a watching session makes a new index on every save. When no note whose milestones
changed takes part in the dependencies (none of its milestones, before or after, is a node of the
graph, depends on anything, states an id, assumes anything or is an assumption, and no
dependency names the note) and the vault's files are the same, the graph, its passes and its
findings are what they were: :func:`carry` hands them to the new index with the milestones by id
brought up to date, instead of a pass over every milestone of the vault.
"""

from __future__ import annotations

from .index import Entry, VaultIndex
from .planning import Planning


def carry(old: VaultIndex, new: VaultIndex) -> bool:
    """Give ``new`` the planning of ``old`` when the notes that differ take no part in it;
    True when it did."""
    known = getattr(old, "_planning", None)
    if not isinstance(known, Planning) or getattr(new, "_planning", None) is not None:
        return False
    if new.today != old.today or new.alias_to_key is not old.alias_to_key:
        return False
    if new.files != old.files:  # a link may now lead elsewhere
        return False
    before, after = old.contributions, new.contributions
    paths = [p for p in before.keys() | after.keys() if before.get(p) is not after.get(p)]
    named = {ref.note for node in known.nodes.values() for ref in node.references if ref.note}
    gone: list[Entry] = []
    came: list[Entry] = []
    for path in paths:
        if path in named:
            return False
        was, now = before.get(path), after.get(path)
        gone += was.entries if was is not None else ()
        came += now.entries if now is not None else ()
    if not all(_apart(entry, known) for entry in (*gone, *came)):
        return False
    entries = dict(known.entries)
    for entry in gone:
        entries.pop(entry.id, None)
    for entry in came:
        entries[entry.id] = entry
    new._planning = Planning(known.schedule, entries, known.diagnostics, known.nodes)
    return True


def _apart(entry: Entry, known: Planning) -> bool:
    """True when ``entry`` takes no part in dependencies or assumptions."""
    m = entry.milestone
    return (
        entry.id not in known.nodes
        and not m.depends
        and m.ident is None
        and not m.assumes
        and m.kind != "assumption"
    )
