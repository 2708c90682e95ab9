"""Run and sweep files into xarray Datasets (one RunSet per scenario) and tidy tables."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np
import pandas as pd
import xarray as xr

#: Days at the end of a run over which end-of-run figures are averaged.
END_WINDOW_DAYS = 90

#: Segment dimensions kept in RunSet.segments, for the figures of take-up by
#: segment (figures.take_up_by_segment); a file without one simply lacks it.
SEGMENT_DIMENSIONS = ("household_type", "tenure", "agency_contact")


@dataclass
class RunSet:
    """The replicates of one scenario (or one point of a sweep).

    Every Dataset has a leading ``run`` dimension (of length 1 for a single
    run file): ``root`` (counts, per-run seeds), ``capital`` (the
    capital-quintile segment table), ``metrics`` and ``helpers``.
    """

    label: str
    path: str
    attrs: dict[str, Any]
    root: xr.Dataset
    capital: xr.Dataset
    metrics: xr.Dataset
    helpers: xr.Dataset | None
    changes: dict[str, Any] = field(default_factory=dict)
    #: /reasons (failures and abandonments by cause), None in files written before it existed
    reasons: xr.Dataset | None = None
    #: /segments/<dimension> of SEGMENT_DIMENSIONS that the file holds
    segments: dict[str, xr.Dataset] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        return int(self.root.sizes["run"])

    @property
    def parameters(self) -> dict[str, Any]:
        """Resolved parameters as a flat {dotted key: value}, swept values applied."""
        flat = _flatten(tomllib.loads(self.attrs.get("scenario_resolved", "")))
        flat.update(self.changes)
        return flat

    @property
    def scenario_toml(self) -> str:
        return str(self.attrs.get("scenario_resolved", self.attrs.get("scenario", "")))

    @property
    def benefits(self) -> list[str]:
        """Services of kind "benefit" (take-up figures pool these; obligations are shown apart)."""
        services = tomllib.loads(self.scenario_toml).get("services", {})
        names = [str(s) for s in self.root["service"].values]
        return [n for n in names if services.get(n, {}).get("kind", "benefit") == "benefit"]


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _open(path: str, group: str | None) -> xr.Dataset | None:
    try:
        # Units "days" would otherwise become timedelta64 (CF decoding): keep numbers.
        ds = xr.open_dataset(path, engine="h5netcdf", group=group, decode_timedelta=False, decode_times=False)
    except OSError:
        return None
    return ds.load()


def _swept_value(key: str, value: Any) -> Any:
    # Swept booleans are stored as integers: a reader expects enabled=false, not =0.
    import re

    import demat

    for p in demat._core.parameter_schema():
        pattern = "^" + re.escape(p["key"]).replace(re.escape("<service>"), "[^.]+").replace(
            re.escape("<channel>"), "[^.]+") + "$"
        if p["type"] == "boolean" and re.match(pattern, key):
            return bool(value)
    return value


def _with_run(ds: xr.Dataset) -> xr.Dataset:
    return ds if "run" in ds.dims else ds.expand_dims(run=[0])


def load_runs(paths: Iterable[str | os.PathLike[str]]) -> list[RunSet]:
    """One RunSet per scenario: a run file gives one; a sweep file one per point.

    Run files of the same scenario name and parameters are pooled as
    replicates of one RunSet.
    """
    sets: list[RunSet] = []
    for raw in paths:
        path = os.fspath(raw)
        if not os.path.exists(path):
            raise FileNotFoundError(path)
        # xarray reads in this process, and libhdf5 can crash or hang on a
        # damaged file: demat.load reads it first in a child process with a
        # time limit and checks the layout (demat.ResultsError otherwise).
        import demat

        demat.load(path)
        root = _open(path, None)
        if root is None or "counts" not in root:
            raise ValueError(f"{path}: not a demat run or sweep file (no /counts)")
        attrs = dict(root.attrs)
        groups = {g: _open(path, g) for g in ("segments/capital_quintile", "metrics", "helpers", "reasons")}
        if groups["segments/capital_quintile"] is None or groups["metrics"] is None:
            raise ValueError(f"{path}: no /segments/capital_quintile or /metrics group")
        for g, ds in groups.items():
            if ds is not None:
                # A subgroup's Dataset names the root's dimensions without their values.
                groups[g] = ds.assign_coords({d: root[d] for d in ds.dims if d in root.coords and d not in ds.coords})
        parts = [_with_run(root), _with_run(groups["segments/capital_quintile"]), _with_run(groups["metrics"]),
                 _with_run(groups["helpers"]) if groups["helpers"] is not None else None]
        reasons = _with_run(groups["reasons"]) if groups["reasons"] is not None else None
        segments = {}
        with h5py.File(path, "r") as f:
            present = [d for d in SEGMENT_DIMENSIONS if f"segments/{d}/counts" in f]
        for d in present:
            ds = _open(path, f"segments/{d}")
            if ds is not None:
                ds = ds.assign_coords({k: root[k] for k in ds.dims if k in root.coords and k not in ds.coords})
                segments[d] = _with_run(ds)
        name = str(attrs.get("scenario_name", os.path.splitext(os.path.basename(path))[0]))
        swept = [k for k in str(attrs.get("swept_keys", "")).split("\n") if k]
        if not swept:
            sets.append(RunSet(name, path, attrs, *parts, reasons=reasons, segments=segments))
            continue
        points = root["run_point"].values
        for point in pd.unique(points):
            runs = np.flatnonzero(points == point)
            changes = {k: _swept_value(k, root[k].values[runs[0]].item()) for k in swept}
            label = name + " " + ", ".join(f"{k.rsplit('.', 2)[-2] + '.' + k.rsplit('.', 1)[-1] if k.count('.') > 1 else k}={str(v).lower() if isinstance(v, bool) else v}"
                                           for k, v in changes.items())
            subset = [p.isel(run=runs) if p is not None else None for p in parts]
            sets.append(RunSet(label, path, attrs, *subset, changes=changes,
                               reasons=reasons.isel(run=runs) if reasons is not None else None,
                               segments={d: ds.isel(run=runs) for d, ds in segments.items()}))
    return _pool_same_scenario(sets)


def _pool_same_scenario(sets: list[RunSet]) -> list[RunSet]:
    # Several run files of one scenario (e.g. `demat run --seed N` in a loop)
    # are replicates: concatenate them along `run`.
    pooled: list[RunSet] = []
    for s in sets:
        match = next((p for p in pooled if p.label == s.label and p.parameters == s.parameters
                      and p.root.sizes["day"] == s.root.sizes["day"]), None)
        if match is None or s.changes:
            pooled.append(s)
            continue
        n = match.runs
        for name in ("root", "capital", "metrics", "helpers", "reasons"):
            a, b = getattr(match, name), getattr(s, name)
            if a is not None and b is not None:
                setattr(match, name, xr.concat([a, b.assign_coords(run=b["run"] + n)], dim="run",
                                               data_vars="minimal", coords="minimal", compat="override",
                                               join="outer", combine_attrs="override"))
        # A dimension missing from either file is dropped from the pool.
        match.segments = {d: xr.concat([a, s.segments[d].assign_coords(run=s.segments[d]["run"] + n)], dim="run",
                                       data_vars="minimal", coords="minimal", compat="override",
                                       join="outer", combine_attrs="override")
                          for d, a in match.segments.items() if d in s.segments}
    labels = [p.label for p in pooled]
    for p in pooled:
        if labels.count(p.label) > 1:
            p.label = f"{p.label} ({os.path.basename(p.path)})"
    return pooled


def tidy(paths: Sequence[str | os.PathLike[str]], segments: bool = True, metrics: bool = True) -> pd.DataFrame:
    """Every file as one long table (demat.Results.to_dataframe), with ``file`` and ``scenario`` columns."""
    import demat

    frames = []
    for path in paths:
        results = demat.load(path)
        frame = results.to_dataframe(segments=segments, metrics=metrics)
        frame.insert(0, "scenario", str(results.attrs.get("scenario_name", "")))
        frame.insert(0, "file", os.fspath(path))
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    for column in ("file", "scenario", "service", "dimension", "group", "measure"):
        table[column] = table[column].astype("category")
    return table


# ---- derived quantities (shared by figures and report) --------------------------

def states(ds: xr.Dataset, *names: str) -> xr.DataArray:
    return ds["counts"].sel(state=list(names)).sum("state") if len(names) > 1 else ds["counts"].sel(state=names[0])


def benefit_take_up_by_quintile(s: RunSet) -> xr.DataArray:
    """Take-up of the benefit services pooled: receiving / eligible, [run, day, group]."""
    c = s.capital["counts"].sel(service=s.benefits).sum("service")
    return c.sel(state="receiving") / c.sel(state="eligible")


def benefit_take_up_by_segment(s: RunSet, dimension: str) -> xr.DataArray | None:
    """Take-up of the benefit services pooled by group of a segment dimension, [run, day, group];
    None when the file does not have the dimension."""
    if dimension not in s.segments:
        return None
    c = s.segments[dimension]["counts"].sel(service=s.benefits).sum("service")
    return c.sel(state="receiving") / c.sel(state="eligible")


def benefit_take_up(s: RunSet) -> xr.DataArray:
    c = s.root["counts"].sel(service=s.benefits).sum("service")
    return c.sel(state="receiving") / c.sel(state="eligible")


def end_window(da: xr.DataArray) -> xr.DataArray:
    days = da["day"].values
    return da.sel(day=days[-min(END_WINDOW_DAYS, len(days)):]).mean("day")


def unclaimed_per_year(s: RunSet) -> xr.DataArray:
    """Benefits unclaimed over the last 365 recorded days (scaled if fewer), € per 1,000 citizens, [run]."""
    u = s.metrics["unclaimed_euros"].sel(service=s.benefits).sum("service")
    days = u["day"].values[-min(365, u.sizes["day"]):]
    per_year = u.sel(day=days).sum("day") * (365.0 / len(days))
    return per_year * 1000.0 / float(s.attrs.get("population", 1))


def key_numbers(sets: Sequence[RunSet]) -> pd.DataFrame:
    """Per scenario: end-of-run headline figures, mean and 5-95% interval across replicates."""
    rows = []
    for s in sets:
        q = end_window(benefit_take_up_by_quintile(s))
        measures = {
            "take-up, benefits (%)": 100 * end_window(benefit_take_up(s)),
            "take-up Q1 lowest capital (%)": 100 * q.isel(group=0),
            "take-up Q5 highest capital (%)": 100 * q.isel(group=-1),
            "divide index Q5 - Q1 (points)": 100 * (q.isel(group=-1) - q.isel(group=0)),
            "unclaimed (€ per year per 1,000 citizens)": unclaimed_per_year(s),
        }
        served = s.metrics["queue_served"].sum(("day", "service", "channel"))
        waited = s.metrics["queue_wait_days"].sum(("day", "service", "channel"))
        measures["mean queue wait (days)"] = xr.where(served > 0, waited / served.where(served > 0), np.nan)
        for name, da in measures.items():
            v = np.asarray(da.values, dtype=float).ravel()
            v = v[np.isfinite(v)]
            rows.append({"scenario": s.label, "measure": name, "runs": s.runs,
                         "mean": v.mean() if v.size else np.nan,
                         "q05": np.quantile(v, 0.05) if v.size else np.nan,
                         "q95": np.quantile(v, 0.95) if v.size else np.nan})
    return pd.DataFrame(rows)
