"""Configuration: defaults, ``milepost.toml`` and command-line overrides, checked all at once.

Precedence is command line > file > defaults. Every unknown key and bad value in the file is
reported in one :class:`~milepost.errors.ConfigError` that names the file.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ConfigError

CONFIG_NAME = "milepost.toml"
CACHE_DIR = ".milepost"
OUTPUTS = ("pages", "calendar", "canvas", "bases")
"""What ``build`` and ``watch`` can write: the Markdown pages (and managed regions), the
calendar feeds, the canvas roadmaps and ``Portfolio.base``."""

DEFAULT_CURRENCIES: Mapping[str, str] = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₱": "PHP",
    "R$": "BRL",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "CHF": "CHF",
    "Fr.": "CHF",
}


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a run needs to know besides the vault's notes."""

    vault: Path
    """Absolute path of the vault folder."""
    output: str = "Roadmaps"
    """Vault folder that holds the generated pages."""
    tags: tuple[str, ...] = ("milestone",)
    """Tags that mark a milestone (nested tags below them count too)."""
    examples_headings: tuple[str, ...] = ("Examples",)
    """Section headings whose sub-headings name business models."""
    tools_headings: tuple[str, ...] = ("Tools",)
    """Section headings whose links are tools."""
    ignore: tuple[str, ...] = ()
    """Glob patterns (vault-relative, ``**`` allowed) of files and folders to skip."""
    today: date | None = None
    """The date statuses are computed against; None means the system date."""
    chart_limit: int = 40
    """Most dated milestones drawn in one roadmap chart."""
    review_limit: int = 50
    """Most milestones listed under each heading of a business model in the monthly review."""
    fiscal_year_start: int = 1
    """Month (1-12) in which the fiscal year starts; ``FY2026`` is the one ending in 2026."""
    templates: str | None = None
    """Vault folder with template overrides, if any."""
    currencies: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CURRENCIES))
    """Currency symbols and their ISO codes."""
    silence: tuple[str, ...] = ()
    """Diagnostic codes (or code prefixes such as ``text.``) not to report."""
    jobs: int = 0
    """Worker processes for parsing; 0 means one per CPU."""
    sharpen_days: int = 30
    """``date.sharpen``: how many days before a quarter, half, year or season starts an open
    milestone due in it should get a month or a day."""
    max_note_mb: float = 10
    """Notes larger than this many megabytes (10**6 bytes) are read by a line scan for their
    front matter, headings, links, tags and milestone lines only, and exported as plain text."""
    only_published: bool = False
    """Export only notes with ``publish: true``."""
    home: str | None = None
    """The note the exported site's home page shows beside the milestone overview (a path in
    the vault); None: ``Home.md``, ``index.md`` or ``README.md`` at the vault's root."""
    cache: bool = True
    """Keep parsed notes and the last build's stamp between runs (``--no-cache``: False)."""
    cache_dir: Path | None = None
    """Folder of milepost's caches, outside the vault (None: ``MILEPOST_CACHE_DIR``, else the
    user's cache folder). Never read from ``milepost.toml``: a vault does not choose where
    milepost writes on this machine."""
    source: Path | None = None
    """The configuration file that was read, if any."""
    outputs: tuple[str, ...] = OUTPUTS
    """Which of :data:`OUTPUTS` ``build`` and ``watch`` write (``--only`` narrows them)."""
    review_day: str = "2FR"
    """Day of the monthly plan review in the calendar: an ordinal and a weekday (``2FR``)."""
    calendar_spans: bool = False
    """Calendar events of a month, quarter, half or year span the whole period (else its
    last day)."""

    def today_or_now(self) -> date:
        return self.today or date.today()

    def is_silenced(self, code: str) -> bool:
        return any(code == s or (s.endswith(".") and code.startswith(s)) for s in self.silence)

    @property
    def max_note_bytes(self) -> int:
        return int(self.max_note_mb * 1_000_000)

    def fingerprint(self) -> str:
        """A string that changes whenever a setting that affects parsing changes."""
        parts = (
            self.max_note_mb,
            self.tags,
            self.examples_headings,
            self.tools_headings,
            self.fiscal_year_start,
            sorted(self.currencies.items()),
            self.output,
        )
        return repr(parts)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _folder(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty folder path inside the vault")
    parts = PurePosixPath(value.strip().replace("\\", "/")).parts
    if not parts or parts[0] == "/" or ".." in parts or any(p.startswith(".") for p in parts):
        raise ValueError(f"must be a folder inside the vault, not {value!r}")
    return "/".join(parts)


def _note(value: Any) -> str:
    if not isinstance(value, str) or not value.strip().lower().endswith(".md"):
        raise ValueError('must be the path of a note in the vault, such as "Home.md"')
    try:
        return _folder(value)
    except ValueError:
        raise ValueError(f"must be a note inside the vault, not {value!r}") from None


def _tags(value: Any) -> tuple[str, ...]:
    tags = tuple(t.lstrip("#").lower() for t in _strings(value))
    if any(" " in t or not t for t in tags):
        raise ValueError("must be tag names without spaces")
    return tags


TODAY_RANGE = (date(1000, 1, 1), date(9998, 12, 31))
"""The dates ``today`` may be: reviews look a month either side of it."""


def check_today(value: date) -> date:
    """``value`` when it can be today; ValueError (saying the range) when not."""
    low, high = TODAY_RANGE
    if not low <= value <= high:
        raise ValueError(f"must be a date from {low} to {high}, got {value}")
    return value


def _date(value: Any) -> date:
    if isinstance(value, date):
        return check_today(value)
    if isinstance(value, str):
        try:
            return check_today(date.fromisoformat(value.strip()))
        except ValueError as exc:
            if "from" in str(exc):
                raise
    raise ValueError(f"must be a date YYYY-MM-DD, got {value!r}")


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a positive integer, got {value!r}")
    return value


def _megabytes(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"must be a positive number of megabytes, got {value!r}")
    return value


def _jobs(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"must be 0 (one per CPU) or a positive integer, got {value!r}")
    return value


def check_outputs(value: Any) -> tuple[str, ...]:
    """``value`` as a tuple of output names (in :data:`OUTPUTS` order); ValueError naming the
    unknown ones. A string may list several, separated by commas."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"must be a list of output names ({', '.join(OUTPUTS)})")
    chosen = {part.strip().lower() for n in names for part in n.split(",") if part.strip()}
    unknown = sorted(chosen - set(OUTPUTS))
    if unknown:
        raise ValueError(
            f"names unknown output{'s' * (len(unknown) > 1)} {', '.join(map(repr, unknown))}; "
            f"the outputs are {', '.join(OUTPUTS)}"
        )
    return tuple(o for o in OUTPUTS if o in chosen)


_REVIEW_DAY = re.compile(r"\+?([1-4]|-[1-4])(MO|TU|WE|TH|FR|SA|SU)")


def _review_day(value: Any) -> str:
    found = _REVIEW_DAY.fullmatch(value.strip().upper()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(
            "must be an ordinal (1 to 4, or -1 to -4 from the end of the month) and a weekday "
            f'(MO TU WE TH FR SA SU), such as "2FR" (second Friday), got {value!r}'
        )
    return found.group(1) + found.group(2)


_MONTHS = "january february march april may june july august september october november december"


def _month(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    if isinstance(value, str):
        key = value.strip().lower()[:3]
        for number, name in enumerate(_MONTHS.split(), start=1):
            if len(key) == 3 and name.startswith(key):
                return number
    raise ValueError(f"must be a month (1-12 or a month name), got {value!r}")


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return value


def _currencies(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) == 3 and v.isalpha()
        for k, v in value.items()
    ):
        raise ValueError('must be a table of symbol = "ISO code", e.g. { "$" = "USD" }')
    return {**DEFAULT_CURRENCIES, **{k: v.upper() for k, v in value.items()}}


_KEYS: dict[str, Callable[[Any], Any]] = {
    "output": _folder,
    "tags": _tags,
    "examples_headings": _strings,
    "tools_headings": _strings,
    "ignore": _strings,
    "today": _date,
    "chart_limit": _positive,
    "review_limit": _positive,
    "fiscal_year_start": _month,
    "templates": _folder,
    "currencies": _currencies,
    "silence": _strings,
    "jobs": _jobs,
    "max_note_mb": _megabytes,
    "outputs": check_outputs,
    "review_day": _review_day,
    "calendar_spans": _bool,
    "home": _note,
    "sharpen_days": _positive,
}
_EXPORT_KEYS: dict[str, Callable[[Any], Any]] = {"only_published": _bool}


def _check_table(
    table: Mapping[str, Any],
    keys: Mapping[str, Callable[[Any], Any]],
    prefix: str,
    problems: list[str],
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in table.items():
        name = prefix + key
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            problems.append(f"unknown key '{name}'{hint}")
            continue
        try:
            values[key] = keys[key](raw)
        except ValueError as exc:
            problems.append(f"'{name}' {exc}")
    return values


def read_config_file(path: Path) -> dict[str, Any]:
    """Read and check one ``milepost.toml``; raise ConfigError listing every problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    problems: list[str] = []
    export = data.pop("export", {})
    values = _check_table(data, _KEYS, "", problems)
    if isinstance(export, dict):
        values.update(_check_table(export, _EXPORT_KEYS, "export.", problems))
    else:
        problems.append("'export' must be a table")
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return values


def check_vault(vault: Path) -> Path:
    """The vault's absolute path, or ConfigError when it is missing or not a folder."""
    if not vault.exists():
        raise ConfigError(f"{vault}: no such vault folder")
    if not vault.is_dir():
        raise ConfigError(f"{vault}: is a file; give the vault's folder")
    return vault.resolve()


def load_config(
    vault: Path | str = ".",
    *,
    config_file: Path | str | None = None,
    **overrides: Any,
) -> Config:
    """Build the configuration of ``vault``: defaults, then the file, then ``overrides``.

    The file is ``config_file`` when given, else ``milepost.toml`` at the vault root if present.
    Overrides whose value is None are ignored, so command-line options can be passed as they are.
    """
    root = check_vault(Path(vault))
    path = Path(config_file) if config_file is not None else root / CONFIG_NAME
    values: dict[str, Any] = {}
    if config_file is not None or path.is_file():
        if not path.is_file():
            raise ConfigError(f"{path}: no such configuration file")
        values = read_config_file(path)
        values["source"] = path.resolve()
    known = {f.name for f in fields(Config)}
    for key, value in overrides.items():
        if key not in known:
            raise TypeError(f"unknown setting {key!r}")
        if value is not None:
            values[key] = value
    return replace(Config(vault=root), **values)
