"""The sparse adoption kernel draws with the probabilities of the dense rule.

``MilieuModel._adopt`` only looks at staff who can adopt. Its reference is the rule
written over the whole staff × innovations grid with :meth:`MilieuModel.exposure`:
P(adopt) = clip(external_influence + imitation × exposure) for eligible staff, 0 otherwise.
From one frozen state, the kernel is applied many times and the adoption frequencies are
compared with those probabilities.
"""

from __future__ import annotations

import numpy as np
import pytest

from milieusim.model import MilieuModel

REPS = 2000
SMALL = {"n_staff": 300, "n_units": 6, "n_partners": 15, "n_rules": 8, "steps": 80,
         "initial_innovations": 3}


def dense_probabilities(model: MilieuModel) -> tuple[np.ndarray, np.ndarray]:
    p = model.p
    x = np.stack([k.adopters for k in model.spreading], axis=1)
    share = model.exposure(x).astype(np.float64)
    units_ok = np.stack([model._eligible_units(k) for k in model.spreading], axis=1)
    eligible = (units_ok[model.staff_unit] & model.staff_present[:, None] & ~x
                & (p["adhesion"] + share >= model.staff_threshold[:, None]))
    chance = np.clip(p["external_influence"] + p["imitation"] * share, 0.0, 1.0)
    return x, np.where(eligible, chance, 0.0)


@pytest.mark.parametrize("params, warm_up", [
    ({}, 30),
    ({"knockout": "marginaux-secants", "imitation": 0.3}, 30),
    ({"staff_network": "fully-mixed", "managers": False, "external_influence": 0.03,
      "imitation": 0.38}, 4),
])
def test_adoption_frequencies_match_the_dense_rule(params, warm_up):
    model = MilieuModel(rng=7, **{**SMALL, **params})
    for _ in range(warm_up):
        model.step()
    x, prob = dense_probabilities(model)
    assert x.any() and (prob > 0).any()
    start = [k.adopters for k in model.spreading]
    counts = np.zeros(prob.shape)
    for _ in range(REPS):
        for k, adopters in zip(model.spreading, start, strict=True):
            k.adopters = adopters
        model._adopt()
        after = np.stack([k.adopters for k in model.spreading], axis=1)
        assert not (x & ~after).any()  # nobody un-adopts
        counts += after & ~x
    assert not counts[prob == 0].any()  # nobody adopts who could not
    # Totals within 4 standard errors, overall and within 4 bins of probability.
    live = prob > 0
    edges = np.quantile(prob[live], [0.0, 0.25, 0.5, 0.75, 1.0])
    bins = [live] + [live & (prob >= lo) & (prob <= hi)
                     for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    for cells in bins:
        expected = REPS * prob[cells].sum()
        sd = np.sqrt(REPS * (prob[cells] * (1 - prob[cells])).sum())
        assert abs(counts[cells].sum() - expected) <= 4 * sd, (expected, counts[cells].sum(), sd)
