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
                           "--replicates", "2", "--work", str(tmp_path), "--json", str(tmp_path / "m.json")],
                          capture_output=True, text=True, check=True)
    # The scenarios table (four columns), not the README's headline printed after it (five).
    rows = [line for line in done.stdout.splitlines() if line.startswith("| `") and line.count(" | ") == 3]
    scenarios = {row.split("`")[1] for row in rows}
    library = {p.name for p in (REPO / "scenarios").glob("*.toml")}
    assert scenarios == library  # every file of the library has its headline
    assert len(rows) == 19  # hybrid, then one per window of each of the others
    # The reference of a timeline scenario is the same file without its timeline.
    reference = (tmp_path / "prefilled_declarations_without_timeline.toml").read_text()
    assert "[[timeline]]" not in reference and "[services.minimum_income]" in reference
    assert "[[timeline]]" in demat.load(tmp_path / "prefilled_declarations.h5").attrs["scenario_resolved"]
    # Each comparison gives A → B with the interval of the per-replicate differences.
    assert "→" in rows[1] and "pt [" in rows[1]
    # The README's headline: the pooled divide of hybrid, recomputed here from its file.
    import json
    import h5py
    import numpy as np
    m = json.loads((tmp_path / "m.json").read_text())
    assert [p["scenario"] for p in m["divide"]["policies"]] == ["hybrid", "online_only", "online_with_mediation"]
    with h5py.File(tmp_path / "hybrid.h5", "r") as f:
        names = [s.decode() for s in f["service"][()]]
        q = f["segments/capital_quintile/counts"][()][:, 640:730, [names.index(s) for s in m["divide"]["pooled_services"]]]
    take_up = lambda g: q[..., g, 1].sum(axis=(1, 2)) / q[..., g, 0].sum(axis=(1, 2))
    assert "income_tax_return" not in m["divide"]["pooled_services"] and len(m["divide"]["pooled_services"]) == 5
    assert m["divide"]["policies"][0]["pooled"]["mean"] == pytest.approx(100 * np.mean(take_up(4) - take_up(0)), abs=0.006)
    assert "Benefits pooled" in done.stdout and m["commit"] in done.stdout


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


