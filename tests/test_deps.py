"""The dependency engine: slack from a forward and a backward pass, conflicts, cycles, chains.

Every expected number is worked out by hand from the rules in :mod:`milepost.deps`, in the
comment beside it: EF = max(window start, max over predecessors of EF + gap), LF = min(window
end, min over successors of LF - gap), slack = LF - EF.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from random import Random
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milepost import load_config, scan
from milepost.deps import (
    Node,
    Reference,
    Targets,
    Timing,
    analyse,
    node_of,
    parse_gap,
    resolve,
    schedule,
    targets_of,
)
from milepost.errors import Diagnostic
from milepost.index import Entry
from milepost.model import Period, Status
from milepost.parse.dates import parse_period
from milepost.records import replace

from .conftest import ROOT

TODAY = date(2026, 3, 1)


def period(text: str) -> Period:
    found = parse_period(text).period
    assert found is not None, text
    return found


def node(
    key: str,
    due: str | None = None,
    *after: str | Reference,
    status: Status = "planned",
    done: str | None = None,
    model: str = "m",
    path: str = "Plan.md",
    line: int = 1,
    defines: tuple[str, ...] = (),
) -> Node:
    """A milestone ``key`` (which is also its title and, unless ``defines`` says otherwise, its
    one id) due ``due``, depending on the ids in ``after``."""
    refs = tuple(r if isinstance(r, Reference) else Reference(line, id=r) for r in after)
    return Node(
        key,
        key,
        path,
        line,
        model,
        status,
        None if due is None else period(due),
        None if done is None else period(done),
        defines or (key,),
        refs,
    )


@dataclass(frozen=True)
class Run:
    """A schedule, with the timing of every node (not only those with dependencies)."""

    timings: dict[str, Timing]
    chains: dict[str, tuple[str, ...]]
    diagnostics: tuple[Diagnostic, ...]


def run(nodes: list[Node], targets: Targets | None = None) -> Run:
    targets = targets or Targets()
    result = analyse(nodes, targets)
    edges = resolve(nodes, targets).edges
    assert set(result.timings) == {e.before for e in edges} | {e.after for e in edges}
    return Run({n.key: result.timing(n) for n in nodes}, result.chains, result.diagnostics)


def codes(result: Run) -> list[str]:
    return [d.code for d in result.diagnostics]


def slack(result: Run) -> dict[str, int | None]:
    return {key: t.slack_days for key, t in result.timings.items()}


# ----- the example, from a real note ---------------------------------------------------
PLAN = """\
# Plan

