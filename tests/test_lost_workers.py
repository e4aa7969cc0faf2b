"""Lost workers and cluster security: a local worker killed mid-sweep is replaced and its
runs retried; a run that kills its worker twice is recorded failed with the reason; a
lost Dask worker's runs are rescheduled; workers die with the sweep (row B8); the same for
``validate`` (rows N1, N5); a sweep over TLS on loopback with self-signed certificates."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest
from clitools import assert_one_line_error, invoke
from sweepkit import (
    assert_same_dataset,
    kill_session,
    launcher,
    parts,
    python_cli,
    start,
    wait_for,
    wait_session_gone,
    workers_of,
    write_experiment,
)

from milieusim.experiment import cluster as dask_client
from milieusim.experiment import load_experiment, run_sweep
from milieusim.experiment.store import load_results
from milieusim.experiment.worker import CRASH_ENV

pytestmark = pytest.mark.slow  # real sweeps: a minute or more in all


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_experiment(tmp_path_factory.mktemp("experiment"), replications=8, steps=80)


@pytest.fixture(scope="module")
def reference(experiment: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "out"
    run_sweep(load_experiment(experiment), out, workers=2, progress=False)
    return out


def test_a_killed_local_worker_is_replaced(
    experiment: Path, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    process = start(launcher(tmp_path), "sweep", experiment, "--out", out, "--workers", "2", "-q")
    try:
        wait_for(lambda: parts(out) >= 1 and workers_of(process.pid), process)
        victim = workers_of(process.pid)[0]
        victim.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=300)
    finally:
        kill_session(process.pid)
    assert process.returncode == 0, stderr
    assert "warning: worker processes died during the sweep" in stderr, stderr
    assert "Traceback" not in stderr
    assert_same_dataset(out, reference)


def test_a_run_that_kills_its_worker_twice_is_recorded_failed(
    experiment: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    poison = 2_000_003  # point 2, replication 3
    monkeypatch.setenv(CRASH_ENV, str(poison))
    out = tmp_path / "out"
    report = run_sweep(load_experiment(experiment), out, workers=2, progress=False)
    assert (report.runs_ok, report.runs_failed) == (31, 1)
    assert [rid for rid, _ in report.failures] == [poison]
    runs = load_results(out).runs.set_index("run_id")
    error = runs.loc[poison, "error"]
    assert runs.loc[poison, "status"] == "failed"
    # The reason is the second death's: SIGKILL here, but under heavy load the pool's
    # shutdown can end that worker first (exit status 255); the run is failed either way.
    assert "died twice" in error, error
    # N17: the summary's line is the death and its likely cause, not an unrelated hint.
    reason = report.failures[0][1]
    assert "died twice" in reason and "__main__" not in reason, reason
    assert (runs.drop(index=poison)["status"] == "ok").all()
    monkeypatch.delenv(CRASH_ENV)
    resumed = run_sweep(load_experiment(experiment), out, workers=2, resume=True, progress=False)
    assert resumed.ran == 1 and resumed.runs_ok == 32
    assert_same_dataset(out, reference)


def test_workers_die_with_the_sweep(experiment: Path, reference: Path, tmp_path: Path) -> None:
    """B8: kill -9 of the main process leaves no forkserver, worker or resource tracker
    (they were alive 30 s later, ~290 MB), and the next sweep removes its temporary
    folder."""
    out = tmp_path / "out"
    process = start(launcher(tmp_path), "sweep", experiment, "--out", out, "--workers", "2", "-q")
    try:
        wait_for(lambda: parts(out) >= 1 and len(workers_of(process.pid)) == 2, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert wait_session_gone(process.pid) == []
    finally:
        kill_session(process.pid)
    left = list(Path(tempfile.gettempdir()).glob(f"milieusim-mp-{process.pid}-*"))
    assert left, "the killed sweep's temporary folder (its forkserver socket)"
    done = python_cli("sweep", experiment, "--out", out, "--resume", "-q")
    assert done.returncode == 0, done.stderr
    assert not any(path.exists() for path in left)
    assert_same_dataset(out, reference)


def test_validation_workers_die_with_validate(tmp_path: Path) -> None:
    """As B8, for the process pool of ``milieusim validate``: kill -9 of the main process
    leaves no worker (they were left running before)."""
    process = start(
        launcher(tmp_path),
        "validate",
        "--quick",
        "--case",
        "pattern-3",
        "--workers",
        "2",
        "--out",
        tmp_path / "val",
        "-q",
    )
    try:
        wait_for(lambda: len(workers_of(process.pid)) == 2, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert wait_session_gone(process.pid) == []
    finally:
        kill_session(process.pid)


# --- validate on the same engine (N1, N5) ---------------------------------------------------

TINY_VALIDATE = """\
import dataclasses, os, signal, sys, time
from pathlib import Path

