"""Simulation.save_checkpoint / Simulation.resume: a run saved mid-way and
resumed gives the same arrays as the run never stopped; bad files raise
demat.CheckpointError; the files are those of `demat run --checkpoint-every`."""

import subprocess

import numpy as np
import pytest

import demat
from conftest import REPO


class Stop(Exception):
    pass


def stop_at(day):
    def progress(current, total):
        if current == day:
            raise Stop
    return progress


def assert_same_results(a, b):
    assert a.array_paths == b.array_paths
    for p in a.array_paths:
        np.testing.assert_array_equal(a[p], b[p], err_msg=p)
    skipped = {"threads", "population_seconds", "network_seconds", "simulation_seconds"}
    assert {k: v for k, v in a.attrs.items() if k not in skipped} == {
        k: v for k, v in b.attrs.items() if k not in skipped}


@pytest.mark.parametrize("day", [10, 45])  # in the warm-up (30 days) and in the recorded period
def test_saved_and_resumed_run_equals_the_run_never_stopped(small, small_run, tmp_path, day):
    sim = demat.Simulation(small, seed=11, threads=1)
    with pytest.raises(Stop):
        sim.run(progress=stop_at(day))
    assert sim.current_day == day
    path = tmp_path / "state.demat-checkpoint"
    sim.save_checkpoint(path)
    resumed = demat.Simulation.resume(path, threads=2)
    assert resumed.current_day == day and not resumed.completed
    assert resumed.scenario.seed == 11
    assert_same_results(resumed.run().results, small_run.results)
    # The interrupted simulation itself goes on unchanged.
    assert_same_results(sim.run().results, small_run.results)


def test_a_checkpoint_of_the_command_resumes_in_python(tmp_path):
    out, ckpt = tmp_path / "full.h5", tmp_path / "ckpt"
    subprocess.run([str(REPO / "build" / "bin" / "demat"), "run", str(REPO / "scenarios" / "hybrid.toml"),
                    "--population", "3000", "--days", "20", "-q", "-o", str(out),
                    "--checkpoint-every", "380", "--checkpoint-dir", str(ckpt)], check=True)
    resumed = demat.Simulation.resume(ckpt / "checkpoint-day-000380.demat-checkpoint").run()
    assert_same_results(resumed.results, demat.load(out))


def test_bad_checkpoints_raise_checkpoint_error(small_run, tmp_path):
    bad = tmp_path / "bad.demat-checkpoint"
    bad.write_text("not a checkpoint")
    with pytest.raises(demat.CheckpointError, match="not a demat checkpoint"):
        demat.Simulation.resume(bad)
    with pytest.raises(demat.CheckpointError, match="no such file"):
        demat.Simulation.resume(tmp_path / "missing")
    with pytest.raises(demat.SimulationError, match="complete"):
        small_run.save_checkpoint(tmp_path / "done.demat-checkpoint")
