"""Experiment files: validation, designs, --quick, seeds (no model runs here)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies import good_value, toml_key, toml_value

from milieusim.cli import main
from milieusim.experiment.design import DESIGN_KINDS, DESIGNS
from milieusim.experiment.engine import make_tasks
from milieusim.experiment.experiment_file import load_experiment
from milieusim.experiment.seeds import run_id, run_seed
from milieusim.experiment.spec import ExperimentError, ExperimentSpec, shipped_experiments
from milieusim.measures import REPORTERS
from milieusim.params import ORGANISATION_PARAMETERS, PARAMETERS, check_consistency

HEAD = """\
[meta]
title_fr = "Essai"
title_en = "Test"
[experiment]
scenario = "default"
replications = 3
seed = 11
steps = 25
set = { n_staff = 150 }
"""


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def spec_of(tmp_path: Path, design: str, head: str = HEAD) -> ExperimentSpec:
    return load_experiment(write(tmp_path, head + design))


def assert_one_line(exc: BaseException, *fragments: str) -> str:
    message = str(exc)
    assert isinstance(exc, ExperimentError) and isinstance(exc, ValueError)
    assert "\n" not in message and message.strip() == message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def assert_valid_points(spec: ExperimentSpec) -> None:
    for point in spec.points:
        full = spec.parameters(spec.points.index(point))
        assert set(full) == set(PARAMETERS)
        for name, value in point.items():
            assert PARAMETERS[name].coerce(value) == value
            assert type(value) is type(PARAMETERS[name].default), (name, value)
        check_consistency(full)


# --- shipped experiments -------------------------------------------------------------------


EXPECTED = {
    "inertia-tolerance": ("grid", 25, ("inertia", "experimentation_tolerance")),
    "serendipity": ("grid", 11, ("serendipity",)),
    "uncertainty-threshold": ("grid", 21, ("institutional_uncertainty",)),
    "openness-learning": ("grid", 25, ("openness", "learning_capacity")),
    "knockout-marginaux": ("points", 3, ("knockout",)),
    "sobol-global": ("sobol", 64 * 11, ORGANISATION_PARAMETERS),
}


def test_every_shipped_experiment_loads() -> None:
    assert set(EXPECTED) <= set(shipped_experiments())
    for name in shipped_experiments():  # others' too: each must load and reduce
        spec = load_experiment(name)
        assert_valid_points(spec)
        assert_valid_points(spec.quick())
    for name, (kind, count, varied) in EXPECTED.items():
        spec = load_experiment(name)
        assert spec.design.kind == kind
        assert spec.n_points == count
        assert spec.varied == varied
        assert spec.title("fr") and spec.title("en")
        assert spec.path is not None and spec.path.read_text(encoding="utf-8").startswith("#")
        assert_valid_points(spec)
        quick = spec.quick()
        assert quick.is_quick and quick.n_runs < spec.n_runs
        assert_valid_points(quick)


def test_load_by_path_and_unknown_name(tmp_path: Path) -> None:
    by_name = load_experiment("serendipity")
    by_path = load_experiment(str(by_name.path))
    assert by_path.fingerprint() == by_name.fingerprint()
    with pytest.raises(ExperimentError) as info:
        load_experiment("serendipty")
    assert_one_line(
        info.value, "unknown experiment", "did you mean 'serendipity'", "inertia-tolerance"
    )


def test_scenario_relative_to_the_file_and_set_and_steps(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(
        tmp_path,
        '[meta]\ntitle_fr = "s"\ntitle_en = "s"\n[parameters]\ninertia = 0.8\nn_units = 5\n',
        "sub/base.toml",
    )
    head = HEAD.replace('scenario = "default"', 'scenario = "sub/base.toml"')
    spec = spec_of(
        tmp_path, '[design]\nkind = "grid"\n[design.parameters]\nserendipity = [0, 1]\n', head
    )
    assert spec.base["inertia"] == 0.8 and spec.base["n_units"] == 5
    assert spec.base["n_staff"] == 150 and spec.steps == 25
    assert spec.points == ({"serendipity": 0.0}, {"serendipity": 1.0})
    assert spec.reporters == tuple(REPORTERS) and spec.every == 1


# --- the five designs ---------------------------------------------------------------------


def test_grid(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path,
        """
