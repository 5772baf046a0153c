"""`milepost build`: generated pages, written safely, and nothing the user wrote is ever lost."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from milepost import load_config
from milepost.manifest import Manifest, PageRecord, Written, has_marker
from milepost.render import Page
from milepost.resolve import NameTable
from milepost.write import Writer

from .conftest import FIXTURE_VAULTS, GOLDENS, SAMPLE_VAULT, TODAY, MakeVault, Result

Run = Callable[..., Result]
TODAY_ARGS = ("--today", TODAY.isoformat())


def build(run: Run, vault: Path, *args: str) -> Result:
    return run("build", vault, *TODAY_ARGS, "--jobs", "1", *args)


def generated(vault: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted((vault / "Roadmaps").rglob("*.md"))
    }


def snapshot(vault: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(vault).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(vault.rglob("*"))
        if p.is_file()
    }


# ----- goldens ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["duplicates", "unicode", "regions"])
def test_golden_pages(
    name: str, run: Run, copy_vault: Callable[[Path], Path], update_goldens: bool
) -> None:
    vault = copy_vault(FIXTURE_VAULTS / name)
    result = build(run, vault)
    assert result.code == 0, result.out + result.err
    golden = GOLDENS / f"{name}.pages"
    produced = {}
    for path in sorted(vault.rglob("*.md")):
        rel = path.relative_to(vault).as_posix()
        original = FIXTURE_VAULTS / name / rel
        if not original.is_file() or original.read_bytes() != path.read_bytes():
            produced[rel] = path.read_text(encoding="utf-8")
    if update_goldens:
        if golden.exists():
            for old in golden.rglob("*.md"):
                old.unlink()
        for rel, text in produced.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(golden).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(golden.rglob("*.md"))
    }
    assert produced == expected


def test_sample_vault_ships_its_pages_up_to_date(
    run: Run, copy_vault: Callable[[Path], Path]
) -> None:
    """The repository shows what milepost produces (built with the today of its milepost.toml)."""
    vault = copy_vault(SAMPLE_VAULT)
    result = run("build", vault, "--check", "--jobs", "1")
    assert result.code == 0, (
        f"sample-vault is stale; run `milepost build sample-vault`:\n{result.out}"
    )
    assert (SAMPLE_VAULT / ".milepost" / "manifest.json").is_file()


def test_sample_vaults_manifest_is_what_a_build_records(
    run: Run, copy_vault: Callable[[Path], Path]
) -> None:
    """A fresh clone's first build changes nothing in the repository (mtimes aside, which a
    clone does not keep): every fingerprint the manifest records is today's."""

    def records(vault: Path) -> object:
        data = json.loads((vault / ".milepost" / "manifest.json").read_text(encoding="utf-8"))
        for record in (*data["pages"].values(), *data.get("notes", {}).values()):
            record.pop("mtime_ns", None)
        return data

    vault = copy_vault(SAMPLE_VAULT)
    assert run("build", vault, "--jobs", "1", "-q").code == 0
    assert records(vault) == records(SAMPLE_VAULT), (
        "sample-vault/.milepost/manifest.json is stale; run `milepost build sample-vault`"
    )


