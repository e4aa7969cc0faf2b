"""Validation: docking with published models and the behaviour patterns (TRACE).

Docking aligns the model with published ones in limit cases where both should agree
(Axtell, Axelrod, Epstein & Cohen, 1996). One module per case, each with a ``run(size)``
function returning a :class:`~milieusim.docking.core.CaseResult` (our figures next to the
published ones, the tolerance and pass/fail), a ``CASE`` and a ``plot``:

* :mod:`~milieusim.docking.bass`: Bass (1969), pattern 1;
* :mod:`~milieusim.docking.watts`: Watts (2002), global cascades;
* :mod:`~milieusim.docking.centola_macy`: Centola & Macy (2007), complex contagions;
* :mod:`~milieusim.docking.rogers`: Rogers' adopter categories;
* :mod:`~milieusim.docking.march`: March (1991), exploration and exploitation;
* :mod:`~milieusim.docking.patterns`: the behaviour patterns 2, 3, 4, 5, 7 of
  ``docs/concepts.md``;
* :mod:`~milieusim.docking.mechanisms`: the evidence for the model's mechanisms (cases
  ``mechanisms`` and ``dynamics``, with patterns 6 and 8), on the conditions of
  ``experiments/mechanisms.toml`` (:mod:`~milieusim.docking.evidence` runs them);
* :mod:`~milieusim.docking.calibration`: the shipped scenarios against sourced stylised
  facts (``docs/calibration.md``);
* :mod:`~milieusim.docking.parameters`: every parameter acts (run on request: ``--case
  parameters``);
* :mod:`~milieusim.docking.robustness`: the patterns' signs at both ends of the most
  influential constants (run on request: ``--case robustness``);
* :mod:`~milieusim.docking.lever_specs`: the levers' competing specifications against
  lever-level patterns (run on request: ``--case lever-specs``);
* :mod:`~milieusim.docking.validate`: all of them, and the report of ``milieusim validate``.
"""

from __future__ import annotations

from milieusim.docking.core import Case, CaseResult, Check, Task, run_case


def all_cases() -> tuple[Case, ...]:
    """Every case in report order: the dockings, the behaviour patterns, the mechanisms."""
    from milieusim.docking import (
        bass,
        calibration,
        centola_macy,
        march,
        mechanisms,
        patterns,
        rogers,
        watts,
    )

    return (
        bass.CASE,
        watts.CASE,
        centola_macy.CASE,
        rogers.CASE,
        march.CASE,
        *patterns.PATTERNS,
        mechanisms.MECHANISMS,
        mechanisms.DYNAMICS,
        calibration.CALIBRATION,
    )


def extra_cases() -> tuple[Case, ...]:
    """Cases run only when asked for (``milieusim validate --case NAME``): every parameter
    acts, and the robustness of the patterns' signs to the constants the Morris screening
    ranks highest."""
    from milieusim.docking import lever_specs, parameters, robustness

    return (parameters.PARAMETERS_CASE, robustness.ROBUSTNESS, lever_specs.LEVER_SPECS)


__all__ = ["Case", "CaseResult", "Check", "Task", "all_cases", "extra_cases", "run_case"]
