"""The ``milepost`` command line. The only module that imports click.

Exit codes: 0 ok, 1 problems found (see each command), 2 usage or configuration error.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click
from click.core import ParameterSource

from . import __version__
from .config import CONFIG_NAME, Config, check_today, load_config
from .errors import ConfigError, Diagnostic, MilepostError

if TYPE_CHECKING:
    from .reading import Progress, Scan

STARTED = time.perf_counter()
"""When the command started: the parser and the pipeline are imported inside the commands, after
this, so every summary line's elapsed time includes loading them."""


def elapsed() -> str:
    return f"{time.perf_counter() - STARTED:.2f} s"


F = TypeVar("F", bound=Callable[..., Any])


def _date_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-22") from None
    try:
        return check_today(day)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """Keep an option that only ``_config`` needs out of the command's arguments."""
    if param.name is not None:
        ctx.meta[f"milepost.{param.name}"] = value


def vault_options(function: F) -> F:
    """The argument and options every command shares."""
    decorators = [
        click.argument("vault", type=click.Path(path_type=Path), default=Path(), required=False),
        click.option(
            "--today",
            metavar="YYYY-MM-DD",
            callback=_date_option,
            help="Date statuses are computed against "
            "(default: milepost.toml 'today', else the system date).",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Configuration file (default: VAULT/milepost.toml when present).",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=0),
            help=(
                "Processes that parse notes (default: one per CPU once the notes pass 2 MB; "
                "1: this process alone)."
            ),
        ),
        click.option(
            "--quiet",
            "-q",
            is_flag=True,
            help="Only the summary line (with conflicts and errors): no progress bar, no warnings, "
            "no line per page.",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(path_type=Path, file_okay=False),
            expose_value=False,
            callback=_remember,
            help="Folder of milepost's cache (default: $MILEPOST_CACHE_DIR, else the user's "
            "cache folder; never the vault).",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            expose_value=False,
            callback=_remember,
            help="Neither read nor write the cache: parse every note.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _config(
    vault: Path,
    config_file: Path | None,
    today: date | None,
    jobs: int | None,
    outputs: tuple[str, ...] | None = None,
) -> Config:
    context = click.get_current_context()
    if context.get_parameter_source("vault") is ParameterSource.DEFAULT:
        _check_current_folder(context.info_name or "index")
    meta = context.meta
    return load_config(
        vault,
        config_file=config_file,
        today=today,
        jobs=jobs,
        cache_dir=meta.get("milepost.cache_dir"),
        cache=False if meta.get("milepost.no_cache") else None,
        outputs=outputs,
    )


def _only_option(
    _context: click.Context, _parameter: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...] | None:
    """``--only`` (repeatable, or a comma list) as output names; a bad name is a usage error."""
    if not value:
        return None
    from .config import check_outputs

    try:
        return check_outputs(list(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


only_option = click.option(
    "--only",
    multiple=True,
    metavar="OUTPUT",
    callback=_only_option,
    help="Write only these outputs: pages, calendar, canvas, bases (repeat it, or give a comma "
    "list; default: milepost.toml 'outputs', else all). The others' files are left as they are.",
)


def _check_current_folder(command: str) -> None:
    """No VAULT given: the current folder must look like a vault (a big folder by mistake would
    be read whole, and get a cache folder)."""
    here = Path.cwd()
    if not (here / ".obsidian").is_dir() and not (here / CONFIG_NAME).is_file():
        raise ConfigError(
            f"{here} is not a vault (no .obsidian/ folder or {CONFIG_NAME}); to use it anyway, "
            f"name it: milepost {command} ."
        )


@contextmanager
def _progress(label: str, quiet: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr, only when stderr is a terminal and the work takes a while."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    started = time.perf_counter()
    bar: Any = None
    finished = False

    def update(done: int, total: int) -> None:
        """Show ``done`` of ``total``; ``done >= total`` ends the bar."""
        nonlocal bar, finished
        if finished:
            return
        if bar is None and done < total and time.perf_counter() - started >= 0.5:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(min(done, total) - bar.pos)
        if done >= total:
            finished = True
            if bar is not None:
                bar.__exit__(None, None, None)

    try:
        yield update
    finally:
        if bar is not None and not finished:
            bar.__exit__(None, None, None)


def _scan(config: Config, quiet: bool) -> Scan:
    from .reading import scan

    with _progress("Reading notes", quiet) as progress:
        return scan(config, progress=progress)


def _echo_diagnostics(diagnostics: list[Diagnostic], *, err: bool, quiet: bool = False) -> None:
    """Print findings; with ``quiet``, only errors (warnings are counted in the summary)."""
    for diagnostic in diagnostics:
        if not quiet or diagnostic.severity == "error":
            click.echo(diagnostic.format(), err=err)


STOP_SECONDS = 5.0
"""After Ctrl-C, the most a watcher waits for its clean-up before it exits anyway."""


@contextmanager
def _exit_soon_after_ctrl_c() -> Iterator[None]:
    """On Ctrl-C, stop as usual (the current write finishes, the cache closes), but exit with 0
    within ``STOP_SECONDS`` even if a clean-up hangs: a file observer that does not join, or a
    worker pool whose processes took the same signal."""
    import os
    import signal
    import threading

    def interrupted(_signum: int, _frame: object) -> None:
        def leave() -> None:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

        timer = threading.Timer(STOP_SECONDS, leave)
        timer.daemon = True
        timer.start()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():  # only it may set handlers
        yield
        return
    before = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _counted(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="milepost")
def cli() -> None:
    """Milestone roadmaps for Obsidian vaults of business-design notes.

    milepost finds every #milestone in a vault, reads its dates, status, owner, budget and
    kind, groups them per business model and follows the links to tool notes.
    """


@cli.command("index")
@vault_options
@click.option(
    "--json", "as_json", is_flag=True, help="Print the JSON index (schema 1) instead of a summary."
)
def index_command(
    *,
    vault: Path,
    today: date | None,
    config_file: Path | None,
    jobs: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Parse and index VAULT; print a summary per business model, or the JSON index."""
    from .memory import remember
    from .report import summary_lines, write_json

    config = _config(vault, config_file, today, jobs)
    result = _scan(config, quiet)
    index = result.index
    memory = remember(index)
    diagnostics = sorted([*index.diagnostics(), *memory.diagnostics])
    _echo_diagnostics(diagnostics, err=True, quiet=quiet)
    if as_json:
        write_json(index, sys.stdout, memory)
    else:
        click.echo("\n".join(summary_lines(index)))
    click.echo(
        f"{len(index.notes)} notes, {len(index.models)} business models, "
        f"{index.milestone_count()} milestones, {len(index.tools)} tools, "
        f"{_counted(diagnostics)} (today {index.today}) in {elapsed()}",
        err=True,
    )


@cli.command("check")
@vault_options
@click.option(
    "--strict", is_flag=True, help="Exit with 1 when any warning remains, not only errors."
)
def check_command(
    *,
    vault: Path,
    today: date | None,
    config_file: Path | None,
    jobs: int | None,
    quiet: bool,
    strict: bool,
) -> None:
    """Report broken and ambiguous links, bad front matter and incomplete milestones.

    Exits with 1 when an error remains (with --strict, when any warning remains).
    """
    from .accuracy import sharpen
    from .history import load
    from .report import completeness_lines, incomplete, incomplete_hint

    config = _config(vault, config_file, today, jobs)
    result = _scan(config, quiet)
    index = result.index
    found = [*index.diagnostics(), *incomplete(index), *sharpen(index)]
    found += [d for d in load(config).diagnostics if not config.is_silenced(d.code)]
    diagnostics = sorted(found)
    if hint := incomplete_hint(diagnostics):
        click.echo(hint)
    _echo_diagnostics(diagnostics, err=False)
    click.echo("\n".join(completeness_lines(index)))
    click.echo(
        f"{_counted(diagnostics)} in {len(index.notes)} notes (today {index.today}) in {elapsed()}"
    )
    failing = [d for d in diagnostics if strict or d.severity == "error"]
    if failing:
        sys.exit(1)


_VERBS = {"create": "created", "update": "updated", "remove": "removed", "conflict": "conflict"}
_WOULD = {
    "create": "would create",
    "update": "would update",
    "remove": "would remove",
    "conflict": "conflict",
}


@cli.command("build")
@vault_options
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--check", is_flag=True, help="Write nothing; exit with 1 when any page is stale.")
@click.option("--force", is_flag=True, help="Overwrite generated pages and regions edited by hand.")
@only_option
def build_command(
    *,
    vault: Path,
    today: date | None,
    config_file: Path | None,
    jobs: int | None,
    quiet: bool,
    dry_run: bool,
    check: bool,
    force: bool,
    only: tuple[str, ...] | None,
) -> None:
    """Write the roadmap, tool, index and review pages into VAULT, fill managed regions, and
    write the calendar feeds, canvas roadmaps and Portfolio.base (--only chooses among them).

    Exits with 1 when a page is in conflict (edited by hand since milepost wrote it), or with
    --check when any page is stale.
    """
    from .session import build

    config = _config(vault, config_file, today, jobs, only)
    with _progress("Reading notes", quiet) as progress:
        result = build(config, force=force, dry_run=dry_run or check, progress=progress)
    words = _WOULD if dry_run or check else _VERBS
    for change in result.changes:
        if change.action != "unchanged" and not (quiet and change.action != "conflict"):
            region = f" (region {change.what})" if change.what else ""
            reason = f": {change.reason}" if change.reason else ""
            click.echo(f"{words[change.action]} {change.path}{region}{reason}")
    _echo_diagnostics(result.diagnostics, err=True, quiet=quiet)
    written = result.count("create") + result.count("update")
    vault_findings = result.findings
    pending = dry_run or check
    removed = result.count("remove")
    click.echo(
        f"{written} {'to write' if pending else 'written'}, {result.count('unchanged')} unchanged, "
        f"{removed} {'to remove' if pending else 'removed'}, "
        f"{result.count('conflict')} in conflict; "
        f"{vault_findings} vault finding{'s' * (vault_findings != 1)} (milepost check lists them) "
        f"in {elapsed()}",
        err=True,
    )
    if result.count("conflict") or (check and result.stale):
        sys.exit(1)


@cli.command("watch")
@vault_options
@click.option(
    "--poll",
    is_flag=True,
    help="Poll the file system instead of native events (network drives, WSL).",
)
@click.option(
    "--export",
    "export_to",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep the static site in this folder fresh too (as 'milepost export -o DIR').",
)
@click.option(
    "--only-published", is_flag=True, help="With --export: only notes with 'publish: true'."
)
@only_option
def watch_command(
    *,
    vault: Path,
    today: date | None,
    config_file: Path | None,
    jobs: int | None,
    quiet: bool,
    poll: bool,
    export_to: Path | None,
    only_published: bool,
    only: tuple[str, ...] | None,
) -> None:
    """Build VAULT, then rebuild the pages that depend on every note you save, until Ctrl-C.

    One line per rebuild says what changed, what was written and how long it took. With
    --export, the pages of the static site that a change reaches are rendered again too.
    """
    from .session import Session
    from .watch import Outcome, describe, watch

    config = _config(vault, config_file, today, jobs, only)
    if only_published and export_to is None:
        raise click.UsageError("--only-published needs --export DIR")
    after = None
    if export_to is not None:
        from .export import SiteSession

        site = SiteSession(config, export_to, only_published=only_published)

        def after(session: Session, changed: list[str] | None) -> str | None:
            if session.index is None:
                return None
            done = site.export(session.index, changed)
            problems = len(done.diagnostics)
            return (
                f"site: {len(done.written)} written, {len(done.removed)} removed, "
                f"{problems} link problem{'s' * (problems != 1)}"
            )

    click.echo(f"Watching {config.vault} (Ctrl-C to stop)", err=True)

    def report(outcome: Outcome) -> None:
        quiet_round = (
            outcome.error is None
            and not outcome.new_findings
            and not (outcome.result and outcome.result.count("conflict"))
        )
        if not (quiet and quiet_round):
            click.echo(describe(outcome))

    try:
        with _exit_soon_after_ctrl_c(), _progress("Reading notes", quiet) as progress:
            first = True

            def report_first(outcome: Outcome) -> None:
                nonlocal first
                if first and progress is not None:
                    progress(1, 1)  # the first build is done: close the bar before its line
                first = False
                report(outcome)

            watch(
                config,
                report_first,
                poll=poll,
                config_file=config_file,
                after=after,
                reload=lambda: _config(vault, config_file, today, jobs, only),
                progress=progress,
            )
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


@cli.command("export")
@vault_options
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of the site (created; if it exists it must be one milepost exported to).",
)
@click.option("--only-published", is_flag=True, help="Export only notes with 'publish: true'.")
@click.option(
    "--dry-run", is_flag=True, help="List every file the site would have, and why; write nothing."
)
@click.option("--strict", is_flag=True, help="Exit with 1 when any link problem remains.")
def export_command(
    *,
    vault: Path,
    today: date | None,
    config_file: Path | None,
    jobs: int | None,
    quiet: bool,
    output: Path,
    only_published: bool,
    dry_run: bool,
    strict: bool,
) -> None:
    """Export VAULT as a static HTML site in DIR: every note, the roadmaps, tags and search.

    The site works from file:// and offline. Notes with 'publish: false' stay out, with their
    embeds, attachments and search entries. Broken, ambiguous and case-only links, missing
    headings and blocks and embed cycles are listed with path:line.
    """
    from .export import check_output, export

    config = _config(vault, config_file, today, jobs)
    check_output(config, output)
    result = _scan(config, quiet)
    with _progress("Exporting notes", quiet) as progress:
        done = export(
            result.index,
            config,
            output,
            only_published=only_published,
            dry_run=dry_run,
            progress=progress,
        )
    if dry_run:
        for planned in done.planned:
            click.echo(f"{planned.path}  <- {planned.cause}")
    _echo_diagnostics(done.diagnostics, err=True, quiet=quiet)
    verb = "to write" if dry_run else "written"
    click.echo(
        f"{len(done.written)} files {verb}, {len(done.unchanged)} unchanged, {len(done.removed)} "
        f"{'to remove' if dry_run else 'removed'} ({len(done.planned)} files, "
        f"{done.bytes / 1e6:.1f} MB); {len(done.diagnostics)} link problem"
        f"{'s' * (len(done.diagnostics) != 1)} in {elapsed()}",
        err=True,
    )
    if strict and done.diagnostics:
        sys.exit(1)


# ----- history ---------------------------------------------------------------------------------
@cli.command("history")
@vault_options
@click.option(
    "--from-git",
    is_flag=True,
    help="Rebuild the history from the git commits that changed the notes, and add what "
    ".milepost/history.jsonl lacks.",
)
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    callback=_date_option,
    help="Only records (with --from-git: commits) from this day on.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON lines.")
def history_command(
    *,
    vault: Path,
    today: date | None,
    config_file: Path | None,
    jobs: int | None,
    quiet: bool,
    from_git: bool,
    since: date | None,
    as_json: bool,
) -> None:
    """Print the planning memory of VAULT: each change of a milestone's tracked fields.

    With --from-git, the vault's git history is read (only the notes each commit changed) and
    the records it gives that .milepost/history.jsonl lacks are added; nothing else is written.
    """
    from .history import load, shown

    config = _config(vault, config_file, today, jobs)
    log = load(config)
    _echo_diagnostics(log.diagnostics, err=True, quiet=quiet)
    if from_git:
        from .build import vault_lock
        from .gitlog import from_git as read_git
        from .history import append

        with _progress("Reading commits", quiet) as progress:
            records = read_git(config, since, progress)
        with vault_lock(config):
            log = load(config)
            before = len(log.lines)
            written = append(config, log, records)
        added = len(log.lines) - before
    else:
        records = [r for r in log.records if since is None or r.on >= since.isoformat()]
    for record in records:
        click.echo(record.line() if as_json else shown(record))
    summary = f"{len(records)} record{'s' * (len(records) != 1)}"
    if from_git:
        summary += f" from git; {added} added ({written} bytes)"
    click.echo(f"{summary} in {elapsed()}", err=True)


def _warning_line(  # noqa: PLR0917 (warnings.showwarning's signature)
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,  # noqa: ARG001
    file: TextIO | None = None,  # noqa: ARG001
    line: str | None = None,  # noqa: ARG001
) -> None:
    """A library's warning as one readable line on stderr: never a traceback or a repr."""
    text = " ".join(str(message).split())
    if len(text) > 160:
        text = text[:160] + "…"
    module = Path(filename).stem
    click.echo(f"milepost: warning: {text} ({category.__name__} in {module})", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit code. Errors are one line on stderr.

    Run as the ``milepost`` command (``argv`` None), any warning a library gives is one line.
    """
    if argv is None:
        import warnings

        warnings.showwarning = _warning_line
    try:
        result = cli.main(args=argv, prog_name="milepost", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("milepost: interrupted", err=True)
        return 130
    except click.UsageError as exc:
        where = (
            f" (see 'milepost {exc.ctx.info_name} --help')" if exc.ctx and exc.ctx.parent else ""
        )
        click.echo(f"milepost: error: {exc.format_message()}{where}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"milepost: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except ConfigError as exc:
        click.echo(f"milepost: error: {exc}", err=True)
        return 2
    except MilepostError as exc:
        click.echo(f"milepost: error: {exc}", err=True)
        return 1
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return result if isinstance(result, int) else 0
