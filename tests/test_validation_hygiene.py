"""Issue 17, items 5 and 7: pattern 2's 'later' at population level, pattern 3 at several
sizes, channel shares only where the total effect is clear, natural direct and indirect
effects, the screening's noise floor and the lever-sign screen."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from milieusim.validation import patterns


def _fake(tasks: list[Any], value: Any) -> list[tuple[Any, dict[str, float]]]:
    """Outputs for ``tasks``: ``value(task)`` gives each run's measures."""
    return [(t, value(t)) for t in tasks]


def _p2_outputs(shift: float, s: patterns.PatternSettings) -> list[tuple[Any, Any]]:
    tasks = patterns.p2_tasks(s)
    rng = np.random.default_rng(1)

    def value(t: Any) -> dict[str, float]:
        x = patterns.INERTIA[t.key[0]]
        noise = rng.normal(0, 1)
        return {
            "uptake_time_mean": 1.0 - 0.5 * x + 0.01 * noise,
            "adoption_centroid": 150 + shift * x / patterns.LATER_AT + noise,
            "first_approval_week": 12 + shift * x / patterns.LATER_AT + noise,
            "t50_median": 20.0 + noise,
        }

    return _fake(tasks, value)


@pytest.mark.slow
@pytest.mark.parametrize(("shift", "passed"), [(12.0, True), (0.0, False)])
def test_pattern_2_later_is_the_centroid_and_the_first_approval(shift, passed):
    s = patterns.PatternSettings(runs=12, quick=True)
    result = patterns.p2_evaluate(s, _p2_outputs(shift, s))
    later = [c for c in result.checks if "centroid" in c.quantity and c.tested]
    first = [c for c in result.checks if "first pilot approved" in c.quantity]
    assert len(later) == 1 and len(first) == 1
    assert later[0].passed is passed and first[0].passed is passed
    assert "above 5.0" in later[0].tolerance and "above 4.0" in first[0].tolerance
    # the per-innovation half-peak time is reported, not tested
    assert not next(c for c in result.checks if "own reach" in c.quantity).tested


@pytest.mark.slow
def test_pattern_3_is_tested_at_every_size():
    s = patterns.PatternSettings(runs=5, quick=True)
    tasks = patterns.p3_tasks(s)
    sizes = {t.kwargs["params"]["n_staff"] for t in tasks}
    assert sizes == set(patterns.P3_QUICK_SIZES)
    full = patterns.p3_tasks(patterns.PatternSettings(runs=1))
    assert {t.kwargs["params"]["n_staff"] for t in full} == set(patterns.P3_SIZES)
    rng = np.random.default_rng(2)
    result = patterns.p3_evaluate(
        s,
        _fake(
            tasks,
            lambda t: {
                "approvals": 10.0 + rng.normal(),
                "experiments_failed": 3.0 + rng.normal(),
                "uptake_time_mean": 1.0 + 0.01 * rng.normal(),
            },
        ),
    )
    for n in patterns.P3_QUICK_SIZES:
        assert sum(c.quantity.startswith(f"{n:,} staff") for c in result.checks) == 3
    # no effect was built in: nothing is supported
    assert not any(c.passed for c in result.checks if c.tested)


@pytest.mark.slow
def test_evidence_run_gives_the_first_approval_week():
    from milieusim.validation.evidence import conditions, evidence_run

    params = {**conditions(True)[0], "n_staff": 150, "steps": 104}
    out = evidence_run(params, 3)
    assert out["approvals"] == 0 or 0 <= out["first_approval_week"] <= 104
    assert np.isfinite(out["adoption_centroid"]) or out["innovations_adopted"] == 0


# --- item 5: channel shares only where the total is clear; NDE and NIE at both levels ------


def test_shares_need_a_total_clear_of_zero_by_a_quarter_of_its_estimate():
    from milieusim.analysis.stats import Effect
    from milieusim.validation.mechanisms import clears_zero

    assert clears_zero(Effect(0.4, 0.1, 0.7))  # low bound 0.1 = 0.25 × 0.4
    assert not clears_zero(Effect(0.4, 0.09, 0.7))
    assert clears_zero(Effect(-0.4, -0.7, -0.1))
    assert not clears_zero(Effect(-0.4, -0.7, 0.02))
    assert not clears_zero(Effect(0.0, -0.1, 0.1))
    assert not clears_zero(Effect(0.4, float("nan"), 0.7))


