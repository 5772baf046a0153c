"""What pages show of dependencies, progress and the strategy -> tactic chain (view values).

Kept apart from :mod:`.views`, which calls in here: the fields of an :class:`~.views.Item`, the
roadmap's critical chain, strategy grouping and Mermaid ``after`` links, and the review's
"Blocked" list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..index import BusinessModel, Entry, VaultIndex
from ..model import Progress
from ..planning import Planning, planning
from .links import heading_link
from .mermaid import SYMBOL

BLOCKED = "Blocked: waiting on an overdue predecessor"


def milestone_link(entry: Entry) -> str:
    """A link to where a milestone is written, shown by its title."""
    m = entry.milestone
    return heading_link(entry.path, m.heading, m.title or "(untitled)")


def progress_text(progress: Progress | None) -> str | None:
    """``2/3 · 67%``, or ``40%`` when only a percentage is stated."""
    if progress is None:
        return None
    if progress.total is None:
        return f"{progress.percent}%"
    return f"{progress.done}/{progress.total} · {progress.percent}%"


def _days(count: int) -> str:
    return "1 day" if abs(count) == 1 else f"{abs(count)} days"


def slack_text(plan: Planning, entry: Entry) -> str | None:
    """Slack of a milestone that has dependencies (``slack 46 days``, ``5 days late``)."""
    if entry.id not in plan.schedule.timings or entry.status in ("achieved", "cancelled"):
        return None
    slack = plan.timing(entry).slack_days
    if slack is None:
        return None
    return f"{_days(slack)} late" if slack < 0 else f"slack {_days(slack)}"


def item_fields(index: VaultIndex, entry: Entry) -> dict[str, Any]:
    """The dependency, progress and strategy fields of one :class:`~.views.Item`."""
    m = entry.milestone
    fields: dict[str, Any] = {
        "progress": progress_text(m.progress),
        "strategy": m.strategy,
        "tactic": m.tactic,
    }
    plan = planning(index)
    if entry.id in plan.schedule.timings:
        fields["blocked_by"] = [milestone_link(e) for e in plan.predecessors(entry)]
        fields["blocks"] = [milestone_link(e) for e in plan.successors(entry)]
        fields["slack"] = slack_text(plan, entry)
        fields["critical"] = plan.timing(entry).critical
    return fields


def after_links(index: VaultIndex, entries: Sequence[Entry]) -> dict[str, str]:
    """Milestone id -> the id of its one predecessor, for those with exactly one."""
    plan = planning(index)
    found = {}
    for entry in entries:
        timing = plan.schedule.timings.get(entry.id)
        if timing is not None and len(timing.depends_on) == 1:
            found[entry.id] = timing.depends_on[0]
    return found


def roadmap_fields(index: VaultIndex, model: BusinessModel) -> dict[str, Any]:
    """The roadmap's critical chain (links in dependency order) and, when any milestone has a
    strategy or tactic, links to its milestones grouped by strategy, then tactic."""
    plan = planning(index)
    chain = [milestone_link(plan.entries[key]) for key in plan.chain(model.key)]
    strategies: list[dict[str, Any]] = []
    if any(e.milestone.strategy or e.milestone.tactic for e in model.entries):
        grouped: dict[str, dict[str, list[Entry]]] = {}
        for entry in model.entries:
            m = entry.milestone
            if m.strategy or m.tactic:
                tactics = grouped.setdefault(m.strategy or "", {})
                tactics.setdefault(m.tactic or "", []).append(entry)
        for strategy, tactics in grouped.items():
            strategies.append(
                {
                    "strategy": strategy or "(no strategy)",
                    "tactics": [
                        {
                            "tactic": tactic or "(no tactic)",
                            "milestones": [
                                f"{SYMBOL[e.status]} {milestone_link(e)}" for e in entries
                            ],
                        }
                        for tactic, entries in tactics.items()
                    ],
                }
            )
    return {"critical_chain": chain, "strategies": strategies}


def blocked(index: VaultIndex, model: BusinessModel) -> list[Entry]:
    """A model's open milestones that wait on an overdue predecessor."""
    return [entry for entry, _ in planning(index).blocked(model.entries)]
