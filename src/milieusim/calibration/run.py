"""A calibration from start to finish: generations saved as they finish, resumable, then
the posterior, the predictive check and the report (:mod:`milieusim.calibration.report`).

``DIR/generations/gen-NN.parquet`` holds generation NN's particles (parameters, weight,
distance, seed, every barometer answer) and ``gen-NN.json`` its tolerance and counts; a
generation is finished when its JSON is written (after its Parquet file). ``DIR/state.json``
holds the settings and seed: ``--resume`` continues from the last finished generation only
if they are the same.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from milieusim._io import atomic_write, json_text, write_json
from milieusim.calibration.abc import (
    BudgetSpent,
    Generation,
    effective_size,
    next_epsilon,
    run_generation,
)
from milieusim.calibration.problem import CalibrationError, Problem
from milieusim.calibration.simulate import Simulation
from milieusim.experiment.executors import Executor

__all__ = ["CalibrationRun", "calibrate", "load_generation", "save_generation"]

STATE = "state.json"


@dataclass
class CalibrationRun:
    """What :func:`calibrate` did."""

    generations: list[Generation]
    stopped: str
    """Why the sequence ended: 'generations' (all ran) or 'budget'."""
    simulations: int
    resumed_from: int | None = None
    wasted: int = 0
    """Simulations of a generation the budget cut short."""
    notes: list[str] = field(default_factory=list)


def _task_maker(problem: Problem) -> Callable[[np.ndarray, int], Simulation]:
    names = problem.names
    org = problem.organisation

    def make(theta: np.ndarray, seed: int) -> Simulation:
        values = tuple((n, float(v)) for n, v in zip(names, theta, strict=True))
        return Simulation(values, org, seed)

    return make


def calibrate(
    problem: Problem,
    out: Path,
    *,
    seed: int,
    executor: Executor,
    resume: bool = False,
    on_simulated: Callable[[int], None] | None = None,
    on_generation: Callable[[Generation], None] | None = None,
) -> CalibrationRun:
    """Run the ABC-SMC of ``problem`` into ``out`` (generations saved as they finish) on
    ``executor``; with ``resume``, continue from the last finished generation in ``out``
    (:class:`.CalibrationError` if its settings or seed differ)."""
    state = {"seed": seed, "settings": problem.settings()}
    gen_dir = out / "generations"
    done: list[Generation] = []
    if resume and (out / STATE).exists():
        saved = json.loads((out / STATE).read_text(encoding="utf-8"))
        if saved != json.loads(json_text(state)):
            raise CalibrationError(
                f"{out}: --resume: that calibration has other settings or another seed; "
                "use another --out, or the same file, options and --seed"
            )
        index = 0
        while (gen_dir / f"gen-{index:02d}.json").exists():
            done.append(load_generation(gen_dir, index, problem.names))
            index += 1
    gen_dir.mkdir(parents=True, exist_ok=True)
    write_json(out / STATE, state)
    spent = sum(g.simulations for g in done)
    run = CalibrationRun(done, "generations", spent, resumed_from=len(done) if resume else None)
    make_task = _task_maker(problem)
    while len(done) < problem.generations:
        index = len(done)
        previous = done[-1] if done else None
        epsilon = math.inf if previous is None else next_epsilon(previous, problem.quantile)
        try:
            generation = run_generation(
                index,
                seed=seed,
                priors=problem.priors,
                fitted=problem.fitted,
                make_task=make_task,
                executor=executor,
                population=problem.population,
                epsilon=epsilon,
                previous=previous,
                budget=problem.budget - spent,
                on_simulated=on_simulated,
            )
        except BudgetSpent as exc:
            run.stopped, run.wasted = "budget", exc.simulations
            run.simulations = spent + exc.simulations
            break
        save_generation(gen_dir, generation, problem.names)
        done.append(generation)
        spent += generation.simulations
        run.simulations = spent
        if on_generation is not None:
            on_generation(generation)
    if not done:
        raise CalibrationError(
            f"budget of {problem.budget} simulations spent before the first generation ended"
        )
    return run


def generation_frame(generation: Generation, names: tuple[str, ...]) -> pd.DataFrame:
    """A generation as a table: parameters, weight, distance, seed, answers."""
    frame = pd.DataFrame(generation.theta, columns=list(names))
    frame.insert(0, "particle", np.arange(len(frame), dtype=np.int64))
    frame["weight"] = generation.weights
    frame["distance"] = generation.distances
    frame["seed"] = np.array(generation.seeds, dtype=np.int64)
    answers = pd.DataFrame(generation.answers).add_prefix("answer:")
    return pd.concat([frame, answers.reset_index(drop=True)], axis=1)


def save_generation(folder: Path, generation: Generation, names: tuple[str, ...]) -> None:
    """Write ``gen-NN.parquet`` then ``gen-NN.json`` (which marks it finished)."""
    frame = generation_frame(generation, names)
    stem = folder / f"gen-{generation.index:02d}"
    atomic_write(stem.with_suffix(".parquet"), lambda tmp: frame.to_parquet(tmp, index=False))
    write_json(stem.with_suffix(".json"), generation_summary(generation, names))


def generation_summary(generation: Generation, names: tuple[str, ...]) -> dict[str, Any]:
    """Tolerance, counts, effective size, weighted means and sds of a generation."""
    w = generation.weights
    mean = w @ generation.theta
    sd = np.sqrt(w @ (generation.theta - mean) ** 2)
    return {
        "generation": generation.index,
        "epsilon": generation.epsilon,
        "accepted": len(generation.theta),
        "simulations": generation.simulations,
        "failures": generation.failures,
        "acceptance_rate": generation.acceptance,
        "effective_size": effective_size(w),
        "median_distance": float(np.median(generation.distances)),
        "mean": dict(zip(names, mean.tolist(), strict=True)),
        "sd": dict(zip(names, sd.tolist(), strict=True)),
    }


def load_generation(folder: Path, index: int, names: tuple[str, ...]) -> Generation:
    """Generation ``index`` as saved by :func:`save_generation`."""
    stem = folder / f"gen-{index:02d}"
    meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    frame = pd.read_parquet(stem.with_suffix(".parquet"))
    answer_cols = [c for c in frame.columns if c.startswith("answer:")]
    answers = [
        {c.removeprefix("answer:"): float(v) for c, v in zip(answer_cols, row, strict=True)}
        for row in frame[answer_cols].itertuples(index=False)
    ]
    epsilon = meta["epsilon"]
    return Generation(
        index=index,
        epsilon=math.inf if epsilon is None else float(epsilon),
        theta=frame[list(names)].to_numpy(dtype=float),
        weights=frame["weight"].to_numpy(dtype=float),
        distances=frame["distance"].to_numpy(dtype=float),
        seeds=[int(s) for s in frame["seed"]],
        answers=answers,
        simulations=int(meta["simulations"]),
        failures=int(meta["failures"]),
    )
