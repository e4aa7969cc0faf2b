"""The ABC-SMC pieces, a tiny calibration end to end (determinism across workers,
resuming) and ``milieusim calibrate``'s errors on bad input."""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from milieusim.calibration.abc import (
    candidate_seed,
    distance,
    kernel_covariance,
    prior_density,
    propose,
    sample_prior,
    smc_weights,
    weighted_quantiles,
)
from milieusim.calibration.predictive import _inside
from milieusim.calibration.problem import (
    CalibrationError,
    Fitted,
    Prior,
    load_problem,
)
from milieusim.calibration.recovery import _target
from milieusim.calibration.simulate import draw_levers
from milieusim.cli import main

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ROOT / "targets" / "public-innovation.toml"
CONFIG = ROOT / "targets" / "calibration.toml"

TINY = """
[organisation]
n_staff = 40
n_units = 4
steps = 60
lever_sd = 0.1

[abc]
population = 6
generations = 2
budget = 200
predictive = 4

[prior.inertia]
distribution = "uniform"
low = 0.1
high = 0.9

[prior.imitation]
distribution = "loguniform"
low = 0.02
high = 0.4
"""


def _fitted(answer: str, value: float, sd: float, weight: float = 1.0) -> Fitted:
    return Fitted(_target(answer, value), sd, weight)


# --- the pieces --------------------------------------------------------------------------------


def test_distance_is_zero_at_the_targets_and_scales_with_the_sd() -> None:
    fitted = [_fitted("introduced", 0.8, 0.1), _fitted("latest_copied", 0.2, 0.05)]
    assert distance({"introduced": 0.8, "latest_copied": 0.2}, fitted) == 0.0
    # gaps of 1 sd in each term: root mean square 1
    assert distance({"introduced": 0.9, "latest_copied": 0.25}, fitted) == pytest.approx(1.0)
    # a missing answer counts as the largest gap a share can have
    assert distance({"introduced": math.nan, "latest_copied": 0.2}, fitted) == pytest.approx(
        math.sqrt((0.8 / 0.1) ** 2 / 2)
    )


def test_distance_weights_answers_shared_by_several_targets() -> None:
    fitted = [
        _fitted("introduced", 0.8, 0.1, 0.5),
        _fitted("introduced", 0.8, 0.1, 0.5),
        _fitted("latest_copied", 0.2, 0.1),
    ]
    d = distance({"introduced": 1.0, "latest_copied": 0.2}, fitted)
    assert d == pytest.approx(math.sqrt(4.0 / 2))


def test_prior_sampling_and_density() -> None:
    priors = [Prior("inertia", "uniform", 0.2, 0.6), Prior("imitation", "loguniform", 0.02, 0.4)]
    x = sample_prior(priors, 500, np.random.default_rng(3))
    assert x.shape == (500, 2)
    assert (x[:, 0] >= 0.2).all() and (x[:, 0] <= 0.6).all()
    assert (x[:, 1] >= 0.02).all() and (x[:, 1] <= 0.4).all()
    assert prior_density(priors, np.array([0.7, 0.1]))[0] == 0.0
    assert prior_density(priors, np.array([0.4, 0.1]))[0] == pytest.approx(
        2.5 / (0.1 * math.log(20))
    )


def test_normal_prior_is_truncated_to_the_parameter_range() -> None:
    prior = Prior("inertia", "normal", 0.9, 0.5)
    draws = prior.frozen.rvs(size=2000, random_state=np.random.default_rng(1))
    assert draws.min() >= 0.0 and draws.max() <= 1.0


def test_proposals_stay_inside_the_prior() -> None:
    priors = [Prior("inertia", "uniform", 0.1, 0.3)]
    rng = np.random.default_rng(5)
    theta = np.array([[0.11], [0.12], [0.29]])
    w = np.array([0.2, 0.3, 0.5])
    cov = kernel_covariance(theta, w)
    proposals = propose(priors, theta, w, cov, 200, rng)
    assert (proposals >= 0.1).all() and (proposals <= 0.3).all()


