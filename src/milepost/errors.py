"""Errors that stop a command, and diagnostics that do not.

A :class:`MilepostError` is a user-facing failure with one clear line of text (a missing vault,
a bad configuration file, a page that cannot be written). Anything else that escapes is a bug.
A :class:`Diagnostic` is a finding about the vault: the run goes on and reports it.
"""

from __future__ import annotations

from typing import Literal

from .records import Record

Severity = Literal["error", "warning"]


class MilepostError(Exception):
    """A failure the user can fix; ``str(error)`` is one line naming the file or option."""


class ConfigError(MilepostError):
    """The vault, the command line or ``milepost.toml`` asks for something impossible."""


class WriteError(MilepostError):
    """A generated page or export file could not be written."""


class Diagnostic(Record, frozen=True, order=True):
    """One finding, anchored to a line of a file as it is on disk."""

    path: str
    """Vault-relative POSIX path of the file."""
    line: int
    """1-based line in the file (0 when the finding is about the whole file)."""
    code: str
    """Stable dotted code, e.g. ``link.unresolved``."""
    severity: Severity
    """``error`` when information could not be read at all, else ``warning``."""
    message: str
    """What is wrong, the offending value and what to do."""

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        return f"{self.location()}: {self.severity}: {self.message} [{self.code}]"

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }


def warning(path: str, line: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, code, "warning", message)


def error(path: str, line: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, code, "error", message)
