"""One error hierarchy: every error demat raises on purpose is a demat.Error,
of the class its kind maps to (bindings/register_errors.cpp), and also the
built-in exception Python code already catches."""

import pytest

import demat

KINDS = {
    "ScenarioError": ValueError,
    "ResultsError": ValueError,
    "CheckpointError": ValueError,
    "WriteError": OSError,
    "CheckpointWriteError": OSError,
    "DiskFullError": OSError,
    "SimulationError": RuntimeError,
    "InternalError": RuntimeError,
}


@pytest.mark.parametrize("name,builtin", sorted(KINDS.items()))
def test_every_error_class_is_a_demat_error_and_its_builtin(name, builtin):
    cls = getattr(demat, name)
    assert issubclass(cls, demat.Error) and issubclass(cls, builtin)
    assert cls.__module__ == "demat" and name in demat.__all__


def test_write_errors_share_one_base():
    assert issubclass(demat.DiskFullError, demat.WriteError)
    assert issubclass(demat.CheckpointWriteError, demat.WriteError)
    assert not issubclass(demat.ScenarioError, OSError)


def test_a_bad_scenario_raises_scenario_error_with_where(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("days = 0\n")
    with pytest.raises(demat.ScenarioError) as caught:
        demat.Scenario.load(str(path))
    error = caught.value
    assert error.key == "days" and error.line == 1 and error.file == str(path)
    assert isinstance(error, demat.Error) and error.detail == ""


def test_a_file_that_is_not_a_checkpoint_raises_checkpoint_error(tmp_path):
    path = tmp_path / "not.demat-checkpoint"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(demat.CheckpointError) as caught:
        demat.Simulation.resume(str(path))
    assert str(path) in str(caught.value) and isinstance(caught.value, ValueError)


def test_a_file_that_is_not_results_raises_results_error_with_its_path(tmp_path):
    path = tmp_path / "not.h5"
    path.write_bytes(b"\0" * 64)
    with pytest.raises(demat.ResultsError) as caught:
        demat.load(str(path))
    assert caught.value.path == str(path)


def test_results_before_the_run_raise_simulation_error(small):
    sim = demat.Simulation(small, seed=1)
    with pytest.raises(demat.SimulationError):
        sim.results