def test_smc_weights_undo_the_kernel() -> None:
    """One previous particle: the weight is prior / kernel density, so proposals near the
    ancestor (over-represented) weigh less than those far from it."""
    priors = [Prior("inertia", "uniform", 0.0, 1.0)]
    previous = np.array([[0.5]])
    cov = np.array([[0.01]])
    theta = np.array([[0.5], [0.7]])
    w = smc_weights(priors, theta, previous, np.array([1.0]), cov)
    assert w.sum() == pytest.approx(1.0)
    ratio = math.exp(-0.5 * 0.2**2 / 0.01)  # K(0.7)/K(0.5)
    assert w[1] / w[0] == pytest.approx(1 / ratio)


def test_weighted_quantiles() -> None:
    values = np.arange(1.0, 101.0)
    assert weighted_quantiles(values, np.ones(100), [0.5])[0] == pytest.approx(50.5)
    heavy = np.ones(100)
    heavy[-1] = 1000.0
    assert weighted_quantiles(values, heavy, [0.5])[0] == pytest.approx(100.0, abs=0.2)


def test_candidate_seeds_differ_and_repeat() -> None:
    seeds = {candidate_seed(1, g, i) for g in range(3) for i in range(50)}
    assert len(seeds) == 150
    assert candidate_seed(1, 2, 7) == candidate_seed(1, 2, 7)


def test_levers_drawn_around_their_means() -> None:
    rng = np.random.default_rng(2)
    draws = np.array([draw_levers({"openness": 0.7}, 0.1, rng)["openness"] for _ in range(3000)])
    assert draws.mean() == pytest.approx(0.7, abs=0.01)
    assert draws.std() == pytest.approx(0.1, abs=0.01)
    fixed = draw_levers({"openness": 0.7}, 0.0, rng)
    assert fixed["openness"] == 0.7 and fixed["inertia"] == 0.5


def test_predictive_verdicts() -> None:
    assert _inside("share", 0.5, 0.4, 0.45, 0.6) is True
    assert _inside("share", 0.7, 0.4, 0.45, 0.6) is False
    assert _inside("sign", 0.0, -0.1, 0.1, 0.2) is True
    assert _inside("sign", 0.0, 0.05, 0.1, 0.2) is False
    assert _inside("sign", 1.0, -0.1, 0.1, 0.2) is True


# --- the file --------------------------------------------------------------------------------


