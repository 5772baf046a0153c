"""From what an item says to a :class:`~milepost.model.Milestone`: precedence and conflicts.

For each field the first source in its row wins: an inline field beats a Tasks emoji, which beats
front matter, which beats a trailing parenthetical. Status: checkbox, ``status::``, a done or
cancelled date, the parenthetical's verb. A losing source that disagrees is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..config import Config
from ..errors import Diagnostic, warning
from ..model import BaseStatus, Budget, Dependency, Kind, Link, Milestone, Period
from .budget import parse_budget
from .dates import parse_period
from .dependencies import (
    Planned,
    assumed,
    frontmatter_references,
    planning_value,
    references,
    with_planning,
)
from .fields import canonical_field
from .vocabulary import PRIORITY_NAMES, Parenthetical, kind_of, status_of
from .wikilinks import link_name

_CHECKBOX: dict[str, BaseStatus] = {
    " ": "planned",
    "x": "achieved",
    "X": "achieved",
    "-": "cancelled",
    "/": "in_progress",
    ">": "planned",
}
_OPEN: frozenset[str] = frozenset({"planned", "in_progress"})
_DATED: tuple[str, ...] = ("scheduled", "start", "due", "done", "cancelled", "created")
_DATED += ("priority", "recurrence", "status")
"""The fields picked before the status is weighed (it needs the done and cancelled dates)."""
_STATED: tuple[str, ...] = ("kind", "model", "owner", "budget")
"""The fields picked after it."""


@dataclass(slots=True)
class ItemDraft:
    """What the extractor gathered for one item, before precedence is applied."""

    path: str
    line: int
    title: str
    tag: str
    heading: str | None
    model: str | None
    checkbox: str | None = None
    context_year: int | None = None
    fields: list[tuple[str, str, int]] = field(default_factory=list)
    """``key:: value`` fields in order of appearance: (key, value, line)."""
    emoji: list[tuple[str, str, int]] = field(default_factory=list)
    """Tasks emoji fields: (name, ISO date, line)."""
    frontmatter: Mapping[str, object] = field(default_factory=dict)
    """Front matter properties (milestone notes only)."""
    paren: Parenthetical | None = None
    description: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    note_milestone: bool = False
    children: list[str] = field(default_factory=list)
    """Checkbox characters of the item's child list items."""
    strategy: str | None = None
    """The strategy the headings above name."""
    tactic: str | None = None
    """The tactic the headings above name."""


@dataclass(slots=True)
class _Candidate:
    value: object
    shown: str
    source: str
    line: int


