"""Hypothesis strategies shared by the fuzz tests of scenario and experiment files, the TOML
rendering those tests write their drawn documents with, and the fuzzing of the command
line (tests/test_fuzz_cli.py, benchmarks/bench_faults.py --inputs): drawn scenario files,
experiment files, ``--set`` values and damaged inputs, each run through the real CLI and
judged by :func:`problems`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from milieusim.params import EVENT_PARAMETERS, PARAMETERS
from milieusim.scenario import EVENT_KEYS, META_KEYS, TOP_KEYS

REPO = Path(__file__).resolve().parents[2]


def good_value(name: str, int_span: int = 50) -> st.SearchStrategy[Any]:
    """Values the schema accepts for parameter ``name`` (ints within ``int_span`` of low)."""
    p = PARAMETERS[name]
    if p.type == "bool":
        return st.booleans()
    if p.type == "choice":
        return st.sampled_from(p.choices)
    if p.type == "int":
        return st.integers(int(p.low), int(min(p.high, p.low + int_span)))
    return st.floats(p.low, p.high)


def toml_key(key: str) -> str:
    """A TOML key, quoted (as a JSON-style basic string)."""
    return json.dumps(key, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """A one-line TOML rendering of a Python value (strings as JSON-style basic strings;
    non-finite floats as nan / inf / -inf, which is their repr)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return value.isoformat()


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
PRINTABLE = st.text(
    st.characters(
        min_codepoint=32, max_codepoint=0x2FF, blacklist_categories=("Cc", "Cf", "Zl", "Zp")
    ),
    max_size=12,
)


