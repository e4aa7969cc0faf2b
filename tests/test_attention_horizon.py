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


def uptake_path(openness: float, seed: int) -> np.ndarray:
    """Practices per staff, week by week, of one run."""
    m = MilieuModel(n_staff=600, steps=WEEKS, openness=openness, rng=seed)
    m.run_model()
    return m.datacollector.get_model_vars_dataframe()["practices_per_staff"].to_numpy()


def horizon_effects(low: float = 0.1, high: float = 0.9) -> dict[str, float]:
    """The relative effect of openness ``low`` → ``high`` in years 1–5 and 6–10, and the
    t statistic of the paired difference in years 6–10."""
    early, late, diff = [], [], []
    for seed in SEEDS:
        a, b = uptake_path(low, seed), uptake_path(high, seed)
        first, second = slice(1, 261), slice(261, WEEKS + 1)
        early.append(b[first].mean() / max(a[first].mean(), 1e-9) - 1.0)
        late.append(b[second].mean() / max(a[second].mean(), 1e-9) - 1.0)
        diff.append(b[second].mean() - a[second].mean())
    d = np.asarray(diff)
    return {
        "early": float(np.mean(early)),
        "late": float(np.mean(late)),
        "t_late": float(d.mean() / (d.std(ddof=1) / np.sqrt(d.size))),
    }


@pytest.mark.slow
def test_openness_effect_survives_ten_years() -> None:
    e = horizon_effects()
    assert e["t_late"] > 2, e
    assert e["late"] >= 0.5 * e["early"], e


if __name__ == "__main__":
    print(horizon_effects())