- [ ] #milestone MVP 📅 2026-04-15 🆔 mvp
- [ ] #milestone Beta (expected Q2 2026) ⛔ mvp 🆔 beta
- [ ] #milestone Seed round [due:: {seed}] [dependsOn:: beta]
"""
WIRING = {"MVP": (("mvp",), ()), "Beta": (("beta",), ("mvp",)), "Seed round": ((), ("beta",))}
"""Ids and references per title, as the lines above write them (the parser does not read them
into the records yet)."""


def read_plan(tmp_path: Path, seed: str) -> tuple[list[Entry], list[Node]]:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Plan.md").write_text(PLAN.format(seed=seed), encoding="utf-8")
    index = scan(load_config(vault), TODAY, cache=False).index
    entries = [e for model in index.models.values() for e in model.entries]
    nodes = []
    for entry in entries:
        defines, ids = WIRING[entry.milestone.title]
        refs = [Reference(entry.milestone.line, id=i) for i in ids]
        nodes.append(node_of(entry, defines, refs))
    return entries, nodes


def test_the_example_gives_slack_0_46_and_0(tmp_path: Path) -> None:
    entries, nodes = read_plan(tmp_path, "2026-05-31")
    result = run(nodes, targets_of(entries))
    by_title = {n.title: result.timings[n.key] for n in nodes}
    mvp, beta, seed = by_title["MVP"], by_title["Beta"], by_title["Seed round"]
    # MVP: window 04-15..04-15; EF 04-15; LF = min(04-15, LF(Beta) 05-31) = 04-15 -> 0
    assert (mvp.earliest_finish, mvp.latest_finish) == (date(2026, 4, 15), date(2026, 4, 15))
    # Beta: window Q2 = 04-01..06-30; EF = max(04-01, 04-15) = 04-15; LF = min(06-30, 05-31)
    assert (beta.earliest_finish, beta.latest_finish) == (date(2026, 4, 15), date(2026, 5, 31))
    # Seed round: window 05-31; EF = max(05-31, 04-15) = 05-31; LF = 05-31 -> 0
    assert (seed.earliest_finish, seed.latest_finish) == (date(2026, 5, 31), date(2026, 5, 31))
    assert [mvp.slack_days, beta.slack_days, seed.slack_days] == [0, 46, 0]
    assert [mvp.critical, beta.critical, seed.critical] == [True, False, True]
    assert mvp.blocks == (beta.key,) and beta.depends_on == (mvp.key,)
    assert beta.blocks == (seed.key,) and seed.depends_on == (beta.key,)
    assert result.diagnostics == ()
    (model,) = {n.model for n in nodes}
    assert result.chains == {model: (mvp.key, seed.key)}


def test_a_seed_round_due_before_the_beta_is_one_conflict_of_5_days(tmp_path: Path) -> None:
    entries, nodes = read_plan(tmp_path, "2026-04-10")
    result = run(nodes, targets_of(entries))
    by_title = {n.title: n for n in nodes}
    # Seed round: EF = max(04-10, EF(Beta) 04-15) = 04-15 > its window's end 04-10.
    # LF(Seed) = 04-10, LF(Beta) = min(06-30, 04-10), LF(MVP) = min(04-15, 04-10): all 04-10,
    # and every EF is 04-15, so the whole chain has 04-10 - 04-15 = -5 days.
    assert slack(result) == {n.key: -5 for n in nodes}
    assert all(t.critical for t in result.timings.values())
    (conflict,) = result.diagnostics
    seed = by_title["Seed round"]
    assert (conflict.code, conflict.severity) == ("dependency.conflict", "error")
    assert (conflict.path, conflict.line) == ("Plan.md", seed.line) == ("Plan.md", 5)
    assert "'Seed round'" in conflict.message and "'Beta' (Plan.md:4)" in conflict.message
    assert "finishes 5 days after its due date 2026-04-10" in conflict.message
    assert "held back by 'MVP' (Plan.md:3)" in conflict.message
    assert "move a date or drop the dependency" in conflict.message
    chain = tuple(by_title[t].key for t in ("MVP", "Beta", "Seed round"))
    assert result.chains == {seed.model: chain}


# ----- bad references: each reported, the rest computed ---------------------------------------
def healthy() -> list[Node]:
    """A chain whose numbers the findings below must leave alone: x (05-01) -> y (June)."""
    return [node("x", "2026-05-01", line=1), node("y", "Jun 2026", "x", line=2)]


def healthy_slack() -> dict[str, int | None]:
    # y: EF = max(06-01, 05-01) = 06-01, LF 06-30 -> 29; x: LF = min(05-01, 06-30) -> 0
    return {"x": 0, "y": 29}


def test_an_id_nobody_defines_is_reported_and_the_rest_computed() -> None:
    nodes = [*healthy(), node("z", "2026-05-10", "nosuch", line=7)]
    result = run(nodes)
    (unknown,) = result.diagnostics
    assert (unknown.code, unknown.severity, unknown.line) == ("dependency.unknown", "warning", 7)
    assert "'nosuch'" in unknown.message and "'z'" in unknown.message
    assert slack(result) == {**healthy_slack(), "z": 0}
    assert result.timings["z"].depends_on == () and not result.timings["z"].critical


def test_a_two_milestone_cycle_is_cut_at_one_edge_and_reported() -> None:
    # a (line 3) depends on b, b (line 4) depends on a. The cut is the dependency of the first
    # by path and line (a) on the other: what remains is b after a.
    nodes = [*healthy(), node("a", "2026-04-15", "b", line=3), node("b", "Q2 2026", "a", line=4)]
    result = run(nodes)
    (cycle,) = result.diagnostics
    assert (cycle.code, cycle.severity, cycle.path, cycle.line) == (
        "dependency.cycle",
        "error",
        "Plan.md",
        3,
    )
    assert "'a' (Plan.md:3) depends on 'b' (Plan.md:4), which depends on 'a'" in cycle.message
    assert "ignore that 'a' depends on 'b'" in cycle.message
    # with a -> b only: b EF = max(04-01, 04-15) = 04-15, LF 06-30 -> 76; a LF = 04-15 -> 0
    assert slack(result) == {**healthy_slack(), "a": 0, "b": 76}
    # both dependencies are still listed
    assert result.timings["a"].depends_on == ("b",) and result.timings["a"].blocks == ("b",)


def test_a_milestone_that_depends_on_itself_is_a_cycle_of_one() -> None:
    result = run([*healthy(), node("s", "2026-04-15", "s", line=9)])
    (cycle,) = result.diagnostics
    assert (cycle.code, cycle.line) == ("dependency.cycle", 9)
    assert "'s' (Plan.md:9) depends on itself" in cycle.message
    assert slack(result) == {**healthy_slack(), "s": 0}
    assert not result.timings["s"].critical


def test_a_three_milestone_cycle_is_named_in_full() -> None:
    nodes = [
        node("p", "2026-04-01", "r", path="B.md", line=2),
        node("q", "2026-04-02", "p", path="A.md", line=5),
        node("r", "2026-04-03", "q", path="C.md", line=1),
    ]
    result = run(nodes)
    cycle = result.diagnostics[0]
    # q is first by path: the cut is q's dependency on p.
    assert (cycle.path, cycle.line) == ("A.md", 5)
    assert cycle.message.startswith(
        "dependency cycle of 3 milestones: 'q' (A.md:5) depends on 'p' (B.md:2), which depends on "
        "'r' (C.md:1), which depends on 'q' (A.md:5);"
    )
    # q -> r -> p remain: r EF = max(04-03, 04-02) = 04-03; p EF = max(04-01, 04-03) = 04-03,
    # two days after p's due date: a conflict too
    assert codes(result) == ["dependency.cycle", "dependency.conflict"]
    assert "'p' (B.md:2) finishes 2 days after" in result.diagnostics[1].message
    assert run(nodes[::-1]) == result
    nodes2 = [
        node("p", "2026-04-05", "r", path="B.md", line=2),
        node("q", "2026-04-02", "p", path="A.md", line=5),
        node("r", "2026-04-03", "q", path="C.md", line=1),
    ]
    # with p due 04-05: q 04-02 -> r 04-03 -> p 04-05, no conflict, every slack 0
    assert slack(run(nodes2)) == {"p": 0, "q": 0, "r": 0}


def test_two_cycles_sharing_a_milestone_are_both_cut() -> None:
    # h depends on a and on b; a and b each depend on h: two cycles through h.
    nodes = [
        node("h", "2026-04-01", "a", "b", line=1),
        node("a", "2026-04-10", "h", line=2),
        node("b", "2026-04-20", "h", line=3),
    ]
    result = run(nodes)
    assert codes(result) == ["dependency.cycle", "dependency.cycle"]
    # h -> a and h -> b remain: a and b have slack 0 (day windows), h LF = 04-01 -> 0
    assert slack(result) == {"h": 0, "a": 0, "b": 0}
    assert result.chains == {"m": ("h", "a", "b")}


def test_a_long_cycle_is_named_in_short() -> None:
    # r0 depends on r6, r1 on r0, …, r6 on r5: one cycle of seven, cut at r0's dependency
    nodes = [node(f"r{i}", "2026-04-01", f"r{(i - 1) % 7}", line=i + 1) for i in range(7)]
    result = run(nodes)
    (cycle,) = result.diagnostics
    assert cycle.message.startswith(
        "dependency cycle of 7 milestones: 'r0' (Plan.md:1) depends on 'r6' (Plan.md:7), which "
        "depends on 'r5' (Plan.md:6), which depends on 'r4' (Plan.md:5), which depends on "
        "'r3' (Plan.md:4), which depends on … 2 more …, which depends on 'r0' (Plan.md:1); "
        "the passes ignore that 'r0' depends on 'r6';"
    )
    assert slack(result) == {f"r{i}": 0 for i in range(7)}
    assert result.chains == {"m": tuple(f"r{i}" for i in range(7))}


def test_every_cycle_through_one_milestone_is_cut_once() -> None:
    # the hub depends on every spoke; each spoke on the one before, the first on the hub
    count = 400
    spokes = [
        node(f"s{i}", "2026-04-01", f"s{i - 1}" if i else "hub", line=i + 2) for i in range(count)
    ]
    hub = node("hub", "2026-04-01", *[f"s{i}" for i in range(count)], line=1)
    result = run([*spokes, hub])
    assert codes(result) == ["dependency.cycle"] * count
    assert {d.line for d in result.diagnostics} == {1}
    assert slack(result) == {n.key: 0 for n in [*spokes, hub]}
    assert result.timings["hub"].depends_on == tuple(f"s{i}" for i in range(count))


def test_a_duplicated_id_means_the_first_by_path_and_line() -> None:
    nodes = [
        *healthy(),
        node("late", "2026-06-01", path="B.md", line=4, defines=("launch",)),
        node("early", "2026-04-01", path="A.md", line=9, defines=("launch",)),
        node("after", "2026-05-01", "launch", path="C.md", line=1),
    ]
    for order in (nodes, nodes[::-1]):
        result = run(order)
        (duplicate,) = result.diagnostics
        assert (duplicate.code, duplicate.path, duplicate.line) == (
            "dependency.duplicate-id",
            "B.md",
            4,
        )
        assert "'launch'" in duplicate.message and "'early' (A.md:9)" in duplicate.message
        # "after" depends on early (04-01): EF 05-01, slack 0; late is on its own
        assert result.timings["after"].depends_on == ("early",)
        assert result.timings["late"].blocks == ()
        assert slack(result) == {**healthy_slack(), "late": 0, "early": 0, "after": 0}


# ----- the rules ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("P2W", 14),
        ("P10D", 10),
        ("P1W3D", 10),
        ("p0d", 0),
        ("2w", 14),
        ("10d", 10),
        ("3 days", 3),
        ("1 day", 1),
        (" 2 weeks ", 14),
        ("1 week 2 days", 9),
        ("1w, 2d", 9),
        ("P1M", None),
        ("2 months", None),
        ("PT5H", None),
        ("P", None),
        ("3", None),
        ("-2d", None),
        ("soon", None),
        ("", None),
    ],
)
def test_gaps_are_read_in_days(text: str, days: int | None) -> None:
    assert parse_gap(text) == days


def test_a_gap_shifts_both_passes() -> None:
    gap = parse_gap("2w")
    assert gap == 14
    nodes = [
        node("a", "2026-04-01"),
        node("b", "Q2 2026", Reference(0, id="a", gap=gap)),
        node("c", "2026-06-20", Reference(0, id="b", gap=3)),
    ]
    result = run(nodes)
    # b: EF = max(04-01, 04-01 + 14) = 04-15; LF = min(06-30, 06-20 - 3 = 06-17) -> 63
    # a: LF = min(04-01, 06-17 - 14 = 06-03) = 04-01 -> 0; c: EF = max(06-20, 04-18) -> 0
    assert result.timings["b"].earliest_finish == date(2026, 4, 15)
    assert result.timings["b"].latest_finish == date(2026, 6, 17)
    assert slack(result) == {"a": 0, "b": 63, "c": 0}
    # with the seed round's 04-10 as b's due: EF = 04-15 -> 5 days late, the gap named
    late = [node("a", "2026-04-01"), node("b", "2026-04-10", Reference(0, id="a", gap=gap))]
    result = run(late)
    (conflict,) = result.diagnostics
    assert "finishes 5 days after its due date 2026-04-10" in conflict.message
    assert "with a gap of 14 days" in conflict.message
    assert slack(result) == {"a": -5, "b": -5}


def test_a_conflict_names_a_due_period_as_written() -> None:
    # b: EF = max(04-01, 05-05) = 05-05, 5 days after April ends
    (conflict,) = run([node("a", "2026-05-05"), node("b", "Apr 2026", "a", line=2)]).diagnostics
    assert (conflict.code, conflict.line) == ("dependency.conflict", 2)
    assert conflict.message == (
        "'b' (Plan.md:2) finishes 5 days after its due date Apr 2026 (ending 2026-04-30), on "
        "2026-05-05 at the earliest: it depends on 'a' (Plan.md:1), which finishes on 2026-05-05 "
        "at the earliest; move a date or drop the dependency"
    )


def test_a_long_chain_late_from_its_start_is_a_conflict_on_every_link() -> None:
    # c0 is due 04-02, every later link 04-01: EF 04-02 everywhere, one day late from c1 on
    count = 3000
    nodes = [node("c0", "2026-04-02")]
    nodes += [node(f"c{i}", "2026-04-01", f"c{i - 1}", line=i + 1) for i in range(1, count)]
    result = run(nodes)
    assert codes(result) == ["dependency.conflict"] * (count - 1)
    assert slack(result) == {n.key: -1 for n in nodes}
    held = [d for d in result.diagnostics if "held back by 'c0' (Plan.md:1)" in d.message]
    assert len(held) == count - 2  # all but c1, which depends on c0 itself


def test_two_references_to_one_milestone_keep_the_larger_gap() -> None:
    b = node("b", "Q2 2026", Reference(3, id="a", gap=2), Reference(4, id="a", gap=9))
    graph = resolve([node("a", "2026-04-01"), b], Targets())
    (edge,) = graph.edges
    assert (edge.before, edge.after, edge.gap, edge.line) == ("a", "b", 9, 4)
    assert schedule([node("a", "2026-04-01"), b], graph).timings["b"].earliest_finish == date(
        2026, 4, 10
    )


def test_undated_milestones_take_the_bounds_of_their_neighbours() -> None:
    nodes = [
        node("a", "2026-04-01"),
        node("u", None, "a"),
        node("v", None, "u"),
        node("b", "2026-05-01", "v"),
        node("tail", None, "b"),
        node("alone", None),
    ]
    result = run(nodes)
    u, v = result.timings["u"], result.timings["v"]
    # u and v: EF from a (04-01), LF from b (05-01): 30 days each
    assert (u.earliest_finish, u.latest_finish) == (date(2026, 4, 1), date(2026, 5, 1))
    assert (v.earliest_finish, v.latest_finish) == (date(2026, 4, 1), date(2026, 5, 1))
    # tail: EF 05-01 from b, nothing after it bounds it: no slack
    assert result.timings["tail"].earliest_finish == date(2026, 5, 1)
    assert result.timings["tail"].latest_finish is None
    assert slack(result) == {"a": 0, "u": 30, "v": 30, "b": 0, "tail": None, "alone": None}
    assert not result.timings["tail"].critical and not result.timings["alone"].critical


def test_an_achieved_milestone_is_fixed_at_the_end_of_its_done_date() -> None:
    nodes = [
        node("shipped", "2026-01-10", status="achieved", done="Feb 2026"),
        node("next", "Mar 2026", "shipped"),
        node("no date", None, status="achieved"),
        node("after it", "2026-03-15", "no date"),
    ]
    result = run(nodes)
    # shipped: window 02-28 (the done month's end; the due date no longer counts)
    assert result.timings["shipped"].earliest_finish == date(2026, 2, 28)
    # next: EF = max(03-01, 02-28) = 03-01, LF 03-31 -> 30; shipped: LF = min(02-28, 03-31) -> 0
    assert slack(result)["next"] == 30
    assert slack(result)["shipped"] == 0 and result.timings["shipped"].critical
    # achieved without a done date: no window, and nothing before it: EF None
    assert result.timings["no date"].earliest_finish is None
    assert result.timings["no date"].latest_finish == date(2026, 3, 15)
    assert slack(result)["no date"] is None and slack(result)["after it"] == 0


def test_an_achieved_milestone_before_its_predecessor_could_finish_is_a_conflict() -> None:
    nodes = [
        node("first", "May 2026"),
        node("done", None, "first", status="achieved", done="2026-04-20"),
    ]
    (conflict,) = run(nodes).diagnostics
    # done: EF = max(04-20, EF(first) = 05-01) = 05-01 > 04-20: 11 days
    assert conflict.code == "dependency.conflict"
    assert (
        "'done' (Plan.md:1) was achieved on 2026-04-20, 11 days before it could have been"
        in conflict.message
    )


def test_a_cancelled_predecessor_never_blocks_and_is_still_listed() -> None:
    nodes = [
        node("dropped", "2026-05-01", status="cancelled"),
        node("goes on", "2026-04-10", "dropped"),
        node("after drop", None, "goes on"),
    ]
    result = run(nodes)
    assert result.diagnostics == ()
    going = result.timings["goes on"]
    assert going.depends_on == ("dropped",) and result.timings["dropped"].blocks == ("goes on",)
    # goes on: its own window only (04-10), and it has a live successor: slack 0, critical
    assert going.slack_days == 0 and going.critical
    dropped = result.timings["dropped"]
    assert (dropped.earliest_finish, dropped.latest_finish, dropped.slack_days) == (
        None,
        None,
        None,
    )
    assert not dropped.critical
    # a cancelled successor does not hold its predecessors back either
    after = [node("before", "2026-06-01"), node("gone", "2026-04-01", "before", status="cancelled")]
    result = run(after)
    assert result.diagnostics == () and slack(result) == {"before": 0, "gone": None}
    assert not result.timings["before"].critical


def test_a_milestone_alone_with_a_day_is_not_critical() -> None:
    result = run([node("alone", "2026-04-01"), node("month", "Apr 2026")])
    assert slack(result) == {"alone": 0, "month": 29}
    assert not any(t.critical for t in result.timings.values())
    assert result.chains == {}


def test_the_critical_chain_is_in_dependency_order_then_date_then_path() -> None:
    # "first" is written last but everything waits for it; ties at one date follow dependencies
    nodes = [
        node("zeta", "2026-04-15", "first", path="A.md", line=1),
        node("alpha", "2026-04-15", "zeta", path="A.md", line=2),
        node("other", "2026-04-20", "alpha", path="A.md", line=3),
        node("first", "2026-04-15", path="Z.md", line=1),
        node("side", "2026-04-15", "first", path="B.md", line=1),
        node("slack", "Q2 2026", "first", path="A.md", line=4),
    ]
    result = run(nodes)
    # all day windows with EF = their date: slack 0 except "slack" (06-30 - 04-15 = 76)
    assert slack(result) == {"zeta": 0, "alpha": 0, "other": 0, "first": 0, "side": 0, "slack": 76}
    # first; then at 04-15 zeta (A.md:1) before side (B.md:1); alpha, ready once zeta is, is
    # at A.md:2, before side too; other (04-20) last
    assert result.chains == {"m": ("first", "zeta", "alpha", "side", "other")}


def test_dependencies_cross_notes_and_business_models() -> None:
    nodes = [
        node("hire", "2026-05-15", model="team", path="Team.md"),
        node("launch", "May 2026", "hire", model="product", path="Product.md"),
        node("revenue", "2026-05-31", "launch", model="sales", path="Sales.md"),
    ]
    result = run(nodes)
    # launch: EF = max(05-01, 05-15) = 05-15, LF = min(05-31, 05-31) = 05-31 -> 16
    assert slack(result) == {"hire": 0, "launch": 16, "revenue": 0}
    assert result.chains == {"sales": ("revenue",), "team": ("hire",)}


def test_note_and_heading_references_resolve_through_the_milestones_of_a_vault(
    tmp_path: Path,
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    notes = {
        "Beta.md": "---\ntags: [milestone]\ndue: 2026-05-01\n---\nThe beta.\n",
        "Plan.md": """\
            # Plan
            ## Launch
            - [ ] #milestone Press day 📅 2026-05-20
            - [ ] #milestone Party 📅 2026-05-25
            ## Later
            - [ ] #milestone Go 📅 2026-06-10
            ## Nothing here
            Text.
            """,
        "Other.md": "Just a note.\n",
    }
    for name, text in notes.items():
        (vault / name).write_text(textwrap.dedent(text), encoding="utf-8")
    index = scan(load_config(vault), TODAY, cache=False).index
    entries = [e for model in index.models.values() for e in model.entries]
    targets = targets_of(entries)
    refs = {
        "Press day": [Reference(3, note="Beta.md", gap=parse_gap("P1W") or 0)],
        "Go": [
            Reference(6, note="Plan.md", heading="launch"),
            Reference(6, note="Plan.md", heading="Nothing here"),
            Reference(6, note="Other.md"),
        ],
    }
    nodes = [node_of(e, refs=refs.get(e.milestone.title, ())) for e in entries]
    result = run(nodes, targets)
    key = {n.title: n.key for n in nodes}
    # Beta (whole note) -> Press day (the first milestone under "Launch") -> Go
    assert result.timings[key["Press day"]].depends_on == (key["Beta"],)
    assert result.timings[key["Go"]].depends_on == (key["Press day"],)
    # Press day: EF = max(05-20, 05-01 + 7) = 05-20 -> 0; Beta: LF = min(05-01, 05-13) -> 0
    assert slack(result) == {key["Beta"]: 0, key["Press day"]: 0, key["Party"]: 0, key["Go"]: 0}
    unknown = [(d.code, d.path, d.line) for d in result.diagnostics]
    assert unknown == [("dependency.unknown", "Plan.md", 6)] * 2
    messages = " ".join(d.message for d in result.diagnostics)
    assert "[[Plan.md#Nothing here]], but no milestone sits under that heading" in messages
    assert "[[Other.md]], which is no milestone note" in messages


def test_references_name_one_thing_and_nodes_their_own_key() -> None:
    with pytest.raises(ValueError, match="one id or one note"):
        Reference(1)
    with pytest.raises(ValueError, match="one id or one note"):
        Reference(1, id="a", note="A.md")
    with pytest.raises(ValueError, match="gap >= 0"):
        Reference(1, id="a", gap=-1)
    graph = resolve([node("a"), node("b", None, "a")], Targets())
    with pytest.raises(ValueError, match="two nodes have the key 'a'"):
        schedule([node("a"), node("b", None, "a"), node("a")], graph)
    with pytest.raises(ValueError, match=r"not given: \['b'\]"):
        schedule([node("a")], graph)


# ----- properties, against a brute force over every path ---------------------------------------
STATUSES: list[Status] = ["planned", "in_progress", "overdue", "achieved", "cancelled"]
FIRST = date(2026, 4, 1)


@st.composite
def windows(draw: st.DrawFn) -> Period | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    start = FIRST + timedelta(days=draw(st.integers(0, 40)))
    end = start + timedelta(days=draw(st.sampled_from([0, 0, 3, 10, 30])))
    return Period(f"{start}..{end}", start, end, "day" if start == end else "month")


@st.composite
def vaults(draw: st.DrawFn, *, acyclic: bool = True) -> list[Node]:
    """Up to 7 milestones with random windows, statuses, places and dependencies (with gaps)."""
    count = draw(st.integers(1, 7))
    rank = draw(st.permutations(range(count)))
    pairs = draw(st.sets(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1))))
    if acyclic:
        pairs = {(b, a) for b, a in pairs if rank[b] < rank[a]}
    nodes = []
    for i in range(count):
        refs = tuple(
            Reference(draw(st.integers(1, 9)), id=f"id{b}", gap=draw(st.sampled_from([0, 0, 2, 7])))
            for b, a in sorted(pairs)
            if a == i
        )
        nodes.append(
            Node(
                f"n{i}",
                f"N{i}",
                draw(st.sampled_from(["A.md", "B.md"])),
                draw(st.integers(1, 9)),
                draw(st.sampled_from(["m1", "m2"])),
                draw(st.sampled_from(STATUSES)),
                draw(windows()),
                draw(windows()),
                (f"id{i}",),
                refs,
            )
        )
    return nodes


def live_edges(nodes: list[Node]) -> dict[tuple[str, str], int]:
    """(before, after) -> the largest gap, between milestones that are not cancelled."""
    key_of = {d: n.key for n in nodes for d in n.defines}
    live = {n.key for n in nodes if n.status != "cancelled"}
    edges: dict[tuple[str, str], int] = {}
    for n in nodes:
        for ref in n.references:
            pair = (key_of[str(ref.id)], n.key)
            if set(pair) <= live:
                edges[pair] = max(edges.get(pair, 0), ref.gap)
    return edges


def paths(nodes: list[Node], edges: dict[tuple[str, str], int]) -> list[tuple[list[str], int]]:
    """Every path of the DAG (single milestones included), with the sum of its gaps."""
    found: list[tuple[list[str], int]] = []

    def walk(path: list[str], gaps: int) -> None:
        found.append((path, gaps))
        for (b, a), gap in edges.items():
            if b == path[-1]:
                walk([*path, a], gaps + gap)

    for n in nodes:
        walk([n.key], 0)
    return found


@settings(max_examples=300, deadline=None)
@given(vaults(), st.randoms(use_true_random=False))
def test_the_passes_agree_with_every_path(nodes: list[Node], rng: Random) -> None:
    result = run(nodes)
    window = {n.key: n.window() for n in nodes}
    edges = live_edges(nodes)
    every = paths(nodes, edges)
    # EF: the latest (start of a window + the gaps after it) over the paths into a milestone
    # LF: the earliest (end of a window - the gaps before it) over the paths out of it
    ef: dict[str, date | None] = dict.fromkeys(window)
    lf: dict[str, date | None] = dict.fromkeys(window)
    late_paths = []
    for path, gaps in every:
        first, last = window[path[0]], window[path[-1]]
        if first is not None:
            finish = first[0] + timedelta(days=gaps)
            old = ef[path[-1]]
            ef[path[-1]] = finish if old is None else max(old, finish)
        if last is not None:
            latest = last[1] - timedelta(days=gaps)
            old = lf[path[0]]
            lf[path[0]] = latest if old is None else min(old, latest)
        if first is not None and last is not None and first[0] + timedelta(days=gaps) > last[1]:
            late_paths.append(path)
    cancelled = {n.key for n in nodes if n.status == "cancelled"}
    for key, timing in result.timings.items():
        assert (timing.earliest_finish, timing.latest_finish) == (ef[key], lf[key]), key
        # never a slack without both bounds
        assert (timing.slack_days is None) == (ef[key] is None or lf[key] is None)
        if key in cancelled:
            assert timing.earliest_finish is timing.latest_finish is None
    # negative slack exactly on the paths that cannot be kept
    negative = {k for k, t in result.timings.items() if (t.slack_days or 0) < 0}
    assert negative == {key for path in late_paths for key in path}
    # a conflict where such a path ends, nowhere else; each downstream of every negative slack
    conflicts = {(d.path, d.line) for d in result.diagnostics if d.code == "dependency.conflict"}
    ends = {path[-1] for path in late_paths}
    by_key = {n.key: n for n in nodes}
    assert conflicts == {(by_key[k].path, by_key[k].line) for k in ends}
    assert codes(result) == ["dependency.conflict"] * len(ends)
    for key in negative:
        assert any(path[0] == key and path[-1] in ends for path, _ in every)
    # critical: linked, no slack to spare; chains hold them in dependency order
    linked = {k for pair in edges for k in pair}
    for key, timing in result.timings.items():
        spare = timing.slack_days
        assert timing.critical == (key in linked and spare is not None and spare <= 0)
    for model, chain in result.chains.items():
        assert set(chain) == {
            n.key for n in nodes if n.model == model and result.timings[n.key].critical
        }
        position = {key: i for i, key in enumerate(chain)}
        for path, _ in every:
            if path[0] in position and path[-1] in position:
                assert position[path[0]] <= position[path[-1]]
        finishes = [result.timings[k].earliest_finish for k in chain]
        assert finishes == sorted(finishes)  # type: ignore[type-var]
    # and none of it depends on the order the milestones or their references come in
    shuffled = [
        replace(n, references=tuple(rng.sample(n.references, len(n.references)))) for n in nodes
    ]
    rng.shuffle(shuffled)
    assert run(shuffled) == result


@settings(max_examples=150, deadline=None)
@given(vaults(acyclic=False), st.randoms(use_true_random=False))
def test_cycles_are_cut_the_same_whatever_the_order(nodes: list[Node], rng: Random) -> None:
    result = run(nodes)
    assert set(result.timings) == {n.key for n in nodes}
    key_of = {d: n.key for n in nodes for d in n.defines}
    edges = {(key_of[str(r.id)], n.key) for n in nodes for r in n.references}
    reach = {n.key: {a for b, a in edges if b == n.key} for n in nodes}
    for _ in nodes:  # transitive closure, one step a round
        reach = {k: r | {x for y in r for x in reach[y]} for k, r in reach.items()}
    cyclic = any(k in r for k, r in reach.items())
    cycles = codes(result).count("dependency.cycle")
    assert (cycles > 0) == cyclic
    assert cycles <= len(edges)
    shuffled = [
        replace(n, references=tuple(rng.sample(n.references, len(n.references)))) for n in nodes
    ]
    rng.shuffle(shuffled)
    assert run(shuffled) == result


# ----- size ------------------------------------------------------------------------------------
def load_benchmark() -> ModuleType:
    """benchmarks/deps.py, imported by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "milepost_bench_deps", ROOT / "benchmarks" / "deps.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_of_two(work: Callable[[], object]) -> float:
    took = []
    for _ in range(2):
        started = time.process_time()
        work()
        took.append(time.process_time() - started)
    return min(took)


def test_170000_milestones_take_linear_time() -> None:
    """Both passes over 170,000 milestones, a tenth of them depending on one or two others,
    take well under a second (``benchmarks/deps.py`` measures them). Here the whole schedule
    (passes, conflicts, timings, chains) is held to 100 times the cost of reading each
    milestone's window once (it takes about 30): a bound that a busy machine does not break and
    a pass that is not linear does."""
    nodes = load_benchmark().random_nodes(170_000)
    graph = resolve(nodes, Targets())
    assert 0.12 * len(nodes) < len(graph.edges) < 0.18 * len(nodes)
    reading = best_of_two(lambda: [node.window() for node in nodes])
    passes = best_of_two(lambda: schedule(nodes, graph))
    assert passes < 100 * reading, (passes, reading)


def test_the_readme_example_prints_what_the_readme_says() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Dependencies between milestones", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue() == shown
