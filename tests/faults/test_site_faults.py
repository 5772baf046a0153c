"""A hostile vault exported as a site: nothing of the vault's runs in a browser.

Business models, milestone titles, owners, tags, headings, file names and links carry HTML and
script payloads; every page, SVG and attribute of the exported site is then parsed (not searched
for substrings) and must hold no script milepost did not ship, no event handler, no
``javascript:`` URL and no element the payload tried to open.
"""

from __future__ import annotations

import html.parser
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import TODAY, MakeVault, Result

PAYLOADS = (
    'x"onload="alert(1)"',
    'y"><script>alert(1)</script>',
    "</title><script>alert(1)</script>",
    "z' onmouseover='alert(1)",
)
OURS = {"search.js", "search-index.js"}
"""The only scripts the site loads: milepost's own, by file name."""


class Audit(html.parser.HTMLParser):
    """Everything in a page that could run: scripts, handlers, script URLs, injected tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if src.rsplit("/", 1)[-1] not in OURS:
                self.found.append(f"<script src={src!r}>")
            self.in_script = True
        if tag in ("iframe", "object", "embed", "base", "form", "style"):
            self.found.append(f"<{tag}>")
        if tag == "meta" and any(name.lower() == "http-equiv" for name, _ in attrs):
            self.found.append(f"<meta {attrs}>")
        for name, value in attrs:
            low = name.lower()
            if low.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if '"' in name or "'" in name or "<" in name:
                self.found.append(f"<{tag}> has an attribute named {name!r}")
            text = "".join((value or "").split()).lower()
            if low == "style" and (
                "url(" in text or "expression(" in text or ";" in text.rstrip(";")
            ):
                self.found.append(f"<{tag} style={value!r}>")
            if low in ("href", "src", "xlink:href", "action", "formaction") and text.startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def audit(site: Path) -> list[str]:
    problems = []
    pages = [p for p in site.rglob("*") if p.suffix in (".html", ".svg", ".xml")]
    assert pages, "the export wrote no page"
    for page in pages:
        parser = Audit()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        problems += [f"{page.relative_to(site)}: {what}" for what in parser.found]
    script = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    if "</script" in script.lower():
        problems.append("search-index.js: holds '</script'")
    return problems


def hostile_vault(make_vault: MakeVault, payload: str) -> Path:
    quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
    return make_vault(
        {
            "Home.md": f"# Home {payload}\n\n[[Plan]] · [click](javascript:alert(1))\n",
            "Plan.md": (
                "---\n"
                f'business_model: "{quoted}"\n'
                f'owner: "{quoted}"\n'
                f'tags: ["{quoted}", "ok/{quoted}"]\n'
                "---\n"
                f"# Plan {payload}\n\n"
                f"## Section {payload}\n\n"
                f"- [ ] #milestone Launch {payload} 📅 2027-01-15\n"
                f"  owner:: {payload}\n"
                f"- [x] #milestone Done {payload} ✅ 2026-10-01\n"
                "\n[j](javascript:alert(1)) [v](  JaVaScRiPt:alert(1)) "
                '<a href="javascript:alert(1)">a</a> <img src=x onerror=alert(1)>\n'
                f"<svg><script>alert(1)</script></svg> [[{payload}]]\n"
                f"\n## Tools\n\n- [[{payload}]]: a tool with a hostile name\n"
                "- [[<img src=x onerror=alert(1)>]]\n"
                "\n![[<img src=x onerror=alert(1)>]] ![x](javascript:alert(1)) "
                '<a href="data:text/html,<script>alert(1)</script>">d</a>\n'
                '<a href="&#106;avascript:alert(1)">e</a> <style>body{display:none}</style>\n'
                '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">\n'
                '<p style="background:url(javascript:alert(1))">s</p>\n'
                '\n<table><tr><td style="text-align:left;background:url(javascript:alert(1))">'
                "t</td></tr></table>\n"
            ),
            "<img src=x onerror=alert(1)>.md": (
                f"# {payload}\n\n- [ ] #milestone {payload} 📅 2026-12-01\n"
                f"  business_model:: {payload}\n"
            ),
            "Models/Old.md": (
                f"- [x] #milestone Long ago {payload} ✅ 2019-05-01\n  business_model:: {payload}\n"
            ),
            "Models/Model.md": (
                "---\n"
                f'business_model: "{quoted}"\n'
                f'due: "2027-03-01"\n'
                f'owner: "{quoted}"\n'
                "tags: [milestone]\n"
                f'description: "{quoted}"\n'
                "---\n"
                f"# Model {payload}\n\n"
                "```roadmap\n```\n"
            ),
        }
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_vault_exports_a_site_that_runs_nothing(
    payload: str,
    make_vault: MakeVault,
    run: Callable[..., Result],
    tmp_path: Path,
) -> None:
    vault = hostile_vault(make_vault, payload)
    site = tmp_path / "site"
    done = run("export", vault, "-o", site, "--today", TODAY.isoformat(), "--jobs", "1", "-q")
    assert done.code in (0, 1), done.err
    roadmaps = list((site / "roadmaps").rglob("*.html"))
    assert roadmaps, "the hostile business model got no roadmap page"
    assert any("<svg" in p.read_text(encoding="utf-8") for p in roadmaps)
    assert any(">earlier</text>" in p.read_text(encoding="utf-8") for p in roadmaps)
    assert len(list((site / "tools").rglob("*.html"))) == 2  # both hostile tool names
    assert "mp-home-note" in (site / "index.html").read_text(encoding="utf-8")
    assert audit(site) == []


def test_the_audit_sees_what_it_looks_for(tmp_path: Path) -> None:
    """The checks above could not pass by looking at nothing."""
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "search-index.js").write_text("window.x = [];\n")
    (site / "a.html").write_text(
        '<svg aria-labelledby="mp-x"onload="alert(1)""><title id="t">x</title></svg>'
        '<a href=" javascript:alert(1)">a</a><script>alert(1)</script>'
    )
    found = audit(site)
    assert any("onload" in f for f in found)
    assert any("javascript" in f for f in found)
    assert any("inline script" in f for f in found)


def test_no_site_template_marks_a_value_safe() -> None:
    """What a site page shows is escaped by the template engine, or is Markup that a function
    built by escaping (the sanitizer, the SVG timeline); no template switches escaping off."""
    from milepost.render.env import package_templates

    site = package_templates() / "site"
    offenders = [
        f"{t.name}: {line.strip()}"
        for t in sorted(site.glob("*.j2"))
        for line in t.read_text(encoding="utf-8").splitlines()
        if "|safe" in line.replace(" ", "") or "autoescape false" in line.replace("  ", " ")
    ]
    assert offenders == []
