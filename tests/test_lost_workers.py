"""Lost workers and cluster security: a local worker killed mid-sweep is replaced and its
runs retried; a run that kills its worker twice is recorded failed with the reason; a
lost Dask worker's runs are rescheduled; workers die with the sweep (row B8); a sweep
over TLS on loopback with self-signed certificates."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import signal
import threading
from pathlib import Path

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

from milieusim.experiment import engine, load_experiment, run_sweep
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
    assert (runs.drop(index=poison)["status"] == "ok").all()
    monkeypatch.delenv(CRASH_ENV)
    resumed = run_sweep(load_experiment(experiment), out, workers=2, resume=True, progress=False)
    assert resumed.ran == 1 and resumed.runs_ok == 32
    assert_same_dataset(out, reference)


def test_workers_die_with_the_sweep(experiment: Path, reference: Path, tmp_path: Path) -> None:
    """B8: kill -9 of the main process leaves no forkserver, worker or resource tracker
    (they were alive 30 s later, ~290 MB), and the next sweep removes its temporary
    folder."""
    import tempfile

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
        monkeypatch.setattr(engine, "DASK_CONNECT_TIMEOUT", "3s")
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
