"""Records that flow between the stages: what a note says, as values.

Every record is a frozen :class:`~milepost.records.Record` (a msgspec Struct). Lines are 1-based
lines of the file as it is on disk. Parsing produces :class:`Note` values and nothing else; the
index combines them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from msgspec import field

from .errors import Diagnostic
from .records import Record

Precision = Literal["day", "month", "quarter", "half", "year", "part"]
BaseStatus = Literal["planned", "in_progress", "achieved", "cancelled"]
Status = Literal["planned", "in_progress", "achieved", "overdue", "cancelled"]
Kind = Literal["plan-review", "assumption", "implementation"]
Priority = Literal["highest", "high", "medium", "low", "lowest"]

STATUSES: tuple[Status, ...] = ("overdue", "in_progress", "planned", "achieved", "cancelled")
"""Every status, in the order pages list them (overdue first)."""

COMPLETENESS: tuple[str, ...] = ("description", "due", "budget", "owner")
"""What a good milestone has, in the order ``missing`` lists it."""


FIELD_ALIASES: dict[str, str] = {
    **dict.fromkeys(("due", "deadline", "target", "by", "expected", "eta", "due_date"), "due"),
    **dict.fromkeys(("start", "begins", "start_date", "starts"), "start"),
    "scheduled": "scheduled",
    "created": "created",
    "priority": "priority",
    **dict.fromkeys(("repeat", "recurrence", "recurs"), "recurrence"),
    **dict.fromkeys(("done", "completion", "completed", "achieved", "done_on", "finished"), "done"),
    **dict.fromkeys(("cancelled", "canceled", "dropped"), "cancelled"),
    **dict.fromkeys(("status", "state"), "status"),
    **dict.fromkeys(
        ("owner", "owners", "responsible", "who", "lead", "team", "assignee", "responsible_person"),
        "owner",
    ),
    **dict.fromkeys(("budget", "cost", "costs"), "budget"),
    **dict.fromkeys(("kind", "type", "milestone_type"), "kind"),
    **dict.fromkeys(("model", "business_model", "businessmodel"), "model"),
    **dict.fromkeys(("id", "🆔"), "id"),
    **dict.fromkeys(
        ("dependson", "depends_on", "depends", "after", "blockedby", "blocked_by", "⛔"), "depends"
    ),
    "gap": "gap",
    "progress": "progress",
    "strategy": "strategy",
    "tactic": "tactic",
    **dict.fromkeys(("assumes", "assumption", "assumptions"), "assumes"),
}
"""Accepted field names (normalised) and the milestone field each one sets."""


class Period(Record, frozen=True):
    """A date as written, kept at its precision: the interval it names, never a guessed day."""

    text: str
    """The expression as written, e.g. ``Q3 2027``."""
    start: date
    """First day of the interval."""
    end: date
    """Last day of the interval."""
    precision: Precision
    """How exact the text is."""

    def as_json(self) -> dict[str, str]:
        return {
            "text": self.text,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "precision": self.precision,
        }


class Budget(Record, frozen=True):
    """A budget as written, with what could be read out of it."""

    text: str
    """The value as written, always kept."""
    amount: int | float | None
    """The number, with ``k``/``M`` multipliers applied; None when unreadable."""
    currency: str | None
    """ISO 4217 code, e.g. ``USD``."""
    period: str | None
    """``day``, ``week``, ``month``, ``quarter`` or ``year`` for recurring budgets."""

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "amount": self.amount,
            "currency": self.currency,
            "period": self.period,
        }


class Link(Record, frozen=True):
    """A wikilink, embed or Markdown link to something in the vault."""

    target: str
    """Path part as written (percent-decoded for Markdown links); empty for a same-note link."""
    subpath: str
    """Heading chain (``A#B``) or block reference (``^id``) after the first ``#``; may be empty."""
    display: str | None
    """Text after ``|`` (or a Markdown link's text); None when absent."""
    embed: bool
    """True for ``![[...]]`` and ``![...](...)``."""
    line: int
    """Line of the link."""
    raw: str
    """The exact source text of the link."""
    markdown: bool = False
    """True for ``[text](target)`` links."""


class Tag(Record, frozen=True):
    """An Obsidian tag occurrence (without the ``#``)."""

    name: str
    line: int


class Heading(Record, frozen=True):
    """A heading of a note."""

    level: int
    text: str
    """Heading text as written (inline Markdown source)."""
    line: int


class ToolUse(Record, frozen=True):
    """A link in a note's Tools section and the explanation nested under it."""

    link: Link
    text: str
    """The explanation text under the link (may be empty)."""


class Dependency(Record, frozen=True):
    """One dependency as written on a milestone: on an id, or on a note or heading link."""

    line: int
    """Line it is written on."""
    id: str | None = None
    """The id it names (``⛔ mvp``, ``[dependsOn:: mvp]``); None for a link."""
    target: str | None = None
    """The link's target as written (``[[Beta#Launch]]`` gives ``Beta``; empty: this note)."""
    heading: str | None = None
    """The heading the link names, if any."""
    gap: int = 0
    """Days that must pass after the other milestone finishes."""


class Progress(Record, frozen=True):
    """How far a milestone is: its child checkboxes, or a stated ``progress::`` percentage."""

    done: int | None
    """Checked children (cancelled ones left out); None without children."""
    total: int | None
    """Children that count (cancelled ones left out); None without children."""
    percent: int
    """``progress::`` when stated, else ``done`` of ``total`` rounded."""

    def as_json(self) -> dict[str, int | None]:
        return {"done": self.done, "total": self.total, "percent": self.percent}


class Milestone(Record, frozen=True):
    """One milestone, as its note states it. Status against today is derived by the index."""

    title: str
    """First line minus marker, checkbox, flag, tag, fields and status parenthetical (Markdown)."""
    description: str
    """Text that follows the title line up to the next item, heading or rule (Markdown)."""
    line: int
    """Line of the title."""
    heading: str | None
    """Text of the nearest heading above the item, for heading links back to it."""
    model: str | None
    """Business-model name as found (field, Examples heading or front matter); None if none."""
    status: BaseStatus
    """Stated status; ``overdue`` is derived later from the due date and today."""
    due: Period | None = None
    start: Period | None = None
    done: Period | None = None
    cancelled: Period | None = None
    owner: str | None = None
    """Responsible person or team (a ``[[link]]`` is kept as written)."""
    budget: Budget | None = None
    kind: Kind | None = None
    tag: str = "milestone"
    """The milestone tag as written, e.g. ``milestone/review``."""
    links: tuple[Link, ...] = ()
    """Links inside the title and description."""
    fields: tuple[tuple[str, str], ...] = ()
    """Other ``key:: value`` fields of the item, as written."""
    note_milestone: bool = False
    """True when the whole note is the milestone (front matter ``tags: [milestone]``)."""
    priority: Priority | None = None
    """Tasks priority (🔺 ⏫ 🔼 🔽 ⏬, or ``priority::``)."""
    recurrence: str | None = None
    """Tasks recurrence as written after 🔁 (or ``repeat::``), e.g. ``every month``."""
    created: Period | None = None
    """Tasks created date (➕, or ``created::``)."""
    scheduled: Period | None = None
    """Tasks scheduled date (⏳, or ``scheduled::``); it is the start too when there is none."""
    ident: str | None = None
    """The explicit id other milestones depend on it by (Tasks ``🆔``, or ``[id:: …]``)."""
    depends: tuple[Dependency, ...] = ()
    """What it depends on (``⛔``, ``dependsOn::``, ``depends::``/``after::``, front matter)."""
    progress: Progress | None = None
    """Its child checkboxes, or ``progress::``; None when neither."""
    strategy: str | None = None
    """The strategy it serves (a ``Strategy: …`` heading above it, or ``strategy::``)."""
    tactic: str | None = None
    """The tactic it serves (a ``Tactic: …`` heading above it, or ``tactic::``)."""
    assumes: tuple[str, ...] = ()
    """The assumption milestones it rests on, as written in ``assumes::``."""
    invalidated: bool = False
    """An assumption marked ``(invalidated)`` or ``status:: invalidated``."""

    def missing(self) -> tuple[str, ...]:
        """The parts of a good milestone (description, due, budget, owner) it lacks."""
        lacks: list[str] = []
        if not self.description:
            lacks.append("description")
        if self.due is None and (self.status != "achieved" or self.done is None):
            lacks.append("due")
        if self.budget is None:
            lacks.append("budget")
        if not self.owner:
            lacks.append("owner")
        return tuple(lacks)


class Note(Record, frozen=True):
    """Everything milepost reads out of one Markdown file."""

    path: str
    """Vault-relative POSIX path, with the ``.md`` extension."""
    frontmatter: dict[str, Any] = field(default_factory=dict)
    """Front matter properties (YAML 1.2 values); empty when absent or invalid."""
    aliases: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()
    links: tuple[Link, ...] = ()
    headings: tuple[Heading, ...] = ()
    blocks: tuple[tuple[str, int], ...] = ()
    """Block ids (``^id``) and their lines."""
    milestones: tuple[Milestone, ...] = ()
    tools: tuple[ToolUse, ...] = ()
    regions: tuple[tuple[str, int], ...] = ()
    """Managed regions (``%% milepost:begin <what> %%``): what they hold and their begin line."""
    model: str | None = None
    """The note's own business model (front matter ``business_model``), if any."""
    is_model: bool = False
    """True for a business-model note (front matter ``type: business-model``)."""
    generated: bool = False
    """True for a page milepost generated (never a source of milestones)."""
    publish: bool | None = None
    """Front matter ``publish`` when it is a real boolean."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Diagnostics found while reading and parsing this note."""
    large: bool = False
    """True for a note over ``max_note_mb``: read by a line scan, not parsed in full."""

    @property
    def title(self) -> str:
        """The note's name: its file name without the extension."""
        name = self.path.rsplit("/", 1)[-1]
        return name[:-3] if name.lower().endswith(".md") else name
