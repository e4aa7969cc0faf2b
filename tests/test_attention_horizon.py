"""The attention cap over ten years: the levers' relative effects must not collapse as
people's practice slots fill (issue 17, item 6).

Each person keeps up at most ``attention`` new practices; five-year uptake could then
measure mostly how fast slots fill, and over a longer run the levers' effects could vanish
as everyone reaches the cap. Criteria, written before the check was first run:
16 paired seeds, 600 staff, 520 weeks, openness 0.1 against 0.9 (every other parameter
at its default); the relative effect on practices per staff, the mean over seeds of
(high − low) / low averaged over the weeks of a window, must in years 6–10 be at least
half what it is in years 1–5, and the paired difference over years 6–10 must be positive
with a t statistic above 2.
"""

from __future__ import annotations

import numpy as np
import pytest

from milieusim.model import MilieuModel

SEEDS = range(9001, 9017)
WEEKS = 520


def uptake_path(openness: float, seed: int, **params: object) -> np.ndarray:
    """Practices per staff, week by week, of one run."""
    m = MilieuModel(n_staff=600, steps=WEEKS, openness=openness, rng=seed, **params)  # type: ignore[arg-type]
    m.run_model()
    return m.datacollector.get_model_vars_dataframe()["practices_per_staff"].to_numpy()


def horizon_effects(
    low: float = 0.1, high: float = 0.9, seeds: range = SEEDS, **params: object
) -> dict[str, float]:
    """The relative effect of openness ``low`` → ``high`` in years 1–5 and 6–10 (mean over
    seeds of each seed's ratio), the t statistic of the paired difference in years 6–10,
    and, for information, the pooled ratios (ratio of the means over seeds)."""
    early, late, diff = [], [], []
    sums = np.zeros(4)
    for seed in seeds:
        a, b = uptake_path(low, seed, **params), uptake_path(high, seed, **params)
        first, second = slice(1, 261), slice(261, WEEKS + 1)
        early.append(b[first].mean() / max(a[first].mean(), 1e-9) - 1.0)
        late.append(b[second].mean() / max(a[second].mean(), 1e-9) - 1.0)
        diff.append(b[second].mean() - a[second].mean())
        sums += [a[first].mean(), b[first].mean(), a[second].mean(), b[second].mean()]
    d = np.asarray(diff)
    return {
        "early": float(np.mean(early)),
        "late": float(np.mean(late)),
        "t_late": float(d.mean() / (d.std(ddof=1) / np.sqrt(d.size))),
        "pooled_early": float(sums[1] / sums[0] - 1.0),
        "pooled_late": float(sums[3] / sums[2] - 1.0),
    }


@pytest.mark.slow
def test_openness_effect_survives_ten_years() -> None:
    """The criterion as first written (mean over seeds of each seed's ratio). It failed on
    the model with the reactive right to error (attention 3: pooled +299 % in years 1-5,
    +28 % in years 6-10) and passes with the anticipatory one, the default since lever-specs
    retained it: mean of ratios +16,055 % then +9,941 %, t = 3.6. That pass is fragile:
    the mean of ratios is carried by seeds whose closed organisation barely innovated in
    years 1-5, and the pooled ratio still falls from +297 % to +37 %.
    :func:`test_pooled_openness_effect_survives_ten_years` states the pooled criterion."""
    e = horizon_effects()
    assert e["t_late"] > 2, e
    assert e["late"] >= 0.5 * e["early"], e


FRESH_SEEDS = range(9101, 9117)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason=(
        "not reproduced on its first run (anticipatory right to error, attention 3): pooled "
        "+130 % in years 1-5, +18 % in years 6-10 (t = 4.9); the same seeds give the first "
        "test's mean of ratios +2,442 % then +22 %: its pass on seeds 9001-9016 rests on one "
        "or two seeds; the cap is not yet calibrated"
    ),
)
def test_pooled_openness_effect_survives_ten_years() -> None:
    """Criterion written before its first run, on seeds the first test does not use
    (9101-9116): the pooled relative effect (ratio of the means over seeds) in years 6-10
    is at least half that in years 1-5, and the paired difference over years 6-10 has
    t > 2."""
    e = horizon_effects(seeds=FRESH_SEEDS)
    assert e["t_late"] > 2, e
    assert e["pooled_late"] >= 0.5 * e["pooled_early"], e


if __name__ == "__main__":
    import sys

    print(horizon_effects(**{k: int(v) for k, v in (a.split("=") for a in sys.argv[1:])}))
