"""One view model for both outputs: the vault's Markdown pages and the exported site list the
same milestones, under the same headings, in the same order, with the same counts."""

from __future__ import annotations

import html
import html.parser
import re
from collections.abc import Callable
from pathlib import Path

from .conftest import TODAY, MakeVault, Result

Listing = list[tuple[str, list[str]]]
"""Each heading of a page with the milestone titles under it, in order."""

VAULT: dict[str, str | bytes] = {
    "milepost.toml": 'today = "2026-11-22"\nreview_limit = 3\n',
    "Models/Alpha.md": "---\ntype: business-model\n---\n# Alpha\n",
    # written out of date order, so a page that does not sort shows them differently
    "Plans/Alpha plan.md": """\
        ---
        business_model: Alpha
        ---
        # Alpha plan

        - [ ] #milestone Late third 📅 2026-10-20 [owner:: Ops team] [budget:: €5,000]
        - [ ] #milestone Late first 📅 2026-06-01
        - [ ] #milestone Late second 📅 2026-09-01
        - [ ] #milestone Late fourth 📅 2026-11-01
        - [ ] #milestone Soon second 📅 2026-12-15 ⏫ 🔁 every month [kind:: plan-review]
        - [ ] #milestone Soon first 📅 2026-12-01
        - [ ] #milestone Someday, no date at all
        - [x] #milestone Shipped ✅ 2026-11-10
        - [x] #milestone Shipped long ago ✅ 2025-01-10
        - [ ] #milestone Later [due:: Q3 2027]
        - [-] #milestone Dropped ❌ 2026-08-01
        """,
    "Plans/Beta plan.md": """\
        ---
        business_model: Beta
        ---
        - [ ] #milestone Beta launch 📅 2027-02-01
        - [ ] #milestone Beta undated
        """,
}


class _Html(html.parser.HTMLParser):
    """Headings (h2/h3) and the titles of the milestone items under them."""

    def __init__(self) -> None:
        super().__init__()
        self.listing: Listing = []
        self.heading: str | None = None
        self.strong: str | None = None
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "h3"):
            self.heading = ""
        if tag == "div" and ("class", "mp-item-title") in attrs:
            self.in_title = True
        if tag == "strong" and self.in_title:
            self.strong = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3") and self.heading is not None:
            self.listing.append((" ".join(self.heading.split()), []))
            self.heading = None
        if tag == "strong" and self.strong is not None:
            self.listing[-1][1].append(self.strong)
            self.strong = None
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading += data
        if self.strong is not None:
            self.strong += data


def html_listing(page: Path) -> Listing:
    parser = _Html()
    parser.feed(page.read_text(encoding="utf-8"))
    return [(h, titles) for h, titles in parser.listing if titles]


def markdown_listing(page: Path) -> Listing:
    listing: Listing = []
    for line in page.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^(?:#{2,3} (.+)|\*\*(.+)\*\*)$", line)
        if heading:
            listing.append((heading.group(1) or heading.group(2), []))
        item = re.match(r"^- \*\*(.+?)\*\*", line)
        if item and listing:
            listing[-1][1].append(item.group(1))
    return [(h, titles) for h, titles in listing if titles]


def html_items(page: Path) -> list[str]:
    """Each milestone's title, dates and details line, as the site shows it."""
    text = page.read_text(encoding="utf-8")
    found = re.findall(
        r'<div class="mp-item-title">(.*?)</div>\s*<div class="mp-item-meta">(.*?)</div>', text
    )
    out = []
    for title, meta in found:
        name = re.search(r"<strong>(.*?)</strong>", title)
        assert name is not None
        dates = re.findall(r'<span class="mp-date">(.*?)</span>', title)
        details = re.sub(r"<[^>]+>", "", meta)
        out.append(html.unescape(" · ".join([name.group(1), *dates]) + " | " + details))
    return out


def markdown_items(page: Path) -> list[str]:
    """Each milestone's title, dates and details line, as the vault's page shows it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    out = []
    for number, line in enumerate(lines):
        item = re.match(r"^- \*\*(.+?)\*\*(.*)$", line)
        if item:
            details = lines[number + 1].strip()
            out.append(item.group(1) + item.group(2) + " | " + details)
    return out


def test_the_markdown_and_html_pages_list_the_same_items_in_the_same_order(
    make_vault: MakeVault, run: Callable[..., Result], tmp_path: Path
) -> None:
    vault = make_vault(VAULT)
    args = ("--today", TODAY.isoformat())
    assert run("build", vault, *args, "-q").code in (0, 1)
    site = tmp_path / "site"
    assert run("export", vault, "-o", site, *args, "--jobs", "1", "-q").code == 0
    pages = vault / "Roadmaps"

    for model in ("Alpha", "Beta"):
        markdown = markdown_listing(pages / "Models" / f"Roadmap – {model}.md")
        site_page = html_listing(site / "roadmaps" / f"{model.lower()}.html")
        assert markdown == site_page, model
        assert markdown_items(pages / "Models" / f"Roadmap – {model}.md") == html_items(
            site / "roadmaps" / f"{model.lower()}.html"
        )
    shown = " ".join(html_items(site / "roadmaps" / "alpha.html"))
    assert "owner: Ops team · budget: €5,000" in shown
    assert "kind: plan review · priority: high · repeats every month" in shown
    alpha = dict(markdown_listing(pages / "Models" / "Roadmap – Alpha.md"))
    assert alpha["Overdue (4)"] == ["Late first", "Late second", "Late third", "Late fourth"]
    assert alpha["Undated (1)"] == ["Someday, no date at all"]
    assert sum(len(titles) for titles in alpha.values()) == 11

    review_md = markdown_listing(pages / "Reviews" / "Plan review 2026-11.md")
    review_html = html_listing(site / "review.html")
    # the Markdown review heads each business model with its name; the site links it
    assert [h for h, _ in review_md] == [h for h, _ in review_html]
    assert [t for _, t in review_md] == [t for _, t in review_html]
    overdue = dict(review_html)["Overdue"]
    assert overdue == ["Late first", "Late second", "Late third"]  # by date, at most 3
    review_text = (site / "review.html").read_text(encoding="utf-8")
    assert "…and 1 more" in review_text

    counts_md = re.findall(
        r"\| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|",
        (pages / "Milestone index.md").read_text(encoding="utf-8"),
    )
    counts_html = [
        tuple(re.findall(r"<td>(\d+)</td>", row)[:6])
        for row in re.findall(r"<tr><td><a.*?</tr>", (site / "index.html").read_text("utf-8"))
    ]
    assert counts_md == counts_html and len(counts_md) == 2
