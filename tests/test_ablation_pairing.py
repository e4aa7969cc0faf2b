"""Ablations, knock-outs and lever specifications are paired with the unablated run.

An experiment that switches a mechanism off (``ablate``), removes people (``knockout``)
or swaps a lever's specification (``tolerance_spec``, ``inertia_spec``, ``learning_spec``)
must change *only* what it names: the same seed must give the same organisation (units,
staff kinds and traits, ties, rules, partners, knowledge) and the same random streams as
the unablated run. Otherwise its "effect" mixes in the difference between two
organisations (the science review's §2.3 found brokerage-off and the ordinary-staff
knock-out unpaired). Run as ``uv run pytest -k ablation_pairing``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from milieusim import organisation
from milieusim.agents import StaffKind
from milieusim.model import MilieuModel
from milieusim.params import CHANNELS, PARAMETERS
from milieusim.submodels import build as build_submodel

SEED = 4242
SIZE: dict[str, Any] = {"n_staff": 300, "n_units": 6, "steps": 20}

# What each experiment is meant to change (everything else must be identical).
MEANT: dict[tuple[str, str], set[str]] = {
    ("ablate", "marginaux:brokerage"): {"ties"},
    ("ablate", "marginaux:translation"): {"staff_bridge"},
    ("knockout", "partner-ties"): {"tie_staff", "tie_partner", "staff_bridge"},
    ("knockout", "marginaux-secants"): {"staff_present", "tie_staff", "tie_partner"},
    ("knockout", "ordinary-staff"): {"staff_present"},
}


def experiments() -> list[tuple[str, str]]:
    """Every non-default value of ``ablate``, ``knockout`` and the lever specifications."""
    out = []
    for name in ("ablate", "knockout", "tolerance_spec", "inertia_spec", "learning_spec"):
        p = PARAMETERS[name]
        out += [(name, v) for v in p.choices if v != p.default]
    return out


def fingerprint(model: MilieuModel) -> dict[str, Any]:
    """The organisation at step 0 and the state of every random stream, as plain values."""
    edges = model.adjacency.tocoo()
    ties = {(int(a), int(b)) for a, b in zip(edges.row, edges.col, strict=True) if a < b}
    return {
        "units": model.staff_unit.tolist(),
        "kinds": model.staff_kind.tolist(),
        "heads": model.unit_head.tolist(),
        "creativity": model.staff_creativity.tolist(),
        "threshold": model.staff_threshold.tolist(),
        "staff_home": model.staff_home.tolist(),
        "staff_bridge": model.staff_bridge.tolist(),
        "staff_present": model.staff_present.tolist(),
        "unit_domain": model.unit_domain.tolist(),
        "knowledge": model.kb.points.tolist(),
        "ties": ties,
        "partner_kind": list(model.partner_kind),
        "partner_pos": model.partner_pos.tolist(),
        "partner_resources": model.partner_resources.tolist(),
        "partner_milieu": [a.milieu.tolist() for a in model.partner_agents],
        "tie_staff": model.tie_staff.tolist(),
        "tie_partner": model.tie_partner.tolist(),
        "rules": [
            (r.kind, r.units.tolist(), r.innovation_kinds, r.rigidity) for r in model.rule_agents
        ],
        "ambiguity": [m.ambiguity_z for m in model.managers],
        "innovations": [(k.kind, k.adopters.tolist()) for k in model.innovations],
        "streams": {n: start["state"] for n, (start, _, _) in model._streams.items()},
        "rng": model.rng.bit_generator.state["state"],
    }


def differences(ablated: dict[str, Any], reference: dict[str, Any]) -> set[str]:
    """The fields of two fingerprints that differ."""
    return {key for key in reference if ablated[key] != reference[key]}


def build(**params: Any) -> MilieuModel:
    return MilieuModel(rng=SEED, **SIZE, **params)


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return fingerprint(build())


@pytest.mark.parametrize(("name", "value"), experiments(), ids=lambda v: str(v))
def test_ablation_pairing_keeps_organisation_and_streams(
    name: str, value: str, reference: dict[str, Any]
) -> None:
    """Each experiment keeps the organisation and every random stream of the unablated
    run, except what it is meant to change."""
    ablated = fingerprint(build(**{name: value}))
    meant = MEANT.get((name, value), set())
    assert differences(ablated, reference) <= meant
    assert ablated["streams"] == reference["streams"]


def test_ablation_pairing_brokerage_only_drops_the_extra_cross_ties(
    reference: dict[str, Any],
) -> None:
    """Brokerage off keeps every tie but some cross-unit ties of marginaux sécants."""
    model = build(ablate="marginaux:brokerage")
    ablated = fingerprint(model)
    dropped = reference["ties"] - ablated["ties"]
    assert dropped and ablated["ties"] <= reference["ties"]
    innovator = model.staff_kind == StaffKind.INNOVATOR
    for a, b in dropped:
        assert innovator[a] or innovator[b]
        assert model.staff_unit[a] != model.staff_unit[b]


@pytest.mark.parametrize("knockout", ["marginaux-secants", "ordinary-staff"])
def test_ablation_pairing_knockouts_with_initial_adopters(knockout: str) -> None:
    """With innovations seeded at step 0 (drawn among present staff), a knock-out still
    leaves every later draw as in the full organisation."""
    seeded = {"initial_innovations": 2, "initial_adopters": 15}
    full = fingerprint(build(**seeded))
    ablated = fingerprint(build(knockout=knockout, **seeded))
    assert differences(ablated, full) <= MEANT[("knockout", knockout)] | {"innovations"}
    assert ablated["streams"] == full["streams"]


@pytest.mark.parametrize("channel", [c for c, (param, _) in CHANNELS.items() if param])
def test_ablation_pairing_channel_at_default_changes_nothing(channel: str) -> None:
    """A channel held at its parameter's default, with the parameter at its default, is
    no change at all: the run is the unablated run, week by week (no stray draw)."""
    runs = []
    for params in ({}, {"ablate": channel}):
        model = build(**params)
        model.run_model()
        runs.append(model.datacollector.get_model_vars_dataframe())
    assert runs[0].equals(runs[1])


def test_ablation_pairing_detects_an_unpaired_brokerage(
    monkeypatch: pytest.MonkeyPatch, reference: dict[str, Any]
) -> None:
    """The check can fail: brokerage switched off by *skipping* its set-up draws (as
    before the fix) gives another organisation and other streams."""
    monkeypatch.setattr(
        organisation,
        "extra_cross_ties",
        lambda unit, innovators, extra, rng: np.zeros((0, 2), dtype=np.int64),
    )
    ablated = fingerprint(build(ablate="marginaux:brokerage"))
    assert differences(ablated, reference) - MEANT[("ablate", "marginaux:brokerage")]
    assert ablated["streams"] != reference["streams"]


def test_ablation_pairing_detects_an_unpaired_knockout(
    monkeypatch: pytest.MonkeyPatch, reference: dict[str, Any]
) -> None:
    """The check can fail: ordinary staff removed with draws from the model's own
    generator (as before the fix) shifts every weekly stream."""

    def knockout_from_model_rng(m: MilieuModel) -> None:
        ordinary = np.flatnonzero(m.staff_kind == StaffKind.STAFF)
        size = int(np.count_nonzero(m.staff_kind == StaffKind.INNOVATOR))
        removed = m.rng.choice(ordinary, size=size, replace=False)
        m.staff_present[removed] = False
        for i in removed.tolist():
            m.staff_agents[i].remove()

    monkeypatch.setattr(build_submodel, "knockout", knockout_from_model_rng)
    ablated = fingerprint(build(knockout="ordinary-staff"))
    assert ablated["streams"] != reference["streams"]
