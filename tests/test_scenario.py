"""Tests of the scenario layer: shipped files, extends, errors, --set, and a fuzz test."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies import TEXT, documents, near, render

from milieusim import params
from milieusim.params import EVENT_PARAMETERS, PARAMETERS
from milieusim.scenario import (
    META_KEYS,
    Event,
    Scenario,
    ScenarioError,
    load_scenario,
    scenario_to_dict,
    scenarios_dir,
    shipped_scenarios,
)

REPO = Path(__file__).resolve().parents[1]
META = '[meta]\ntitle_fr = "Essai"\ntitle_en = "Test"\n'
SHIPPED = {
    "default",
    "saint-etienne",
    "pantin",
    "prudent-bureaucracy",
    "milieu-innovateur",
    "paralysis",
    "timeline",
    "docking/bass",
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def assert_valid(s: Scenario) -> None:
    """Everything a loaded scenario promises."""
    assert list(s.parameters) == list(PARAMETERS)
    assert params.validate(s.parameters) == s.parameters
    params.check_consistency(s.parameters)
    assert set(s.meta) == set(META_KEYS)
    assert all(isinstance(v, str) for v in s.meta.values())
    steps = [e.step for e in s.events]
    assert steps == sorted(steps)
    for e in s.events:
        assert isinstance(e, Event)
        assert 1 <= e.step <= s.parameters["steps"]
        assert e.set and set(e.set) <= set(EVENT_PARAMETERS)
        assert params.validate(e.set) == e.set
    json.dumps(scenario_to_dict(s), allow_nan=False)


def assert_one_line_error(exc: BaseException, *fragments: str) -> str:
    assert type(exc) is ScenarioError
    msg = str(exc)
    assert msg and "\n" not in msg and "\r" not in msg and len(msg.splitlines()) == 1
    for fragment in fragments:
        assert fragment in msg, (fragment, msg)
    return msg


# --- shipped scenarios ------------------------------------------------------------------------


def test_scenarios_dir_is_the_repo_folder() -> None:
    assert scenarios_dir() == REPO / "scenarios"


def test_every_shipped_scenario_loads_and_validates() -> None:
    scenarios = shipped_scenarios()
    names = [s.name for s in scenarios]
    assert names == sorted(names)
    assert set(names) >= SHIPPED
    for s in scenarios:
        assert_valid(s)
        assert s.path is not None and s.path.is_file()
        assert s.meta["title_fr"] and s.meta["title_en"]
        assert s.meta["description_fr"] and s.meta["description_en"] and s.meta["source"]
        assert s.title("fr") == s.meta["title_fr"] and s.title("en") == s.meta["title_en"]


def test_default_is_the_schema_defaults() -> None:
    assert load_scenario("default").parameters == params.defaults()


@pytest.mark.slow
@pytest.mark.slow
@pytest.mark.slow
@pytest.mark.parametrize("name", ["pantin", "pantin.toml", "docking/bass", "docking/bass.toml"])
def test_load_by_name(name: str) -> None:
    s = load_scenario(name)
    assert s.name == name.removesuffix(".toml")


def test_load_by_path_str_and_path() -> None:
    path = REPO / "scenarios" / "docking" / "bass.toml"
    assert load_scenario(path) == load_scenario(str(path)) == load_scenario("docking/bass")


def test_docking_bass_values() -> None:
    p = load_scenario("docking/bass").parameters
    assert p == {
        **params.defaults(),
        **{
            "managers": False,
            "n_rules": 0,
            "n_partners": 0,
            "innovator_share": 0.0,
            "staff_network": "fully-mixed",
            "adoption_rule": "probabilistic",
            "initial_innovations": 1,
            "creative_stimulation": 0.0,
            "serendipity": 0.0,
            "openness": 0.0,
            "adhesion": 1.0,
            "external_influence": 0.03,
            "imitation": 0.38,
            "n_staff": 1000,
            "steps": 30,
        },
    }


def test_case_scenarios_extend_default_and_change_the_right_knobs() -> None:
    d = params.defaults()
    for name in (
        "saint-etienne",
        "pantin",
        "prudent-bureaucracy",
        "milieu-innovateur",
        "paralysis",
    ):
        raw = tomllib.loads((REPO / "scenarios" / f"{name}.toml").read_text("utf-8"))
        assert raw["extends"] == "default.toml"
    se = load_scenario("saint-etienne").parameters
    assert se["experimentation_tolerance"] > d["experimentation_tolerance"]
    assert se["openness"] > d["openness"] and se["creative_stimulation"] > d["creative_stimulation"]
    assert se["product_share"] > d["product_share"] and se["inertia"] < d["inertia"]
    pantin = load_scenario("pantin")
    assert pantin.parameters["product_share"] < d["product_share"]
    assert pantin.parameters["n_units"] > d["n_units"]
    assert pantin.parameters["adhesion"] > d["adhesion"]
    assert any(e.step == 52 and "médiation" in e.label_fr for e in pantin.events)
    pb = load_scenario("prudent-bureaucracy").parameters
    assert pb["inertia"] > d["inertia"] and pb["n_rules"] > d["n_rules"]
    assert pb["experimentation_tolerance"] < d["experimentation_tolerance"]
    assert pb["openness"] < d["openness"]
    mi = load_scenario("milieu-innovateur").parameters
    for key in ("openness", "learning_capacity", "recognition", "creative_stimulation"):
        assert mi[key] > d[key]
    para = load_scenario("paralysis").parameters
    assert para["institutional_uncertainty"] > para["ambiguity_tolerance"]


def test_the_three_kinds_of_events_are_shipped() -> None:
    s = load_scenario("timeline")
    d = params.defaults()
    changes = [e.set for e in s.events]
    assert any(c.get("max_pilots_per_unit", 99) < d["max_pilots_per_unit"] for c in changes)
    assert any(
        c.get("experimentation_tolerance", 0) > d["experimentation_tolerance"] for c in changes
    )
    assert any(
        c.get("institutional_uncertainty", 0) > d["institutional_uncertainty"] for c in changes
    )


def test_scenario_to_dict_round_trips_through_json() -> None:
    s = load_scenario("pantin")
    d = json.loads(json.dumps(scenario_to_dict(s)))
    assert d["name"] == "pantin" and d["parameters"] == s.parameters
    assert d["meta"] == s.meta
    assert [e["step"] for e in d["events"]] == [e.step for e in s.events]
    assert set(d["events"][0]) == {"step", "label_fr", "label_en", "set"}


def test_titles_fall_back() -> None:
    s = Scenario("x", None, {"title_fr": "Bonjour", "title_en": ""}, params.defaults())
    assert s.title("en") == "Bonjour" and s.title("fr") == "Bonjour"
    assert Scenario("x", None, {}, params.defaults()).title("fr") == "x"


# --- extends ----------------------------------------------------------------------------------


def test_extends_merges_parameters_meta_and_events(tmp_path: Path) -> None:
    write(
        tmp_path / "base.toml",
        META + 'source = "base"\n[parameters]\ninertia = 0.9\n'
        'openness = 0.1\n[[events]]\nstep = 100\nlabel_fr = "b"\nset = { inertia = 0.8 }\n',
    )
    sub = tmp_path / "sub"
    sub.mkdir()
    write(
        sub / "mid.toml",
        'extends = "../base.toml"\n[meta]\ntitle_en = "Mid"\n'
        '[parameters]\ninertia = 0.2\n[[events]]\nstep = 10\nlabel_en = "m"\n'
        "set = { openness = 0.4 }\n",
    )
    leaf = write(
        tmp_path / "leaf.toml",
        'extends = "sub/mid.toml"\n[parameters]\n'
        'n_units = 4.0\n[[events]]\nstep = 100\nlabel_fr = "l"\nset = { adhesion = 1 }\n',
    )
    s = load_scenario(leaf)
    assert_valid(s)
    assert s.name == "leaf" and s.path == leaf.resolve()
    assert s.parameters["inertia"] == 0.2 and s.parameters["openness"] == 0.1
    assert s.parameters["n_units"] == 4 and isinstance(s.parameters["n_units"], int)
    assert s.parameters["steps"] == PARAMETERS["steps"].default
    assert s.meta["title_fr"] == "Essai" and s.meta["title_en"] == "Mid"
    assert s.meta["source"] == "base" and s.meta["description_fr"] == ""
    assert [(e.step, e.label_en) for e in s.events] == [(10, "m"), (100, "b"), (100, "l")]
    assert s.events[0].label_fr == "m"  # a missing label copies the other language
    assert s.events[2].set == {"adhesion": 1.0}


def test_extends_shipped_default_from_elsewhere(tmp_path: Path) -> None:
    target = (REPO / "scenarios" / "default.toml").as_posix()
    s = load_scenario(write(tmp_path / "x.toml", f'extends = "{target}"\n'))
    assert s.parameters == params.defaults()
    assert s.meta["title_en"] == load_scenario("default").meta["title_en"]


def test_event_steps_are_checked_after_merging(tmp_path: Path) -> None:
    write(
        tmp_path / "base.toml",
        META + '[[events]]\nstep = 100\nlabel_fr = "b"\nset = { inertia = 0.8 }\n',
    )
    write(tmp_path / "long.toml", 'extends = "base.toml"\n[parameters]\nsteps = 100\n')
    assert load_scenario(tmp_path / "long.toml").events[0].step == 100
    write(tmp_path / "short.toml", 'extends = "base.toml"\n[parameters]\nsteps = 99\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "short.toml")
    assert_one_line_error(info.value, "base.toml", "[[events]] #1 step = 100", "99")


@pytest.mark.parametrize(
    "files",
    [
        {"x.toml": 'extends = "x.toml"\n'},
        {"x.toml": 'extends = "y.toml"\n', "y.toml": 'extends = "./x.toml"\n'},
        {
            "x.toml": 'extends = "y.toml"\n',
            "y.toml": 'extends = "z.toml"\n',
            "z.toml": 'extends = "y.toml"\n',
        },
    ],
)
def test_extends_cycles(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "x.toml")
    assert_one_line_error(info.value, "extends", "cycle", ".toml")


# --- errors -----------------------------------------------------------------------------------

ERRORS: list[tuple[str, str, tuple[str, ...]]] = [
    # (id, file content, fragments the message must hold besides the file name)
    (
        "unknown-param",
        META + "[parameters]\ninerta = 0.3\n",
        ("[parameters] inerta: unknown parameter", "did you mean 'inertia'?"),
    ),
    (
        "out-of-range",
        META + "[parameters]\ninertia = 1.4\n",
        ("[parameters] inertia = 1.4 is out of range [0, 1]",),
    ),
    (
        "string-for-float",
        META + '[parameters]\ninertia = "0.3"\n',
        ("inertia", "a number in [0, 1]", "'0.3'"),
    ),
    (
        "fraction-for-int",
        META + "[parameters]\nn_units = 2.5\n",
        ("n_units", "an integer in [1, 10000]", "2.5"),
    ),
    ("int-for-bool", META + "[parameters]\nmanagers = 1\n", ("managers", "true or false")),
    ("string-for-bool", META + '[parameters]\nmanagers = "true"\n', ("managers", "true or false")),
    ("bool-for-int", META + "[parameters]\nsteps = true\n", ("steps", "integer", "true")),
    (
        "bad-choice",
        META + '[parameters]\nstaff_network = "unit"\n',
        (
            "staff_network",
            "units | erdos-renyi | watts-strogatz | fully-mixed",
            "did you mean 'units'?",
        ),
    ),
    ("nan", META + "[parameters]\ninertia = nan\n", ("inertia", "[0, 1]", "nan")),
    ("inf", META + "[parameters]\ninertia = -inf\n", ("inertia = -inf is out of range [0, 1]",)),
    ("inf-int", META + "[parameters]\nn_staff = inf\n", ("n_staff = inf is out of range",)),
    (
        "huge-int-float",
        META + "[parameters]\nopenness = " + "9" * 400 + "\n",
        ("openness", "out of range [0, 1]"),
    ),
    (
        "huge-int-int",
        META + "[parameters]\nn_staff = " + "9" * 400 + "\n",
        ("n_staff", "out of range"),
    ),
    ("huge-float", META + "[parameters]\nn_staff = 1e400\n", ("n_staff", "out of range")),
    ("array-value", META + "[parameters]\ninertia = [0.1]\n", ("inertia", "got an array")),
    ("table-value", META + "[parameters.inertia]\nx = 1\n", ("inertia", "got a table")),
    ("date-value", META + "[parameters]\ninertia = 2014-05-15\n", ("inertia", "got a date")),
    ("bad-toml", '[meta]\ntitle_fr = "a"\ntitle_en = \n', ("line 3, column", "invalid TOML")),
    ("duplicate-key", META + "title_fr = 'b'\n", ("line 4", "invalid TOML")),
    (
        "unknown-top",
        META + "evnts = []\n",
        ("[meta] evnts: unknown key",),
    ),  # inside [meta] after the header
    (
        "unknown-top-level",
        "evnts = []\n" + META,
        ("evnts: unknown top-level key", "did you mean 'events'?", "extends, meta"),
    ),
    (
        "unknown-meta",
        META + 'titel_fr = "x"\n',
        ("[meta] titel_fr: unknown key", "did you mean 'title_fr'?", "title_en"),
    ),
    ("odd-key", META + '"in\\nertia" = 1\n', ("[meta] 'in\\nertia': unknown key",)),
    ("no-meta", "[parameters]\ninertia = 0.3\n", ("[meta]", "title_fr and title_en")),
    ("empty-file", "", ("[meta]", "title_fr")),
    ("no-title-en", '[meta]\ntitle_fr = "a"\n', ("[meta] title_en: missing",)),
    ("meta-not-table", 'meta = "x"\n', ("meta: expected a table", "got a string")),
    ("meta-value", '[meta]\ntitle_fr = 3\ntitle_en = "b"\n', ("[meta] title_fr", "a string")),
    (
        "parameters-not-table",
        "parameters = 3\n" + META,
        ("parameters: expected a table", "got an integer"),
    ),
    ("events-not-array", "events = {}\n" + META, ("events: expected an array", "got a table")),
    ("event-not-table", "events = [1]\n" + META, ("[[events]] #1: expected a table",)),
    (
        "event-unknown-key",
        META + '[[events]]\nstp = 3\nlabel_fr = "a"\nset = {inertia = 0.1}\n',
        ("[[events]] #1 stp: unknown key", "did you mean 'step'?", "set"),
    ),
    (
        "event-step-string",
        META + '[[events]]\nstep = "a"\nlabel_fr = "a"\nset = {inertia = 0.1}\n',
        ("[[events]] #1 step", "integer", "'a'"),
    ),
    (
        "event-step-bool",
        META + '[[events]]\nstep = true\nlabel_fr = "a"\nset = {inertia = 0.1}\n',
        ("[[events]] #1 step", "integer", "true"),
    ),
    (
        "event-step-zero",
        META + '[[events]]\nstep = 0\nlabel_fr = "a"\nset = {inertia = 0.1}\n',
        ("[[events]] #1 step = 0", "1 <= step"),
    ),
    (
        "event-step-late",
        META + '[[events]]\nstep = 261\nlabel_fr = "a"\nset = {inertia = 0.1}\n',
        ("[[events]] #1 step = 261 is out of range [1, 260]",),
    ),
    (
        "event-no-step",
        META + '[[events]]\nlabel_fr = "a"\nset = {inertia = 0.1}\n',
        ("[[events]] #1 step: missing",),
    ),
    (
        "event-no-set",
        META + '[[events]]\nstep = 3\nlabel_fr = "a"\n',
        ("[[events]] #1 set: missing",),
    ),
    (
        "event-set-scalar",
        META + '[[events]]\nstep = 3\nlabel_fr = "a"\nset = 3\n',
        ("[[events]] #1 set: expected a table",),
    ),
    (
        "event-set-empty",
        META + '[[events]]\nstep = 3\nlabel_fr = "a"\nset = {}\n',
        ("[[events]] #1 set: empty",),
    ),
    (
        "event-fixed-param",
        META + '[[events]]\nstep = 3\nlabel_fr = "a"\nset = {n_staff = 5}\n',
        ("[[events]] #1 set.n_staff: cannot change during a run", "max_pilots_per_unit"),
    ),
    (
        "event-unknown-param",
        META + '[[events]]\nstep = 3\nlabel_fr = "a"\nset = {inerta = 1}\n',
        ("[[events]] #1 set.inerta: unknown parameter", "did you mean 'inertia'?"),
    ),
    (
        "event-bad-value",
        META + '[[events]]\nstep = 3\nlabel_fr = "a"\nset = {inertia = 2}\n',
        ("[[events]] #1 set.inertia = 2 is out of range [0, 1]",),
    ),
    (
        "event-no-label",
        META + "[[events]]\nstep = 3\nset = {inertia = 0.1}\n",
        ("[[events]] #1 label_fr: missing", "label_en"),
    ),
    (
        "event-label-type",
        META + "[[events]]\nstep = 3\nlabel_fr = 1\nset = {inertia = 0.1}\n",
        ("[[events]] #1 label_fr: expected a string",),
    ),
    (
        "event-second",
        META + '[[events]]\nstep = 3\nlabel_fr = "a"\nset = {inertia = 0.1}\n'
        '[[events]]\nstep = 3\nlabel_fr = "a"\nset = {inertia = "x"}\n',
        ("[[events]] #2 set.inertia",),
    ),
    (
        "inconsistent",
        META + "[parameters]\nn_staff = 10\nn_units = 20\n",
        ("[parameters] n_units (20) must not exceed n_staff (10)",),
    ),
    ("extends-type", "extends = 3\n", ("extends: expected a path", "got 3")),
    ("extends-empty", 'extends = ""\n', ("extends: expected a path",)),
    ("extends-missing", 'extends = "nope.toml"\n', ("extends = 'nope.toml': no such file",)),
    ("extends-folder", 'extends = "."\n', ("extends = '.'",)),
    ("deep-arrays", "a = " + "[" * 3000 + "]" * 3000 + "\n", ("invalid TOML",)),
    ("deep-tables", "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n", ("invalid TOML",)),
    ("long-integer", "a = " + "1" * 5000 + "\n", ("invalid TOML",)),
    ("nul-byte", META + "\x00", ("line 4, column 1: invalid TOML",)),
]


@pytest.mark.parametrize(
    ("content", "fragments"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors_are_one_line_and_name_file_and_key(
    tmp_path: Path, content: str, fragments: tuple[str, ...]
) -> None:
    path = write(tmp_path / "x.toml", content)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    msg = assert_one_line_error(info.value, "x.toml: ", *fragments)
    assert msg.startswith(str(path)) or msg.startswith("x.toml")


def test_error_paths_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scenarios").mkdir()
    write(tmp_path / "scenarios" / "x.toml", META + "[parameters]\ninerta = 0.3\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario("scenarios/x.toml")
    assert str(info.value) == (
        "scenarios/x.toml: [parameters] inerta: unknown parameter (did you mean 'inertia'?)"
    )


def test_deeply_nested_dotted_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.toml", META.replace("[meta]", "[meta." + ".".join(["a"] * 5000) + "]")
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert_one_line_error(info.value, "x.toml")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00garbage",
        bytes(range(256)),
        b"\x89PNG\r\n\x1a\n\x00\x00",
        "é".encode("latin-1"),
    ],
)
def test_binary_garbage(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert_one_line_error(info.value, "x.toml", "invalid TOML")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(("\ufeff" + META).encode("utf-8"))
    assert load_scenario(path).meta["title_fr"] == "Essai"


def test_ints_as_integral_floats_are_accepted(tmp_path: Path) -> None:
    s = load_scenario(
        write(
            tmp_path / "x.toml",
            META + "[parameters]\nsteps = 30.0\n"
            '[[events]]\nstep = 3.0\nlabel_fr = "a"\n'
            "set = { max_pilots_per_unit = 1.0, inertia = 1 }\n",
        )
    )
    assert s.parameters["steps"] == 30 and type(s.parameters["steps"]) is int
    assert s.events[0].step == 3 and type(s.events[0].step) is int
    assert s.events[0].set == {"max_pilots_per_unit": 1, "inertia": 1.0}
    assert type(s.events[0].set["inertia"]) is float


@pytest.mark.parametrize(
    ("arg", "fragments"),
    [
        ("pantn", ("pantn: unknown scenario", "did you mean 'pantin'?", "docking/bass", "default")),
        ("docking/bas", ("no such file", "docking/bass")),
        ("nowhere/x.toml", ("nowhere/x.toml: no such file", "pantin")),
    ],
)
def test_unknown_names_list_the_shipped_ones(arg: str, fragments: tuple[str, ...]) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(arg)
    assert_one_line_error(info.value, *fragments)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "absent.toml")
    assert_one_line_error(info.value, "absent.toml: no such file")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert_one_line_error(info.value, str(tmp_path), "folder")


# --- --set overrides --------------------------------------------------------------------------


def test_overrides_apply_and_leave_the_original_alone() -> None:
    s = load_scenario("pantin")
    t = s.with_overrides(
        [
            "inertia=0.3",
            " n_units = 4.0",
            "managers=false",
            "staff_network=fully-mixed",
            "inertia=0.25",
        ]
    )
    assert t.parameters["inertia"] == 0.25 and t.parameters["n_units"] == 4
    assert t.parameters["managers"] is False and t.parameters["staff_network"] == "fully-mixed"
    assert s.parameters["inertia"] == load_scenario("pantin").parameters["inertia"]
    assert t.events == s.events and t.name == s.name and t.meta == s.meta
    assert params.validate(t.parameters) == t.parameters
    assert s.with_overrides([]) == s


@pytest.mark.parametrize(
    ("assignment", "fragments"),
    [
        ("inerta=0.3", ("--set inerta=0.3: unknown parameter (did you mean 'inertia'?)",)),
        ("inertia=1.4", ("--set inertia=1.4: ", "out of range [0, 1]")),
        ("inertia=abc", ("--set inertia=abc: ", "[0, 1]")),
        ("inertia=nan", ("--set inertia=nan: ", "[0, 1]")),
        ("n_units=2.5", ("--set n_units=2.5: ", "integer", "[1, 10000]")),
        ("managers=maybe", ("--set managers=maybe: ", "true or false")),
        (
            "staff_network=unit",
            (
                "--set staff_network=unit: ",
                "units | erdos-renyi | watts-strogatz | fully-mixed",
                "did you mean 'units'?",
            ),
        ),
        ("inertia", ("--set inertia: expected name=value",)),
        ("=3", ("--set =3: expected name=value",)),
        ("inertia=0.3\nx", ("--set inertia=0.3 x",)),
        ("n_units=5000", ("--set n_units=5000: n_units (5000) must not exceed n_staff",)),
        ("steps=100", ("--set steps=100: ", "Budget cut", "step 104", "steps = 100")),
    ],
)
def test_override_errors(assignment: str, fragments: tuple[str, ...]) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("prudent-bureaucracy").with_overrides([assignment])
    assert_one_line_error(info.value, *fragments)


def test_override_steps_keeps_events_in_range() -> None:
    s = load_scenario("prudent-bureaucracy")
    assert s.with_overrides(["steps=104"]).parameters["steps"] == 104
    assert load_scenario("default").with_overrides(["steps=1"]).parameters["steps"] == 1


# --- fuzzing ----------------------------------------------------------------------------------


def check_load(path: Path) -> Scenario | None:
    """The fuzz oracle: a valid Scenario, or a one-line ScenarioError naming the file."""
    try:
        s = load_scenario(path)
    except ScenarioError as exc:
        assert_one_line_error(exc, path.name)
        event("error: invalid TOML" if "invalid TOML" in str(exc) else "error: schema")
        return None
    assert_valid(s)
    event("loaded")
    return s


FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@FUZZ
@given(doc=documents(good=True), sections=st.booleans(), extends=st.booleans())
def test_fuzz_valid_documents_load(
    tmp_path: Path, doc: dict[str, Any], sections: bool, extends: bool
) -> None:
    if extends:
        doc = {"extends": (REPO / "scenarios" / "default.toml").as_posix(), **doc}
    path = write(tmp_path / "fuzz.toml", render(doc, sections))
    try:
        params.check_consistency({**params.defaults(), **doc.get("parameters", {})})
    except ValueError as exc:  # valid values, inconsistent together
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        assert_one_line_error(info.value, "fuzz.toml: [parameters] ", str(exc))
        return
    s = load_scenario(path)
    assert_valid(s)
    for name, value in doc.get("parameters", {}).items():
        assert s.parameters[name] == value
    assert len(s.events) == len(doc.get("events", []))


@FUZZ
@given(
    doc=documents(good=False),
    sections=st.booleans(),
    extends=st.sampled_from([None, None, None, "default", "self", "missing", "number"]),
    mutation=st.none() | st.none() | st.tuples(st.integers(0, 10**6), st.integers(0, 3), TEXT),
)
def test_fuzz_any_document_loads_or_fails_cleanly(
    tmp_path: Path,
    doc: dict[str, Any],
    sections: bool,
    extends: str | None,
    mutation: tuple[int, int, str] | None,
) -> None:
    if extends is not None:
        doc["extends"] = {
            "default": (REPO / "scenarios" / "default.toml").as_posix(),
            "self": "fuzz.toml",
            "missing": "missing.toml",
            "number": 7,
        }[extends]
    text = render(doc, sections)
    if mutation is not None:  # cut and splice the text: mostly broken TOML
        at, cut, insert = mutation
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut :]
    check_load(write(tmp_path / "fuzz.toml", text))


@FUZZ
@given(data=st.binary(max_size=200) | TEXT.map(lambda t: t.encode("utf-8", "replace")))
def test_fuzz_raw_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    check_load(path)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    name=near(tuple(PARAMETERS)),
    text=TEXT | st.floats().map(repr) | st.integers(-(10**30), 10**30).map(str),
)
def test_fuzz_overrides(name: str, text: str) -> None:
    s = load_scenario("timeline")
    try:
        t = s.with_overrides([f"{name}={text}"])
    except ScenarioError as exc:
        assert_one_line_error(exc, "--set ")
    else:
        assert_valid(t)
