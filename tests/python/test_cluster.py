"""Sweeps on other executors (process pools, Dask, MPI), resumed and with failing runs.

Every test compares against one sweep file made locally with the default
thread pool, dataset by dataset and attribute by attribute: the executor, the
number of workers, the completion order, an interruption or a killed worker
must change nothing. Cluster tests use loopback only, run in their own
process session under a timeout, and are killed with their workers if late.
"""

import concurrent.futures as cf
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import demat
from conftest import REPO
from demat import calibrate, sensitivity

BUILT_PYTHON = str(Path(demat._core.__file__).parents[1])  # the package with its extension
DEMAT = Path(demat._core.__file__).parents[2] / "bin" / "demat"
VALUES = {"channels.counter.enabled": [True, False]}
SET = ["--set", "channels.counter.enabled=true,false"]


def _has(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def write_scenario(folder, name="tiny.toml", population=2000, days=20, warmup=10):
    # A file (not a dict) so that the command line sweeps it too; the short
    # warm-up keeps a run to a fraction of a second.
    path = Path(folder) / name
    path.write_text(f'base = "{REPO / "scenarios" / "hybrid.toml"}"\nname = "tiny"\ndays = {days}\n'
                    f"warmup_days = {warmup}\n[population]\nsize = {population}\n")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return write_scenario(tmp_path_factory.mktemp("scenario"))


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory):
    """2 points x 4 replicates on the local thread pool: the file every other way must write."""
    out = tmp_path_factory.mktemp("reference") / "local.h5"
    demat.sweep(tiny, VALUES, replicates=4, seed=7, output=out)
    return out


def assert_same_file(a, b):
    """Every group, dataset and attribute equal (NaN equal to NaN), in both directions."""
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        assert names_a == names_b
        for name in [None, *names_a]:
            oa, ob = (fa, fb) if name is None else (fa[name], fb[name])
            if isinstance(oa, h5py.Dataset):
                assert oa.dtype == ob.dtype and oa.shape == ob.shape, name
                np.testing.assert_array_equal(oa[()], ob[()], err_msg=name)
            # Dimension-scale attributes hold object references, equal by construction of the names above.
            keys = sorted(k for k in oa.attrs if k not in ("DIMENSION_LIST", "REFERENCE_LIST"))
            assert keys == sorted(k for k in ob.attrs if k not in ("DIMENSION_LIST", "REFERENCE_LIST")), name
            for k in keys:
                np.testing.assert_array_equal(oa.attrs[k], ob.attrs[k], err_msg=f"{name}:{k}")


