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


def horizon_effects(low: float = 0.1, high: float = 0.9, **params: object) -> dict[str, float]:
    """The relative effect of openness ``low`` → ``high`` in years 1–5 and 6–10 (mean over
    seeds of each seed's ratio), the t statistic of the paired difference in years 6–10,
    and, for information, the pooled ratios (ratio of the means over seeds)."""
    early, late, diff = [], [], []
    sums = np.zeros(4)
    for seed in SEEDS:
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
@pytest.mark.xfail(
    strict=True,
    reason=(
        "the cap makes the effect collapse (issue 17, first run): attention 3, relative "
        "effect +299 % in years 1-5 but +28 % in years 6-10 (pooled; t = 4.5); attention 8, "
        "+400 % and +82 %: relaxing the cap slows the collapse but does not meet the "
        "criterion; the cap is not yet calibrated"
    ),
)
def test_openness_effect_survives_ten_years() -> None:
    e = horizon_effects()
    assert e["t_late"] > 2, e
    assert e["late"] >= 0.5 * e["early"], e


if __name__ == "__main__":
    import sys

    print(horizon_effects(**{k: int(v) for k, v in (a.split("=") for a in sys.argv[1:])}))
