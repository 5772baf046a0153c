"""The JSON index's pieces written directly (findings, periods kept by identity, history) are
what the JSON encoder makes of the same values."""

from __future__ import annotations

import json
from datetime import date

import pytest

from milepost import load_config, scan
from milepost import report as report_module
from milepost.errors import warning
from milepost.model import Period
from milepost.report import _diagnostic_text, _period_text, _summary_text
from milepost.slips import Summary

from .conftest import FIXTURE_VAULTS, TODAY


def dumped(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize(
    ("path", "line", "message"),
    [
        ("Notes/Café.md", 3, 'unresolved link "[[Ünïcode]]"\t\u2028 \x00 \\ end'),
        ("a.md", 0, ""),
        ("b.md", True, "a bool line goes through the encoder"),
    ],
)
def test_a_finding_is_written_as_the_json_encoder_writes_it(
    path: str, line: int, message: str
) -> None:
    found = warning(path, line, "link.unresolved", message)
    assert _diagnostic_text(found) == "\n    " + dumped(found.as_json())


def test_every_finding_of_the_broken_vault() -> None:
    index = scan(load_config(FIXTURE_VAULTS / "broken", today=TODAY)).index
    assert index.diagnostics()
    for found in index.diagnostics():
        assert _diagnostic_text(found) == "\n    " + dumped(found.as_json())


def test_a_period_kept_by_identity_never_answers_for_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(report_module, "PERIODS_KEPT", 3)  # the memo starts again often
    periods = [
        Period(f'Q{n % 4 + 1} "{2027 + n}"', date(2027 + n, 1, 1), date(2027 + n, 3, 31), "quarter")
        for n in range(10)
    ]
    for _ in range(2):  # made, then (some) kept
        for period in periods:
            assert _period_text(period) == dumped(period.as_json())
    equal = Period(periods[0].text, periods[0].start, periods[0].end, "quarter")
    assert _period_text(equal) == _period_text(periods[0])
    for _ in range(200):  # new periods, some at the address of one that is gone
        made = Period("May 2027", date(2027, 5, 1), date(2027, 5, 31), "month")
        assert _period_text(made) == dumped(made.as_json())
        del made
        other = Period("2028", date(2028, 1, 1), date(2028, 12, 31), "year")
        assert _period_text(other) == dumped(other.as_json())
    assert len(report_module._periods) <= 3


@pytest.mark.parametrize("slips", [0, 2])
def test_a_history_summary_is_written_as_the_json_encoder_writes_it(slips: int) -> None:
    due = Period("Jun 2027", date(2027, 6, 1), date(2027, 6, 30), "month")
    first = Period("Q1 2027", date(2027, 1, 1), date(2027, 3, 31), "quarter")
    for summary in (
        Summary(TODAY, due, slips, 91 * slips, slips),
        Summary(TODAY, first, slips, 91, slips + 1),
        Summary(TODAY, None),
    ):
        assert _summary_text(summary, due, _period_text(due)) == dumped(summary.as_json())
        assert _summary_text(summary) == dumped(summary.as_json())
