"""The diffusion submodel options: networks, threshold rules, initial adopters, adoption
times and the stop of settled threshold runs (docs/ODD.md §5, §7.9)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from milieusim.model import MilieuModel
from milieusim.organisation import edge_array, erdos_renyi_edges, gilbert_edges, gnm_edges
from milieusim.params import EVENT_PARAMETERS, check_consistency, defaults
from milieusim.submodels import uptake

# A closed set-up: one innovation open to everyone, nothing else happening.
CLOSED = {
    "managers": False,
    "n_rules": 0,
    "n_partners": 0,
    "innovator_share": 0.0,
    "creative_stimulation": 0.0,
    "serendipity": 0.0,
    "openness": 0.0,
    "initial_innovations": 1,
    "n_units": 1,
}


def degrees(model: MilieuModel) -> np.ndarray:
    return np.diff(model.adjacency.indptr)


def test_erdos_renyi_network_has_the_requested_mean_degree():
    """G(n, z/(n-1)): the mean degree of 3,000 nodes has sd sqrt(2z/n) ≈ 0.06 at z = 6."""
    model = MilieuModel(rng=3, n_staff=3000, staff_network="erdos-renyi", mean_degree=6.0, steps=1)
    assert degrees(model).mean() == pytest.approx(6.0, abs=0.25)
    assert model.network.G.number_of_edges() * 2 == degrees(model).sum()


def test_erdos_renyi_generator_draws_g_n_p():
    """G(2000, 4/1999) over 20 seeds (criteria fixed before the first run): simple graph
    (i < j, no repeated pair); the same seed gives the same ties; pooled mean degree
    within 0.08 of z (its sd is sqrt(2z/n/20) ≈ 0.014); degree variance within 0.2 of
    z(1 − p), the binomial one (its sd ≈ 0.03); share of isolated staff within 0.004 of
    (1 − p)^(n − 1) ≈ 0.018; first and second half of the staff within 0.1 of z each
    (no bias by index in the pair decoding)."""
    n, z = 2000, 4.0
    p = z / (n - 1)
    degrees = []
    for seed in range(20):
        edges = erdos_renyi_edges(n, p, np.random.default_rng(seed))
        again = erdos_renyi_edges(n, p, np.random.default_rng(seed))
        assert np.array_equal(edges, again)
        assert edges.dtype == np.int64 and edges.shape[1] == 2
        assert (edges[:, 0] >= 0).all() and (edges[:, 0] < edges[:, 1]).all()
        assert (edges[:, 1] < n).all()
        assert np.unique(edges[:, 0] * n + edges[:, 1]).size == len(edges)
        degrees.append(np.bincount(edges.ravel(), minlength=n))
    deg = np.array(degrees)
    assert deg.mean() == pytest.approx(z, abs=0.08)
    assert deg.var() == pytest.approx(z * (1 - p), abs=0.2)
    assert (deg == 0).mean() == pytest.approx((1 - p) ** (n - 1), abs=0.004)
    assert deg[:, : n // 2].mean() == pytest.approx(z, abs=0.1)
    assert deg[:, n // 2 :].mean() == pytest.approx(z, abs=0.1)
    # Limit cases: the complete graph, and no ties at all.
    full = erdos_renyi_edges(6, 1.0, np.random.default_rng(0))
    assert sorted(map(tuple, full.tolist())) == sorted((i, j) for j in range(6) for i in range(j))
    assert erdos_renyi_edges(6, 0.0, np.random.default_rng(0)).shape == (0, 2)
    assert erdos_renyi_edges(1, 0.5, np.random.default_rng(0)).shape == (0, 2)


@pytest.mark.parametrize(
    "n, p", [(2, 0.5), (3, 0.3), (10, 0.2), (100, 0.06), (333, 0.02), (50, 0.9), (40, 1.0)]
)
def test_unit_ties_are_networkx_gnp_drawn_on_arrays(n: int, p: float):
    """gilbert_edges gives networkx's fast_gnp_random_graph edge for edge, and leaves the
    generator where networkx leaves it (a buffered 32-bit draw included)."""
    for seed in range(10):
        ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        ours.integers(5, size=3)
        theirs.integers(5, size=3)
        expected = edge_array(nx.fast_gnp_random_graph(n, p, seed=theirs))
        assert np.array_equal(gilbert_edges(n, p, ours), expected)
        assert ours.bit_generator.state == theirs.bit_generator.state
        assert ours.bytes(7) == theirs.bytes(7)


@pytest.mark.parametrize(
    "n, m", [(2, 1), (5, 3), (100, 50), (1000, 700), (10000, 1500), (70000, 3000), (30, 435)]
)
def test_cross_ties_are_networkx_gnm_drawn_on_arrays(n: int, m: int):
    """gnm_edges gives networkx's gnm_random_graph edge for edge, and leaves the generator
    where networkx leaves it (a buffered 32-bit draw included)."""
    for seed in range(5):
        ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        ours.integers(5, size=3)
        theirs.integers(5, size=3)
        expected = edge_array(nx.gnm_random_graph(n, m, seed=theirs))
        assert np.array_equal(gnm_edges(n, m, ours), expected)
        assert ours.bit_generator.state == theirs.bit_generator.state
        assert ours.bytes(7) == theirs.bytes(7)


def test_watts_strogatz_ring_structure():
    """Without rewiring, node i is tied to i ± 1 … i ± k/2 (mod n); rewiring keeps n·k/2
    ties and every node's own k/2."""
    n, k = 200, 6
    ring = MilieuModel(
        rng=1, n_staff=n, staff_network="watts-strogatz", ring_neighbours=k, rewiring=0.0, steps=1
    )
    adj = ring.adjacency
    for i in (0, 57, n - 1):
        expected = sorted((i + d) % n for d in (-3, -2, -1, 1, 2, 3))
        assert adj.indices[adj.indptr[i] : adj.indptr[i + 1]].tolist() == expected
    rewired = MilieuModel(
        rng=1, n_staff=n, staff_network="watts-strogatz", ring_neighbours=k, rewiring=0.5, steps=1
    )
    assert degrees(rewired).sum() == n * k
    assert degrees(rewired).min() >= k // 2
    assert (degrees(rewired) != k).any()


