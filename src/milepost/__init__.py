"""milepost: milestone roadmaps for Obsidian vaults of business-design notes.

The library API is small: :func:`load_config` reads a vault's configuration; :func:`scan` parses
and indexes the vault; :func:`check`, :func:`build`, :func:`export` and :func:`watch` do what the
commands of the same names do (:mod:`milepost.commands` has ``index`` and ``history`` too) and
return what they found. Everything else is reached from what those return. The names are loaded
on first use, so the command line starts (and times itself) before the parser is imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .commands import build, check, export, watch
    from .config import Config, load_config
    from .errors import ConfigError, Diagnostic, MilepostError, WriteError
    from .index import VaultIndex
    from .reading import Scan, scan
    from .session import Session
    from .uptodate import BuildResult

_WHERE = {
    "Config": "config",
    "load_config": "config",
    "ConfigError": "errors",
    "Diagnostic": "errors",
    "MilepostError": "errors",
    "WriteError": "errors",
    "VaultIndex": "index",
    "Scan": "reading",
    "scan": "reading",
    "BuildResult": "uptodate",
    "Session": "session",
    "build": "commands",
    "check": "commands",
    "export": "commands",
    "watch": "commands",
}

__all__ = [
    "BuildResult",
    "Config",
    "ConfigError",
    "Diagnostic",
    "MilepostError",
    "Scan",
    "Session",
    "VaultIndex",
    "WriteError",
    "__version__",
    "build",
    "check",
    "export",
    "load_config",
    "scan",
    "watch",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'milepost' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