# ----- idempotence and determinism -------------------------------------------------------------
def test_second_build_writes_nothing(run: Run, copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    for page in (vault / "Roadmaps").rglob("*.md"):
        page.unlink()
    (vault / ".milepost" / "manifest.json").unlink()
    first = build(run, vault)
    assert first.code == 0 and "created Roadmaps/Models/Roadmap – Space X.md" in first.out
    before = snapshot(vault)
    second = build(run, vault)
    assert second.code == 0 and second.out == ""
    assert "0 written" in second.err and "0 removed, 0 in conflict" in second.err
    assert snapshot(vault) == before  # same bytes and same mtimes: nothing was touched


def test_same_vault_and_today_give_identical_pages(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    import shutil

    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(SAMPLE_VAULT, one)
    shutil.copytree(SAMPLE_VAULT, two)
    for vault in (one, two):
        shutil.rmtree(vault / "Roadmaps")
        shutil.rmtree(vault / ".milepost")
        assert build(run, vault, "--jobs", "2").code == 0
    assert generated(one) == generated(two)


def test_generated_pages_are_never_sources(run: Run, copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    before = json.loads(run("index", vault, "--json", *TODAY_ARGS, "-q").out)
    assert build(run, vault, "--force").code == 0
    after = json.loads(run("index", vault, "--json", *TODAY_ARGS, "-q").out)
    assert before == after


# ----- what the pages say ------------------------------------------------------------------------
def test_each_roadmap_lists_exactly_the_milestones_of_its_model(
    run: Run, copy_vault: Callable[[Path], Path]
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    assert build(run, vault).code == 0
    data = json.loads(run("index", vault, "--json", *TODAY_ARGS, "-q").out)
    for model in data["business_models"]:
        page = (vault / "Roadmaps" / "Models" / f"Roadmap – {model['name']}.md").read_text(
            encoding="utf-8"
        )
        listed = re.findall(r"^- \*\*(.+?)\*\*", page, re.MULTILINE)
        titles = [_plain(m["title"]) for m in model["milestones"]]
        assert sorted(_plain(t) for t in listed) == sorted(titles), model["name"]
        for milestone in model["milestones"]:
            assert f"(line {milestone['source']['line']})" in page


def _plain(text: str) -> str:
    return re.sub(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]", r"\1", text)


def test_links_in_pages_are_unambiguous_vault_paths(
    run: Run, copy_vault: Callable[[Path], Path]
) -> None:
    vault = copy_vault(FIXTURE_VAULTS / "duplicates")
    assert build(run, vault).code == 0
    files = [p.relative_to(vault).as_posix() for p in vault.rglob("*") if p.is_file()]
    table = NameTable(files)
    pages = generated(vault)
    assert pages
    for path, data in pages.items():
        for target in re.findall(r"\[\[([^\]|#\\]+)", data.decode()):
            found = table.resolve(target, path)
            assert found.path is not None and found.rule == "path", (path, target)


def test_a_name_table_knows_which_files_share_a_name_as_it_changes() -> None:
    table = NameTable(["a/Plan.md", "b/plan.md", "c/Other.md"])
    assert table.shares_name("a/Plan.md") and table.shares_name("b/plan.md")
    assert not table.shares_name("c/Other.md")
    assert table.shares_name("d/PLAN.md")  # not a file of the table: its name is shared
    assert not table.shares_name("d/Lone.md")
    table.remove("b/plan.md")
    assert not table.shares_name("a/Plan.md")
    table.add("e/Other.md")
    assert table.shares_name("c/Other.md") and table.shares_name("e/Other.md")
    copied = table.copy()
    copied.remove("e/Other.md")
    assert not copied.shares_name("c/Other.md") and table.shares_name("c/Other.md")


def test_roadmap_content(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Models/Shop.md": "---\ntype: business-model\n---\n",
            "Plan.md": """\
                ## Examples
                ### Shop
                - [ ] #milestone Open: the first #1 shop; 50% done [due:: Q1 2027] \
                  [owner:: [[Ana]]] [budget:: €10k]
                - [x] #milestone Lease signed ✅ 2026-11-02 [budget:: €2,000/month]
                - [ ] #milestone Gantt chart for the fit-out 📅 2025-01-31
                - [ ] #milestone Someday maybe
                - [-] #milestone Dropped idea ❌ 2026-01-01
                ## Tools
                - [[Gantt Chart]]
                  - Keeps the fit-out on schedule.
                """,
            "Ana.md": "# Ana\n",
            "Gantt Chart.md": "# Gantt Chart\n",
        }
    )
    assert build(run, vault).code == 0
    page = (vault / "Roadmaps/Models/Roadmap – Shop.md").read_text(encoding="utf-8")
    assert page.startswith(
        '---\ngenerated_by: milepost\npage: roadmap\nbusiness_model: "Shop"\nmilestones: 5\n'
        'overdue: 1\nnext_due: "2027-03-31"\ncomplete: 0\non_time: null\n---\n'
    )
    sections = re.findall(r"^## (.+)$", page, re.MULTILINE)
    assert sections[:5] == [
        "Roadmap",
        "Overdue (1)",
        "Planned (1)",
        "Achieved (1)",
        "Cancelled (1)",
    ]
    assert "Undated (1)" in sections and "Budget" in sections and "Tools" in sections
    assert "due Q1 2027 · " not in page and "· due Q1 2027" in page  # the date at its precision
    assert "owner: [[Ana|Ana]]" in page  # the owner link, as a vault path with display text
    assert "Open: EUR 10,000" in page and "Achieved: EUR 2,000 per month" in page
    assert "[[Plan#Shop|Plan › Shop]] (line 3)" in page
    assert "[[Gantt Chart|Gantt Chart]]" in page
    chart = page.split("```mermaid\n")[1].split("```")[0]
    check_gantt(chart)
    assert "Open∶ the first ＃1 shop； 50％ done" in chart


def test_chart_limit_keeps_the_most_pressing(run: Run, make_vault: MakeVault) -> None:
    lines = [
        f"- [ ] #milestone Item {n:03d} 📅 {2027 + n // 12}-{n % 12 + 1:02d}-01" for n in range(60)
    ]
    lines += ["- [ ] #milestone Late one 📅 2025-03-01"]
    vault = make_vault({"milepost.toml": "chart_limit = 10\n", "Big.md": "\n".join(lines) + "\n"})
    assert build(run, vault).code == 0
    page = (vault / "Roadmaps/Models/Roadmap – Unassigned.md").read_text(encoding="utf-8")
    chart = page.split("```mermaid\n")[1].split("```")[0]
    tasks = [line for line in chart.splitlines() if ":milestone" in line or ":crit" in line]
    assert len(tasks) == 10
    assert "Late one" in tasks[0]
    assert "Item 000" in chart and "Item 008" in chart and "Item 009" not in chart
    assert "The chart shows 10 of 61 dated milestones" in page
    assert len(re.findall(r"^- \*\*", page, re.MULTILINE)) == 61  # every one is in the list


GANTT_KEYWORDS = (
    "gantt",
    "dateformat",
    "inclusiveenddates",
    "topaxis",
    "axisformat",
    "tickinterval",
    "includes",
    "excludes",
    "todaymarker",
    "weekday",
    "title",
    "accdescription",
    "section",
    "click",
    "call",
    "href",
    "acctitle",
    "accdescr",
)


def check_gantt(chart: str) -> None:
    """Mermaid's gantt lexer rules, applied to every line milepost wrote."""
    lines = chart.strip("\n").split("\n")
    assert lines[0] == "gantt"
    for line in lines[1:]:
        text = line.strip()
        word = text.split(" ", 1)[0].lower()
        assert "%" not in text or word == "axisformat", line  # % starts a comment
        if word in ("title", "section", "dateformat", "axisformat", "tickinterval"):
            assert not re.search(r"[#;]", text), line
            if word == "section":
                assert ":" not in text, line
            continue
        title, colon, data = text.partition(":")
        assert colon and title.strip(), line
        assert not re.search(r"[#;%\n]", title), line
        assert not title.lower().startswith(GANTT_KEYWORDS), line
        assert not re.match(r"\d{4}-\d{2}-\d{2}", title), line
        parts = [p.strip() for p in data.split(",")]
        assert parts[-1] == "0d" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[-2]), line
        assert set(parts[:-3]) <= {"active", "done", "crit", "milestone"}, line


def test_titles_that_break_mermaid_are_made_safe(run: Run, make_vault: MakeVault) -> None:
    hostile = [
        "Gantt chart adopted",
        "section 8 approval",
        "click here",
        "call the bank",
        "Title fight",
        "2026-12-01 launch",
        "Fix: bug #12; ship",
        "Reach 50% share",
        "100 % sure",
        "a {b} <c>",
        'href "x"',
        "accTitle: x",
        "dateFormat YYYY",
    ]
    note = "\n".join(f"- [ ] #milestone {t} 📅 2027-0{n % 9 + 1}-01" for n, t in enumerate(hostile))
    vault = make_vault({"Hostile.md": note + "\n"})
    assert build(run, vault).code == 0
    page = (vault / "Roadmaps/Models/Roadmap – Unassigned.md").read_text(encoding="utf-8")
    chart = page.split("```mermaid\n")[1].split("```")[0]
    check_gantt(chart)
    assert chart.count(":milestone") == len(hostile)


def test_tool_index_and_review_pages(run: Run, copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    assert build(run, vault, "--force").code == 0
    tool = (vault / "Roadmaps/Tools/Tool – Gantt Chart.md").read_text(encoding="utf-8")
    assert "Tool note: [[Tools/Gantt Chart|Gantt Chart]]" in tool
    assert "- [[Concepts/Milestones|Milestones]]: A Gantt chart is a type of bar chart" in tool
    assert "[[Roadmaps/Models/Roadmap – Space X|Space X]] (9 milestones)" in tool
    index = (vault / "Roadmaps/Milestone index.md").read_text(encoding="utf-8")
    assert "| [[Models/Space X\\|Space X]] | 9 | 1 | 0 | 7 | 1 | 0 | 3/9 |" in index
    review = (vault / "Roadmaps/Reviews/Plan review 2026-11.md").read_text(encoding="utf-8")
    assert "the last one was on 2026-10-22, the next is on 2026-12-22" in review
    pet = review.split("## Exotic Pet Rental")[1].split("\n## ")[0]
    assert "**Overdue**" in pet and "Preview landing page" in pet.split("**Due before")[0]
    due_soon = pet.split("**Due before the next review (2026-12-22)**")[1].split("**Achieved")[0]
    assert "Monthly plan review: strategy" in due_soon and "Interview 20" not in due_soon
    achieved = pet.split("**Achieved since the last review (2026-10-22)**")[1].split("**Missing")[0]
    assert "Research pricing models" in achieved and "Monthly plan review**" in achieved


# ----- safety ----------------------------------------------------------------------------------
def test_hand_edited_page_survives_and_force_overwrites(
    run: Run, copy_vault: Callable[[Path], Path]
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    page = vault / "Roadmaps/Models/Roadmap – Space X.md"
    edited = page.read_text(encoding="utf-8") + "\nMy own note about the launch.\n"
    page.write_text(edited, encoding="utf-8")
    (vault / "Concepts/Milestones.md").write_bytes(
        (vault / "Concepts/Milestones.md")
        .read_bytes()
        .replace(b"Achievement of profitability", b"Profit")
    )
    result = build(run, vault)
    assert result.code == 1
    assert (
        "conflict Roadmaps/Models/Roadmap – Space X.md: edited by hand since milepost wrote it"
        in result.out
    )
    assert page.read_text(encoding="utf-8") == edited
    forced = build(run, vault, "--force")
    assert forced.code == 0 and "updated Roadmaps/Models/Roadmap – Space X.md" in forced.out
    assert "My own note" not in page.read_text(encoding="utf-8")
    assert "**Profit**" in page.read_text(encoding="utf-8")


def test_user_file_in_the_output_folder_survives(
    run: Run, copy_vault: Callable[[Path], Path]
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    mine = vault / "Roadmaps/Models/Roadmap – Space X.md"
    mine.write_text(
        "# My own roadmap\n\nNo marker: milepost must leave me alone.\n", encoding="utf-8"
    )
    mine_bytes = mine.read_bytes()
    other = vault / "Roadmaps/Notes to self.md"
    other.write_text("keep me\n", encoding="utf-8")
    result = build(run, vault, "--force")
    assert result.code == 0, result.out
    assert mine.read_bytes() == mine_bytes and other.read_text(encoding="utf-8") == "keep me\n"
    # the page goes to a name no user note has, so links stay unambiguous
    assert (vault / "Roadmaps/Models/Roadmap – Space X (milepost).md").is_file()
    assert "[[Roadmaps/Models/Roadmap – Space X (milepost)\\|roadmap]]" in (
        vault / "Roadmaps/Milestone index.md"
    ).read_text(encoding="utf-8")


def test_a_file_without_the_marker_is_never_overwritten_even_with_force(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "Roadmaps").mkdir(parents=True)
    target = vault / "Roadmaps" / "Page.md"
    target.write_text("user text\n")
    config = load_config(vault)
    listed = {"Roadmaps/Page.md": PageRecord(Written("x"), "roadmap")}
    writer = Writer(config, Manifest(pages=dict(listed)), force=True)
    writer.page(Page.of("Roadmaps/Page.md", "---\ngenerated_by: milepost\n---\nnew\n", "roadmap"))
    assert target.read_text() == "user text\n"
    assert [c.action for c in writer.changes] == ["conflict"]
    writer = Writer(config, Manifest(pages=dict(listed)), force=True)
    writer.prune([])  # not produced any more: still never deleted
    assert target.read_text() == "user text\n"


def test_pages_of_vanished_models_are_removed_only_when_unedited(
    run: Run, copy_vault: Callable[[Path], Path]
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    (vault / "Milestones/Ethics board approval.md").unlink()
    for note in (
        "Concepts/Milestones.md",
        "Concepts/Revenue Streams.md",
        "Models/extinguished animals meat.md",
    ):
        path = vault / note
        path.write_bytes(path.read_bytes().replace(b"extinguished animals meat", b"Gone model"))
    (vault / "Models/extinguished animals meat.md").unlink()
    # an edited page of another vanishing model
    (vault / "Concepts/Customer Segments.md").write_bytes(
        (vault / "Concepts/Customer Segments.md")
        .read_bytes()
        .replace(b"Space Exploration Technologies", b"Orbital Co")
    )
    result = build(run, vault)
    assert "removed Roadmaps/Models/Roadmap – extinguished animals meat.md" in result.out
    assert not (vault / "Roadmaps/Models/Roadmap – extinguished animals meat.md").exists()
    assert (vault / "Roadmaps/Models/Roadmap – Gone model.md").is_file()
    assert (vault / "Roadmaps/Models/Roadmap – Orbital Co.md").is_file()
    orbital = vault / "Roadmaps/Models/Roadmap – Orbital Co.md"
    orbital.write_text(orbital.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    (vault / "Concepts/Customer Segments.md").write_bytes(
        (vault / "Concepts/Customer Segments.md").read_bytes().replace(b"Orbital Co", b"SpaceX")
    )
    again = build(run, vault)
    assert again.code == 1
    assert (
        "conflict Roadmaps/Models/Roadmap – Orbital Co.md: "
        "no longer produced, but edited by hand; kept" in again.out
    )
    assert orbital.read_text(encoding="utf-8").endswith("edited\n")


def test_last_months_review_is_kept(run: Run, copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    assert run("build", vault, "--today", "2026-12-05", "-q").code == 0
    assert (vault / "Roadmaps/Reviews/Plan review 2026-11.md").is_file()
    assert (vault / "Roadmaps/Reviews/Plan review 2026-12.md").is_file()


def test_dry_run_and_check(run: Run, copy_vault: Callable[[Path], Path]) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    (vault / "Concepts/Milestones.md").write_bytes(
        (vault / "Concepts/Milestones.md")
        .read_bytes()
        .replace(b"First successful rocket launch", b"Maiden flight")
    )
    before = snapshot(vault)
    dry = build(run, vault, "--dry-run")
    assert dry.code == 0 and "would update Roadmaps/Models/Roadmap – Space X.md" in dry.out
    assert 'would update Models/Space X.md (region roadmap "Space X")' in dry.out
    assert snapshot(vault) == before
    check = build(run, vault, "--check")
    assert check.code == 1 and snapshot(vault) == before
    assert build(run, vault).code == 0
    assert build(run, vault, "--check").code == 0


# ----- managed regions -------------------------------------------------------------------------
REGION_NOTE = (
    "---\ntitle: keep me\n---\n"
    "# My plan\r\n"
    "Intro text, byte for byte.\r\n"
    "\r\n"
    '%% milepost:begin milestones "Shop" %%\r\n'
    "%% milepost:end %%\r\n"
    "\r\n"
    "```\n%% milepost:begin index %%\n%% milepost:end %%\n```\n"
    "Trailing text without a final newline"
)


def test_region_changes_only_between_its_markers(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Plan.md": REGION_NOTE.encode(),
            "Shop.md": "## Examples\n### Shop\n- [ ] #milestone Open 📅 2027-01-01\n",
        }
    )
    first = build(run, vault)
    assert first.code == 0 and 'updated Plan.md (region milestones "Shop")' in first.out
    data = (vault / "Plan.md").read_bytes()
    begin = data.index(b'%% milepost:begin milestones "Shop" %%\r\n') + len(
        b'%% milepost:begin milestones "Shop" %%\r\n'
    )
    end = data.index(b"%% milepost:end %%\r\n")
    original = REGION_NOTE.encode()
    assert data[:begin] == original[: original.index(b"%% milepost:end")]
    assert data[end:] == original[original.index(b"%% milepost:end") :]
    inside = data[begin:end]
    assert b"**Open**" in inside and b"\r\n" in inside and b"\n" not in inside.replace(b"\r\n", b"")
    assert build(run, vault).out == ""  # second build: nothing to do
    # a hand edit inside the region is kept
    (vault / "Plan.md").write_bytes(data.replace(b"**Open**", b"**Open (my words)**"))
    (vault / "Shop.md").write_text("## Examples\n### Shop\n- [ ] #milestone Open 📅 2027-02-01\n")
    kept = build(run, vault)
    assert (
        kept.code == 1
        and 'conflict Plan.md (region milestones "Shop"): region edited by hand' in kept.out
    )
    assert b"my words" in (vault / "Plan.md").read_bytes()


def test_unknown_region_is_reported_and_left_alone(run: Run, make_vault: MakeVault) -> None:
    note = '%% milepost:begin roadmap "Nobody" %%\nmine\n%% milepost:end %%\n'
    vault = make_vault({"Plan.md": note})
    result = run("build", vault, *TODAY_ARGS, "--jobs", "1")
    assert result.code == 0
    assert (
        "Plan.md:1: warning: milepost does not know the region 'roadmap \"Nobody\"'" in result.err
    )
    assert (vault / "Plan.md").read_text() == note


def test_template_override_from_the_vault(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "milepost.toml": 'templates = "My templates"\n',
            "My templates/tool.md.j2": (
                "---\ngenerated_by: milepost\n---\nCustom page for {{ view.tool.name }}\n"
            ),
            "Plan.md": "## Tools\n- [[Gantt Chart]]\n  - why\n",
        }
    )
    assert build(run, vault).code == 0
    assert (vault / "Roadmaps/Tools/Tool – Gantt Chart.md").read_text() == (
        "---\ngenerated_by: milepost\n---\nCustom page for Gantt Chart\n"
    )
    bad = make_vault({"milepost.toml": 'templates = "Missing"\n'})
    missing = run("build", bad)
    assert missing.code == 2 and "'templates' names 'Missing', not a folder" in missing.err


def test_marker_detection() -> None:
    assert has_marker(b"---\ngenerated_by: milepost\npage: x\n---\nbody")
    assert has_marker(b"---\r\ngenerated_by: milepost\r\n---\r\n")
    assert not has_marker(b"# title\ngenerated_by: milepost\n")
    assert not has_marker(b"---\ntitle: x\n---\ngenerated_by: milepost\n")


def generated_pages() -> list[Path]:
    pages = [p for p in SAMPLE_VAULT.rglob("*.md") if b"generated_by: milepost" in p.read_bytes()]
    assert len(pages) > 5
    return sorted(pages)


EDGE_PAGES = {
    "closed": "---\ngenerated_by: milepost\n---\n# Roadmap\n",
    "crlf": "---\r\ngenerated_by: milepost\r\n---\r\nbody\r\n",
    "unclosed": "---\ngenerated_by: milepost\n# no closing line\n",
    "indented close": "---\ngenerated_by: milepost\n  ---\n---\nbody\n",
    "other value": "---\ngenerated_by: someone else\n---\n#milestone Kept (expected 2030)\n",
    "bad yaml": "---\ngenerated_by: milepost\n  : [\n---\n#milestone Kept (expected 2030)\n",
    "late key": "---\ntitle: x\n---\ngenerated_by: milepost\n#milestone Kept (expected 2030)\n",
    "empty block": "---\n---\ngenerated_by: milepost\n",
}


def test_generated_pages_are_read_from_their_front_matter_as_a_full_parse_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from milepost import parse

    config = load_config(SAMPLE_VAULT, today=TODAY)
    samples = {p.relative_to(SAMPLE_VAULT).as_posix(): p.read_bytes() for p in generated_pages()}
    samples |= {f"Edge/{name}.md": text.encode() for name, text in EDGE_PAGES.items()}
    quick = {path: parse.parse_note(path, data, config) for path, data in samples.items()}
    monkeypatch.setattr(parse, "_generated_page", lambda *_: None)
    full = {path: parse.parse_note(path, data, config) for path, data in samples.items()}
    assert quick == full
    assert sum(note.generated for note in quick.values()) > 5
    assert not quick["Edge/other value.md"].generated and quick["Edge/other value.md"].milestones


def test_quiet_build_prints_the_summary_and_conflicts_only(
    run: Run, copy_vault: Callable[[Path], Path]
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    for page in (vault / "Roadmaps").rglob("*.md"):
        page.unlink()
    (vault / ".milepost" / "manifest.json").unlink()
    first = build(run, vault, "-q")
    assert first.code == 0 and first.out == ""
    assert re.search(r"^\d+ written, .* in \d+\.\d\d s$", first.err.strip())
    roadmap = vault / "Roadmaps/Models/Roadmap – Space X.md"
    roadmap.write_text(roadmap.read_text(encoding="utf-8") + "\nMy own line.\n", encoding="utf-8")
    (vault / "Concepts/Milestones.md").write_bytes(
        (vault / "Concepts/Milestones.md").read_bytes().replace(b"profitability", b"profit")
    )
    second = build(run, vault, "-q")
    assert second.code == 1
    assert second.out.splitlines() == [
        "conflict Roadmaps/Models/Roadmap – Space X.md: edited by hand since milepost wrote it; "
        "kept (--force overwrites)"
    ]


def test_roadmap_items_show_tasks_priority_recurrence_and_dates(
    run: Run, make_vault: MakeVault
) -> None:
    vault = make_vault(
        {
            "Plan.md": (
                "- [ ] #milestone Close the books 🔁 every month ⏫ ➕ 2026-01-02 ⏳ 2027-01-05"
                " 📅 2027-01-31\n"
                "- [ ] #milestone Audit 🛫 2027-02-02 ⏳ 2027-02-10 📅 2027-03-01\n"
                "- [ ] #milestone Plain 📅 2027-04-01\n"
            ),
        }
    )
    assert build(run, vault).code == 0
    page = (vault / "Roadmaps/Models/Roadmap – Unassigned.md").read_text(encoding="utf-8")
    items = {
        line.split("**")[1]: (line, detail)
        for line, detail in zip(page.splitlines(), page.splitlines()[1:], strict=False)
        if line.startswith("- **")
    }
    books, books_detail = items["Close the books"]
    assert books.endswith("· due 2027-01-31 · start 2027-01-05 · created 2026-01-02")
    assert "· priority: high · repeats every month" in books_detail
    audit, audit_detail = items["Audit"]
    assert audit.endswith("· due 2027-03-01 · start 2027-02-02 · scheduled 2027-02-10")
    assert "priority" not in audit_detail and "repeats" not in audit_detail
    plain, _ = items["Plain"]
    assert plain.endswith("**Plain** · due 2027-04-01")
