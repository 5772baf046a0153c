"""Helpers of the fault suite: milepost run as a real process against real files.

Every scenario in ``tests/faults/`` states milepost's promise on a hostile or broken vault and
checks it on the outcome of a real ``milepost`` process: the exit code, one readable line of
error, no byte of the user's lost, no file outside the vault, no code of the vault's run, and
bounds on time and memory. The helpers here are meant for every such file:

- :func:`milepost` runs the command line as a subprocess with a timeout (the scenario fails,
  naming the command, when it hangs) and measures the peak memory of its whole process tree;
  :func:`start` leaves it running (``watch``) for the test to signal, kill and read.
- :func:`tree` and :func:`alive` find a process's descendants and check what is still alive.
- :func:`snapshot` records a folder's files and folders (size, mtime, bytes' hash) so a test can
  assert that nothing in it changed; :func:`leftovers` finds milepost's temp files.
- :func:`payload` is a shell command that would create a marker file: a scenario plants it
  where the vault might run it and asserts the marker never appears.
- :func:`as_nobody` makes permission bits bind on the process when the tests run as root (root
  ignores them, so a read-only folder is only real for another user): it runs as user nobody,
  or, when nobody cannot reach this interpreter (one under root's 0700 home), as root without
  the capabilities that override file permissions;
  :func:`read_only_mount` makes a folder read-only even for root, in a private mount namespace.
  ``why_...`` functions say why the machine cannot do either (the scenario skips with it).
- The ``generated_vault`` fixture copies a vault made by ``benchmarks/generate.py`` (made once
  per session) for scenarios that need many notes.

The top-level ``tests/conftest.py`` fixtures (``make_vault``, ``copy_vault``, the per-test
``MILEPOST_CACHE_DIR``) apply here too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import TODAY

MILEPOST = (sys.executable, "-m", "milepost")
TODAY_ARGS = ("--today", TODAY.isoformat())
NOBODY = 65534
"""The unprivileged user (and group) scenarios drop to when the tests run as root."""
PAGE = os.sysconf("SC_PAGE_SIZE")


# ----- processes ---------------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux ``/proc``; empty elsewhere or when it is gone)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found.extend(int(p) for p in (task / "children").read_text().split())
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that are alive now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        if alive(current):
            found.append(current)
            todo.extend(children(current))
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


class PeakMemory(threading.Thread):
    """Samples the resident memory of a process tree every 20 ms; ``peak`` is the largest sum."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, sum(_rss(p) for p in tree(self.pid)))
            self.done.wait(0.02)

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


@dataclass
class Outcome:
    """What a finished milepost process did."""

    code: int
    out: str
    err: str
    seconds: float
    peak: int
    """Peak resident memory of the process and its children, in bytes."""

    def one_error_line(self) -> str:
        """The single line of a clean failure (asserts there is exactly one, and no
        traceback)."""
        lines = self.err.strip("\n").split("\n")
        assert "Traceback" not in self.err, self.err
        assert len(lines) == 1, self.err
        return lines[0]


def _drop_privileges() -> None:  # runs in the child between fork and exec
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


_OVERRIDES = (1, 2, 3)
"""CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER: what lets root ignore permission bits."""
_PR_CAPBSET_DROP = 24


def _drop_overrides() -> None:  # runs in the child between fork and exec
    """Take the capabilities that override file permissions out of the bounding set: the
    program exec'd next runs as root without them, so permission bits bind on it."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in _OVERRIDES:
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def as_nobody() -> Callable[[], None] | None:
    """A ``preexec_fn`` under which permission bits bind when running as root (None when not
    root): user nobody, or root without the overriding capabilities when nobody cannot run
    this interpreter."""
    if os.geteuid() != 0:
        return None
    return _drop_privileges if _runs_milepost(_drop_privileges) is None else _drop_overrides


def _runs_milepost(preexec: Callable[[], None]) -> str | None:
    """None when milepost runs under ``preexec``; else why not."""
    try:
        done = subprocess.run(
            [*MILEPOST, "--version"],
            capture_output=True,
            preexec_fn=preexec,
            timeout=60,
            check=False,
        )
    except OSError as exc:
        return f"cannot run {sys.executable}: {exc.strerror}"
    if done.returncode != 0:
        return f"cannot run milepost: {done.stderr.decode()[-200:]}"
    return None


def why_nobody_cannot_run_milepost() -> str | None:
    """None when permission bits can be made to bind on milepost (see :func:`as_nobody`);
    else why not."""
    if os.geteuid() != 0:
        return None
    as_user = _runs_milepost(_drop_privileges)
    if as_user is None:
        return None
    without = _runs_milepost(_drop_overrides)
    if without is None:
        return None
    return f"user {NOBODY}: {as_user}; root without overriding capabilities: {without}"


def why_no_mount_namespace() -> str | None:
    """None when this process may make a private mount namespace (``unshare -m``, as root)
    with tmpfs and read-only bind mounts in it; else why not."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return "needs root and unshare(1) for a private mount namespace"
    probe = "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d && rmdir $d"
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", probe], capture_output=True, timeout=30, check=False
    )
    if done.returncode != 0:
        return f"unshare -m cannot mount here: {done.stderr.decode().strip()[-200:]}"
    return None


