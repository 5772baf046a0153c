"""The JSON index (schema 1) that ``index --json`` prints (the human summaries of ``index`` and
``check`` are :mod:`.report_lines`).

The JSON is written business model by business model, so a vault with hundreds of thousands of
milestones never holds the whole document in memory.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any, TextIO

from .accuracy import accuracy, owners
from .errors import Diagnostic
from .history import Log
from .index import BusinessModel, Entry, Tool, VaultIndex
from .memory import Memory, remember
from .model import STATUSES, Budget, Period
from .planning import Planning, planning
from .slips import Summary

SCHEMA = 1


def _period(value: Any) -> Any:
    return value.as_json() if value is not None else None


def entry_json(entry: Entry, plan: Planning | None = None) -> dict[str, Any]:
    m = entry.milestone
    extra = plan.fields(entry) if plan is not None else {}
    return {
        "id": entry.id,
        "title": m.title,
        "description": m.description,
        "status": entry.status,
        "kind": m.kind,
        "owner": m.owner,
        "due": _period(m.due),
        "start": _period(m.start),
        "done": _period(m.done),
        "cancelled": _period(m.cancelled),
        "scheduled": _period(m.scheduled),
        "created": _period(m.created),
        "priority": m.priority,
        "recurrence": m.recurrence,
        "budget": m.budget.as_json() if m.budget is not None else None,
        "missing": list(entry.missing),
        "tag": m.tag,
        "fields": dict(m.fields),
        **extra,
        "source": {"path": entry.path, "line": m.line, "heading": m.heading},
    }


_string = json.encoder.encode_basestring
"""A string as JSON, without escaping non-ASCII (what ``ensure_ascii=False`` writes)."""


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _period_text(period: Period | None) -> str:
    """``_dump(period.as_json())``, written directly, and kept by the period's identity: equal
    periods of the notes read are one object (:mod:`milepost.interning`), so a vault's 207,000
    dates are a few thousand texts (a memo by equality cost more: it hashed dataclasses)."""
    if period is None:
        return "null"
    known = _periods.get(id(period))
    if known is not None and known[0] is period:
        return known[1]
    start, end, text, precision = period.start, period.end, period.text, period.precision
    if type(start) is not date or type(end) is not date or type(text) is not str:
        return _dump(period.as_json())
    made = (
        f'{{"text": {_string(text)}, "start": "{start.isoformat()}", "end": '
        f'"{end.isoformat()}", "precision": {_string(precision)}}}'
    )
    if len(_periods) >= PERIODS_KEPT:
        _periods.clear()
    _periods[id(period)] = (period, made)  # the period is held: its id is never another's
    return made


_periods: dict[int, tuple[Period, str]] = {}
PERIODS_KEPT = 1 << 14
"""At most this many period texts are kept (the memo starts again when full)."""


def entry_text(entry: Entry, plan: Planning | None = None) -> str:
    """``entry_json`` as one line of JSON, written directly (the index's hottest loop)."""
    return "".join(_entry_pieces(entry, plan, "}}"))


def _entry_pieces(entry: Entry, plan: Planning | None, last: str) -> tuple[str, ...]:
    """The pieces of :func:`entry_text`, ending with ``last`` (what closes the line)."""
    m = entry.milestone
    return (
        '{"id": ',
        _string(entry.id),
        ', "title": ',
        _string(m.title),
        ', "description": ',
        _string(m.description),
        ', "status": ',
        _string(entry.status),
        ', "kind": ',
        _text(m.kind),
        ', "owner": ',
        _text(m.owner),
        ', "due": ',
        _period_text(m.due),
        ', "start": ',
        _period_text(m.start),
        ', "done": ',
        _period_text(m.done),
        ', "cancelled": ',
        _period_text(m.cancelled),
        ', "scheduled": ',
        _period_text(m.scheduled),
        ', "created": ',
        _period_text(m.created),
        ', "priority": ',
        _text(m.priority),
        ', "recurrence": ',
        _text(m.recurrence),
        ', "budget": ',
        "null" if m.budget is None else _budget_text(m.budget),
        ', "missing": [',
        ", ".join(map(_string, entry.missing)),
        '], "tag": ',
        _string(m.tag),
        ', "fields": ',
        _fields_text(m.fields) if m.fields else "{}",
        "" if plan is None else plan.fields_text(entry),
        ', "source": {"path": ',
        _string(entry.path),
        ', "line": ',
        str(m.line),
        ', "heading": ',
        _text(m.heading),
        last,
    )


def _budget_text(budget: Budget) -> str:
    """``_dump(budget.as_json())``, written directly for the usual values (text, an int or no
    amount, text or no currency and period); any other value goes through the encoder."""
    amount, currency, period = budget.amount, budget.currency, budget.period
    if type(amount) is int:
        shown = int.__repr__(amount)
    elif amount is None:
        shown = "null"
    else:
        return _dump(budget.as_json())
    if (currency is not None and type(currency) is not str) or (
        period is not None and type(period) is not str
    ):
        return _dump(budget.as_json())
    return (
        f'{{"text": {_string(budget.text)}, "amount": {shown}, "currency": '
        f'{"null" if currency is None else _string(currency)}, "period": '
        f"{'null' if period is None else _string(period)}}}"
    )


def _fields_text(fields: tuple[tuple[str, str], ...]) -> str:
    """``_dump(dict(fields))``, written directly when every key and value is a string."""
    pairs = dict(fields)
    if all(type(k) is str and type(v) is str for k, v in pairs.items()):
        return "{" + ", ".join(_string(k) + ": " + _string(v) for k, v in pairs.items()) + "}"
    return _dump(pairs)


def counts(model: BusinessModel) -> dict[str, int]:
    found = Counter(entry.status for entry in model.entries)
    result: dict[str, int] = {status: found.get(status, 0) for status in STATUSES}
    result["complete"] = sum(1 for e in model.entries if not e.missing)
    return result


def model_json(index: VaultIndex, model: BusinessModel) -> dict[str, Any]:
    return {
        "name": model.name,
        "note": model.note,
        "aliases": list(model.aliases),
        "tools": [index.tools[key].name for key in model.tools],
        "counts": counts(model),
        "milestones": [entry_json(entry, planning(index)) for entry in model.entries],
    }


def tool_json(index: VaultIndex, tool: Tool) -> dict[str, Any]:
    return {
        "name": tool.name,
        "note": tool.note,
        "used_by": [{"note": path, "text": text} for path, text in tool.used_by],
        "business_models": [index.models[key].name for key in tool.models],
    }


_dump = json.JSONEncoder(ensure_ascii=False).encode
"""One JSON value on one line (one shared encoder: ``json.dumps`` builds one per call)."""

WRITE_EVERY = 1 << 16
"""Pieces of JSON are gathered into writes of about this many characters."""


def _model_text(index: VaultIndex, model: BusinessModel, memory: Memory) -> Iterator[str]:
    """One business model: a key per line, then one milestone per line (fast, and greppable)."""
    yield "\n    {"
    for key, value in (
        ("name", model.name),
        ("note", model.note),
        ("aliases", list(model.aliases)),
        ("tools", [index.tools[key].name for key in model.tools]),
        ("counts", counts(model)),
        ("accuracy", accuracy(model.entries).as_json()),
    ):
        yield f'\n      "{key}": {_dump(value)},'
    entries = model.entries
    if not entries:
        yield '\n      "milestones": []\n    }'
        return
    yield '\n      "milestones": [\n        '
    plan = planning(index)
    for at in range(0, len(entries), LINES_AT_ONCE):  # a model's milestones are never held
        lines = [_with_history(e, memory, plan) for e in entries[at : at + LINES_AT_ONCE]]
        yield ("" if at == 0 else ",\n        ") + ",\n        ".join(lines)  # as one string
    yield "\n      ]\n    }"


LINES_AT_ONCE = 256
"""Milestone lines joined into one piece of the JSON (fewer, larger pieces are faster)."""


def _with_history(entry: Entry, memory: Memory, plan: Planning | None = None) -> str:
    """A milestone's line with its ``history`` (what planning memory says of it): the pieces
    of :func:`_entry_pieces` in one f-string, with no call for a value that is None."""
    summary = memory.of(entry)
    m = entry.milestone
    kind, owner, priority, recurrence = m.kind, m.owner, m.priority, m.recurrence
    due, start, done, cancelled = m.due, m.start, m.done, m.cancelled
    scheduled, created, budget, heading = m.scheduled, m.created, m.budget, m.heading
    missing = entry.missing
    due_text = "null" if due is None else _period_text(due)
    return (
        f'{{"id": {_string(entry.id)}, "title": {_string(m.title)}, "description": '
        f'{_string(m.description)}, "status": {_string(entry.status)}, "kind": '
        f'{"null" if kind is None else _string(kind)}, "owner": '
        f'{"null" if owner is None else _string(owner)}, "due": '
        f'{due_text}, "start": '
        f'{"null" if start is None else _period_text(start)}, "done": '
        f'{"null" if done is None else _period_text(done)}, "cancelled": '
        f'{"null" if cancelled is None else _period_text(cancelled)}, "scheduled": '
        f'{"null" if scheduled is None else _period_text(scheduled)}, "created": '
        f'{"null" if created is None else _period_text(created)}, "priority": '
        f'{"null" if priority is None else _string(priority)}, "recurrence": '
        f'{"null" if recurrence is None else _string(recurrence)}, "budget": '
        f'{"null" if budget is None else _budget_text(budget)}, "missing": ['
        f'{", ".join(map(_string, missing)) if missing else ""}], "tag": {_string(m.tag)}'
        f', "fields": {_fields_text(m.fields) if m.fields else "{}"}'
        f'{"" if plan is None else plan.fields_text(entry)}, "source": {{"path": '
        f'{_string(entry.path)}, "line": {m.line}, "heading": '
        f'{"null" if heading is None else _string(heading)}}}, "history": '
        f"{'null' if summary is None else _summary_text(summary, due, due_text)}}}"
    )


_dates: dict[date, str] = {}


def _summary_text(summary: Summary, due: Period | None = None, due_text: str = "") -> str:
    """``_dump(summary.as_json())``, written directly for the usual values (ints, a date).
    ``due_text``: the text of ``due``, reused when the first due date is that very period
    (as it is for every milestone of a first build)."""
    slips, slip_days, changes = summary.slips, summary.slip_days, summary.changes
    if (
        type(slips) is not int
        or type(slip_days) is not int
        or type(changes) is not int
        or type(summary.first_seen) is not date
    ):
        return _dump(summary.as_json())
    seen = _dates.get(summary.first_seen)
    if seen is None:
        if len(_dates) > 65536:  # a long watch session: keep the memo small
            _dates.clear()
        seen = _dates[summary.first_seen] = _string(summary.first_seen.isoformat())
    first_due = (
        due_text
        if due is not None and summary.first_due is due
        else _period_text(summary.first_due)
    )
    return (
        f'{{"first_seen": {seen}, "first_due": {first_due}, "slips": {slips}, "slip_days": '
        f'{slip_days}, "changes": {changes}}}'
    )


def iter_json(index: VaultIndex, memory: Memory | None = None) -> Iterator[str]:
    """The JSON index in pieces, in a stable order (schema 1, documented in the README).
    ``memory``: the vault's history (None: none yet, as if every milestone were new today)."""
    if memory is None:
        memory = remember(index, Log())
    yield "{\n"
    yield f'  "schema": {SCHEMA},\n'
    yield f'  "today": "{index.today.isoformat()}",\n'
    yield '  "business_models": ['
    for number, model in enumerate(index.models.values()):
        if number:
            yield ","
        yield from _model_text(index, model, memory)
    yield "\n  ],\n" if index.models else "],\n"
    yield '  "tools": ['
    for number, tool in enumerate(index.tools.values()):
        yield ("," if number else "") + "\n    " + _dump(tool_json(index, tool))
    yield "\n  ],\n" if index.tools else "],\n"
    yield '  "owners": ['
    people = owners(index)
    yield ",".join("\n    " + _dump(row) for row in people)
    yield "\n  ],\n" if people else "],\n"
    diagnostics = index.diagnostics()
    yield '  "diagnostics": ['
    for at in range(0, len(diagnostics), LINES_AT_ONCE):
        found = diagnostics[at : at + LINES_AT_ONCE]
        yield ("," if at else "") + ",".join(map(_diagnostic_text, found))
    yield "\n  ]\n}\n" if diagnostics else "]\n}\n"


def _diagnostic_text(diagnostic: Diagnostic) -> str:
    """``"\\n    " + _dump(diagnostic.as_json())``, written directly for the usual values."""
    path, line, code = diagnostic.path, diagnostic.line, diagnostic.code
    severity, message = diagnostic.severity, diagnostic.message
    if (
        type(path) is not str
        or type(line) is not int
        or type(code) is not str
        or type(message) is not str
    ):  # (the severity is one of two literals)
        return "\n    " + _dump(diagnostic.as_json())
    return (
        f'\n    {{"code": {_string(code)}, "severity": {_string(severity)}, "path": '
        f'{_string(path)}, "line": {int.__repr__(line)}, "message": {_string(message)}}}'
    )


def write_json(index: VaultIndex, out: TextIO, memory: Memory | None = None) -> None:
    pending: list[str] = []
    size = 0
    for piece in iter_json(index, memory):
        pending.append(piece)
        size += len(piece)
        if size >= WRITE_EVERY:
            out.write("".join(pending))
            pending.clear()
            size = 0
    out.write("".join(pending))
