"""The export's fast paths make the same site as the paths they stand in for."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from milepost.config import load_config
from milepost.errors import WriteError
from milepost.reading import scan
from milepost.render.env import environment
from milepost.site import newsite
from milepost.site.itemhtml import MACRO, own_item_macro
from milepost.site.pages import Pages, Shown
from milepost.site.shape import Site
from milepost.site.writer import MANIFEST, Output, SiteWriter

from .conftest import SAMPLE_VAULT, TODAY, MakeVault, Result

Run = Callable[..., Result]


def _export(run: Run, vault: Path, out: Path, jobs: str = "1") -> None:
    done = run("export", vault, "-o", out, "--today", TODAY.isoformat(), "--jobs", jobs, "-q")
    assert done.code == 0, done.err


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_a_new_site_is_the_site_an_old_one_is_made_into(
    run: Run, copy_vault: Callable[[Path], Path], tmp_path: Path
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    new, old = tmp_path / "new", tmp_path / "old"
    _export(run, vault, new, jobs="2")
    _export(run, vault, old)
    listed = json.loads((old / MANIFEST).read_text(encoding="utf-8"))["files"]
    for path in listed:  # an old site that lost its pages: each is compared, then written
        (old / path).unlink()
    _export(run, vault, old)
    made = _files(new)
    assert len(made) > 40
    assert made == _files(old)
    assert not [p for p in made if p.endswith(".milepost-tmp")]


def test_a_new_site_is_written_without_reading(tmp_path: Path) -> None:
    out = (tmp_path / "site").resolve()
    writer = SiteWriter(out, dry_run=False)
    assert writer.fresh
    writer.put(Output("notes/a/b.html", b"<p>b</p>", "a note"))
    writer.put(Output("index.html", b"<p>home</p>", "home"))
    done = writer.finish()
    assert done.written == ["index.html", "notes/a/b.html"]
    assert (out / "notes/a/b.html").read_bytes() == b"<p>b</p>"
    assert SiteWriter(out, dry_run=False).fresh is False  # it has a manifest now


def test_a_folder_with_files_is_not_new(tmp_path: Path) -> None:
    out = (tmp_path / "site").resolve()
    out.mkdir()
    (out / MANIFEST).write_text('{"files": {}}', encoding="utf-8")
    assert SiteWriter(out, dry_run=False).fresh is False


@pytest.mark.parametrize("path", ["../x.html", "a/../../x.html", "/etc/x", "a/.."])
def test_a_new_site_refuses_paths_out_of_it(tmp_path: Path, path: str) -> None:
    with pytest.raises(WriteError):
        newsite.write_new(tmp_path.resolve(), path, b"x")
    assert not (tmp_path.parent / "x.html").exists()


def test_a_folder_removed_meanwhile_is_made_again(tmp_path: Path) -> None:
    out = tmp_path.resolve()
    newsite.write_new(out, "tags/a.html", b"a")
    shutil.rmtree(out / "tags")
    newsite.write_new(out, "tags/b.html", b"b")
    assert (out / "tags" / "b.html").read_bytes() == b"b"


def test_a_new_site_never_writes_through_a_linked_folder(tmp_path: Path) -> None:
    out = (tmp_path / "site").resolve()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "notes").symlink_to(elsewhere)
    newsite.forget(out)
    with pytest.raises(WriteError):
        newsite.write_new(out, "notes/a.html", b"a")
    assert not list(elsewhere.iterdir())


def _shown_items(vault: Path) -> list[Shown]:
    config = load_config(vault, today=TODAY)
    index = scan(config, cache=False).index
    pages = Pages(index, Site(index, config, only_published=False))
    shown = []
    for model in pages.visible_models():
        for entry in pages.entries(model):
            shown.append(pages.item(entry, "roadmaps/x.html"))
            shown.append(pages.item(entry, "review.html"))
    return shown


MARKED = """\
    ---
    tags: [milestone]
    ---
    # Plan <"&'> of [[Other|the other]]

    - [ ] #milestone Ship <b>"beta"</b> & 'more' 📅 2026-12-01
      owner:: [[Ana & <Bo>]]
      budget:: 5 <EUR>
      priority:: high & "urgent"
      A description with <i>tags</i> & "quotes".
    - [x] #milestone Done one ✅ 2026-10-01 📅 2026-09-30
    - [ ] #milestone Undated, with nothing else
    """


def test_milestones_html_is_the_item_macro(make_vault: MakeVault, tmp_path: Path) -> None:
    vault = make_vault({"Models/Shop <&>.md": MARKED, "Other.md": "# Other\n"})
    macro = environment(load_config(vault)).get_template(MACRO).module.item  # type: ignore[attr-defined]
    items = _shown_items(vault) + _shown_items(SAMPLE_VAULT)
    assert len(items) > 50
    assert any("&" in i.title or "<" in i.title for i in items)
    for shown in items:
        assert shown.fast
        assert shown.html == str(macro(shown))


def test_a_vaults_item_macro_is_used(make_vault: MakeVault, run: Run, tmp_path: Path) -> None:
    vault = make_vault(
        {
            "Models/Shop.md": MARKED,
            "milepost.toml": 'templates = "tpl"\n',
            "tpl/site/_item.html.j2": "{% macro item(i) %}<li>MINE {{ i.title }}</li>"
            "{% endmacro %}",
        }
    )
    assert not own_item_macro(load_config(vault))
    _export(run, vault, tmp_path / "site")
    page = next((tmp_path / "site" / "roadmaps").glob("*.html")).read_text(encoding="utf-8")
    assert "<li>MINE Ship" in page
    assert 'class="mp-item"' not in page


def test_vault_templates_without_the_macro_list_milestones_alike(
    make_vault: MakeVault, run: Run, tmp_path: Path
) -> None:
    vault = make_vault({"Models/Shop.md": MARKED})
    _export(run, vault, tmp_path / "plain")
    (vault / "milepost.toml").write_text('templates = "tpl"\n', encoding="utf-8")
    (vault / "tpl" / "site").mkdir(parents=True)
    (vault / "tpl" / "site" / "tags.html.j2").write_text("tags", encoding="utf-8")
    assert own_item_macro(load_config(vault))  # a template folder, in the sandbox
    _export(run, vault, tmp_path / "sandboxed")
    roadmaps = sorted(p.name for p in (tmp_path / "plain" / "roadmaps").glob("*.html"))
    assert roadmaps
    for page in ["review.html", *(f"roadmaps/{name}" for name in roadmaps)]:
        made = (tmp_path / "sandboxed" / page).read_bytes()
        assert made == (tmp_path / "plain" / page).read_bytes()
        assert made.count(b'<li class="mp-item"') >= 2