@st.composite
def near(draw: st.DrawFn, valid: tuple[str, ...]) -> str:
    """A valid name, a misspelt one, or random text."""
    name = draw(st.sampled_from(valid))
    how = draw(st.sampled_from(["same", "same", "drop", "add", "swap", "upper", "random"]))
    if how == "random":
        return draw(TEXT)
    if how == "upper":
        return name.upper()
    i = draw(st.integers(0, len(name) - 1))
    if how == "drop":
        return name[:i] + name[i + 1 :]
    if how == "add":
        return name[:i] + draw(st.sampled_from("abz_- é")) + name[i:]
    if how == "swap" and len(name) > 1:
        i = min(i, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name


SCALARS = st.one_of(st.booleans(), st.integers(-(2**70), 2**70), st.floats(), TEXT, st.dates())
ANY_VALUE = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(PRINTABLE, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def documents(draw: st.DrawFn, good: bool) -> dict[str, Any]:
    """A scenario document: always loadable when ``good``; else each part may go wrong."""
    noise = 0 if good else draw(st.integers(0, 3))

    def wild() -> bool:  # with probability noise / 10: corrupt this part
        return noise > 0 and draw(st.integers(0, 9)) < noise

    def value(name: str) -> Any:
        if name in PARAMETERS and not wild():
            return draw(good_value(name, int_span=400))
        return draw(ANY_VALUE)

    doc: dict[str, Any] = {}
    if not wild():
        doc["meta"] = {
            "title_fr": draw(PRINTABLE.filter(str.strip)),
            "title_en": draw(PRINTABLE.filter(str.strip)),
        }
        for key in draw(st.lists(st.sampled_from(META_KEYS[2:]), max_size=3)):
            doc["meta"][key] = draw(PRINTABLE) if not wild() else draw(ANY_VALUE)
    while wild():
        where = draw(st.sampled_from(["top", "meta"]))
        key = draw(near(TOP_KEYS if where == "top" else META_KEYS))
        target = doc if where == "top" else doc.setdefault("meta", {})
        if isinstance(target, dict):
            target[key] = draw(ANY_VALUE)
    names = [
        draw(near(tuple(PARAMETERS))) if wild() else draw(st.sampled_from(tuple(PARAMETERS)))
        for _ in range(draw(st.integers(0, 6)))
    ]
    if names or draw(st.booleans()):
        doc["parameters"] = {n: value(n) for n in names}
    table = doc.get("parameters")
    steps = table.get("steps", 260) if isinstance(table, dict) else 260
    top = steps if isinstance(steps, int) and not isinstance(steps, bool) else 260
    events = []
    for _ in range(draw(st.integers(0, 3))):
        step = draw(st.integers(1, max(1, min(top, 10**6))))
        event: dict[str, Any] = {
            "step": step if not wild() else draw(st.integers(-2, 300) | ANY_VALUE),
            draw(st.sampled_from(["label_fr", "label_en"])): draw(PRINTABLE.filter(str.strip)),
        }
        set_names = [
            draw(near(EVENT_PARAMETERS)) if wild() else draw(st.sampled_from(EVENT_PARAMETERS))
            for _ in range(draw(st.integers(1, 3)))
        ]
        event["set"] = {n: value(n) for n in set_names}
        if wild():
            event[draw(near(EVENT_KEYS))] = draw(ANY_VALUE)
        events.append(event)
    if events:
        doc["events"] = events
    if wild():
        doc[draw(st.sampled_from(TOP_KEYS))] = draw(ANY_VALUE)
    return doc


def render(doc: dict[str, Any], sections: bool) -> str:
    """TOML text for ``doc``: either ``[table]`` sections or all inline."""
    lines = []
    for key, value in doc.items():
        if sections and isinstance(value, dict) and value:
            lines.append(f"[{toml_key(key)}]")
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()]
        elif (
            sections
            and isinstance(value, list)
            and value
            and all(isinstance(v, dict) for v in value)
        ):
            for item in value:
                lines.append(f"[[{toml_key(key)}]]")
                lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in item.items()]
        else:
            lines.insert(0, f"{toml_key(key)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


# --- the command line, fuzzed ------------------------------------------------------------------

EXPERIMENT: dict[str, Any] = {
    "meta": {"title_fr": "Essai", "title_en": "Trial"},
    "experiment": {
        "scenario": "default",
        "replications": 2,
        "seed": 7,
        "steps": 4,
        "set": {"n_staff": 30, "n_units": 3},
    },
    "output": {"reporters": ["adoption_share", "ideas"], "every": 2},
    "design": {"kind": "grid", "parameters": {"inertia": [0.2, 0.8]}},
}
"""A small valid experiment (2 points × 2 replications of 4 weeks, 30 staff) to mutate."""

SPECIALS = ("fifo", "folder", "dev-zero", "dev-null", "missing", "loop", "dangling")
"""What an input path may be instead of a regular file."""

RUN = ("--steps", "2", "--set", "n_staff=30", "--set", "n_units=3")
"""Options that keep a valid run small (they come after the fuzzed ``--set``: they win)."""


@dataclass
class Case:
    """One command line and the files it reads, created in a fresh folder ``root``.

    ``args`` may hold ``{root}``; ``files`` maps names to contents, ``specials`` names to
    one of :data:`SPECIALS`. The output folder, where there is one, is ``{root}/out``."""

    kind: str
    args: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    specials: dict[str, str] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        """Whether reading its inputs could block an in-process run (FIFOs, devices)."""
        return any(kind in ("fifo", "dev-zero", "dev-null") for kind in self.specials.values())


def _mutate(draw: st.DrawFn, doc: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """``doc`` with one key renamed, removed, added, or one value replaced (recursively)."""
    doc = dict(doc)
    keys = list(doc)
    how = draw(st.sampled_from(["value", "rename", "drop", "add", "deeper"]))
    if not keys or how == "add":
        doc[draw(near(tuple(keys) or ("x",)))] = draw(ANY_VALUE)
        return doc
    key = draw(st.sampled_from(keys))
    if how == "deeper" and isinstance(doc[key], dict) and depth < 3:
        doc[key] = _mutate(draw, doc[key], depth + 1)
    elif how == "rename":
        doc[draw(near((key,)))] = doc.pop(key)
    elif how == "drop":
        del doc[key]
    else:
        doc[key] = draw(ANY_VALUE | st.sampled_from(["default", "pantin", "missing.toml", ""]))
    return doc


@st.composite
def experiment_documents(draw: st.DrawFn) -> dict[str, Any]:
    """:data:`EXPERIMENT` with 0 to 3 mutations."""
    doc = json.loads(json.dumps(EXPERIMENT))
    for _ in range(draw(st.integers(0, 3))):
        doc = _mutate(draw, doc)
    return doc


def _shipped(kind: str) -> list[Path]:
    folder = REPO / ("scenarios" if kind == "scenario" else "experiments")
    return sorted(folder.rglob("*.toml"))


@st.composite
def damaged(draw: st.DrawFn, kind: str) -> bytes:
    """A shipped file's bytes, damaged: cut, spliced, flipped, not UTF-8, or noise."""
    data = draw(st.sampled_from(_shipped(kind))).read_bytes()
    how = draw(st.sampled_from(["cut", "splice", "flip", "latin1", "noise", "nul", "nest"]))
    at = draw(st.integers(0, len(data)))
    if how == "cut":
        return data[:at]
    if how == "splice":
        return data[:at] + draw(st.binary(max_size=40)) + data[at + draw(st.integers(0, 40)) :]
    if how == "flip" and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
    if how == "latin1":
        return data.decode("utf-8").encode("latin-1", "replace")
    if how == "nul":
        return data[:at] + b"\0" + data[at:]
    if how == "nest":
        return data + b"\nx = " + b"[" * 5000 + b"]" * 5000 + b"\n"
    return draw(st.binary(max_size=300))


def _input(kind: str, data: bytes | None, special: str | None) -> tuple[dict, dict]:
    name = "s.toml" if kind == "scenario" else "e.toml"
    if special is not None:
        return {}, {name: special}
    return {name: data or b""}, {}


def _command(kind: str, path: str) -> list[str]:
    if kind == "scenario":
        return ["run", path, *RUN, "--out", "{root}/out"]
    return ["plan", path, "--workers", "1"]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A command line with drawn inputs: a scenario or experiment file (drawn, mutated,
    damaged, or not a regular file), an ``extends`` or ``[experiment] scenario`` pointing
    at one, a ``--set`` item, or a scenario file name with control characters."""
    family = draw(
        st.sampled_from(["scenario", "experiment", "damaged", "set", "special", "name", "link"])
    )
    if family == "scenario":
        doc = draw(documents(good=draw(st.booleans())))
        text = render(doc, draw(st.booleans())).encode("utf-8")
        return Case(family, _command("scenario", "{root}/s.toml"), {"s.toml": text})
    if family == "experiment":
        text = render(draw(experiment_documents()), False).encode("utf-8")
        return Case(family, _command("experiment", "{root}/e.toml"), {"e.toml": text})
    if family == "damaged":
        kind = draw(st.sampled_from(["scenario", "experiment"]))
        files, _ = _input(kind, draw(damaged(kind)), None)
        return Case(family, _command(kind, "{root}/" + next(iter(files))), files)
    if family == "set":
        name = draw(near(tuple(PARAMETERS)))
        value = draw(TEXT | st.floats().map(repr) | st.integers(-(10**40), 10**40).map(str))
        item = draw(st.sampled_from([f"{name}={value}", name, f"={value}", f"{name}=={value}"]))
        args = ["run", "default", "--set", item, *RUN, "--out", "{root}/out"]
        return Case(family, args)
    if family == "special":
        kind = draw(st.sampled_from(["scenario", "experiment"]))
        files, specials = _input(kind, None, draw(st.sampled_from(SPECIALS)))
        return Case(family, _command(kind, "{root}/" + next(iter(specials))), files, specials)
    if family == "name":
        stem = draw(PRINTABLE) + draw(st.sampled_from(["\x1b]0;x\x07", "\u202e", "\x9b", "\r"]))
        name = stem.replace("/", "_") + ".toml"
        text = b'[meta]\ntitle_en = "T"\ntitle_fr = "T"\n'
        return Case(family, _command("scenario", "{root}/" + name), {name: text})
    # "link": a file that points at a drawn special through extends or [experiment] scenario
    special = draw(st.sampled_from(SPECIALS))
    if draw(st.booleans()):
        files = {"s.toml": b'extends = "t.toml"\n'}
        return Case(family, _command("scenario", "{root}/s.toml"), files, {"t.toml": special})
    doc = json.loads(json.dumps(EXPERIMENT))
    doc["experiment"]["scenario"] = "t.toml"
    files = {"e.toml": render(doc, False).encode("utf-8")}
    return Case(family, _command("experiment", "{root}/e.toml"), files, {"t.toml": special})


def materialise(case: Case, root: Path) -> list[str]:
    """Create ``case``'s files in the empty folder ``root``; return its command line."""
    for name, data in case.files.items():
        (root / name).write_bytes(data)
    for name, special in case.specials.items():
        path = root / name
        if special == "fifo":
            os.mkfifo(path)
        elif special == "folder":
            path.mkdir()
        elif special == "dev-zero":
            path.symlink_to("/dev/zero")
        elif special == "dev-null":
            path.symlink_to("/dev/null")
        elif special == "loop":
            path.symlink_to(path.name)
        elif special == "dangling":
            path.symlink_to("nowhere.toml")
    return [arg.replace("{root}", str(root)) for arg in case.args]


@dataclass
class Outcome:
    """What one command did."""

    code: int | None
    """Exit status (None: killed after the time limit)."""
    stdout: str
    stderr: str
    traceback: str
    """An exception that escaped the command (in-process), or '' ."""
    seconds: float
    written: list[str]
    """Paths that appeared in the case's folder besides its inputs."""


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.is_dir() else set()


def run_in_process(args: list[str]) -> tuple[int, str, str, str]:
    """``milieusim ARGS`` through click's runner: (status, stdout, stderr, traceback)."""
    import traceback

    from click.testing import CliRunner

    from milieusim.cli import main

    result = CliRunner().invoke(main, args, prog_name="milieusim")
    escaped = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        escaped = "".join(traceback.format_exception(result.exception))
    return result.exit_code, result.stdout, result.stderr, escaped


def run_child(args: list[str], timeout: float) -> tuple[int | None, str, str, str]:
    """``milieusim ARGS`` in a child process, killed after ``timeout`` seconds."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "milieusim", *args],
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace")
        return None, out, (exc.stderr or b"").decode("utf-8", "replace"), ""
    err = done.stderr.decode("utf-8", "replace")
    return done.returncode, done.stdout.decode("utf-8", "replace"), err, ""


def run_case(case: Case, root: Path, *, timeout: float = 30.0, child: bool = False) -> Outcome:
    """Materialise ``case`` in ``root`` and run it: in a child process if ``child`` or
    if its inputs could block, else in-process."""
    args = materialise(case, root)
    before = _listing(root)
    start = time.perf_counter()
    if child or case.blocking:
        code, out, err, escaped = run_child(args, timeout)
    else:
        code, out, err, escaped = run_in_process(args)
    seconds = time.perf_counter() - start
    written = sorted(_listing(root) - before)
    return Outcome(code, out, err, escaped, seconds, written)


_ALLOWED = {"\n", "\t"}


def _raw_controls(text: str) -> set[str]:
    """Control and format characters in ``text`` that a terminal would act on."""
    return {
        c for c in text if c not in _ALLOWED and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
    }


def problems(outcome: Outcome, limit: float) -> list[str]:
    """What the outcome breaks of the promise made to users (empty: kept): a traceback;
    a hang (over ``limit`` seconds); a control character printed; on failure, anything but
    one ``error:`` line on stderr and nothing on stdout, an exit status other than 2 (1
    for a failure of the machine), or anything written."""
    found = []
    if outcome.code is None or outcome.seconds > limit:
        found.append(f"hang ({outcome.seconds:.1f} s)")
    if outcome.traceback or "Traceback (most recent call last)" in outcome.stderr:
        found.append("traceback")
    if _raw_controls(outcome.stdout) or _raw_controls(outcome.stderr):
        found.append("control character printed")
    if outcome.code in (None, 0):
        return found
    lines = outcome.stderr.splitlines()
    if outcome.code not in (1, 2):
        found.append(f"exit status {outcome.code}")
    if len(lines) != 1 or not lines[0].startswith("error: ") or outcome.stdout:
        found.append("not one error line")
    if outcome.written:
        found.append("wrote " + ", ".join(outcome.written[:3]))
    return found


def valid_toml(data: bytes) -> bool:
    """Whether ``data`` is a TOML document (for labelling cases in statistics)."""
    try:
        tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError):
        return False
    return True
