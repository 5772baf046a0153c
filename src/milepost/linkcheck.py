"""What is wrong with a link: it leads nowhere, it could mean several notes, or the heading or
block it names is missing. One set of findings for every command (index, check, build, export)."""

from __future__ import annotations

from .errors import Diagnostic, warning
from .model import Link, Note
from .resolve import Resolution, norm, stem

_HEADING_NOISE = str.maketrans(dict.fromkeys("#|^:%[]*_`~=\\/.,;!?()'\"<>{}", " "))


def heading_key(text: str) -> str:
    """Compare heading names the way Obsidian's ``stripHeading`` does: special characters out."""
    return " ".join(norm(text).translate(_HEADING_NOISE).split())


def name_of(target: str) -> str:
    """The file name a link target asks for, as the name table keys it."""
    return norm(stem(target.strip().replace("\\", "/").rsplit("/", 1)[-1]))


def check_link(
    link: Link, source: str, resolution: Resolution, target: Note | None
) -> list[Diagnostic]:
    """Problems with one link of note ``source`` that resolved to ``resolution``; ``target``:
    the note it leads to, when its headings and blocks can be checked."""
    shown = link.raw or f"[{link.display or ''}]({link.target})"
    if resolution.path is None:
        return [
            warning(
                source,
                link.line,
                "link.unresolved",
                f"{shown} points to no file in the vault; create the note or fix the name",
            )
        ]
    problems = []
    if resolution.ambiguous:
        others = _some([c for c in resolution.candidates if c != resolution.path])
        why = "it is in the same folder" if resolution.rule == "folder" else "its path is shortest"
        problems.append(
            warning(
                source,
                link.line,
                "link.ambiguous",
                f"{shown} could mean {len(resolution.candidates)} notes; Obsidian opens "
                f"{resolution.path} ({why}), not {others}; write the folder to be sure",
            )
        )
    if link.subpath and target is not None:
        problems.extend(_check_subpath(link, source, target, shown))
    return problems


NAMED = 3
"""Most paths a finding names; the rest are counted."""


def _some(paths: list[str]) -> str:
    """``a, b, c … and 26 more``: a few paths, not a wall of them."""
    shown = ", ".join(paths[:NAMED])
    return shown + (f" … and {len(paths) - NAMED} more" if len(paths) > NAMED else "")


def _check_subpath(link: Link, source: str, target: Note, shown: str) -> list[Diagnostic]:
    sub = link.subpath
    if sub.startswith("^"):
        if sub[1:].lower() not in {b.lower() for b, _ in target.blocks}:
            return [
                warning(
                    source,
                    link.line,
                    "link.block-missing",
                    f"{shown}: {target.path} has no block ^{sub[1:]}",
                )
            ]
        return []
    wanted = heading_key(sub.split("#")[-1])
    if wanted and wanted not in {heading_key(h.text) for h in target.headings}:
        return [
            warning(
                source,
                link.line,
                "link.heading-missing",
                f"{shown}: {target.path} has no heading {sub.split('#')[-1]!r}",
            )
        ]
    return []
