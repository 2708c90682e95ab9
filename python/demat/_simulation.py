"""One run of one scenario."""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable

from . import _core
from ._results import Results
from ._scenario import Scenario


def _check_threads(threads: object) -> None:
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or not 0 <= threads <= 1024:
        raise ValueError(f"threads must be an integer in [0, 1024] (0: all cores), got {threads!r}")


class Simulation:
    """A run of ``scenario``; ``run()`` simulates, ``results`` holds the outcome.

    ``seed`` overrides the scenario's seed; ``threads`` = 0 uses every core.
    The same scenario and seed give bit-identical results whatever ``threads``.
    """

    def __init__(self, scenario: Scenario | str | os.PathLike[str], seed: int | None = None, threads: int = 0) -> None:
        if not isinstance(scenario, Scenario):
            scenario = Scenario.load(scenario)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Real) or int(seed) != seed
                                 or not 0 <= seed < 2**63):
            raise ValueError(f"seed must be an integer in [0, 2**63 - 1], got {seed!r}")
        _check_threads(threads)
        self._core = _core.Simulation(scenario._core, None if seed is None else int(seed), int(threads))
        self._results: Results | None = None

    def run(self, progress: bool | Callable[[int, int], object] = False) -> Simulation:
        """Simulate to the end and return self.

        The engine runs with the GIL released. Ctrl-C raises KeyboardInterrupt
        within a simulated day; calling ``run()`` again resumes the run.
        ``progress``: True prints a progress line on stderr; a callable gets
        ``(day, total_days)`` after every day (warm-up included).
        """
        if not (progress is None or isinstance(progress, bool) or callable(progress)):
            raise TypeError(f"progress must be True, False or a callable(day, total_days), got {progress!r}")
        self._core.run(bool(progress) if progress is None else progress)
        return self

    def save_checkpoint(self, path: str | os.PathLike[str]) -> None:
        """Save the whole state at the current day (before ``run()``, or after
        an interrupted one) to ``path``; ``Simulation.resume(path)`` continues
        it with results bit-identical to a run never stopped. The file is
        that of ``demat run --checkpoint-every`` (docs/output.md)."""
        self._core.save_checkpoint(os.fspath(path))

    @classmethod
    def resume(cls, path: str | os.PathLike[str], threads: int = 0) -> Simulation:
        """A simulation continuing from a checkpoint file (from
        ``save_checkpoint`` or ``demat run --checkpoint-every``); call
        ``run()`` to finish it. Raises demat.CheckpointError for a file that
        is not a checkpoint, from another demat version, truncated or damaged."""
        _check_threads(threads)
        sim = cls.__new__(cls)
        sim._core = _core.Simulation.resume(os.fspath(path), int(threads))
        sim._results = None
        return sim

    @property
    def results(self) -> Results:
        """The results; raises demat.SimulationError before the run is complete."""
        if self._results is None:
            self._results = Results(self._core.results)
        return self._results

    scenario = property(lambda self: Scenario(self._core.scenario))
    completed = property(lambda self: self._core.completed)
    current_day = property(lambda self: self._core.current_day, doc="Days simulated, warm-up included")
    total_days = property(lambda self: self._core.total_days)

    def __repr__(self) -> str:
        state = "complete" if self.completed else f"day {self.current_day}/{self.total_days}"
        return f"<demat.Simulation {self._core.scenario.name!r} seed {self._core.scenario.seed}: {state}>"
