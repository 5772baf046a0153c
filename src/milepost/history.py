"""Planning memory: ``.milepost/history.jsonl``, what changed in each milestone and when.

Each build appends one line per tracked field that changed since the last recorded state::

    {"on": "2026-06-01", "id": "launch", "field": "due", "from": "Jun 2026", "to": "Sep 2026",
     "span": ["2026-06-01/2026-06-30/month", "2026-09-01/2026-09-30/month"]}

``span`` keeps a due or done date's interval besides its text. A new milestone gets one
``created`` line whose ``state`` holds every tracked value that is set (its title is ``to``);
one that disappears gets a ``removed`` line. Lines are sorted within a build (by milestone, then
field) and never rewritten, so two machines' histories merge as a line-wise union; identical
lines count once, and a line that is not a record (corrupt, or a merge conflict's marker) is
reported as ``history.invalid`` and skipped.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from .config import CACHE_DIR, Config
from .errors import Diagnostic, WriteError, warning
from .files import inside
from .identity import TRACKED, Seen, match


def _failed(path: Path, exc: OSError) -> WriteError:
    """One line, worded as a page that cannot be written is."""
    reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
    return WriteError(f"{path}: cannot write: {reason}")


HISTORY = "history.jsonl"
HISTORY_PATH = f"{CACHE_DIR}/{HISTORY}"
FIELDS = frozenset({*TRACKED, "created", "removed"})


@dataclass(frozen=True, slots=True)
class Record:
    """One line of history."""

    on: str
    id: str
    field: str
    old: str | None
    new: str | None
    span: tuple[str | None, str | None] | None = None
    state: dict[str, str | None] | None = None

    def line(self) -> str:
        data: dict[str, Any] = {
            "on": self.on,
            "id": self.id,
            "field": self.field,
            "from": self.old,
            "to": self.new,
        }
        if self.span is not None:
            data["span"] = list(self.span)
        if self.state is not None:
            data["state"] = self.state
        return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


class _Line(msgspec.Struct, forbid_unknown_fields=False):
    on: str
    id: str
    field: str
    old: str | None = msgspec.field(name="from")
    new: str | None = msgspec.field(name="to")
    span: tuple[str | None, str | None] | None = None
    state: dict[str, str | None] | None = None


_decode = msgspec.json.Decoder(_Line).decode


@functools.lru_cache(maxsize=4096)
def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def parse_line(text: str) -> Record | None:
    """The record a line holds, or None when it is not one."""
    raw = text.encode("utf-8", "surrogateescape")
    try:
        line = _decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    if not line.id or line.field not in FIELDS or not _is_day(line.on):
        return None
    return Record(line.on, line.id, line.field, line.old, line.new, line.span, line.state)


@dataclass(slots=True)
class Log:
    """The records of a history file, in the order they apply, and what could not be read."""

    records: list[Record] = field(default_factory=list)
    lines: set[bytes] = field(default_factory=set)
    """The digest (:func:`line_key`) of every valid line, to leave out lines already there
    (a digest, not the line: a watching session holds them all)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    size: int = 0
    ends_with_newline: bool = True


def load(config: Config) -> Log:
    """Read the vault's history (none yet: an empty log)."""
    path = config.vault / HISTORY_PATH
    try:
        data = path.read_bytes()
    except OSError:
        return Log()
    return read(data)


def read(data: bytes) -> Log:
    log = Log(size=len(data), ends_with_newline=not data or data.endswith(b"\n"))
    found: list[tuple[str, int, Record]] = []
    for number, raw in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        text = raw.strip()
        if not text:
            continue
        key = line_key(text)
        if key in log.lines:
            continue
        record = parse_line(text)
        if record is None:
            what = (
                "a merge conflict marker"
                if text[:7] in ("<<<<<<<", "=======", ">>>>>>>")
                else ("not a history record")
            )
            log.diagnostics.append(
                warning(
                    HISTORY_PATH,
                    number,
                    "history.invalid",
                    f"{what}; the line is skipped",
                )
            )
            continue
        log.lines.add(key)
        found.append((record.on, number, record))
    found.sort(key=lambda item: (item[0], item[1]))
    log.records = [record for _, _, record in found]
    return log


def line_key(line: str) -> bytes:
    """What :attr:`Log.lines` keeps of a line."""
    return hashlib.blake2b(line.encode("utf-8", "surrogateescape"), digest_size=16).digest()


State = dict[str, dict[str, str | None]]
"""Identity -> its tracked values (with ``due_span``, ``done_span``, and ``removed``)."""


def replay(records: Iterable[Record], state: State | None = None) -> State:
    """The last recorded state of every milestone (``state``: the one the records follow,
    changed in place)."""
    state = {} if state is None else state
    for record in sorted(records, key=lambda r: r.on):
        if record.field == "created":
            values = {k: v for k, v in (record.state or {}).items() if k != "removed"}
            values["title"] = record.new
            state[record.id] = values
            continue
        values = state.setdefault(record.id, {})
        if record.field == "removed":
            values["removed"] = "yes"
            continue
        values.pop("removed", None)
        values[record.field] = record.new
        if record.span is not None:
            values[f"{record.field}_span"] = record.span[1]
    return state


