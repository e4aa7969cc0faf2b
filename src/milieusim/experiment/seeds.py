"""Run seeds: common random numbers across design points.

The seed of replication ``k`` depends only on the experiment seed and ``k``, never on the
design point, so the same replication uses the same seed at every point: differences
between points are then not blurred by different random draws. Seeds are recorded per
run (the ``seed`` column of the runs table).
"""

from __future__ import annotations

import numpy as np

__all__ = ["RUN_ID_STRIDE", "run_id", "run_seed"]

RUN_ID_STRIDE = 1_000_000
"""``run_id = point_id * RUN_ID_STRIDE + replication``: adding replications keeps ids."""


def run_seed(experiment_seed: int, replication: int) -> int:
    """The seed of ``replication`` (0-based): a non-negative int below 2**63.

    ``numpy.random.SeedSequence(experiment_seed, spawn_key=(replication,))``, its first
    64-bit word shifted right by one bit.
    """
    sequence = np.random.SeedSequence(int(experiment_seed), spawn_key=(int(replication),))
    return int(sequence.generate_state(1, dtype=np.uint64)[0]) >> 1


def run_id(point_id: int, replication: int) -> int:
    """The id of a run: stable when replications are added."""
    if not 0 <= replication < RUN_ID_STRIDE:
        raise ValueError(f"replication {replication} out of range [0, {RUN_ID_STRIDE})")
    return int(point_id) * RUN_ID_STRIDE + int(replication)
