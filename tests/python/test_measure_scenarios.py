"""scripts/measure_scenarios.py: the headline table of scenarios/README.md is
regenerated from real runs (here tiny ones), one row per scenario window, and
--write replaces only the text between the markers."""
import shutil
import subprocess
from pathlib import Path

import pytest

import demat
from conftest import REPO

SCRIPT = REPO / "scripts" / "measure_scenarios.py"


def _demat_command():
    built = Path(demat._core.__file__).parents[2] / "bin" / "demat"
    return built if built.exists() else None


@pytest.mark.skipif(_demat_command() is None, reason="the demat command is not built beside this demat package")
def test_measure_scenarios_table_has_a_row_per_scenario_window(tmp_path):
    done = subprocess.run(["/usr/bin/python3", str(SCRIPT), "--demat", str(_demat_command()), "--population", "1000",
                           "--replicates", "2", "--work", str(tmp_path)], capture_output=True, text=True, check=True)
    rows = [line for line in done.stdout.splitlines() if line.startswith("| `")]
    scenarios = {row.split("`")[1] for row in rows}
    library = {p.name for p in (REPO / "scenarios").glob("*.toml")}
    assert scenarios == library  # every file of the library has its headline
    assert len(rows) == 16  # hybrid, then one per window of each of the thirteen others
    # The reference of a timeline scenario is the same file without its timeline.
    reference = (tmp_path / "prefilled_declarations_without_timeline.toml").read_text()
    assert "[[timeline]]" not in reference and "[services.minimum_income]" in reference
    assert "[[timeline]]" in demat.load(tmp_path / "prefilled_declarations.h5").attrs["scenario_resolved"]
    # Each comparison gives A → B with the interval of the per-replicate differences.
    assert "→" in rows[1] and "pt [" in rows[1]


def test_write_replaces_only_the_marked_table(tmp_path, monkeypatch):
    import importlib.util
    spec = importlib.util.spec_from_file_location("measure_scenarios", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fake_root = tmp_path / "repo"
    (fake_root / "scenarios").mkdir(parents=True)
    readme = fake_root / "scenarios" / "README.md"
    readme.write_text("intro\n<!-- headline:begin -->\nold table\n<!-- headline:end -->\nafter\n")
    monkeypatch.setattr(module, "ROOT", str(fake_root))
    module.write_readme("| new | table |\n")
    assert readme.read_text() == "intro\n<!-- headline:begin -->\n\n| new | table |\n\n<!-- headline:end -->\nafter\n"
    shutil.rmtree(fake_root)
