"""Rows B2, B5, B6, B9, B11, B13–B16 and N6, N16, N19–N21 of the reliability review: each
reproduced, each now one ``error:`` line (exit 2, or 1 for an operating-system failure)
with nothing written or left behind (N20, the figure's cost: tests/test_cli.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clitools import assert_one_line_error, invoke
from sweepkit import wait_for, write_experiment

from milieusim import _io as _files
from milieusim import runner as runner_module

FAST = ("--steps", "20", "--set", "n_staff=150")


def snapshot(folder: Path) -> dict[str, int]:
    """Every path under ``folder`` (hidden ones too), with its size."""
    return {
        str(p.relative_to(folder)): p.stat().st_size if p.is_file() else -1
        for p in sorted(folder.rglob("*"))
    }


# --- B5: an empty --out ------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("run", "default"),
        ("demo",),
        ("sweep", "inertia-tolerance", "--quick"),
        ("validate", "--quick"),
        ("animate", "default"),
        ("plot", "somewhere", "--kind", "curves"),
    ],
)
def test_an_empty_out_is_refused(
    command: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*command, "--out", "")
    assert_one_line_error(result, "--out ''", "empty path")
    assert list(tmp_path.iterdir()) == []


# --- B6: run --out over an earlier run ---------------------------------------------------


def test_run_refuses_an_earlier_run_and_overwrite_replaces_it_whole(tmp_path: Path) -> None:
    out = tmp_path / "X"
    assert invoke("run", "default", *FAST, "--seed", "1", "--out", out, "-q").exit_code == 0
    before = snapshot(out)
    result = invoke("run", "default", *FAST, "--seed", "3", "--out", out, "--format", "csv")
    assert_one_line_error(result, "holds an earlier run", "--overwrite")
    assert snapshot(out) == before
    result = invoke(
        "run", "default", *FAST, "--seed", "3", "--out", out, "--format", "csv", "--overwrite", "-q"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "adoption.png",
        "innovations.csv",
        "summary.json",
        "timeseries.csv",
    ]  # no old parquet
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["seed"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X"]


def test_run_never_replaces_a_folder_holding_other_files(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    (out / "summary.json").write_text("{}", encoding="utf-8")
    for extra in ((), ("--overwrite",)):
        result = invoke("run", "default", *FAST, "--out", out, *extra)
        assert_one_line_error(result, "not the folder of a run", "notes.txt")
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "summary.json"]


@pytest.mark.slow
def test_the_default_out_follows_the_same_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run's default folder needs --overwrite the second time; the demo replaces its own
    earlier output (the README's first command can be run twice), never other files."""
    monkeypatch.chdir(tmp_path)
    assert invoke("run", "default", *FAST).exit_code == 0
    assert_one_line_error(invoke("run", "default", *FAST), "--out out/default", "--overwrite")
    assert invoke("run", "default", *FAST, "--overwrite").exit_code == 0
    assert invoke("demo").exit_code == 0
    assert invoke("demo").exit_code == 0
    (tmp_path / "out" / "demo" / "notes.txt").write_text("mine", encoding="utf-8")
    assert_one_line_error(invoke("demo"), "not the folder of a run", "notes.txt")


