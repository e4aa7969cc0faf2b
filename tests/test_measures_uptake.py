"""Measures that show how uptake changes: level, timing, breadth, value (issue 17, item 6).

Each is checked on a real small run against an independent path: the weekly time series
Mesa collected, or the model's practices in use at the end.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from milieusim.innovation import ADOPT
from milieusim.measures import END_MEASURES, UPTAKE_LEVELS, end_values
from milieusim.model import MilieuModel
from milieusim.records import RunEnd, in_use_series, unit_introductions

NEW = (
    "uptake_end",
    "adoption_centroid",
    "weeks_to_uptake_0_25",
    "weeks_to_uptake_0_5",
    "weeks_to_uptake_1",
    "units_reached_share",
    "value_weighted_use",
)


@pytest.fixture(scope="module")
def model() -> MilieuModel:
    m = MilieuModel(
        rng=5, n_staff=300, n_units=6, steps=200, initial_innovations=2, initial_adopters=20
    )
    m.run_model()
    return m


@pytest.fixture(scope="module")
def values(model: MilieuModel) -> dict[str, float]:
    return end_values(model)


def test_they_are_registered_end_measures() -> None:
    assert all(name in END_MEASURES for name in NEW)
    assert [f"weeks_to_uptake_{x:g}".replace(".", "_") for x in UPTAKE_LEVELS] == list(NEW[2:5])


def test_the_series_from_the_logs_is_the_collected_one(model: MilieuModel) -> None:
    collected = model.datacollector.get_model_vars_dataframe()["practices_per_staff"]
    assert np.array_equal(RunEnd(model).uptake, collected.to_numpy())
    n_present = int(model.staff_present.sum())
    assert np.array_equal(
        in_use_series(model.innovations, model.now) / n_present, RunEnd(model).uptake
    )


def test_stock_and_times_to_fixed_levels(model: MilieuModel, values: dict[str, float]) -> None:
    series = model.datacollector.get_model_vars_dataframe()["practices_per_staff"].to_numpy()
    assert (
        values["uptake_end"]
        == pytest.approx(series[-1])
        == pytest.approx(values["practices_per_staff"])
    )
    reached_any = False
    for level in UPTAKE_LEVELS:
        name = f"weeks_to_uptake_{level:g}".replace(".", "_")
        weeks = [w for w, x in enumerate(series) if x >= level]
        if weeks:
            reached_any = True
            assert values[name] == weeks[0]
        else:
            assert math.isnan(values[name])  # censored: not reached within the run
    assert reached_any  # the run is long enough for the test to mean something
    # times to higher levels are never shorter
    times = [values[n] for n in NEW[2:5] if not math.isnan(values[n])]
    assert times == sorted(times)


def test_centroid_is_the_mean_first_adoption_week(
    model: MilieuModel, values: dict[str, float]
) -> None:
    weeks: list[int] = []
    for k in model.innovations:
        if k.origin == "seed":
            continue
        seen: set[int] = set()
        for week, staff, sign in k.log:
            if sign != ADOPT:
                continue
            for i in staff.tolist():
                if i not in seen:
                    seen.add(i)
                    weeks.append(week)
    assert weeks
    assert values["adoption_centroid"] == pytest.approx(float(np.mean(weeks)))
    assert 0 < values["adoption_centroid"] <= model.now


def test_breadth_and_value_weighted_use(model: MilieuModel, values: dict[str, float]) -> None:
    n_units = int(model.p["n_units"])
    rows = unit_introductions(
        model.innovations, staff_unit=model.staff_unit, present=model.staff_present, n_units=n_units
    )
    assert values["units_reached_share"] == pytest.approx(np.unique(rows[:, 1]).size / n_units)
    assert 0.0 < values["units_reached_share"] <= 1.0
    # no fewer units than those reached in the first two years
    assert values["units_reached_share"] >= values["units_innovating_2y"] - 1e-12
    n_present = int(model.staff_present.sum())
    in_use = sum(k.adopters.size * k.realised_value for k in model.spreading)
    assert values["value_weighted_use"] == pytest.approx(in_use / n_present)


def test_without_the_time_series_the_values_are_the_same(
    model: MilieuModel, values: dict[str, float]
) -> None:
    """Sweeps swap Mesa's collector for a no-op one: the measures read the logs instead."""

    class NoCollector:
        def collect(self, model: object) -> None:
            pass

    other = MilieuModel(
        rng=5, n_staff=300, n_units=6, steps=200, initial_innovations=2, initial_adopters=20
    )
    other.datacollector = NoCollector()  # type: ignore[assignment]
    other.run_model()
    again = end_values(other)
    assert [again[n] for n in NEW] == pytest.approx([values[n] for n in NEW], nan_ok=True)


def test_a_run_where_nothing_spreads() -> None:
    m = MilieuModel(rng=1, n_staff=100, n_units=4, steps=10, openness=0.0)
    m.run_model()
    v = end_values(m)
    assert v["uptake_end"] == pytest.approx(m.practices_per_staff)
    assert math.isnan(v["weeks_to_uptake_1"])
