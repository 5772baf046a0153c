"""What each command does, as library calls: ``index``, ``check``, ``build``, ``export``,
``watch`` and ``history`` take a :class:`~milepost.config.Config` and return what they found,
with the lines the command line prints for it. The command line (:mod:`milepost.cli`) only
parses options, shows progress and prints; a script gets the same results from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import Diagnostic

if TYPE_CHECKING:
    from .history import Record
    from .index import VaultIndex
    from .memory import Memory
    from .reading import Progress
    from .session import Session
    from .site import ExportResult
    from .uptodate import BuildResult
    from .watching import Outcome

VERBS = {"create": "created", "update": "updated", "remove": "removed", "conflict": "conflict"}
WOULD = {
    "create": "would create",
    "update": "would update",
    "remove": "would remove",
    "conflict": "conflict",
}


def counted(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


# ----- index -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Indexed:
    index: VaultIndex
    memory: Memory
    diagnostics: list[Diagnostic]

    def summary(self) -> str:
        index = self.index
        return (
            f"{len(index.notes)} notes, {len(index.models)} business models, "
            f"{index.milestone_count()} milestones, {len(index.tools)} tools, "
            f"{counted(self.diagnostics)} (today {index.today})"
        )


def index(config: Config, progress: Progress | None = None) -> Indexed:
    """Read and index the vault (nothing is written)."""
    from .memory import remember
    from .reading import scan

    found = scan(config, progress=progress).index
    memory = remember(found)
    return Indexed(found, memory, sorted([*found.diagnostics(), *memory.diagnostics]))


# ----- check -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Checked:
    index: VaultIndex
    diagnostics: list[Diagnostic]
    hint: str | None
    """Said once before the findings: what a good milestone has (when one lacks it)."""

    def failing(self, strict: bool) -> bool:
        return any(strict or d.severity == "error" for d in self.diagnostics)

    def summary(self) -> str:
        index = self.index
        return f"{counted(self.diagnostics)} in {len(index.notes)} notes (today {index.today})"


def check(config: Config, progress: Progress | None = None) -> Checked:
    """Every finding about the vault: links, front matter, milestones, dates, history."""
    from .accuracy import sharpen
    from .history import load
    from .reading import scan
    from .report_lines import incomplete, incomplete_hint

    found = scan(config, progress=progress).index
    diagnostics = [*found.diagnostics(), *incomplete(found), *sharpen(found)]
    diagnostics += [d for d in load(config).diagnostics if not config.is_silenced(d.code)]
    diagnostics.sort()
    return Checked(found, diagnostics, incomplete_hint(diagnostics))


# ----- build -------------------------------------------------------------------------------------
def build(
    config: Config,
    *,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Bring the vault's pages, regions and feeds up to date (``dry_run``: write nothing)."""
    from .session import build as build_vault

    return build_vault(config, force=force, dry_run=dry_run, progress=progress)


def change_lines(result: BuildResult, *, pending: bool, quiet: bool) -> list[str]:
    """One line per page or region that changes (``quiet``: conflicts only)."""
    words = WOULD if pending else VERBS
    lines = []
    for change in result.changes:
        if change.action != "unchanged" and not (quiet and change.action != "conflict"):
            region = f" (region {change.what})" if change.what else ""
            reason = f": {change.reason}" if change.reason else ""
            lines.append(f"{words[change.action]} {change.path}{region}{reason}")
    return lines


def build_summary(result: BuildResult, *, pending: bool) -> str:
    written = result.count("create") + result.count("update")
    removed = result.count("remove")
    return (
        f"{written} {'to write' if pending else 'written'}, {result.count('unchanged')} unchanged, "
        f"{removed} {'to remove' if pending else 'removed'}, "
        f"{result.count('conflict')} in conflict; "
        f"{_plural(result.findings, 'vault finding')} (milepost check lists them)"
    )