def _decomposition_outputs(runs: int) -> tuple[Any, list[tuple[Any, Any]]]:
    """Fake runs of the mechanisms case: uptake is half the value openness's first channel
    sees plus half its second channel's (noise added); nothing else acts."""
    from milieusim.validation import mechanisms as m

    s = m.EvidenceSettings(runs=runs, quick=True)
    c = m._mechanism_conditions(s)
    first, second = m.channels_of("openness")
    rng = np.random.default_rng(5)
    outputs = []
    for task in m.mechanism_tasks(s):
        p, hold = task.kwargs["params"], task.kwargs.get("hold")
        seen = {
            ch: (hold[1] if hold and hold[0] == ch else p["openness"]) for ch in (first, second)
        }
        value = 0.5 * seen[first] + 0.25 * seen[second] + rng.normal(0, 1e-4)
        outputs.append((task, {"uptake_time_mean": value}))
    return c, outputs


@pytest.mark.slow
def test_decomposition_gives_nde_nie_at_both_levels_and_shares_only_when_clear():
    from milieusim.validation import mechanisms as m

    c, outputs = _decomposition_outputs(8)
    lines = {ch.quantity.strip(): ch for ch in m._decomposition(c, outputs)}
    first, second = m.channels_of("openness")
    nie = lines[f"through {first}: NIE at 0.1 · at 0.9"].ours
    # 0.5 × (0.9 − 0.1) = 0.4 through the first channel, at either level
    assert nie.startswith("0.400") and " · 0.400" in nie
    assert lines[f"beside {first}: NDE at 0.1 · at 0.9"].ours.startswith("0.200")
    share = lines[f"share through {first} (NIE / total) at 0.1 · at 0.9"].ours
    assert share.startswith("67 %") and "· 67 %" in share
    assert lines[f"share through {second} (NIE / total) at 0.1 · at 0.9"].ours.startswith("33 %")
    # learning capacity acts on nothing here: no shares, said so
    for channel in m.channels_of("learning_capacity"):
        text = lines[f"share through {channel} (NIE / total) at 0.2 · at 0.8"].ours
        assert text == "total not distinguishable from zero"
    assert all(not line.tested for line in lines.values())


def test_hold_is_not_a_model_parameter_and_is_planned_for_every_channel():
    from milieusim.params import CHANNELS
    from milieusim.validation import mechanisms as m

    tasks = m.mechanism_tasks(m.EvidenceSettings(runs=1, quick=True))
    held = {t.kwargs["hold"] for t in tasks if "hold" in t.kwargs}
    assert all("hold" not in t.kwargs["params"] for t in tasks)
    for name, (lo, hi) in m.CONTRASTS.items():
        for channel in m.channels_of(name):
            assert {(channel, lo), (channel, hi)} <= held
    assert {ch for ch, _ in held} == {ch for ch, (p, _) in CHANNELS.items() if p in m.CONTRASTS}


@pytest.mark.slow
@pytest.mark.parametrize("channel", ["inertia:review", "openness:frontline"])
def test_holding_a_channel_at_the_default_is_the_models_ablation(channel):
    """The harness's hold is the model's own ablation moved to another level: held at the
    parameter's default it gives the ablated run to the last measure; held at the value the
    parameter has, the plain run; held elsewhere, another run."""
    from milieusim.params import CHANNELS, PARAMETERS
    from milieusim.validation.evidence import conditions, evidence_run

    name = CHANNELS[channel][0]
    params = {**conditions(True)[0], "n_staff": 150, "steps": 78, name: 0.9}
    default = PARAMETERS[name].default
    plain = evidence_run(params, 11)
    ablated = evidence_run({**params, "ablate": channel}, 11)
    at_default = evidence_run(params, 11, hold=(channel, default))
    at_value = evidence_run(params, 11, hold=(channel, 0.9))
    at_low = evidence_run(params, 11, hold=(channel, 0.0))

    def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
        keys = [k for k, v in a.items() if isinstance(v, int | float)]
        return all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in keys)

    assert same(at_default, ablated)
    assert same(at_value, plain)
    assert not same(at_low, plain)


def test_hold_refuses_what_is_not_a_parameter_channel():
    from milieusim.validation.evidence import evidence_run

    with pytest.raises(ValueError, match="not a channel"):
        evidence_run({}, 1, hold=("marginaux:brokerage", 0.5))


# --- item 5: the global screen of the levers' signs ------------------------------------------


