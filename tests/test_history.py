"""Planning memory: identity, .milepost/history.jsonl, slips, accuracy, sharpen, portfolio, git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from milepost.config import load_config
from milepost.history import HISTORY_PATH, load
from milepost.session import Session

from .conftest import MakeVault, Result

Run = Callable[..., Result]
PLAN = "Plan.md"
MODEL = "Models/Shop.md"


def plan(line: str) -> dict[str, str | bytes]:
    return {
        MODEL: "---\ntype: business-model\n---\n# Shop\n",
        PLAN: f"---\nbusiness_model: Shop\n---\n# Plan\n\n## Launch\n\n- {line}\n",
    }


def write(vault: Path, rel: str, text: str) -> None:
    (vault / rel).write_text(text, encoding="utf-8", newline="\n")


def edit(vault: Path, old: str, new: str) -> None:
    path = vault / PLAN
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8", newline="\n")


def lines(vault: Path) -> list[dict[str, Any]]:
    path = vault / HISTORY_PATH
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def index_json(run: Run, vault: Path, today: str) -> dict[str, Any]:
    result = run("index", vault, "--json", "--today", today, "-q")
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def milestones(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for model in data["business_models"] for m in model["milestones"]]


def build(run: Run, vault: Path, today: str) -> Result:
    result = run("build", vault, "--today", today, "-q")
    assert result.code == 0, result.out + result.err
    return result


def pages(vault: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted((vault / "Roadmaps").rglob("*.md"))
    }


# ----- the acceptance scenario ------------------------------------------------------------------
def test_a_slip_is_remembered_shown_and_survives_a_rename(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(plan("#milestone Launch (expected Jun 2026) [id:: launch]"))
    build(run, vault, "2026-05-01")
    assert [(r["id"], r["field"], r["on"]) for r in lines(vault)] == [
        ("launch", "created", "2026-05-01")
    ]
    edit(vault, "Jun 2026", "Sep 2026")
    build(run, vault, "2026-06-01")
    slip = lines(vault)[-1]
    assert {k: slip[k] for k in ("on", "id", "field", "from", "to")} == {
        "on": "2026-06-01",
        "id": "launch",
        "field": "due",
        "from": "Jun 2026",
        "to": "Sep 2026",
    }
    history = milestones(index_json(run, vault, "2026-06-01"))[0]["history"]
    assert history["first_due"]["text"] == "Jun 2026"
    assert history["first_due"]["end"] == "2026-06-30"
    assert (history["slips"], history["slip_days"], history["first_seen"]) == (1, 92, "2026-05-01")

    review = (vault / "Roadmaps/Reviews/Plan review 2026-06.md").read_text(encoding="utf-8")
    slipped = review.split("**Slipped since the last review**", 1)[1]
    assert "- **Launch** · Jun 2026 → Sep 2026 (on 2026-06-01)" in slipped
    roadmap = (vault / "Roadmaps/Models/Roadmap – Shop.md").read_text(encoding="utf-8")
    assert "due Sep 2026 · slipped 1× · +92 d since first planned Jun 2026" in roadmap

    edit(vault, "Launch (expected", "Public launch (expected")
    build(run, vault, "2026-06-10")
    assert [(r["id"], r["field"], r["from"], r["to"]) for r in lines(vault)][-1] == (
        "launch",
        "title",
        "Launch",
        "Public launch",
    )
    renamed = milestones(index_json(run, vault, "2026-06-10"))[0]
    assert renamed["title"] == "Public launch"
    assert (renamed["history"]["slips"], renamed["history"]["slip_days"]) == (1, 92)
    assert renamed["history"]["changes"] == 2

    before = (vault / HISTORY_PATH).read_bytes()
    shown = pages(vault)
    third = build(run, vault, "2026-06-10")
    assert (vault / HISTORY_PATH).read_bytes() == before
    assert "0 written" in third.err
    assert pages(vault) == shown


def test_pages_are_byte_stable_and_a_history_change_reaches_them(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault(plan("#milestone Launch (expected Jun 2026) [id:: launch]"))
    build(run, vault, "2026-05-01")
    edit(vault, "Jun 2026", "Sep 2026")
    build(run, vault, "2026-06-01")
    first = pages(vault)
    again = build(run, vault, "2026-06-01")
    assert "0 written" in again.err and pages(vault) == first
    # the same vault and history built elsewhere give the same bytes
    copy = tmp_path / "copy"
    shutil.copytree(vault, copy, ignore=shutil.ignore_patterns("Roadmaps", "manifest*"))
    build(run, copy, "2026-06-01")
    assert pages(copy) == {k: v for k, v in first.items() if "2026-05" not in k}
    # a line another machine added (a line-wise union) re-renders the pages it reaches
    with (vault / HISTORY_PATH).open("a", encoding="utf-8") as out:
        out.write(
            '{"on": "2026-05-15", "id": "launch", "field": "due", "from": "May 2026", '
            '"to": "Jun 2026", "span": ["2026-05-01/2026-05-31/month", '
            '"2026-06-01/2026-06-30/month"]}\n'
        )
    result = run("build", vault, "--today", "2026-06-01")
    assert "updated Roadmaps/Models/Roadmap – Shop.md" in result.out
    assert "Milestone index" not in result.out and "Tool –" not in result.out
    roadmap = (vault / "Roadmaps/Models/Roadmap – Shop.md").read_text(encoding="utf-8")
    assert "slipped 2× · +92 d since first planned Jun 2026" in roadmap


# ----- accuracy, owners, portfolio --------------------------------------------------------------
ACHIEVED = """\
    ---
    business_model: Shop
    ---
    - [x] #milestone Lease signed [due:: 2026-03-31] ✅ 2026-03-20 [owner:: Ana]
    - [x] #milestone Fit-out done [due:: Q1 2026] ✅ 2026-04-10 [owner:: Ana]
    - [x] #milestone Staff hired [due:: 2026-02] ✅ 2026-02-27 [owner:: Bo]
    - [ ] #milestone Grand opening [due:: 2026-09-30] [owner:: Bo] [budget:: $5,000]
    - [ ] #milestone Late permit [due:: 2026-04-30] [budget:: €700]
    """


def test_accuracy_per_model_and_per_owner(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault({MODEL: "---\ntype: business-model\n---\n", PLAN: ACHIEVED})
    data = index_json(run, vault, "2026-05-01")
    assert data["business_models"][0]["accuracy"] == {
        "achieved": 3,
        "on_time": 2,
        "late": 1,
        "median_late_days": 10,
    }
    assert data["owners"] == [
        {
            "owner": "Ana",
            "accuracy": {"achieved": 2, "on_time": 1, "late": 1, "median_late_days": 10},
        },
        {
            "owner": "Bo",
            "accuracy": {"achieved": 1, "on_time": 1, "late": 0, "median_late_days": None},
        },
    ]
    build(run, vault, "2026-05-01")
    review = (vault / "Roadmaps/Reviews/Plan review 2026-05.md").read_text(encoding="utf-8")
    assert (
        "**Planning accuracy**\n\n3 achieved milestones with a due date: 2 on time, 1 late; "
        "median 10 days late." in review
    )
    roadmap = (vault / "Roadmaps/Models/Roadmap – Shop.md").read_text(encoding="utf-8")
    head = roadmap.split("\n---\n", 1)[0]
    assert 'milestones: 5\noverdue: 1\nnext_due: "2026-09-30"\n' in head
    assert "on_time: 67" in head
    portfolio = (vault / "Roadmaps/Portfolio.md").read_text(encoding="utf-8")
    row = next(line for line in portfolio.splitlines() if "Roadmap – Shop" in line)
    cells = [c.strip() for c in row.split(" | ")]
    assert cells[1:] == [
        "5",
        "1",
        "Grand opening (2026-09-30)",
        "EUR 700; USD 5,000",
        "0 %",
        "67 %",
        "0 |",
    ]


def test_accuracy_is_a_percentage_from_five_achieved(run: Run, make_vault: MakeVault) -> None:
    items = "".join(
        f"- [x] #milestone Step {n} [due:: 2026-0{n}-10] ✅ 2026-0{n}-{'05' if n < 5 else '20'}\n"
        for n in range(1, 6)
    )
    vault = make_vault({PLAN: f"---\nbusiness_model: Shop\n---\n{items}"})
    build(run, vault, "2026-05-25")
    review = (vault / "Roadmaps/Reviews/Plan review 2026-05.md").read_text(encoding="utf-8")
    assert (
        "80 % on time (4 of 5 achieved milestones with a due date; 1 late; median 10 days late)."
        in review
    )


# ----- date.sharpen ----------------------------------------------------------------------------
def test_sharpen_a_coarse_date_whose_period_is_near(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            PLAN: """\
                # Plan
                - #milestone Series A (expected Q3 2027)
                - #milestone Office move (expected Jul 2027)
                - #milestone Summer pop-up (expected summer 2027)
                """
        }
    )
    near = run("check", vault, "--today", "2027-06-10")
    found = [line for line in near.out.splitlines() if "[date.sharpen]" in line]
    assert found == [
        f"{PLAN}:2: warning: 'Series A': Q3 2027 starts in 21 days: set a month or a day "
        "[date.sharpen]",
        f"{PLAN}:4: warning: 'Summer pop-up': summer 2027 has started: set a month or a day "
        "[date.sharpen]",
    ]
    far = run("check", vault, "--today", "2027-05-01")
    assert [line for line in far.out.splitlines() if "[date.sharpen]" in line] == []
    write(vault, "milepost.toml", "sharpen_days = 90\n")
    wider = run("check", vault, "--today", "2027-05-01")
    assert "'Series A': Q3 2027 starts in 61 days: set a month or a day [date.sharpen]" in wider.out
    build(run, vault, "2027-06-10")
    review = (vault / "Roadmaps/Reviews/Plan review 2027-06.md").read_text(encoding="utf-8")
    sharpen = review.split("**Sharpen these dates**", 1)[1]
    assert "- **Series A** · Q3 2027 starts in 21 days: set a month or a day" in sharpen


# ----- identity and the rename rule -------------------------------------------------------------
def records_of(vault: Path) -> list[tuple[str, str, str | None, str | None]]:
    return [(r["id"], r["field"], r["from"], r["to"]) for r in lines(vault)]


def test_rename_under_the_same_heading_with_the_same_due(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(plan("#milestone Launch (expected Jun 2026)"))
    build(run, vault, "2026-05-01")
    ident = lines(vault)[0]["id"]
    edit(vault, "Launch (expected", "Soft launch (expected")
    build(run, vault, "2026-05-02")
    assert records_of(vault)[1:] == [(ident, "title", "Launch", "Soft launch")]


def test_rename_by_position_when_the_due_changed_too(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(plan("#milestone Launch (expected Jun 2026)"))
    build(run, vault, "2026-05-01")
    ident = lines(vault)[0]["id"]
    edit(vault, "Launch (expected Jun 2026)", "Soft launch (expected Jul 2026)")
    build(run, vault, "2026-05-02")
    assert {r[:2] for r in records_of(vault)[1:]} == {(ident, "title"), (ident, "due")}


def test_a_move_to_another_note_keeps_the_identity(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(plan("#milestone Launch (expected Jun 2026)"))
    build(run, vault, "2026-05-01")
    ident = lines(vault)[0]["id"]
    text = (vault / PLAN).read_text(encoding="utf-8")
    (vault / PLAN).unlink()
    write(vault, "Later.md", text.replace("## Launch", "## Next"))
    build(run, vault, "2026-05-02")
    assert records_of(vault)[1:] == [
        (ident, "note", PLAN, "Later.md"),
        (ident, "heading", "Launch", "Next"),
    ]


def test_new_and_removed_milestones(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(plan("#milestone Launch (expected Jun 2026)"))
    build(run, vault, "2026-05-01")
    with (vault / PLAN).open("a", encoding="utf-8") as out:
        out.write("\n## Money\n\n- #milestone Raise seed (expected Q4 2026)\n")
    build(run, vault, "2026-05-02")
    created = [r for r in lines(vault) if r["field"] == "created"]
    assert [(r["on"], r["to"], r["state"]["due"]) for r in created] == [
        ("2026-05-01", "Launch", "Jun 2026"),
        ("2026-05-02", "Raise seed", "Q4 2026"),
    ]
    write(vault, PLAN, "# Plan\n")
    build(run, vault, "2026-05-03")
    removed = sorted((r["on"], r["field"], r["from"]) for r in lines(vault)[2:])
    assert removed == [
        ("2026-05-03", "removed", "Launch"),
        ("2026-05-03", "removed", "Raise seed"),
    ]


def test_a_batch_is_sorted_and_the_manifest_never_lists_history(
    run: Run, make_vault: MakeVault
) -> None:
    vault = make_vault(
        {
            PLAN: "# Plan\n"
            + "".join(f"- #milestone M{n} (expected Q{n % 4 + 1} 2027)\n" for n in range(9))
        }
    )
    build(run, vault, "2026-05-01")
    raw = (vault / HISTORY_PATH).read_text(encoding="utf-8").splitlines()
    assert len(raw) == 9 and raw == sorted(raw)
    manifest = (vault / ".milepost/manifest.json").read_text(encoding="utf-8")
    assert "history" not in manifest


# ----- history.invalid --------------------------------------------------------------------------
def test_corrupt_and_conflicted_lines_are_reported_and_skipped(
    run: Run, make_vault: MakeVault
) -> None:
    vault = make_vault(plan("#milestone Launch (expected Jun 2026) [id:: launch]"))
    build(run, vault, "2026-05-01")
    good = (vault / HISTORY_PATH).read_text(encoding="utf-8")
    (vault / HISTORY_PATH).write_text(
        "<<<<<<< HEAD\n" + good + "=======\n{not json\n>>>>>>> theirs\n", encoding="utf-8"
    )
    check = run("check", vault, "--today", "2026-05-01")
    invalid = [line for line in check.out.splitlines() if "history.invalid" in line]
    assert [line.split(": ")[0] for line in invalid] == [
        f"{HISTORY_PATH}:1",
        f"{HISTORY_PATH}:3",
        f"{HISTORY_PATH}:4",
        f"{HISTORY_PATH}:5",
    ]
    edit(vault, "Jun 2026", "Jul 2026")
    result = run("build", vault, "--today", "2026-05-02")
    assert result.code == 0
    assert f"{HISTORY_PATH}:4: warning:" in result.err
    last = load(load_config(vault)).records[-1]
    assert (last.id, last.field, last.old, last.new) == ("launch", "due", "Jun 2026", "Jul 2026")


# ----- watch ------------------------------------------------------------------------------------
def test_a_watch_round_appends_to_history(make_vault: MakeVault) -> None:
    vault = make_vault(plan("#milestone Launch (expected Jun 2026) [id:: launch]"))
    config = load_config(vault, today=date(2026, 5, 1))
    session = Session(config, lasting=True)
    try:
        session.build()
        edit(vault, "Jun 2026", "Aug 2026")
        result = session.update([PLAN])
        assert "Roadmaps/Models/Roadmap – Shop.md" in {c.path for c in result.changes}
        assert records_of(vault)[-1] == ("launch", "due", "Jun 2026", "Aug 2026")
        roadmap = (vault / "Roadmaps/Models/Roadmap – Shop.md").read_text(encoding="utf-8")
        assert "slipped 1× · +62 d since first planned Jun 2026" in roadmap
        assert session.update([PLAN]).changes == []
        assert len(lines(vault)) == 2
    finally:
        session.close()


# ----- history from git -------------------------------------------------------------------------
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(vault: Path, *args: str, day: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@example.com"}
    env |= {"GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@example.com"}
    if day is not None:
        env |= {"GIT_AUTHOR_DATE": f"{day}T12:00:00", "GIT_COMMITTER_DATE": f"{day}T12:00:00"}
    subprocess.run(["git", "-C", str(vault), *args], check=True, env=env, capture_output=True)


STEPS = [
    ("2026-03-02", None),
    ("2026-04-01", ("Jun 2026", "Sep 2026")),
    ("2026-04-15", ("Launch (", "Public launch (")),
    ("2026-05-20", ("- #milestone Hire", "- [x] #milestone Hire")),
    ("2026-06-03", ("Sep 2026", "Q1 2027")),
]
START = (
    "---\nbusiness_model: Shop\n---\n# Plan\n\n## Launch\n\n"
    "- #milestone Launch (expected Jun 2026) [id:: launch]\n"
    "- #milestone Hire a chef (expected 2026-05-31) [owner:: Ana]\n"
)


@needs_git
def test_history_from_git_equals_the_history_of_successive_builds(run: Run, tmp_path: Path) -> None:
    built, repo = tmp_path / "built", tmp_path / "repo"
    for vault in (built, repo):
        vault.mkdir()
        write(vault, MODEL.replace("Models/", ""), "---\ntype: business-model\n---\n")
    git(repo, "init", "-q")
    for day, change in STEPS:
        for vault in (built, repo):
            if change is None:
                write(vault, PLAN, START)
            else:
                edit(vault, *change)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"plan of {day}", day=day)
        build(run, built, day)
    first = run("history", repo, "--from-git")
    assert first.code == 0, first.err
    assert "6 records from git; 6 added" in first.err
    assert (repo / HISTORY_PATH).read_bytes() == (built / HISTORY_PATH).read_bytes()
    assert not (repo / "Roadmaps").exists()
    second = run("history", repo, "--from-git")
    assert "0 added" in second.err
    assert (repo / HISTORY_PATH).read_bytes() == (built / HISTORY_PATH).read_bytes()
    since = run("history", repo, "--from-git", "--since", "2026-05-01", "--json")
    assert [json.loads(line)["on"] for line in since.out.splitlines()] == [
        "2026-05-20",
        "2026-06-03",
    ]
    listed = run("history", repo)
    assert listed.out.splitlines()[-1] == "2026-06-03  launch  due: Sep 2026 → Q1 2027"
    assert len(load(load_config(repo)).records) == 6


def test_watch_rounds_record_what_builds_would(make_vault: MakeVault) -> None:
    files = plan("#milestone Launch (expected Jun 2026)")
    files["Other.md"] = "# Other\n\n- #milestone Hire (expected Q3 2026)\n"
    vault = make_vault(files)
    config = load_config(vault, today=date(2026, 5, 1))
    session = Session(config, lasting=True)
    try:
        session.build()
        ident = next(r["id"] for r in lines(vault) if r["to"] == "Launch")
        # a move in one round: the milestone leaves Plan.md for Other.md
        write(vault, PLAN, "---\nbusiness_model: Shop\n---\n# Plan\n")
        with (vault / "Other.md").open("a", encoding="utf-8") as out:
            out.write("\n## Launch\n\n- #milestone Launch (expected Jun 2026)\n")
        session.update([PLAN, "Other.md"])
        assert records_of(vault)[2:] == [
            (ident, "model", "Shop", "Unassigned"),
            (ident, "note", PLAN, "Other.md"),
        ]
        # a line another machine added between rounds is read before the next one
        with (vault / HISTORY_PATH).open("a", encoding="utf-8") as out:
            out.write(
                f'{{"on": "2026-04-20", "id": "{ident}", "field": "due", "from": "May 2026", '
                '"to": "Jun 2026", "span": ["2026-05-01/2026-05-31/month", '
                '"2026-06-01/2026-06-30/month"]}\n'
            )
        edit_other = (vault / "Other.md").read_text(encoding="utf-8").replace("Q3 2026", "Q4 2026")
        write(vault, "Other.md", edit_other)
        session.update(["Other.md"])
        assert [r[1] for r in records_of(vault)[5:]] == ["due"]
        roadmap = (vault / "Roadmaps/Models/Roadmap – Unassigned.md").read_text(encoding="utf-8")
        assert (
            "**Launch** · due Jun 2026 · slipped 1× · +30 d since first planned May 2026" in roadmap
        )
        assert "**Hire** · due Q4 2026 · slipped 1× · +92 d since first planned Q3 2026" in roadmap
    finally:
        session.close()
    fresh = Session(load_config(vault, today=date(2026, 5, 1)))
    try:
        assert fresh.build(dry_run=True).changes and fresh.memory is not None
        assert fresh.memory.pending == []
    finally:
        fresh.close()


def test_builds_from_the_cached_snapshot_record_what_full_builds_do(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    files = plan("#milestone Launch (expected Jun 2026)")
    files["Other.md"] = "# Other\n\n- #milestone Hire (expected Q3 2026)\n"
    cached = make_vault(files)
    full = tmp_path / "full"
    shutil.copytree(cached, full)
    steps: list[Callable[[Path], None]] = [
        lambda _v: None,
        lambda v: write(v, "Other.md", "# Other\n\n- #milestone Hire a chef (expected Q3 2026)\n"),
        lambda v: write(v, PLAN, (v / PLAN).read_text(encoding="utf-8").replace("Jun", "Aug")),
        lambda v: write(v, "Third.md", "# Third\n\n- #milestone Hire a chef (expected Q4 2026)\n"),
        lambda v: (v / "Other.md").unlink(),
        lambda v: write(v, MODEL, "---\ntype: business-model\naliases: [Store]\n---\n"),
    ]
    for number, step in enumerate(steps, start=1):
        day = f"2026-05-0{number}"
        for vault, extra in ((cached, ()), (full, ("--no-cache",))):
            step(vault)
            assert run("build", vault, "--today", day, "-q", *extra).code == 0
        assert (cached / HISTORY_PATH).read_bytes() == (full / HISTORY_PATH).read_bytes(), day
    # a copy added one day and the original deleted the next are two milestones, not a move
    assert [r[1] for r in records_of(cached)] == [
        "created",
        "created",
        "title",
        "due",
        "created",
        "removed",
    ]


@needs_git
def test_history_from_git_takes_a_merge_as_one_step(run: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, PLAN, "- #milestone Launch (expected Jun 2026) [id:: launch]\n")
    write(repo, "Hire.md", "- #milestone Hire (expected Q3 2026) [id:: hire]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start", day="2026-05-01")
    git(repo, "checkout", "-q", "-b", "side")
    write(repo, "Hire.md", "- #milestone Hire (expected Q4 2026) [id:: hire]\n")
    git(repo, "commit", "-q", "-a", "-m", "side", day="2026-05-03")
    git(repo, "checkout", "-q", "main")
    edit(repo, "Jun 2026", "Jul 2026")
    git(repo, "commit", "-q", "-a", "-m", "main", day="2026-05-02")
    git(repo, "merge", "-q", "--no-ff", "side", "-m", "merge", day="2026-05-05")
    result = run("history", repo, "--from-git")
    assert result.out.splitlines() == [
        "2026-05-01  hire  created: Hire",
        "2026-05-01  launch  created: Launch",
        "2026-05-02  launch  due: Jun 2026 → Jul 2026",
        "2026-05-05  hire  due: Q3 2026 → Q4 2026",
    ]
