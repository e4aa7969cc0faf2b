"""How many paired seeds each evidence case runs: set by the power its pre-stated criteria
need, from a pilot (issue 16, item 6).

The rule (:mod:`milieusim.validation.case`): a criterion's 95 % interval should be at most
:data:`~milieusim.validation.case.POWER_FRACTION` of its minimum effect wide on each side
(of the estimate, for a criterion on the sign only). A pilot of :data:`PILOT` paired seeds
per condition, on seeds no seed block uses (from :data:`PILOT_SEED`), gives each criterion's
interval; the half-width falls as 1/√seeds, so the seeds it needs are ``PILOT × (half-width /
target)²`` (:func:`~milieusim.validation.case.power_ratio`). A case runs the most any of its
criteria needs, at least :data:`~milieusim.validation.case.MIN_SEEDS`, at most the 50 it ran
before (:data:`MOST`). The channel decomposition (reported shares, no criterion) is sized the
same way, for the precision :data:`CHANNEL_PRECISION` on the effect through each channel;
pattern 5's step (ΔAIC, which grows with the runs) for an expected ΔAIC of twice its
threshold.

:data:`PILOT_RATIOS` records the pilot's ratios (seeds needed / pilot seeds) per case, as
``benchmarks/power_pilot.py --workers 2 --work DIR`` printed them; :func:`seeds` turns them
into the case's size, and the report's setup line states it. The ratios of every tested
check are computed again on each validation's own runs (``Check.power``), so a case that
turns out under-powered says so in its report.
"""

from __future__ import annotations

import math

from milieusim.validation.case import MIN_SEEDS, POWER_FRACTION, seeds_for

__all__ = ["MOST", "PILOT", "PILOT_RATIOS", "PILOT_SEED", "CHANNEL_PRECISION", "rationale", "seeds"]

PILOT = 6
"""Paired seeds per condition in the pilot."""
PILOT_SEED = 900_000
"""The pilot's seed base: its seeds (900,000–900,005) are in no seed block (block k uses
k × 1,000,000 + 5,000 + r, r < 50)."""
MOST = 50
"""The seeds per condition the evidence cases ran before their sizes were set by power."""
CHANNEL_PRECISION = 0.05
"""The channel decomposition's precision: the effect through each channel (the part of the
parameter's effect that goes when the channel alone is held) known within ±5 % of the
default organisation's uptake (95 % half-width), the size the mechanisms case calls too
small to matter (``ORDINARY``)."""

PILOT_RATIOS: dict[str, float] = {
    # pilot of 2026-12-07 (6 seeds, 900,000-900,005, loaded machine)
    "channels": 100.806,  # 604.8 seeds: the effect through a channel within ±5 % of uptake
    "mechanisms": 153.198,  # 919.2 seeds: uptake, openness 0.1 → 0.9 (capped at MOST)
    "pattern-2": 34.084,  # 204.5 seeds: weeks to 50 % of reach (capped at MOST)
    "pattern-3": 102579.510,  # sign of the tolerance × learning interaction, estimate ≈ 0
    "pattern-4": 16.823,  # 100.9 seeds: exceptional innovations, serendipity 0 → 0.6
    "pattern-5": 0.816,  # 4.9 seeds: ΔAIC, step against a straight line
    "pattern-7": 0.936,  # 5.6 seeds: marginaux − ordinary staff knock-outs
    "dynamics": 11.027,  # 66.2 seeds: runs with quality up at a higher cost
}
"""Per evidence case (and ``channels`` for the decomposition): the largest ratio seeds needed
/ pilot seeds over its criteria, as the pilot printed it (see the module's docstring)."""


def seeds(case: str) -> int:
    """Paired seeds per condition of ``case`` in a full block, from its pilot ratio."""
    ratio = PILOT_RATIOS.get(case, math.inf)
    if not math.isfinite(ratio):
        return MOST
    return min(MOST, seeds_for([ratio], PILOT))


def rationale(case: str) -> str:
    """The power rationale of ``case``'s size, for its report's setup line."""
    ratio = PILOT_RATIOS.get(case, math.inf)
    if not math.isfinite(ratio):
        return f"{MOST} paired seeds (no pilot recorded)"
    target = (
        f"the effect through each channel within ±{CHANNEL_PRECISION:.0%} of the default "
        "uptake (95 %)"
        if case == "channels"
        else f"95 % half-width ≤ {POWER_FRACTION:g} × each criterion's minimum effect"
    )
    return (
        f"{seeds(case)} paired seeds: a pilot of {PILOT} seeds needs {PILOT * ratio:.1f} for "
        f"{target} (at least {MIN_SEEDS}, at most {MOST})"
    )