class _Builder:
    def __init__(self, draft: ItemDraft, config: Config) -> None:
        self.draft = draft
        self.config = config
        self.diagnostics: list[Diagnostic] = []
        self.candidates: dict[str, list[_Candidate]] = {}
        self.extra: list[tuple[str, str]] = []
        self.depends: list[Dependency] = []
        self.assumes: list[str] = []
        self.invalidated = False

    def warn(self, line: int, code: str, message: str) -> None:
        self.diagnostics.append(warning(self.draft.path, line, code, message))

    def offer(self, name: str, value: object, shown: str, source: str, line: int) -> None:
        self.candidates.setdefault(name, []).append(_Candidate(value, shown, source, line))

    def date(self, name: str, text: str, source: str, line: int) -> None:
        reading = parse_period(
            text, fiscal_start=self.config.fiscal_year_start, context_year=self.draft.context_year
        )
        if reading.period is not None:
            self.offer(name, reading.period, text.strip(), source, line)
        elif reading.outcome == "ambiguous":
            self.warn(
                line,
                "date.ambiguous",
                f"{name} {text.strip()!r} has no year and no date heading or front matter 'year' "
                "gives one; write the year (e.g. 'Q3 2027')",
            )
        elif reading.outcome == "invalid":
            self.warn(
                line,
                "date.invalid",
                f"{name} {text.strip()!r} is not a date milepost reads; write e.g. "
                "'2026-06-30', 'Jun 2026', 'Q3 2026', 'H2 2026' or '2026'",
            )

    def field(self, key: str, value: str, source: str, line: int) -> None:
        name = canonical_field(key)
        text = value.strip()
        if name is None or name == "description":
            self.extra.append((key.strip(), text))
            return
        if not text:
            return
        if name in ("due", "start", "done", "cancelled", "scheduled", "created"):
            self.date(name, text, source, line)
        elif name == "priority":
            if text.lower() in PRIORITY_NAMES:
                self.offer(name, text.lower(), text, source, line)
            else:
                self.extra.append((key.strip(), text))
        elif name in ("depends", "gap", "progress", "assumes", "id"):
            self.planning("ident" if name == "id" else name, key, text, source, line)
        elif name == "status" and text.lower() == "invalidated":
            self.invalidated = True
        elif name == "status":
            status = status_of(text)
            if status is None:
                self.warn(
                    line,
                    "milestone.status-unknown",
                    f"status {text!r} is not one of planned, in progress, achieved, cancelled",
                )
            else:
                self.offer("status", status, text, source, line)
        elif name == "kind":
            kind = kind_of(text)
            if kind is None:
                self.warn(
                    line,
                    "milestone.kind-unknown",
                    f"kind {text!r} is not plan-review, assumption or implementation",
                )
            else:
                self.offer("kind", kind, text, source, line)
        elif name == "budget":
            budget = parse_budget(text, self.config.currencies)
            if budget.amount is None:
                self.warn(
                    line,
                    "budget.unreadable",
                    f"budget {text!r} has no amount milepost can read; it is kept as text",
                )
            self.offer("budget", budget, text, source, line)
        elif name == "model":
            self.offer(name, link_name(text), text, source, line)
        else:
            self.offer(name, text, text, source, line)

    def planning(self, name: str, key: str, text: str, source: str, line: int) -> None:
        """Dependencies, their gap, the id, progress and assumptions."""
        if name == "depends":
            problems: list[str] = []
            self.dependencies(references(text, line, problems), problems, key, line)
        elif name == "assumes":
            self.assumes.extend(assumed(text))
        else:
            value, problem = planning_value(name, text)
            if problem is not None:
                self.warn(line, *problem)
            else:
                self.offer(name, value, text, source, line)

    def dependencies(
        self, found: list[Dependency], problems: list[str], key: str, line: int
    ) -> None:
        self.depends.extend(found)
        for problem in problems:
            self.warn(line, "dependency.unreadable", f"{key.strip()}: {problem}")

    def picks(self, names: tuple[str, ...]) -> dict[str, object | None]:
        """What :meth:`pick` gives for each of ``names`` that has a candidate, in that order."""
        candidates = self.candidates
        if not candidates:
            return {}
        return {name: self.pick(name) for name in names if name in candidates}

    def pick(self, name: str) -> object | None:
        options = self.candidates.get(name)
        if not options:
            return None
        winner = options[0]
        for other in options[1:]:
            if other.value != winner.value and not _same(winner.value, other.value):
                self.warn(
                    other.line,
                    "milestone.conflict",
                    f"{name} is {winner.shown!r} ({winner.source}, kept) and also "
                    f"{other.shown!r} ({other.source})",
                )
        return winner.value


def _same(a: object, b: object) -> bool:
    if isinstance(a, Period) and isinstance(b, Period):
        return (a.start, a.end) == (b.start, b.end)
    if isinstance(a, Budget) and isinstance(b, Budget):
        return (a.amount, a.currency, a.period) == (b.amount, b.currency, b.period)
    return False


