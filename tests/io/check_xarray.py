"""Opens a file written by demat's HDF5 writer the way docs/output.md promises
scripts can: xarray through h5netcdf, at the root and in a segment group,
with named dimensions.

Usage: check_xarray.py FILE, where FILE is written by the hidden test case
"write the xarray fixture" in tests/io/test_hdf5.cpp (5 days, 2 services,
5 capital quintiles, 7 states; counts follow count_value() there).
"""

import sys

import numpy as np
import xarray as xr

STATES = ["eligible", "receiving", "non_knowledge", "non_demand",
          "in_progress", "non_receipt", "interrupted"]
DAYS, SERVICES, GROUPS = 5, 2, 5


def count_value(day, service, group, state):
    # Same formula as count_value() in test_hdf5.cpp.
    return day * 1000 + service * 100 + group * 10 + state


def expected_counts(with_group):
    day, service, group, state = np.meshgrid(
        np.arange(DAYS), np.arange(SERVICES), np.arange(GROUPS if with_group else 1),
        np.arange(len(STATES)), indexing="ij")
    values = count_value(day, service, group, state).astype(np.int64)
    return values if with_group else values[:, :, 0, :]


def check_root(path):
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds["counts"].dims == ("day", "service", "state"), ds["counts"].dims
        # No phony or duplicated dimensions.
        assert dict(ds.sizes) == {"day": DAYS, "service": SERVICES, "state": len(STATES)}, dict(ds.sizes)
        assert ds["counts"].dtype == np.int64
        np.testing.assert_array_equal(ds["counts"].values, expected_counts(with_group=False))
        assert ds["day"].dtype == np.int64
        np.testing.assert_array_equal(ds["day"].values, np.arange(DAYS))
        assert list(ds["service"].values) == ["minimum_income", "housing_benefit"]
        assert list(ds["state"].values) == STATES
        # Label-based selection works because the coordinates are attached.
        assert int(ds["counts"].sel(day=3, service="housing_benefit", state="non_demand")) == \
            count_value(3, 1, 0, 3)
        assert ds.attrs["seed"] == 42 and isinstance(ds.attrs["seed"], (int, np.integer))
        assert ds.attrs["demat_version"] == "0.1.0"
        assert "size = 1000" in ds.attrs["scenario"]
        assert ds["counts"].attrs["units"] == "citizens"
        assert ds["counts"].attrs["description"] == "citizens per state"
        return ds[["day", "service", "state"]].load()


def check_segment_group(path, root_coordinates):
    with xr.open_dataset(path, engine="h5netcdf", group="segments/capital_quintile") as ds:
        counts = ds["counts"]
        # day and quintile have the same length (5): the names must come
        # from the attached scales, not from the sizes.
        assert counts.dims == ("day", "service", "group", "state"), counts.dims
        assert dict(ds.sizes) == {"day": DAYS, "service": SERVICES, "group": GROUPS,
                                  "state": len(STATES)}, dict(ds.sizes)
        assert list(ds["group"].values) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
        assert counts.dtype == np.int64
        np.testing.assert_array_equal(counts.values, expected_counts(with_group=True))
        take_up = ds["take_up"]
        assert take_up.dims == ("day", "group"), take_up.dims
        assert take_up.dtype == np.float64
        expected = np.arange(DAYS)[:, None] + 0.125 * np.arange(GROUPS)[None, :]
        np.testing.assert_array_equal(take_up.values, expected)
        # The root coordinates line up with the group's dimensions.
        labelled = counts.assign_coords(root_coordinates.coords)
        assert int(labelled.sel(day=4, service="minimum_income", group="Q2", state="receiving")) == \
            count_value(4, 0, 1, 1)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_xarray.py FILE")
    path = sys.argv[1]
    root_coordinates = check_root(path)
    check_segment_group(path, root_coordinates)
    print(f"{path}: xarray (h5netcdf) reads named dimensions and the written values")


if __name__ == "__main__":
    main()