def test_fractional_threshold_is_deterministic_and_exact():
    """On a ring with 2 neighbours each side, one adopter is 1/4 of its neighbours'
    contacts: φ = 0.25 spreads all the way round, φ = 0.26 stops at once."""
    ring = {
        **CLOSED,
        "n_staff": 101,
        "staff_network": "watts-strogatz",
        "ring_neighbours": 4,
        "adoption_rule": "fractional-threshold",
        "initial_adopters": 1,
        "steps": 500,
    }
    counts = []
    for seed in (1, 2):
        model = MilieuModel(rng=seed, threshold_share=0.25, **ring)
        model.run_model()
        k = model.spreading[0]
        assert k.adopters.size == 101
        # The front gains 2 places a week on each side: 1 + 4t adopters after t weeks.
        counts.append(np.bincount(k.first_adoptions(101))[:5].tolist())
    assert counts[0] == counts[1] == [1, 4, 4, 4, 4]
    stuck = MilieuModel(rng=1, threshold_share=0.26, **ring)
    stuck.run_model()
    assert stuck.spreading[0].adopters.size == 1
    assert stuck.now == 1  # nothing adopted in week 1: settled


def test_absolute_threshold_with_neighbourhood_seeding():
    """Ring k = 4, seed = a node and its 4 neighbours: T = 2 spreads everywhere, T = 3
    (the next node has only 2 adopting contacts) not at all."""
    ring = {
        **CLOSED,
        "n_staff": 60,
        "staff_network": "watts-strogatz",
        "ring_neighbours": 4,
        "adoption_rule": "absolute-threshold",
        "initial_adopters": 1,
        "initial_adopters_mode": "neighbourhood",
        "steps": 500,
    }
    full = MilieuModel(rng=5, threshold_count=2, **ring)
    assert full.spreading[0].adopters.size == 5
    full.run_model()
    assert full.spreading[0].adopters.size == 60
    none = MilieuModel(rng=5, threshold_count=3, **ring)
    none.run_model()
    assert none.spreading[0].adopters.size == 5


def users(model: MilieuModel) -> np.ndarray:
    """Staff × practices in use: who uses what (dense, for reference computations)."""
    x = np.zeros((model.p["n_staff"], len(model.spreading)), dtype=bool)
    for j, k in enumerate(model.spreading):
        x[k.adopters, j] = True
    return x


def test_threshold_rules_draw_no_random_numbers_and_match_the_dense_rule():
    """The kernel under a threshold rule equals the rule written over the whole grid."""
    for rule, key, value in (
        ("fractional-threshold", "threshold_share", 0.2),
        ("absolute-threshold", "threshold_count", 2),
    ):
        model = MilieuModel(
            rng=11,
            n_staff=500,
            n_units=5,
            initial_innovations=3,
            initial_adopters=40,
            adoption_rule=rule,
            **{key: value},
        )
        x = users(model)
        counts = model.adjacency @ x.astype(np.float64)
        degree = np.maximum(model.adjacency @ np.ones(500), 1.0)[:, None]
        units_ok = np.stack([model.compatibility(k) >= 1 for k in model.spreading], axis=1)
        eligible = units_ok[model.staff_unit] & model.staff_present[:, None] & ~x
        passes = counts / degree >= value if key == "threshold_share" else counts >= value
        model.now = 1
        state = model.draws("adoption").bit_generator.state
        uptake.adopt(model)
        assert model.draws("adoption").bit_generator.state == state
        after = users(model)
        assert ((after & ~x) == (eligible & passes)).all()
        assert (after & ~x).any()


