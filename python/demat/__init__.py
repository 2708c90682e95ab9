"""demat: an agent-based simulation of administrative dematerialisation.

Who loses access to their rights when public services go online-only, and why::

    import demat
    scenario = demat.Scenario.load("scenarios/online_only.toml")
    sim = demat.Simulation(scenario, seed=1).run(progress=True)
    sim.results.to_dataframe()
    sim.results.save("online_only.h5")

The engine is C++ (the private extension ``demat._core``); this package is a
thin layer over it. ``demat.analysis`` loads run files and draws the figures.
"""

from ._core import (
    CheckpointError,
    CheckpointWriteError,
    DiskFullError,
    Error,
    InternalError,
    ResultsError,
    ScenarioError,
    SimulationError,
    WriteError,
    __version__,
    child_seed,
)
from ._ensemble import Runs, run_ensemble, sweep
from ._results import Results, load
from ._scenario import Scenario
from ._simulation import Simulation

__all__ = [
    "CheckpointError",
    "CheckpointWriteError",
    "DiskFullError",
    "Error",
    "InternalError",
    "Results",
    "ResultsError",
    "Runs",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "SimulationError",
    "WriteError",
    "__version__",
    "child_seed",
    "load",
    "run_ensemble",
    "sweep",
]
