"""The options every command shares, and the configuration they make."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from ..config import CONFIG_NAME, Config, check_today, load_config
from ..errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


def date_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
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
            callback=date_option,
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


def config_of(
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
    from ..config import check_outputs

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
