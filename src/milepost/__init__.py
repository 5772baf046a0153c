"""milepost: milestone roadmaps for Obsidian vaults of business-design notes.

The library API is small: :func:`load_config` reads a vault's configuration and :func:`scan`
parses and indexes it. Everything else is reached from what those return.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, load_config
from .errors import ConfigError, Diagnostic, MilepostError, WriteError
from .index import VaultIndex
from .pipeline import Scan, scan

__all__ = [
    "Config",
    "ConfigError",
    "Diagnostic",
    "MilepostError",
    "Scan",
    "VaultIndex",
    "WriteError",
    "__version__",
    "load_config",
    "scan",
]