def test_shipped_configuration_loads() -> None:
    problem = load_problem(TARGETS, CONFIG, hold_out="no_ks2020_incidence")
    assert problem.held_out is not None
    assert "no_ks2020_incidence" not in {f.target.id for f in problem.fitted}
    # every fitted target is comparable and has a value; shared answers split their weight
    assert all(f.target.comparable in ("yes", "proxy") for f in problem.fitted)
    by_answer: dict[str, float] = {}
    for f in problem.fitted:
        by_answer[f.target.answer] = by_answer.get(f.target.answer, 0.0) + f.weight
    assert all(w == pytest.approx(1.0) for w in by_answer.values())
    assert {"inertia", "rule_collision", "pilot_weeks", "imitation"} <= set(problem.names)
    # without --hold-out, the file's distance.hold_out is left out
    shipped = load_problem(TARGETS, CONFIG)
    assert shipped.held_out is not None and shipped.held_out.id == "dvkl_adoption_rate"
    assert "adopted_after_pilot" not in {f.target.answer for f in shipped.fitted}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[prior.inertia]\ndistribution = "gamma"\nlow = 0\nhigh = 1\n', "allowed: uniform"),
        ('[prior.inertya]\ndistribution = "uniform"\nlow = 0\nhigh = 1\n', "inertia"),
        ('[prior.inertia]\ndistribution = "uniform"\nlow = 0.5\nhigh = 0.2\n', "must be below"),
        ('[prior.inertia]\ndistribution = "uniform"\nlow = 0\nhigh = 2\n', "outside"),
        ('[prior.inertia]\ndistribution = "normal"\nlow = 0\nhigh = 1\n', "not used"),
        ('[prior.n_staff]\ndistribution = "uniform"\nlow = 10\nhigh = 20\n', "organisation"),
        ("[abc]\npopulation = 0\n", "abc.population"),
        ("[abc]\nbudget = 5\npopulation = 10\n", "below abc.population"),
        ("[organisation]\nsize = 3\n", "unknown key"),
        ("[organisation]\nn_units = 50\nn_staff = 20\n", "must not exceed"),
        ("[prior]\n", "no [prior.NAME]"),
        ("colour = 1\n", "unknown top-level key"),
        ('[distance]\nanswers = ["introduced", "happiness"]\n', "not a barometer answer"),
        ("[distance]\nanswers = []\n", "non-empty list"),
        ('[distance]\nhold_out = "nope"\n', "distance.hold_out"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "calibration.toml"
    if "[prior" not in text:
        text += '[prior.inertia]\ndistribution = "uniform"\nlow = 0.1\nhigh = 0.9\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalibrationError, match="calibration.toml") as info:
        load_problem(TARGETS, path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_distance_answers_choose_the_fitted_targets(tmp_path: Path) -> None:
    path = tmp_path / "calibration.toml"
    path.write_text(
        '[distance]\nanswers = ["introduced", "months_proposal_to_routine"]\n'
        '[prior.inertia]\ndistribution = "uniform"\nlow = 0.1\nhigh = 0.9\n',
        encoding="utf-8",
    )
    problem = load_problem(TARGETS, path)
    assert {f.target.answer for f in problem.fitted} == {
        "introduced",
        "months_proposal_to_routine",
    }
    # the targets left out are still in the file's list, for the predictive check
    assert len(problem.targets) > len(problem.fitted)


# --- the command -----------------------------------------------------------------------------


def _call(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["calibrate", *args])
    return result.exit_code, result.output


def test_cli_errors(tmp_path: Path) -> None:
    config = tmp_path / "calibration.toml"
    config.write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    cases = [
        ([str(tmp_path / "none.toml"), "--config", str(config)], "none.toml"),
        ([str(TARGETS), "--config", str(tmp_path / "missing.toml")], "missing.toml"),
        ([str(TARGETS), "--config", str(config), "--hold-out", "nope"], "--hold-out nope"),
        ([str(TARGETS), "--config", str(config), "--hold-out", "dk_wholly_new"], "allowed:"),
        ([str(TARGETS), "--config", str(config), "--resume"], "no calibration to continue"),
        (
            [str(TARGETS), "--config", str(config), "--workers", "2", "--scheduler", "tcp://x:1"],
            "exclude",
        ),
        ([str(TARGETS), "--config", str(config), "--budget", "2"], "below abc.population"),
        ([str(TARGETS), "--config", str(config), "--population", "1"], "--population"),
    ]
    for args, message in cases:
        code, output = _call(*args, "--out", str(out))
        assert code == 2, (args, output)
        assert message in output, (args, output)
        assert output.strip().count("\n") == 0 and "Traceback" not in output
        assert not out.exists()
    out.mkdir()
    (out / "something").write_text("x")
    code, output = _call(str(TARGETS), "--config", str(config), "--out", str(out))
    assert code == 2 and "not empty" in output


def _run(tmp_path: Path, name: str, *extra: str) -> Path:
    config = tmp_path / "calibration.toml"
    config.write_text(TINY, encoding="utf-8")
    out = tmp_path / name
    code, output = _call(
        str(TARGETS), "--config", str(config), "--out", str(out), "--seed", "7", "-q", *extra
    )
    assert code == 0, output
    return out


OUTPUTS = (
    "posterior.parquet",
    "generations/gen-00.parquet",
    "generations/gen-01.parquet",
    "generations.csv",
    "parameters.csv",
    "predictive.csv",
    "predictive.md",
    "predictive.parquet",
    "calibration.json",
    "marginals.png",
    "pairs.png",
)


def test_same_seed_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    one = _run(tmp_path, "one", "--workers", "1", "--hold-out", "no_ks2020_incidence")
    two = _run(tmp_path, "two", "--workers", "2", "--hold-out", "no_ks2020_incidence")
    for name in OUTPUTS:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    table = (one / "predictive.md").read_text(encoding="utf-8")
    assert "`no_ks2020_incidence` | introduced | held out" in table


def test_resume_continues_from_the_last_finished_generation(tmp_path: Path) -> None:
    whole = _run(tmp_path, "whole", "--workers", "1")
    cut = tmp_path / "cut"
    shutil.copytree(whole, cut)
    for name in ("gen-01.parquet", "gen-01.json"):
        (cut / "generations" / name).unlink()
    config = tmp_path / "calibration.toml"
    code, output = _call(
        str(TARGETS),
        "--config",
        str(config),
        "--out",
        str(cut),
        "--seed",
        "7",
        "-q",
        "--workers",
        "1",
        "--resume",
    )
    assert code == 0, output
    for name in OUTPUTS:
        if name != "calibration.json":  # records where it resumed from
            assert (whole / name).read_bytes() == (cut / name).read_bytes(), name
    code, output = _call(
        str(TARGETS), "--config", str(config), "--out", str(cut), "--seed", "8", "--resume"
    )
    assert code == 2 and "another seed" in output


# --- the algorithm on a model with a known posterior -----------------------------------------


@dataclass(frozen=True)
class _Toy:
    """A simulator with a known likelihood: the answer 'introduced' is θ plus normal noise
    of sd 0.05 (drawn from the run's seed)."""

    theta: float
    seed: int

    def __call__(self) -> dict[str, float]:
        noise = np.random.default_rng(self.seed).normal(0.0, 0.05)
        return {"introduced": self.theta + noise}


def test_abc_smc_approaches_the_known_posterior() -> None:
    """Uniform prior on [0, 1], one observation 0.3 with noise sd 0.05: the posterior is
    close to N(0.3, 0.05²). Four generations narrow the prior (sd 0.29) towards it, centre
    on the observation, and the tolerance falls."""
    from milieusim.calibration.abc import next_epsilon, run_generation
    from milieusim.experiment.executors import InlineExecutor

    priors = [Prior("inertia", "uniform", 0.0, 1.0)]
    fitted = [_fitted("introduced", 0.3, 0.05)]
    previous = None
    epsilons = []
    for g in range(5):
        eps = math.inf if previous is None else next_epsilon(previous, 0.5)
        epsilons.append(eps)
        previous = run_generation(
            g,
            seed=11,
            priors=priors,
            fitted=fitted,
            make_task=lambda theta, seed: _Toy(float(theta[0]), seed),
            executor=InlineExecutor(),
            population=300,
            epsilon=eps,
            previous=previous,
            budget=100_000,
        )
    assert previous is not None
    assert epsilons[1:] == sorted(epsilons[1:], reverse=True)
    w = previous.weights
    x = previous.theta[:, 0]
    mean = float(w @ x)
    sd = float(np.sqrt(w @ (x - mean) ** 2))
    assert mean == pytest.approx(0.3, abs=0.02)
    assert 0.03 < sd < 0.1
    lo, hi = weighted_quantiles(x, w, [0.05, 0.95])
    assert lo < 0.3 < hi


def test_several_organisations_average_their_answers() -> None:
    from milieusim.calibration.problem import Organisation
    from milieusim.calibration.simulate import Simulation, survey_run

    values = (("inertia", 0.3),)
    one = Organisation(n_staff=40, n_units=4, steps=60, lever_sd=0.1)
    two = Organisation(n_staff=40, n_units=4, steps=60, lever_sd=0.1, organisations=2)
    first = Simulation(values, one, 5)()
    assert survey_run(dict(values), two, 5) == first
    both = Simulation(values, two, 5)()
    second_seed = int(
        np.random.SeedSequence(5, spawn_key=(2, 1)).generate_state(1, dtype=np.uint64)[0] >> 1
    )
    second = survey_run(dict(values), two, second_seed)
    for key in ("introduced", "latest_copied"):
        expected = (
            np.nanmean([first[key], second[key]])
            if not (math.isnan(first[key]) and math.isnan(second[key]))
            else math.nan
        )
        assert both[key] == pytest.approx(expected, nan_ok=True)


@pytest.mark.slow
def test_docs_section_is_written_between_its_markers(tmp_path: Path) -> None:
    from milieusim.calibration.report import BEGIN, END, write_docs

    out = _run(tmp_path, "docs", "--workers", "1", "--hold-out", "no_ks2020_incidence")
    assert (out / "timing.json").is_file()
    doc = tmp_path / "calibration.md"
    doc.write_text(f"# Title\n\nkept\n\n{BEGIN}\nold\n{END}\n\nafter\n", encoding="utf-8")
    write_docs(out, doc, "milieusim calibrate T")
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nkept\n") and text.endswith(f"{END}\n\nafter\n")
    assert "old" not in text
    assert "| `inertia` |" in text and "**Held-out target** `no_ks2020_incidence`" in text
    assert (tmp_path / "images" / "calibration-marginals.png").is_file()
    doc.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no generated section"):
        write_docs(out, doc, "x")
