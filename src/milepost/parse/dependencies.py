"""Dependencies, progress and the strategy -> tactic chain, as a milestone writes them.

- Tasks ``🆔 id`` and ``⛔ a,b`` count when they stand at the end of the line, after which only
  other Tasks signifiers, fields, tags or a block id follow (Tasks reads a line from its end).
- ``[id:: mvp]``, ``[dependsOn:: a, b]`` (ids), ``depends:: [[Note]]``, ``after:: [[Note#h]]``
  (links), each optionally with a gap: ``[[Beta]] +2w``, ``beta (gap P10D)``.
- Front matter ``depends-on`` / ``blockedBy`` on a milestone note: a link, a list of links, or
  TaskNotes objects ``{uid: "[[Note]]", reltype: FINISHTOSTART, gap: P2D}``.
- ``progress:: 40%``; ``Strategy: …`` / ``Tactic: …`` headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..model import Dependency, Milestone, Progress
from ..records import replace
from .text import drop_symbol_prefix

_LINK = re.compile(r"!?\[\[(?P<target>[^\]|#^]*)(?:#(?P<sub>[^\]|]*))?(?:\|[^\]]*)?\]\]")
_ID = re.compile(r"[A-Za-z0-9_-]+")
_GAP = re.compile(r"^(?:\+\s*|\(\s*gap\s*:?\s*|gap\s*:?\s*)(?P<gap>[^()]+?)\s*\)?$", re.I)
_PERCENT = re.compile(r"^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$")
_CHAIN_HEADING = re.compile(r"^(?P<kind>strategy|tactic)\s*[:：]\s*(?P<name>\S.*)$", re.I)
_INLINE_FIELD = re.compile(r"[\[(][^\[\]()]*::[^\[\]()]*[\])]")
_TRAILING_OK = re.compile(r"^(?:\s+|#[^\s#]+|\^[A-Za-z0-9-]+)*$")


_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7}
_ISO_GAP = re.compile(r"P(?=\d)(?:(\d+)W)?(?:(\d+)D)?", re.IGNORECASE)
_SHORT_GAP = re.compile(r"\s*(\d+)\s*([a-z]+)\s*(?:,|\band\b)?", re.IGNORECASE)


def gap_days(text: str) -> int | None:
    """Days in a gap: ISO 8601 ``P2W``, ``P10D``, ``P1W3D``, or ``2w``, ``10d``, ``3 days``,
    ``1 week 2 days``. None when unreadable (months and years have no fixed length)."""
    text = text.strip()
    iso = _ISO_GAP.fullmatch(text)
    if iso is not None:
        return 7 * int(iso.group(1) or 0) + int(iso.group(2) or 0)
    days, pos = 0, 0
    while pos < len(text):
        part = _SHORT_GAP.match(text, pos)
        if part is None or part.group(2).lower() not in _UNITS:
            return None
        days += int(part.group(1)) * _UNITS[part.group(2).lower()]
        pos = part.end()
    return days if pos else None


def _parts(value: str) -> Iterator[str]:
    """Comma-separated parts, commas inside ``[[…]]`` kept."""
    depth, start = 0, 0
    for at, char in enumerate(value):
        if value.startswith("[[", at):
            depth += 1
        elif value.startswith("]]", at) and depth:
            depth -= 1
        elif char == "," and not depth:
            yield value[start:at].strip()
            start = at + 1
    yield value[start:].strip()


def references(value: str, line: int, problems: list[str]) -> list[Dependency]:
    """The dependencies a field value names: links, else ids; each may end with a gap. What
    cannot be read is described in ``problems``."""
    found: list[Dependency] = []
    for part in _parts(value):
        if not part:
            continue
        link = _LINK.search(part)
        if link is not None:
            rest = (part[: link.start()] + part[link.end() :]).strip()
        else:
            head = _ID.match(part)
            if head is None:
                problems.append(f"{part!r} is neither an id nor a [[link]]")
                continue
            rest = part[head.end() :].strip()
        gap = 0
        if rest:
            spec = _GAP.match(rest)
            days = gap_days(spec.group("gap")) if spec is not None else None
            if days is None:
                problems.append(
                    f"{rest!r} after {part.removesuffix(rest).strip()!r} is not a gap "
                    "milepost reads; write e.g. '+2w', '(gap P10D)' or '+3 days'"
                )
            else:
                gap = days
        if link is not None:
            target, sub = link.group("target").strip(), link.group("sub")
            found.append(Dependency(line, None, target, sub.strip() if sub else None, gap))
        else:
            found.append(Dependency(line, part[: head.end()], None, None, gap))  # type: ignore[union-attr]
    return found


def frontmatter_references(value: object, problems: list[str]) -> list[Dependency]:
    """Front matter ``depends-on`` / ``blockedBy``: links, ids, or TaskNotes objects."""
    items = value if isinstance(value, list) else [value]
    found: list[Dependency] = []
    for item in items:
        if isinstance(item, dict):
            uid = item.get("uid")
            reltype = str(item.get("reltype", "FINISHTOSTART")).upper().replace("_", "")
            if reltype != "FINISHTOSTART":
                problems.append(
                    f"{reltype.lower()} dependencies are not read (finish-to-start only)"
                )
                continue
            if not isinstance(uid, str):
                problems.append(f"{item!r} has no uid to depend on")
                continue
            text = uid if "[[" in uid else f"[[{uid}]]"
            gap = item.get("gap")
            found.extend(references(f"{text} +{gap}" if gap else text, 1, problems))
        elif isinstance(item, list) and len(item) == 1 and isinstance(item[0], list):
            found.extend(frontmatter_references(item[0], problems))  # YAML read [[Note]] as lists
        elif isinstance(item, list) and len(item) == 1 and isinstance(item[0], str):
            found.extend(references(f"[[{item[0]}]]", 1, problems))
        elif isinstance(item, str | int):
            found.extend(references(str(item), 1, problems))
        elif item is not None:
            problems.append(f"{item!r} is not a dependency milepost reads")
    return found


def percent(text: str) -> int | None:
    """``40%`` or ``40`` as a whole percentage (0..100); None when unreadable."""
    match = _PERCENT.match(text)
    if match is None:
        return None
    value = round(float(match.group(1)))
    return value if 0 <= value <= 100 else None


def chain_heading(plain: str) -> tuple[str, str] | None:
    """(``strategy`` or ``tactic``, its name) for a ``Strategy: …`` / ``🎯 Tactic: …`` heading."""
    if ":" not in plain and "：" not in plain:
        return None
    match = _CHAIN_HEADING.match(drop_symbol_prefix(plain.strip()))
    if match is None:
        return None
    return match.group("kind").lower(), match.group("name").strip()


def at_line_end(plain: str, raw: str, others: list[str]) -> bool:
    """True when the Tasks signifier ``raw`` in ``plain`` is followed only by ``others`` (other
    signifiers), inline fields, tags, a block id or spaces: where Tasks reads it."""
    at = plain.rfind(raw)
    if at < 0:
        return False
    rest = plain[at + len(raw) :]
    for other in others:
        if other != raw:
            rest = rest.replace(other, " ")
    rest = _INLINE_FIELD.sub(" ", rest)
    return _TRAILING_OK.match(rest) is not None


@dataclass(slots=True)
class Planned:
    """What an item's lines said of its plan, besides the fields a builder picks."""

    children: list[str]
    """Checkbox characters of its child list items."""
    depends: list[Dependency]
    assumes: list[str]
    invalidated: bool
    strategy: str | None
    """The strategy of the headings above it."""
    tactic: str | None