from milieusim.validation.case import Case, CaseResult, Check, Task


@dataclasses.dataclass(frozen=True)
class Tiny:
    seed: int = 0


def work(i, seed, crash=""):
    mark = Path(os.environ["TINY_MARKS"]) / f"crashed-{i}"
    if crash == "always" or (crash == "once" and not mark.exists()):
        mark.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(float(os.environ.get("TINY_SLEEP", "0.02")))
    return i * i + seed


def tasks(settings):
    crash = os.environ.get("TINY_CRASH", "")
    return [
        Task("tiny", (i,), work, {"i": i, "seed": settings.seed + i, "crash": crash * (i == 3)})
        for i in range(8)
    ]


def evaluate(settings, outputs):
    total = sum(value for _, value in outputs)
    expected = sum(i * i + settings.seed + i for i in range(8))
    check = Check("sum", str(expected), str(total), "exact", total == expected)
    return CaseResult("tiny", "A tiny case", "none", f"seed {settings.seed}", [check],
                      data={"values": [value for _, value in outputs]})


def plot(result, path):
    path.write_bytes(repr(result.data).encode())


TINY = Case("tiny", "A tiny case", lambda size: Tiny(), tasks, evaluate, plot)

if __name__ == "__main__":
    import milieusim.validation as docking
    from milieusim import _entry

    docking.all_cases = lambda: (TINY,)
    docking.extra_cases = lambda: ()
    _entry.main(sys.argv[1:])
"""
"""``milieusim`` with one tiny validation case (8 tasks) whose task 3 kills its worker
process once (``TINY_CRASH=once``) or every time (``always``)."""


def tiny_validate(folder: Path) -> Path:
    path = folder / "tiny_validate.py"
    path.write_text(TINY_VALIDATE, encoding="utf-8")
    (folder / "marks").mkdir(exist_ok=True)
    return path


def tiny_env(folder: Path, **extra: str) -> dict[str, str]:
    return {"TINY_MARKS": str(folder / "marks"), **extra}


def run_tiny(folder: Path, out: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(tiny_validate(folder)), "validate", "--quick", "--workers", "2"]
        + ["--out", str(out), "-q"],
        text=True,
        capture_output=True,
        env={**os.environ, **tiny_env(folder, **extra)},
        timeout=300,
        check=False,
    )


def report_data(out: Path) -> dict[str, object]:
    """validation.json without what depends on the clock."""
    data = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    for key in ("wall_s", "started"):
        data.pop(key)
    for case in data["cases"]:
        case.pop("compute_s")
    return data


def test_a_validation_task_whose_worker_dies_is_run_again(tmp_path: Path) -> None:
    """N1: a worker killed under ``validate --workers 2`` (here by its task, once) no longer
    ends the validation in a BrokenProcessPool traceback: the task runs again and the report
    is that of an uninterrupted validation. Killed twice, it fails in one line, naming why."""
    reference = run_tiny(tmp_path, tmp_path / "ref")
    assert reference.returncode == 0, reference.stderr
    once = run_tiny(tmp_path, tmp_path / "once", TINY_CRASH="once")
    assert once.returncode == 0, once.stderr
    assert (tmp_path / "marks" / "crashed-3").exists()  # the worker did die
    assert "Traceback" not in once.stderr
    assert re.search(
        r"^warning: worker processes died; \d+ tasks were run again", once.stderr, re.M
    )
    assert report_data(tmp_path / "once") == report_data(tmp_path / "ref")
    assert not (tmp_path / "once" / ".work").exists()
    always = run_tiny(tmp_path, tmp_path / "always", TINY_CRASH="always")
    assert always.returncode == 1, always.stderr
    assert always.stdout == "" and len(always.stderr.splitlines()) == 1, always.stderr
    assert always.stderr.startswith("error: case tiny: task (3,) failed: The worker process")
    assert "died twice (killed by signal SIGKILL)" in always.stderr
    assert "Out of memory?" in always.stderr and "__main__" not in always.stderr


def left_in(temp: Path) -> list[str]:
    """What a command left in the temporary folder ``temp``, but for the libraries' cache
    folder ``milieusim-<uid>`` that every command keeps there on purpose (N21)."""
    caches = f"milieusim-{os.getuid() if hasattr(os, 'getuid') else 0}"
    return sorted(p.name for p in temp.iterdir() if p.name != caches)


def running_workers(pid: int) -> int:
    """How many of ``pid``'s pool workers have been alive for a second or more."""
    now = time.time()
    return sum(1 for worker in workers_of(pid) if now - worker.create_time() >= 1.0)


