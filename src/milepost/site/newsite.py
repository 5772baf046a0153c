"""Writing the files of a site into a folder that was empty when the export began.

Nothing there can hold the bytes a page is about to get, so a file is not read first (twice:
once to compare, once more before the atomic write), its path is not resolved part by part, and
its folder is made once: a temporary file beside it (no random name: this process's id and a
count), its bytes, and a rename over the target, as :func:`milepost.files.write_atomic` does.
Each folder is resolved once, so a symbolic link put into the site meanwhile still cannot lead
a write out of it; a rename replaces a link in the last place rather than following it.
"""

from __future__ import annotations

import contextlib
import os
from itertools import count
from pathlib import Path

from ..errors import WriteError
from ..files import TEMP_SUFFIX

_FOLDERS: dict[tuple[str, str], str] = {}
"""(site folder, folder in the site) -> that folder, made and checked to lie inside the site."""
_COUNT = count()


def _folder(out: Path, folder: str) -> str:
    key = (str(out), folder)
    made = _FOLDERS.get(key)
    if made is None:
        where = out / folder if folder else out
        where.mkdir(parents=True, exist_ok=True)
        if not where.resolve().is_relative_to(out):
            raise WriteError(f"{folder}: would be written outside {out}; refused")
        made = _FOLDERS[key] = str(where)
    return made


def write_new(out: Path, path: str, data: bytes) -> None:
    """Put ``data`` at ``path`` in the site in ``out`` (resolved), which had no file there when
    the export began."""
    folder, _, name = path.rpartition("/")
    if not name or name in (".", "..") or ".." in folder.split("/") or path.startswith("/"):
        raise WriteError(f"{path}: would be written outside {out}; refused")
    where = _folder(out, folder)
    temp = f"{where}/.{name}.{os.getpid()}-{next(_COUNT)}{TEMP_SUFFIX}"
    target = f"{where}/{name}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        try:
            handle = os.open(temp, flags, 0o600)
        except FileNotFoundError:  # the folder went away since it was made: make it again
            _FOLDERS.pop((str(out), folder), None)
            _folder(out, folder)
            handle = os.open(temp, flags, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        Path(temp).replace(target)
    except BaseException as exc:  # Ctrl-C too: never leave a temp file behind
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        if isinstance(exc, OSError):
            raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise


def forget(out: Path) -> None:
    """Forget the folders made in the site in ``out`` (it may be removed and made again)."""
    for key in [k for k in _FOLDERS if k[0] == str(out)]:
        del _FOLDERS[key]