[design]
kind = "grid"
[design.parameters]
inertia = { from = 0.1, to = 0.9, num = 5 }
knockout = ["none", "marginaux-secants"]
n_units = [2, 5, 10]
managers = [true, false]
""",
    )
    assert spec.n_points == 5 * 2 * 3 * 2 == len(spec.points)
    assert [p["inertia"] for p in spec.points[::12]] == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert spec.points[0] == {"inertia": 0.1, "knockout": "none", "n_units": 2, "managers": True}
    assert spec.points[1]["managers"] is False  # the last parameter varies fastest
    assert_valid_points(spec)
    assert spec.problem() is None


def test_points(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path,
        """
[design]
kind = "points"
[[design.points]]
[[design.points]]
knockout = "marginaux-secants"
[[design.points]]
knockout = "ordinary-staff"
inertia = 0.2
""",
    )
    assert spec.points == (
        {},
        {"knockout": "marginaux-secants"},
        {"knockout": "ordinary-staff", "inertia": 0.2},
    )
    assert spec.varied == ("knockout", "inertia")
    assert spec.parameters(0)["knockout"] == "none"  # unset names keep the base
    assert_valid_points(spec)


def test_lhs_is_seeded_bounded_and_rounds_integers(tmp_path: Path) -> None:
    design = """
[design]
kind = "lhs"
n = 20
[design.parameters]
inertia = [0.2, 0.4]
n_units = [2, 6]
"""
    spec = spec_of(tmp_path, design)
    assert spec.n_points == 20
    assert_valid_points(spec)
    inertia = np.array([p["inertia"] for p in spec.points])
    assert inertia.min() >= 0.2 and inertia.max() <= 0.4
    # A Latin hypercube: one point in each of the 20 strata of [0.2, 0.4].
    assert sorted(np.floor((inertia - 0.2) / 0.01).astype(int).tolist()) == list(range(20))
    assert {p["n_units"] for p in spec.points} <= set(range(2, 7))
    assert spec_of(tmp_path, design).points == spec.points  # deterministic
    other = spec_of(tmp_path, design, HEAD.replace("seed = 11", "seed = 12"))
    assert other.points != spec.points  # seeded from the experiment seed


@pytest.mark.slow
@pytest.mark.parametrize("second_order, count", [(False, 8 * (3 + 2)), (True, 8 * (2 * 3 + 2))])
def test_sobol(tmp_path: Path, second_order: bool, count: int) -> None:
    spec = spec_of(
        tmp_path,
        f"""
[design]
kind = "sobol"
n = 8
second_order = {str(second_order).lower()}
[design.parameters]
openness = [0.0, 1.0]
learning_capacity = [0.25, 0.75]
n_partners = [10, 50]
""",
    )
    assert spec.n_points == count
    assert_valid_points(spec)
    problem = spec.problem()
    assert problem == {
        "num_vars": 3,
        "names": ["openness", "learning_capacity", "n_partners"],
        "bounds": [[0.0, 1.0], [0.25, 0.75], [10.0, 50.0]],
    }
    from SALib.sample import sobol

    raw = sobol.sample(problem, 8, calc_second_order=second_order, seed=spec.seed)
    got = np.array([[p[n] for n in problem["names"]] for p in spec.points], dtype=float)
    np.testing.assert_allclose(got[:, :2], raw[:, :2])  # SALib's rows, in SALib's order
    np.testing.assert_array_equal(got[:, 2], np.rint(raw[:, 2]))  # integers rounded


def test_morris(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path,
        """