def with_planning(milestone: Milestone, picked: Mapping[str, object], plan: Planned) -> Milestone:
    """The milestone with its id, dependencies, progress, strategy and tactic, when any.
    ``picked``: the winning ``ident``, ``gap``, ``progress``, ``strategy``, ``tactic`` fields."""
    ident, gap, stated = picked.get("ident"), picked.get("gap"), picked.get("progress")
    strategy, tactic = picked.get("strategy"), picked.get("tactic")
    counted = [c for c in plan.children if c != "-"]
    progress = None
    if counted or isinstance(stated, int):
        done = sum(1 for c in counted if c in "xX")
        shown = stated if isinstance(stated, int) else round(100 * done / len(counted))
        progress = Progress(done if counted else None, len(counted) or None, shown)
    depends = tuple(plan.depends)
    if isinstance(gap, int):
        depends = tuple(d if d.gap else replace(d, gap=gap) for d in depends)
    bare = not (ident or depends or progress or strategy or tactic or plan.assumes)
    if bare and not (plan.strategy or plan.tactic or plan.invalidated):
        return milestone
    return replace(
        milestone,
        ident=ident if isinstance(ident, str) and ident else None,
        depends=depends,
        progress=progress,
        strategy=strategy if isinstance(strategy, str) else plan.strategy,
        tactic=tactic if isinstance(tactic, str) else plan.tactic,
        assumes=tuple(plan.assumes),
        invalidated=plan.invalidated,
    )


def planning_value(name: str, text: str) -> tuple[object, tuple[str, str] | None]:
    """The value of an ``ident``, ``gap`` or ``progress`` field, or (code, message) of why it
    cannot be read."""
    if name == "ident":
        return text.strip().lstrip("#"), None
    if name == "gap":
        days = gap_days(text)
        if days is None:
            why = f"gap {text!r} is not one milepost reads; write e.g. '2w', '10d' or 'P10D'"
            return None, ("dependency.gap", why)
        return days, None
    value = percent(text)
    if value is None:
        why = f"progress {text!r} is not a percentage from 0 to 100, e.g. '40%'"
        return None, ("milestone.progress", why)
    return value, None


def assumed(text: str) -> list[str]:
    """The assumptions an ``assumes::`` value names: links (their note) or titles or ids."""
    return [
        part.strip().removeprefix("[[").removesuffix("]]").split("|")[0].strip()
        for part in text.split(",")
        if part.strip()
    ]
