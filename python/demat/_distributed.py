"""Runs on any executor: the local thread pool, a Dask cluster or MPI.

Ensembles, sweeps, the calibration, the sensitivity analysis and the
validation all come down to a list of independent runs, each given by its
resolved scenario text (which holds its seed and sizes). ``run_all`` sends
them to an executor as tasks of :func:`run_task`, which takes that text and
returns the run's results packed as one byte string (sim/io/results_bytes.hpp:
a copy of the arrays, far cheaper than an HDF5 file). Nothing else travels:
no engine is pickled, and a worker needs only the demat package.

Results do not depend on the executor: a run's outcome is a function of its
scenario text alone (the engine's random streams are keyed by the seed), and
results are put back in plan order whatever order they complete in.

Every finished run is written to a journal folder as ``run-NNNNNN.results``
(atomically: written under a temporary name, then renamed), which is what
makes a sweep resumable: ``resume=True`` (``--resume``) keeps the runs found
there, after checking that each is the run the plan asks for (its recorded
resolved scenario must be the planned one), and computes the others. The
``demat sweep`` command writes the same journal.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import queue
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import _core

#: Stop flags of the sweeps running in this process, by key: a task running in
#: the thread pool of the process that submitted it stops at its next day when
#: the sweep is interrupted. Tasks in other processes do not find the key (they
#: are cancelled by their executor instead).
_STOPS: dict[str, threading.Event] = {}


def run_task(text: str, seed: int, stop_key: str | None = None) -> bytes:
    """One run of the scenario ``text`` with ``seed``: its results, packed as bytes.

    A module-level function of plain arguments, so that every executor (a
    process pool, Dask, mpi4py.futures) can ship it. The engine runs on one
    thread with the GIL released.
    """
    stop = _STOPS.get(stop_key) if stop_key else None
    sim = _core.Simulation(_core.Scenario.parse(text, ""), int(seed), 1)
    sim.run(False, None if stop is None else stop.is_set)
    # Packed, not an HDF5 file: making and reading one costs about 0.1 s each
    # way, which would make the gathering process the bottleneck of a cluster.
    return sim.results.to_bytes()


class Journal:
    """The finished runs of a sweep, one file each, in a folder."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, run: int, suffix: str = ".results") -> Path:
        return self.folder / f"run-{run:06d}{suffix}"

    def entries(self) -> int:
        if not self.folder.is_dir():
            return 0
        return sum(1 for p in self.folder.iterdir()
                   if p.name.startswith("run-") and p.suffix in (".results", ".failed"))

    def has(self, run: int) -> bool:
        return self.path(run).exists()

    # Renamed into place, not synced to disk: a sync costs more than a small
    # run, and a file damaged by a power cut is found unreadable on resume and
    # computed again.
    def _replace(self, run: int, suffix: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(run, suffix)
        temporary = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, target)

    def write(self, run: int, data: bytes) -> None:
        self._replace(run, ".results", data)
        self.path(run, ".failed").unlink(missing_ok=True)

    def write_failed(self, run: int, error: str) -> None:
        self._replace(run, ".failed", (error + "\n").encode())

    def load(self, run: int) -> _core.Results:
        return _core.Results.from_bytes(self.path(run).read_bytes())


def _is_address(text: str) -> bool:
    return re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://\S+", text) is not None


def _connect(address: str) -> Any:
    if not _is_address(address):
        raise ValueError(f"scheduler address must look like tcp://HOST:PORT, got {address!r}")
    try:
        from distributed import Client
    except ImportError as e:  # pragma: no cover - the install script installs it
        raise ImportError("a scheduler address needs Dask distributed (Debian: python3-distributed)") from e
    try:
        return Client(address, timeout="30s")
    except (OSError, TimeoutError) as e:
        raise ConnectionError(f"cannot reach the Dask scheduler at {address}: {e}") from None


def connect_scheduler(address: str | None) -> Any:
    """A Dask client for the ``--scheduler`` of an analysis command (None
    without one): one connection for all its runs; close() it at the end."""
    return None if address is None else _connect(address)