[design]
kind = "morris"
r = 4
levels = 4
[design.parameters]
inertia = [0.0, 1.0]
serendipity = [0.0, 1.0]
""",
    )
    assert spec.n_points == 4 * (2 + 1)
    assert_valid_points(spec)
    levels = {p["inertia"] for p in spec.points}
    assert levels <= {0.0, 1 / 3, 2 / 3, 1.0} or all(
        any(math.isclose(v, w) for w in (0.0, 1 / 3, 2 / 3, 1.0)) for v in levels
    )
    assert spec.design.problem()["names"] == ["inertia", "serendipity"]


def test_design_points_are_a_pure_function_of_design_and_seed(tmp_path: Path) -> None:
    spec = load_experiment("sobol-global")
    assert spec.design.points(spec.seed) == list(spec.points)


# --- seeds ---------------------------------------------------------------------------------


def test_run_seeds_are_common_across_points_and_recorded() -> None:
    assert run_seed(20140515, 0) == run_seed(20140515, 0)
    seeds = [run_seed(20140515, k) for k in range(1000)]
    assert len(set(seeds)) == 1000
    assert all(0 <= s < 2**63 for s in seeds)
    assert run_seed(1, 0) != run_seed(2, 0)
    expected = int(np.random.SeedSequence(7, spawn_key=(3,)).generate_state(1, np.uint64)[0]) >> 1
    assert run_seed(7, 3) == expected
    spec = load_experiment("inertia-tolerance")
    tasks = list(make_tasks(spec))
    assert len(tasks) == spec.n_runs
    by_rep: dict[int, set[int]] = {}
    for task in tasks:
        by_rep.setdefault(task.replication, set()).add(task.seed)
        assert task.run_id == run_id(task.point_id, task.replication)
        assert task.run_id == task.point_id * 1_000_000 + task.replication
    assert all(len(s) == 1 for s in by_rep.values())  # one seed per replication
    assert len({next(iter(s)) for s in by_rep.values()}) == spec.replications


# --- --quick -------------------------------------------------------------------------------


def test_quick_defaults(tmp_path: Path) -> None:
    head = HEAD.replace("set = { n_staff = 150 }", "set = { n_units = 5 }").replace(
        "steps = 25", "steps = 200"
    )
    spec = spec_of(
        tmp_path,
        """
[design]
kind = "grid"
[design.parameters]
inertia = { from = 0.0, to = 1.0, num = 11 }
serendipity = [0.1, 0.2]
""",
        head,
    )
    quick = spec.quick()
    assert quick.is_quick and quick.quick() is quick
    assert [p["inertia"] for p in quick.points[::2]] == [0.0, 0.5, 1.0]
    assert quick.n_points == 6 and quick.replications == 2
    assert quick.steps == 52 and quick.base["n_staff"] == 300
    assert quick.fingerprint() != spec.fingerprint()
    for kind, extra, count in (
        ("lhs", "n = 50", 8),
        ("sobol", "n = 64", 8 * 3),
        ("morris", "r = 10", 2 * 2),
    ):
        s = spec_of(
            tmp_path,
            f'[design]\nkind = "{kind}"\n{extra}\n[design.parameters]\ninertia = [0.0, 1.0]\n',
            head,
        )
        assert s.quick().n_points == count, kind


def test_quick_table_overrides(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path,
        """