def read_only_mount(folder: Path) -> list[str]:
    """A command prefix: what follows runs in a private mount namespace where ``folder`` is
    mounted read-only (root too gets EROFS there; nothing changes outside the namespace)."""
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder)]


@pytest.fixture
def public_tmp() -> Iterator[Path]:
    """A temp folder every user can reach (pytest's are root's alone), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="milepost-faults-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        with contextlib.suppress(OSError):
            path.chmod(0o755 if path.is_dir() and not path.is_symlink() else 0o644)
    shutil.rmtree(folder, ignore_errors=True)


def milepost(
    *args: str | Path,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    cwd: Path | None = None,
    prefix: Sequence[str] = (),
) -> Outcome:
    """Run ``milepost ARGS`` as a subprocess (after ``prefix``, e.g. :func:`read_only_mount`'s);
    kill its whole tree and fail after ``timeout``."""
    command = [*prefix, *MILEPOST, *(str(a) for a in args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            preexec_fn=preexec_fn,  # noqa: PLW1509 (only ever to drop privileges)
            start_new_session=True,
        )
        memory = PeakMemory(process.pid)
        memory.start()
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_tree(process)
            memory.stop()
            pytest.fail(f"milepost hung: killed after {timeout:g} s: {' '.join(command)}")
        seconds = time.perf_counter() - started
        peak = memory.stop()
        out.seek(0)
        err.seek(0)
        return Outcome(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            peak,
        )


def start(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start ``milepost ARGS`` in a session of its own; stdout and stderr are pipes. The caller
    stops it (``stop``, ``kill_tree``)."""
    return subprocess.Popen(
        [*MILEPOST, *(str(a) for a in args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> tuple[int, str, str]:
    """Ctrl-C, then wait; return the exit code, stdout and stderr (the tree is killed when it
    does not stop in time, and the test fails)."""
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(process)
        pytest.fail(f"milepost did not stop within {timeout:g} s of Ctrl-C")
    return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group a :func:`start`-ed or :func:`milepost` process leads (what is
    left of it: a test that passed left nothing), and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
        process.communicate(timeout=5)  # reaps it and closes its pipes


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``condition`` every 10 ms until it is true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s for {what}")
        time.sleep(0.01)


# ----- files -------------------------------------------------------------------------------------
Snapshot = dict[str, tuple[str, int, int, str]]
"""Relative path -> (kind, size, mtime_ns, sha256 of the bytes) of every entry of a folder."""


def snapshot(root: Path) -> Snapshot:
    """Every file, folder and symbolic link under ``root`` (links not followed)."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            info = path.lstat()
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            data = ""
            if kind == "file" and path.is_file():
                data = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(root).as_posix()] = (kind, info.st_size, info.st_mtime_ns, data)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots, one readable line each (empty: nothing changed)."""
    lines = [f"new: {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"gone: {p}" for p in sorted(before.keys() - after.keys())]
    both = sorted(before.keys() & after.keys())
    lines += [f"changed: {p}" for p in both if before[p] != after[p]]
    return lines


def leftovers(root: Path) -> list[Path]:
    """Temp files milepost's writer would leave if it stopped half-way."""
    return sorted(root.rglob("*.milepost-tmp"))


def payload(marker: Path) -> str:
    """A shell command that creates ``marker``; the scenario asserts it never exists."""
    return f"touch {marker}"


# ----- vaults ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int, int], Path]:
    made: dict[tuple[int, int], Path] = {}

    def make(notes: int, seed: int) -> Path:
        if (notes, seed) not in made:
            from ..test_generator import load_generator

            target = tmp_path_factory.mktemp(f"generated-{notes}-{seed}") / "vault"
            load_generator().generate(notes, seed, target)
            made[notes, seed] = target
        return made[notes, seed]

    return make


@pytest.fixture
def generated_vault(
    _generated: Callable[[int, int], Path], tmp_path: Path
) -> Callable[[int, int], Path]:
    """``generated_vault(notes, seed)``: a fresh copy of a generated vault of that size."""

    def copy(notes: int, seed: int = 1) -> Path:
        target = tmp_path / f"generated-{notes}-{seed}"
        shutil.copytree(_generated(notes, seed), target)
        return target

    return copy


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    """A folder beside the vaults of the test; a scenario asserts it gains no file."""
    folder = tmp_path / "outside"
    folder.mkdir()
    before = snapshot(folder)
    yield folder
    assert changes(before, snapshot(folder)) == [], "a file appeared outside the vault"


def args(*extra: str | Path) -> Sequence[str | Path]:
    """``extra`` with today pinned."""
    return (*extra, *TODAY_ARGS)
