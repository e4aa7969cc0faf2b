"""`discover` on a shipped sweep finds the paralysis region as its first PRIM box.

Criterion, written before the first run (issue 19, "Done when"): the shipped experiment
`sobol-global`, run with `--quick` as shipped (its [quick] table: N = 8, 88 design points
× 2 replications = 176 runs, 52 weeks of 300 staff; the full sweep, 1,408 runs of five
years, is too long for a test), then `milieusim discover DIR --where "paralysis > 0.5"`
(more than half of the managers frozen at the end). PRIM's first box (the step chosen by
`discover`: the highest coverage with density ≥ 0.8) must be "institutional uncertainty
above a threshold":

* it restricts institutional_uncertainty from below, with a lower bound in (0.3, 0.8)
  (the collective threshold lies below the managers' mean tolerance for ambiguity, 0.6,
  and above the low uncertainties where no one freezes), and not from above (upper
  bound ≥ 0.99);
* any other parameter it restricts keeps at least 80 % of its range [0, 1];
* its density and coverage are both ≥ 0.8.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from clitools import invoke

pytest.importorskip("ema_workbench")

from milieusim.analysis.discovery import prim_box  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sobol_quick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "sg"
    done = invoke("sweep", "sobol-global", "--out", out, "--quick", "--workers", "2")
    assert done.exit_code == 0, done.output
    return out


def test_first_prim_box_of_sobol_global_is_the_paralysis_region(sobol_quick: Path) -> None:
    runs = pd.read_parquet(sobol_quick / "runs")
    assert len(runs) == 176
    done = invoke("discover", sobol_quick, "--where", "paralysis > 0.5")
    assert done.exit_code == 0, done.output
    box = pd.read_csv(sobol_quick / "analysis" / "prim_box1.csv").set_index("parameter")
    print(box.to_string())  # the box, for the record (pytest -s)
    assert "institutional_uncertainty" in box.index
    uncertainty = box.loc["institutional_uncertainty"]
    assert 0.3 < float(uncertainty["low"]) < 0.8
    assert float(uncertainty["high"]) >= 0.99
    others = box.drop(index="institutional_uncertainty")
    assert ((others["high"] - others["low"]) >= 0.8).all(), others
    stats = prim_box(sobol_quick, "paralysis > 0.5").stats  # the step discover chose
    print(stats.to_string())
    assert float(stats["density"]) >= 0.8
    assert float(stats["coverage"]) >= 0.8
