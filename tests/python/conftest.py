"""Finds the demat package: installed, or built in build/python (DEMAT_PYTHONPATH overrides)."""

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_built = os.environ.get("DEMAT_PYTHONPATH", str(REPO / "build" / "python"))
if (Path(_built) / "demat").is_dir():
    sys.path.insert(0, _built)

import demat  # noqa: E402


@pytest.fixture(scope="session")
def small():
    """hybrid.toml at 3,000 citizens, 60 recorded days after a 30-day warm-up."""
    return demat.Scenario.load(REPO / "scenarios" / "hybrid.toml").with_changes(
        {"population.size": 3000, "days": 60, "warmup_days": 30})


@pytest.fixture(scope="session")
def small_run(small):
    return demat.Simulation(small, seed=11, threads=1).run()