def resolve_executor(executor: Any, workers: int | None, tasks: int) -> tuple[cf.Executor, Callable[[], None]]:
    """The executor to submit to, and what to call when done with it.

    ``None``: a local thread pool of ``workers`` threads (default: one per
    core); a ``concurrent.futures.Executor`` (thread or process pool,
    mpi4py.futures, Dask's ``client.get_executor()``): used as is; a
    ``dask.distributed.Client``: its executor; a string: the address of a
    Dask scheduler, connected to for this call.
    """
    if executor is None:
        n = max(1, min(workers or os.cpu_count() or 1, max(tasks, 1)))
        pool = cf.ThreadPoolExecutor(max_workers=n, thread_name_prefix="demat-run")
        return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)
    if isinstance(executor, (str, os.PathLike)):
        client = _connect(os.fspath(executor))
        # pure=False: a retried run must be a new task, not the failed one again.
        return client.get_executor(pure=False), client.close
    if isinstance(executor, cf.Executor):
        return executor, lambda: None
    client_type = _dask_client_type()
    if client_type is not None and isinstance(executor, client_type):
        return executor.get_executor(pure=False), lambda: None
    raise TypeError("executor must be None, a concurrent.futures.Executor, a dask.distributed.Client or a "
                    f"scheduler address 'tcp://HOST:PORT', got {type(executor).__name__}")


def _dask_client_type() -> Any:
    if "distributed" not in sys.modules:
        return None  # a Client cannot exist if distributed was never imported
    from distributed import Client
    return Client


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds // 60) % 60} min"


class _Progress:
    """Runs done, runs per minute and time left, on one line of stderr."""

    def __init__(self, label: str, total: int, kept: int, enabled: bool) -> None:
        self.label, self.total, self.kept, self.enabled = label, total, kept, enabled
        self.computed = 0
        self.start = time.monotonic()

    def step(self) -> None:
        self.computed += 1
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.start, 1e-9)
        per_minute = 60 * self.computed / elapsed
        left = (self.total - self.kept - self.computed) * elapsed / self.computed
        done = self.kept + self.computed
        sys.stderr.write(f"\r{self.label}: {done}/{self.total} runs, {per_minute:.1f} runs/min, "
                         f"{_duration(left)} left   " + ("\n" if done == self.total else ""))
        sys.stderr.flush()


def run_all(texts: Sequence[str], seeds: Sequence[int], executor: Any = None, *, workers: int | None = None,
            journal: Journal | None = None, resume: bool = False, retries: int = 2, progress: bool = False,
            label: str = "demat", log: Callable[[str], None] | None = None,
            on_done: Callable[[int, Any], None] | None = None, keep: bool = True) -> tuple[list[Any], list[str]]:
    """Runs ``texts[i]`` with ``seeds[i]``; returns (results, errors) in plan order.

    ``results[i]`` is a ``_core.Results``, or None if run i failed ``retries
    + 1`` times, its last error then in ``errors[i]`` (otherwise ""). Runs are
    journaled in ``journal``, if given, as they finish, and ``on_done(i,
    result)`` is called (in this thread) as each computed run ends, so that a
    caller can keep what finished before an interruption. With ``keep``
    False, a computed run's results are dropped once ``on_done`` has taken
    what it needs (None in ``results``): thousands of runs then need no more
    memory than those in flight.
    """
    if isinstance(retries, bool) or int(retries) != retries or retries < 0:
        raise ValueError(f"retries must be a non-negative integer, got {retries!r}")
    if resume and journal is None:
        raise ValueError("resume needs a journal")
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    return _run_all(texts, seeds, executor, workers, journal, resume, int(retries), progress, label, log, on_done,
                    keep)