def present(state: State) -> dict[str, dict[str, str | None]]:
    return {ident: values for ident, values in state.items() if "removed" not in values}


def changes(
    state: State, milestones: Sequence[Seen], on: date, scope: set[str] | None = None
) -> tuple[list[Record], dict[str, str]]:
    """The records that bring ``state`` to ``milestones``, and each milestone's identity.
    ``scope``: the notes ``milestones`` come from, the only ones that changed (None: all)."""
    if scope is not None:
        state_in = {i: v for i, v in state.items() if v.get("note") in scope}
    else:
        state_in = state
    idents = match(milestones, present(state_in))
    day = on.isoformat()
    out: list[Record] = []
    now: set[str] = set()
    for one in milestones:
        ident = idents[one.entry.id]
        now.add(ident)
        before = state.get(ident)
        if before is None or "removed" in before:
            out.append(created(day, ident, one))
            continue
        for name in TRACKED:
            old, new = before.get(name), one.values[name]
            if name in one.spans:
                old_span, new_span = before.get(f"{name}_span"), one.spans[name]
                if old != new or old_span != new_span:
                    out.append(Record(day, ident, name, old, new, (old_span, new_span)))
            elif old != new:
                out.append(Record(day, ident, name, old, new))
    for ident, values in state_in.items():
        if ident not in now and "removed" not in values:
            out.append(Record(day, ident, "removed", values.get("title"), None))
    out.sort(key=_order)
    return out, idents


def created(day: str, ident: str, one: Seen) -> Record:
    """The record of a milestone new on ``day``: its title, and every tracked value it has."""
    snapshot: dict[str, str | None] = {
        k: v for k, v in one.values.items() if v is not None and k != "title"
    }
    for name in ("due", "done"):
        if one.spans[name] is not None:
            snapshot[f"{name}_span"] = one.spans[name]
    return Record(day, ident, "created", None, one.values["title"], state=snapshot)


def _order(record: Record) -> tuple[str, int]:
    """A batch's order: by milestone, then field (a batch has one line per milestone and field)."""
    return (record.id, _FIELD_ORDER.get(record.field, 0))


_FIELD_ORDER = {name: number for number, name in enumerate(("created", *TRACKED, "removed"))}


APPEND_CHUNK = 4096
"""Lines encoded and written at a time."""


class Generated(Sequence[Record]):
    """A batch made record by record as it is read (a first build's 163,500 ``created`` records
    are never all held at once). :func:`append` writes it without adding it to the log's
    records: what it leads to is already in the state of whoever made it."""


def _new_lines(log: Log, records: Iterable[Record], keys: list[bytes]) -> Iterator[str]:
    """The lines of ``records`` the file does not hold yet (their keys go to ``keys``)."""
    for record in records:
        line = record.line()
        key = line_key(line)
        if key not in log.lines:
            keys.append(key)
            yield line


def append(config: Config, log: Log, records: Sequence[Record]) -> int:
    """Append ``records`` (one sorted batch) to the vault's history; return the bytes written.
    Lines the file already holds are left out. The lines are made, encoded and written a chunk
    at a time; a batch that fails halfway leaves no line of it behind."""
    keys: list[bytes] = []
    lines = _new_lines(log, records, keys)
    chunk = list(itertools.islice(lines, APPEND_CHUNK))
    if not chunk:
        return 0
    root = config.vault.resolve()
    folder = inside(root, CACHE_DIR)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise _failed(folder, exc) from None
    path = inside(root, HISTORY_PATH)
    if path.is_symlink():
        raise WriteError(f"{HISTORY_PATH}: is a symbolic link; refused")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _failed(path, exc) from None
    try:
        start = os.fstat(fd).st_size
        written = 0
        try:
            lead = "" if log.ends_with_newline else "\n"
            while chunk:
                data = lead + "".join(line + "\n" for line in chunk)
                lead = ""
                view = memoryview(data.encode("utf-8"))
                written += len(view)
                while view:
                    view = view[os.write(fd, view) :]
                chunk = list(itertools.islice(lines, APPEND_CHUNK))
            os.fsync(fd)
        except BaseException as exc:
            with contextlib.suppress(OSError):  # no half-written batch stays behind
                os.ftruncate(fd, start)
            if isinstance(exc, OSError):
                raise _failed(path, exc) from None
            raise
    finally:
        os.close(fd)
    log.lines.update(keys)
    if not isinstance(records, Generated):
        log.records.extend(records)
    log.size += written
    log.ends_with_newline = True
    return written


def file_key(config: Config) -> str:
    """The history file's size and mtime (what a build's stamp depends on)."""
    try:
        info = (Path(config.vault) / HISTORY_PATH).stat()
    except OSError:
        return "none"
    return f"{info.st_size}:{info.st_mtime_ns}"


def shown(record: Record) -> str:
    """A record as one line for people: ``2026-06-01  launch  due: Jun 2026 → Sep 2026``."""
    if record.field == "created":
        what = f"created: {record.new}"
    elif record.field == "removed":
        what = f"removed: {record.old}"
    else:
        what = f"{record.field}: {record.old or '—'} → {record.new or '—'}"
    return f"{record.on}  {record.id}  {what}"
