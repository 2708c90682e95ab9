import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import demat
from conftest import REPO


def _demat_command():
    # build/python/demat/_core*.so -> build/bin/demat (the .py files are links to the sources)
    built = Path(demat._core.__file__).parents[2] / "bin" / "demat"
    return built if built.exists() else None


@pytest.mark.skipif(_demat_command() is None, reason="the demat command is not built beside this demat package")
def test_cli_sweep_writes_the_file_python_writes(tmp_path):
    cli = tmp_path / "cli.h5"
    subprocess.run([str(_demat_command()), "sweep", str(REPO / "scenarios" / "hybrid.toml"),
                    "--set", "channels.counter.enabled=true,false", "--set", "services.minimum_income.outreach=0,0.01",
                    "--replicates", "2", "--seed", "99", "--population", "3000", "--days", "40", "--jobs", "2",
                    "-q", "-o", str(cli)], check=True, env={**os.environ, "PATH": "/usr/bin:/bin"})
    base = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml").with_changes({"population.size": 3000, "days": 40})
    python = demat.sweep(base, {"channels.counter.enabled": [True, False],
                                "services.minimum_income.outreach": [0, 0.01]}, replicates=2, seed=99)
    from_cli = demat.load(cli)
    from_python = python.to_results()
    assert from_cli.array_paths == from_python.array_paths
    for path in from_python.array_paths:
        np.testing.assert_array_equal(from_cli[path], from_python[path], err_msg=path)
    for key in ("seed", "layout", "runs", "replicates", "swept_keys"):
        assert from_cli.attrs[key] == from_python.attrs[key], key


@pytest.mark.skipif(_demat_command() is None, reason="the demat command is not built beside this demat package")
def test_cli_sweep_rejects_a_malformed_set_as_bad_input(tmp_path):
    done = subprocess.run([str(_demat_command()), "sweep", str(REPO / "scenarios" / "hybrid.toml"), "--set", "days",
                           "-o", str(tmp_path / "x.h5")], capture_output=True, text=True)
    assert done.returncode == 2 and "key=value1,value2" in done.stderr
    assert not (tmp_path / "x.h5").exists()
