"""Front matter as Obsidian reads it (YAML 1.2), checklist cases 34-36 and 40."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from milepost.config import Config
from milepost.model import Note
from milepost.parse import parse_note
from milepost.parse.frontmatter import FrontMatterProblem, load_yaml

from .conftest import MakeVault, Result

CONFIG = Config(vault=Path())
Run = Callable[..., Result]


def note(text: str) -> Note:
    return parse_note("Note.md", text.encode(), CONFIG)


@pytest.mark.parametrize(
    ("yaml_value", "expected"),
    [
        ("2026-03-01", "2026-03-01"),  # 34: dates stay strings
        ("yes", "yes"),  # 34: YAML 1.1 booleans stay strings
        ("on", "on"),
        ("NO", "NO"),
        ("010", 10),  # 34: decimal, not octal
        ("0o10", 8),
        ("1:30", "1:30"),  # 34: not sexagesimal
        ("1_000", "1_000"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("", None),
        ("1.5", 1.5),
        ("2026-03-01T10:30:00", "2026-03-01T10:30:00"),
    ],
)
def test_yaml_12_scalars(yaml_value: str, expected: object) -> None:
    assert load_yaml(f"key: {yaml_value}\n") == {"key": expected}


def test_duplicate_keys_make_the_block_invalid() -> None:
    """35: no properties and no front matter tags, and the file is never rewritten."""
    with pytest.raises(FrontMatterProblem) as problem:
        load_yaml("status: open\nstatus: done\n")
    assert problem.value.line == 1
    parsed = note("---\nstatus: open\nstatus: done\ntags: [milestone]\n---\nBody\n")
    assert parsed.frontmatter == {} and parsed.tags == () and parsed.milestones == ()
    assert [(d.code, d.line) for d in parsed.diagnostics] == [("frontmatter.invalid", 3)]


def test_front_matter_links_must_be_quoted() -> None:
    """36: an unquoted [[link]] is a nested list, not a link."""
    unquoted = note("---\nrelated: [[Stripe]]\n---\n")
    assert unquoted.frontmatter == {"related": [["Stripe"]]} and unquoted.links == ()
    quoted = note('---\nrelated: "[[Stripe]]"\nmore:\n  - "[[Tools/Gantt|Gantt]]"\n---\n')
    assert [(link.target, link.display, link.line) for link in quoted.links] == [
        ("Stripe", None, 2),
        ("Tools/Gantt", "Gantt", 4),
    ]


def test_a_page_field_sets_the_business_model() -> None:
    """40: a full-line field in a paragraph; the same line in a code fence is not read."""
    assert note("Business Model:: SaaS\n\n#milestone Ship\n").model == "SaaS"
    assert note("```\nBusiness Model:: SaaS\n```\n#milestone Ship\n").model is None


def test_front_matter_must_open_the_file() -> None:
    parsed = note("\n---\ntags: [milestone]\n---\n")
    assert parsed.frontmatter == {} and parsed.milestones == ()


def test_business_model_note_and_publish_flag() -> None:
    parsed = note("---\ntype: Business Model\naliases: [SX]\npublish: false\n---\n")
    assert parsed.is_model and parsed.aliases == ("SX",) and parsed.publish is False
    assert note("---\npublish: no\n---\n").publish is None  # "no" is text in YAML 1.2


def test_unquoted_hash_in_a_tags_list_is_a_comment() -> None:
    parsed = note("---\ntags:\n  - #milestone\n  - milestone\n---\n")
    assert [d.code for d in parsed.diagnostics] == ["frontmatter.tags-form"]
    assert "YAML comment" in parsed.diagnostics[0].message


BODY = """
Intro paragraph.

- [ ] #milestone Pad ready [due:: Smarch 2027] 📅 2027-01-10
  See [[Launch pad]].
