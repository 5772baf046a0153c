"""What ``index`` and ``check`` print for people: a row per business model, what good
milestones lack, and how to tag a first one."""

from __future__ import annotations

from collections import Counter

from .errors import Diagnostic, warning
from .index import VaultIndex
from .model import COMPLETENESS
from .report import counts


def none_found(index: VaultIndex) -> str:
    """What to say when a vault has no milestone at all: how to tag one."""
    tag = next(iter(index.config.tags), "milestone")
    return (
        f"No milestones found. Tag one with #{tag} at the start of a line or list item "
        f"('- [ ] #{tag} Launch 📅 2027-03-31'), or give a note 'tags: [{tag}]' in its "
        "front matter."
    )


def summary_lines(index: VaultIndex) -> list[str]:
    """The human summary of ``milepost index``: one row per business model."""
    if not index.milestone_count():
        return [none_found(index)]
    header = (
        "business model",
        "milestones",
        "overdue",
        "open",
        "achieved",
        "cancelled",
        "complete",
    )
    rows = []
    for model in index.models.values():
        c = counts(model)
        rows.append(
            (
                model.name,
                str(len(model.entries)),
                str(c["overdue"]),
                str(c["planned"] + c["in_progress"]),
                str(c["achieved"]),
                str(c["cancelled"]),
                f"{c['complete']}/{len(model.entries)}",
            )
        )
    width = max([len(header[0]), *(len(r[0]) for r in rows)])
    lines = [f"{header[0]:<{width}}  " + "  ".join(f"{h:>10}" for h in header[1:])]
    for row in rows:
        lines.append(f"{row[0]:<{width}}  " + "  ".join(f"{v:>10}" for v in row[1:]))
    return lines


def incomplete(index: VaultIndex) -> list[Diagnostic]:
    """One ``milestone.incomplete`` finding per open milestone that lacks part of its definition."""
    found = []
    for model in index.models.values():
        for entry in model.entries:
            missing = entry.missing
            if missing and entry.status not in ("achieved", "cancelled"):
                found.append(
                    warning(
                        entry.path,
                        entry.milestone.line,
                        "milestone.incomplete",
                        f"{entry.milestone.title!r} ({model.name}) has no {', '.join(missing)}",
                    )
                )
    return [d for d in found if not index.config.is_silenced(d.code)]


def incomplete_hint(diagnostics: list[Diagnostic]) -> str | None:
    """Said once, before the ``milestone.incomplete`` findings (each says what one lacks)."""
    count = sum(1 for d in diagnostics if d.code == "milestone.incomplete")
    if not count:
        return None
    return (
        "A good milestone has a description, a due date, a budget and an owner; "
        f"{count} open milestone{'s' * (count != 1)} lack{'s' * (count == 1)} some of it "
        "[milestone.incomplete]:"
    )


def completeness_lines(index: VaultIndex) -> list[str]:
    """Per business model: how many milestones are complete, and what the others lack."""
    if not index.milestone_count():
        return [none_found(index)]
    lines = ["Completeness (description, due date, budget, owner):"]
    for model in index.models.values():
        lacking = Counter(part for e in model.entries for part in e.missing)
        c = counts(model)
        detail = ", ".join(f"{part} {lacking[part]}" for part in COMPLETENESS if lacking[part])
        lines.append(
            f"  {model.name}: {c['complete']} of {len(model.entries)} complete"
            + (f"; missing {detail}" if detail else "")
        )
    return lines