def test_flip_region_names_the_threshold_that_separates_the_flips():
    from milieusim.validation.lever_signs import flip_region

    x = {"a": np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), "b": np.array([5, 1, 4, 2, 6, 3.0])}
    flips = x["a"] > 0.45
    name, thr, side, inside_flips, inside, outside_flips, outside = flip_region(x, flips)
    assert (name, side, inside_flips, inside, outside_flips) == ("a", ">", 2, 2, 0)
    assert 0.4 < thr < 0.5 and outside == 4
    assert flip_region(x, np.zeros(6, bool)) is None


@pytest.mark.slow
def test_lever_signs_finds_a_flip_built_into_fake_runs():
    from milieusim.validation import lever_signs as ls

    s = ls.LeverSignSettings(points=12, seeds=3, quick=True)
    tasks = ls.tasks(s)
    assert len(tasks) == 12 * len(ls.LEVERS) * 2 * 3
    # the same seeds in both arms of a lever at a point: paired
    seeds = {}
    for t in tasks:
        seeds.setdefault(t.key[:2], set()).add(t.kwargs["seed"])
    assert all(len(v) == 3 for v in seeds.values())
    rng = np.random.default_rng(3)

    def value(t: Any) -> dict[str, float]:
        p = t.kwargs["params"]
        lever, arm = t.key[1], t.key[2]
        sign = ls.LEVERS[lever][2]
        if lever == "inertia" and p["rule_collision"] > 0.3:
            sign = +1  # inertia helps where rules collide often: a built-in flip
        return {"uptake_time_mean": 1.0 + 0.2 * arm * sign + rng.normal(0, 0.01)}

    result = ls.evaluate(s, [(t, value(t)) for t in tasks])
    inertia = next(c for c in result.checks if c.tested and c.quantity.startswith("Inertia"))
    assert inertia.passed is False and inertia.verdict == "not reproduced"
    region = next(
        c for c in result.checks if not c.tested and c.quantity.strip().startswith("Inertia")
    )
    assert region.ours.startswith("rule_collision >")
    others = [c for c in result.checks if c.tested and not c.quantity.startswith("Inertia")]
    assert len(others) == 4 and all(c.passed for c in others)


# --- item 5: screening over equal usable ranges with a reseed dummy ------------------------


def test_screening_ranges_have_the_same_relative_width():
    from milieusim.validation import parameters as p

    plausible, usable = p.plausible_ranges(), p.usable_ranges()
    assert usable.keys() == plausible.keys()
    for name, (lo, hi) in usable.items():
        a, b = plausible[name]
        assert (hi - lo) / (b - a) == pytest.approx(p.SCREEN_WIDTH)
    assert usable["inertia"] == pytest.approx((0.05, 0.95))


@pytest.mark.slow
def test_screening_dummy_changes_only_the_seeds_and_sets_the_floor():
    from milieusim.validation import parameters as p

    s = p.ScreeningSettings(trajectories=12, replications=3, quick=True)
    tasks = p.screening_tasks(s)
    names = list(p.usable_ranges())
    # along a trajectory, a step of the dummy changes the seeds and nothing else; any other
    # step keeps the seeds (common random numbers)
    by_point: dict[tuple[int, int], list[Any]] = {}
    for t in tasks:
        by_point.setdefault(t.key[:2], []).append(t)
    for k, (_rows, moved) in enumerate(p.trajectories(s)):
        for j, d in enumerate(moved):
            before, after = by_point[(k, j)], by_point[(k, j + 1)]
            same_seeds = [a.kwargs["seed"] for a in before] == [b.kwargs["seed"] for b in after]
            same_params = before[0].kwargs["params"] == after[0].kwargs["params"]
            assert same_seeds == (d != len(names)), (k, j, d)
            assert same_params == (d == len(names))

    def value(t: Any) -> dict[str, float]:
        noise = np.random.default_rng(t.kwargs["seed"]).normal(0, 0.2)
        return {"uptake_time_mean": 1.0 - 0.8 * t.kwargs["params"]["inertia"] + noise}

    result = p.screening_evaluate(s, [(t, value(t)) for t in tasks])
    tested = {c.quantity.split(" over ")[0]: c for c in result.checks if c.tested}
    assert tested["inertia"].passed is True
    assert tested["learning_capacity"].passed is False
    assert result.data["table"][p.DUMMY]["mu_star"] > 0.05