def test_initial_adopters_random_and_neighbourhood():
    model = MilieuModel(rng=2, n_staff=300, initial_innovations=2, initial_adopters=25)
    for k in model.spreading:
        assert k.adopters.size == 25
        at = k.first_adoptions(300)
        assert ((at == 0) == np.isin(np.arange(300), k.adopters)).all()
    first, second = (k.adopters for k in model.spreading)
    assert (first != second).any()  # drawn independently for each innovation
    hood = MilieuModel(
        rng=2,
        n_staff=300,
        initial_innovations=1,
        initial_adopters=1,
        initial_adopters_mode="neighbourhood",
    )
    seed_set = hood.spreading[0].adopters
    adj = hood.adjacency
    focal = [
        i
        for i in seed_set
        if set(adj.indices[adj.indptr[i] : adj.indptr[i + 1]]) | {i} == set(seed_set)
    ]
    assert len(focal) >= 1


def test_no_initial_adopters_keeps_the_random_stream():
    """initial_adopters = 0 draws nothing: the seeded innovation's run is as before."""
    a = MilieuModel(rng=4, n_staff=200, initial_innovations=1, steps=30)
    b = MilieuModel(
        rng=4,
        n_staff=200,
        initial_innovations=1,
        initial_adopters=0,
        initial_adopters_mode="random",
        steps=30,
    )
    a.run_model()
    b.run_model()
    assert a.datacollector.get_model_vars_dataframe().equals(
        b.datacollector.get_model_vars_dataframe()
    )


def test_adoption_steps_are_recorded():
    """The adoption log agrees with who uses each practice, and the pilot team adopts the
    week spreading starts."""
    model = MilieuModel(rng=7, n_staff=400, n_units=5, steps=156)
    model.run_model()
    spread = [k for k in model.innovations if k.spreading_since >= 0]
    assert spread
    for k in spread:
        at = k.first_adoptions(400)
        assert at.dtype == np.int32
        assert at[at >= 0].min() == k.spreading_since
        assert (at[at >= 0] <= model.now).all()
        assert (at[k.adopters] >= 0).all()  # everyone using it has an adoption week
        team = k.team[model.staff_present[k.team]]
        assert (at[team] == k.spreading_since).all()
        net = sum(staff.size * sign for _, staff, sign in k.log)
        assert net == k.adopters.size


def test_only_settled_threshold_runs_stop_early():
    probabilistic = MilieuModel(
        rng=1,
        n_staff=200,
        steps=40,
        **{**CLOSED, "staff_network": "erdos-renyi", "mean_degree": 0.5, "initial_adopters": 1},
    )
    probabilistic.run_model()
    assert probabilistic.now == 40
    threshold = MilieuModel(
        rng=1,
        n_staff=200,
        steps=40,
        adoption_rule="fractional-threshold",
        **{**CLOSED, "staff_network": "erdos-renyi", "mean_degree": 0.5, "initial_adopters": 1},
    )
    threshold.run_model()
    assert threshold.now < 40
    managed = MilieuModel(
        rng=1,
        n_staff=200,
        n_units=2,
        steps=40,
        adoption_rule="fractional-threshold",
        initial_innovations=1,
    )
    managed.run_model()
    assert managed.now == 40  # managers may still mandate or ban: never settled


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"staff_network": "watts-strogatz", "ring_neighbours": 5}, "must be even"),
        (
            {"staff_network": "watts-strogatz", "ring_neighbours": 100, "n_staff": 100},
            "must be below n_staff",
        ),
        (
            {"staff_network": "erdos-renyi", "mean_degree": 200.0, "n_staff": 100},
            "must not exceed n_staff - 1",
        ),
        ({"initial_adopters": 2000}, "must not exceed n_staff"),
        (
            {"staff_network": "fully-mixed", "initial_adopters_mode": "neighbourhood"},
            "needs a network with ties",
        ),
    ],
)
def test_inconsistent_options_are_refused(changes, message):
    values = {**defaults(), **changes}
    with pytest.raises(ValueError, match=message):
        check_consistency(values)


def test_initial_state_parameters_cannot_change_during_a_run():
    assert "initial_adopters" not in EVENT_PARAMETERS
    assert "initial_adopters_mode" not in EVENT_PARAMETERS
    assert "adoption_rule" in EVENT_PARAMETERS and "threshold_share" in EVENT_PARAMETERS
    assert "staff_network" not in EVENT_PARAMETERS and "rewiring" not in EVENT_PARAMETERS
