"""``sweep --until-half-width``: replications added in batches until an interval is narrow.

Real sweeps of a small grid (6 points, 200 staff, 30 weeks); the half-width printed is
checked against the one ``analyze --contrast`` computes on the folder.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sweepkit import grid_experiment

from milieusim.analysis.contrasts import contrasts
from milieusim.analysis.precision import Precision, next_replications, precision
from milieusim.cli import main
from milieusim.experiment.store import load_results

EXPERIMENT = grid_experiment("Essai de la précision", "Precision test", replications=3)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("experiment") / "precision.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


def test_batches_stop_once_the_contrast_is_narrow_enough(
    experiment_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stdout, err = invoke(
        "sweep", str(experiment_file), "--out", str(out), "--workers", "2",
        "--until-half-width", "0.5", "--max-replications", "16",
        "--outcome", "ideas", "--contrast", "inertia=0.2:0.8",
    )  # fmt: skip
    assert code == 0, err
    batches = [int(n) for n in re.findall(r"^(\d+) replications: widest", stdout, re.M)]
    assert batches[0] == 3 and batches == sorted(batches) and len(batches) >= 2
    assert all(b <= 2 * a for a, b in zip(batches, batches[1:], strict=False))
    reached = re.search(
        r"reached: 95% half-width ([\d.]+) ≤ 0\.500 with (\d+) replications", stdout
    )
    assert reached is not None, stdout
    results = load_results(out)
    assert int(reached.group(2)) == batches[-1] == results.manifest["replications"]
    table = contrasts(results, "inertia=0.2:0.8", outcomes=["ideas"])
    half = float((table["ci_high"] - table["ci_low"]).iloc[0] / 2)
    assert half <= 0.5 and f"{half:.3g}" == f"{float(reached.group(1)):.3g}"
    # the batch before the last was not narrow enough
    before = re.findall(r"half-width ([\d.]+) \(B − A\)", stdout)
    assert float(before[-2]) > 0.5


def test_the_cap_stops_the_batches_and_exit_1(experiment_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, err = invoke(
        "sweep", str(experiment_file), "--out", str(out), "--workers", "2", "-q",
        "--until-half-width", "0.001", "--max-replications", "5", "--outcome", "ideas",
    )  # fmt: skip
    assert code == 1 and "not reached" in stdout and "at the cap of 5 replications" in stdout
    assert "half-width target was not reached" in err
    state = precision(out, "ideas", 0.001)
    assert state.replications == 5 and state.half_width > 0.001
    assert state.where.startswith("point ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-replications", "5"], "--max-replications goes with --until-half-width"),
        (["--until-half-width", "0.1"], "needs --max-replications"),
        (["--outcome", "ideas"], "--outcome goes with --until-half-width"),
        (["--until-half-width", "0.1", "--max-replications", "5", "--outcome", "idea"],
         "unknown outcome 'idea' (did you mean 'ideas'?)"),
        (["--until-half-width", "0.1", "--max-replications", "5", "--contrast", "openness=0:1"],
         "PARAM one of the parameters the design varies: inertia, serendipity"),
        (["--until-half-width", "0.1", "--max-replications", "2"], "below the 3 replications"),
        (["--until-half-width", "0.1", "--max-replications", "9", "--shard", "1/2"],
         "exclude each other"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_and_write_nothing(
    experiment_file: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    code, _, err = invoke("sweep", str(experiment_file), "--out", str(out), *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_next_batch_follows_the_sd_within_bounds() -> None:
    def state(replications: int, needed: float) -> Precision:
        return Precision(1.0, replications, needed, "B − A")

    assert next_replications(state(4, 6), 100) == 6
    assert next_replications(state(4, 50), 100) == 8  # at most twice as many
    assert next_replications(state(4, 3), 100) == 5  # at least one more
    assert next_replications(state(4, math.nan), 100) == 8
    assert next_replications(state(4, 50), 7) == 7  # never above the cap
