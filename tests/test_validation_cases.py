"""Each docking case on a reduced size, the learning law they share, and the report.

Sizes and seeds are fixed; each case states its tolerance in its checks (see
``milieusim.validation``). Together these run in under a minute.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import milieusim.validation as docking
from milieusim.cli import main
from milieusim.learning import close_gap, imitate, reinforced_rate
from milieusim.validation import patterns
from milieusim.validation.case import (
    NOT_REPRODUCED,
    SEED_STRIDE,
    Case,
    CaseResult,
    Check,
    Task,
    block_tasks,
    blocks_needed,
    combine_blocks,
    seed_block,
)
from milieusim.validation.docking import bass, centola_macy, march, rogers, watts
from milieusim.validation.report import WorkFolder, run_validation, write_report
from milieusim.validation.run import run_case


def verdicts(result: CaseResult) -> dict[str, str]:
    return {c.quantity: c.verdict for c in result.checks}


@pytest.mark.slow
def test_watts_cascade_window_on_2000_staff():
    """Frequency of global cascades at z = 3 within 3 binomial SE (+0.05) of Watts's
    analytic value, none at z = 0.5 and z = 8, almost total cascades near the upper edge
    (z = 5.5)."""
    s = watts.WattsSettings(n_staff=2000, degrees=(0.5, 3.0, 5.5, 8.0), runs=40)
    result = run_case(watts.CASE, s)
    assert result.passed, [(c.quantity, c.ours) for c in result.checks]
    tested = [c.quantity for c in result.checks if c.passed is not None]
    assert len(tested) == 4  # below, z = 3, above, edge size


@pytest.mark.slow
def test_watts_published_frequency_at_mean_degree_5():
    """Watts (2002, Fig. 1a) at z = 5, N = 10,000, φ = 0.18: 0.70, within 2 binomial SE of
    the runs made + 0.03 for reading the figure (the full validation adds z = 1.2, 6, 6.5)."""
    result = run_case(watts.CASE, watts.WattsSettings(degrees=(5.0,), runs=50))
    check = next(c for c in result.checks if "published" in c.quantity)
    assert check.verdict == "PASS", check.ours
    quick = run_case(watts.CASE, watts.WattsSettings(n_staff=500, degrees=(5.0,), runs=3))
    assert next(c for c in quick.checks if "published" in c.quantity).verdict == "reported"


def test_watts_analytic_window():
    lower, upper = watts.cascade_window(0.18)
    assert lower == pytest.approx(1.02, abs=0.01)
    assert upper == pytest.approx(5.76, abs=0.01)
    assert watts.cascade_frequency(0.9) == 0.0
    assert watts.cascade_frequency(7.0) == 0.0
    assert 0.8 < watts.cascade_frequency(3.0) < 0.95


@pytest.mark.slow
def test_centola_macy_complex_contagion_collapses_with_rewiring():
    s = centola_macy.CentolaMacySettings(n_staff=300, rewirings=(0.0, 0.01, 1.0), runs=5)
    result = run_case(centola_macy.CASE, s)
    assert result.passed, [(c.quantity, c.ours) for c in result.checks]
    speed = next(c for c in result.checks if "speed" in c.quantity)
    assert speed.miss == NOT_REPRODUCED and speed.verdict in ("PASS", NOT_REPRODUCED)
    table = result.data["table"]
    simple_times = [
        t for t, b, T in zip(table["time"], table["beta"], table["T"], strict=True) if T == 1
    ]
    assert simple_times[0] == np.ceil((300 - 7) / 6)  # the unrewired ring: 3 places a week


def test_centola_macy_median_time_counts_unsaturated_runs_as_never():
    nan = math.nan
    assert centola_macy.median_time(np.array([10.0, 20.0, nan, nan])) == 20.0
    assert centola_macy.median_time(np.array([10.0, nan, nan])) == math.inf
    assert centola_macy.median_time(np.array([30.0, 10.0, 20.0])) == 20.0
    # The survivor-biased median of saturated runs would be 5 at β = 0.1 and call it faster.
    frame = pd.DataFrame(
        {
            "threshold_count": 2,
            "rewiring": [0.0] * 4 + [0.1] * 4,
            "time_full": [8.0] * 4 + [5.0, nan, nan, nan],
        }
    )
    speed = centola_macy.sooner(frame)
    assert speed[["beta", "sooner", "runs", "t0"]].values.tolist() == [[0.1, 1, 4, 8.0]]
    assert speed.p.iloc[0] > 0.5
    frame.loc[5:, "time_full"] = 4.0
    assert centola_macy.sooner(frame).p.iloc[0] == pytest.approx(1 / 16)


def test_centola_macy_ring_support():
    """Adopters after week 0 with no / one earlier-adopting ring neighbour (k/2 = 1)."""
    at = np.array([0, 1, 5, -1, 3, -1, -1, 2])
    # 1: neighbour 0 adopted earlier; 7: neighbour 0 earlier (wraps round); 4: none;
    # 2: neighbour 1 earlier.
    assert centola_macy.ring_support(at, 1) == (1, 3)


@pytest.mark.slow
def test_rogers_classifier_and_bass_limit():
    s = rogers.RogersSettings(runs=2, bass_runs=30)
    result = run_case(rogers.CASE, s)
    assert result.passed  # a default split that misses Rogers is not a failure
    assert [c.verdict for c in result.checks][:2] == ["PASS", "PASS"]
    assert [c.miss for c in result.checks[2:]] == [NOT_REPRODUCED] * len(result.checks[2:])
    assert all(c.tested for c in result.checks[2:])
    shares = rogers.classify(np.random.default_rng(1).normal(50, 8, 50_000).round())
    assert shares.sum() == pytest.approx(1.0)
    assert shares == pytest.approx(rogers.NORMAL, abs=0.01)


@pytest.mark.slow
def test_march_slow_socialisation_and_fast_code_learning_know_most():
    """March's Fig. 1 at p2 = 0.9: 0.972 (p1 = 0.1) and 0.728 (p1 = 0.9), each ± 0.01."""
    s = march.MarchSettings(p1=(0.1, 0.5, 0.9), p2=(0.1, 0.9), runs=1000, variants=(True,))
    result = run_case(march.CASE, s)
    assert result.passed, [(c.quantity, c.ours) for c in result.checks]
    published = [c for c in result.checks if "(March 1991, Fig. 1)" in c.published]
    assert [c.verdict for c in published] == ["PASS", "PASS"]
    curves = result.data["curves"]
    assert curves["gradual 0.9"][0] == pytest.approx(0.972, abs=0.01)
    assert curves["gradual 0.9"][-1] == pytest.approx(0.728, abs=0.01)


