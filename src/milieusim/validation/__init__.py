"""Validation: docking with published models and the behaviour patterns (TRACE).

Docking aligns the model with published ones in limit cases where both should agree
(Axtell, Axelrod, Epstein & Cohen, 1996). Each case is a :class:`~milieusim.validation.case.Case`
(``CASE``) whose evaluation gives a :class:`~milieusim.validation.case.CaseResult` (our
figures next to the published ones, the tolerance and pass/fail) and a figure;
:func:`~milieusim.validation.run.run_case` runs one. The dockings with published models are
in :mod:`milieusim.validation.docking`:

* :mod:`~milieusim.validation.docking.bass`: Bass (1969), pattern 1;
* :mod:`~milieusim.validation.docking.watts`: Watts (2002), global cascades;
* :mod:`~milieusim.validation.docking.centola_macy`: Centola & Macy (2007), complex contagions;
* :mod:`~milieusim.validation.docking.rogers`: Rogers' adopter categories;
* :mod:`~milieusim.validation.docking.march`: March (1991), exploration and exploitation;
* :mod:`~milieusim.validation.patterns`: the behaviour patterns 2, 3, 4, 5, 7 of
  ``docs/concepts.md``;
* :mod:`~milieusim.validation.mechanisms`: the evidence for the model's mechanisms (cases
  ``mechanisms`` and ``dynamics``, with patterns 6 and 8, and on request ``channels``, the
  channel decomposition of every organisation parameter), on the conditions of
  ``experiments/mechanisms.toml`` (:mod:`~milieusim.validation.evidence` runs them);
* :mod:`~milieusim.validation.calibration`: the shipped scenarios against sourced stylised
  facts (``docs/calibration.md``);
* :mod:`~milieusim.validation.parameters`: every parameter acts (run on request: ``--case
  parameters``), and the screening over equal usable ranges with a reseed dummy (``--case
  screening``);
* :mod:`~milieusim.validation.robustness`: the patterns' signs at both ends of the most
  influential constants (run on request: ``--case robustness``);
* :mod:`~milieusim.validation.lever_signs`: each lever's sign over the constants'
  plausible region (run on request: ``--case lever-signs``);
* :mod:`~milieusim.validation.report`: all of them, and the report of ``milieusim validate``.

:mod:`~milieusim.validation.case` holds what the cases share (tasks, checks, claims, seed
blocks); :mod:`~milieusim.validation.run` runs them on :mod:`milieusim.experiment.executors`.
"""

from __future__ import annotations

from milieusim.validation.case import Case, CaseResult, Check, Task
from milieusim.validation.run import run_case


def all_cases() -> tuple[Case, ...]:
    """Every case in report order: the dockings, the behaviour patterns, the mechanisms."""
    from milieusim.validation import calibration, mechanisms, patterns
    from milieusim.validation.docking import bass, centola_macy, march, rogers, watts

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
    """Cases run only when asked for (``milieusim validate --case NAME``): the channel
    decomposition of the organisation parameters, every parameter acts, the screening
    against a reseed-only dummy, the robustness of the patterns' signs to the constants the
    Morris screening ranks highest, the levers' competing specifications, and the
    stability of each lever's sign over the constants' plausible region."""
    from milieusim.validation import lever_signs, lever_specs, mechanisms, parameters, robustness

    return (
        mechanisms.CHANNELS_CASE,
        parameters.PARAMETERS_CASE,
        parameters.SCREENING,
        robustness.ROBUSTNESS,
        lever_specs.LEVER_SPECS,
        lever_signs.LEVER_SIGNS,
    )


__all__ = ["Case", "CaseResult", "Check", "Task", "all_cases", "extra_cases", "run_case"]
