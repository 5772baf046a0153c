"""The Jinja2 environment: milepost's templates, overridable from a folder of the vault.

A vault's templates are text from whoever shared the vault, so once a vault names a template
folder, every template renders in Jinja2's sandbox (milepost's own too: any of them may include
or import one of the vault's): no attribute that starts with ``_``, no function that is not
meant to be called, ranges of at most 100,000 and no operator that builds a huge value.
milepost's templates alone are its own code and render without the sandbox's checks, which
cost about a third more rendering time. A violation, or
any other failure of a vault template, is a :class:`~milepost.errors.ConfigError` naming the
template file and line. A template is read only from inside the vault's template folder
(a symbolic link that leaves the vault is refused).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
import jinja2.sandbox
from jinja2.exceptions import SecurityError

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


LARGEST = 1_000_000
"""The most items (or characters) an operator in a template may build, and the largest power."""


class Sandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja2's sandbox, where ``*`` and ``**`` cannot build huge values either."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self,
        context: jinja2.runtime.Context,  # noqa: ARG002 (Jinja2's signature)
        op: str,
        left: Any,
        right: Any,
    ) -> Any:
        if op == "**" and _number(left) and _number(right) and abs(right) > 64:
            raise SecurityError(f"the power {left!r} ** {right!r} is too large")
        if op == "*":
            for seq, times in ((left, right), (right, left)):
                made = len(seq) * times if _sequence(seq) and isinstance(times, int) else 0
                if made > LARGEST:
                    raise SecurityError(f"'*' would make {made} items (at most {LARGEST})")
        return operator.pow(left, right) if op == "**" else operator.mul(left, right)


def _sequence(value: object) -> bool:
    return isinstance(value, str | list | tuple)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class VaultLoader(jinja2.FileSystemLoader):
    """Templates from a folder of the vault: never a file a symbolic link takes out of it."""

    def __init__(self, folder: Path, vault: Path) -> None:
        super().__init__(str(folder))
        self.vault = vault.resolve()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.vault):
            raise SecurityError(
                f"{filename}: the template is a symbolic link out of the vault; not read"
            )
        return source, filename, uptodate


@cache
def _environment(override: Path | None, vault: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(VaultLoader(override, vault or override))
    loaders.append(jinja2.FileSystemLoader(str(package_templates())))
    kind = jinja2.Environment if override is None else Sandbox  # see the module's docstring
    return kind(
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
        where = config.source or config.vault / "milepost.toml"
        if not override.is_dir():
            raise ConfigError(f"{where}: 'templates' names {config.templates!r}, not a folder")
        if not override.resolve().is_relative_to(config.vault.resolve()):
            raise ConfigError(
                f"{where}: 'templates' names {config.templates!r}, a symbolic link out of the "
                "vault; templates are read only from inside it"
            )
    return _environment(override, config.vault if override else None)


_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """One blank line between blocks at most, and exactly one newline at the end."""
    return _BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n"


def render(config: Config, name: str, **context: object) -> str:
    try:
        return tidy(environment(config).get_template(name).render(**context))
    except Exception as exc:
        raise template_error(config, exc) from None


def render_bytes(config: Config, name: str, **context: object) -> bytes:
    """:func:`render` as UTF-8, made from the template's pieces without ever holding the whole
    text as one string (with one emoji in it, a string takes four bytes a character: a roadmap
    of 5,000 milestones weighed 12 MB, and tidying it took two more copies)."""
    try:
        template = environment(config).get_template(name)
        data = b"".join([piece.encode("utf-8") for piece in template.generate(**context)])
    except Exception as exc:
        raise template_error(config, exc) from None
    return tidy_bytes(data)


def tidy_bytes(data: bytes) -> bytes:
    """:func:`tidy` of UTF-8 bytes. Each run of blank lines shrinks by one newline a pass until
    none has more than one: what ``re.sub(rb"\n{3,}", b"\n\n", data)`` gives, four times as
    fast on a roadmap of 5,000 milestones (the regex stops at every newline)."""
    while b"\n\n\n" in data:
        data = data.replace(b"\n\n\n", b"\n\n")
    return data.strip(b"\n") + b"\n"


def _template_line(tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost template file and line in a traceback (Jinja2's rewritten frames carry
    template lines; frames of a macro called from Python are mapped to them here)."""
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            if isinstance(template, jinja2.Template):
                line = template.get_corresponding_lineno(line)
            found = (code.co_filename, line)
        tb = tb.tb_next
    return found


def template_error(config: Config, exc: Exception) -> Exception:
    """What a failure while rendering becomes: a one-line ConfigError naming the template file
    and line for every Jinja2 error (a sandbox violation included) and for any other exception
    raised while a vault template runs; anything else (a bug of milepost's) stays as it is."""
    if isinstance(exc, jinja2.TemplateError):
        return _config_error(config, exc, exc.message or str(exc))
    where = _template_line(exc.__traceback__)
    folder = (config.vault / config.templates).resolve() if config.templates else None
    if where is None or folder is None or not Path(where[0]).resolve().is_relative_to(folder):
        return exc
    return _config_error(config, exc, f"{type(exc).__name__}: {exc}")


@contextmanager
def template_errors(config: Config) -> Iterator[None]:
    """Code that runs templates outside :func:`render` (macros, the site's pages)."""
    try:
        yield
    except Exception as exc:
        error = template_error(config, exc)
        if error is exc:
            raise
        raise error from None


def _config_error(config: Config, exc: BaseException, message: str | None) -> ConfigError:
    found = _template_line(exc.__traceback__)
    where = getattr(exc, "filename", None) or (found[0] if found else "template")
    line = getattr(exc, "lineno", None) or (found[1] if found else None)
    with_vault = Path(where)
    if with_vault.is_absolute() and with_vault.is_relative_to(config.vault):
        where = with_vault.relative_to(config.vault).as_posix()
    at = f":{line}" if line else ""
    text = " ".join((message or "").split())
    if len(text) > 200:
        text = text[:200] + "…"
    return ConfigError(f"{where}{at}: template error: {text}")