def _module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("measure_scenarios", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_both_readmes_are_the_rendering_of_the_committed_measurement():
    # Issue 12, item 18: the README's headline and scenarios/README.md's table
    # come from the same measurement file, each figure with its measure named.
    import json
    module = _module()
    measurement = json.loads((REPO / module.MEASUREMENT).read_text())
    for relative, render in module.TARGETS:
        block = module.between_markers((REPO / relative).read_text())
        assert block is not None, relative + " has no headline markers"
        assert block == render(measurement), relative + " differs from its rendering: run the script with --write"
        # The same stamp (population, days, replicates, seed, commit) heads both texts.
        assert module.stamp(measurement).split(";")[0] in block
    headline = module.headline(measurement)
    for words in ("capital quintile Q5 minus that of Q1", "benefits pooled", "minimum income",
                  "{:,} citizens".format(measurement["population"]), "%d replicates" % measurement["replicates"],
                  "recorded days %d-%d" % (measurement["divide"]["first_day"], measurement["divide"]["end_day"] - 1)):
        assert words in headline, words


def test_the_readme_states_no_divide_figure_outside_the_generated_block():
    # A figure typed by hand next to the generated ones is how three divides came to disagree.
    import re
    module = _module()
    readme = (REPO / "README.md").read_text()
    outside = re.sub(re.escape(module.BEGIN) + ".*?" + re.escape(module.END), "", readme, flags=re.S)
    assert not re.search(r"[+-]\d+(\.\d+)? ?(pt|points)\b", outside), "a divide figure outside the generated block"


def test_headline_figures_come_from_the_runs(tmp_path):
    # The rendering reads the measurement, not constants: change a figure, the text follows.
    import copy
    import json
    module = _module()
    measurement = json.loads((REPO / module.MEASUREMENT).read_text())
    changed = copy.deepcopy(measurement)
    changed["divide"]["policies"][1]["pooled"]["mean"] = -77.7
    changed["population"] = 1234
    text = module.headline(changed)
    assert "-77.7 pt" in text and "1,234 citizens" in text
    assert "-77.7 pt" not in module.headline(measurement)


# ---- issue 12, item 9: an ensemble interrupted half way resumes from the replicates it finished -----------


@pytest.mark.skipif(_demat_command() is None, reason="the demat command is not built beside this demat package")
def test_an_interrupted_ensemble_resumes_and_computes_only_its_missing_replicates(tmp_path):
    import os
    import signal
    import sys
    import time

    import numpy as np

    # Replicates long enough (about half a second each) that the sweep cannot
    # finish between the second replicate and the Ctrl-C on a loaded machine.
    POPULATION, REPLICATES = 2000, 8
    call = ("import sys, argparse; sys.path.insert(0, %r); import measure_scenarios as m; "
            "a = argparse.Namespace(demat=%r, population=%d, replicates=%d, seed=1, jobs=1, rerun=False); "
            "m.sweep(a, %r, sys.argv[1])" % (str(SCRIPT.parent), str(_demat_command()), POPULATION, REPLICATES,
                                             str(REPO / "scenarios" / "hybrid.toml")))
    out = tmp_path / "hybrid.h5"
    journal = tmp_path / "hybrid.h5.journal"
    # Ctrl-C, as a user would: SIGINT to the script and its sweep (one process group).
    first = subprocess.Popen([sys.executable, "-c", call, str(out)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if journal.is_dir() and len(list(journal.glob("run-*.results"))) >= 2:
            os.killpg(first.pid, signal.SIGINT)
            break
        time.sleep(0.01)
    first.wait(timeout=60)
    assert first.returncode != 0 and not out.exists()
    kept = len(list(journal.glob("run-*.results")))
    assert 2 <= kept < REPLICATES, kept

    module = _module()
    args = module.argparse.Namespace(demat=str(_demat_command()), population=POPULATION, replicates=REPLICATES,
                                     seed=1, jobs=1, rerun=False)
    done = subprocess.run([sys.executable, "-c", call, str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "resuming: %d of %d runs in %s, %d to compute" % (kept, REPLICATES, journal, REPLICATES - kept) in done.stderr, \
        done.stderr
    assert out.exists() and not journal.exists()

    whole = tmp_path / "whole.h5"
    module.sweep(args, str(REPO / "scenarios" / "hybrid.toml"), str(whole))
    a, b = demat.load(out), demat.load(whole)
    assert a.array_paths == b.array_paths
    for path in a.array_paths:
        np.testing.assert_array_equal(np.asarray(a[path]), np.asarray(b[path]), err_msg=path)

    # The finished file is reused as it is; one of another plan is computed again.
    stamp = out.stat().st_mtime_ns
    module.sweep(args, str(REPO / "scenarios" / "hybrid.toml"), str(out))
    assert out.stat().st_mtime_ns == stamp
    assert module.planned(args, str(out))
    assert module.planned(args, str(out), str(REPO / "scenarios" / "hybrid.toml"))
    assert not module.planned(module.argparse.Namespace(population=POPULATION, replicates=5, seed=1), str(out))
    # A scenario that resolves differently (here one key of the base it inherits) makes the file stale: a
    # measurement after a refit of hybrid.toml must not read the former fit's runs.
    changed = tmp_path / "changed.toml"
    changed.write_text('base = %r\nname = "hybrid"\n[behaviour]\nadmin_learning = 0.011\n'
                       % str(REPO / "scenarios" / "hybrid.toml"))
    assert not module.planned(args, str(out), str(changed))


def test_measure_scenarios_checks_its_work_folder_before_running(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = subprocess.run(["/usr/bin/python3", str(SCRIPT), "--demat", "/nonexistent/demat", "--work",
                           str(blocker / "measure")], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "--work" in done.stderr and str(blocker) in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
