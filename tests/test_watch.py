"""`milepost watch`: real file-system events, and the consuming loop driven with canned batches."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from milepost import load_config
from milepost.config import Config
from milepost.session import Session
from milepost.watchevents import CATCH_UP, RESCAN, collect, event_filter
from milepost.watching import Outcome, Watcher, watch

from .conftest import SAMPLE_VAULT, TODAY, MakeVault

TIMEOUT = 20.0
ROADMAP = "Roadmaps/Models/Roadmap – Space X.md"


def wait_for(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met within the timeout")


class Running:
    """`watch` in a thread on a real vault, with its outcomes collected."""

    def __init__(self, config: Config, *, poll: bool = False) -> None:
        self.config = config
        self.outcomes: list[Outcome] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=watch,
            args=(config, self.outcomes.append),
            kwargs={"poll": poll, "stop": self.stop},
        )

    def __enter__(self) -> Running:
        self.thread.start()
        wait_for(lambda: any(o.note == "first build" for o in self.outcomes))
        time.sleep(0.3)  # the observer starts right after the first build; let it settle
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()

    def page(self, rel: str = ROADMAP) -> str:
        path = self.config.vault / rel
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def rounds(self) -> int:
        return sum(1 for o in self.outcomes if o.note != "first build")


@pytest.fixture
def vault(copy_vault: Callable[[Path], Path]) -> Path:
    return copy_vault(SAMPLE_VAULT)


def config_of(vault: Path) -> Config:
    return load_config(vault, today=TODAY)


def replace_in(path: Path, old: bytes, new: bytes) -> None:
    path.write_bytes(path.read_bytes().replace(old, new))


# ----- real events -------------------------------------------------------------------------------
def test_edit_create_delete_rename(vault: Path) -> None:
    with Running(config_of(vault)) as running:
        replace_in(
            vault / "Concepts/Milestones.md", b"Achievement of profitability", b"Profit at last"
        )
        wait_for(lambda: "**Profit at last**" in running.page())
        (vault / "Concepts/Mars.md").write_text(
            "## Examples\n### Space X\n#milestone Land on Mars (expected 2031)\n"
        )
        wait_for(lambda: "**Land on Mars**" in running.page())
        (vault / "Concepts/Mars.md").rename(vault / "Concepts/Red planet.md")
        wait_for(lambda: "[[Concepts/Red planet#Space X|Red planet › Space X]]" in running.page())
        (vault / "Concepts/Red planet.md").unlink()
        wait_for(lambda: "Land on Mars" not in running.page())
    assert not [o for o in running.outcomes if o.error]


def test_atomic_save_through_a_temp_file_and_a_move(vault: Path) -> None:
    with Running(config_of(vault)) as running:
        target = vault / "Concepts/Key Activities.md"
        temp = vault / "Concepts/.Key Activities.md.tmp.1234"
        temp.write_bytes(
            target.read_bytes().replace(
                b"Booster flies its tenth mission", b"Booster flies twenty times"
            )
        )
        temp.replace(target)
        wait_for(lambda: "**Booster flies twenty times**" in running.page())
        assert "tenth mission" not in running.page()


def test_a_burst_of_saves_ends_in_the_last_state(vault: Path) -> None:
    note = vault / "Concepts/Burst.md"
    with Running(config_of(vault)) as running:
        for number in range(200):
            note.write_text(
                f"## Examples\n### Space X\n#milestone Save number {number} (expected 2030)\n"
            )
        wait_for(lambda: "**Save number 199**" in running.page())
        time.sleep(0.5)
        assert running.page().count("**Save number") == 1
        assert running.rounds() < 50  # debounced into a few builds, not 200


def test_broken_yaml_then_a_fix(vault: Path) -> None:
    note = vault / "Milestones/Seed round closed.md"
    good = note.read_text(encoding="utf-8")
    page = "Roadmaps/Models/Roadmap – Underwater restaurant.md"
    with Running(config_of(vault)) as running:
        note.write_text(good.replace("due: Q1 2027", "due: [Q1 2027"), encoding="utf-8")
        wait_for(
            lambda: any(
                f.code == "frontmatter.invalid" for o in running.outcomes for f in o.new_findings
            )
        )
        wait_for(lambda: "**Seed round closed**" not in running.page(page))
        note.write_text(good, encoding="utf-8")
        wait_for(lambda: "**Seed round closed**" in running.page(page))
    assert not [o for o in running.outcomes if o.error]


def test_own_writes_do_not_loop(vault: Path) -> None:
    with Running(config_of(vault)) as running:
        replace_in(
            vault / "Concepts/Milestones.md", b"Achievement of profitability", b"Profit at last"
        )
        wait_for(lambda: "**Profit at last**" in running.page())
        wait_for(lambda: running.rounds() >= 1)  # the page is written just before the round ends
        settled = running.rounds()
        time.sleep(1.5)  # long enough for any echo of milepost's own writes to come back
        assert running.rounds() == settled
        assert [o.changed for o in running.outcomes[1:]] == [["Concepts/Milestones.md"]]


def test_deleting_a_business_models_notes_removes_its_page(vault: Path) -> None:
    with Running(config_of(vault)) as running:
        (vault / "Milestones/Ethics board approval.md").unlink()
        replace_in(
            vault / "Concepts/Milestones.md", b"### extinguished animals meat", b"### Space X"
        )
        replace_in(
            vault / "Concepts/Revenue Streams.md", b"### extinguished animals meat", b"### Space X"
        )
        (vault / "Models/extinguished animals meat.md").unlink()
        gone = vault / "Roadmaps/Models/Roadmap – extinguished animals meat.md"
        wait_for(lambda: not gone.exists())
        wait_for(lambda: "Recognition and awards for ethical practices" in running.page())


def test_polling_observer(vault: Path) -> None:
    with Running(config_of(vault), poll=True) as running:
        replace_in(
            vault / "Concepts/Milestones.md", b"Achievement of profitability", b"Polled profit"
        )
        wait_for(lambda: "**Polled profit**" in running.page())


def test_ctrl_c_exits_cleanly(vault: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "milepost", "watch", str(vault), "--today", TODAY.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "first build" in process.stdout.readline()  # watching has started
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Stopped." in err and "Traceback" not in err


# ----- the loop, with canned batches -------------------------------------------------------------
def test_the_loop_with_canned_batches(vault: Path) -> None:
    watcher = Watcher(config_of(vault))
    try:
        watcher.start()
        replace_in(vault / "Concepts/Milestones.md", b"Achievement of profitability", b"Canned")
        (vault / "Concepts/Extra.md").write_text(
            "## Examples\n### Space X\n#milestone Canned extra\n"
        )
        outcomes: list[Outcome] = []
        watcher.run(
            [{"Concepts/Milestones.md"}, {"Concepts/Extra.md"}, {"Concepts/Extra.md"}],
            outcomes.append,
        )
        page = (vault / ROADMAP).read_text(encoding="utf-8")
        assert "**Canned**" in page and "**Canned extra**" in page
        assert len(outcomes) == 2  # the third batch changed nothing: no line
        assert outcomes[0].result is not None and outcomes[0].result.count("update") >= 1
    finally:
        watcher.close()


def test_an_error_in_a_build_is_reported_and_watching_goes_on(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watcher = Watcher(config_of(vault))
    try:
        watcher.start()
        calls = {"n": 0}
        real = Session.update

        def flaky(self: Session, paths: object, **kwargs: object) -> object:
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("disk on fire")
            return real(self, paths, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Session, "update", flaky)
        replace_in(
            vault / "Concepts/Milestones.md", b"Achievement of profitability", b"After the fire"
        )
        outcomes: list[Outcome] = []
        watcher.run([{"Concepts/Milestones.md"}, {"Concepts/Milestones.md"}], outcomes.append)
        assert outcomes[0].error == "RuntimeError: disk on fire"
        assert "**After the fire**" in (vault / ROADMAP).read_text(encoding="utf-8")
    finally:
        watcher.close()


def test_a_rescan_catches_up_when_events_were_lost(vault: Path) -> None:
    watcher = Watcher(config_of(vault))
    try:
        watcher.start()
        replace_in(
            vault / "Concepts/Milestones.md",
            b"Achievement of profitability",
            b"Found by the rescan",
        )
        outcomes: list[Outcome] = []
        watcher.run([{RESCAN}], outcomes.append)
        assert outcomes[0].note == "reconciliation scan"
        assert "**Found by the rescan**" in (vault / ROADMAP).read_text(encoding="utf-8")
    finally:
        watcher.close()


def test_a_changed_configuration_rebuilds_everything(vault: Path) -> None:
    watcher = Watcher(load_config(vault))
    try:
        watcher.start()
        toml = vault / "milepost.toml"
        toml.write_text(
            toml.read_text().replace('output = "Roadmaps"', 'output = "Plans generated"')
        )
        outcomes: list[Outcome] = []
        watcher.run([{"milepost.toml"}], outcomes.append)
        assert "full build" in (outcomes[0].note or "")
        assert (vault / "Plans generated/Models/Roadmap – Space X.md").is_file()
        assert not (
            vault / ROADMAP
        ).exists()  # the old output folder's pages were milepost's: pruned
    finally:
        watcher.close()


def test_collect_debounces_and_reports_a_dead_observer() -> None:
    events: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    alive = {"ok": True}
    batches: Iterator[set[str]] = collect(
        events, stop=stop, healthy=lambda: alive["ok"], quiet=0.05, max_latency=0.3
    )
    for path in ("a.md", "b.md", "a.md"):
        events.put(path)
    assert next(batches) == {"a.md", "b.md"}

    def trickle() -> None:  # events closer together than the quiet window: capped by latency
        for number in range(40):
            events.put(f"{number}.md")
            time.sleep(0.02)

    feeder = threading.Thread(target=trickle)
    started = time.monotonic()
    feeder.start()
    first = next(batches)
    assert time.monotonic() - started < 1.0 and 0 < len(first) < 40
    feeder.join()
    while not events.empty():
        next(batches)
    alive["ok"] = False
    assert next(batches) == {RESCAN}
    stop.set()


def test_the_event_filter(make_vault: MakeVault) -> None:
    accept = event_filter(load_config(make_vault({"milepost.toml": 'ignore = ["Templates/**"]\n'})))
    assert accept("Concepts/Plan.md") and accept("milepost.toml") and accept("Roadmaps/Page.md")
    for path in (
        ".obsidian/workspace.json",
        ".git/index.lock",
        ".trash/Old.md",
        ".milepost/cache/notes.sqlite",
        "Concepts/.Plan.md.swp",
        "Concepts/Plan.md~",
        "Concepts/4913",
        "Concepts/.#Plan.md",
        "Concepts/~$Plan.docx",
        "Concepts/Plan.md.tmp",
        "Templates/Daily.md",
        "Concepts/.goutputstream-XYZ",
        "Concepts/.Plan.md.abc.milepost-tmp",
    ):
        assert not accept(path), path


def test_watch_keeps_the_export_fresh(vault: Path, tmp_path: Path) -> None:
    from milepost.site import SiteSession

    config = config_of(vault)
    site = SiteSession(config, tmp_path / "site")
    calls: list[list[str] | None] = []

    def keep(session: Session, changed: list[str] | None) -> str | None:
        calls.append(changed)
        assert session.index is not None
        done = site.export(session.index, changed)
        return f"site: {len(done.written)} written"

    watcher = Watcher(config, after=keep)
    try:
        first = watcher.start()
        assert "site:" in (first.note or "")
        page = tmp_path / "site/notes/concepts/milestones.html"
        roadmap = tmp_path / "site/roadmaps/space-x.html"
        untouched = tmp_path / "site/notes/people/marta-keller.html"
        stamp = untouched.stat().st_mtime_ns
        replace_in(
            vault / "Concepts/Milestones.md", b"Achievement of profitability", b"Exported profit"
        )
        outcomes: list[Outcome] = []
        watcher.run([{"Concepts/Milestones.md"}], outcomes.append)
        assert "Exported profit" in page.read_text(encoding="utf-8")
        assert "Exported profit" in roadmap.read_text(encoding="utf-8")
        assert untouched.stat().st_mtime_ns == stamp  # pages the change does not reach stay put
        assert calls == [None, ["Concepts/Milestones.md"]]
        assert outcomes[0].extra is not None and "site:" in outcomes[0].extra
    finally:
        watcher.close()


def test_the_command_keeps_the_site_fresh_with_export(vault: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "milepost",
            "watch",
            str(vault),
            "--today",
            TODAY.isoformat(),
            "--export",
            str(site),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "first build" in first and "site:" in first
        page = site / "notes/concepts/milestones.html"
        assert "Achievement of profitability" in page.read_text(encoding="utf-8")
        time.sleep(0.3)
        replace_in(
            vault / "Concepts/Milestones.md", b"Achievement of profitability", b"Watched profit"
        )
        wait_for(lambda: "Watched profit" in page.read_text(encoding="utf-8"))
        assert "site:" in process.stdout.readline()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err


def test_only_published_needs_export(vault: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "milepost", "watch", str(vault), "--only-published"],
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 2
    assert "--only-published needs --export DIR" in done.stderr


def test_a_changed_configuration_keeps_the_command_lines_settings(vault: Path) -> None:
    pinned = load_config(vault, today=TODAY)
    watcher = Watcher(pinned, reload=lambda: load_config(vault, today=TODAY))
    try:
        watcher.start()
        toml = vault / "milepost.toml"
        kept = [line for line in toml.read_text().splitlines() if not line.startswith("today")]
        toml.write_text("\n".join(kept) + "\n")  # today now comes from the command line only
        outcomes: list[Outcome] = []
        watcher.run([{"milepost.toml"}], outcomes.append)
        assert "full build" in (outcomes[0].note or "")
        assert watcher.session.today == TODAY
    finally:
        watcher.close()


# ----- feeds wait while saves keep coming ----------------------------------------------------
CALENDAR = "Roadmaps/Calendars/Milestones – Space X.ics"
FILLED = "Models/Space X.md"
"""A note with a region milepost fills."""
DATED = "Concepts/Key Activities.md"
"""Holds a dated Space X milestone, which its calendar feed shows."""


def test_feeds_wait_for_a_pause_and_then_catch_up(vault: Path) -> None:
    waiting = {"more": False}

    def queued() -> list[str]:  # milepost's own writes coming back never hold the feeds up:
        return [ROADMAP, FILLED, *([DATED] if waiting["more"] else [])]  # a page, a region

    watcher = Watcher(config_of(vault), queued=queued)
    try:
        watcher.start()
        calendar = (vault / CALENDAR).read_bytes()
        assert b"Pad turnaround under 72 hours" in calendar
        replace_in(vault / DATED, b"Pad turnaround under 72 hours", b"Waited")
        waiting["more"] = True  # another save is already queued
        outcomes: list[Outcome] = []
        watcher.run([{DATED}], outcomes.append)
        assert "Waited" in (vault / ROADMAP).read_text(encoding="utf-8"), "pages go first"
        assert (vault / CALENDAR).read_bytes() == calendar, "the feeds wait"
        assert watcher.owed()
        waiting["more"] = False
        assert not watcher.later()
        replace_in(vault / FILLED, b"# Space X", b"# Space X, edited")
        assert watcher.later(), "a save to a note with a region is a save"
        replace_in(vault / FILLED, b"# Space X, edited", b"# Space X")
        assert not watcher.later()
        watcher.run([{CATCH_UP}], outcomes.append)
        assert outcomes[-1].note == "feeds after the saves"
        assert b"Waited" in (vault / CALENDAR).read_bytes()
        assert not watcher.owed()
    finally:
        watcher.close()
    # what the watcher left is what a build from scratch makes: a forced build changes nothing
    made = {p: p.read_bytes() for p in sorted((vault / "Roadmaps").rglob("*")) if p.is_file()}
    Session(config_of(vault), cache=False).build(force=True)
    again = {p: p.read_bytes() for p in sorted((vault / "Roadmaps").rglob("*")) if p.is_file()}
    assert len(made) > 10
    assert again == made


def test_collect_asks_for_the_feeds_in_a_pause_only_while_they_are_owed() -> None:
    events: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    owed = {"now": True}
    batches = collect(events, stop=stop, owed=lambda: owed["now"], reconcile_every=3600)
    assert next(batches) == {CATCH_UP}
    events.put("a.md")
    assert next(batches) == {"a.md"}
    owed["now"] = False
    events.put("b.md")
    assert next(batches) == {"b.md"}


def test_a_burst_of_saves_ends_with_feeds_that_show_the_last_one(vault: Path) -> None:
    note = vault / DATED
    with Running(config_of(vault)) as running:
        for number in range(8):
            replace_in(
                note,
                b"Pad turnaround under 72 hours" if number == 0 else f"Burst {number - 1}".encode(),
                f"Burst {number}".encode(),
            )
            time.sleep(0.08)
        wait_for(lambda: "Burst 7" in running.page())
        wait_for(lambda: b"Burst 7" in (vault / CALENDAR).read_bytes())
        assert b"Burst 6" not in (vault / CALENDAR).read_bytes()
