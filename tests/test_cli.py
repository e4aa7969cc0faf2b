"""The command line: outputs, reproducibility, validation errors, listings, help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result
from clitools import assert_one_line_error, invoke

from milieusim import runner as runner_module
from milieusim.measures import MEASURES, REPORTERS
from milieusim.params import PARAMETERS
from milieusim.records import COLUMNS
from milieusim.runner import run_scenario, write_outputs
from milieusim.scenario import load_scenario, shipped_scenarios

FAST = ["--steps", "30", "--set", "n_staff=200"]
FILES = ("timeseries.parquet", "innovations.parquet", "summary.json", "adoption.png")


def run_ok(out: Path, *args: str | Path) -> Result:
    result = invoke("run", "default", *FAST, "--out", out, *args)
    assert result.exit_code == 0, result.output
    return result


# --- run ------------------------------------------------------------------------------------


def test_run_writes_the_four_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_ok(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert list(frame.columns) == ["step", *REPORTERS]
    assert frame["step"].tolist() == list(range(31))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 42 and summary["steps"] == 30
    assert summary["parameters"]["n_staff"] == 200
    assert set(summary["final"]) == set(MEASURES)
    assert set(summary["by_unit"]) == {"approvals", "rejections", "expiries"}
    innovations = pd.read_parquet(out / "innovations.parquet")
    assert list(innovations.columns) == [c.name for c in COLUMNS]
    assert len(innovations) == summary["final"]["ideas"]  # no seeded innovation here
    assert summary["final"]["ideas"] == frame["ideas"].iloc[-1]
    assert set(summary["versions"]) == {"milieusim", "mesa", "numpy", "python"}
    assert summary["meta"]["title_en"] == "Reference local authority"
    assert (out / "adoption.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The printed summary: key results and where the files are; the bar goes to stderr.
    assert "Staff using at least one new practice" in result.stdout
    assert "Pilots approved / failed" in result.stdout
    for name in FILES:
        assert name in result.stdout
    assert "week/s" not in result.stdout and "%|" not in result.stdout


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    run_ok(tmp_path / "a", "--seed", "7")
    run_ok(tmp_path / "b", "--seed", "7")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_different_seeds_give_different_timeseries(tmp_path: Path) -> None:
    run_ok(tmp_path / "a", "--seed", "1")
    run_ok(tmp_path / "b", "--seed", "2")
    a = pd.read_parquet(tmp_path / "a" / "timeseries.parquet")
    b = pd.read_parquet(tmp_path / "b" / "timeseries.parquet")
    assert not a.equals(b)


def test_csv_format(tmp_path: Path) -> None:
    run_ok(tmp_path / "a", "--format", "csv")
    run_ok(tmp_path / "b", "--format", "csv")
    assert not (tmp_path / "a" / "timeseries.parquet").exists()
    frame = pd.read_csv(tmp_path / "a" / "timeseries.csv")
    assert list(frame.columns) == ["step", *REPORTERS] and len(frame) == 31
    innovations = pd.read_csv(tmp_path / "a" / "innovations.csv")
    assert list(innovations.columns) == [c.name for c in COLUMNS]
    for name in ("timeseries.csv", "innovations.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_set_overrides_a_parameter_and_lang_fr(tmp_path: Path) -> None:
    result = run_ok(
        tmp_path / "out", "--set", "inertia=0.9", "--set", "managers=no", "--lang", "fr"
    )
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["parameters"]["inertia"] == 0.9
    assert summary["parameters"]["managers"] is False
    assert "Agents utilisant au moins une nouvelle pratique" in result.stdout


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    result = run_ok(tmp_path / "out", "--quiet")
    assert result.output == ""


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("inertia=2", "out of range [0, 1]"),
        ("inertia=high", "expected a number"),
        ("inertai=0.3", "did you mean 'inertia'"),
        ("inertia", "expected name=value"),
        ("knockout=everyone", "marginaux-secants"),
        ("n_units=5000", "n_units (5000) must not exceed n_staff"),
    ],
)
def test_bad_set_is_one_line_and_writes_nothing(
    tmp_path: Path, setting: str, fragment: str
) -> None:
    result = invoke("run", "default", "--steps", "30", "--set", setting, "--out", tmp_path / "out")
    assert_one_line_error(result, fragment)
    assert list(tmp_path.iterdir()) == []


def test_steps_before_an_event_is_reported_against_steps(tmp_path: Path) -> None:
    result = invoke("run", "timeline", "--steps", "30", "--out", tmp_path / "out")
    assert_one_line_error(result, "--steps 30", "after the last step")
    assert list(tmp_path.iterdir()) == []


def test_unknown_scenario(tmp_path: Path) -> None:
    result = invoke("run", "saint-etiene", "--out", tmp_path / "out")
    assert_one_line_error(result, "did you mean 'saint-etienne'")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[meta\ntitle_en = 'x'\n", "invalid TOML"),
        ("[meta]\ntitle_fr = 'a'\ntitle_en = 'b'\n[parameters]\nopenness = 3\n", "openness"),
        ("extends = 'default.toml'\n[parameters]\nsteps = 'ten'\n", "steps"),
    ],
)
def test_malformed_scenario_file(tmp_path: Path, text: str, fragment: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    if "extends" in text:
        (tmp_path / "default.toml").write_text(
            "[meta]\ntitle_fr = 'a'\ntitle_en = 'b'\n", encoding="utf-8"
        )
    before = set(tmp_path.iterdir())
    result = invoke("run", bad, "--out", tmp_path / "out")
    assert_one_line_error(result, "bad.toml", fragment)
    assert set(tmp_path.iterdir()) == before


def test_scenario_file_by_path_and_default_out_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("my-town.toml").write_text(
        "extends = '" + str(load_scenario("default").path).replace("\\", "/") + "'\n"
        "[parameters]\nn_staff = 200\nsteps = 20\n",
        encoding="utf-8",
    )
    result = invoke("run", "my-town.toml", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out/my-town").iterdir()) == sorted(FILES)
    result = invoke("run", "docking/bass", "-q", "--steps", "5")
    assert result.exit_code == 0, result.output
    assert Path("out/docking-bass/summary.json").is_file()


def test_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("mine", encoding="utf-8")
    assert_one_line_error(invoke("run", "default", *FAST, "--out", target), "not a folder")
    assert_one_line_error(invoke("run", "default", *FAST, "--out", target / "sub"), "not a folder")
    assert target.read_text(encoding="utf-8") == "mine"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args in (
        ["run"],
        ["run", "default", "--seed", "-1"],
        ["run", "default", "--format", "xls"],
        ["nope"],
    ):
        result = invoke(*args, "--out", tmp_path / "out") if args[0] == "run" else invoke(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


# --- writing outputs ------------------------------------------------------------------------


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario("default").with_overrides(["n_staff=200", "steps=10"])
    result = run_scenario(scenario, seed=1)
    assert list(result.timeseries.columns)[0] == "step" and len(result.timeseries) == 11

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(runner_module, "_write_png", broken)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(result, tmp_path / "new" / "deeper" / "out")
    assert list(tmp_path.iterdir()) == []

    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "summary.json").write_text("old", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_outputs(result, existing)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(result, existing, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["existing"]
    assert [p.name for p in existing.iterdir()] == ["summary.json"]
    assert (existing / "summary.json").read_text(encoding="utf-8") == "old"

    monkeypatch.undo()
    (existing / "timeseries.parquet").write_text("old", encoding="utf-8")
    files = write_outputs(result, existing, fmt="csv", overwrite=True)
    assert sorted(files) == sorted(
        ["timeseries.csv", "innovations.csv", "summary.json", "adoption.png"]
    )
    assert [p.name for p in tmp_path.iterdir()] == ["existing"]
    assert sorted(p.name for p in existing.iterdir()) == sorted(files)  # replaced whole
    assert json.loads((existing / "summary.json").read_text(encoding="utf-8"))["seed"] == 1


# --- demo, listings, help -------------------------------------------------------------------


def test_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out/demo").iterdir()) == sorted(FILES)
    for name in FILES:
        assert f"out/demo/{name}" in result.stdout
    assert "doing better with less" in result.stdout
    assert "milieusim run saint-etienne" in result.stdout


def test_scenarios_lists_every_shipped_scenario() -> None:
    for lang in ("en", "fr"):
        result = invoke("scenarios", "--lang", lang)
        assert result.exit_code == 0, result.output
        for scenario in shipped_scenarios():
            assert scenario.name in result.stdout
            assert scenario.title(lang) in result.stdout


def test_params_lists_every_parameter() -> None:
    result = invoke("params")
    assert result.exit_code == 0, result.output
    for p in PARAMETERS.values():
        assert p.name in result.stdout
        assert p.describe_range() in result.stdout
    assert "[10, 1e+06]" in result.stdout and "people" in result.stdout
    organisation = invoke("params", "--group", "organisation", "--lang", "fr")
    assert organisation.exit_code == 0
    assert "Ouverture sur l'extérieur" in organisation.stdout
    assert "n_staff" not in organisation.stdout
    assert invoke("params", "--group", "nope").exit_code == 2


@pytest.mark.parametrize("command", [[], ["run"], ["demo"], ["scenarios"], ["params"]])
def test_help_has_examples(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "\n    milieusim " in result.stdout  # \b kept the example lines apart


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("milieusim ")


def test_python_m_milieusim_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "milieusim", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "Examples" in done.stdout


# --- the run's figure (N20: its cost follows the run's length, not the number of events) ---


def test_events_are_drawn_once_per_week_with_one_label_each() -> None:
    from matplotlib.collections import LineCollection
    from matplotlib.text import Annotation

    from milieusim.plots.adoption import plot_adoption

    frame = pd.DataFrame({"step": range(4), **{name: [0.0] * 4 for name in REPORTERS}})
    events = [(1 + i % 3, f"event {i % 7}") for i in range(12_000)]
    fig = plot_adoption(frame, events=events, title="T" * 200_000)
    for ax in fig.axes:
        marks = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert len(marks) == 1 and len(marks[0].get_segments()) == 3
    labels = [t.get_text() for t in fig.axes[0].texts if isinstance(t, Annotation)]
    assert labels == ["event 0; event 3 (+5)", "event 1; event 4 (+5)", "event 2; event 5 (+5)"]
    assert len(fig._suptitle.get_text()) == 160
    many = [(week, f"w{week}") for week in range(1, 200)]
    long = pd.DataFrame({"step": range(200), **{name: [0.0] * 200 for name in REPORTERS}})
    fig = plot_adoption(long, events=many)
    assert len(fig.axes[0].texts) == 40
