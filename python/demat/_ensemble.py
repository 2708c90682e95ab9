"""Ensembles and sweeps on one machine.

Replicate ``r`` runs with seed ``child_seed(root, r)`` (SplitMix64 of the root
seed and ``r``: unrelated streams, never ``root + r``); every point of a sweep
uses the same replicate seeds (common random numbers), so differences between
points are not blurred by different draws. Runs are spread over threads, each
engine on one thread with the GIL released.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from . import _core
from ._results import Results
from ._scenario import Scenario, _plain

#: Statistics of Runs.summary(): per run, at the end of the run.
SUMMARY_MEASURES = [
    "take_up_rate",
    "divide_index",
    "concentration_index",
    "unclaimed_euros_per_year",
    "mean_time_to_right_days",
    "autonomy_share",
]


class Runs:
    """The runs of an ensemble or a sweep, in plan order (point-major)."""

    def __init__(self, base: Scenario, root_seed: int, axes: list[tuple[str, list[Any]]],
                 plan: list[_core.PlannedRun], results: list[_core.Results]) -> None:
        self.base = base
        self.root_seed = root_seed
        self.axes = axes
        self._plan = plan
        self._results = results

    def __len__(self) -> int:
        return len(self._plan)

    @property
    def results(self) -> list[Results]:
        return [Results(r) for r in self._results]

    @property
    def seeds(self) -> list[int]:
        return [p.seed for p in self._plan]

    def runs(self) -> Any:
        """One row per run: run, point, replicate, seed and the swept values."""
        import pandas as pd

        rows = []
        for i, p in enumerate(self._plan):
            row: dict[str, Any] = {"run": i, "point": p.point, "replicate": p.replicate, "seed": p.seed}
            row.update(dict(p.changes))
            rows.append(row)
        return pd.DataFrame(rows)

    def to_results(self) -> Results:
        """All runs as one Results with a leading ``run`` axis (the sweep file layout)."""
        return Results(_core.combine_runs(self.base._core, self.root_seed, self.axes, self._plan, self._results))

    def save(self, path: str | os.PathLike[str]) -> Runs:
        """One HDF5 file for all runs (docs/output.md, "Sweeps and ensembles")."""
        self.to_results().save(path)
        return self

    def summary(self, quantiles: tuple[float, float] = (0.05, 0.95)) -> Any:
        """Mean and interval across replicates, per sweep point and service.

        Columns ``<measure>_mean``, ``<measure>_q05``, ``<measure>_q95`` (for the
        default quantiles) for each of SUMMARY_MEASURES; the index is the swept
        keys (or nothing for an ensemble) and the service.
        """
        import pandas as pd

        rows = []
        for p, r in zip(self._plan, self._results):
            for s in r.summary()["services"]:
                row = {"point": p.point, "replicate": p.replicate, **dict(p.changes), "service": s["service"]}
                row.update({m: s[m] for m in SUMMARY_MEASURES})
                rows.append(row)
        table = pd.DataFrame(rows)
        keys = ["point", *[k for k, _ in self.axes], "service"]
        grouped = table.groupby(keys, sort=False)[SUMMARY_MEASURES]
        low, high = quantiles
        out = pd.concat(
            {
                "mean": grouped.mean(),
                f"q{round(low * 100):02d}": grouped.quantile(low),
                f"q{round(high * 100):02d}": grouped.quantile(high),
            },
            axis=1,
        )
        out.columns = [f"{measure}_{stat}" for stat, measure in out.columns]
        out = out[[f"{m}_{s}" for m in SUMMARY_MEASURES for s in ("mean", f"q{round(low * 100):02d}",
                                                                    f"q{round(high * 100):02d}")]]
        return out.reset_index("point", drop=True)

    def __repr__(self) -> str:
        points = len({p.point for p in self._plan})
        return f"<demat.Runs {self.base.name!r}: {points} point(s) x {len(self) // points} replicate(s)>"


def _as_scenario(scenario: Scenario | str | os.PathLike[str]) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)


def _execute(base: Scenario, plan: list[_core.PlannedRun], workers: int | None, progress: bool) -> list[_core.Results]:
    # Build every run's scenario first: a bad swept value fails before any simulation.
    scenarios = [_core.planned_scenario(base._core, p) for p in plan]
    stop = threading.Event()

    def one(scenario: _core.Scenario) -> _core.Results:
        sim = _core.Simulation(scenario, None, 1)
        sim.run(False, stop.is_set)
        return sim.results

    workers = workers or os.cpu_count() or 1
    results: list[_core.Results] = []
    with ThreadPoolExecutor(max_workers=min(workers, len(plan)), thread_name_prefix="demat-run") as pool:
        futures = [pool.submit(one, s) for s in scenarios]
        try:
            for i, future in enumerate(futures):
                results.append(future.result())
                if progress:
                    sys.stderr.write(f"\r{base.name}: {i + 1}/{len(plan)} runs" + ("\n" if i + 1 == len(plan) else ""))
        except BaseException:
            # Ctrl-C (or a failed run): stop the other runs at their next day.
            stop.set()
            for future in futures:
                future.cancel()
            raise
    return results


def _root_seed(base: Scenario, seed: int | None) -> int:
    root = base.seed if seed is None else seed
    if isinstance(root, bool) or int(root) != root or root < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(root)


def run_ensemble(scenario: Scenario | str | os.PathLike[str], replicates: int, seed: int | None = None,
                 workers: int | None = None, progress: bool = False) -> Runs:
    """``replicates`` runs of one scenario with seeds derived from ``seed`` (default: the scenario's)."""
    return sweep(scenario, {}, replicates=replicates, seed=seed, workers=workers, progress=progress)


def sweep(scenario: Scenario | str | os.PathLike[str], values: Mapping[str, Sequence[Any]], replicates: int = 1,
          seed: int | None = None, workers: int | None = None, progress: bool = False) -> Runs:
    """Runs over the product of ``values`` ({dotted key: [values]}), ``replicates`` each.

    Swept values must be numbers or booleans (they become per-run arrays of the
    sweep file). ``workers`` threads run at once (default: one per core).
    """
    base = _as_scenario(scenario)
    if isinstance(replicates, bool) or int(replicates) != replicates or replicates < 1:
        raise ValueError(f"replicates must be a positive integer, got {replicates!r}")
    axes = []
    for key, vals in values.items():
        if isinstance(vals, (str, bytes)) or not isinstance(vals, (Sequence, np.ndarray)):
            raise TypeError(f"sweep values for {key!r} must be a list of values, got {vals!r}")
        axes.append((str(key), [_plain(v) for v in vals]))
    root = _root_seed(base, seed)
    plan = list(_core.plan_sweep(root, axes, int(replicates)))
    return Runs(base, root, axes, plan, _execute(base, plan, workers, progress))
