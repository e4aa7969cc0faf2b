"""Golden test: the model's behaviour, pinned while its code moves.

Recorded before the model was cut along its submodels (issue 16): every shipped scenario ×
seeds 1 and 2, over its whole length (so that every scheduled event acts); the hashes of the
weekly time series and of the innovations table.
Common random numbers make the runs exact, so any change of behaviour changes a hash.

A deliberate change of the model's behaviour regenerates the file, with its reason in the
commit: ``uv run python tests/test_golden.py --record``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from milieusim.runner import run_scenario
from milieusim.scenario import shipped_scenarios

GOLDEN = Path(__file__).parent / "golden" / "model.json"
SEEDS = (1, 2)


def frame_digest(frame: pd.DataFrame) -> str:
    """A digest of a table's columns, dtypes and values (independent of file formats)."""
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def digests() -> dict[str, dict[str, str]]:
    """Today's digests: ``{"<scenario> seed <s>": {"timeseries": …, "innovations": …}}``."""
    out: dict[str, dict[str, str]] = {}
    for scenario in shipped_scenarios():
        for seed in SEEDS:
            result = run_scenario(scenario, seed=seed)
            out[f"{scenario.name} seed {seed}"] = {
                "timeseries": frame_digest(result.timeseries),
                "innovations": frame_digest(result.innovations),
            }
    return out


@pytest.mark.slow
def test_model_behaviour_is_unchanged() -> None:
    """Every shipped scenario × two seeds gives the recorded time series and innovations."""
    expected = json.loads(GOLDEN.read_text())
    assert digests() == expected


if __name__ == "__main__":
    if "--record" not in sys.argv:
        sys.exit("usage: python tests/test_golden.py --record")
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(digests(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