def test_validate_ends_cleanly_on_sigterm_and_leaves_no_temporary_folder(tmp_path: Path) -> None:
    """N5: SIGTERM ends ``validate`` as it ends a sweep (exit 130, a line saying what is
    kept, no leaked semaphore), and neither SIGTERM nor SIGKILL leaves a ``pymp-*`` folder
    in the temporary directory (the next run removes a killed one's)."""
    temp = Path(tempfile.mkdtemp(prefix="n5-", dir="/tmp"))  # short: it holds a socket
    script = tiny_validate(tmp_path)
    env = {**tiny_env(tmp_path, TINY_SLEEP="2"), "TMPDIR": str(temp)}
    args = ("validate", "--quick", "--workers", "2", "--out", tmp_path / "val", "-q")
    process = start(script, *args, env=env)
    try:
        # Mid-run: both workers started (a second old, so past their start-up; SIGTERM
        # during the start-up is tested below).
        wait_for(lambda: running_workers(process.pid) == 2, process)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
        assert wait_session_gone(process.pid) == []
    finally:
        kill_session(process.pid)
    assert process.returncode == 130, stderr
    assert stderr.startswith("interrupted: "), stderr
    assert "leaked" not in stderr and "Traceback" not in stderr, stderr
    assert list(temp.glob("pymp-*")) == [] and left_in(temp) == []
    process = start(script, *args, env=env)
    try:
        wait_for(lambda: len(workers_of(process.pid)) == 2, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert wait_session_gone(process.pid) == []
    finally:
        kill_session(process.pid)
    assert list(temp.glob("pymp-*")) == []
    assert [name.startswith(f"milieusim-mp-{process.pid}-") for name in left_in(temp)] == [True]
    done = subprocess.run(
        [sys.executable, str(script), *map(str, args)],
        env={**os.environ, **env, "TINY_SLEEP": "0"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert left_in(temp) == []


def children_of(pid: int) -> list[psutil.Process]:
    """The processes started by ``pid`` and its children (none if it has ended)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def newest_worker_age(pid: int) -> float | None:
    """How long ago the youngest of ``pid``'s pool workers started (None: none yet)."""
    now = time.time()
    ages = [now - worker.create_time() for worker in workers_of(pid)]
    return min(ages) if ages else None


def catches_sigterm(pid: int) -> bool:
    """Whether process ``pid`` has a handler for SIGTERM (Linux: its ``SigCgt`` mask)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(mask, 16) >> (signal.SIGTERM - 1) & 1)


STARTING_MOMENTS = {
    # as soon as the entry point takes SIGTERM (before that, the interpreter itself is
    # starting and the signal's default applies), while the modules are still imported
    "while the command imports its modules": catches_sigterm,
    "as the first worker starts": lambda pid: newest_worker_age(pid) is not None,
    "as the forkserver starts": lambda pid: any(
        "forkserver" in " ".join(child.cmdline()) for child in children_of(pid)
    ),
}


@pytest.mark.parametrize("moment", list(STARTING_MOMENTS))
def test_validate_stopped_by_sigterm_while_starting_says_one_line(
    moment: str, tmp_path: Path
) -> None:
    """N5, the start-up race: SIGTERM while ``validate`` imports its modules, or while a
    pool worker is still starting (the forkserver's child unpickling its queues), ends with
    one ``interrupted:`` line and exit 130: no traceback from the command or from a worker
    left starting after the main process has gone, no leaked semaphore, no folder left."""
    temp = Path(tempfile.mkdtemp(prefix="n5s-", dir="/tmp"))  # short: it holds a socket
    script = tiny_validate(tmp_path)
    env = {**tiny_env(tmp_path, TINY_SLEEP="2"), "TMPDIR": str(temp)}
    args = ("validate", "--quick", "--workers", "2", "--out", tmp_path / "val", "-q")
    condition = STARTING_MOMENTS[moment]
    if condition is catches_sigterm:  # the real command: its imports take about a second
        process = subprocess.Popen(
            [sys.executable, "-m", "milieusim", *map(str, args)],
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            start_new_session=True,
        )
    else:
        process = start(script, *args, env=env)
    try:
        wait_for(lambda: condition(process.pid), process)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=120)
        assert wait_session_gone(process.pid) == []
    finally:
        kill_session(process.pid)
    assert process.returncode == 130, stderr
    assert stdout == "" and len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("interrupted: "), stderr
    assert list(temp.glob("pymp-*")) == [] and left_in(temp) == []
    assert not (tmp_path / "val").exists() or not any((tmp_path / "val").iterdir())


def test_a_lost_dask_worker_is_replaced(experiment: Path, reference: Path, tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    out = tmp_path / "dask"
    killed: list[float] = []
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())

        def kill_one() -> None:
            wait_for(lambda: parts(out) >= 1, timeout=300)
            os.kill(pids[0], signal.SIGKILL)
            killed.append(1.0)

        killer = threading.Thread(target=kill_one, daemon=True)
        killer.start()
        report = run_sweep(
            load_experiment(experiment),
            out,
            scheduler=cluster.scheduler_address,
            progress=False,
            flush_runs=2,
        )
        killer.join(timeout=5)
    assert killed, "the worker was killed before the sweep ended"
    assert report.runs_ok == 32 and report.runs_failed == 0
    assert_same_dataset(out, reference)


# --- TLS ------------------------------------------------------------------------------------


def make_certificates(folder: Path) -> dict[str, Path]:
    """A self-signed authority, and certificates it signs for the cluster and a client
    (plus a client certificate from another authority)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    def save(
        stem: str, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate
    ) -> tuple[Path, Path]:
        cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}-key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_path, key_path

    def authority(label: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name(label))
            .issuer_name(name(label))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        return key, cert

    def signed(
        label: str, ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate
    ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        cert = (
            x509.CertificateBuilder()
            .subject_name(name(label))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        return key, cert

    ca_key, ca = authority("milieusim test authority")
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files = {"ca": folder / "ca.pem"}
    for stem in ("cluster", "client"):
        key, cert = signed(stem, ca_key, ca)
        files[stem], files[f"{stem}-key"] = save(stem, key, cert)
    rogue_key, rogue_ca = authority("another authority")
    key, cert = signed("stranger", rogue_key, rogue_ca)
    files["stranger"], files["stranger-key"] = save("stranger", key, cert)
    return files


def test_a_sweep_over_tls_with_self_signed_certificates(
    experiment: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster
    from distributed.security import Security

    pem = make_certificates(tmp_path)
    security = Security(
        tls_ca_file=str(pem["ca"]),
        tls_scheduler_cert=str(pem["cluster"]),
        tls_scheduler_key=str(pem["cluster-key"]),
        tls_worker_cert=str(pem["cluster"]),
        tls_worker_key=str(pem["cluster-key"]),
        tls_client_cert=str(pem["cluster"]),
        tls_client_key=str(pem["cluster-key"]),
        require_encryption=True,
    )
    client = (
        "--tls-ca-file",
        pem["ca"],
        "--tls-cert",
        pem["client"],
        "--tls-key",
        pem["client-key"],
    )
    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=True,
        host="127.0.0.1",
        protocol="tls://",
        security=security,
        dashboard_address=None,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tls://127.0.0.1:")
        out = tmp_path / "tls"
        done = python_cli("sweep", experiment, "--out", out, "--scheduler", address, *client, "-q")
        assert done.returncode == 0, done.stderr
        assert_same_dataset(out, reference)
        history = load_results(out).manifest["history"][-1]
        assert history["executor"].startswith(f"Dask scheduler {address}")
        # A client without the authority's certificate, or in clear, gets no further.
        monkeypatch.setattr(dask_client, "DASK_CONNECT_TIMEOUT", "3s")
        stranger = (
            "--tls-ca-file",
            pem["ca"],
            "--tls-cert",
            pem["stranger"],
            "--tls-key",
            pem["stranger-key"],
        )
        refused = invoke(
            "sweep", experiment, "--out", tmp_path / "no", "--scheduler", address, *stranger
        )
        assert_one_line_error(refused, f"--scheduler {address}: cannot connect")
        clear = invoke(
            "sweep",
            experiment,
            "--out",
            tmp_path / "no",
            "--scheduler",
            address.replace("tls://", "tcp://"),
        )
        assert_one_line_error(clear, "cannot connect")
    assert not (tmp_path / "no").exists()
