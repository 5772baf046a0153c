"""Shared fixtures: small vaults written from dicts, the shared corpora, and running the CLI."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from milepost.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
SEED = SHARED / "seeds" / "003_a1895eba255d57eb.txt"
SAMPLE_VAULT = ROOT / "sample-vault"
FIXTURE_VAULTS = Path(__file__).resolve().parent / "vaults"
GOLDENS = Path(__file__).resolve().parent / "goldens"
TODAY = date(2026, 11, 22)
"""Every test pins today, so statuses never rot."""

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason="../shared (the seeds and corpora) is not beside this clone; CI always has it",
)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder``, with its size and mtime."""
    found: dict[str, tuple[int, int]] = {}
    for path in (folder, *folder.rglob("*")):
        info = path.lstat()
        found[path.relative_to(folder).as_posix()] = (info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture(scope="session", autouse=True)
def shared_left_alone() -> Iterator[None]:
    """Tests read ../shared in place and never write into it (not even a ``__pycache__``):
    checked once the whole session has run."""
    if not SHARED.is_dir():
        yield
        return
    before = _snapshot(SHARED)
    yield
    after = _snapshot(SHARED)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    assert not changed, f"the tests wrote into ../shared: {changed[:10]}"


@pytest.fixture(autouse=True)
def cache_root(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test (and every milepost process it starts) keeps its cache in a folder of its own,
    never in the user's cache folder: ``MILEPOST_CACHE_DIR`` points there."""
    root = tmp_path_factory.mktemp("milepost-cache")
    monkeypatch.setenv("MILEPOST_CACHE_DIR", str(root))
    return root


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite the golden files from the current output instead of comparing.",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


MakeVault = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def make_vault(tmp_path: Path) -> MakeVault:
    """Write ``{path: text}`` (dedented; bytes are written as they are) into a new vault."""

    def make(files: dict[str, str | bytes]) -> Path:
        vault = tmp_path / "vault"
        vault.mkdir(exist_ok=True)
        for rel, content in files.items():
            path = vault / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8", newline="\n")
        return vault

    return make


@pytest.fixture
def copy_vault(tmp_path: Path) -> Callable[[Path], Path]:
    """Copy a vault folder into tmp_path (symlinks kept as links; a ``.milepost/cache`` folder
    that an older milepost left in it stays out)."""

    def skip_cache(folder: str, names: list[str]) -> list[str]:
        return ["cache"] if Path(folder).name == ".milepost" else []

    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target, symlinks=True, ignore=skip_cache)
        return target

    return copy


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., Result]]:
    """Run ``milepost`` in-process with arguments; return exit code, stdout and stderr."""

    def invoke(*args: str | Path) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield invoke
