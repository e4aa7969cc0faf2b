"""What one run tells the evidence cases: every measure, plus what they need from the
per-innovation table and the network (origins, S-curves, harmful practices, rules, ties).

The conditions are the points of the shipped experiment ``experiments/mechanisms.toml``
(one source for the sweep a researcher runs and for the pre-stated checks of
``milieusim validate``); :func:`conditions` finds them by their parameter values.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

__all__ = [
    "HOLD",
    "ORIGINS",
    "condition",
    "conditions",
    "criterion_check",
    "evidence_run",
    "evidence_tasks",
    "held_model",
    "paired",
]

ORIGINS: tuple[str, ...] = ("partner", "frontline", "internal", "serendipity")
MIN_CURVE = 10
"""Adoptions outside the pilot team an innovation needs for its S-curve to be fitted."""


@cache
def conditions(quick: bool = False) -> tuple[dict[str, Any], ...]:
    """The full parameters of every point of ``experiments/mechanisms.toml`` (its quick
    version when ``quick``)."""
    from milieusim.experiment import load_experiment

    spec = load_experiment("mechanisms")
    if quick:
        spec = spec.quick()
    return tuple(spec.parameters(i) for i in range(spec.n_points))


def condition(quick: bool = False, **changes: Any) -> dict[str, Any]:
    """The point of the mechanisms experiment that differs from its base by ``changes``
    (the base itself when none). KeyError if the experiment has no such point."""
    base = conditions(quick)[0]
    wanted = {**base, **changes}
    for params in conditions(quick):
        if params == wanted:
            return params
    raise KeyError(f"experiments/mechanisms.toml has no point {changes}")


HOLD = "hold"
"""Key of a condition that holds one channel of an organisation parameter at a given level
(``(channel, value)``): not a model parameter, an intervention of the validation harness
(:func:`held_model`)."""


@cache
def held_model() -> type:
    """:class:`~milieusim.model.MilieuModel` with one channel held at a chosen level.

    The model's own ablation (``ablate = <channel>``) holds a channel at its parameter's
    *default*; the natural direct and indirect effects of the mechanisms case need it held
    at the parameter's low or high level while the parameter takes the other. This subclass
    answers ``lever(name, channel)`` with the held value for that one channel and leaves
    every other read, draw and stream as the model makes them (held at the default, it is
    the model's ``ablate``: ``tests/test_validation_hygiene.py``)."""
    from milieusim.model import MilieuModel

    class HeldChannel(MilieuModel):
        """A run with ``hold = (channel, value)``: that channel sees ``value``."""

        def __init__(self, *args: Any, hold: tuple[str, float], **kwargs: Any) -> None:
            self.held_channel, self.held_value = hold
            super().__init__(*args, **kwargs)

        def lever(self, name: str, channel: str) -> Any:
            if channel == self.held_channel:
                return self.held_value
            return super().lever(name, channel)

    return HeldChannel


def evidence_run(
    params: dict[str, Any], seed: int, hold: tuple[str, float] | None = None
) -> dict[str, Any]:
    """One run and what the evidence cases measure on it; with ``hold = (channel, value)``
    that channel of its organisation parameter is held at ``value`` (:func:`held_model`)."""
    from milieusim.measures import MEASURES
    from milieusim.model import MilieuModel
    from milieusim.params import CHANNELS
    from milieusim.records import RunEnd

    if hold is None:
        model = MilieuModel(rng=seed, **params)
    else:
        if hold[0] not in CHANNELS or not CHANNELS[hold[0]][0]:
            raise ValueError(f"hold: {hold[0]!r} is not a channel of an organisation parameter")
        model = held_model()(rng=seed, hold=(hold[0], float(hold[1])), **params)
    internal_start = model.internal_rules
    model.run_model()
    end = RunEnd(model)
    out: dict[str, Any] = {name: m.value(model, end) for name, m in MEASURES.items()}
    t = end.table
    born = end.born
    origin = t.columns["origin"]
    proposed = np.isfinite(t.get("week_proposal"))
    approved = np.isfinite(t.get("week_pilot"))
    outside_team = np.nan_to_num(t.get("adoptions_outside_team"))
    reach = np.nan_to_num(t.get("adopters_peak"))
    for name in ORIGINS:
        rows = born & (origin == name)
        out[f"{name}_proposals"] = int(np.count_nonzero(rows & proposed))
        out[f"{name}_approved"] = int(np.count_nonzero(rows & approved))
        out[f"{name}_spread"] = int(np.count_nonzero(rows & approved & (outside_team > 0)))
        out[f"{name}_reach"] = float(reach[rows & approved].sum())
    weeks_approved = t.get("week_pilot")[born & approved]
    out["first_approval_week"] = float(weeks_approved.min()) if weeks_approved.size else math.nan
    out["outside_proposals"] = int(
        np.count_nonzero(born & proposed & t.columns["from_outside"].astype(bool))
    )
    p = model.p
    realised = t.get("realised_value")
    started = end.started
    out["exceptional"] = int(
        np.count_nonzero(started & (realised > p["value_mean"] + 3 * p["value_sd"]))
    )
    out["s_curves"] = _s_curves(model)
    series = model.datacollector.get_model_vars_dataframe()["adoption_share"].to_numpy()
    out["max_weekly_rise"] = float(np.diff(series).max()) if series.size > 1 else 0.0
    n_present = int(model.staff_present.sum())
    harmful = started & (realised < 0)
    peak = reach / max(n_present, 1)
    dropped = t.columns["stage"] == "dropped"
    out["harmful"] = [
        bool(d and h < 0.5) for d, h in zip(dropped[harmful], peak[harmful], strict=True)
    ]
    out["harmful_peaks"] = peak[harmful].tolist()
    out["internal_rules_start"] = internal_start
    out["external_derogations"] = int(
        sum(r.derogations for r in model.rule_agents if r.kind == "external")
    )
    is_base = any(params == conditions(quick)[0] for quick in (False, True))
    out["betweenness_ratio"] = betweenness_ratio(model, seed) if is_base else math.nan
    return out


def _s_curves(model: Any) -> list[tuple[float, float]]:
    """For each innovation that reached at least :data:`MIN_CURVE` staff beyond its
    pilot team: the R² of a logistic fitted to its cumulative adoptions week by week, and
    the pilot team's share of all its adopters."""
    from milieusim.analysis.stats import logistic_r2
    from milieusim.innovation import ADOPT

    out = []
    for k in model.innovations:
        if k.spreading_since < 0 or str(k.origin) == "seed":
            continue
        weeks = np.concatenate(
            [np.full(s.size, w - k.spreading_since) for w, s, sign in k.log if sign == ADOPT]
        )
        if weeks.size - k.team.size < MIN_CURVE:
            continue
        span = int(model.now - k.spreading_since) + 1
        cumulative = np.cumsum(np.bincount(weeks, minlength=span))
        r2 = logistic_r2(np.arange(span), cumulative)
        out.append((r2, k.team.size / weeks.size))
    return out


def betweenness_ratio(model: Any, seed: int, pivots: int = 100) -> float:
    """Mean betweenness of the marginaux sécants over that of ordinary staff, on the
    informal network at the end of the run (ties of step 0 and ties made since);
    Brandes' algorithm with ``pivots`` sampled sources (networkx, seeded)."""
    import networkx as nx

    from milieusim.agents import StaffKind

    n = int(model.p["n_staff"])
    graph = nx.empty_graph(n)
    coo = model.adjacency.tocoo()
    graph.add_edges_from(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    graph.add_edges_from(zip(model.made_a.tolist(), model.made_b.tolist(), strict=True))
    graph.remove_nodes_from(np.flatnonzero(~model.staff_present).tolist())
    scores = nx.betweenness_centrality(
        graph, k=min(pivots, graph.number_of_nodes()), seed=seed % (2**32)
    )
    values = np.array([scores.get(i, 0.0) for i in range(n)])
    kind = model.staff_kind
    present = model.staff_present
    staff = values[present & (kind == StaffKind.STAFF)].mean()
    innovators = values[present & (kind == StaffKind.INNOVATOR)]
    if innovators.size == 0 or staff <= 0:
        return math.nan
    return float(innovators.mean() / staff)


def evidence_tasks(
    case: str, settings: Any, params: list[dict[str, Any]], runs: list[int] | None = None
) -> list[Any]:
    """One :class:`~milieusim.validation.case.Task` per condition and replication: seeds
    ``settings.seed``, ``settings.seed + 1``, … (the same at every condition: paired);
    ``settings.runs`` of them, or ``runs[j]`` at condition ``j`` (the first seeds of the
    same list: a condition with fewer seeds is paired with the others on those)."""
    from milieusim.validation.case import Task

    counts = runs if runs is not None else [settings.runs] * len(params)
    return [
        Task(case, (j, r), evidence_run, _run_arguments(point, settings.seed + r))
        for j, point in enumerate(params)
        for r in range(counts[j])
    ]


def _run_arguments(point: dict[str, Any], seed: int) -> dict[str, Any]:
    """:func:`evidence_run`'s arguments for a condition (its :data:`HOLD`, if any, apart)."""
    params = dict(point)
    hold = params.pop(HOLD, None)
    return {"params": params, "seed": seed, **({"hold": hold} if hold is not None else {})}


def paired(outputs: list[tuple[Any, Any]], index: int, key: str) -> np.ndarray:
    """Values of ``key`` at condition ``index``, in replication order."""
    rows = sorted((task.key[1], out[key]) for task, out in outputs if task.key[0] == index)
    return np.array([v for _, v in rows], dtype=float)


def criterion_check(
    quantity: str,
    why: str,
    effect: Any,
    criterion: Any,
    *,
    percent: bool = False,
    digits: int = 2,
    change: bool = True,
) -> Any:
    """The :class:`~milieusim.validation.case.Claim` that ``effect`` (an
    :class:`~milieusim.analysis.stats.Effect` already computed) meets ``criterion``, checked;
    the "published" column is the criterion in words, then ``why``; a miss is "not
    reproduced"."""
    from milieusim.validation.case import Claim

    claim = Claim(quantity, criterion, lambda _: effect, percent, digits, change, why)
    return claim.check(None)
