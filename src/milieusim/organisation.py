"""Building the organisation: units, the informal staff network, partners and their milieu,
the marginaux sécants' outside worlds, rules.

Pure functions of the parameters and the model's generator, so that the structure is
reproducible and testable on its own. ``docs/ODD.md`` ("Initialisation") gives the
rationale of each distribution.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import scipy.sparse as sp


def assign_units(n_staff: int, n_units: int) -> np.ndarray:
    """Unit of each staff member: contiguous blocks of near-equal size."""
    return (np.arange(n_staff, dtype=np.int64) * n_units // n_staff).astype(np.int32)


def staff_edges(
    unit: np.ndarray,
    kind: str,
    within: float,
    across: float,
    rng: np.random.Generator,
    *,
    mean_degree: float = 8.0,
    ring_neighbours: int = 6,
    rewiring: float = 0.0,
) -> np.ndarray:
    """The ties of the informal network as an (m, 2) int64 array, in the graph's edge order.

    * ``units``: each unit's ties are those ``nx.fast_gnp_random_graph`` draws (mean
      degree ``within``), drawn on arrays (:func:`gilbert_edges`), and the cross ties
      those of one ``nx.gnm_random_graph`` over all staff (:func:`gnm_edges`), keeping
      the pairs in different units (mean degree ``across``);
    * ``erdos-renyi``: G(n, mean_degree / (n - 1)), drawn on arrays
      (:func:`erdos_renyi_edges`);
    * ``watts-strogatz``: ``nx.watts_strogatz_graph(n, ring_neighbours, rewiring)``;
    * ``fully-mixed``: no ties.

    Every generator is seeded with ``rng`` (the model's generator).
    """
    n = unit.size
    if kind == "fully-mixed":
        return np.zeros((0, 2), dtype=np.int64)
    if kind == "erdos-renyi":
        p = min(1.0, mean_degree / (n - 1)) if n > 1 else 0.0
        return erdos_renyi_edges(n, p, rng)
    if kind == "watts-strogatz":
        return edge_array(nx.watts_strogatz_graph(n, ring_neighbours, rewiring, seed=rng))
    if kind != "units":
        raise ValueError(f"unknown staff_network {kind!r}")
    parts: list[np.ndarray] = []
    bounds = np.flatnonzero(np.diff(unit, prepend=-1, append=-1))
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        size = stop - start
        if size < 2 or within <= 0:
            continue
        p = min(1.0, within / (size - 1))
        parts.append(gilbert_edges(size, p, rng) + start)
    # Random pairs inside one unit are dropped, so draw 1 / (share of cross-unit pairs)
    # times as many to keep the mean number of cross-unit ties at ``across``.
    sizes = np.bincount(unit).astype(float)
    cross_share = 1.0 - (sizes * (sizes - 1)).sum() / (n * (n - 1)) if n > 1 else 0.0
    m = round(n * across / 2 / cross_share) if cross_share > 0 else 0
    if m > 0:
        cross = gnm_edges(n, min(m, n * (n - 1) // 2), rng)
        parts.append(cross[unit[cross[:, 0]] != unit[cross[:, 1]]])
    return np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)


def gilbert_edges(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """The edges ``nx.fast_gnp_random_graph(n, p, seed=rng)`` draws, in ``edge_array``
    order, and ``rng`` left where networkx leaves it: the same draws, on arrays.

    networkx (Batagelj & Brandes 2005) walks the pairs (w < v) in the order
    v(v − 1)/2 + w, skipping 1 + ⌊log(1 − u) / log(1 − p)⌋ pairs per uniform u, until it
    passes the last pair. Here the uniforms are drawn in batches from a copy of the
    generator's state, the walk is a cumulative sum, and ``rng`` then draws exactly the
    uniforms networkx would have used. Logarithms are Python's (``math.log``), as in
    networkx, so that the skips agree to the last bit.
    """
    if p <= 0 or p >= 1:
        return edge_array(nx.fast_gnp_random_graph(n, p, seed=rng))
    pairs = n * (n - 1) // 2
    lp = math.log(1.0 - p)
    state = rng.bit_generator.state
    scout = np.random.Generator(type(rng.bit_generator)())
    scout.bit_generator.state = state
    batch = max(16, int(pairs * p * 1.1) + 16)
    codes: list[np.ndarray] = []
    last, used = -1, 0
    while last < pairs:
        skips = [1 + int(math.log(1.0 - u) / lp) for u in scout.random(batch).tolist()]
        walk = last + np.cumsum(np.array(skips, dtype=np.int64))
        inside = int(np.searchsorted(walk, pairs))  # walk is increasing
        codes.append(walk[:inside])
        used += inside if inside < batch else batch
        last = int(walk[-1]) if inside == batch else pairs
    rng.random(used + 1)  # the edges' uniforms and the one that ends the walk
    code = np.concatenate(codes)
    later = _pair_larger(code)
    edges = np.column_stack([code - later * (later - 1) // 2, later])
    return edges[np.lexsort((edges[:, 1], edges[:, 0]))]


def gnm_edges(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """The edges ``nx.gnm_random_graph(n, m, seed=rng)`` draws, in ``edge_array`` order,
    and ``rng`` left where networkx leaves it.

    networkx draws two nodes at a time (``random.Random.choice`` over networkx's adapter:
    ``getrandbits(k)`` from the bytes of one 32-bit draw, redrawn while ≥ n) and keeps the
    pair unless it is a self-tie or already drawn, until it has ``m`` ties. Here the
    32-bit draws come in batches from a copy of the generator's state; only the check of
    repeated pairs stays a loop; ``rng`` then makes exactly the draws networkx would have.
    """
    k = n.bit_length()
    width = (k + 7) // 8
    if n == 1 or m <= 0 or m >= n * (n - 1) // 2 or width > 4:
        return edge_array(nx.gnm_random_graph(n, m, seed=rng))
    scout = np.random.Generator(type(rng.bit_generator)())
    scout.bit_generator.state = rng.bit_generator.state
    seen: set[int] = set()
    lo: list[int] = []
    hi: list[int] = []
    first: int | None = None  # a node drawn, waiting for its partner
    used, batch = 0, max(64, 4 * m)
    while len(lo) < m:
        words = scout.integers(0, 2**32, size=batch, dtype=np.uint32)
        raw = words.astype("<u4").view(np.uint8).reshape(-1, 4)[:, :width].astype(np.int64)
        bits = np.zeros(batch, dtype=np.int64)
        for column in range(width):  # the bytes read big-endian, as int.from_bytes
            bits = bits * 256 + raw[:, column]
        node = bits >> (8 * width - k)
        accepted = np.flatnonzero(node < n)
        used += batch
        for at, drawn in zip(accepted.tolist(), node[accepted].tolist(), strict=True):
            if first is None:
                first = drawn
                continue
            a, b = min(first, drawn), max(first, drawn)
            first = None
            if a == b or a * n + b in seen:
                continue
            seen.add(a * n + b)
            lo.append(a)
            hi.append(b)
            if len(lo) == m:
                used += at + 1 - batch
                break
    rng.integers(0, 2**32, size=used, dtype=np.uint32)
    ends = np.column_stack([np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64)])
    # networkx lists each node's ties to later nodes in the order they were drawn.
    return ends[np.lexsort((np.arange(m), ends[:, 0]))]


def _pair_larger(code: np.ndarray) -> np.ndarray:
    """j of the pairs numbered j(j − 1)/2 + i (0 ≤ i < j)."""
    later = ((1 + np.sqrt(1 + 8 * code.astype(np.float64))) / 2).astype(np.int64)
    # Float rounding can put j one off: bring it back within j(j − 1)/2 ≤ code < j(j + 1)/2.
    later -= (later * (later - 1) // 2 > code).astype(np.int64)
    later += ((later + 1) * later // 2 <= code).astype(np.int64)
    return later


def erdos_renyi_edges(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Erdős–Rényi G(n, p) as an (m, 2) int64 array of pairs i < j, sorted by (j, i).

    Exact: in G(n, p) the number of ties is Binomial(n(n − 1)/2, p) and, given their
    number, the tied pairs are a uniform sample of the pairs without replacement; so draw
    the number, then that many distinct pair codes j(j − 1)/2 + i (0 ≤ i < j < n).
    """
    pairs = n * (n - 1) // 2
    if pairs == 0 or p <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    count = int(rng.binomial(pairs, min(p, 1.0)))
    codes = np.sort(rng.choice(pairs, size=count, replace=False, shuffle=False))
    later = _pair_larger(codes)
    return np.column_stack([codes - later * (later - 1) // 2, later])


def edge_array(graph: nx.Graph) -> np.ndarray:
    """The edges of ``graph`` (integer nodes) as an (m, 2) int64 array, in ``graph.edges`` order."""
    flat = itertools.chain.from_iterable(graph.edges)
    return np.fromiter(flat, dtype=np.int64, count=2 * graph.number_of_edges()).reshape(-1, 2)


def graph_from_edges(n: int, edges: np.ndarray) -> nx.Graph:
    """A ``networkx.Graph`` on nodes 0..n-1 with the given (m, 2) ``edges``, in order."""
    graph = nx.empty_graph(n)
    graph.add_edges_from(edges.tolist())
    return graph


def adjacency_from_edges(n: int, edges: np.ndarray) -> sp.csr_array:
    """Symmetric 0/1 adjacency matrix (float32 CSR, sorted indices) of ``edges`` on n nodes."""
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    data = np.ones(rows.size, dtype=np.float32)
    matrix = sp.csr_array((data, (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    return matrix


def extra_cross_ties(
    unit: np.ndarray, who: np.ndarray, mean: float, rng: np.random.Generator
) -> np.ndarray:
    """About ``mean`` more ties across units for each of ``who`` (Poisson numbers, each
    to a staff member of another unit drawn uniformly), as an (m, 2) edge array.

    The *marginaux sécants'* brokerage: they span units as well as the boundary of the
    organisation (Burt 2004). Pairs inside one unit are dropped.
    """
    if who.size == 0 or mean <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    counts = rng.poisson(mean, who.size)
    ends = np.repeat(who, counts)
    other = rng.integers(unit.size, size=ends.size)
    keep = unit[other] != unit[ends]
    return np.column_stack([ends[keep], other[keep]]).astype(np.int64)


def unique_edges(edges: np.ndarray) -> np.ndarray:
    """``edges`` without repeated pairs (either orientation) or self-ties, first kept."""
    lo, hi = np.minimum(edges[:, 0], edges[:, 1]), np.maximum(edges[:, 0], edges[:, 1])
    _, first = np.unique(lo * (int(edges.max(initial=0)) + 1) + hi, return_index=True)
    first = np.sort(first)
    return edges[first][lo[first] != hi[first]]


def unit_domains(n_units: int, rng: np.random.Generator, radius: float = 0.4) -> np.ndarray:
    """Where each unit's know-how sits in the knowledge plane: evenly around a circle of
    ``radius`` about the organisation's centre, a little jittered (units differ in their
    domain: social services are not roads)."""
    angle = 2 * np.pi * (np.arange(n_units) + rng.uniform(-0.25, 0.25, n_units)) / max(n_units, 1)
    return radius * np.column_stack([np.cos(angle), np.sin(angle)])


def partner_positions(
    kinds: list[str], distance: dict[str, float], scale: float, rng: np.random.Generator
) -> np.ndarray:
    """Each partner at its kind's distance (times ``scale``) from the organisation's
    centre, in a random direction, a little jittered."""
    n = len(kinds)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = scale * np.array([distance[k] for k in kinds]) * rng.uniform(0.85, 1.15, n)
    return radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])


def milieu_ties(n_partners: int, mean: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Ties between partners (the territorial milieu): a random graph of mean degree
    ``mean``; returns each partner's neighbours."""
    if n_partners < 2 or mean <= 0:
        return [np.zeros(0, dtype=np.int64) for _ in range(n_partners)]
    graph = nx.fast_gnp_random_graph(n_partners, min(1.0, mean / (n_partners - 1)), seed=rng)
    return [np.array(sorted(graph[j]), dtype=np.int64) for j in range(n_partners)]


def outside_worlds(
    innovators: np.ndarray, positions: np.ndarray, ties: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each innovator's ties to ``ties`` partners of one outside world: a partner drawn
    uniformly, and the partners nearest to it in the knowledge plane (a *marginal
    sécant* belongs to one outside system of action: sport, culture, the social
    sector…). Returns parallel arrays (staff index, partner index)."""
    n_partners = len(positions)
    k = min(ties, n_partners)
    if k == 0 or innovators.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    from scipy.spatial import cKDTree

    anchors = rng.integers(n_partners, size=innovators.size)
    _, nearest = cKDTree(positions).query(positions[anchors], k=k)
    nearest = np.asarray(nearest, dtype=np.int64).reshape(innovators.size, k)
    return np.repeat(innovators, k), nearest.ravel()


# Rule kinds, their rigidity ranges and unit scopes (docs/ODD.md, "Initialisation"):
# external law binds every unit and is hardest to bend (and only a national law can open
# it to experiment); internal statutes and protocols bind about half the units; a
# cultural habit lives in one unit and is as hard to bend as a statute, or harder
# (Crozier 1963: the bureaucratic routine resists more than the written rule).
RULE_RIGIDITY = {"external": (0.6, 1.0), "internal": (0.25, 0.75), "cultural": (0.4, 0.9)}
INNOVATION_KIND_SCOPES = (("product",), ("process",), ("product", "process"))


def rule_scope(kind: str, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Units where a rule of ``kind`` applies (bool per unit, never empty)."""
    if kind == "external":
        return np.ones(n_units, dtype=bool)
    if kind == "internal":
        scope = rng.random(n_units) < 0.5
        scope[rng.integers(n_units)] = True
        return scope
    scope = np.zeros(n_units, dtype=bool)
    scope[rng.integers(n_units)] = True
    return scope