def test_bass_case_at_reduced_size():
    result = run_case(bass.CASE, bass.BassSettings(runs=20))
    assert result.passed


def test_learning_law_shared_with_march():
    """imitate's expected share of beliefs agreeing with the reference is close_gap's."""
    rng = np.random.default_rng(0)
    beliefs = rng.integers(-1, 2, size=(4000, 30)).astype(np.int8)
    reference = np.where(rng.random(30) < 0.5, -1, 1).astype(np.int8)
    before = (beliefs == reference).mean()
    after = (imitate(beliefs, reference, 0.3, rng) == reference).mean()
    assert after == pytest.approx(close_gap(before, 1.0, 0.3), abs=0.005)
    gradual = imitate(
        np.array([-1, 0, 1], dtype=np.int8),
        np.array([1, 1, 1], dtype=np.int8),
        1.0,
        rng,
        gradual=True,
    )
    assert gradual.tolist() == [0, 1, 1]
    assert imitate(np.array([1, -1]), np.array([0, 0]), 1.0, rng).tolist() == [1, -1]
    assert reinforced_rate(0.5, np.array([0, 1, 2, -1])).tolist() == [0.0, 0.5, 0.75, 0.0]


def test_model_rule_relaxation_uses_the_shared_law():
    """A derogation relaxes its rule by close_gap towards 0 at rate λℓ: the partial
    adjustment March's learners apply (docs/ODD.md §10.4)."""
    from milieusim.learning import close_gap
    from milieusim.model import MilieuModel

    model = MilieuModel(
        rng=3,
        n_staff=300,
        n_units=3,
        n_rules=4,
        steps=10,
        learning_capacity=0.7,
        experimentation_tolerance=1.0,
    )
    rule = next(r for r in model.rule_agents if r.kind != "external")
    k = model.innovations[0] if model.innovations else None
    if k is None:
        from milieusim.innovation import Innovation, Origin

        k = Innovation(
            0,
            "process",
            Origin.INTERNAL,
            0,
            0,
            -1,
            "",
            np.zeros(2),
            0.0,
            0.0,
            1.0,
            0.0,
            0.0,
            np.array([rule.index]),
            0,
        )
    before = rule.rigidity
    while rule.derogations == 0:
        k.rules = np.array([rule.index])
        rule.consider(k)
    assert rule.rigidity == close_gap(before, 0.0, 0.7 * model.p["learning_rate"])
    assert rule.index not in k.rules


