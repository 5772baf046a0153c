"""A one-shot export lets go of the index once milepost's own pages are written: note pages are
rendered without it, and the site and the findings are the same as an export that keeps it."""

from __future__ import annotations

import weakref
from pathlib import Path

from milepost.config import load_config
from milepost.reading import scan
from milepost.site import Exporter, SiteWriter

from .conftest import TODAY, MakeVault


def _notes() -> dict[str, str | bytes]:
    notes: dict[str, str | bytes] = {
        "Home.md": "# Home\n\nSee [[N0#Plan]], [[Secret]], [[Nope]] and ![[N1]].\n",
        "Secret.md": "---\npublish: false\n---\n# Secret\n",
    }
    for n in range(40):
        notes[f"N{n}.md"] = (
            f"---\nbusiness_model: Shop{n % 3}\n---\n# N{n}\n\n## Plan\n\n"
            f"- [ ] Step {n} #milestone 📅 2026-{n % 12 + 1:02d}-01 [owner:: Ana]\n\n"
            f"[[N{(n + 1) % 40}#Plan]] [[Secret]] [[Missing {n % 4}]]\n"
        )
    return notes


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _export(config_vault: Path, out: Path, *, keep: bool) -> tuple[Exporter, list[bool]]:
    config = load_config(config_vault, today=TODAY, jobs=1)
    index = scan(config, cache=False).index
    gone = weakref.ref(index)
    exporter = Exporter(index, config, keep=keep)
    del index
    seen: list[bool] = []  # at each progress report of the note pages: is the index gone?
    writer = SiteWriter(out, dry_run=False)
    exporter.outputs(writer, lambda _done, _total: seen.append(gone() is None))
    writer.finish()
    return exporter, seen


def test_note_pages_are_rendered_without_the_index(make_vault: MakeVault, tmp_path: Path) -> None:
    vault = make_vault(_notes())
    lean, seen = _export(vault, tmp_path / "lean", keep=False)
    assert len(seen) >= 2 and all(seen)
    assert lean.leftovers is not None
    kept, seen_kept = _export(vault, tmp_path / "kept", keep=True)
    assert seen_kept and not any(seen_kept)
    assert kept.leftovers is None
    site = _files(tmp_path / "lean")
    assert "assets/search-index.js" in site and "n0.html" in {Path(p).name for p in site}
    assert site == _files(tmp_path / "kept")
    findings = lean.diagnostics()
    assert findings == kept.diagnostics()
    codes = {d.code for d in findings}
    assert {"link.unresolved", "export.link-unpublished"} <= codes
