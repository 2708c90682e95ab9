"""Ensembles and sweeps, on one machine or a cluster.

Replicate ``r`` runs with seed ``child_seed(root, r)`` (SplitMix64 of the root
seed and ``r``: unrelated streams, never ``root + r``); every point of a sweep
uses the same replicate seeds (common random numbers), so differences between
points are not blurred by different draws. Runs are spread over an executor
(demat._distributed): by default threads, each engine on one thread with the
GIL released; or a Dask cluster, or MPI. The plan, not the executor, fixes
every run's seed and its place in the results, so the results are the same.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _core
from ._distributed import Journal, run_all
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
                 plan: list[_core.PlannedRun], results: list[_core.Results | None],
                 errors: list[str] | None = None) -> None:
        self.base = base
        self.root_seed = root_seed
        self.axes = axes
        self._plan = plan
        self._results = results
        self._errors = errors or [""] * len(plan)

    def __len__(self) -> int:
        return len(self._plan)

    @property
    def results(self) -> list[Results | None]:
        """Per run, in plan order; None for a run that failed (see ``failed``)."""
        return [None if r is None else Results(r) for r in self._results]

    @property
    def failed(self) -> dict[int, str]:
        """Runs that failed after their retries: {run index: last error}."""
        return {i: e for i, e in enumerate(self._errors) if e}

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
        errors = self._errors if self.failed else []
        return Results(_core.combine_runs(self.base._core, self.root_seed, self.axes, self._plan, self._results,
                                          errors))

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
            if r is None:
                continue  # failed: no figures
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


def _root_seed(base: Scenario, seed: int | None) -> int:
    root = base.seed if seed is None else seed
    if isinstance(root, bool) or int(root) != root or root < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(root)


def run_ensemble(scenario: Scenario | str | os.PathLike[str], replicates: int, seed: int | None = None,
                 workers: int | None = None, progress: bool = False, executor: Any = None,
                 output: str | os.PathLike[str] | None = None, resume: bool = False, retries: int = 2) -> Runs:
    """``replicates`` runs of one scenario with seeds derived from ``seed`` (default: the scenario's).

    The other arguments are those of :func:`sweep`.
    """
    return sweep(scenario, {}, replicates=replicates, seed=seed, workers=workers, progress=progress,
                 executor=executor, output=output, resume=resume, retries=retries)


def sweep(scenario: Scenario | str | os.PathLike[str], values: Mapping[str, Sequence[Any]], replicates: int = 1,
          seed: int | None = None, workers: int | None = None, progress: bool = False, executor: Any = None,
          output: str | os.PathLike[str] | None = None, resume: bool = False, retries: int = 2) -> Runs:
    """Runs over the product of ``values`` ({dotted key: [values]}), ``replicates`` each.

    Swept values must be numbers or booleans (they become per-run arrays of the
    sweep file).

    ``executor``: where the runs go. None: ``workers`` threads of this
    process (default: one per core); a ``concurrent.futures.Executor`` (e.g.
    a process pool, or mpi4py's ``MPIPoolExecutor``); a
    ``dask.distributed.Client``; or the address of a Dask scheduler,
    ``"tcp://HOST:PORT"``. Whatever it is, the runs, their seeds and their
    order are the same (docs/cluster.md).

    ``output``: the sweep file to write at the end. Runs finished before are
    kept as they complete in ``OUTPUT.journal/`` (removed once ``output`` is
    written); ``resume=True`` continues an interrupted sweep from there and
    computes only the missing runs. Without ``output`` there is nothing to
    resume. ``retries``: further attempts of a run that raises; a run that
    still fails is kept as None in ``Runs.results``, listed in ``Runs.failed``
    and marked in the file (``run_failed``, attribute ``run_errors``), with a
    RuntimeWarning.
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
    if root != base.seed:
        # As `demat sweep --seed` does: the file's resolved scenario then
        # names the root seed, and both write the same file.
        base = base.with_seed(root)
    plan = list(_core.plan_sweep(root, axes, int(replicates)))
    # Build every run's scenario first: a bad swept value fails before any simulation.
    texts = [_core.planned_scenario(base._core, p).to_toml() for p in plan]
    journal = None
    if output is not None:
        output = os.fspath(output)
        folder = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(folder):  # found now, not after every run is computed
            raise FileNotFoundError(f"output {output}: the folder {folder} does not exist")
        journal = Journal(output + ".journal")
        if not resume and journal.entries() > 0:
            raise ValueError(f"{journal.folder} holds {journal.entries()} runs of an unfinished sweep: pass "
                             "resume=True to continue it (only the missing runs are computed), or delete it")
    elif resume:
        raise ValueError("resume=True needs output=: the journal of finished runs is kept beside the output file")
    results, errors = run_all(texts, [p.seed for p in plan], executor, workers=workers, journal=journal,
                              resume=resume, retries=retries, progress=progress, label=base.name)
    runs = Runs(base, root, axes, plan, results, errors)
    if runs.failed:
        warnings.warn(f"{len(runs.failed)} of {len(plan)} runs failed after {retries + 1} attempts "
                      f"(Runs.failed): {next(iter(runs.failed.values()))}", RuntimeWarning, stacklevel=2)
    if output is not None:
        runs.save(output)
        shutil.rmtree(output + ".journal", ignore_errors=True)  # the output holds everything now
    return runs