def env():
    return {**os.environ, "PYTHONPATH": BUILT_PYTHON, "PATH": "/usr/bin:/bin", "OMPI_ALLOW_RUN_AS_ROOT": "1",
            "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def run_bounded(args, timeout, **kwargs):
    """subprocess.run in a session of its own, killed with everything it started if late."""
    with subprocess.Popen(args, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env(), **kwargs) as p:
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            pytest.fail(f"{args[:4]} took more than {timeout} s:\n{err[-3000:]}")
        finally:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # workers left behind, if any
            except ProcessLookupError:
                pass
    return subprocess.CompletedProcess(args, p.returncode, out, err)


def journal_runs(output):
    folder = Path(str(output) + ".journal")
    return sorted(p.name for p in folder.glob("run-*.results")) if folder.is_dir() else []


def interrupt_when(args, output, runs_done, timeout=60):
    """Starts a sweep, sends SIGINT once `runs_done` runs are journaled; returns (process, stderr)."""
    p = subprocess.Popen(args, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env())
    deadline = time.monotonic() + timeout
    try:
        while len(journal_runs(output)) < runs_done:
            assert p.poll() is None, "the sweep ended before it could be interrupted"
            assert time.monotonic() < deadline, "no run journaled in time"
            time.sleep(0.01)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return p, err


class CountingExecutor(cf.Executor):
    """A thread pool that counts what it is given, and can make chosen runs fail."""

    def __init__(self, workers=2, fail=None, times=0):
        self.pool = cf.ThreadPoolExecutor(workers)
        self.submitted = []
        self.fail, self.times = fail, times  # fail the run whose seed is `fail`, `times` times

    def submit(self, fn, *args, **kwargs):
        text, seed = args[0], args[1]
        self.submitted.append(seed)
        if seed == self.fail and self.times > 0:
            self.times -= 1
            return self.pool.submit(_injected_failure)
        return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _injected_failure():
    raise RuntimeError("injected failure")


# ---------------------------------------------------------------- executors on this machine

def test_runs_are_the_runs_of_the_plan_and_any_pool_writes_the_same_file(tiny, reference, tmp_path):
    # Each task rebuilds its scenario from text: the result is that of the planned scenario run directly.
    base = demat.Scenario.load(tiny)
    plan = demat._core.plan_sweep(7, [("channels.counter.enabled", [True, False])], 4)
    ref = demat.load(reference)
    for i in (0, 5):
        direct = demat.Simulation(demat.Scenario(demat._core.planned_scenario(base._core, plan[i])), threads=1).run()
        np.testing.assert_array_equal(ref["counts"][i], direct.results["counts"])
        np.testing.assert_array_equal(ref["segments/capital_quintile/counts"][i],
                                      direct.results["segments/capital_quintile/counts"])
    assert list(ref["run_seed"]) == [demat.child_seed(7, r) for r in range(4)] * 2
    with cf.ProcessPoolExecutor(2) as processes:
        demat.sweep(tiny, VALUES, replicates=4, seed=7, executor=processes, output=tmp_path / "processes.h5")
    assert_same_file(reference, tmp_path / "processes.h5")
    demat.sweep(tiny, VALUES, replicates=4, seed=7, workers=1, output=tmp_path / "one.h5")
    assert_same_file(reference, tmp_path / "one.h5")
    assert not Path(str(tmp_path / "one.h5") + ".journal").exists()  # removed once the file is written


@pytest.mark.skipif(not DEMAT.exists(), reason="the demat command is not built beside this demat package")
def test_cli_sweep_writes_the_local_file(tiny, reference, tmp_path):
    done = run_bounded([str(DEMAT), "sweep", str(tiny), *SET, "--replicates", "4", "--seed", "7", "--jobs", "2",
                        "-q", "-o", str(tmp_path / "cli.h5")], timeout=120)
    assert done.returncode == 0, done.stderr
    assert_same_file(reference, tmp_path / "cli.h5")


# ---------------------------------------------------------------- failures and retries

def test_a_failing_run_is_retried_and_then_gives_the_same_file(tiny, reference, tmp_path):
    seed = demat.child_seed(7, 2)
    flaky = CountingExecutor(fail=seed, times=1)
    with flaky:
        runs = demat.sweep(tiny, VALUES, replicates=4, seed=7, executor=flaky, output=tmp_path / "retried.h5")
    assert runs.failed == {}
    assert len(flaky.submitted) == 9 and flaky.submitted.count(seed) == 3  # 2 points use the seed; 1 retry
    assert_same_file(reference, tmp_path / "retried.h5")


def test_a_run_that_keeps_failing_is_recorded_in_the_file_not_dropped(tiny, reference, tmp_path):
    seed = demat.child_seed(7, 1)  # runs 1 and 5 (replicate 1 of both points)
    broken = CountingExecutor(fail=seed, times=10**6)
    with broken, pytest.warns(RuntimeWarning, match="2 of 8 runs failed after 2 attempts"):
        runs = demat.sweep(tiny, VALUES, replicates=4, seed=7, executor=broken, retries=1,
                           output=tmp_path / "failed.h5")
    assert broken.submitted.count(seed) == 4  # 2 runs x (1 try + 1 retry)
    assert runs.failed == {1: "RuntimeError: injected failure", 5: "RuntimeError: injected failure"}
    assert runs.results[1] is None and runs.results[0] is not None
    assert len(runs.summary()) == 2 * 6  # the summary is over the runs that exist
    got, ref = demat.load(tmp_path / "failed.h5"), demat.load(reference)
    np.testing.assert_array_equal(got["run_failed"], [0, 1, 0, 0, 0, 1, 0, 0])
    assert got.attrs["failed_runs"] == 2
    assert got.attrs["run_errors"] == "run 1: RuntimeError: injected failure\nrun 5: RuntimeError: injected failure"
    assert list(got["run_seed"]) == list(ref["run_seed"])  # the plan is whole: indices and seeds unchanged
    for i in range(8):
        if i in (1, 5):
            assert not got["counts"][i].any()
        else:
            np.testing.assert_array_equal(got["counts"][i], ref["counts"][i])


# ---------------------------------------------------------------- interruption and resume

@pytest.mark.skipif(not DEMAT.exists(), reason="the demat command is not built beside this demat package")
def test_cli_sweep_interrupted_then_resumed_computes_only_the_missing_runs(tiny, reference, tmp_path):
    out = tmp_path / "resumed.h5"
    args = [str(DEMAT), "sweep", str(tiny), *SET, "--replicates", "4", "--seed", "7", "--jobs", "1", "-o", str(out)]
    p, err = interrupt_when(args, out, runs_done=2)
    assert p.returncode == 130, err
    assert "--resume" in err and not out.exists()
    kept = journal_runs(out)
    assert 2 <= len(kept) < 8
    # Without --resume the journal is not silently thrown away.
    again = run_bounded(args, timeout=60)
    assert again.returncode == 2 and "--resume" in again.stderr and journal_runs(out) == kept
    resumed = run_bounded(args + ["--resume"], timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {len(kept)} of 8 runs" in resumed.stderr and f"{8 - len(kept)} to compute" in resumed.stderr
    # The first progress line counts on from the runs kept.
    assert f"demat sweep: {len(kept) + 1}/8 runs" in resumed.stderr
    assert_same_file(reference, out)
    assert not Path(str(out) + ".journal").exists()


def test_python_sweep_interrupted_then_resumed_from_python_runs_only_the_rest(tiny, reference, tmp_path):
    out = tmp_path / "resumed.h5"
    args = [sys.executable, "-m", "demat.sweep", str(tiny), *SET, "--replicates", "4", "--seed", "7", "--jobs", "1",
            "-o", str(out)]
    p, err = interrupt_when(args, out, runs_done=2)
    assert p.returncode == 130, err
    kept = journal_runs(out)
    assert 2 <= len(kept) < 8
    counting = CountingExecutor()
    with counting:
        demat.sweep(tiny, VALUES, replicates=4, seed=7, executor=counting, output=out, resume=True)
    assert len(counting.submitted) == 8 - len(kept)
    assert_same_file(reference, out)


@pytest.mark.skipif(not DEMAT.exists(), reason="the demat command is not built beside this demat package")
def test_a_journal_of_demat_sweep_is_resumed_by_python(tiny, reference, tmp_path):
    # One journal format for both: a sweep started by the command can be finished from Python.
    out = tmp_path / "crossed.h5"
    args = [str(DEMAT), "sweep", str(tiny), *SET, "--replicates", "4", "--seed", "7", "--jobs", "1", "-o", str(out)]
    p, err = interrupt_when(args, out, runs_done=3)
    assert p.returncode == 130, err
    kept = journal_runs(out)
    assert 3 <= len(kept) < 8
    counting = CountingExecutor()
    with counting:
        demat.sweep(tiny, VALUES, replicates=4, seed=7, executor=counting, output=out, resume=True)
    assert len(counting.submitted) == 8 - len(kept)
    assert_same_file(reference, out)


def test_a_journal_of_another_sweep_is_refused(tiny, tmp_path):
    out = tmp_path / "s.h5"
    journal = Path(str(out) + ".journal")
    journal.mkdir()
    other = demat.run_ensemble(tiny, replicates=1, seed=8).results[0]
    (journal / "run-000000.results").write_bytes(other._core.to_bytes())
    with pytest.raises(ValueError, match="not run 0 of this sweep"):
        demat.sweep(tiny, VALUES, replicates=4, seed=7, output=out, resume=True)
    with pytest.raises(ValueError, match="resume=True"):
        demat.sweep(tiny, VALUES, replicates=4, seed=7, output=out)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        demat.sweep(tiny, VALUES, replicates=4, seed=7, output=tmp_path / "missing" / "s.h5")


# ---------------------------------------------------------------- Dask

DASK_SCRIPT = """
import json, os, sys, threading, time, subprocess
import demat
from demat import calibrate
from distributed import Client, LocalCluster

tiny, slow, out, demat_cmd = sys.argv[1:5]
values = {"channels.counter.enabled": [True, False]}
report = {}
if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        demat.sweep(tiny, values, replicates=4, seed=7, executor=client, output=out + "/client.h5")
        demat.sweep(tiny, values, replicates=4, seed=7, executor=cluster.scheduler_address,
                    output=out + "/address.h5")
        if os.path.exists(demat_cmd):
            cli = subprocess.run([demat_cmd, "sweep", tiny, "--set", "channels.counter.enabled=true,false",
                                  "--replicates", "4", "--seed", "7", "-q", "--scheduler", cluster.scheduler_address,
                                  "-o", out + "/cli.h5"], capture_output=True, text=True)
            report["cli"] = [cli.returncode, cli.stderr[-2000:]]
        sc = demat.Scenario.load(tiny)
        report["calibrate_dask"] = calibrate.simulate(sc, {}, [3, 4], 2000, executor=client).tolist()

        # A worker killed while it runs a task: once a first run is journaled,
        # the worker that is busy is killed (its nanny starts another one).
        killed = {}
        def kill():
            journal = out + "/killed.h5.journal"
            while not (os.path.isdir(journal) and os.listdir(journal)):
                time.sleep(0.005)
            busy = [w for w, keys in client.processing().items() if keys]
            pids = client.run(os.getpid)
            killed["busy"] = len(busy)
            killed["journaled"] = len([n for n in os.listdir(journal) if n.endswith(".results")])
            os.kill(pids[busy[0]], 9)
        killer = threading.Thread(target=kill, daemon=True)
        killer.start()
        demat.sweep(slow, values, replicates=4, seed=7, executor=client, output=out + "/killed.h5")
        killer.join(1)
        report["killed"] = killed
    demat.sweep(slow, values, replicates=4, seed=7, output=out + "/killed_local.h5")
    json.dump(report, open(out + "/report.json", "w"))
"""


@pytest.fixture(scope="module")
def dask_run(tiny, tmp_path_factory):
    if not _has("distributed"):
        pytest.skip("python3-distributed is not installed")
    out = tmp_path_factory.mktemp("dask")
    slow = write_scenario(out, "slow.toml", population=6000, days=30)
    script = out / "dask_sweeps.py"
    script.write_text(textwrap.dedent(DASK_SCRIPT))
    done = run_bounded([sys.executable, str(script), str(tiny), str(slow), str(out), str(DEMAT)], timeout=240)
    assert done.returncode == 0, done.stderr[-5000:]
    return out, json.loads((out / "report.json").read_text())


def test_dask_local_cluster_writes_the_local_file(dask_run, reference, tiny):
    out, report = dask_run
    assert_same_file(reference, out / "client.h5")
    assert_same_file(reference, out / "address.h5")
    if DEMAT.exists():
        assert report["cli"][0] == 0, report["cli"][1]
        assert_same_file(reference, out / "cli.h5")
    local = calibrate.simulate(demat.Scenario.load(tiny), {}, [3, 4], 2000)
    np.testing.assert_array_equal(np.array(report["calibrate_dask"]), local)


def test_dask_worker_killed_in_the_middle_leaves_the_same_file(dask_run):
    out, report = dask_run
    killed = report["killed"]
    # The kill was real and in the middle: a worker was busy, and runs were left.
    assert killed["busy"] >= 1 and killed["journaled"] < 8
    assert_same_file(out / "killed_local.h5", out / "killed.h5")


# ---------------------------------------------------------------- MPI

@pytest.mark.skipif(not _has("mpi4py") or not Path("/usr/bin/mpirun").exists(),
                    reason="python3-mpi4py and openmpi-bin are not installed")
def test_mpirun_sweep_writes_the_local_file(tiny, reference, tmp_path):
    out = tmp_path / "mpi.h5"
    done = run_bounded(["/usr/bin/mpirun", "-n", "3", "--oversubscribe", "--allow-run-as-root",
                        "--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo",
                        sys.executable, "-m", "demat.sweep", str(tiny), *SET, "--replicates", "4", "--seed", "7",
                        "-o", str(out)], timeout=180)
    assert done.returncode == 0, done.stderr[-5000:]
    # One sweep handed out by rank 0, not three ranks each running it all.
    assert done.stderr.count("8 runs written") == 1, done.stderr[-3000:]
    assert_same_file(reference, out)


# ---------------------------------------------------------------- analyses

def test_calibration_and_sensitivity_take_an_executor_and_give_the_local_numbers(tiny, monkeypatch):
    sc = demat.Scenario.load(tiny)
    local = calibrate.simulate(sc, {}, [3, 4], 1500)
    with cf.ProcessPoolExecutor(2) as processes:
        remote = calibrate.simulate(sc, {}, [3, 4], 1500, executor=processes)
        np.testing.assert_array_equal(local, remote)
        # As before executors: one run simulated directly gives the same figures.
        direct = calibrate.measure(demat.Simulation(sc.with_changes({"population.size": 1500}), seed=4,
                                                    threads=1).run().results)
        np.testing.assert_array_equal(local[1], direct)
        monkeypatch.setattr(sensitivity, "PARAMETERS", sensitivity.PARAMETERS[:2])
        design = sensitivity.run_design(sc, 2, 1000, log=lambda s: None, executor=processes)
    serial = sensitivity.run_design(sc, 2, 1000, log=lambda s: None, workers=1)
    for a, b in zip(design, serial):
        np.testing.assert_array_equal(a, b)
    assert design[2].shape == (2, 2, 6)
    a, _ = sensitivity.saltelli_matrices(2, 2, seed=2024)
    lo = np.array([x[0] for x in sensitivity.box(sc)])
    hi = np.array([x[1] for x in sensitivity.box(sc)])
    first = sc.with_changes({"population.size": 1000, "days": 91}).with_changes(
        {p.key: float(v) for p, v in zip(sensitivity.PARAMETERS, lo + a[0] * (hi - lo))})
    np.testing.assert_array_equal(design[0][0], sensitivity.outputs(demat.Simulation(first, seed=1, threads=1).run()
                                                                    .results))


# ---------------------------------------------------------------- bad input

def test_bad_cluster_input_is_exit_2_with_a_clear_message(tiny, tmp_path):
    out = str(tmp_path / "x.h5")
    cases = [
        ([sys.executable, "-m", "demat.sweep", str(tiny), "--set", "days", "-o", out], "key=value1,value2"),
        ([sys.executable, "-m", "demat.sweep", str(tiny), "--scheduler", "localhost", "-o", out],
         "tcp://HOST:PORT"),
        ([sys.executable, "-m", "demat.sweep", str(tiny), "--set", "days=1,2", "--set", "days=3", "-o", out],
         "given twice"),
        ([sys.executable, "-m", "demat.sweep", str(tiny), "--retries", "-1", "-o", out], "--retries"),
        ([sys.executable, "-m", "demat.calibrate", "--scheduler", "localhost", "--dry-run"], "tcp://HOST:PORT"),
    ]
    if DEMAT.exists():
        cases.append(([str(DEMAT), "sweep", str(tiny), "--scheduler", "localhost", "-o", out], "tcp://HOST:PORT"))
    for args, message in cases:
        done = run_bounded(args, timeout=60)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr[-2000:])
    assert not Path(out).exists()


def test_validation_tables_are_the_same_on_another_executor():
    from demat import validation

    args = (REPO / "scenarios" / "hybrid.toml", 800, 2, 800, 2)
    local = validation.tables(*args, log=lambda s: None)
    with cf.ProcessPoolExecutor(2) as processes:
        remote = validation.tables(*args, log=lambda s: None, executor=processes)
    assert remote == local and "| recorded day |" in local
