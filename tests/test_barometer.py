"""The virtual innovation barometer on a real small run (issue 17, item 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from clitools import assert_one_line_error, invoke

from milieusim.barometer import (
    ANSWERS,
    BarometerError,
    answers,
    compare,
    rerun,
    run_answers,
    survey,
)
from milieusim.records import unit_introductions
from milieusim.runner import run_scenario, write_outputs
from milieusim.scenario import load_scenario
from milieusim.targets import shipped_targets

SMALL = ["n_staff=300", "steps=160", "n_units=6"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = load_scenario("default").with_overrides(SMALL)
    out = tmp_path_factory.mktemp("barometer") / "run"
    write_outputs(run_scenario(scenario, seed=3), out)
    return out


@pytest.fixture(scope="module")
def made_again(run_dir: Path):  # type: ignore[no-untyped-def]
    return rerun(run_dir)


@pytest.fixture(scope="module")
def model(made_again):  # type: ignore[no-untyped-def]
    return made_again[0]


def test_blame_is_recorded_for_every_failed_pilot(made_again) -> None:  # type: ignore[no-untyped-def]
    model, blamed = made_again
    failed = [k.id for k in model.innovations if k.stage in ("failed", "stopped")]
    assert sorted(blamed) == sorted(failed) and failed  # the run has failures to judge
    verdicts = list(blamed.values())
    if None not in verdicts:
        assert sum(v is True for v in verdicts) == model.failures_blamed
    else:  # ambiguous weeks: the known verdicts never exceed the count
        assert sum(v is True for v in verdicts) <= model.failures_blamed
    units = survey(model, blamed=blamed)
    asked = units.dropna(subset=["mistakes_hindered"])
    assert not (
        asked["mistakes_hindered"].astype(bool) & asked["mistakes_helped"].astype(bool)
    ).any()
    assert survey(model)["mistakes_hindered"].isna().all()  # not asked without verdicts
    assert not units["mistakes_hindered"].isna().all()


def test_the_run_made_again_is_the_saved_one(run_dir: Path, model) -> None:  # type: ignore[no-untyped-def]
    summary = json.loads((run_dir / "summary.json").read_text())
    assert model.now == summary["steps"]
    assert model.approvals == summary["final"]["approvals"]
    assert model.practices_per_staff == summary["final"]["practices_per_staff"]


def test_a_tampered_run_is_refused(run_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "summary.json").write_text((run_dir / "summary.json").read_text())
    table = pd.read_parquet(run_dir / "innovations.parquet")
    table.loc[0, "value"] = table.loc[0, "value"] + 1.0
    table.to_parquet(copy / "innovations.parquet")
    with pytest.raises(BarometerError, match="another run than the one saved"):
        rerun(copy)


def test_each_unit_answers_from_the_records(model) -> None:  # type: ignore[no-untyped-def]
    units = survey(model)
    n_units = int(model.p["n_units"])
    assert list(units["unit"]) == list(range(n_units))
    rows = unit_introductions(
        model.innovations,
        staff_unit=model.staff_unit,
        present=model.staff_present,
        n_units=n_units,
    )
    start = model.now - 104
    for u in units.itertuples():
        mine = rows[(rows[:, 1] == u.unit) & (rows[:, 2] > start)]
        assert u.introduced == (mine.shape[0] > 0)
        if not u.introduced:
            assert u.latest == -1 and math.isnan(u.latest_own)
            continue
        # the latest is the practice introduced last in the window
        assert u.latest in mine[mine[:, 2] == mine[:, 2].max(), 0]
        k = model.innovations[u.latest]
        # exactly one of own / adapted / copied
        assert int(u.latest_own) + int(u.latest_adapted) + int(u.latest_copied) == 1
        assert bool(u.latest_copied) == (k.unit != u.unit)
        assert bool(u.latest_reused) == bool(u.latest_adapted or u.latest_copied)
        assert bool(u.raised_both) == bool(u.raised_quality and u.raised_efficiency)
        assert bool(u.initiated_by_staff) != bool(u.initiated_by_manager)
        # the practice really reached a tenth of the unit's staff in the window
        used = np.zeros(n_units, dtype=np.int64)
        reached = False
        for week, staff, sign in k.log:
            np.add.at(used, model.staff_unit[staff], sign)
            if week > start and used[u.unit] >= max(math.ceil(0.1 * u.size), 1):
                reached = True
        assert reached


def test_shares_and_the_comparison(made_again) -> None:  # type: ignore[no-untyped-def]
    model, blamed = made_again
    units = survey(model, blamed=blamed)
    simulated = answers(units, run_answers(model, units))
    assert set(simulated) == set(ANSWERS)
    assert simulated["introduced"] == pytest.approx(units["introduced"].mean())
    for key, a in ANSWERS.items():
        value = simulated[key]
        if a.relation == "not recorded":
            assert math.isnan(value)
        elif a.kind == "share" and not math.isnan(value):
            assert 0.0 <= value <= 1.0, key
    table = compare(simulated, shipped_targets())
    assert set(table["answer"]) == set(ANSWERS)  # every answer is printed, once or more
    row = table[table["target"] == "dk_incidence_2018_19"].iloc[0]
    assert (row["published"], row["comparable"], row["simulated"]) == (
        0.81,
        "yes",
        simulated["introduced"],
    )


def test_the_command_prints_both_sides(run_dir: Path) -> None:
    result = invoke("barometer", str(run_dir))
    assert result.exit_code == 0, result.output
    out = result.stdout
    for fragment in (
        "dk_incidence_2018_19",
        "no_ks2018_incidence",
        "nao2006_timeframe",
        "same",
        "analog",
        "n/rec",
        "81 %",
    ):
        assert fragment in out, fragment
    assert all(len(line) <= 88 for line in out.splitlines())
    french = invoke("barometer", str(run_dir), "--lang", "fr")
    assert french.exit_code == 0 and "Baromètre" in french.stdout and "81 %" in french.stdout


def test_the_command_refuses_what_is_not_a_run(tmp_path: Path) -> None:
    assert_one_line_error(invoke("barometer", str(tmp_path / "nope")), "no such folder")
    assert_one_line_error(invoke("barometer", str(tmp_path)), "no summary.json")
    assert_one_line_error(invoke("barometer", str(tmp_path), "--point", "1"), "only for a sweep")


def test_a_sweep_is_surveyed_run_by_run(grid_dir: Path) -> None:
    """The conftest grid (real runs, run 5 failed): its ok runs are made again, checked
    against their recorded final values, and their answers averaged."""
    from milieusim.barometer import rerun_sweep

    ids, models = rerun_sweep(grid_dir, max_runs=3)
    assert len(ids) == 3 and 5 not in ids
    assert all(m.now > 0 and isinstance(b, dict) for m, b in models)
    _, one_point = rerun_sweep(grid_dir, point=1, max_runs=10)
    assert sum(1 for _ in one_point) >= 1
    result = invoke("barometer", str(grid_dir), "--runs", "2", "--lang", "fr")
    assert result.exit_code == 0, result.output
    # The heading names the folder and is wrapped at 88 columns: where it breaks depends on
    # the temporary folder's length (longer under pytest-xdist: .../popen-gw1/grid0).
    words = " ".join(result.stdout.split())
    assert "2 runs" in words and "Étendue sur les runs" in words
    assert_one_line_error(
        invoke("barometer", str(grid_dir), "--point", "99"), "no such design point"
    )


def test_a_sweep_run_that_cannot_be_made_again_is_refused(
    grid_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run whose re-run differs from its recorded values (another version of the model)
    is refused in one line. (A part altered on disk is refused earlier, by its digest.)"""
    import milieusim.barometer as barometer

    original = barometer.run_recording_blame

    def drifted(model: Any) -> Any:
        blamed = original(model)
        model.ideas += 1  # as if this version of the model made one more idea
        return blamed

    monkeypatch.setattr(barometer, "run_recording_blame", drifted)
    assert_one_line_error(invoke("barometer", str(grid_dir), "--runs", "1"), "another ideas")


def test_a_sweep_part_altered_on_disk_is_refused(grid_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "grid"
    shutil.copytree(grid_dir, copy)
    part = sorted((copy / "runs").glob("*.parquet"))[0]
    runs = pd.read_parquet(part)
    runs["ideas"] = runs["ideas"] + 1
    runs.to_parquet(part)
    assert_one_line_error(invoke("barometer", str(copy), "--runs", "1"), part.name)


def test_every_answer_is_defined_in_both_languages() -> None:
    from milieusim.barometer import DEFINITIONS_FR

    assert set(DEFINITIONS_FR) == set(ANSWERS)
    for a in ANSWERS.values():
        assert a.describe("en") == a.definition and a.describe("fr") != a.definition
        assert len(a.en) <= 34 and len(a.fr) <= 34  # they fit the printed table
