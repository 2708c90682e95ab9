"""``python3 -m demat.sweep``: ``demat sweep`` on a Dask cluster or under MPI.

The options are those of ``demat sweep`` (the file written is the same, run
for run), plus where the runs go:

- nothing: threads of this process (``--jobs``, default one per core);
- ``--scheduler tcp://HOST:PORT``: the workers of a Dask scheduler
  (``demat sweep --scheduler`` comes here);
- under ``mpirun -n N`` (or ``srun``): MPI through mpi4py.futures, rank 0
  handing runs to the N - 1 others (``--mpi`` forces it).

``--resume`` continues an interrupted sweep from ``OUTPUT.journal`` and
computes only the missing runs; ``--retries`` sets the further attempts of a
failing run. Exit codes as ``demat``'s: 0 success, 1 some runs failed (they
are recorded in the file) or an internal error, 2 bad input, 130/143
interrupted (the finished runs stay in the journal). docs/cluster.md has the
recipes (workstation, Dask by hand, Slurm).

This module is run with ``-m``, not imported: ``demat.sweep`` is the function.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from concurrent.futures import CancelledError
from typing import Any

PROG = "python3 -m demat.sweep"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", help="scenario file (TOML)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=V1,V2",
                    help="swept key and values (repeat for a product)")
    ap.add_argument("--replicates", type=int, default=1, help="runs per point (default 1)")
    ap.add_argument("-o", "--output", default="sweep.h5", help="output HDF5 file (default sweep.h5)")
    ap.add_argument("--seed", type=int, help="root seed (overrides the scenario's)")
    ap.add_argument("--population", type=int, help="number of citizens (overrides population.size)")
    ap.add_argument("--days", type=int, help="days to record (overrides days)")
    ap.add_argument("--jobs", type=int, default=0, help="runs at once on this machine (default: one per core)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress")
    ap.add_argument("--resume", action="store_true", help="continue from OUTPUT.journal: only the missing runs")
    ap.add_argument("--retries", type=int, default=2,
                    help="further attempts of a failing run before it is recorded as failed (default 2)")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on the workers of this Dask scheduler")
    where.add_argument("--mpi", action="store_true", help="run under MPI (the default when started by mpirun)")
    return ap


def _under_mpi() -> bool:
    # Set by Open MPI's mpirun, by MPICH/Hydra and Slurm's PMI, by PMIx.
    return any(os.environ.get(v) for v in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"))


class _BadInput(Exception):
    pass


def _prepare(args: argparse.Namespace) -> tuple[Any, dict[str, list[Any]]]:
    """The base scenario and the swept values, checked: bad input raises before anything runs."""
    from . import _core
    from ._scenario import Scenario

    if args.replicates < 1:
        raise _BadInput(f"--replicates must be at least 1, got {args.replicates}")
    if args.retries < 0:
        raise _BadInput(f"--retries must be 0 or more, got {args.retries}")
    if args.jobs < 0:
        raise _BadInput(f"--jobs must be 0 or more, got {args.jobs}")
    if args.seed is not None and args.seed < 0:
        raise _BadInput(f"--seed must be a non-negative integer, got {args.seed}")
    core = _core.Scenario.load(args.scenario).with_sizes(args.population, args.days)
    if args.seed is not None:
        core = core.with_seed(args.seed)
    values: dict[str, list[Any]] = {}
    for text in args.set:
        key, eq, rest = text.partition("=")
        if not eq or not key or not rest:
            raise _BadInput(f"--set '{text}': expected key=value1,value2,...")
        if key in values:
            raise _BadInput(f"sweep key '{key}' given twice")
        values[key] = [_core.parse_parameter_value(v) for v in rest.split(",")]
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise _BadInput(f"--output {args.output}: the folder {folder} does not exist or is not writable")
    return Scenario(core), values


def _sweep(args: argparse.Namespace, base: Any, values: dict[str, list[Any]], executor: Any) -> int:
    from ._ensemble import sweep

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # failures are reported below, with the exit code
        runs = sweep(base, values, replicates=args.replicates, workers=args.jobs or None, progress=not args.quiet,
                     executor=executor, output=args.output, resume=args.resume, retries=args.retries)
    if runs.failed:
        print(f"{PROG}: {len(runs.failed)} of {len(runs)} runs failed after {args.retries + 1} attempts; they are "
              f"recorded in {args.output} (run_failed, and their errors in the attribute run_errors)", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"{PROG}: {len(runs)} runs written to {args.output}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # usage errors: exit 2
    from ._core import ScenarioError

    code = {"value": 130}

    def on_term(signum: int, _frame: Any) -> None:
        code["value"] = 128 + signum
        raise KeyboardInterrupt  # as Ctrl-C: the finished runs are already in the journal

    signal.signal(signal.SIGTERM, on_term)
    try:
        base, values = _prepare(args)
        if args.mpi or (_under_mpi() and not args.scheduler):
            from mpi4py import MPI
            from mpi4py.futures import MPICommExecutor

            if MPI.COMM_WORLD.Get_size() < 2:
                raise _BadInput("under MPI the sweep needs at least 2 ranks (rank 0 only hands out runs)")
            # Every rank gets here; rank 0 plans and gathers, the others run tasks until it is done.
            with MPICommExecutor(MPI.COMM_WORLD, root=0) as executor:
                if executor is None:
                    return 0
                return _sweep(args, base, values, executor)
        return _sweep(args, base, values, args.scheduler)
    except (_BadInput, ScenarioError, ValueError, TypeError, ConnectionError) as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    except (CancelledError, OSError) as e:
        # A lost scheduler or MPI world: the runs finished so far are journaled.
        print(f"\n{PROG}: the sweep stopped: {type(e).__name__}: {e}. The finished runs are kept in "
              f"{args.output}.journal: run the same command with --resume to compute only the missing ones",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{PROG}: sweep interrupted; no output written. The finished runs are kept in {args.output}.journal: "
              "run the same command with --resume to compute only the missing ones", file=sys.stderr)
        return code["value"]


if __name__ == "__main__":
    raise SystemExit(main())
