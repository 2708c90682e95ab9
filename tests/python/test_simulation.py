import signal
import threading
import time

import numpy as np
import pytest

import demat


def test_run_save_load_gives_the_same_arrays(small_run, tmp_path):
    results = small_run.results
    path = tmp_path / "run.h5"
    results.save(path)
    loaded = demat.load(path)
    assert loaded.array_paths == results.array_paths
    assert loaded.coordinate_paths == results.coordinate_paths
    for p in results.array_paths:
        np.testing.assert_array_equal(loaded[p], results[p], err_msg=p)
        assert loaded.dims(p) == results.dims(p)
    assert loaded.attrs["seed"] == 11
    assert "scenario_resolved" in loaded.attrs  # as `demat run` writes it


def test_arrays_are_read_only_views_that_outlive_their_results(small):
    counts = demat.Simulation(small, seed=3, threads=1).run().results["counts"]
    assert not counts.flags.writeable and not counts.flags.owndata
    with pytest.raises(ValueError):
        counts[0, 0, 0] = 1
    # The simulation and its results are gone; the view still holds the data.
    import gc
    gc.collect()
    assert counts.shape == (60, 6, 7)
    np.testing.assert_array_equal(counts[..., 0], counts[..., 1:].sum(axis=-1))


def test_one_and_two_threads_give_identical_results(small):
    one = demat.Simulation(small, seed=5, threads=1).run().results
    two = demat.Simulation(small, seed=5, threads=2).run().results
    for p in one.array_paths:
        np.testing.assert_array_equal(one[p], two[p], err_msg=p)
    other_seed = demat.Simulation(small, seed=6, threads=1).run().results
    assert not np.array_equal(one["counts"], other_seed["counts"])


def test_tidy_dataframe_matches_the_arrays(small_run):
    r = small_run.results
    df = r.to_dataframe()
    assert list(df.columns) == ["day", "service", "dimension", "group", "measure", "value"]
    service = r.services[1]
    row = df[(df.day == 7) & (df.service == service) & (df.dimension == "all") & (df.measure == "receiving")]
    assert row.value.item() == r["counts"][7, 1, r.states.index("receiving")]
    q1 = df[(df.day == 59) & (df.service == service) & (df.dimension == "capital_quintile") & (df.group == "Q1")
            & (df.measure == "eligible")]
    assert q1.value.item() == r.segments("capital_quintile")[59, 1, 0, 0]
    assert {"take_up_rate", "queue_length"} <= set(df.measure.unique())
    assert set(df[df.measure == "queue_length"].group.unique()) == set(r.coordinate("channel"))


def test_misuse_of_the_lifecycle_raises_a_clear_error(small):
    sim = demat.Simulation(small, seed=1, threads=1)
    with pytest.raises(demat.SimulationError, match="call run"):
        sim.results
    with pytest.raises(ValueError, match="threads"):
        demat.Simulation(small, threads=-1)
    with pytest.raises(ValueError, match="seed"):
        demat.Simulation(small, seed=-3)


def test_ctrl_c_interrupts_promptly_and_the_interpreter_stays_usable(small):
    big = small.with_changes({"population.size": 200000, "days": 3000, "warmup_days": 0})
    sim = demat.Simulation(big, seed=1, threads=1)
    started = threading.Event()
    sent = []

    def progress(day, total):
        if day == 5 and not started.is_set():
            started.set()

    def interrupt():
        started.wait(120)
        sent.append(time.monotonic())
        signal.raise_signal(signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        sim.run(progress=progress)
    latency = time.monotonic() - sent[0]
    assert latency < 2.0, f"KeyboardInterrupt took {latency:.2f} s"
    assert not sim.completed and 5 <= sim.current_day < sim.total_days
    with pytest.raises(demat.SimulationError, match="interrupted"):
        sim.results
    # The interpreter and the engine still work.
    again = demat.Simulation(small, seed=2, threads=1).run()
    assert again.results["counts"].shape == (60, 6, 7)
