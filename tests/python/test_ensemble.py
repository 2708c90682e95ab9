import numpy as np
import pytest
import xarray as xr

import demat


@pytest.fixture(scope="module")
def swept(small):
    return demat.sweep(small, {"channels.counter.enabled": [True, False], "services.minimum_income.outreach": [0.0, 0.01]},
                       replicates=2, seed=99)


def test_ensemble_seeds_are_distinct_derived_and_recorded(small, tmp_path):
    runs = demat.run_ensemble(small, replicates=4, seed=42)
    assert len(set(runs.seeds)) == 4
    assert runs.seeds == [demat.child_seed(42, i) for i in range(4)]
    assert all(abs(s - 42) > 1000 for s in runs.seeds)  # hashed, not 42 + i
    assert [r.seed for r in runs.results] == runs.seeds
    runs.save(tmp_path / "e.h5")
    loaded = demat.load(tmp_path / "e.h5")
    assert list(loaded["run_seed"]) == runs.seeds and loaded.attrs["seed"] == 42
    for i, r in enumerate(runs.results):
        np.testing.assert_array_equal(loaded["counts"][i], r["counts"])


def test_sweep_shapes_and_coordinates(swept, small, tmp_path):
    assert len(swept) == 8
    table = swept.runs()
    assert list(table["channels.counter.enabled"]) == [True] * 4 + [False] * 4
    assert list(table["services.minimum_income.outreach"]) == [0.0, 0.0, 0.01, 0.01] * 2
    # Common random numbers: replicate r has the same seed at every point.
    assert swept.seeds == [demat.child_seed(99, r) for r in (0, 1)] * 4
    path = tmp_path / "sweep.h5"
    swept.save(path)
    r = demat.load(path)
    assert r.is_sweep and r["counts"].shape == (8, 60, 6, 7)
    assert r.dims("segments/capital_quintile/counts") == ["run", "day", "service", "segments/capital_quintile/group",
                                                           "state"]
    np.testing.assert_array_equal(r["services.minimum_income.outreach"], [0, 0, 0.01, 0.01] * 2)
    np.testing.assert_array_equal(r["channels.counter.enabled"], [1] * 4 + [0] * 4)
    # The runs differ where the swept parameter matters.
    assert not np.array_equal(r["counts"][0], r["counts"][4])


def test_summary_has_mean_and_interval(swept):
    s = swept.summary()
    assert s.index.names == ["channels.counter.enabled", "services.minimum_income.outreach", "service"]
    assert len(s) == 4 * 6
    assert (s["take_up_rate_q05"] <= s["take_up_rate_mean"] + 1e-12).all()
    assert (s["take_up_rate_mean"] <= s["take_up_rate_q95"] + 1e-12).all()
    first = swept.results[0].summary().loc["minimum_income", "take_up_rate"]
    second = swept.results[1].summary().loc["minimum_income", "take_up_rate"]
    assert s.loc[(True, 0.0, "minimum_income"), "take_up_rate_mean"] == pytest.approx((first + second) / 2)


def test_string_values_cannot_be_swept(small):
    with pytest.raises(demat.ScenarioError, match="numbers or booleans"):
        demat.sweep(small, {"mediation.mode": ["doing_for", "doing_with"]})


def test_bad_swept_value_fails_before_running(small):
    with pytest.raises(demat.ScenarioError, match="days"):
        demat.sweep(small, {"days": [10, -1]})


def test_xarray_opens_run_and_sweep_files_with_named_dims(small_run, swept, tmp_path):
    small_run.results.save(tmp_path / "run.h5")
    swept.save(tmp_path / "sweep.h5")
    with xr.open_dataset(tmp_path / "run.h5", engine="h5netcdf") as ds:
        assert ds["counts"].dims == ("day", "service", "state")
    with xr.open_dataset(tmp_path / "sweep.h5", engine="h5netcdf") as ds:
        assert ds["counts"].dims == ("run", "day", "service", "state")
        assert ds["run_seed"].dims == ("run",)
    with xr.open_dataset(tmp_path / "sweep.h5", engine="h5netcdf", group="segments/capital_quintile") as ds:
        assert ds["counts"].dims == ("run", "day", "service", "group", "state")