def test_an_earlier_run_is_replaced_in_one_exchange(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replacing outputs is one atomic rename (an exchange of the two folders), not one
    rename per file: a kill at any moment leaves the old run or the new one, whole."""
    out, new = tmp_path / "out", tmp_path / "new"
    out.mkdir()
    new.mkdir()
    (out / "timeseries.parquet").write_text("old", encoding="utf-8")
    (new / "timeseries.csv").write_text("new", encoding="utf-8")
    calls: list[str] = []
    real_exchange, real_replace = _files.exchange, os.replace

    def exchange(a: Path, b: Path) -> None:
        calls.append("exchange")
        real_exchange(a, b)

    def replace(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> None:
        calls.append("replace")
        real_replace(a, b)

    monkeypatch.setattr(_files, "exchange", exchange)
    monkeypatch.setattr(_files.os, "replace", replace)
    _files.replace_folder(new, out)
    assert [p.name for p in out.iterdir()] == ["timeseries.csv"]
    assert not new.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert calls == ["replace", "exchange"]  # the failed try on a non-empty folder, then one


# --- B9: kill -9 while run or animate writes ---------------------------------------------


@pytest.mark.slow
def test_a_run_killed_while_writing_is_tidied_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "K"
    process = subprocess.Popen(
        [sys.executable, "-m", "milieusim", "run", "default", *FAST, "--out", str(out), "-q"],
        stderr=subprocess.PIPE,
    )

    def temporary() -> list[Path]:
        return [p for p in tmp_path.iterdir() if p.name.startswith(".K.")]

    try:
        wait_for(lambda: temporary() or process.poll() is not None, timeout=120)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    left = temporary()
    if not left:  # finished first on a fast machine: plant what a killed writer leaves
        out.rename(tmp_path / ".K.999999999-stale.tmp")
        left = temporary()
    assert left and not out.exists()  # the target is never partial
    assert invoke("run", "default", *FAST, "--out", out, "-q").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["K"]


def _dead_pid() -> str:
    """The process id of a process that has ended (a child that printed it and exited)."""
    return subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_animate_removes_what_a_killed_render_left(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = tmp_path / f".a.gif.{dead}-q9w8.tmp.gif"
    stale.write_bytes(b"GIF89a half")
    result = invoke(
        "animate",
        "default",
        "--out",
        tmp_path / "a.gif",
        "--steps",
        "2",
        "--set",
        "n_staff=60",
        "--set",
        "n_units=3",
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif"]


def test_stale_siblings_of_live_processes_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "a.gif"
    dead = _dead_pid()
    stale = tmp_path / f".a.gif.{dead}-x1y2.tmp.gif"
    live = tmp_path / f".a.gif.{os.getpid()}-z3.tmp.gif"
    other = tmp_path / ".a.gif.notes"
    for path in (stale, live, other):
        path.write_bytes(b"x")
    assert _files.remove_stale_siblings(target) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


def test_stale_temporaries_of_any_file_are_removed_in_one_listing(tmp_path: Path) -> None:
    """What ``validate``'s store of runs uses: one listing of the folder at its first
    write, instead of one per file written (which made storing n runs cost n² entries)."""
    dead = _dead_pid()
    stale = [tmp_path / f".{name}.{dead}-x1y2.tmp.pickle" for name in ("r1.pickle", "r2.pickle")]
    live = tmp_path / f".r3.pickle.{os.getpid()}-z3.tmp.pickle"
    kept = [live, tmp_path / "r1.pickle", tmp_path / ".r1.pickle.notes"]
    for path in (*stale, *kept):
        path.write_bytes(b"x")
    assert sorted(_files.remove_stale_temporaries(tmp_path)) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in kept)
    # Written without a listing, it still lands whole and leaves no temporary behind.
    _files.atomic_write(tmp_path / "r4.pickle", lambda tmp: tmp.write_bytes(b"y"), tidy=False)
    assert (tmp_path / "r4.pickle").read_bytes() == b"y"
    assert len(list(tmp_path.iterdir())) == len(kept) + 1


def test_only_the_folders_made_for_an_output_are_removed_and_only_while_empty(
    tmp_path: Path,
) -> None:
    """A run or sweep that writes nothing leaves no folder it made (runner and engine)."""
    deep = tmp_path / "a" / "b" / "c"
    created = _files.make_folder(deep)
    assert created == [deep.absolute(), (tmp_path / "a" / "b").absolute(), tmp_path / "a"]
    assert _files.make_folder(deep) == []  # already there
    (tmp_path / "a" / "kept.txt").write_text("the user's", encoding="utf-8")
    _files.remove_empty(created)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["kept.txt"]
    _files.remove_empty([tmp_path / "a"])  # not empty: left
    assert (tmp_path / "a" / "kept.txt").is_file()


# --- B13: control characters in titles ---------------------------------------------------


@pytest.mark.parametrize(
    "title", ["\u001b]0;pwned\u0007 x", "two\nlines", "bell\u0007", "c1\u009b"]
)
def test_control_characters_in_a_scenario_title_are_refused(title: str, tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'[meta]\ntitle_fr = "ok"\ntitle_en = {json.dumps(title)}\n', encoding="utf-8"
    )
    result = invoke("run", scenario, "--out", tmp_path / "o")
    assert_one_line_error(result, "s.toml: [meta] title_en: control character U+00")
    assert "\u001b" not in result.stderr and "\u0007" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_control_characters_in_an_experiment_title_are_refused(tmp_path: Path) -> None:
    path = write_experiment(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'title_en = "Fault test"', 'title_en = "\\u001b]0;pwned\\u0007"'
        ),
        encoding="utf-8",
    )
    result = invoke("plan", path)
    assert_one_line_error(result, "[meta] title_en: control character U+001B at position 1")


# --- B14: an --out where nothing can be made (root ignores permissions) ------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    "command", [("run", "default", *FAST), ("sweep", "inertia-tolerance", "--quick")]
)
def test_out_inside_proc_is_refused_before_running(command: tuple[str, ...]) -> None:
    result = invoke(*command, "--out", "/proc/milieusim-x")
    assert_one_line_error(result, "--out /proc/milieusim-x: cannot create anything in /proc")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_animate_names_its_file_when_its_folder_cannot_be_written(tmp_path: Path) -> None:
    """N19: ``animate --out /proc/x.gif`` was reported as ``--out /proc``."""
    result = invoke("animate", "default", "--steps", "3", "--out", "/proc/milieusim-x.gif")
    assert_one_line_error(result, "--out /proc/milieusim-x.gif: cannot create anything in /proc")
    (tmp_path / "f").write_text("x", encoding="utf-8")
    inside = tmp_path / "f" / "a.gif"
    result = invoke("animate", "default", "--steps", "3", "--out", str(inside))
    assert_one_line_error(result, f"--out {inside}: is inside {tmp_path / 'f'}, which is a file")


# --- B15: a mistyped results folder --------------------------------------------------------


@pytest.mark.parametrize("command", ["analyze", "plot"])
def test_a_missing_results_folder_is_reported_before_pandas_loads(
    command: str, tmp_path: Path
) -> None:
    code = (
        "import sys\nfrom milieusim.cli import main\n"
        f"try:\n    main([{command!r}, 'nope'], prog_name='milieusim')\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, 'pandas' in sys.modules, 'scipy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.stdout.split() == ["2", "False", "False"], done
    assert done.stderr == "error: nope: no such folder\n"


# --- B16: unclear messages ---------------------------------------------------------------


def test_a_number_of_thousands_of_digits_is_out_of_range(tmp_path: Path) -> None:
    result = invoke("run", "default", "--set", "n_staff=" + "9" * 5000, "--out", tmp_path / "o")
    assert_one_line_error(result, "a number of 5000 digits is out of range [10, 1e+06]")
    assert "inf" not in result.stderr


@pytest.mark.parametrize(
    "args, fragments",
    [
        (
            ("run", "default", "--seed", "-1"),
            ("'--seed'", "-1 is not in the range", "milieusim run --help"),
        ),
        (("run", "default", "--format", "xlsx"), ("'xlsx' is not one of 'parquet', 'csv'",)),
        (("sweep", "x", "--out", "o", "--workers", "0"), ("'--workers'",)),
        (("viz", "--port", "70000"), ("'--port'",)),
        (("nope",), ("No such command 'nope'", "milieusim --help")),
        (("run", "default", "--bogus"), ("No such option '--bogus'",)),
        (("run",), ("Missing argument 'SCENARIO'",)),
    ],
)
def test_usage_errors_are_one_line(
    args: tuple[str, ...],
    fragments: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(invoke(*args), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_run_interrupted_exits_130_with_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(runner_module, "run_scenario", interrupted)
    result = invoke("run", "default", *FAST, "--out", tmp_path / "o")
    assert result.exit_code == 130
    assert result.stderr == "interrupted: no half-written file is left\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_run_interrupted_by_a_real_ctrl_c(tmp_path: Path) -> None:
    code = (
        "import sys\nimport milieusim.runner\nfrom milieusim.cli import main\n"
        "print('ready', file=sys.stderr, flush=True)\n"
        "main(sys.argv[1:], prog_name='milieusim')\n"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "run",
            "default",
            "--steps",
            "5000",
            "--out",
            str(tmp_path / "o"),
            "-q",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None and process.stderr.readline() == "ready\n"
    time.sleep(0.5)  # the run under way (its 5000 weeks take far longer)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "Aborted" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted: no half-written file is left"
    assert list(tmp_path.iterdir()) == []


def test_a_figures_file_is_named_as_such(grid_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "g"
    shutil.copytree(grid_dir, folder)
    shutil.rmtree(folder / "figures", ignore_errors=True)  # drawn by an earlier test
    (folder / "figures").write_text("not a folder", encoding="utf-8")
    result = invoke("plot", folder, "--kind", "funnel")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: cannot write {folder}/figures/funnel.png: {folder}/figures is a file, not a folder"
    ]


# --- B11: a sweep too large to hold -------------------------------------------------------


@pytest.mark.parametrize("command", ["plan", "sweep"])
def test_a_sweep_beyond_ten_million_runs_is_refused(command: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(
        '[meta]\ntitle_fr = "x"\ntitle_en = "x"\n'
        '[experiment]\nscenario = "default"\nreplications = 999999\nseed = 1\n'
        '[design]\nkind = "grid"\n[design.parameters]\n'
        "inertia = { from = 0.0, to = 1.0, num = 100 }\n"
        "openness = { from = 0.0, to = 1.0, num = 10 }\n",
        encoding="utf-8",
    )
    out = ("--out", tmp_path / "h") if command == "sweep" else ()
    result = invoke(command, path, *out)
    assert_one_line_error(
        result, "1000 points × 999999 replications = 999999000 runs", "at most 10000000 runs"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.toml"]
    path.write_text(
        path.read_text(encoding="utf-8").replace("replications = 999999", "replications = 1")
    )
    more = invoke(command, path, *out, "--replications", "20000")
    assert_one_line_error(more, "--replications", "20000000 runs", "at most 10000000 runs")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.toml"]


# --- B2: scheduler addresses Dask rejects at once ----------------------------------------


@pytest.mark.parametrize(
    "address, fragment",
    [
        ("tcp://127.0.0.1:notaport", "expected host:port with a port number"),
        ("inproc://x", "inproc:// names a scheduler inside one process"),
        ("tls://127.0.0.1:1", "tls:// needs certificates: --tls-ca-file"),
        ("ftp://h:1", "unknown scheme 'ftp'"),
        ("10.0.0.5:8786", "expected an address such as tls://host:8786"),
    ],
)
def test_bad_scheduler_addresses_fail_at_once(
    address: str, fragment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import distributed

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("no client may be made for a bad address")

    monkeypatch.setattr(distributed, "Client", never)
    result = invoke(
        "sweep", write_experiment(tmp_path), "--out", tmp_path / "x", "--scheduler", address
    )
    assert_one_line_error(result, f"--scheduler {address}: {fragment}")
    assert not (tmp_path / "x").exists()


def test_tls_options_go_together_with_a_tls_address(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path)
    pem = tmp_path / "x.pem"
    pem.write_text("x", encoding="utf-8")
    cases = [
        (("--tls-ca-file", pem), "go with --scheduler"),
        (("--scheduler", "tls://h:1", "--tls-ca-file", pem), "give all three"),
        (
            ("--scheduler", "tcp://h:1", "--tls-ca-file", pem, "--tls-cert", pem, "--tls-key", pem),
            "not tls://",
        ),
        (
            (
                "--scheduler",
                "tls://h:1",
                "--tls-ca-file",
                tmp_path / "missing.pem",
                "--tls-cert",
                pem,
                "--tls-key",
                pem,
            ),
            "--tls-ca-file",
        ),
    ]
    for args, fragment in cases:
        assert_one_line_error(invoke("sweep", experiment, "--out", tmp_path / "o", *args), fragment)
    assert not (tmp_path / "o").exists()


# --- N6 / N19: FIFOs and devices given as input files -------------------------------------


def milieusim(*args: str | Path, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """``milieusim ARGS`` in a child process, killed after ``timeout`` s (a hang fails)."""
    return subprocess.run(
        [sys.executable, "-m", "milieusim", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def assert_one_line(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "no such file" not in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_and_devices_are_not_regular_files(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.toml")
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    (tmp_path / "ext.toml").write_text('extends = "f.toml"\n', encoding="utf-8")
    experiment = write_experiment(tmp_path)
    text = experiment.read_text(encoding="utf-8")
    assert 'scenario = "default"' in text
    (tmp_path / "e-fifo.toml").write_text(
        text.replace('scenario = "default"', 'scenario = "f.toml"'), encoding="utf-8"
    )
    pem = tmp_path / "x.pem"
    pem.write_text("x", encoding="utf-8")
    tls = ("--scheduler", "tls://h:1", "--tls-cert", pem, "--tls-key", pem, "--tls-ca-file")
    cases = [
        (("run", "f.toml", "--out", "o"), "f.toml: is not a regular file (a FIFO)"),
        (("run", "zero.toml", "--out", "o"), "is not a regular file (a character device)"),
        (("run", "/dev/null", "--out", "o"), "/dev/null: is not a regular file"),
        (("run", "ext.toml", "--out", "o"), "extends = 'f.toml': is not a regular file"),
        (("plan", "f.toml"), "f.toml: is not a regular file (a FIFO)"),
        (("plan", "e-fifo.toml"), "[experiment] scenario = 'f.toml'"),
        (("sweep", experiment, "--out", "o", *tls, "f.toml"), "--tls-ca-file"),
    ]
    for args, fragment in cases:
        done = milieusim(*args, cwd=tmp_path)
        assert_one_line(done, fragment, "is not a regular file")
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_part_or_a_device_manifest_is_damage_not_a_hang(
    grid_dir: Path, tmp_path: Path
) -> None:
    import shutil

    results = tmp_path / "R"
    shutil.copytree(grid_dir, results)
    part = sorted((results / "runs").glob("*.parquet"))[0]
    part.unlink()
    os.mkfifo(part)
    done = milieusim("analyze", results, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "is not a regular file (a FIFO)" in done.stderr and "Traceback" not in done.stderr
    resumed = tmp_path / "S"
    resumed.mkdir()
    (resumed / "manifest.json").symlink_to("/dev/zero")
    done = milieusim(
        "sweep", write_experiment(tmp_path), "--out", resumed, "--resume", cwd=tmp_path
    )
    assert_one_line(done, "manifest.json: is not a regular file (a character device)")


# --- N16: escapes and format characters never reach the terminal -------------------------


def test_escapes_in_a_file_name_and_a_set_name_are_shown_escaped(tmp_path: Path) -> None:
    name = "\u001b]0;pwned\u0007\u202e.toml"
    (tmp_path / name).write_text('[meta]\ntitle_en = "T"\ntitle_fr = "T"\n', encoding="utf-8")
    done = milieusim("run", name, "--steps", "2", "--set", "n_staff=20", "--out", "o", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "T (\\x1b]0;pwned\\x07\\u202e)" in done.stdout
    for text in (done.stdout, done.stderr, (tmp_path / "o" / "summary.json").read_text("utf-8")):
        assert not {"\u001b", "\u0007", "\u202e"} & set(text)
    done = milieusim("run", "default", "--set", "\u001b]0;x\u0007\u2028=1", cwd=tmp_path)
    assert_one_line(done, "--set \\x1b]0;x\\x07\\u2028=1: unknown parameter")
    assert not {"\u001b", "\u0007", "\u2028"} & set(done.stderr)


@pytest.mark.parametrize("char", ["\u202e", "\u200d", "\u2028", "\u2029", "\u00ad"])
def test_format_characters_in_a_title_are_refused(char: str, tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'[meta]\ntitle_fr = "ok"\ntitle_en = {json.dumps("a" + char)}\n', encoding="utf-8"
    )
    result = invoke("run", scenario, "--out", tmp_path / "o")
    assert_one_line_error(result, f"title_en: control character U+{ord(char):04X} at position 2")
    assert char not in result.stderr


# --- N21: the libraries' caches stay out of the home folder --------------------------------


def test_a_run_writes_nothing_in_the_home_folder(tmp_path: Path) -> None:
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("MPLCONFIGDIR", "IPYTHONDIR")}
    env |= {"HOME": str(home), "TMPDIR": str(temp), "XDG_CACHE_HOME": "", "XDG_CONFIG_HOME": ""}
    done = subprocess.run(
        [sys.executable, "-m", "milieusim", "run", "default", "--steps", "2"]
        + ["--set", "n_staff=20", "--out", str(tmp_path / "o"), "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert list(home.rglob("*")) == []
    cache = temp / f"milieusim-{os.getuid()}"
    assert (cache / "matplotlib").is_dir() and cache.stat().st_mode & 0o777 == 0o700


def test_caches_are_not_put_in_a_folder_of_another_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from milieusim.cli.common import keep_caches_out_of_home

    shared = tmp_path / f"milieusim-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)  # as if made by someone else, open to all
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    environ: dict[str, str] = {}
    assert keep_caches_out_of_home(environ) is None and environ == {}
    shared.chmod(0o700)
    assert keep_caches_out_of_home(environ) == shared
    assert environ["MPLCONFIGDIR"] == str(shared / "matplotlib")
