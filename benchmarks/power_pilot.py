"""The pilot that sets the evidence cases' sizes (:mod:`milieusim.validation.power`).

Runs every evidence case (patterns 2–7, mechanisms, dynamics) at full size on
``PILOT`` paired seeds from ``PILOT_SEED`` (seeds no block uses), then prints, per tested
check, the seeds its interval says it needs (pilot seeds × power ratio) and the
``PILOT_RATIOS`` to record in ``src/milieusim/validation/power.py``::

    nice -n 10 uv run python benchmarks/power_pilot.py --workers 2 --work /tmp/pilot

Resumable: the runs are kept in ``--work`` (a validation work folder).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
import sys
from pathlib import Path
from typing import Any

from milieusim.validation.case import power_ratio
from milieusim.validation.power import CHANNEL_PRECISION, PILOT, PILOT_SEED


def channel_ratio(outputs: list[tuple[Any, Any]], settings: Any) -> float:
    """The largest power ratio over the channels of the decomposition: per seed, the
    parameter's effect minus its effect with the channel held, its t half-width against
    :data:`CHANNEL_PRECISION` × the default uptake."""
    from milieusim.analysis.stats import t_half_width
    from milieusim.params import CHANNELS
    from milieusim.validation import mechanisms as m

    c = m._mechanism_conditions(settings)
    target = CHANNEL_PRECISION * float(c.values(outputs, m.UPTAKE).mean())
    ratios = []
    for name, (lo, hi) in m.CONTRASTS.items():
        low = c.values(outputs, m.UPTAKE, **m._level(name, lo))
        high = c.values(outputs, m.UPTAKE, **m._level(name, hi))
        for channel, (param, _) in CHANNELS.items():
            if param == name:
                held_low = c.values(outputs, m.UPTAKE, **{name: lo, "ablate": channel})
                held_high = c.values(outputs, m.UPTAKE, **{name: hi, "ablate": channel})
                through = (high - low) - (held_high - held_low)
                half = float(t_half_width(through.std(ddof=1), through.size))
                ratios.append(power_ratio(half, target))
    return max(ratios)


def step_ratio(ours: str) -> float:
    """Pattern 5's ratio: ΔAIC + 4 grows with the runs (n log(RSS ratio)); runs needed for
    an expected ΔAIC of twice the threshold, over the pilot's (its check shows 'ΔAIC (…')."""
    from milieusim.validation.patterns import STEP

    found = re.match(r"\s*(-?[\d.]+)", ours)
    delta = float(found.group(1)) if found else math.nan
    return (2 * STEP + 4) / (delta + 4) if math.isfinite(delta) and delta > -4 else math.inf


def pilot(work: str, workers: int | None = None) -> dict[str, float]:
    """Run every evidence case on :data:`PILOT` seeds from :data:`PILOT_SEED` (full size);
    the largest power ratio of each case's tested checks (and of the channel shares)."""
    from milieusim.validation import mechanisms, patterns
    from milieusim.validation.report import WorkFolder, _work_key, run_validation

    def piloted(case: Any) -> Any:
        make = case.settings

        def settings(size: str) -> Any:
            s = make(size)
            pilot = {"runs": PILOT, "seed": PILOT_SEED}
            if hasattr(s, "channel_runs"):
                pilot["channel_runs"] = PILOT
            return dataclasses.replace(s, **pilot)

        return dataclasses.replace(case, settings=settings)

    chosen = [piloted(c) for c in (*patterns.PATTERNS, mechanisms.MECHANISMS, mechanisms.DYNAMICS)]
    result = run_validation(cases=chosen, workers=workers, progress=True, work=work)
    out: dict[str, float] = {}
    for r in result.results:
        ratios = {c.quantity: c.power for c in r.checks if c.tested and math.isfinite(c.power)}
        for c in r.checks:
            if c.quantity.startswith("ΔAIC"):
                ratios[c.quantity] = step_ratio(c.ours)
        for quantity, ratio in ratios.items():
            print(f"  {r.name:<11} {PILOT * ratio:7.1f}  {quantity[:90]}")
        out[r.name] = max(ratios.values(), default=math.nan)
    folder = WorkFolder(Path(work), "full")
    mech = chosen[-2]
    settings = mech.settings("full")
    tasks = mech.tasks(settings)
    loaded = [folder.load_run(_work_key(t)) for t in tasks]
    outputs = [(t, hit[0]) for t, hit in zip(tasks, loaded, strict=True) if hit is not None]
    out["channels"] = channel_ratio(outputs, settings)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Pilot of the evidence cases' power.")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--work", required=True, help="folder of the pilot's runs (resumable)")
    args = parser.parse_args(argv)
    ratios = pilot(args.work, args.workers)
    print("PILOT_RATIOS = {")
    for name, ratio in ratios.items():
        print(f'    "{name}": {ratio:.3f},  # {PILOT * ratio:.1f} seeds needed')
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
