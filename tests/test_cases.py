"""Micro cases: tags, links, dates, budgets and milestone items, each a fixture file in cases/."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from markdown_it.utils import read_fixture_file

from milepost.config import DEFAULT_CURRENCIES, Config
from milepost.index import derive_status
from milepost.model import Milestone, Period
from milepost.parse import parse_note
from milepost.parse.budget import parse_budget
from milepost.parse.dates import parse_period
from milepost.resolve import NameTable

from .conftest import TODAY

CASES = Path(__file__).resolve().parent / "cases"


def cases(name: str) -> list[Any]:
    return [
        pytest.param(text, expected, id=f"{line}-{title[:40]}")
        for line, title, text, expected in read_fixture_file(CASES / name)
    ]


def split_options(text: str) -> tuple[dict[str, str], str]:
    options: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("% "):
        key, _, value = lines.pop(0)[2:].partition(":")
        options[key.strip()] = value.strip()
    return options, "".join(lines)


def expected_lines(expected: str) -> list[str]:
    return [line for line in expected.splitlines() if line.strip()]


@pytest.mark.parametrize(("text", "expected"), cases("tags.md"))
def test_tags(text: str, expected: str) -> None:
    note = parse_note("Case.md", text.encode(), Config(vault=Path()))
    got = [tag.name for tag in note.tags] or ["(none)"]
    assert got == expected_lines(expected)


@pytest.mark.parametrize(("text", "expected"), cases("links.md"))
def test_links(text: str, expected: str) -> None:
    options, body = split_options(text)
    files = [f.strip() for f in options.get("files", "Tools/Stripe.md").split(",")]
    source = options.get("from", "Plan.md")
    if "nfd-files" in options:
        files = [unicodedata.normalize("NFD", f) for f in files]
    table = NameTable([*files, source])
    note = parse_note(source, body.encode(), Config(vault=Path()))
    got = []
    for link in note.links:
        found = table.resolve(link.target, source)
        where = (
            f"{unicodedata.normalize('NFC', found.path)} ({found.rule})"
            if found.path
            else "UNRESOLVED"
        )
        embed = " embed" if link.embed else ""
        got.append(
            f"{where} target={link.target!r} sub={link.subpath!r} display={link.display!r}{embed}"
        )
    assert (got or ["(none)"]) == expected_lines(expected)


def show_period(period: Period | None) -> str | None:
    if period is None:
        return None
    return f"{period.start}..{period.end} {period.precision}"


@pytest.mark.parametrize(("text", "expected"), cases("dates.md"))
def test_dates(text: str, expected: str) -> None:
    options, body = split_options(text)
    got: list[str] = []
    for expression in body.splitlines():
        reading = parse_period(
            expression,
            fiscal_start=int(options.get("fiscal_year_start", "1")),
            context_year=int(options["year"]) if "year" in options else None,
        )
        if reading.period is None:
            got.append(reading.outcome)
        else:
            got.append(f"{reading.period.start} {reading.period.end} {reading.period.precision}")
    assert got == expected_lines(expected)


@pytest.mark.parametrize(("text", "expected"), cases("budgets.md"))
def test_budgets(text: str, expected: str) -> None:
    got = []
    for written in text.splitlines():
        budget = parse_budget(written, DEFAULT_CURRENCIES)
        assert budget.text == written  # the text is always kept
        got.append(f"{budget.amount} {budget.currency} {budget.period}")
    assert got == expected_lines(expected)


def milestone_row(milestone: Milestone) -> dict[str, Any]:
    row: dict[str, Any] = {"line": milestone.line, "title": milestone.title}
    if milestone.description:
        row["description"] = milestone.description
    row["status"] = derive_status(milestone, TODAY)
    for name in ("due", "done", "cancelled"):
        value = show_period(getattr(milestone, name))
        if value is not None:
            row[name] = value
    if milestone.owner:
        row["owner"] = milestone.owner
    if milestone.budget is not None:
        b = milestone.budget
        row["budget"] = f"{b.amount} {b.currency} {b.period}"
    if milestone.kind:
        row["kind"] = milestone.kind
    if milestone.model:
        row["model"] = milestone.model
    if milestone.tag != "milestone":
        row["tag"] = milestone.tag
    if milestone.fields:
        row["fields"] = dict(milestone.fields)
    row["missing"] = list(milestone.missing())
    return row


@pytest.mark.parametrize(("text", "expected"), cases("milestones.md"))
def test_milestones(text: str, expected: str) -> None:
    options, body = split_options(text)
    config = Config(vault=Path())
    if "tags" in options:
        config = Config(vault=Path(), tags=(options["tags"],))
    note = parse_note("Concepts/Case.md", body.encode(), config)
    got = [json.dumps(milestone_row(m), ensure_ascii=False) for m in note.milestones]
    got += [
        f"! {d.code} {d.line}" for d in sorted(note.diagnostics, key=lambda d: (d.code, d.line))
    ]
    want = [
        line if line.startswith("!") else json.dumps(json.loads(line), ensure_ascii=False)
        for line in expected_lines(expected)
    ]
    assert got == want