def build_milestone(draft: ItemDraft, config: Config) -> tuple[Milestone, list[Diagnostic]]:
    """Apply precedence to a draft; return the milestone and what was wrong with it."""
    b = _Builder(draft, config)
    problems: list[str] = []
    title = draft.title
    if title[-13:].lower() == "(invalidated)":
        title, b.invalidated = title[:-13].rstrip(), True
    for key, value, line in draft.fields:
        b.field(key, value, "field", line)
    for name, value, line in draft.emoji:
        if name in ("priority", "recurrence"):
            b.offer(name, value, value, "Tasks emoji", line)
        elif name == "id":
            b.offer("ident", value, value, "Tasks emoji", line)
        elif name == "depends":
            problems.clear()
            b.dependencies(references(value, line, problems), problems, "⛔", line)
        else:
            b.date(name, value, "Tasks emoji", line)
    for key, prop in draft.frontmatter.items():
        if prop is not None and not isinstance(prop, dict | list):
            b.field(str(key), _scalar(prop), "front matter", 1)
        elif isinstance(prop, list) and canonical_field(str(key)) == "owner":
            b.field(str(key), ", ".join(_scalar(v) for v in prop), "front matter", 1)
        if canonical_field(str(key)) == "depends" and isinstance(prop, dict | list):
            problems.clear()
            b.dependencies(frontmatter_references(prop, problems), problems, str(key), 1)
    paren = draft.paren
    if paren is not None and paren.date_text:
        slot = {"achieved": "done", "cancelled": "cancelled"}.get(paren.status, "due")
        b.date(slot, paren.date_text, "parenthetical", draft.line)
    picked = b.picks(_DATED)
    scheduled = picked.get("scheduled")
    start = picked.get("start") or scheduled
    due, done, cancelled = picked.get("due"), picked.get("done"), picked.get("cancelled")
    created, priority = picked.get("created"), picked.get("priority")
    recurrence = picked.get("recurrence")
    status = _status(b, draft, done, cancelled, picked.get("status"))
    picked = b.picks(_STATED)
    kind = picked.get("kind") or _kind_from_tag(draft.tag)
    model = picked.get("model")
    milestone = Milestone(
        title=title,
        description=_description(draft.description),
        line=draft.line,
        heading=draft.heading,
        model=str(model) if model else draft.model,
        status=status,
        due=due if isinstance(due, Period) else None,
        start=start if isinstance(start, Period) else None,
        done=done if isinstance(done, Period) else None,
        cancelled=cancelled if isinstance(cancelled, Period) else None,
        owner=_owner(picked.get("owner")),
        budget=_budget(picked.get("budget")),
        kind=kind if isinstance(kind, str) else None,  # type: ignore[arg-type]
        tag=draft.tag,
        links=tuple(draft.links),
        fields=tuple(b.extra),
        note_milestone=draft.note_milestone,
        priority=priority if isinstance(priority, str) else None,  # type: ignore[arg-type]
        recurrence=recurrence if isinstance(recurrence, str) else None,
        created=created if isinstance(created, Period) else None,
        scheduled=scheduled if isinstance(scheduled, Period) else None,
    )
    milestone = _planned(b, draft, milestone)
    if not draft.title:
        b.warn(draft.line, "milestone.untitled", "milestone has no title text after its tag")
    return milestone, b.diagnostics


def _planned(b: _Builder, draft: ItemDraft, milestone: Milestone) -> Milestone:
    """The milestone with its id, dependencies, progress, strategy and tactic, when any."""
    candidates = b.candidates
    if not (
        draft.children
        or b.depends
        or b.assumes
        or b.invalidated
        or draft.strategy
        or draft.tactic
        or "ident" in candidates
        or "gap" in candidates
        or "progress" in candidates
        or "strategy" in candidates
        or "tactic" in candidates
    ):
        return milestone  # what with_planning gives when there is nothing to add
    picked = {name: b.pick(name) for name in ("ident", "gap", "progress", "strategy", "tactic")}
    return with_planning(
        milestone,
        picked,
        Planned(draft.children, b.depends, b.assumes, b.invalidated, draft.strategy, draft.tactic),
    )


def _status(
    b: _Builder, draft: ItemDraft, done: object, cancelled: object, field_status: object
) -> BaseStatus:
    stated: list[tuple[BaseStatus, str]] = []
    if draft.checkbox is not None:
        stated.append((_CHECKBOX.get(draft.checkbox, "planned"), f"checkbox [{draft.checkbox}]"))
    if isinstance(field_status, str):
        stated.append((field_status, "status field"))  # type: ignore[arg-type]
    if done is not None:
        stated.append(("achieved", "done date"))
    elif cancelled is not None:
        stated.append(("cancelled", "cancelled date"))
    if draft.paren is not None:
        stated.append((draft.paren.status, f"parenthetical {draft.paren.raw!r}"))
    if not stated:
        return "planned"
    winner, why = stated[0]
    for other, source in stated[1:]:
        if other != winner and not (other in _OPEN and winner in _OPEN):
            b.warn(
                draft.line,
                "milestone.conflict",
                f"status is {winner.replace('_', ' ')} ({why}, kept) but the "
                f"{source} says {other.replace('_', ' ')}",
            )
    return winner


def _kind_from_tag(tag: str) -> Kind | None:
    _, _, sub = tag.partition("/")
    return kind_of(sub.replace("-", " ")) if sub else None


def _owner(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _budget(value: object) -> Budget | None:
    return value if isinstance(value, Budget) else None


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _description(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
