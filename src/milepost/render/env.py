"""The Jinja2 environment: milepost's templates, overridable from a folder of the vault."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jinja2

from ..config import Config
from ..errors import ConfigError


def package_templates() -> Path:
    """The templates shipped with milepost (the project's top-level ``templates/``).

    An installed wheel holds them in ``milepost/templates``; a source checkout (an editable
    install) keeps them at the top of the project.
    """
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent.parent / "templates"):
        if (candidate / "roadmap.md.j2").is_file():
            return candidate
    raise FileNotFoundError(f"milepost's templates are missing from {package}")


@cache
def _environment(override: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.FileSystemLoader(str(package_templates())))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            ["html", "htm", "xml", "html.j2", "xml.j2", "svg.j2"], default_for_string=False
        ),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def forget_templates() -> None:
    """Drop compiled templates (a template file changed while watching)."""
    _environment.cache_clear()


def environment(config: Config) -> jinja2.Environment:
    """The environment for ``config``: the vault's template folder first, when one is named."""
    override = None
    if config.templates:
        override = config.vault / config.templates
        if not override.is_dir():
            where = config.source or config.vault / "milepost.toml"
            raise ConfigError(f"{where}: 'templates' names {config.templates!r}, not a folder")
    return _environment(override)


_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """One blank line between blocks at most, and exactly one newline at the end."""
    return _BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n"


def render(config: Config, name: str, **context: object) -> str:
    try:
        return tidy(environment(config).get_template(name).render(**context))
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        at = f":{line}" if line else ""
        raise ConfigError(f"{where}{at}: template error: {exc.message}") from None
