"""What the pages show of planning memory: slip notes on milestones, the review's sections on
slips, accuracy and dates to sharpen, and the portfolio page. Plain values, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from ..accuracy import accuracy, next_due, open_budgets, properties, to_sharpen
from ..index import BusinessModel, Entry
from ..memory import Memory
from .wording import period_name

if TYPE_CHECKING:
    from .views import Views

ACCURACY_PERCENT_FROM = 5
"""From this many achieved milestones on, accuracy is shown as a percentage."""


def slip_text(memory: Memory | None, entry: Entry) -> str | None:
    """``slipped 2× · +92 d since first planned Jun 2026``, or None when it never slipped."""
    if memory is None:
        return None
    summary = memory.slipped_of(entry)
    if summary is None:
        return None
    text = f"slipped {summary.slips}×"
    if summary.first_due is not None:
        text += f" · +{summary.slip_days} d since first planned {period_name(summary.first_due)}"
    return text


def accuracy_text(entries: list[Entry]) -> str | None:
    found = accuracy(entries)
    if not found.achieved:
        return None
    median = (
        f"; median {found.median_late_days} days late" if found.median_late_days is not None else ""
    )
    if found.achieved < ACCURACY_PERCENT_FROM:
        noun = "milestone" if found.achieved == 1 else "milestones"
        return (
            f"{found.achieved} achieved {noun} with a due date: {found.on_time} on time, "
            f"{found.late} late{median}."
        )
    return (
        f"{found.rate} % on time ({found.on_time} of {found.achieved} achieved milestones "
        f"with a due date; {found.late} late{median})."
    )


def planning_section(views: Views, model: BusinessModel, last: date) -> dict[str, Any] | None:
    """The review's planning parts for one business model, or None when it has none."""
    index = views.index
    today = index.today
    limit = index.config.review_limit
    slipped: list[str] = []
    memory = views.memory
    slips = memory.slipped if memory is not None else {}
    for entry in model.entries if slips else ():
        summary = slips.get(entry.id)  # one that never slipped has no slip to list
        if summary is None:
            continue
        for slip in summary.slipped:
            if last < slip.on <= today:
                item = views.item(entry)
                slipped.append(
                    f"- **{item.title}** · {slip.old} → {slip.new} (on {slip.on.isoformat()})"
                    f" · {item.source}"
                )
    sharpen: list[str] = []
    for entry in model.entries:
        why = to_sharpen(entry, today, index.config.sharpen_days)
        if why is not None:
            item = views.item(entry)
            sharpen.append(f"- **{item.title}** · {why} · {item.source}")
    accurate = accuracy_text(model.entries)
    if not (slipped or sharpen or accurate):
        return None
    return {
        "slipped": slipped[:limit],
        "slipped_more": max(0, len(slipped) - limit),
        "accuracy": accurate,
        "sharpen": sharpen[:limit],
        "sharpen_more": max(0, len(sharpen) - limit),
    }


def slipped_count(memory: Memory | None, entries: list[Entry]) -> int:
    """How many of ``entries`` slipped at least once."""
    if memory is None:
        return 0
    slipped = memory.slipped
    return sum(1 for e in entries if e.id in slipped) if slipped else 0


Rows = dict[str, tuple[str, dict[str, Any]]]
"""Business model key -> (the fingerprint of its roadmap, its portfolio row)."""


def portfolio(
    views: Views, known: Rows | None = None, prints: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """One row per business model: the numbers of its roadmap page, and its slips. ``known``:
    rows made before, by the fingerprint of their model's roadmap (``prints``), which is made
    from all a row shows; a row whose model's fingerprint did not move is taken from there, a
    new one is put there."""
    index = views.index
    rows = []
    for model in index.models.values():
        made = prints.get(model.key, "") if prints is not None else ""
        kept = known.get(model.key) if known is not None and made else None
        if kept is not None and kept[0] == made:
            rows.append(kept[1])
            continue
        numbers = properties(model, index.today)
        upcoming = next_due(model.entries, index.today)
        due = upcoming.milestone.due if upcoming is not None else None
        if upcoming is not None and due is not None:
            title = views.item(upcoming).title.replace("|", "\\|")
            following = f"{title} ({period_name(due)})"
        else:
            following = "—"
        row = {
            "model": views.roadmap_link(model, in_table=True),
            "milestones": numbers["milestones"],
            "overdue": numbers["overdue"],
            "next_due": following,
            "budget": "; ".join(open_budgets(model.entries)) or "—",
            "complete": "—" if numbers["complete"] is None else f"{numbers['complete']} %",
            "on_time": "—" if numbers["on_time"] is None else f"{numbers['on_time']} %",
            "slipped": slipped_count(views.memory, model.entries),
        }
        rows.append(row)
        if known is not None and made:
            known[model.key] = (made, row)
    return {"rows": rows, "today": index.today}
