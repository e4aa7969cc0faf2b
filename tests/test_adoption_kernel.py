"""The adoption kernel draws with the probabilities of the rule written over the whole grid.

``milieusim.submodels.uptake.changes_batched`` only looks at staff who can adopt: the contacts of
adopters, and a sample of the others for the part of adoption that needs no contact. Its
reference is the rule written densely over staff × practices, from the network (the ties
of step 0 and those made since): for the probabilistic (Bass) rule
P = clip(p + q·E) if adhesion + E ≥ threshold; for the decision rule that chance times
the expected appeal (the logistic of the advantage seen through the adopting contacts,
averaged over the error of what is seen, by Gauss–Hermite quadrature) times the
practice's compatibility with the unit. From one frozen state the kernel is applied many
times and the adoption frequencies are compared with those probabilities.
"""

from __future__ import annotations

import numpy as np
import pytest

from milieusim import adoption
from milieusim.model import MilieuModel
from milieusim.submodels import uptake

REPS = 1500
SMALL = {
    "n_staff": 300,
    "n_units": 6,
    "n_partners": 15,
    "n_rules": 8,
    "steps": 80,
    "initial_innovations": 3,
    "initial_adopters": 30,
}


def dense(model: MilieuModel, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Who uses what (staff × practices) and each pair's chance of adopting this week."""
    p = model.p
    n = p["n_staff"]
    x = np.zeros((n, len(model.spreading)), dtype=bool)
    for j, k in enumerate(model.spreading):
        x[k.adopters, j] = True
    a = model.adjacency.toarray() > 0
    a[model.made_a, model.made_b] = a[model.made_b, model.made_a] = True
    present = model.staff_present
    a &= present[None, :]
    degree = np.maximum(a.sum(axis=1), 1)
    counts = a.astype(float) @ x
    share = counts / degree[:, None]
    compat = np.stack([model.compatibility(k) for k in model.spreading], axis=1)[model.staff_unit]
    if rule == "probabilistic":
        compat = (compat >= 1).astype(float)
    eligible = (
        present[:, None]
        & ~x
        & (compat > 0)
        & (p["adhesion"] + share >= model.staff_threshold[:, None])
    )
    chance = np.clip(p["external_influence"] + p["imitation"] * share, 0.0, 1.0)
    if rule == "decision":
        nodes, weights = np.polynomial.hermite_e.hermegauss(40)
        weights = weights / weights.sum()
        sd = p["value_sd"]
        advantage = np.array([model.staff_advantage(k) for k in model.spreading])[None, :]
        seen = advantage[..., None] + sd * nodes / np.sqrt(1.0 + counts[..., None])
        appeal = (weights / (1.0 + np.exp(-seen / sd))).sum(axis=-1)
        chance = chance * appeal * compat
    return x, np.where(eligible, chance, 0.0)


@pytest.mark.parametrize(
    "rule, params, warm_up",
    [
        ("probabilistic", {}, 30),
        (
            "probabilistic",
            {"knockout": "marginaux-secants", "imitation": 0.3, "external_influence": 0.01},
            30,
        ),
        ("decision", {"imitation": 0.3, "external_influence": 0.01}, 30),
    ],
)
def test_adoption_frequencies_match_the_dense_rule(rule, params, warm_up):
    model = MilieuModel(rng=7, adoption_rule=rule, **{**SMALL, **params})
    for _ in range(warm_up):
        model.step()
    assert model.made_a.size  # ties made during the run are part of the network
    x, prob = dense(model, rule)
    assert x.any() and (prob > 0).any()
    counts = np.zeros(prob.shape)
    for _ in range(REPS):
        for j, (_, new, _, _, _) in enumerate(uptake.changes_batched(model, rule)):
            counts[new, j] += 1
    assert not counts[x].any()  # nobody adopts what they use already
    assert not counts[prob == 0].any()  # nobody adopts who could not
    # Totals within 4 standard errors, overall and within 4 bins of probability.
    live = prob > 0
    edges = np.quantile(prob[live], [0.0, 0.25, 0.5, 0.75, 1.0])
    bins = [live] + [
        live & (prob >= lo) & (prob <= hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ]
    for cells in bins:
        expected = REPS * prob[cells].sum()
        sd = np.sqrt(REPS * (prob[cells] * (1 - prob[cells])).sum())
        assert abs(counts[cells].sum() - expected) < 4 * sd + 1, (counts[cells].sum(), expected)


def test_sample_pool_picks_each_member_with_the_given_chance():
    rng = np.random.default_rng(3)
    starts, sizes = np.array([0, 50, 200]), np.array([20, 30, 100])
    members = adoption.ranges(starts, sizes)
    hits = np.zeros(300)
    for _ in range(4000):
        picked = adoption.sample_pool(rng, starts, sizes, 0.05)
        assert np.isin(picked, members).all() and np.unique(picked).size == picked.size
        hits[picked] += 1
    rate = hits[members] / 4000
    assert abs(rate.mean() - 0.05) < 0.002 and (hits[~np.isin(np.arange(300), members)] == 0).all()


def test_contact_pairs_counts_adopting_contacts_of_each_practice():
    indptr = np.array([0, 2, 4, 5, 6, 6])  # 0-1, 0-2, 1-3; 4 alone; made tie 2-4
    indices = np.array([1, 2, 0, 3, 0, 1])
    network = adoption.Network(indptr, indices, np.array([2]), np.array([4]), np.ones(5))
    present = np.ones(5, dtype=bool)
    owner, staff, count = adoption.contact_pairs(
        network, [np.array([0, 3]), np.array([2])], present
    )
    assert list(zip(owner.tolist(), staff.tolist(), count.tolist(), strict=True)) == [
        (0, 1, 2),
        (0, 2, 1),
        (1, 0, 1),
        (1, 4, 1),
    ]