def test_experiment_files_match_the_scenarios():
    from milieusim.experiment import load_experiment

    for name, scenario in (
        ("docking-watts", "docking/watts"),
        ("docking-centola-macy", "docking/centola-macy"),
    ):
        spec = load_experiment(name)
        assert spec.scenario.name == scenario
        assert spec.quick().base["steps"] == spec.base["steps"]  # steps stay an upper bound


# --- seed blocks, verdicts, the report and the command ----------------------------------------


def _add(a: int, b: int, seed: int = 0) -> int:
    return a + b


@dataclasses.dataclass(frozen=True)
class Toy:
    seed: int = 0


def _toy_tasks(settings: Toy) -> list[Task]:
    return [Task("toy", (0,), _add, {"a": 1, "b": 2, "seed": settings.seed})]


def _failing_evaluate(settings, outputs):
    return CaseResult(
        "broken",
        "A case that fails",
        "none",
        "a sum",
        [
            Check("1 + 2", "4", str(outputs[0][1]), "exact", outputs[0][1] == 4),
            Check("a | pipe", "x", "y", "reported", None),
        ],
    )


def _misfit_evaluate(settings: Toy, outputs):
    """A figure reproduced only in odd seed blocks; a tested check that always passes."""
    block = settings.seed // SEED_STRIDE
    return CaseResult(
        "misfit",
        "A published figure missed",
        "none",
        f"block {block}",
        [
            Check("1 + 2", "3", str(outputs[0][1]), "exact", outputs[0][1] == 3),
            Check(
                "Published figure",
                "odd",
                str(block),
                "odd block",
                block % 2 == 1,
                miss=NOT_REPRODUCED,
            ),
        ],
        notes="Why it is missed.",
    )


def _no_plot(result, path):
    path.write_bytes(b"")


BROKEN = Case(
    "broken", "A case that fails", lambda size: Toy(), _toy_tasks, _failing_evaluate, _no_plot
)
MISFIT = Case(
    "misfit",
    "A published figure missed",
    lambda size: Toy(),
    _toy_tasks,
    _misfit_evaluate,
    _no_plot,
)
SMALL_BASS = Case(
    "bass",
    bass.CASE.title,
    lambda size: bass.BassSettings(runs=20),
    bass.tasks,
    bass.evaluate,
    bass.plot,
)


def test_seed_blocks_move_every_seed_of_every_case():
    """Every case's settings carry the seed base; block k adds k × SEED_STRIDE to every
    task seed, and a case's seeds stay inside its block."""
    for case in docking.all_cases():
        for size in ("quick", "full"):
            settings = case.settings(size)
            assert isinstance(settings.seed, int), case.name
            assert seed_block(settings, 0) is settings
            seeds = [t.kwargs.get("seed") for t in block_tasks(case, settings)]
            moved = [t.kwargs.get("seed") for t in block_tasks(case, seed_block(settings, 3))]
            assert None not in seeds, case.name
            assert moved == [x + 3 * SEED_STRIDE for x in seeds], case.name
    with pytest.raises(TypeError, match="no integer 'seed'"):
        seed_block(None, 1)
    overflowing = Case(
        "wide",
        "",
        lambda size: Toy(),
        lambda s: [Task("wide", (0,), _add, {"a": 1, "b": 1, "seed": s.seed + SEED_STRIDE})],
        _failing_evaluate,
        _no_plot,
    )
    with pytest.raises(ValueError, match="outside its block"):
        block_tasks(overflowing, Toy())


