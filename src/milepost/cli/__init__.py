"""The ``milepost`` command line: options in, library calls (:mod:`milepost.commands`), lines
out. The only package that imports click.

Exit codes: 0 ok, 1 problems found (see each command), 2 usage or configuration error.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .. import __version__
from ..errors import ConfigError, MilepostError
from .options import config_of, date_option, only_option, vault_options
from .terminal import (
    echo_diagnostics,
    elapsed,
    exit_soon_after_ctrl_c,
    progress_bar,
    warning_line,
)


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
    from ..commands import index
    from ..report import write_json
    from ..report_lines import summary_lines

    with progress_bar("Reading notes", quiet) as progress:
        done = index(config_of(vault, config_file, today, jobs), progress)
    echo_diagnostics(done.diagnostics, err=True, quiet=quiet)
    if as_json:
        write_json(done.index, sys.stdout, done.memory)
    else:
        click.echo("\n".join(summary_lines(done.index)))
    click.echo(f"{done.summary()} in {elapsed()}", err=True)


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
    from ..commands import check
    from ..report_lines import completeness_lines

    with progress_bar("Reading notes", quiet) as progress:
        done = check(config_of(vault, config_file, today, jobs), progress)
    if done.hint:
        click.echo(done.hint)
    echo_diagnostics(done.diagnostics, err=False)
    click.echo("\n".join(completeness_lines(done.index)))
    click.echo(f"{done.summary()} in {elapsed()}")
    if done.failing(strict):
        sys.exit(1)


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
    from ..commands import build, build_summary, change_lines

    config = config_of(vault, config_file, today, jobs, only)
    with progress_bar("Reading notes", quiet) as progress:
        result = build(config, force=force, dry_run=dry_run or check, progress=progress)
    pending = dry_run or check
    for line in change_lines(result, pending=pending, quiet=quiet):
        click.echo(line)
    echo_diagnostics(result.diagnostics, err=True, quiet=quiet)
    click.echo(f"{build_summary(result, pending=pending)} in {elapsed()}", err=True)
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
    from ..commands import shown, watch

    config = config_of(vault, config_file, today, jobs, only)
    if only_published and export_to is None:
        raise click.UsageError("--only-published needs --export DIR")
    click.echo(f"Watching {config.vault} (Ctrl-C to stop)", err=True)
    try:
        with exit_soon_after_ctrl_c(), progress_bar("Reading notes", quiet) as progress:
            watch(
                config,
                lambda outcome: _echo_round(shown(outcome, quiet=quiet), progress),
                poll=poll,
                export_to=export_to,
                only_published=only_published,
                config_file=config_file,
                reload=lambda: config_of(vault, config_file, today, jobs, only),
                progress=progress,
            )
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


def _echo_round(line: str | None, progress: object) -> None:
    if callable(progress):
        progress(1, 1)  # the first build is done: close the bar before its line
    if line is not None:
        click.echo(line)


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
    from ..commands import export, export_summary

    config = config_of(vault, config_file, today, jobs)
    reading_bar, export_bar = progress_bar("Reading notes", quiet), progress_bar("Exporting", quiet)
    with reading_bar as reading, export_bar as progress:
        done = export(
            config,
            output,
            only_published=only_published,
            dry_run=dry_run,
            reading=reading,
            progress=progress,
        )
    if dry_run:
        for planned in done.planned:
            click.echo(f"{planned.path}  <- {planned.cause}")
    echo_diagnostics(done.diagnostics, err=True, quiet=quiet)
    click.echo(f"{export_summary(done, dry_run=dry_run)} in {elapsed()}", err=True)
    if strict and done.diagnostics:
        sys.exit(1)


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
    callback=date_option,
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
    from ..commands import history
    from ..history import shown

    config = config_of(vault, config_file, today, jobs)
    with progress_bar("Reading commits", quiet) as progress:
        done = history(config, from_git=from_git, since=since, progress=progress)
    echo_diagnostics(done.diagnostics, err=True, quiet=quiet)
    for record in done.records:
        click.echo(record.line() if as_json else shown(record))
    click.echo(f"{done.summary()} in {elapsed()}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit code. Errors are one line on stderr.

    Run as the ``milepost`` command (``argv`` None), any warning a library gives is one line.
    """
    if argv is None:
        import warnings

        warnings.showwarning = warning_line
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
