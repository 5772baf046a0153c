"""Note pages rendered from a kit (no index), files written piece by piece, and a one-shot export
that keeps nothing between exports making the same site as one that keeps everything."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from milepost.config import Config, load_config
from milepost.errors import WriteError
from milepost.index import VaultIndex
from milepost.model import Link
from milepost.reading import scan
from milepost.site import SiteSession, export
from milepost.site import exporter as exporter_module
from milepost.site.exporter import Exporter, Rendered
from milepost.site.kit import KitSite, kit_of
from milepost.site.pageworkers import share_with_workers
from milepost.site.writer import SiteWriter
from milepost.workers import share

from .conftest import TODAY, MakeVault

NOTES: dict[str, str | bytes] = {
    "Home.md": """\
        # Home

        See [[Plans/Alpha]], [[Alpha#Launch]], [[Alpha#^goal]], [[Alpha#Nowhere]], [[Beta]],
        [[Secret]], [[chart.png]], [[Nope]], [text](Plans/Alpha.md#Launch) and ![[Alpha#Launch]].
        #home/page
        """,
    "Plans/Alpha.md": """\
        # Alpha

        ## Launch

        - [ ] Ship it #milestone 📅 2026-12-01
        - [x] Plan it #milestone 📅 2026-10-01

        The goal. ^goal

        ![[Beta]] and ![[chart.png|40x20]] #plan
        """,
    "Beta.md": """\
        ---
        aliases: [B]
        ---
        # Beta

        - [ ] Beta ready #milestone 📅 2027-02-01
        Links back to [[Home]] and [[Plans/Alpha#Launch|the launch]].
        """,
    "Other/Beta.md": "# Another Beta\n\n[[Beta]]\n",
    "Secret.md": "---\npublish: false\n---\n# Secret\n",
    "chart.png": b"\x89PNG\r\n\x1a\n",
}


def _index(vault: Path) -> tuple[Config, VaultIndex]:
    config = load_config(vault, today=TODAY, jobs=1)
    return config, scan(config, cache=False).index


def test_a_kit_resolves_every_link_as_the_site_does(make_vault: MakeVault) -> None:
    config, index = _index(make_vault(NOTES))
    exporter = Exporter(index, config)
    for model in exporter.pages.visible_models():
        exporter.pages.chart(model)
    site = exporter.site
    kit = pickle.loads(kit_of(index, site).blob())  # as a worker gets it
    copy = KitSite(kit)
    extra = [
        Link(t, s, None, e, 0, "")
        for t in ("Alpha", "B", "x.md", "")
        for s in ("", "Launch")
        for e in (False, True)
    ]
    checked = 0
    for source in site.note_urls:
        for link in (*index.notes[source].links, *extra):
            assert copy.target(link, source) == site.target(link, source), (source, link)
            checked += 1
    assert checked > 40
    assert copy.region_model('roadmap "Unassigned"') == site.region_model('roadmap "Unassigned"')
    assert kit.facts["Plans/Alpha.md"].blocks == index.notes["Plans/Alpha.md"].blocks


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_a_one_shot_export_makes_the_site_a_kept_one_makes(
    make_vault: MakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """export() streams the search index and the calendar through temporary files and keeps no
    page's result; a watched site keeps them all. The first has fresh workers (plain child
    processes reading the kit from a file), the second forked ones. The bytes are the same."""
    many = {  # enough notes that a worker process renders some of the pages, both ways
        f"Notes/N{n:03}.md": f"# N{n:03}\n\nSee [[N{(n + 1) % 120:03}]] and [[Alpha#Launch]]. #n\n"
        for n in range(120)
    }
    vault = make_vault({**NOTES, **many})
    (vault / "milepost.toml").write_text('outputs = ["pages", "calendar", "canvas"]\njobs = 2\n')
    config, index = _index(vault)
    config = replace(config, jobs=2)
    sent: list[int] = []  # chunks rendered by worker processes

    def received(results: list[Rendered]) -> list[Rendered]:
        sent.append(len(results))
        return results

    monkeypatch.setattr(
        exporter_module,
        "share",
        lambda chunks, here, there, got, **kw: share(
            chunks, here, there, lambda r: got(received(r)), **kw
        ),
    )
    monkeypatch.setattr(
        exporter_module,
        "share_with_workers",
        lambda chunks, here, there, got, **kw: share_with_workers(
            chunks, here, there, lambda r: got(received(r)), **kw
        ),
    )
    monkeypatch.setattr(exporter_module, "FRESH_FROM", 0)  # fresh workers, over pipes
    done = export(index, config, tmp_path / "once")
    assert sum(sent) > 0, "no worker rendered a page"
    monkeypatch.setattr(exporter_module, "FRESH_FROM", 1000)  # forked workers
    workers_once = sum(sent)
    SiteSession(config, tmp_path / "kept").export(index)
    assert sum(sent) > workers_once, "no worker rendered a page of the kept site"
    once, kept = _files(tmp_path / "once"), _files(tmp_path / "kept")
    assert once == kept
    assert b"BEGIN:VEVENT" in once["feeds/milestones.ics"]
    assert b'"t":"Alpha"' in once["assets/search-index.js"]
    assert "assets/search-index.js" in done.written
    assert len([p for p in once if p.startswith("notes/notes/")]) == 120
    assert b'"t":"N007"' in once["assets/search-index.js"]


def test_pieces_are_written_only_when_they_change(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    writer = SiteWriter(out, dry_run=False)
    placed = writer.put_chunks("a/b.js", iter([b"one", b",", b"two"]), "test")
    assert (out / "a/b.js").read_bytes() == b"one,two"
    assert placed.size == 7
    assert writer.result.written == ["a/b.js"]
    before = (out / "a/b.js").stat().st_ino
    again = SiteWriter(out, dry_run=False)
    assert again.put_chunks("a/b.js", [b"one,", b"two"], "test").digest == placed.digest
    assert again.result.unchanged == ["a/b.js"]
    assert (out / "a/b.js").stat().st_ino == before  # not replaced
    changed = SiteWriter(out, dry_run=False)
    changed.put_chunks("a/b.js", [b"three"], "test")
    assert (out / "a/b.js").read_bytes() == b"three"
    dry = SiteWriter(out, dry_run=True)
    dry.put_chunks("a/c.js", [b"x"], "test")
    assert dry.result.written == ["a/c.js"]
    assert not (out / "a/c.js").exists()
    assert sorted(p.name for p in (out / "a").iterdir()) == ["b.js"]  # no temporary file left
    with pytest.raises(WriteError):
        writer.put_chunks("../outside.js", [b"x"], "test")
    assert not (tmp_path / "outside.js").exists()