def _run_all(texts: Sequence[str], seeds: Sequence[int], executor: Any, workers: int | None, journal: Journal | None,
             resume: bool, retries: int, progress: bool, label: str,
             log: Callable[[str], None],
             on_done: Callable[[int, Any], None] | None = None, keep: bool = True) -> tuple[list[Any], list[str]]:
    n = len(texts)
    results: list[Any] = [None] * n
    errors = [""] * n
    todo = []
    kept = 0
    for i in range(n):
        if resume and journal is not None and journal.has(i):
            try:
                r = journal.load(i)
            except Exception as e:  # renamed into place complete, so this is damage: compute it again
                log(f"{label}: {journal.path(i)} is unreadable ({e}); computing run {i} again")
                todo.append(i)
                continue
            if r.attributes.get("scenario_resolved") != texts[i]:
                raise ValueError(f"{journal.path(i)} is not run {i} of this sweep (another scenario, set of values, "
                                 f"seed or size): resume with what started the sweep, or delete {journal.folder}")
            results[i] = r
            kept += 1
        else:
            todo.append(i)
    if resume and journal is not None:
        log(f"{label}: resuming: {kept} of {n} runs in {journal.folder}, {len(todo)} to compute")
    if not todo:
        return results, errors

    pool, release = resolve_executor(executor, workers, len(todo))
    stop_key = uuid.uuid4().hex
    _STOPS[stop_key] = threading.Event()
    finished: queue.SimpleQueue[tuple[int, cf.Future[bytes]]] = queue.SimpleQueue()
    pending: dict[int, cf.Future[bytes]] = {}
    attempts = dict.fromkeys(todo, 0)
    bar = _Progress(label, n, kept, progress)

    def submit(i: int) -> None:
        attempts[i] += 1
        future = pool.submit(run_task, texts[i], int(seeds[i]), stop_key)
        pending[i] = future
        future.add_done_callback(lambda f, i=i: finished.put((i, f)))

    try:
        for i in todo:
            submit(i)
        while pending:
            try:
                i, future = finished.get(timeout=0.2)  # a timeout, so that Ctrl-C is seen at once
            except queue.Empty:
                continue
            if pending.get(i) is not future:
                continue
            del pending[i]
            try:
                data = future.result()
            except Exception as e:
                error = f"{type(e).__name__}: {e}"
                if attempts[i] <= retries:
                    log(f"\n{label}: run {i} failed (attempt {attempts[i]} of {retries + 1}): {error}; retrying")
                    submit(i)
                    continue
                log(f"\n{label}: run {i} failed after {attempts[i]} attempts: {error}")
                errors[i] = error
                if journal is not None:
                    journal.write_failed(i, error)
            else:
                if journal is not None:
                    journal.write(i, data)
                results[i] = _core.Results.from_bytes(data)
                if results[i].attributes.get("scenario_resolved") != texts[i]:
                    raise RuntimeError(f"run {i} came back with another scenario than it was sent with")
                version = results[i].attributes.get("demat_version")
                if version != _core.__version__:
                    # Another engine may draw differently: the results would depend on the worker.
                    raise RuntimeError(f"run {i} was computed by demat {version} on its worker, and this is demat "
                                       f"{_core.__version__}: every worker must run the same demat")
                if on_done is not None:
                    on_done(i, results[i])
                    if not keep:
                        results[i] = None
            bar.step()
    except BaseException:
        # Ctrl-C, a lost scheduler: runs of this process stop at their next
        # day, the others are cancelled; the journal keeps what finished.
        _STOPS[stop_key].set()
        for future in pending.values():
            future.cancel()
        raise
    finally:
        try:
            release()
        finally:
            _STOPS.pop(stop_key, None)
    return results, errors


def map_runs(scenarios: Sequence[Any], seeds: Sequence[int | None] | None = None, executor: Any = None, *,
             workers: int | None = None, retries: int = 2, progress: bool = False, label: str = "demat",
             on_done: Callable[[int, Any], None] | None = None, keep: bool = True) -> list[Any]:
    """``demat.Results`` of each (scenario, seed), in order, on ``executor``.

    For the calibration, the sensitivity analysis and the validation: runs
    with explicit seeds (None: the scenario's own). A run that keeps failing
    raises (these analyses cannot use a hole). ``on_done(i, results)`` is
    called as run i ends (demat._runcache keeps its outputs on disk); with
    ``keep`` False the results are not kept after it (None in the list).
    """
    from ._results import Results

    cores = [getattr(s, "_core", s) for s in scenarios]
    seeds = list(seeds) if seeds is not None else [None] * len(cores)
    if len(seeds) != len(cores):
        raise ValueError(f"{len(seeds)} seeds for {len(cores)} scenarios")
    cores = [c if s is None else c.with_seed(int(s)) for c, s in zip(cores, seeds)]
    texts = [c.to_toml() for c in cores]
    done = None if on_done is None else (lambda i, r: on_done(i, Results(r)))
    results, errors = run_all(texts, [c.seed for c in cores], executor, workers=workers, retries=retries,
                              progress=progress, label=label, on_done=done, keep=keep)
    failed = [f"run {i}: {e}" for i, e in enumerate(errors) if e]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(texts)} runs failed after {retries + 1} attempts: "
                           + "; ".join(failed[:3]))
    return [None if r is None else Results(r) for r in results]