def test_verdicts_and_blocks():
    """'not reproduced' is a result, not a failure; over blocks a check needs ≥ 80 %."""
    missed = Check("q", "p", "o", "t", False, miss=NOT_REPRODUCED)
    assert (missed.verdict, missed.tested, missed.failed) == (NOT_REPRODUCED, True, False)
    assert Check("q", "p", "o", "t", False).failed
    with pytest.raises(ValueError):
        Check("q", "p", "o", "t", False, miss="maybe")
    case = CaseResult("c", "C", "r", "s", [Check("ok", "", "", "", True), missed])
    assert (case.passed, case.verdict, case.not_reproduced) == (True, NOT_REPRODUCED, 1)
    assert [blocks_needed(n) for n in (1, 2, 3, 4, 5, 10)] == [1, 2, 3, 4, 4, 8]

    def block(passes: list[bool | None]) -> CaseResult:
        return CaseResult(
            "c",
            "C",
            "r",
            "s",
            [Check(f"check {i}", "", "", "", p) for i, p in enumerate(passes) if p != "gone"],
            elapsed_s=1.0,
        )

    results = [
        block([True, True, None, True]),
        block([True, False, None, True]),
        block([True, True, None, "gone"]),
        block([True, True, None, False]),
        block([False, True, None, True]),
    ]
    combined = combine_blocks(results)
    assert [c.blocks for c in combined.checks] == [
        (True, True, True, True, False),
        (True, False, True, True, True),
        (),
        (True, True, False, False, True),
    ]
    assert [c.verdict for c in combined.checks] == ["PASS", "PASS", "reported", "FAIL"]
    assert combined.elapsed_s == 5.0
    assert combine_blocks(results[:1]) is results[0]


def test_report_writer(tmp_path):
    validation = run_validation(quick=True, workers=1, cases=[SMALL_BASS, BROKEN, MISFIT])
    assert not validation.passed
    files = write_report(validation, tmp_path, cases=[SMALL_BASS, BROKEN, MISFIT])
    text = files["validation.md"].read_text(encoding="utf-8")
    assert (
        "**Overall: FAIL** — 3 of 5 tested checks passed, 1 not reproduced, 1 failed; "
        "2 figures reported."
    ) in text
    assert "| [A published figure missed](#misfit) | *not reproduced* | 1 / 2 | **1** | 0 |" in text
    assert "Generated by `milieusim validate --quick` on" in text
    assert "Seeds: block 0" in text
    assert "![Pattern 1 — Bass (1969): S-shaped adoption](figures/bass.png)" in text
    assert "a \\| pipe" in text
    assert (tmp_path / "figures" / "bass.png").stat().st_size > 1000
    data = json.loads(files["validation.json"].read_text(encoding="utf-8"))
    assert [c["passed"] for c in data["cases"]] == [True, False, True]
    assert [c["verdict"] for c in data["cases"]] == ["PASS", "FAIL", NOT_REPRODUCED]
    assert data["seed_blocks"] == [0] and data["blocks_needed"] == 1
    assert data["cases"][2]["checks"][1]["blocks_passed"] == 0


def test_report_over_seed_blocks(tmp_path):
    """Blocks 1–5: the misfit is reproduced in blocks 1, 3, 5 only, so 3 of 5 < 4."""
    validation = run_validation(quick=True, workers=1, cases=[MISFIT], blocks=range(1, 6))
    assert validation.passed and validation.command == "validate --quick --blocks 5"
    assert [r.verdict for r in validation.results] == [NOT_REPRODUCED]
    assert [r[0].setup for r in validation.by_block] == [f"block {b}" for b in range(1, 6)]
    files = write_report(validation, tmp_path, cases=[MISFIT])
    text = files["validation.md"].read_text(encoding="utf-8")
    assert "Seeds: 5 independent blocks, 1–5" in text
    assert "here 4 of 5" in text
    assert (
        "| Published figure | odd | 1 | odd block | 3 / 5 (not in 2, 4) | "
        "*not reproduced* |" in text
    )
    assert "| 1 + 2 | 3 | 3 | exact | 5 / 5 | PASS |" in text
    data = json.loads(files["validation.json"].read_text(encoding="utf-8"))
    assert data["seed_blocks"] == [1, 2, 3, 4, 5] and data["blocks_needed"] == 4
    figure = data["cases"][0]["checks"][1]
    assert figure["blocks_passed"] == 3
    assert [b["ours"] for b in figure["blocks"]] == ["1", "2", "3", "4", "5"]


@pytest.mark.slow
def test_seed_blocks_give_the_same_results_on_any_number_of_workers():
    one = run_validation(quick=True, workers=1, cases=[SMALL_BASS], blocks=(2,))
    two = run_validation(quick=True, workers=2, cases=[SMALL_BASS], blocks=(2,))
    assert one.results[0].checks == two.results[0].checks
    assert one.results[0].data == two.results[0].data


