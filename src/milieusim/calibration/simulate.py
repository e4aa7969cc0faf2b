"""One candidate of a calibration: a simulated organisation surveyed by the barometer.

A :class:`Simulation` is a picklable task without arguments, as
:func:`milieusim.experiment.executors.map_tasks` runs them (locally or on Dask): it draws the
organisation's levers around their means (:mod:`milieusim.calibration.problem`), runs the
model with the candidate's constants and seed (and ``organisations`` − 1 more organisations,
seeds of spawn key ``(2, r)``, their answers averaged), and returns every answer of the virtual
innovation barometer (:func:`milieusim.barometer.answers`, NaN where no unit was asked).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from milieusim.calibration.problem import LEVERS, Organisation
from milieusim.params import PARAMETERS

__all__ = ["Simulation", "draw_levers", "model_parameters", "survey_run"]


def draw_levers(means: dict[str, float], sd: float, rng: np.random.Generator) -> dict[str, float]:
    """Each organisation lever drawn from a Beta distribution with mean ``means[name]``
    (the default when not given) and sd ``sd`` (capped below √(m(1−m)), where a Beta
    exists), in :data:`milieusim.calibration.problem.LEVERS` order, from ``rng``."""
    out: dict[str, float] = {}
    for name in LEVERS:
        m = float(means.get(name, PARAMETERS[name].default))
        if sd <= 0 or not 0 < m < 1:
            out[name] = m
            continue
        var = min(sd * sd, 0.9 * m * (1 - m))
        k = m * (1 - m) / var - 1
        out[name] = float(rng.beta(m * k, (1 - m) * k))
    return out


def model_parameters(
    values: dict[str, float], organisation: Organisation, seed: int
) -> dict[str, Any]:
    """The model's keyword arguments for a candidate ``values`` in an organisation drawn
    from ``seed``: levers drawn around their means, integers rounded, the size set."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    levers = draw_levers(
        {k: v for k, v in values.items() if k in LEVERS}, organisation.lever_sd, rng
    )
    params: dict[str, Any] = dict(levers)
    for name, value in values.items():
        if name in LEVERS:
            continue
        params[name] = int(round(value)) if PARAMETERS[name].type == "int" else float(value)
    params.update(
        n_staff=organisation.n_staff, n_units=organisation.n_units, steps=organisation.steps
    )
    return params


@dataclass(frozen=True)
class Simulation:
    """Run one candidate and survey it: ``values`` of the calibrated parameters (name,
    value pairs), the organisation, and the run's ``seed``."""

    values: tuple[tuple[str, float], ...]
    organisation: Organisation
    seed: int

    def __call__(self) -> dict[str, float]:
        """The barometer's answers; with several organisations, the mean of each answer
        over those that give it (NaN if none does)."""
        runs = [survey_run(dict(self.values), self.organisation, self.seed)]
        for r in range(1, self.organisation.organisations):
            seed = int(
                np.random.SeedSequence(self.seed, spawn_key=(2, r)).generate_state(
                    1, dtype=np.uint64
                )[0]
                >> 1
            )
            runs.append(survey_run(dict(self.values), self.organisation, seed))
        if len(runs) == 1:
            return runs[0]
        out: dict[str, float] = {}
        for key in runs[0]:
            values = [r[key] for r in runs if math.isfinite(r[key])]
            out[key] = float(np.mean(values)) if values else math.nan
        return out


def survey_run(values: dict[str, float], organisation: Organisation, seed: int) -> dict[str, float]:
    """Run one organisation with ``seed`` and return its barometer's answers."""
    from milieusim.barometer import answers, run_answers, survey
    from milieusim.model import MilieuModel

    params = model_parameters(values, organisation, seed)
    model = MilieuModel(rng=seed, **params)
    while model.running:
        model.step()
    units = survey(model)
    out = answers(units, run_answers(model, units))
    return {
        k: (float(v) if v is not None and math.isfinite(v) else math.nan) for k, v in out.items()
    }