[design]
kind = "grid"
[design.parameters]
inertia = [0.0, 0.25, 0.5, 0.75, 1.0]
n_staff = [200, 400, 800]
[quick]
replications = 1
steps = 10
n_staff = 400
levels = 2
""",
        HEAD.replace("set = { n_staff = 150 }\n", ""),
    )
    quick = spec.quick()
    assert quick.replications == 1 and quick.steps == 10
    assert sorted({p["inertia"] for p in quick.points}) == [0.0, 1.0]
    assert sorted({p["n_staff"] for p in quick.points}) == [200, 400]  # 800 capped to 400


# --- errors --------------------------------------------------------------------------------


GRID = '[design]\nkind = "grid"\n[design.parameters]\ninertia = [0.1, 0.9]\n'

ERRORS: list[tuple[str, tuple[str, ...]]] = [
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\ninerta = [0.1]\n',
        ("[design.parameters] inerta: unknown parameter", "did you mean 'inertia'"),
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\ninertia = [0.1, 1.5]\n',
        ("[design.parameters] inertia = 1.5 is out of range [0, 1]",),
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\ninertia = 0.5\n',
        ("[design.parameters] inertia: expected an array of levels", "[experiment] set"),
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\ninertia = [0.1, 0.1]\n',
        ("listed twice",),
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\n'
        "knockout = { from = 0, to = 1, num = 2 }\n",
        ("needs a numeric parameter",),
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\n'
        "inertia = { from = 0.0, to = 1.0, nun = 2 }\n",
        (
            "[design.parameters] inertia.nun: unknown key (did you mean 'num'?); "
            "allowed: from, to, num",
        ),
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\nknockout = ["none", "marginaux"]\n',
        (
            "knockout",
            "expected one of none | marginaux-secants | ordinary-staff",
            "did you mean 'marginaux-secants'",
        ),
    ),
    (
        HEAD + '[design]\nkind = "gird"\n',
        ("[design] kind", "grid | points | lhs | sobol | morris", "did you mean 'grid'"),
    ),
    (
        HEAD + '[design]\nkind = "lhs"\nn = 4\n[design.parameters]\nmanagers = [false, true]\n',
        ("a bool parameter can only vary in a grid or points design",),
    ),
    (
        HEAD + '[design]\nkind = "lhs"\nn = 4\n[design.parameters]\ninertia = [0.5, 0.1]\n',
        ("expected low < high",),
    ),
    (
        HEAD + '[design]\nkind = "lhs"\nn = 4\n[design.parameters]\ninertia = [0.5]\n',
        ("expected bounds [low, high] within [0, 1]",),
    ),
    (
        HEAD + '[design]\nkind = "lhs"\n[design.parameters]\ninertia = [0.0, 1.0]\n',
        ("[design] n: missing",),
    ),
    (
        HEAD + '[design]\nkind = "sobol"\nn = 10\n[design.parameters]\ninertia = [0.0, 1.0]\n',
        ("[design] n = 10", "power of 2", "8 or 16"),
    ),
    (
        HEAD + '[design]\nkind = "morris"\nr = 2\nlevels = 3\n[design.parameters]\n'
        "inertia = [0.0, 1.0]\n",
        ("[design] levels = 3", "even"),
    ),
    (
        HEAD + '[design]\nkind = "grid"\nr = 2\n[design.parameters]\ninertia = [0.0]\n',
        ("[design] r: unknown key for a grid design", "allowed: kind, parameters"),
    ),
    (HEAD + '[design]\nkind = "points"\n', ("[[design.points]]: missing",)),
    (
        HEAD + '[design]\nkind = "points"\n[[design.points]]\ninertia = 0.2\n'
        "[[design.points]]\ninertia = 0.2\n",
        ("#2: same as #1",),
    ),
    (
        HEAD + '[design]\nkind = "points"\n[[design.points]]\nn_units = 200\n',
        ("[[design.points]] #1 (n_units = 200)", "n_units (200) must not exceed n_staff (150)"),
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\nsteps = [10, 20]\n',
        ("steps cannot vary",),
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters]\nn_staff = [200, 300]\n',
        ("[design.parameters] n_staff: also fixed in [experiment] set",),
    ),
    (
        HEAD.replace("replications = 3", "replications = 0") + GRID,
        ("[experiment] replications = 0 is out of range [1, 999999]",),
    ),
    (HEAD.replace("seed = 11\n", "") + GRID, ("[experiment] seed: missing",)),
    (HEAD.replace("seed = 11", 'seed = "x"') + GRID, ("[experiment] seed: expected an integer",)),
    (
        HEAD.replace('"default"', '"defualt"') + GRID,
        ("[experiment] scenario = 'defualt'", "unknown scenario", "did you mean 'default'"),
    ),
    (
        HEAD.replace('"default"', '"missing.toml"') + GRID,
        ("[experiment] scenario = 'missing.toml'", "no such file"),
    ),
    (
        HEAD.replace("n_staff = 150", "n_stafff = 150") + GRID,
        ("[experiment] set.n_stafff: unknown parameter", "did you mean 'n_staff'"),
    ),
    (
        HEAD.replace("n_staff = 150", "n_staff = 5") + GRID,
        ("[experiment] set.n_staff = 5 is out of range [10, 1e+06]",),
    ),
    (HEAD.replace("steps = 25", "steps = 0") + GRID, ("[experiment] steps = 0 is out of range",)),
    (
        HEAD.replace("n_staff = 150", "n_units = 2000") + GRID,
        ("[experiment] set: n_units (2000) must not exceed n_staff",),
    ),
    (
        HEAD + GRID + '[output]\nreporters = ["adoption", "ideas"]\n',
        ("[output] reporters: 'adoption': unknown reporter", "did you mean 'adoption_share'"),
    ),
    (HEAD + GRID + "[output]\nevery = -1\n", ("[output] every = -1 is out of range",)),
    (HEAD + GRID + "[output]\nreporters = []\n", ("[output] reporters: empty",)),
    (HEAD + GRID + "[quick]\nstep = 10\n", ("[quick] step: unknown key", "did you mean 'steps'")),
    (HEAD + GRID + "[qiuck]\n", ("qiuck: unknown top-level key", "did you mean 'quick'")),
    (HEAD.replace('title_en = "Test"\n', "") + GRID, ("[meta] title_en: missing",)),
    (HEAD, ("[design]: missing table",)),
    (HEAD + GRID + "x = = 1\n", ("line 14, column 5: invalid TOML",)),
    (HEAD + GRID + "[design]\n", ("invalid TOML",)),
]


@pytest.mark.parametrize("content, fragments", ERRORS)
def test_errors_are_one_line_and_name_file_and_key(
    tmp_path: Path, content: str, fragments: tuple[str, ...]
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert_one_line(info.value, "exp.toml: ", *fragments)


def test_quick_inconsistency_is_reported(tmp_path: Path) -> None:
    spec = spec_of(tmp_path, GRID, HEAD.replace("n_staff = 150", "n_staff = 1000, n_units = 400"))
    with pytest.raises(ExperimentError) as info:
        spec.quick()
    assert_one_line(info.value, "[quick]", "n_units (400) must not exceed n_staff (300)")


@pytest.mark.parametrize("content, fragments", [ERRORS[0], ERRORS[12], ERRORS[-2]])
def test_cli_errors_exit_2_and_write_nothing(
    tmp_path: Path, content: str, fragments: tuple[str, ...]
) -> None:
    path = write(tmp_path, content)
    out = tmp_path / "out"
    for args in (["sweep", str(path), "--out", str(out)], ["plan", str(path)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        for fragment in fragments:
            assert fragment in lines[0]
    assert not out.exists()


# --- fuzzing: any file content loads or fails with one line --------------------------------


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10)
SCALARS = st.one_of(st.booleans(), st.integers(-(2**70), 2**70), st.floats(), TEXT)
ANY = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=5,
)
NAMES = st.sampled_from(sorted(PARAMETERS)) | TEXT


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """An experiment document: valid when ``noise`` is 0; else each part may go wrong."""
    noise = draw(st.integers(0, 3))

    def wild() -> bool:  # with probability noise / 10: corrupt this part
        return noise > 0 and draw(st.integers(0, 9)) < noise

    def pick(good: st.SearchStrategy[Any]) -> Any:
        return draw(ANY) if wild() else draw(good)

    kind = pick(st.sampled_from(DESIGN_KINDS))
    continuous = kind in ("lhs", "sobol", "morris")
    numeric = sorted(
        n for n, p in PARAMETERS.items() if p.type in ("int", "float") and n != "steps"
    )
    names = st.sampled_from(numeric if continuous else sorted(set(PARAMETERS) - {"steps"}))

    def value(name: str) -> Any:
        if name not in PARAMETERS or wild():
            return draw(ANY)
        if kind == "grid":
            if draw(st.booleans()) and PARAMETERS[name].type in ("int", "float"):
                return {
                    "from": draw(good_value(name)),
                    "to": draw(good_value(name)),
                    "num": pick(st.integers(1, 4)),
                }
            return draw(st.lists(good_value(name), min_size=1, max_size=3, unique=True))
        if continuous:
            return sorted([draw(good_value(name)), draw(good_value(name))])
        return draw(good_value(name))

    doc: dict[str, Any] = {
        "meta": {"title_fr": pick(st.just("titre")), "title_en": "title"},
        "experiment": {
            "scenario": pick(st.sampled_from(["default", "pantin", "docking/bass"])),
            "replications": pick(st.integers(1, 5)),
            "seed": pick(st.integers(0, 2**63 - 1)),
        },
        "design": {"kind": kind},
    }
    if draw(st.booleans()):
        doc["experiment"]["steps"] = pick(st.integers(1, 60))
    if draw(st.booleans()):
        doc["experiment"]["set"] = {"n_staff": pick(st.integers(100, 400))}
    chosen = [draw(NAMES) if wild() else draw(names) for _ in range(draw(st.integers(1, 3)))]
    if kind == "points":
        doc["design"]["points"] = [
            {n: value(n) for n in chosen} for _ in range(draw(st.integers(1, 3)))
        ]
    else:
        doc["design"]["parameters"] = {n: value(n) for n in chosen}
    if kind in ("lhs", "sobol"):
        doc["design"]["n"] = pick(st.sampled_from([2, 4, 8]))
    if kind == "sobol" and draw(st.booleans()):
        doc["design"]["second_order"] = pick(st.booleans())
    if kind == "morris":
        doc["design"]["r"] = pick(st.integers(1, 4))
        if draw(st.booleans()):
            doc["design"]["levels"] = pick(st.sampled_from([2, 4, 6]))
    if wild():
        doc["design"][draw(st.sampled_from(["n", "r", "levels", "second_order"]) | TEXT)] = draw(
            ANY
        )
    if draw(st.booleans()):
        doc["output"] = {
            "reporters": pick(
                st.just("all")
                | st.lists(st.sampled_from(sorted(REPORTERS)), min_size=1, max_size=3, unique=True)
            ),
            "every": pick(st.integers(0, 5)),
        }
    if draw(st.booleans()):
        key = pick(st.sampled_from(["replications", "steps", "n_staff", "levels", "r"]))
        doc["quick"] = {key if isinstance(key, str) else "levels": pick(st.integers(2, 300))}
    if wild():
        doc[draw(TEXT)] = draw(ANY)
    return doc


def render(doc: dict[str, Any]) -> str:
    return "\n".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items()) + "\n"


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    doc=documents(), mutation=st.none() | st.tuples(st.integers(0, 10**5), st.integers(0, 3), TEXT)
)
def test_fuzz_any_content_loads_or_fails_with_one_line(
    tmp_path: Path, doc: dict[str, Any], mutation: tuple[int, int, str] | None
) -> None:
    text = render(doc)
    if mutation is not None:
        at, cut, insert = mutation
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut :]
    path = write(tmp_path, text, "fuzz.toml")
    try:
        spec = load_experiment(path)
    except ExperimentError as exc:
        assert_one_line(exc, "fuzz.toml")
        event("error")
        return
    event(f"loaded {spec.design.kind}")
    assert_valid_points(spec)
    try:
        quick = spec.quick()
    except ExperimentError as exc:
        assert_one_line(exc, "[quick]")
    else:
        assert_valid_points(quick)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.binary(max_size=200))
def test_fuzz_raw_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert_one_line(info.value, "fuzz.toml")


# --- the design registry --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(shipped_experiments()))
def test_each_design_counts_its_points(name: str) -> None:
    """``count`` (without generating) agrees with ``points`` for every shipped design and
    its --quick version; the registry knows every kind by its name."""
    for spec in (load_experiment(name), load_experiment(name).quick()):
        assert DESIGNS[spec.design.kind] is type(spec.design)
        assert spec.design.count() == len(spec.design.points(spec.seed)) == spec.n_points
        assert set(spec.varied) == {key for point in spec.points for key in point}
