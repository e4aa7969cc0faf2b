"""Building the organisation: units, the informal staff network, partners' ties, rules.

Pure functions of the parameters and the model's generator, so that the structure is
reproducible and testable on its own. ``docs/ODD.md`` ("Initialisation") gives the
rationale of each distribution.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp


def assign_units(n_staff: int, n_units: int) -> np.ndarray:
    """Unit of each staff member: contiguous blocks of near-equal size."""
    return (np.arange(n_staff, dtype=np.int64) * n_units // n_staff).astype(np.int32)


def staff_graph(unit: np.ndarray, kind: str, within: float, across: float,
                rng: np.random.Generator) -> nx.Graph:
    """The informal network: dense G(n, p) inside each unit plus sparse random cross ties.

    ``within`` and ``across`` are mean degrees. ``kind='fully-mixed'`` returns the nodes
    alone: exposure is then computed from the whole population (see ``exposure``).
    """
    n = unit.size
    graph = nx.empty_graph(n)
    if kind == "fully-mixed":
        return graph
    bounds = np.flatnonzero(np.diff(unit, prepend=-1, append=-1))
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        size = int(stop - start)
        if size < 2 or within <= 0:
            continue
        p = min(1.0, within / (size - 1))
        block = nx.fast_gnp_random_graph(size, p, seed=rng)
        graph.add_edges_from((int(a) + start, int(b) + start) for a, b in block.edges)
    m = round(n * across / 2)
    if m > 0 and n > 1:
        cross = nx.gnm_random_graph(n, min(m, n * (n - 1) // 2), seed=rng)
        graph.add_edges_from((a, b) for a, b in cross.edges if unit[a] != unit[b])
    return graph


def adjacency(graph: nx.Graph) -> sp.csr_array:
    """Symmetric 0/1 adjacency matrix (float32 CSR) of ``graph``, nodes 0..n-1."""
    n = graph.number_of_nodes()
    edges = np.fromiter((x for e in graph.edges for x in e), dtype=np.int64,
                        count=2 * graph.number_of_edges()).reshape(-1, 2)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    data = np.ones(rows.size, dtype=np.float32)
    return sp.csr_array((data, (rows, cols)), shape=(n, n))


def partner_ties(innovators: np.ndarray, n_partners: int, ties: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Bipartite innovator–partner ties: each innovator tied to ``ties`` distinct partners.

    Returns parallel arrays (staff index, partner index).
    """
    k = min(ties, n_partners)
    if k == 0 or innovators.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    partners = np.stack([rng.choice(n_partners, size=k, replace=False) for _ in innovators])
    return np.repeat(innovators, k), partners.ravel()


# Rule kinds, their rigidity ranges and unit scopes (docs/ODD.md, "Initialisation"):
# external law binds every unit and is hardest to bend; internal statutes and protocols
# bind about half the units; a cultural habit lives in one unit and is the softest.
RULE_RIGIDITY = {"external": (0.5, 1.0), "internal": (0.25, 0.75), "cultural": (0.0, 0.5)}
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
