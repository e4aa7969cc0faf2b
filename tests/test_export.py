"""Exports of a results folder: CSV with a codebook, survival-ready innovations, SALib
arrays, EMA Workbench's archive; and docs/EXPERIMENTS.md checked against the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clitools import assert_one_line_error, invoke

from milieusim.analysis.export import (
    CODEBOOK_COLUMNS,
    SURVIVAL_COLUMNS,
    codebook,
    innovations_for_survival,
    salib_arrays,
)
from milieusim.experiment import load_results
from milieusim.measures import MEASURES
from milieusim.params import PARAMETERS
from milieusim.records import COLUMNS

ROOT = Path(__file__).resolve().parents[1]


def test_codebook_describes_every_column_from_the_registries(crn_dir: Path) -> None:
    res = load_results(crn_dir)
    book = codebook(res)
    assert list(book.columns) == list(CODEBOOK_COLUMNS)
    for table in ("runs", "timeseries", "innovations"):
        columns = list(getattr(res, table).columns)
        assert list(book[book.table == table]["column"]) == columns
    assert (book["label_en"] != "").all() and (book["label_fr"] != "").all()
    row = book[(book.table == "runs") & (book.column == "inertia")].iloc[0]
    p = PARAMETERS["inertia"]
    assert (row.source, row.label_en, row.label_fr, row.meaning) == (
        "parameter",
        p.label,
        p.fr,
        p.en,
    )
    row = book[(book.table == "runs") & (book.column == "adoption_share")].iloc[0]
    m = MEASURES["adoption_share"]
    assert (row.label_en, row.label_fr, row.unit_en, row.unit_fr, row.range) == (
        m.en,
        m.fr,
        "share",
        "part",
        "[0, 1]",
    )
    innovation = {c.name: c for c in COLUMNS}["t50_staff"]
    row = book[(book.table == "innovations") & (book.column == "t50_staff")].iloc[0]
    assert row.label_fr == innovation.fr and row.unit_en == "weeks"


def test_survival_columns_are_durations_with_their_event(crn_dir: Path) -> None:
    res = load_results(crn_dir)
    table = innovations_for_survival(res)
    assert {"point_id", "replication", "inertia", "experimentation_tolerance"} <= set(table.columns)
    assert set(SURVIVAL_COLUMNS) <= set(table.columns)
    spread = table[table["week_spread"].notna()]
    assert len(spread) > 0 and table["week_spread"].isna().any()
    never = table[table["week_spread"].isna()]
    assert never["spread_weeks_observed"].isna().all() and never["dropped"].isna().all()
    dropped = spread[spread["dropped"]]
    kept = spread[~spread["dropped"].astype(bool)]
    assert len(dropped) > 0 and len(kept) > 0
    assert (dropped["spread_weeks_observed"] == dropped["survival"]).all()
    assert (kept["spread_weeks_observed"] == 104 - kept["week_spread"]).all()  # censored
    reached = spread[spread["reached_half_staff"].astype(bool)]
    assert (reached["half_staff_weeks_observed"] == reached["t50_staff"]).all()
    assert (spread["spread_weeks_observed"] >= 0).all()


def test_export_csv_writes_tables_and_codebook(crn_dir: Path, tmp_path: Path) -> None:
    result = invoke("export", crn_dir, "--format", "csv", "--out", tmp_path / "csv")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert names == ["codebook.csv", "innovations.csv", "runs.csv", "timeseries.csv"]
    runs = pd.read_csv(tmp_path / "csv" / "runs.csv")
    assert runs["run_id"].is_unique and len(runs) == 16
    book = pd.read_csv(tmp_path / "csv" / "codebook.csv", keep_default_na=False)
    for table in ("runs", "timeseries", "innovations"):
        header = pd.read_csv(tmp_path / "csv" / f"{table}.csv", nrows=0).columns
        assert list(book[book.table == table]["column"]) == list(header)
    assert (crn_dir / "codebook.csv").is_file()  # every results folder gets its codebook


def test_export_salib_arrays_match_the_point_means(sobol_dir: Path, tmp_path: Path) -> None:
    result = invoke(
        "export", sobol_dir, "--format", "salib", "--out", tmp_path, "--outcome", "ideas"
    )
    assert result.exit_code == 0, result.output
    problem = json.loads((tmp_path / "problem.json").read_text())
    x, y = np.load(tmp_path / "X.npy"), np.load(tmp_path / "Y.npy")
    assert problem["names"] == ["inertia", "openness", "experimentation_tolerance"]
    assert problem["outcomes"] == ["ideas"] and x.shape == (20, 3) and y.shape == (20, 1)
    runs = load_results(sobol_dir).runs
    means = runs[runs.status == "ok"].groupby("point_id")["ideas"].mean().to_numpy()
    np.testing.assert_allclose(y[:, 0], means)
    from SALib.analyze import sobol

    indices = sobol.analyze(problem, y[:, 0], calc_second_order=False, seed=1)
    assert len(indices["ST"]) == 3


def test_salib_bounds_of_a_grid_are_the_values_run(grid_dir: Path) -> None:
    problem, x, _ = salib_arrays(grid_dir, ["ideas"])
    assert problem["bounds"] == [[0.2, 0.8], [0.2, 0.8]] and "note" in problem
    assert x.shape == (4, 2)


def test_export_ema_is_read_by_ema_workbench(crn_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("ema_workbench")
    from milieusim.analysis.discovery import load_ema

    result = invoke("export", crn_dir, "--format", "ema", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    experiments, outcomes = load_ema(tmp_path / "results.tar.gz")
    assert len(experiments) == 16
    assert {"inertia", "experimentation_tolerance", "scenario", "policy"} <= set(experiments)
    assert outcomes["adoption_share"].shape == (16,)
    assert outcomes["adoption_share_series"].shape == outcomes["TIME"].shape == (16, 27)


def test_export_errors_are_one_line(tmp_path: Path, grid_dir: Path) -> None:
    assert_one_line_error(invoke("export", tmp_path / "nope", "--format", "csv"), "no such folder")
    assert_one_line_error(invoke("export", grid_dir, "--format", "xml"), "'xml' is not one of")
    assert_one_line_error(
        invoke("export", grid_dir, "--format", "salib", "--outcome", "idaes"), "ideas"
    )


# --- docs/EXPERIMENTS.md against the code -----------------------------------------------------


def test_experiments_doc_names_only_what_exists(crn_dir: Path) -> None:
    """Every shipped experiment is in the doc's table and every experiment it names is
    shipped; every module path and every `runs` column it names exists."""
    from milieusim.experiment import shipped_experiments

    text = (ROOT / "docs" / "EXPERIMENTS.md").read_text(encoding="utf-8")
    shipped_section = text.split("## The shipped experiments", 1)[1].split("\n## ", 1)[0]
    table = re.findall(r"^\| `([a-z0-9-]+)` \|", shipped_section, flags=re.M)
    shipped = sorted(shipped_experiments())
    assert sorted(table) == shipped
    for module in re.findall(r"`((?:src/)?milieusim/[\w/]+\.py)`", text) + re.findall(
        r"`(src/milieusim/[\w/]+\.py)`", text
    ):
        path = ROOT / (module if module.startswith("src/") else f"src/{module}")
        assert path.is_file(), module
    for module in re.findall(r"`(milieusim(?:\.\w+)+)`", text):
        parts = module.split(".")
        path = ROOT / "src" / Path(*parts)
        assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), module
    modules = {p.name for p in (ROOT / "src" / "milieusim").rglob("*.py")}
    for name in re.findall(r"`(\w+\.py)`", text):
        assert name in modules, name
    section = text.split("## The results folder", 1)[1].split("\n## ", 1)[0]
    res = load_results(crn_dir)
    columns = {*res.runs.columns, *res.timeseries.columns, *res.innovations.columns}
    columns |= {*SURVIVAL_COLUMNS, "load_results"}
    named = set(re.findall(r"`([a-z][a-z0-9]*_[a-z0-9_]+)`", section))
    assert named and not sorted(named - columns), sorted(named - columns)
    assert "innovations/" in section


def test_sweep_help_names_the_innovations_table() -> None:
    result = invoke("sweep", "--help")
    assert "innovations/" in result.stdout
