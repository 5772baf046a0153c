#!/usr/bin/env python3
"""Write a synthetic Obsidian vault of business-concept notes, and its answer key.

Standard library only; the same --notes and --seed always give byte-identical files.

    python benchmarks/generate.py --notes 1000 --seed 7 OUT_DIR

writes the vault into OUT_DIR (which must not exist or be empty) and the key to
OUT_DIR.key.json. From Python: ``generate(notes, seed, out)`` does the same and returns the key.

The notes imitate the seed concept note: front matter, '## 🔍 Definition', '## 📖 Description',
'## 👉 Examples' with a '### <Business model>' subsection per model holding milestone items in
three forms, and '## 🧰 Tools' (a list of [[Tool]] links, each with an indented explanation).
About a tenth of the notes are tool notes; a few concept notes share a name with a note in
another folder (Archive/<year>/).

The three item forms:

    🏁#milestone Sign a distribution partner (achieved Mar 2024)
    A sentence or two of description.
    due:: Q3 2027
    owner:: Sales

    #milestone Open the pilot in Lisbon
    <TAB>A sentence or two of description.
    <TAB>budget:: €5,000/quarter

    - [ ] #milestone Ship the mobile app 📅 2026-05-01
    <TAB>- owner:: Product

Counting rules of the key (milepost's own, from its README and MILESTONES.md):

* An ITEM is a line whose text, after indentation, an optional list marker and an optional task
  box, starts with a token that ends in '#milestone' ('#milestone', '🏁#milestone', the mojibake
  '\\uf8ffüèÅ#milestone') followed by a title. Headings are never items; nor is anything in
  front matter, code (fenced or inline) or a '%%' comment; nor another tag ('#milestones',
  '#milestone-draft').
* Its BUSINESS MODEL is the text of the nearest '### ' heading above it inside the
  '## 👉 Examples' section ('#### ' headings below it do not change it). An empty '### ' heading
  ends that scope. Items outside any model's scope are counted under "Unassigned" (model null in
  the per-note lists).

Decoys planted on purpose (counted in the key's "decoys"): code fences (```, ~~~ and a ```` fence
holding a ``` fence) full of fake items and links, '#milestone' in inline code, the plural tag
'#milestones' (also at the start of a line), '#milestone-draft', the seed's
'## 📰 Content type (#milestone)' heading, '#milestone' in a front matter string, a '%%' comment
holding an item line, a heading carrying the tag, notes whose emoji went through Mac Roman
mojibake, duplicate note names in other folders, unresolved links.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VERSION = 1
UNASSIGNED = "Unassigned"

# fmt: off
MODELS = [
    "Space X", "Underwater restaurant", "Exotic Pet Rental", "extinguished animals meat",
    "Netflix", "Airbnb", "IKEA", "Tesla", "Nespresso", "Uber", "Patagonia", "Duolingo", "Shopify",
    "Zara", "Costco", "Peloton", "Dropbox", "Hello Fresh", "Vertical farm", "Drone delivery",
    "Co-working chain", "Car sharing club", "Open-source database", "Language school online",
    "Phone refurbisher", "Solar leasing", "Pet insurance", "Micro-brewery",
    "Boulangerie artisanale", "Ramen-Bar 東京", "Clínica dental móvil", "Fjällstuga rentals",
]
MODEL_WEIGHTS = [len(MODELS) + 4 - i for i in range(len(MODELS))]
CONCEPTS = [
    "Milestones", "Unit Economics", "Churn Rate", "Product-Market Fit", "Network Effects",
    "Value Proposition", "Revenue Streams", "Key Partnerships", "Cost Structure", "Channels",
    "Minimum Viable Product", "Pivot", "Pricing Strategy", "Burn Rate", "Runway", "Cash Flow",
    "Gross Margin", "Switching Costs", "Brand Equity", "Upselling", "Community Building",
    "Two-sided Market", "Long Tail", "Franchising", "Bundling", "Loss Leader", "Moat",
    "Blue Ocean", "Circular Economy", "Risk Management", "Valuation", "Exit Strategy",
    "Growth Loops", "Time to Value", "Économies d'échelle", "Kundenbindung – Übersicht",
    "顧客生涯価値 (LTV)", "Estratégia de saída",
]
QUALIFIERS = [
    "for Startups", "in Retail", "in SaaS", "in Healthcare", "in Fintech", "in Logistics",
    "in Education", "in Media", "in Energy", "in Gaming", "for SMEs", "for Nonprofits",
    "in Europe", "in Asia", "(primer)", "(advanced)", "– case notes", "(2024 review)",
]
TOOLS = [
    "Business Model Canvas", "OKR (Objectives and Key Results)", "Gantt Chart",
    "Critical Path Method (CPM)", "Balanced Scorecard", "Lean Canvas", "SWOT Analysis",
    "Porter's Five Forces", "Kanban Board", "RACI Matrix", "Customer Journey Map",
    "Cohort Analysis", "North Star Metric", "Risk Register", "Stakeholder Map", "Product Roadmap",
    "Fishbone Diagram", "5 Whys", "Kano Model", "Wardley Map",
]
TOOL_VARIANTS = ["(template)", "v2", "– checklist", "(workshop)", "– pitfalls", "for Teams"]
CONCEPT_FOLDERS = [
    "Concepts/Strategy", "Concepts/Strategy/Growth", "Concepts/Finance",
    "Concepts/Finance/Metrics", "Concepts/Marketing", "Concepts/Operations/Supply Chain",
    "Concepts/Finanzen & Controlling", "Concepts/Stratégie", "Concepts/市場 Märkte",
    "Concepts/People & Culture",
]
TOOL_FOLDERS = ["Tools/Strategy", "Tools/Planning", "Tools/Analysis", "Tools/Finance"]
MISSING_NOTES = ["Hiring Plan", "Board Deck 2023", "Investor Update", "Competitor Teardown"]
OWNERS = ["Sales", "Ops team", "CFO", "Product", "Engineering", "Founders", "Équipe RH"]
BUDGETS = ["$1,000/month", "$12,000", "€5,000/quarter", "£3,500/month", "$1.2M", "¥800,000"]
DUES = ["Q3 2027", "Jun 2026", "H2 2026", "2027", "end of 2026", "TBD", "2025-11-30"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
VERBS = ["Launch", "Reach", "Sign", "Open", "Secure", "Complete", "Ship", "Hire", "Expand to"]
OBJECTS = [
    "the first paying customer", "1,000 subscribers", "Series A funding", "the pilot in Lisbon",
    "regulatory approval", "a distribution partner", "the mobile app", "an ISO 27001 audit",
    "ten franchise locations", "the loyalty programme", "a second production line",
    "the Nordic market", "break-even", "customer support in Spanish",
]
SUBJECTS = ["The team", "A founder", "The business", "Management", "Early adopters", "The board"]
ACTIONS = ["tracks", "measures", "reviews", "aligns", "forecasts", "tests", "refines", "scales"]
THINGS = [
    "progress against its goals", "customer demand", "the cost of growth", "unit margins",
    "the sales pipeline", "the product roadmap", "hiring needs", "cash reserves",
    "the launch calendar", "retention cohorts", "supplier risk",
]
GOALS = [
    "reduce uncertainty", "protect margins", "learn faster", "keep investors informed",
    "focus scarce resources", "grow sustainably", "enter new markets",
]
# fmt: on


def mojibake(text: str) -> str:
    """The text's UTF-8 bytes read as Mac Roman, as the seed note's emoji arrived."""
    return text.encode("utf-8").decode("mac_roman")


@dataclass
class Note:
    path: str
    name: str
    kind: str
    lines: list[str] = field(default_factory=list)
    items: list[tuple[int, str | None, str]] = field(default_factory=list)  # line, model, form

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


class Builder:
    """Builds the notes in memory and records every item it writes."""

    def __init__(self, notes: int, seed: int) -> None:
        if notes < 10:
            raise ValueError("notes must be at least 10")
        self.count = notes
        self.seed = seed
        self.rng = random.Random(seed)
        self.notes: list[Note] = []
        self.decoys: Counter[str] = Counter()
        self.links = 0

    # names and folders
    def make_notes(self) -> None:
        rng = self.rng
        n_tools = max(2, self.count // 10)
        n_twins = max(1, self.count // 70)
        n_concepts = self.count - n_tools - n_twins
        for i in range(n_tools):
            base = TOOLS[i % len(TOOLS)]
            rnd = i // len(TOOLS)
            name = base if rnd == 0 else f"{base} {TOOL_VARIANTS[(rnd - 1) % len(TOOL_VARIANTS)]}"
            if rnd > len(TOOL_VARIANTS):
                name += f" {(rnd - 1) // len(TOOL_VARIANTS) + 1}"
            self.notes.append(Note(f"{rng.choice(TOOL_FOLDERS)}/{name}.md", name, "tool"))
        for i in range(n_concepts):
            base = CONCEPTS[i % len(CONCEPTS)]
            rnd = i // len(CONCEPTS)
            name = base if rnd == 0 else f"{base} {QUALIFIERS[(rnd - 1) % len(QUALIFIERS)]}"
            if rnd > len(QUALIFIERS):
                name += f" {(rnd - 1) // len(QUALIFIERS) + 1}"
            self.notes.append(Note(f"{rng.choice(CONCEPT_FOLDERS)}/{name}.md", name, "concept"))
        concepts = [n for n in self.notes if n.kind == "concept"]
        for twin in rng.sample(concepts, n_twins):
            year = rng.choice([2021, 2022, 2023])
            self.notes.append(Note(f"Archive/{year}/{twin.name}.md", twin.name, "concept"))
        self.tools = [n for n in self.notes if n.kind == "tool"]
        self.concepts = [n for n in self.notes if n.kind == "concept"]
        names = Counter(n.name.casefold() for n in self.notes)
        self.shared_names = {name for name, count in names.items() if count > 1}

    # text
    def sentence(self, topic: str) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return (
                f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(THINGS)} "
                f"to {rng.choice(GOALS)}."
            )
        return (
            f"{topic} helps to {rng.choice(GOALS)} "
            f"when it {rng.choice(ACTIONS)} {rng.choice(THINGS)}."
        )

    def paragraph(self, topic: str, low: int, high: int) -> str:
        return " ".join(self.sentence(topic) for _ in range(self.rng.randint(low, high)))

    def link(self, target: Note | str, *, alias: bool = True, embed: bool = False) -> str:
        rng = self.rng
        self.links += 1
        if isinstance(target, str):
            inner = target
        elif target.name.casefold() in self.shared_names and rng.random() < 0.7:
            inner = target.path[:-3]  # path-qualified: not ambiguous
        else:
            inner = target.name
        if rng.random() < 0.05:
            inner += "#🔍 Definition"
        if alias and rng.random() < 0.12:
            inner += "|" + rng.choice(["see here", "more", "this"])
        return ("![[" if embed else "[[") + inner + "]]"

    # milestones
    def item(self, note: Note, out: list[str], model: str | None, ind: str, flag: str) -> str:
        """Append one item block (no trailing blank line); return its form."""
        rng = self.rng
        form = rng.choices(["flag", "tag", "task"], weights=[4, 4, 3])[0]
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        if rng.random() < 0.05:
            title += " with the " + self.link(rng.choice(self.tools), alias=False)
        status = ""
        roll = rng.random()
        year = rng.randint(2019, 2028)
        when = f"{rng.choice(MONTHS)} {year}"
        if roll < 0.2:
            status = f" ({rng.choice(['achieved', 'achieved', 'achived'])} {when})"
        elif roll < 0.35:
            status = f" (expected {when})"
        fields = []
        for key, values, chance in (
            ("due", DUES, 0.35),
            ("owner", OWNERS, 0.35),
            ("budget", BUDGETS, 0.25),
        ):
            if rng.random() < chance:
                fields.append(f"{key}:: {rng.choice(values)}")
        desc = self.paragraph(note.name, 1, 3)
        note.items.append((len(out) + 1, model, form))
        if form == "flag":
            out.append(f"{ind}{flag}#milestone {title}{status}")
            if rng.random() < 0.4:
                out.append(ind)  # the seed's blank line between the item and its description
            out.append(f"{ind}{desc}")
            out += [f"{ind}{f}" for f in fields]
        elif form == "tag":
            out.append(f"{ind}#milestone {title}{status}")
            out.append(f"{ind}\t{desc}")
            out += [f"{ind}\t{f}" for f in fields]
        else:
            done = rng.random() < 0.3
            due = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            tail = f" 📅 {due}" + (f" ✅ {due}" if done else "")
            box = "[x]" if done else "[ ]"
            out.append(f"{ind}- {box} #milestone {title}{status}{tail}")
            out += [f"{ind}\t- {f}" for f in fields if not f.startswith("due")]
        return form

    def fence(self, ind: str) -> list[str]:
        rng = self.rng
        fake = [
            "🏁#milestone Fake milestone inside a fence",
            "- [ ] #milestone Template task 📅 2025-01-01",
            "#milestone Example only",
            "See [[Business Model Canvas]] and [[Fake Note In Code]]",
        ]
        kind = rng.choices(["```", "~~~", "````"], weights=[5, 2, 1])[0]
        dropped = rng.choice(fake[:3])
        body = [f"{ind}{line}" for line in fake if line != dropped]
        self.decoys["items_in_code_fences"] += 2 + (kind == "````")
        if kind == "````":
            inner = [f"{ind}```", *body, f"{ind}```", f"{ind}#milestone Still in the outer fence"]
            return [f"{ind}````markdown", *inner, f"{ind}````"]
        return [f"{ind}{kind}markdown", *body, f"{ind}{kind}"]

    def concept(self, note: Note) -> None:
        rng = self.rng
        garbled = rng.random() < 0.03
        self.decoys["mojibake_notes"] += garbled

        def emoji(text: str) -> str:
            return mojibake(text) if garbled else text

        ind = "  " if rng.random() < 0.7 else ""  # the seed indents section bodies
        out = note.lines
        if rng.random() < 0.85:
            self.front_matter(note)
        out += ["", f"# {note.name}", "", "", f"## {emoji('🔍')} Definition"]
        related = f" Related: {self.link(rng.choice(self.concepts))}." if rng.random() < 0.4 else ""
        out += [f"{note.name}: {self.paragraph(note.name, 1, 2)}{related}", "", ""]
        if rng.random() < 0.3:
            out += [f"## {emoji('📰')} Content type (#milestone)"]
            out += ["Content is of type list and uses the following classes: #milestone", "", ""]
            self.decoys["content_type_sections"] += 1
        out.append(f"## {emoji('📖')} Description")
        self.description(note, ind, emoji("🏁"))
        out += ["", "", f"## {emoji('👉')} Examples"]
        self.examples(note, ind, emoji("🏁"))
        out += ["", "", f"## {emoji('🧰')} Tools"]
        for tool in rng.sample(self.tools, min(len(self.tools), rng.randint(2, 5))):
            out.append(f"{ind}- {self.link(tool, alias=False)}")
            out.append(f"{ind}  - {self.paragraph(tool.name, 1, 2)}")
        if rng.random() < 0.05:
            out += ["", f"## {emoji('🗓️')} Next steps"]
            self.item(note, out, None, "", emoji("🏁"))  # after Examples: Unassigned

    def front_matter(self, note: Note) -> None:
        rng = self.rng
        out = note.lines
        out.append("---")
        tags = rng.sample(["business/concept", "strategy", "finance", "growth", "draft"], 2)
        out.append(f"tags: [{', '.join(tags)}]")
        if rng.random() < 0.5:
            out += ["aliases:", f'  - "{note.name.split(" ")[0]} (concept)"']
        out.append(f"created: {rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-15")
        if rng.random() < 0.05:
            out.append('summary: "Lists #milestone items per business model"')
            self.decoys["tag_in_front_matter"] += 1
        out.append("---")

    def description(self, note: Note, ind: str, flag: str) -> None:
        rng = self.rng
        out = note.lines
        for _ in range(rng.randint(3, 5)):
            text = self.paragraph(note.name, 3, 6)
            roll = rng.random()
            if roll < 0.6:
                text += f" See also {self.link(rng.choice(self.concepts), embed=roll < 0.03)}."
            elif roll < 0.65:
                text += f" See also {self.link(rng.choice(MISSING_NOTES))}."
                self.decoys["unresolved_links"] += 1
            if rng.random() < 0.15:
                text += " Teams often tag such items with `#milestone` in their notes."
                self.decoys["tag_in_inline_code"] += 1
            if rng.random() < 0.1:
                text += " The dashboard lists all #milestones by quarter."
                self.decoys["plural_tag"] += 1
            out += [f"{ind}{text}", ind]
        for name, line, chance in (
            ("tag_in_inline_code", "`#milestone` marks an item; this line is not one.", 0.05),
            ("plural_tag", "#milestones are reviewed every month.", 0.03),
            ("other_tag", "#milestone-draft Drafts carry another tag.", 0.02),
            ("tagged_heading", "#### #milestone A heading is never an item", 0.02),
        ):
            if rng.random() < chance:
                out += [f"{ind}{line}", ind]
                self.decoys[name] += 1
        if rng.random() < 0.02:
            out += [f"{ind}%%", f"{ind}#milestone Hidden in a comment", f"{ind}%%", ind]
            self.decoys["item_in_comment"] += 1
        if rng.random() < 0.1:
            self.item(note, out, None, ind, flag)  # outside Examples: Unassigned
            out.append(ind)
        if rng.random() < 0.15:
            out += [f"{ind}For reference, the template syntax looks like this:", ind]
            out += [*self.fence(ind), ind]

    def examples(self, note: Note, ind: str, flag: str) -> None:
        rng = self.rng
        out = note.lines
        models: list[str] = []
        wanted = rng.randint(2, 4)
        while len(models) < wanted:
            model = rng.choices(MODELS, weights=MODEL_WEIGHTS)[0]
            if model not in models:
                models.append(model)
        for number, model in enumerate(models):
            if number == 1 and rng.random() < 0.05:
                out += [f"{ind}### ", ind]  # an empty heading ends the previous model's scope
                self.decoys["empty_model_headings"] += 1
                self.item(note, out, None, ind, flag)
                out.append(ind)
            out.append(f"{ind}### {model}")
            previous = ""
            for count in range(rng.randint(3, 9)):
                if count == 1 and rng.random() < 0.05:
                    out.append(f"{ind}#### {rng.randint(2026, 2028)}")  # keeps the model
                    self.decoys["year_headings"] += 1
                if previous:
                    out.append(ind if rng.random() < 0.5 else "")
                previous = self.item(note, out, model, ind, flag)
                if previous == "tag" and rng.random() < 0.5:
                    previous = ""  # the next item follows without a blank line, as in the seed
            out.append(ind)

    def tool(self, note: Note) -> None:
        rng = self.rng
        out = note.lines
        if rng.random() < 0.9:
            out += [
                "---",
                "type: tool",
                f"tags: [tool, {rng.choice(['planning', 'finance'])}]",
                "---",
            ]
        out += ["", f"# {note.name}", "", "## 🔍 Definition", self.paragraph(note.name, 2, 4), ""]
        out.append("## 🛠️ How to use")
        out += [f"{i}. {self.sentence(note.name)}" for i in range(1, rng.randint(3, 6))]
        out.append("")
        if rng.random() < 0.3:
            out += ["Example of tracking a milestone with this tool:", "", *self.fence(""), ""]
        out.append("## 🔗 Related concepts")
        out += [f"- {self.link(c)}" for c in rng.sample(self.concepts, rng.randint(2, 5))]
        if rng.random() < 0.1:
            out += ["", "## 🏁 Milestones"]  # no Examples section: Unassigned
            self.item(note, out, None, "", "🏁")
        out.append("")
        while sum(len(line) + 1 for line in out) < rng.randint(1500, 3500):
            out += [self.paragraph(note.name, 3, 5), ""]

    def build(self) -> dict[str, str]:
        self.make_notes()
        for note in self.notes:
            (self.concept if note.kind == "concept" else self.tool)(note)
        return {note.path: note.text() for note in self.notes}

    def key(self, files: dict[str, str]) -> dict[str, Any]:
        per_model: Counter[str] = Counter()
        forms: Counter[str] = Counter()
        for note in self.notes:
            for _line, model, form in note.items:
                per_model[model or UNASSIGNED] += 1
                forms[form] += 1
        digest = hashlib.sha256()
        for path in sorted(files):
            digest.update(path.encode() + b"\0" + files[path].encode() + b"\0")
        notes = sorted(self.notes, key=lambda n: n.path)
        total = sum(per_model.values())
        targets = [
            {"note": n.path, "line": line, "model": model}
            for n in notes
            for line, model, form in n.items
            if form == "tag" and model is not None
        ]
        step = max(1, len(targets) // 16)
        return {
            "generator": {
                "script": "benchmarks/generate.py",
                "version": VERSION,
                "notes": self.count,
                "seed": self.seed,
            },
            "sha256": digest.hexdigest(),
            "totals": {
                "notes": len(self.notes),
                "concept_notes": len(self.concepts),
                "tool_notes": len(self.tools),
                "bytes": sum(len(text.encode()) for text in files.values()),
                "milestones": total,
                "milestones_in_models": total - per_model[UNASSIGNED],
                "milestones_without_model": per_model[UNASSIGNED],
                "milestones_by_form": dict(sorted(forms.items())),
                "links": self.links,
            },
            "milestones_per_model": dict(sorted(per_model.items())),
            "milestones_per_note": {n.path: len(n.items) for n in notes if n.items},
            "milestones": {
                n.path: [[line, model] for line, model, _ in n.items] for n in notes if n.items
            },
            "decoys": dict(sorted(self.decoys.items())),
            "duplicate_note_names": sorted(
                {n.name for n in notes if n.name.casefold() in self.shared_names}
            ),
            # tag-form items in a model (description on the next line), for edit benchmarks
            "edit_targets": targets[::step][:16],
        }


def plan(notes: int, seed: int) -> tuple[dict[str, str], dict[str, Any]]:
    """The vault's files (path -> text) and its key, without writing anything."""
    builder = Builder(notes, seed)
    files = builder.build()
    files[".obsidian/app.json"] = "{}\n"  # every Obsidian vault has one (obsidianhtml needs it)
    return files, builder.key(files)


def key_path(out: Path) -> Path:
    return out.with_name(out.name + ".key.json")


def write(files: dict[str, str], key: dict[str, Any], out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    text = json.dumps(key, ensure_ascii=False, indent=1) + "\n"
    key_path(out).write_text(text, encoding="utf-8", newline="\n")


def generate(notes: int, seed: int, out: Path) -> dict[str, Any]:
    """Write the vault into ``out`` (missing or empty) and its key beside it; return the key."""
    files, key = plan(notes, seed)
    write(files, key, Path(out))
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="vault folder to create (missing or empty)")
    parser.add_argument("--notes", type=int, default=1000, help="number of notes (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    if args.notes < 10:
        parser.error("--notes must be at least 10")
    try:
        key = generate(args.notes, args.seed, args.out)
    except FileExistsError as exc:
        parser.error(str(exc))
    totals = key["totals"]
    print(
        f"wrote {totals['notes']} notes ({totals['bytes'] / 1e6:.1f} MB, "
        f"{totals['milestones']} milestones) to {args.out}; key: {key_path(args.out)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