# ----- export ------------------------------------------------------------------------------------
def export(
    config: Config,
    out: Path,
    *,
    only_published: bool = False,
    dry_run: bool = False,
    reading: Progress | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the vault as a static site in ``out`` (checked first: ConfigError when writing
    there could touch the vault or files milepost did not make)."""
    from .reading import scan
    from .site import check_output
    from .site import export as export_site

    check_output(config, out)
    return export_site(  # holding no reference to the index: the export lets it go
        scan(config, progress=reading).index,
        config,
        out,
        only_published=only_published,
        dry_run=dry_run,
        progress=progress,
    )


def export_summary(done: ExportResult, *, dry_run: bool) -> str:
    return (
        f"{len(done.written)} files {'to write' if dry_run else 'written'}, "
        f"{len(done.unchanged)} unchanged, {len(done.removed)} "
        f"{'to remove' if dry_run else 'removed'} ({len(done.planned)} files, "
        f"{done.bytes / 1e6:.1f} MB); {_plural(len(done.diagnostics), 'link problem')}"
    )


# ----- watch -------------------------------------------------------------------------------------
After = Callable[["Session", "list[str] | None"], "str | None"]


def site_keeper(config: Config, out: Path, *, only_published: bool = False) -> After:
    """What ``watch --export DIR`` runs after each round: the site's pages that it reaches."""
    from .site import SiteSession

    site = SiteSession(config, out, only_published=only_published)

    def after(session: Session, changed: list[str] | None) -> str | None:
        if session.index is None:
            return None
        done = site.export(session.index, changed)
        return (
            f"site: {len(done.written)} written, {len(done.removed)} removed, "
            f"{_plural(len(done.diagnostics), 'link problem')}"
        )

    return after


def watch(
    config: Config,
    report: Callable[[Outcome], None],
    *,
    poll: bool = False,
    export_to: Path | None = None,
    only_published: bool = False,
    config_file: Path | None = None,
    reload: Callable[[], Config] | None = None,
    progress: Progress | None = None,
) -> None:
    """Build, then rebuild on every change until KeyboardInterrupt; ``report`` gets each round.
    ``export_to``: keep a static site in that folder fresh too."""
    from .watching import watch as watch_vault

    after = site_keeper(config, export_to, only_published=only_published) if export_to else None
    watch_vault(
        config,
        report,
        poll=poll,
        config_file=config_file,
        after=after,
        reload=reload,
        progress=progress,
    )


def shown(outcome: Outcome, *, quiet: bool) -> str | None:
    """A round's line, or None when ``quiet`` and it found and wrote nothing worth a line."""
    from .watching import describe

    quiet_round = (
        outcome.error is None
        and not outcome.new_findings
        and not (outcome.result and outcome.result.count("conflict"))
    )
    return None if quiet and quiet_round else describe(outcome)


# ----- history -----------------------------------------------------------------------------------
@dataclass(slots=True)
class Remembered:
    records: list[Record]
    diagnostics: list[Diagnostic]
    added: int | None = None
    """With ``from_git``: the records added to the history file (and its new bytes)."""
    written: int = 0

    def summary(self) -> str:
        text = _plural(len(self.records), "record")
        if self.added is not None:
            text += f" from git; {self.added} added ({self.written} bytes)"
        return text


def history(
    config: Config,
    *,
    from_git: bool = False,
    since: date | None = None,
    progress: Progress | None = None,
) -> Remembered:
    """The vault's planning memory (``since``: from that day on). ``from_git``: rebuilt from the
    commits that changed the notes, adding to ``.milepost/history.jsonl`` what it lacks."""
    from .history import load

    log = load(config)
    diagnostics = list(log.diagnostics)
    if not from_git:
        records = [r for r in log.records if since is None or r.on >= since.isoformat()]
        return Remembered(records, diagnostics)
    from .gitlog import from_git as read_git
    from .history import append
    from .uptodate import vault_lock

    records = read_git(config, since, progress)
    with vault_lock(config):
        log = load(config)
        before = len(log.lines)
        written = append(config, log, records)
    return Remembered(records, diagnostics, len(log.lines) - before, written)
