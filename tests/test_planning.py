"""Dependencies, slack and the critical chain; progress; strategy -> tactic -> milestone.

Every test builds a small vault, runs milepost on it and reads what it wrote: the JSON index,
``check``'s findings, the roadmap and review pages. Expected slack is worked out here from the
rule (earliest finish forward, latest finish backward), never copied from milepost's output.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from milepost import load_config
from milepost.index import apply
from milepost.parse import parse_note
from milepost.reading import scan
from milepost.report import iter_json
from milepost.session import Session

from .conftest import MakeVault, Result

Run = Callable[..., Result]
TODAY = date(2026, 3, 1)
TODAY_ARGS = ("--today", TODAY.isoformat())

PLAN = """\
# Launch

- [ ] MVP #milestone 📅 2026-04-15 🆔 mvp
- [ ] Beta #milestone (expected Q2 2026) ⛔ mvp 🆔 beta
- [ ] Seed round #milestone [due:: {seed}] [dependsOn:: beta]
"""


def index_json(run: Run, vault: Path) -> dict[str, Any]:
    result = run("index", vault, "--json", *TODAY_ARGS, "-q")
    data: dict[str, Any] = json.loads(result.out)
    return data


def milestones(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["title"]: m for model in data["business_models"] for m in model["milestones"]}


def findings(data: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [d for d in data["diagnostics"] if d["code"] == code]


def expected_slack(
    windows: dict[str, tuple[date, date]], edges: list[tuple[str, str]]
) -> dict[str, int]:
    """The rule, for a chain given in dependency order: EF = max(start, EF of predecessors),
    LF = min(end, LF of successors), slack = LF - EF."""
    order = list(windows)
    ef = {k: windows[k][0] for k in order}
    lf = {k: windows[k][1] for k in order}
    for k in order:
        for before, after in edges:
            if after == k:
                ef[k] = max(ef[k], ef[before])
    for k in reversed(order):
        for before, after in edges:
            if before == k:
                lf[k] = min(lf[k], lf[after])
    return {k: (lf[k] - ef[k]).days for k in order}


# ----- the acceptance vault ----------------------------------------------------------------------
def test_slack_of_a_chain_with_a_fuzzy_date_in_the_middle(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault({"Plan.md": PLAN.format(seed="2026-05-31")})
    found = milestones(index_json(run, vault))
    windows = {
        "MVP": (date(2026, 4, 15), date(2026, 4, 15)),
        "Beta": (date(2026, 4, 1), date(2026, 6, 30)),  # Q2 2026
        "Seed round": (date(2026, 5, 31), date(2026, 5, 31)),
    }
    edges = [("MVP", "Beta"), ("Beta", "Seed round")]
    slack = expected_slack(windows, edges)
    assert [found[k]["slack_days"] for k in windows] == [slack[k] for k in windows]
    assert slack == {"MVP": 0, "Beta": 46, "Seed round": 0}
    mvp, beta, seed = found["MVP"], found["Beta"], found["Seed round"]
    assert beta["depends_on"] == [mvp["id"]] and seed["depends_on"] == [beta["id"]]
    assert mvp["blocks"] == [beta["id"]] and seed["blocks"] == []
    assert (mvp["critical"], beta["critical"], seed["critical"]) == (True, False, True)
    assert (mvp["title"], beta["title"]) == ("MVP", "Beta")  # 🆔 and ⛔ stay out of titles


def test_a_due_date_before_the_chain_allows_is_a_conflict(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault({"Plan.md": PLAN.format(seed="2026-04-10")})
    data = index_json(run, vault)
    found = milestones(data)
    windows = {
        "MVP": (date(2026, 4, 15), date(2026, 4, 15)),
        "Beta": (date(2026, 4, 1), date(2026, 6, 30)),
        "Seed round": (date(2026, 4, 10), date(2026, 4, 10)),
    }
    slack = expected_slack(windows, [("MVP", "Beta"), ("Beta", "Seed round")])
    assert slack == {"MVP": -5, "Beta": -5, "Seed round": -5}
    assert {k: found[k]["slack_days"] for k in windows} == slack
    conflicts = findings(data, "dependency.conflict")
    assert len(conflicts) == 1
    assert (conflicts[0]["path"], conflicts[0]["line"]) == ("Plan.md", 5)
    assert conflicts[0]["severity"] == "error" and "5 days" in conflicts[0]["message"]
    assert "Seed round" in conflicts[0]["message"] and "Beta" in conflicts[0]["message"]
    assert run("check", vault, *TODAY_ARGS).code == 1


def test_unknown_ids_cycles_and_duplicates_are_reported_and_the_rest_indexed(
    run: Run, make_vault: MakeVault
) -> None:
    vault = make_vault(
        {
            "A.md": """\
                - [ ] Lost #milestone 📅 2026-05-01 ⛔ nobody
                - [ ] Chicken #milestone 📅 2026-06-01 🆔 chicken ⛔ egg
                - [ ] Egg #milestone 📅 2026-06-02 🆔 egg ⛔ chicken
                - [ ] Twin #milestone 📅 2026-07-01 🆔 twin
                """,
            "B.md": """\
                - [ ] Other twin #milestone 📅 2026-07-02 🆔 twin
                - [ ] After twin #milestone 📅 2026-08-01 [dependsOn:: twin]
                - [ ] Plain #milestone 📅 2026-09-01
                """,
        }
    )
    data = index_json(run, vault)
    found = milestones(data)
    assert len(found) == 7
    unknown = findings(data, "dependency.unknown")
    assert [(d["path"], d["line"]) for d in unknown] == [("A.md", 1)]
    assert "'nobody'" in unknown[0]["message"]
    cycle = findings(data, "dependency.cycle")
    assert len(cycle) == 1 and cycle[0]["path"] == "A.md"
    assert "Chicken" in cycle[0]["message"] and "Egg" in cycle[0]["message"]
    duplicate = findings(data, "dependency.duplicate-id")
    assert [(d["path"], d["line"]) for d in duplicate] == [("B.md", 1)]
    assert found["After twin"]["depends_on"] == [found["Twin"]["id"]]  # the first definer
    assert found["Plain"]["slack_days"] == 0 and not found["Plain"]["critical"]


# ----- every way of writing a dependency ------------------------------------------------------
def test_links_fields_front_matter_and_gaps(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Plan.md": """\
                # Plan

                ## Launch

                - [ ] Launch #milestone 📅 2026-05-01 🆔\ufe0f launch
                - [ ] Press #milestone 📅 2026-06-30 ⛔\ufe0f launch
                - [ ] Tour #milestone [id:: tour] 📅 2026-09-30
                  after:: [[Plan#Launch]] +2w
                - [ ] Party #milestone 📅 2026-10-31
                  depends:: [[Hire]], tour
                - [ ] Odd ⛔ launch in the middle #milestone 📅 2026-11-30
                """,
            "Hire.md": """\
                ---
                tags: [milestone]
                due: 2026-08-31
                blockedBy:
                  - uid: "[[Plan#Launch]]"
                    reltype: FINISHTOSTART
                    gap: P10D
                ---
                Hire a head of sales.
                """,
        }
    )
    data = index_json(run, vault)
    found = milestones(data)
    launch = found["Launch"]["id"]
    assert found["Press"]["depends_on"] == [launch]
    assert found["Tour"]["depends_on"] == [launch]
    assert found["Hire"]["depends_on"] == [launch]
    assert sorted(found["Party"]["depends_on"]) == sorted(
        [found["Hire"]["id"], found["Tour"]["id"]]
    )
    assert found["Odd in the middle"]["depends_on"] == []  # Tasks reads ⛔ only at the end
    assert sorted(found["Launch"]["blocks"]) == sorted(
        found[k]["id"] for k in ("Press", "Tour", "Hire")
    )
    # Launch finishes 2026-05-01; the latest it may finish is set by each successor less its gap
    latest = min(
        date(2026, 6, 30),  # Press, no gap
        date(2026, 9, 30).fromordinal(date(2026, 9, 30).toordinal() - 14),  # Tour, 2w
        date(2026, 8, 31).fromordinal(date(2026, 8, 31).toordinal() - 10),  # Hire, P10D
        date(2026, 5, 1),  # its own date
    )
    assert found["Launch"]["slack_days"] == (latest - date(2026, 5, 1)).days == 0
    assert found["Press"]["slack_days"] == 0 and not findings(data, "dependency.unknown")


# ----- progress, strategy, assumptions ------------------------------------------------------------
def test_progress_from_child_checkboxes_and_stated(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Plan.md": """\
                - [ ] Build #milestone 📅 2026-06-30
                    - [x] spec
                    - [x] design
                    - [ ] code
                    - [-] dropped idea
                - [ ] Sell #milestone 📅 2026-07-31
                  progress:: 40%
                - [ ] Nothing #milestone 📅 2026-08-31 🆔 nothing
                    - [ ] a child task of its own ⛔ nothing
                """
        }
    )
    found = milestones(index_json(run, vault))
    children = ["x", "x", " ", "-"]
    counted = [c for c in children if c != "-"]
    done = sum(1 for c in counted if c == "x")
    assert found["Build"]["progress"] == {
        "done": done,
        "total": len(counted),
        "percent": round(100 * done / len(counted)),
    }
    assert (done, len(counted)) == (2, 3)
    assert found["Sell"]["progress"] == {"done": None, "total": None, "percent": 40}
    assert found["Nothing"]["progress"] == {"done": 0, "total": 1, "percent": 0}
    assert found["Nothing"]["depends_on"] == []  # the child's ⛔ is the child's, not a cycle
    assert run("build", vault, *TODAY_ARGS).code == 0
    page = (vault / "Roadmaps/Models/Roadmap – Unassigned.md").read_text(encoding="utf-8")
    assert "progress 2/3 · 67%" in page and "progress 40%" in page


def test_strategy_tactic_stalled_and_invalidated_assumptions(
    run: Run, make_vault: MakeVault
) -> None:
    vault = make_vault(
        {
            "Plan.md": """\
                # Plan

                ## 🎯 Strategy: Grow revenue

                ### TACTIC: Partnerships

                - [ ] Sign two partners #milestone 📅 2026-06-30
                  assumes:: [[Partners want us]]

                ### Tactic: Ads

                - [x] First ad run #milestone ✅ 2026-02-01

                ## Other

                - [ ] Unrelated #milestone 📅 2026-06-30
                  strategy:: Cut costs
                """,
            "Partners want us.md": """\
                ---
                tags: [milestone]
                kind: assumption
                status: invalidated
                ---
                Partners see value.
                """,
        }
    )
    data = index_json(run, vault)
    found = milestones(data)
    sign = found["Sign two partners"]
    assert (sign["strategy"], sign["tactic"]) == ("Grow revenue", "Partnerships")
    assert (found["First ad run"]["strategy"], found["First ad run"]["tactic"]) == (
        "Grow revenue",
        "Ads",
    )
    assert (found["Unrelated"]["strategy"], found["Unrelated"]["tactic"]) == ("Cut costs", None)
    stalled = findings(data, "trace.stalled")
    assert [(d["path"], d["line"]) for d in stalled] == [("Plan.md", 10)]
    assert "'Ads'" in stalled[0]["message"]
    invalid = findings(data, "assumption.invalidated")
    assert [(d["path"], d["line"]) for d in invalid] == [("Plan.md", 7)]
    assert run("build", vault, *TODAY_ARGS).code == 0
    page = (vault / "Roadmaps/Models/Roadmap – Unassigned.md").read_text(encoding="utf-8")
    assert "**Strategy: Grow revenue**" in page and "- Tactic: Partnerships: " in page


# ----- pages -------------------------------------------------------------------------------------
def test_roadmap_and_review_show_dependencies(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Plan.md": PLAN.format(seed="2026-05-31")
            + "- [ ] Late #milestone 📅 2026-02-01 🆔 late\n"
            + "- [ ] Waiting #milestone 📅 2026-12-31 ⛔ late\n"
        }
    )
    assert run("build", vault, *TODAY_ARGS).code == 0
    page = (vault / "Roadmaps/Models/Roadmap – Unassigned.md").read_text(encoding="utf-8")
    chain = page[page.index("Critical chain: ") :].split("\n", 1)[0]
    # by earliest finish: Late (overdue, Waiting depends on it), MVP, Seed round, Waiting
    assert chain.endswith(
        "[[Plan#Launch|Late]] → [[Plan#Launch|MVP]] → [[Plan#Launch|Seed round]]"
        " → [[Plan#Launch|Waiting]]"
    )
    assert (
        "slack 46 days · blocked by [[Plan#Launch|MVP]] · blocks [[Plan#Launch|Seed round]]" in page
    )
    beta = page.index("◇ Beta")
    line = page[beta : page.index("\n", beta)]
    mvp_day, beta_end = date(2026, 4, 15), date(2026, 6, 30)
    assert f"after pl1, {2 * (beta_end - mvp_day).days}d" in line  # drawn on its own date
    review = next((vault / "Roadmaps/Reviews").glob("*.md")).read_text(encoding="utf-8")
    blocked = review.index("**Blocked: waiting on an overdue predecessor**")
    assert "**Waiting**" in review[blocked:]


# ----- watch: the passes run again over the whole graph -----------------------------------------
def test_an_edit_in_one_note_moves_slack_in_another(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "A.md": "- [ ] Start #milestone 📅 2026-04-01 🆔 start\n",
            "B.md": "- [ ] Finish #milestone (expected Q2 2026) ⛔ start\n",
        }
    )
    config = load_config(vault, today=TODAY)
    index = scan(config, TODAY, cache=False).index
    before = milestones(json.loads("".join(iter_json(index))))
    assert before["Finish"]["slack_days"] == (date(2026, 6, 30) - date(2026, 4, 1)).days
    text = b"- [ ] Start #milestone \xf0\x9f\x93\x85 2026-07-15 \xf0\x9f\x86\x94 start\n"
    (vault / "A.md").write_bytes(text)
    after, _ = apply(index, {"A.md": parse_note("A.md", text, config)})
    found = milestones(json.loads("".join(iter_json(after))))
    assert found["Finish"]["slack_days"] == (date(2026, 6, 30) - date(2026, 7, 15)).days
    assert [d.code for d in after.diagnostics()] == ["dependency.conflict"]
    assert milestones(json.loads("".join(iter_json(index)))) == before  # the old index stays


def test_exported_roadmap_draws_arrows_the_critical_chain_and_progress(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault(
        {"Plan.md": PLAN.format(seed="2026-05-31") + "    - [x] pitch deck\n    - [ ] data room\n"}
    )
    site = tmp_path / "site"
    assert run("export", vault, "-o", site, *TODAY_ARGS).code == 0
    page = (site / "roadmaps" / "unassigned.html").read_text(encoding="utf-8")
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('<path class="mp-dep') == 2  # MVP -> Beta -> Seed round
    assert svg.count("mp-dep-critical") == 0  # Beta has slack, so no arrow joins two critical
    assert svg.count('<polygon class="mp-critical"') == 2  # MVP and Seed round
    assert ">1/2 · 50%</text>" in svg  # the seed round's children


def test_a_watching_session_rewrites_the_page_of_the_other_model(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "A.md": "---\nbusiness_model: Shop\n---\n- [ ] Start #milestone 📅 2026-04-01 🆔 s\n",
            "B.md": "---\nbusiness_model: Cafe\n---\n"
            "- [ ] Finish #milestone (expected Q2 2026) ⛔ s\n",
        }
    )
    session = Session(load_config(vault, today=TODAY), TODAY, cache=False, lasting=True)
    try:
        session.build()
        cafe = vault / "Roadmaps/Models/Roadmap – Cafe.md"
        slack = (date(2026, 6, 30) - date(2026, 4, 1)).days
        assert f"slack {slack} days" in cafe.read_text(encoding="utf-8")
        a = vault / "A.md"
        a.write_text(a.read_text(encoding="utf-8").replace("04-01", "07-15"), encoding="utf-8")
        session.update(["A.md"])
        late = (date(2026, 7, 15) - date(2026, 6, 30)).days
        assert f"{late} days late" in cafe.read_text(encoding="utf-8")
    finally:
        session.close()