"""


def test_yaml_and_toml_front_matter_read_the_same() -> None:
    """The same properties from ``---`` YAML and ``+++`` TOML, and the lines of the file below
    either block (the TOML block is a line longer)."""
    yaml_note = note(
        "---\n"
        'tags: [milestone, "#launch"]\n'
        "due: 2027-03-31\n"
        'owner: "[[Ana]]"\n'
        "budget: $40k\n"
        "business_model: Space X\n"
        "---\n" + BODY
    )
    toml_note = note(
        "+++\n"
        'tags = ["milestone", "#launch"]\n'
        "due = 2027-03-31\n"
        'owner = "[[Ana]]"\n'
        'budget = "$40k"\n'
        'business_model = "Space X"\n'
        "[extra]\n"
        "+++\n" + BODY
    )
    assert {k: v for k, v in toml_note.frontmatter.items() if k != "extra"} == {
        "tags": ["milestone", "#launch"],
        "due": "2027-03-31",
        "owner": "[[Ana]]",
        "budget": "$40k",
        "business_model": "Space X",
    }
    assert yaml_note.frontmatter == {k: v for k, v in toml_note.frontmatter.items() if k != "extra"}
    for parsed, shift in ((yaml_note, 0), (toml_note, 1)):
        assert [(t.name, t.line) for t in parsed.tags] == [
            ("milestone", 2),
            ("launch", 2),
            ("milestone", 11 + shift),
        ]
        assert parsed.model == "Space X"
        first, item = parsed.milestones
        assert (first.title, first.due and first.due.text, first.owner) == (
            "Note",
            "2027-03-31",
            "[[Ana]]",
        )
        assert (item.title, item.line) == ("Pad ready", 11 + shift)
        assert [(link.target, link.line) for link in parsed.links] == [
            ("Ana", 4),
            ("Launch pad", 12 + shift),
        ]
        assert [(d.code, d.line) for d in parsed.diagnostics] == [
            ("frontmatter.tags-form", 2),
            ("date.invalid", 11 + shift),
        ]


def test_invalid_toml_is_reported_on_its_line() -> None:
    parsed = note('+++\ntitle = "Plan"\nbudget = \ntags = ["milestone"]\n+++\n#milestone After\n')
    assert parsed.frontmatter == {}
    assert [(d.code, d.line) for d in parsed.diagnostics] == [("frontmatter.invalid", 3)]
    assert "not valid TOML (Invalid value)" in parsed.diagnostics[0].message
    assert [(m.title, m.line) for m in parsed.milestones] == [("After", 6)]
    unclosed = note('+++\ntitle = "Plan"\nlist = [1,\n+++\nText\n')
    assert [(d.code, d.line) for d in unclosed.diagnostics] == [("frontmatter.invalid", 3)]


def test_a_delimiter_must_be_alone_on_its_line() -> None:
    """Four dashes or a TOML delimiter that closes YAML do not make a block."""
    assert note("----\ntags: [milestone]\n----\n").frontmatter == {}
    assert note("---\ntags: [milestone]\n+++\n").frontmatter == {}
    assert note("+++\ntags = ['milestone']\n+++  \n").frontmatter == {"tags": ["milestone"]}


@pytest.mark.parametrize(
    ("front", "names", "line"),
    [
        ("tags: milestone, roadmap", ["milestone", "roadmap"], 2),
        ("tags: '#roadmap #launch'", ["roadmap", "launch"], 2),
        ("title: Plan\ntag: [milestone, roadmap]", ["milestone", "roadmap"], 3),
        ("tag: roadmap", ["roadmap"], 2),
    ],
)
def test_tags_in_a_form_obsidian_does_not_read_count_with_a_warning(
    front: str, names: list[str], line: int
) -> None:
    parsed = note(f"---\n{front}\n---\nBody\n")
    assert [(t.name, t.line) for t in parsed.tags] == [(name, line) for name in names]
    assert [(d.code, d.line) for d in parsed.diagnostics] == [("frontmatter.tags-form", line)]
    assert "Obsidian does not see" in parsed.diagnostics[0].message
    assert f"write 'tags: [{', '.join(names)}]'" in parsed.diagnostics[0].message
    assert bool(parsed.milestones) == ("milestone" in names)  # a milestone note all the same


def test_tags_of_every_form_reach_the_tag_pages(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Text.md": "---\ntags: milestone, roadmap\n---\nBody\n",
            "Single.md": "---\ntag: roadmap\n---\nBody\n",
            "List.md": "---\ntags: [roadmap]\n---\nBody\n",
        }
    )
    site = vault.parent / "site"
    result = run("export", vault, "-o", site, "--today", "2026-11-22", "-q")
    assert result.code == 0, result.err
    page = (site / "tags" / "roadmap.html").read_text(encoding="utf-8")
    assert all(f">{name}<" in page for name in ("List", "Single", "Text"))
    milestone = (site / "tags" / "milestone.html").read_text(encoding="utf-8")
    assert ">Text<" in milestone
    index = run("index", vault, "--json", "--today", "2026-11-22", "-q")
    assert '"title": "Text"' in index.out  # still a milestone note
