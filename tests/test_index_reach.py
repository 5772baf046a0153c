"""After an edit, only the tools the edited notes use are made again; the rest keep their lists
of uses, and the tools always equal those of an index made from nothing."""

from __future__ import annotations

from pathlib import Path

from milepost import load_config
from milepost.index import VaultIndex, apply
from milepost.index.records import Tool
from milepost.parse import parse_note
from milepost.reading import scan

from .conftest import TODAY, MakeVault

NOTES: dict[str, str | bytes] = {
    "Concepts/A.md": "# A\n\n## Examples\n### Uber\n- [ ] #milestone Plan rides 📅 2027-01-01\n"
    "\n## Tools\n- [[gantt chart]]\n  - Lower case first.\n- [[Lean Canvas]]\n  - Once.\n",
    "Concepts/B.md": "# B\n\n## Examples\n### Uber\n- [ ] #milestone Price rides 📅 2027-02-01\n"
    "\n## Tools\n- [[Gantt Chart]]\n  - As the note spells it.\n",
    "Concepts/C.md": "# C\n\n## Examples\n### Netflix\n- [ ] #milestone Stream 📅 2027-03-01\n"
    "\n## Tools\n- [[Lean Canvas]]\n  - Elsewhere.\n- [[OKR]]\n  - Goals.\n",
    "Tools/Lean Canvas.md": "# Lean Canvas\n",
    "Tools/OKR.md": "# OKR\n",
}


def _tools(
    index: VaultIndex,
) -> list[tuple[str, str, str | None, list[tuple[str, str]], list[str]]]:
    return [(t.key, t.name, t.note, t.used_by, t.models) for t in index.tools.values()]


def _models(index: VaultIndex) -> dict[str, list[str]]:
    return {key: model.tools for key, model in index.models.items()}


def _edited(vault: Path, index: VaultIndex, path: str, text: str) -> VaultIndex:
    (vault / path).write_text(text, encoding="utf-8")
    note = parse_note(path, text.encode(), index.config)
    return apply(index, {path: note})[0]


def _afresh(vault: Path) -> VaultIndex:
    return scan(load_config(vault, today=TODAY)).index


def test_an_edit_makes_again_only_the_tools_it_touches(make_vault: MakeVault) -> None:
    vault = make_vault(dict(NOTES))
    before = _afresh(vault)
    (gantt,) = [t for t in before.tools.values() if t.note is None]  # no note: as spelt
    okr = before.tools["Tools/OKR.md"]
    assert gantt.name == "gantt chart", "named as the first note by path spells it"
    kept = _tools(before)
    text = str(NOTES["Concepts/A.md"]).replace("- [[gantt chart]]\n  - Lower case first.\n", "")
    after = _edited(vault, before, "Concepts/A.md", text)
    assert _tools(after) == _tools(_afresh(vault))
    assert _models(after) == _models(_afresh(vault))
    assert after.tools[gantt.key].name == "Gantt Chart", "B spells it now"
    assert after.tools["Tools/OKR.md"].used_by is okr.used_by, "untouched: the same list"
    assert after.tools[gantt.key] is not gantt
    assert _tools(before) == kept, "the index it was made from is left as it was"
    assert all(isinstance(t, Tool) for t in after.tools.values())


def test_tools_come_and_go_with_the_notes_that_use_them(make_vault: MakeVault) -> None:
    vault = make_vault(dict(NOTES))
    index = _afresh(vault)
    steps = [
        ("Concepts/C.md", "# C\n\nNo tools now.\n"),
        (
            "Concepts/D.md",
            "# D\n\n## Tools\n- [[OKR]]\n  - Back.\n- [[Nowhere]]\n  - Unresolved.\n",
        ),
        ("Concepts/A.md", str(NOTES["Concepts/A.md"]).replace("gantt chart", "OKR")),
        (
            "Concepts/B.md",
            "# B\n\n## Examples\n### Netflix\n- [ ] #milestone Moved 📅 2027-02-01\n",
        ),
    ]
    for path, text in steps:
        index = _edited(vault, index, path, text)
        fresh = _afresh(vault)
        assert _tools(index) == _tools(fresh), path
        assert _models(index) == _models(fresh), path
    assert "Tools/Lean Canvas.md" in index.tools
    assert [use[0] for use in index.tools["Tools/OKR.md"].used_by] == [
        "Concepts/A.md",
        "Concepts/D.md",
    ]