@pytest.mark.parametrize(
    "cases, status, line",
    [
        ([SMALL_BASS], 0, "PASS: report in"),
        ([SMALL_BASS, MISFIT], 0, "PASS (1 not reproduced): report in"),
        ([SMALL_BASS, BROKEN], 1, "FAIL: report in"),
    ],
)
@pytest.mark.slow
def test_validate_command_exit_status(tmp_path, monkeypatch, cases, status, line):
    monkeypatch.setattr(docking, "all_cases", lambda: tuple(cases))
    out = tmp_path / "val"
    result = CliRunner().invoke(main, ["validate", "--quick", "--workers", "1", "--out", str(out)])
    assert result.exit_code == status, result.output
    assert (out / "validation.md").is_file()
    assert line in result.output


@pytest.mark.parametrize(
    "args, blocks",
    [
        (["--seed-block", "2"], [2]),
        (["--blocks", "3"], [1, 2, 3]),
        (["--seed-block", "0", "--blocks", "2"], [0, 1]),
    ],
)
@pytest.mark.slow
def test_validate_command_seed_blocks(tmp_path, monkeypatch, args, blocks):
    monkeypatch.setattr(docking, "all_cases", lambda: (MISFIT,))
    out = tmp_path / "val"
    result = CliRunner().invoke(
        main, ["validate", "--quick", "--workers", "1", "-q", "--out", str(out), *args]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert data["seed_blocks"] == blocks
    assert data["command"] == "milieusim validate --quick " + " ".join(args)


def test_validate_command_usage_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["validate", "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert result.output.startswith("error: --out")
    result = CliRunner().invoke(main, ["validate", "--workers", "0"])
    assert result.exit_code == 2
    for bad in (["--seed-block", "-1"], ["--blocks", "0"]):
        assert CliRunner().invoke(main, ["validate", *bad]).exit_code == 2


def test_every_case_plans_tasks_at_quick_size():
    names = [case.name for case in (*docking.all_cases(), *docking.extra_cases())]
    assert names[:5] == ["bass", "watts", "centola-macy", "rogers", "march"]
    assert len(set(names)) == len(names)
    for case in docking.all_cases():
        assert case.tasks(case.settings("quick"))
    assert patterns.PATTERNS[0].settings("quick").quick is True


def test_calibration_counts_the_week_a_unit_reached_a_fifth_of_its_staff():
    from milieusim.validation.calibration import _week_reaching

    weeks = np.array([5, 3, 9, 1, 7, 2])
    units = np.array([0, 0, 0, 1, 1, 0])
    need = np.array([3.0, 2.0, 1.0])  # unit 2 has no user
    got = _week_reaching(weeks, units, need)
    assert got[0] == 5 and got[1] == 7 and got[2] > 10**6


@pytest.mark.slow
def test_calibration_case_runs_every_shipped_scenario():
    from milieusim.validation import calibration

    result = docking.run_case(calibration.CALIBRATION, "quick", workers=1)
    cost = [c for c in result.checks if c.quantity.startswith("Cost index")]
    names = {c.quantity.split(":")[0] for c in result.checks if c.passed is None} - {
        c.quantity for c in cost
    }
    assert names == set(calibration.SCENARIOS)
    assert len(cost) == len(calibration.SCENARIOS)
    # The quick size's 4 runs give an interval that says little: the cost bound is
    # reported there, and tested (a miss is a FAIL) at the full size's 20 runs.
    assert all(not c.tested and "tested at full size" in c.tolerance for c in cost)
    assert all(c.miss == "FAIL" for c in cost)
    assert calibration.CalibrationSettings().runs == 20


def test_robustness_constants_are_the_ends_of_their_morris_ranges():
    from milieusim.experiment import load_experiment
    from milieusim.params import ORGANISATION_PARAMETERS
    from milieusim.validation import robustness

    ranges = load_experiment("morris-all").design.values
    assert len(robustness.CONSTANTS) == 5
    for name, low, high in robustness.CONSTANTS:
        assert name not in ORGANISATION_PARAMETERS
        assert (low, high) == tuple(ranges[name])


def test_robustness_verdicts_hold_reverse_or_not_shown():
    from milieusim.validation import robustness

    s = robustness.RobustnessSettings(runs=6, quick=True)
    conds = robustness._conditions(s)
    signs = {p.name: p.sign for p in robustness.PATTERNS}
    # Per constant's end: the expected sign at the low end, the opposite sign at the
    # high end of the first constant, no effect elsewhere.
    first = robustness.CONSTANTS[0][0]
    noise = np.array([0.0, 0.1, -0.1, 0.05, -0.05, 0.0])
    outputs = []
    for j, (name, end, _, label, _) in enumerate(conds):
        pattern, side = label.split(":")
        outcome = next(p.outcome for p in robustness.PATTERNS if p.name == pattern)
        shift = 0.0
        if side == "changed" and name == first:
            shift = signs[pattern] * (1.0 if end == "low" else -1.0)
        for r in range(s.runs):
            task = Task("robustness", (j, r), robustness.evidence_run, {})
            outputs.append((task, {outcome: 10.0 + shift + (noise[r] if side == "base" else 0)}))
    result = robustness.evaluate(s, outputs)
    table = result.data["table"]
    low, high = robustness.CONSTANTS[0][1:]
    assert set(table[f"{first} = {low:g} (low)"].values()) == {"holds"}
    assert set(table[f"{first} = {high:g} (high)"].values()) == {"reversed"}
    other = robustness.CONSTANTS[1]
    assert set(table[f"{other[0]} = {other[1]:g} (low)"].values()) == {"not shown"}
    assert sum(c.passed for c in result.checks) == len(robustness.PATTERNS)


def test_parameters_case_gives_every_numeric_parameter_two_values_in_its_range():
    from milieusim.params import PARAMETERS
    from milieusim.validation.parameters import _ranges, default_range

    ranges = _ranges()
    for name, values in ranges.items():
        p = PARAMETERS[name]
        assert len(set(values)) >= 2, name
        if p.type in ("int", "float"):
            assert all(p.low <= v <= p.high for v in values), (name, values)
    # A parameter neither screened nor listed gets half to twice its default.
    assert default_range(PARAMETERS["pilot_weeks"]) == (13, 52)
    low, high = default_range(PARAMETERS["external_influence"])
    assert low < PARAMETERS["external_influence"].default < high


def test_dynamics_figure_shows_the_quality_and_cost_grid():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from milieusim.validation.mechanisms import _plot_quality_cost

    grid = {
        "0.2,0.2": {"better_with_less": 0.9, "quality_at_a_cost": 0.05},
        "0.8,0.8": {"better_with_less": 0.6, "quality_at_a_cost": 0.1},
    }
    fig, ax = plt.subplots()
    _plot_quality_cost(ax, grid)
    heights = sorted(round(p.get_height()) for p in ax.patches)
    plt.close(fig)
    assert heights == [5, 10, 60, 90]


# --- resuming, the report's folder, progress (issue 20: N1–N4) -------------------------------

INTERRUPT = {"on": False, "calls": 0}


def _interrupting(a: int, b: int, seed: int = 0) -> int:
    INTERRUPT["calls"] += 1
    if INTERRUPT["on"]:
        raise KeyboardInterrupt
    return a + b


def _late_evaluate(settings: Toy, outputs):
    value = outputs[0][1]
    return CaseResult(
        "late", "Late", "none", "a sum", [Check("1 + 2", "3", str(value), "", value == 3)]
    )


LATE = Case(
    "late",
    "Late",
    lambda size: Toy(),
    lambda s: [Task("late", (0,), _interrupting, {"a": 1, "b": 2, "seed": s.seed})],
    _late_evaluate,
    _no_plot,
)


def test_an_interrupted_validation_goes_on_where_it_stopped(tmp_path, monkeypatch):
    """N1: each case's result on each block is kept as soon as it is known; run again,
    a validation runs only what is missing, and reports what an uninterrupted one does.
    A kept file that holds anything but a result's data is ignored, never run."""
    work = tmp_path / "work"
    monkeypatch.setitem(INTERRUPT, "on", True)
    with pytest.raises(KeyboardInterrupt):
        run_validation(quick=True, workers=1, cases=[MISFIT, LATE], blocks=(1, 2), work=work)
    assert sorted(p.name for p in work.iterdir() if p.is_file()) == ["misfit.block-1.quick.pickle"]
    monkeypatch.setitem(INTERRUPT, "on", False)
    monkeypatch.setitem(INTERRUPT, "calls", 0)
    resumed = run_validation(quick=True, workers=1, cases=[MISFIT, LATE], blocks=(1, 2), work=work)
    assert resumed.resumed == 1 and INTERRUPT["calls"] == 2  # late's two blocks only
    whole = run_validation(quick=True, workers=1, cases=[MISFIT, LATE], blocks=(1, 2))
    assert [r.checks for r in resumed.results] == [r.checks for r in whole.results]
    assert [[r.setup for r in b] for b in resumed.by_block] == [
        [r.setup for r in b] for b in whole.by_block
    ]

    class Foreign:
        def __reduce__(self):
            return (Path.touch, (tmp_path / "ran",))

    folder = WorkFolder(work, "quick")
    folder.path("misfit", 1).write_bytes(pickle.dumps({"key": "x", "result": Foreign()}))
    assert folder.load("misfit", 1, seed_block(Toy(), 1)) is None
    assert not (tmp_path / "ran").exists()


SHARING = Case(
    "sharing",
    "Late's run, asked for by another case",
    lambda size: Toy(),
    lambda s: [Task("sharing", (0,), _interrupting, {"a": 1, "b": 2, "seed": s.seed})],
    _late_evaluate,
    _no_plot,
)


def test_runs_kept_in_the_work_folder_are_shared_between_cases_and_validations(
    tmp_path, monkeypatch
):
    """A piece of work (same function, parameters and seed) done by one validation is not
    run again by a later one, whichever case asks for it; a stored run that does not match
    the work, or holds anything but plain data, is run again."""
    work = tmp_path / "work"
    monkeypatch.setitem(INTERRUPT, "calls", 0)
    first = run_validation(quick=True, workers=1, cases=[LATE], blocks=(1,), work=work)
    assert INTERRUPT["calls"] == 1 and len(list((work / "runs").iterdir())) == 1
    second = run_validation(quick=True, workers=1, cases=[SHARING], blocks=(1,), work=work)
    assert INTERRUPT["calls"] == 1  # the shared run came from the folder
    assert second.results[0].checks == first.results[0].checks
    run_validation(quick=True, workers=1, cases=[SHARING], blocks=(2,), work=work)
    assert INTERRUPT["calls"] == 2  # another seed is other work
    for path in (work / "runs").iterdir():
        path.write_bytes(pickle.dumps({"key": "other", "output": 3, "seconds": 0.0}))
    (work / "sharing.block-1.quick.pickle").unlink()
    run_validation(quick=True, workers=1, cases=[SHARING], blocks=(1,), work=work)
    assert INTERRUPT["calls"] == 3


def _validate(tmp_path, monkeypatch, *args):
    monkeypatch.setattr(docking, "all_cases", lambda: (MISFIT,))
    return CliRunner().invoke(main, ["validate", "--quick", "--workers", "1", *args])


def test_validate_checks_its_folder_before_running(tmp_path, monkeypatch):
    """N2, N3: a folder holding anything validate does not write, or a report it would
    replace without --overwrite, or a report file of the wrong kind, is refused at once
    (one line, exit 2, nothing changed); --overwrite replaces a report, stale figures too."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "validation.md").write_text("MY NOTES")
    result = _validate(tmp_path, monkeypatch, "--out", str(mine))
    assert result.exit_code == 2 and "holds an earlier report (validation.md)" in result.stderr
    assert (mine / "validation.md").read_text() == "MY NOTES" and len(list(mine.iterdir())) == 1
    (mine / "notes.txt").write_text("keep")
    result = _validate(tmp_path, monkeypatch, "--out", str(mine), "--overwrite")
    assert result.exit_code == 2 and "not the folder of a validation report" in result.stderr
    for name, make in (("figures", Path.write_text), ("validation.md", Path.mkdir)):
        folder = tmp_path / f"bad-{name}"
        folder.mkdir()
        make(folder / name, *(["x"] if make is Path.write_text else []))
        result = _validate(tmp_path, monkeypatch, "--out", str(folder))
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and "is not the" in result.stderr
        assert [p.name for p in folder.iterdir()] == [name]
    val = tmp_path / "val"
    assert _validate(tmp_path, monkeypatch, "--out", str(val), "-q").exit_code == 0
    (val / "figures" / "old.png").write_bytes(b"")
    again = _validate(tmp_path, monkeypatch, "--out", str(val), "-q")
    assert again.exit_code == 2 and "--overwrite" in again.stderr
    again = _validate(tmp_path, monkeypatch, "--out", str(val), "-q", "--overwrite")
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (val / "figures").iterdir()) == ["misfit.png"]
    assert sorted(p.name for p in val.iterdir()) == ["figures", "validation.json", "validation.md"]


def test_validate_refuses_a_huge_number_of_blocks_at_once(tmp_path):
    """N4: --blocks 10¹² gave a MemoryError traceback (10⁶: 1 GB and no output)."""
    result = CliRunner().invoke(
        main, ["validate", "--blocks", "1000000000000", "--out", str(tmp_path / "v")]
    )
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ") and "--blocks" in result.stderr
    assert not (tmp_path / "v").exists()


def test_validate_prints_progress_lines_off_a_terminal(tmp_path, monkeypatch):
    """Off a terminal, progress is plain lines on stderr (a bar would be one long line)."""
    result = _validate(tmp_path, monkeypatch, "--out", str(tmp_path / "v"))
    assert result.exit_code == 0, result.output
    assert re.search(
        r"^validate --quick: 1/1 tasks \(case misfit, block 0\), 0:00:\d\d elapsed$",
        result.stderr,
        re.M,
    ), result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, module", [("docking-watts", watts), ("docking-centola-macy", centola_macy)]
)
def test_from_results_evaluates_the_shipped_sweep(tmp_path: Path, name: str, module) -> None:
    """A sweep of the shipped docking experiment (quick, 2 replications) is evaluated by
    ``from_results`` as ``validate`` evaluates its own runs: one table row per design
    point, every run counted, the same checks' quantities as the case's own evaluation."""
    from milieusim.experiment import load_experiment, run_sweep
    from milieusim.experiment.store import load_results

    spec = load_experiment(name)
    run_sweep(spec, tmp_path / "sweep", workers=1, quick=True, replications=2, progress=False)
    results = load_results(tmp_path / "sweep")
    result = module.from_results(results)
    table = pd.DataFrame(result.data["table"])
    runs = results.runs
    assert int(table["runs"].sum()) == len(runs)
    assert (table["runs"] == 2).all()
    assert result.checks and all(c.quantity for c in result.checks)
    share = runs["adoption_share"].to_numpy(dtype=float)
    if module is watts:
        assert table["cascades"].sum() == int((share > watts.GLOBAL).sum())
    else:
        assert table["final"].mean() == pytest.approx(share.mean())


def test_criterion_text_states_the_threshold() -> None:
    """The "published" column comes from the criterion: its threshold in words."""
    from milieusim.analysis.stats import Criterion, Effect
    from milieusim.validation.case import Claim

    assert Criterion("below", -0.20).text() == "lower by at least 20 %"
    assert Criterion("above", 0.10).text() == "higher by at least 10 %"
    assert Criterion("above", 0.0).text() == "higher"
    assert Criterion("within", 0.05).text() == "changed by less than 5 %"
    assert Criterion("below", 0.2).text(change=False) == "below 20 %"
    assert Criterion("above", 0.9).text(change=False, percent=False) == "above 0.9"
    assert Criterion("below", -0.20).text("fr") == "plus bas d'au moins 20\u202f%"
    claim = Claim("Uptake", Criterion("below", -0.20), lambda d: d, percent=True, why="closure")
    check = claim.check(Effect(-0.3, -0.35, -0.25))
    assert check.published == "lower by at least 20 % (closure)"
    assert check.passed and check.tolerance == "95 % CI below -20.00 %"
    assert not claim.check(Effect(-0.3, -0.35, -0.15)).passed


def test_claims_leave_their_thresholds_to_the_criterion() -> None:
    """Checks are data: each claim of the mechanisms and dynamics cases names a criterion,
    and its reason states no number (the threshold is the criterion's, in its own words)."""
    from milieusim.analysis.stats import Criterion
    from milieusim.validation import mechanisms
    from milieusim.validation.case import Claim

    claims = [
        line
        for line in (*mechanisms.MECHANISM_CLAIMS, *mechanisms.DYNAMICS_CLAIMS)
        if isinstance(line, Claim)
    ]
    assert len(claims) >= 15
    for claim in claims:
        assert isinstance(claim.criterion, Criterion)
        assert not re.search(r"\d", claim.why), claim.why
        assert claim.published.startswith(
            claim.criterion.text(change=claim.change, percent=claim.percent, unit=claim.unit)
        )


def test_ols_slope_is_statsmodels_ols():
    """The slope and its standard error, as statsmodels' OLS gives them."""
    sm = pytest.importorskip("statsmodels.api")
    from milieusim.validation.case import ols_slope

    rng = np.random.default_rng(3)
    x = np.linspace(0, 1, 12)
    y = 0.4 * x + rng.normal(0, 0.1, x.size)
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    slope, se = ols_slope(x, y)
    assert slope == pytest.approx(fit.params[1]) and se == pytest.approx(fit.bse[1])
