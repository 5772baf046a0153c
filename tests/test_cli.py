"""The command line: output, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import SAMPLE_VAULT, TODAY, MakeVault, Result

Run = Callable[..., Result]
TODAY_ARGS = ("--today", TODAY.isoformat())


def test_index_summary_lists_every_business_model(run: Run) -> None:
    result = run("index", SAMPLE_VAULT, *TODAY_ARGS, "-q")
    assert result.code == 0
    rows = {line.split("  ")[0].strip() for line in result.out.splitlines()[1:]}
    assert rows == {
        "Space X",
        "Exotic Pet Rental",
        "Underwater restaurant",
        "extinguished animals meat",
    }
    assert "business models" in result.err and " in " in result.err  # the summary line, with time


def test_index_prints_diagnostics_on_stderr_and_keeps_stdout_json(
    run: Run, make_vault: MakeVault
) -> None:
    vault = make_vault({"a.md": "[[missing]]\n#milestone A\n"})
    result = run("index", vault, "--json", *TODAY_ARGS)
    assert result.code == 0
    data = json.loads(result.out)
    assert [d["code"] for d in data["diagnostics"]] == ["link.unresolved"]
    assert "a.md:1: warning:" in result.err


def test_index_json_is_the_documented_schema(run: Run) -> None:
    data = json.loads(run("index", SAMPLE_VAULT, "--json", *TODAY_ARGS, "-q").out)
    assert list(data) == ["schema", "today", "business_models", "tools", "owners", "diagnostics"]
    assert data["schema"] == 1 and data["today"] == TODAY.isoformat()
    model = data["business_models"][0]
    assert list(model) == ["name", "note", "aliases", "tools", "counts", "accuracy", "milestones"]
    milestone = model["milestones"][0]
    for key in (
        "id",
        "title",
        "description",
        "status",
        "kind",
        "owner",
        "due",
        "done",
        "budget",
        "missing",
        "source",
        "history",
    ):
        assert key in milestone
    assert set(milestone["source"]) >= {"path", "line"}
    assert list(data["tools"][0]) == ["name", "note", "used_by", "business_models"]


def test_today_comes_from_the_option_then_the_config(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {"milepost.toml": 'today = "2020-01-01"\n', "a.md": "#milestone A (expected Q1 2021)\n"}
    )
    from_config = json.loads(run("index", vault, "--json", "-q").out)
    assert from_config["today"] == "2020-01-01"
    assert from_config["business_models"][0]["milestones"][0]["status"] == "planned"
    from_option = json.loads(run("index", vault, "--json", "-q", *TODAY_ARGS).out)
    assert from_option["business_models"][0]["milestones"][0]["status"] == "overdue"


def test_check_exit_codes(run: Run, make_vault: MakeVault) -> None:
    clean = make_vault(
        {
            "a.md": "- [ ] #milestone Done right 📅 2027-01-01 [owner:: Ana] [budget:: $5]\n"
            "  Why it matters.\n"
        }
    )
    assert run("check", clean, *TODAY_ARGS).code == 0
    assert run("check", clean, *TODAY_ARGS, "--strict").code == 0
    (clean / "b.md").write_text("[[nowhere]]\n#milestone Vague\n")
    result = run("check", clean, *TODAY_ARGS)
    assert result.code == 0  # warnings only
    assert "b.md:1: warning:" in result.out and "[link.unresolved]" in result.out
    assert "b.md:2: warning:" in result.out and "[milestone.incomplete]" in result.out
    assert (
        "Unassigned: 1 of 2 complete; missing description 1, due 1, budget 1, owner 1" in result.out
    )
    assert run("check", clean, *TODAY_ARGS, "--strict").code == 1


def test_silenced_codes_are_not_reported(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "milepost.toml": 'silence = ["link.", "milestone.incomplete"]\n',
            "a.md": "[[nowhere]]\n#milestone A\n",
        }
    )
    result = run("check", vault, *TODAY_ARGS, "--strict")
    assert result.code == 0, result.out
    assert "0 errors, 0 warnings" in result.out


def test_usage_and_config_errors_exit_2_with_one_line(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    missing = run("index", tmp_path / "nope")
    assert (
        missing.code == 2 and missing.err.count("\n") == 1 and "no such vault folder" in missing.err
    )
    a_file = tmp_path / "note.md"
    a_file.write_text("x")
    as_file = run("check", a_file)
    assert as_file.code == 2 and "is a file" in as_file.err and as_file.err.count("\n") == 1
    vault = make_vault(
        {"milepost.toml": 'outptu = "X"\nchart_limit = -3\ntoday = "soon"\n', "a.md": ""}
    )
    bad = run("index", vault)
    assert bad.code == 2 and bad.err.count("\n") == 1
    assert "milepost.toml" in bad.err
    assert "unknown key 'outptu' (did you mean 'output'?)" in bad.err
    assert (
        "'chart_limit' must be a positive integer" in bad.err
        and "'today' must be a date" in bad.err
    )
    bad_today = run("index", vault, "--today", "tomorrow")
    assert bad_today.code == 2 and bad_today.err.count("\n") == 1
    unknown = run("frobnicate")
    assert unknown.code == 2 and unknown.err.count("\n") == 1


def test_invalid_toml_names_the_file(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault({"milepost.toml": "output = [unclosed\n"})
    result = run("index", vault)
    assert result.code == 2 and "milepost.toml: not valid TOML" in result.err


def test_help_and_version(run: Run) -> None:
    help_ = run("--help")
    assert help_.code == 0 and "index" in help_.out and "check" in help_.out
    assert "--today" in run("index", "--help").out
    assert run("--version").out.startswith("milepost, version ")


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "milepost", "index", str(SAMPLE_VAULT), "--json", *TODAY_ARGS, "-q"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["schema"] == 1


@pytest.mark.parametrize(
    "command", [["index"], ["check"], ["build"], ["export", "-o", "../site"], ["watch"]]
)
def test_a_folder_that_is_not_a_vault_must_be_named(
    command: list[str], run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / "a.md").write_text("#milestone Not meant to be read\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    result = run(*command, *TODAY_ARGS)
    assert result.code == 2 and result.out == ""
    assert result.err == (
        f"milepost: error: {folder} is not a vault (no .obsidian/ folder or milepost.toml); "
        f"to use it anyway, name it: milepost {command[0]} .\n"
    )
    assert [p.name for p in folder.iterdir()] == ["a.md"]  # nothing left behind
    assert not (tmp_path / "site").exists()


def test_a_named_folder_or_a_vault_marker_is_accepted(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "Notes"
    folder.mkdir()
    (folder / "a.md").write_text("#milestone Read\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    assert run("index", ".", *TODAY_ARGS).code == 0
    (folder / "milepost.toml").write_text('output = "Roadmaps"\n', encoding="utf-8")
    assert run("index", *TODAY_ARGS).code == 0
    (folder / "milepost.toml").unlink()
    (folder / ".obsidian").mkdir()
    result = run("check", *TODAY_ARGS)
    assert result.code == 0 and "1 notes" in result.out
