"""A vault's templates render in a sandbox: a payload is one line naming the template file and
line, exit 2, and runs nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from milepost.render.env import package_templates

from ..conftest import MakeVault
from .conftest import args, milepost, payload

ESCAPES = [
    "{{ cycler.__init__.__globals__.os.system('%s') }}",
    "{{ joiner.__init__.__globals__['os'].popen('%s').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ '%s' }}",
    "{{ lipsum.__globals__['os'].system('%s') }}",
    "{%% set x = namespace() %%}{{ x.__class__.__init__.__globals__ }}{{ '%s' }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('%s') }}",
    "{{ view.__class__.__init__.__globals__['__builtins__']['__import__']('os').system('%s') }}",
    "{{ ('%s').format.__self__.__class__.__base__.__subclasses__() }}",
]


def vault_with(make_vault: MakeVault, template: str, name: str = "index.md.j2") -> Path:
    return make_vault(
        {
            "milepost.toml": 'templates = "tpl"\n',
            "a.md": "#milestone A\n",
            f"tpl/{name}": f"---\ngenerated_by: milepost\n---\n# Index\n\n{template}\n",
        }
    )


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_template_that_reaches_for_python_runs_nothing(
    escape: str, make_vault: MakeVault, outside: Path
) -> None:
    marker = outside / "PWNED"
    vault = vault_with(make_vault, escape % payload(marker))
    done = milepost("build", vault, *args())
    assert done.code == 2, done.err
    line = done.one_error_line()
    assert line.startswith("milepost: error: tpl/index.md.j2:6: template error: "), line
    assert not marker.exists()
    assert not (vault / "Roadmaps").exists()  # a failed render writes no page


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("{{ 'x' * 1000000000 }}", "items"),
        ("{{ [1, 2] * 999999999 }}", "items"),
        ("{{ 9 ** 99999999 }}", "too large"),
        ("{{ range(1000000000) | list | length }}", "range too big"),
        ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "RecursionError"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{% include '../../../../etc/passwd' %}", "../../../../etc/passwd"),
        ("{{ view.nothing_of_that_name }}", "nothing_of_that_name"),
    ],
)
def test_a_template_that_would_hog_or_fail_is_one_line(
    body: str, what: str, make_vault: MakeVault
) -> None:
    vault = vault_with(make_vault, body, "_index_body.md.j2")
    done = milepost("build", vault, *args(), timeout=60)
    assert done.code == 2, done.err
    line = done.one_error_line()
    assert line.startswith("milepost: error: tpl/_index_body.md.j2:"), line
    assert what.lower() in line.lower(), line
    assert done.peak < 1_000_000_000
    assert not (vault / "Roadmaps").exists()


def test_a_template_linked_out_of_the_vault_is_not_read(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the password is swordfish\n")
    vault = make_vault({"milepost.toml": 'templates = "tpl"\n', "a.md": "#milestone A\n"})
    (vault / "tpl").mkdir()
    (vault / "tpl" / "index.md.j2").symlink_to(secret)
    done = milepost("build", vault, *args())
    assert done.code == 2
    assert "symbolic link out of the vault" in done.one_error_line()
    pages = "".join(p.read_text() for p in vault.rglob("*.md"))
    assert "swordfish" not in pages


def test_a_template_folder_linked_out_of_the_vault_is_refused(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.md.j2").write_text("the password is swordfish\n")
    vault = make_vault({"milepost.toml": 'templates = "tpl"\n', "a.md": "#milestone A\n"})
    (vault / "tpl").symlink_to(elsewhere)
    done = milepost("build", vault, *args())
    assert done.code == 2
    assert "'tpl'" in done.one_error_line()
    assert not (vault / "Roadmaps").exists()


def test_a_site_template_payload_in_export_is_one_line(
    make_vault: MakeVault, tmp_path: Path, outside: Path
) -> None:
    marker = outside / "PWNED"
    vault = make_vault(
        {
            "milepost.toml": 'templates = "tpl"\n',
            "a.md": "#milestone A\n",
            "tpl/site/note.html.j2": ESCAPES[0].replace("%s", payload(marker)) + "\n",
        }
    )
    done = milepost("export", vault, *args("-o", tmp_path / "site", "--jobs", "1"))
    assert done.code == 2, done.err
    assert done.one_error_line().startswith("milepost: error: tpl/site/note.html.j2:1: ")
    assert not marker.exists()


def test_an_ordinary_vault_template_still_renders(make_vault: MakeVault) -> None:
    vault = vault_with(
        make_vault,
        "{% for row in view.rows %}- {{ 'rows' | upper }} {{ view.total }} {{ '=' * 3 }}\n"
        "{% endfor %}",
        "_index_body.md.j2",
    )
    done = milepost("build", vault, *args())
    assert done.code == 0, done.err
    assert "- ROWS 1 ===" in (vault / "Roadmaps" / "Milestone index.md").read_text()


def test_a_payload_in_a_macro_called_for_each_milestone(
    make_vault: MakeVault, outside: Path
) -> None:
    """``_macros.md.j2`` (the file a vault most often copies) runs from Python, not from a
    template: its failure is named the same way."""
    marker = outside / "PWNED"
    shipped = (package_templates() / "_macros.md.j2").read_text(encoding="utf-8")
    opening = "{% macro item(i) -%}"
    assert opening in shipped
    poisoned = shipped.replace(opening, opening + ESCAPES[0].replace("%s", payload(marker)))
    line = shipped[: shipped.index(opening)].count("\n") + 1
    vault = make_vault({"milepost.toml": 'templates = "tpl"\n', "a.md": "#milestone A\n"})
    (vault / "tpl").mkdir()
    (vault / "tpl" / "_macros.md.j2").write_text(poisoned, encoding="utf-8")
    done = milepost("build", vault, *args())
    assert done.code == 2, done.err
    assert done.one_error_line().startswith(f"milepost: error: tpl/_macros.md.j2:{line}: ")
    assert not marker.exists()
