"""Each docking case on a reduced size, the learning law they share, and the report.

Sizes and seeds are fixed; each case states its tolerance in its checks (see
``milieusim.docking``). Together these run in well under a minute.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import milieusim.docking as docking
from milieusim.cli import main
from milieusim.docking import bass, centola_macy, march, patterns, rogers, watts
from milieusim.docking.core import Case, CaseResult, Check, Task
from milieusim.docking.validate import run_validation, write_report
from milieusim.learning import close_gap, imitate, reinforced_rate


def verdicts(result: CaseResult) -> dict[str, str]:
    return {c.quantity: c.verdict for c in result.checks}


def test_watts_cascade_window_on_2000_staff():
    """Frequency of global cascades at z = 3 within 3 binomial SE (+0.05) of Watts's
    analytic value, none at z = 0.5 and z = 8, almost total cascades near the upper edge
    (z = 5.5)."""
    s = watts.WattsSettings(n_staff=2000, degrees=(0.5, 3.0, 5.5, 8.0), runs=40)
    result = watts.run(s)
    assert result.passed, [(c.quantity, c.ours) for c in result.checks]
    tested = [c.quantity for c in result.checks if c.passed is not None]
    assert len(tested) == 4  # below, z = 3, above, edge size


def test_watts_analytic_window():
    lower, upper = watts.cascade_window(0.18)
    assert lower == pytest.approx(1.02, abs=0.01)
    assert upper == pytest.approx(5.76, abs=0.01)
    assert watts.cascade_frequency(0.9) == 0.0
    assert watts.cascade_frequency(7.0) == 0.0
    assert 0.8 < watts.cascade_frequency(3.0) < 0.95


def test_centola_macy_complex_contagion_collapses_with_rewiring():
    s = centola_macy.CentolaMacySettings(n_staff=300, rewirings=(0.0, 0.01, 1.0), runs=5)
    result = centola_macy.run(s)
    assert result.passed, [(c.quantity, c.ours) for c in result.checks]
    table = result.data["table"]
    simple_times = [t for t, b, T in zip(table["time"], table["beta"], table["T"],
                                         strict=True) if T == 1]
    assert simple_times[0] == np.ceil((300 - 7) / 6)  # the unrewired ring: 3 places a week


def test_rogers_classifier_and_bass_limit():
    s = rogers.RogersSettings(runs=2, bass_runs=30)
    result = rogers.run(s)
    assert result.passed
    assert [c.verdict for c in result.checks][:2] == ["PASS", "PASS"]
    assert all(c.verdict == "reported" for c in result.checks[2:])
    shares = rogers.classify(np.random.default_rng(1).normal(50, 8, 50_000).round())
    assert shares.sum() == pytest.approx(1.0)
    assert shares == pytest.approx(rogers.NORMAL, abs=0.01)


def test_march_slow_socialisation_and_fast_code_learning_know_most():
    s = march.MarchSettings(p1=(0.1, 0.5, 0.9), p2=(0.1, 0.9), runs=150, variants=(True,))
    result = march.run(s)
    assert result.passed, [(c.quantity, c.ours) for c in result.checks]
    curves = result.data["curves"]
    assert curves["gradual 0.9"][0] > 0.93  # March's Fig. 1: close to 1 at p1 = 0.1


def test_bass_case_at_reduced_size():
    result = bass.run(bass.BassSettings(runs=20))
    assert result.passed


def test_learning_law_shared_with_march():
    """imitate's expected share of beliefs agreeing with the reference is close_gap's."""
    rng = np.random.default_rng(0)
    beliefs = rng.integers(-1, 2, size=(4000, 30)).astype(np.int8)
    reference = np.where(rng.random(30) < 0.5, -1, 1).astype(np.int8)
    before = (beliefs == reference).mean()
    after = (imitate(beliefs, reference, 0.3, rng) == reference).mean()
    assert after == pytest.approx(close_gap(before, 1.0, 0.3), abs=0.005)
    gradual = imitate(np.array([-1, 0, 1], dtype=np.int8), np.array([1, 1, 1], dtype=np.int8),
                      1.0, rng, gradual=True)
    assert gradual.tolist() == [0, 1, 1]
    assert imitate(np.array([1, -1]), np.array([0, 0]), 1.0, rng).tolist() == [1, -1]
    assert reinforced_rate(0.5, np.array([0, 1, 2, -1])).tolist() == [0.0, 0.5, 0.75, 0.0]


def test_model_knowledge_update_uses_the_shared_law():
    from milieusim.model import MilieuModel

    model = MilieuModel(rng=3, n_staff=300, n_units=3, steps=120, learning_capacity=0.7)
    k0 = model.knowledge_stock
    model.run_model()
    assert model.approvals > 0 and model.knowledge_stock != k0


def test_experiment_files_match_the_scenarios():
    from milieusim.experiment import load_experiment

    for name, scenario in (("docking-watts", "docking/watts"),
                           ("docking-centola-macy", "docking/centola-macy")):
        spec = load_experiment(name)
        assert spec.scenario.name == scenario
        assert spec.quick().base["steps"] == spec.base["steps"]  # steps stay an upper bound


# --- the report and the command ------------------------------------------------------------


def _add(a: int, b: int) -> int:
    return a + b


def _failing_tasks(settings):
    return [Task("broken", (0,), _add, {"a": 1, "b": 2})]


def _failing_evaluate(settings, outputs):
    return CaseResult("broken", "A case that fails", "none", "a sum",
                      [Check("1 + 2", "4", str(outputs[0][1]), "exact", outputs[0][1] == 4),
                       Check("a | pipe", "x", "y", "reported", None)])


def _no_plot(result, path):
    path.write_bytes(b"")


BROKEN = Case("broken", "A case that fails", lambda size: None, _failing_tasks,
              _failing_evaluate, _no_plot)
SMALL_BASS = Case("bass", bass.CASE.title, lambda size: bass.BassSettings(runs=5),
                  bass.tasks, bass.evaluate, bass.plot)


def test_report_writer(tmp_path):
    validation = run_validation(quick=True, workers=1, cases=[SMALL_BASS, BROKEN])
    assert not validation.passed
    files = write_report(validation, tmp_path, cases=[SMALL_BASS, BROKEN])
    text = files["validation.md"].read_text(encoding="utf-8")
    assert "**Overall: FAIL** — 2 of 3 tested checks passed" in text
    assert "![Pattern 1 — Bass (1969): S-shaped adoption](figures/bass.png)" in text
    assert "a \\| pipe" in text
    assert (tmp_path / "figures" / "bass.png").stat().st_size > 1000
    data = json.loads(files["validation.json"].read_text(encoding="utf-8"))
    assert [c["passed"] for c in data["cases"]] == [True, False]


@pytest.mark.parametrize("cases, status", [([SMALL_BASS], 0), ([SMALL_BASS, BROKEN], 1)])
def test_validate_command_exit_status(tmp_path, monkeypatch, cases, status):
    monkeypatch.setattr(docking, "all_cases", lambda: tuple(cases))
    out = tmp_path / "val"
    result = CliRunner().invoke(main, ["validate", "--quick", "--workers", "1", "--out",
                                       str(out)])
    assert result.exit_code == status, result.output
    assert (out / "validation.md").is_file()
    assert ("PASS: report in" if status == 0 else "FAIL: report in") in result.output


def test_validate_command_usage_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["validate", "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert result.output.startswith("error: --out")
    result = CliRunner().invoke(main, ["validate", "--workers", "0"])
    assert result.exit_code == 2


def test_every_case_plans_tasks_at_quick_size():
    names = [case.name for case in docking.all_cases()]
    assert names[:5] == ["bass", "watts", "centola-macy", "rogers", "march"]
    assert names[5:] == [f"pattern-{i}" for i in range(2, 9)]
    for case in docking.all_cases():
        assert case.tasks(case.settings("quick"))
    assert patterns.PATTERNS[0].settings("quick").full is False
