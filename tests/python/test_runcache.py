"""Issue 12, item 9: the calibration and the validation keep every finished
run on disk as it ends (demat._runcache), so that an interruption loses at
most the runs in progress and the same command resumes from the file."""
import json
import subprocess
import sys

import numpy as np
import pytest

import demat
from demat._runcache import RunCache
from conftest import REPO

TINY = {"population.size": 200, "days": 10, "warmup_days": 5}


@pytest.fixture(scope="module")
def tiny():
    return demat.Scenario.load(REPO / "scenarios" / "hybrid.toml").with_changes(TINY)


def take_up(r):
    c = np.asarray(r["counts"], dtype=float)
    return [float(c[:, :, 1].sum()), float(c[:, :, 0].sum())]


def test_an_interruption_loses_only_the_run_in_progress_and_the_same_call_resumes(tiny, tmp_path):
    path = tmp_path / "runs.jsonl"
    seeds = [1, 2, 3, 4, 5, 6]
    calls = []

    def interrupted(r):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C while the third run's figures are taken
        return take_up(r)

    with pytest.raises(KeyboardInterrupt):
        RunCache(path, "take-up").map([tiny] * 6, seeds, interrupted, workers=1)
    kept = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(kept) == 2  # the two finished runs are on disk

    again = []
    cache = RunCache(path, "take-up")
    values = cache.map([tiny] * 6, seeds, lambda r: again.append(1) or take_up(r), workers=1)
    assert len(again) == 4  # only the missing runs are computed
    fresh = RunCache(None, "take-up").map([tiny] * 6, seeds, take_up, workers=1)
    assert values == fresh  # and the numbers are those of an uninterrupted run
    assert len(path.read_text().splitlines()) == 6


def test_a_cut_line_is_computed_again_and_the_file_stays_readable(tiny, tmp_path):
    path = tmp_path / "runs.jsonl"
    RunCache(path, "take-up").map([tiny] * 2, [1, 2], take_up, workers=1)
    lines = path.read_text().splitlines()
    path.write_text(lines[0] + "\n" + lines[1][:20])  # the second line cut by a crash
    calls = []
    values = RunCache(path, "take-up").map([tiny] * 2, [1, 2], lambda r: calls.append(1) or take_up(r), workers=1)
    assert len(calls) == 1
    entries = []
    for line in path.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            assert line == lines[1][:20]
    assert [e["values"] for e in entries] == values


def test_another_measure_seed_or_scenario_is_not_read_from_the_file(tiny, tmp_path):
    path = tmp_path / "runs.jsonl"
    RunCache(path, "take-up").map([tiny], [1], take_up, workers=1)
    calls = []
    count = lambda r: calls.append(1) or take_up(r)  # noqa: E731
    RunCache(path, "another measure").map([tiny], [1], count, workers=1)
    RunCache(path, "take-up").map([tiny], [2], count, workers=1)
    RunCache(path, "take-up").map([tiny.with_changes({"population.size": 201})], [1], count, workers=1)
    assert len(calls) == 3


def _tool(args, tmp_path):
    import os
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(demat._core.__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    return done


def test_calibrate_run_again_reads_every_run_from_its_cache(tmp_path):
    cache = tmp_path / "calibrate.jsonl"
    args = ["-m", "demat.calibrate", "--population", "150", "--replicates", "1", "--screening", "2",
            "--iterations", "4", "--check-replicates", "1", "--dry-run", "--cache", str(cache)]
    first = _tool(args, tmp_path)
    lines = len(cache.read_text().splitlines())
    assert lines >= 4 and "to compute" in first.stderr
    second = _tool(args, tmp_path)
    assert second.stdout == first.stdout  # the same fit, from the file
    reads = [line for line in second.stderr.splitlines() if "runs read from" in line]
    assert reads and all(line.endswith(" 0 to compute") for line in reads), reads
    assert len(cache.read_text().splitlines()) == lines


def test_validation_run_again_reads_every_run_from_its_cache(tmp_path):
    doc = tmp_path / "validation.md"
    doc.write_text("intro\n<!-- validation:begin -->\n<!-- validation:end -->\n")
    cache = tmp_path / "validation.jsonl"
    args = ["-m", "demat.validation", "--population", "200", "--replicates", "2", "--outreach-population", "200",
            "--outreach-replicates", "1", "--threads", "1", "--doc", str(doc), "--cache", str(cache)]
    readme_before = (REPO / "README.md").read_text()
    _tool(args, tmp_path)
    text = doc.read_text()
    assert len(cache.read_text().splitlines()) == 2 + 3  # two baseline seeds, three outreach arms
    second = _tool(args, tmp_path)
    reads = [line for line in second.stderr.splitlines() if "runs read from" in line]
    assert len(reads) == 2 and all(line.endswith(" 0 to compute") for line in reads), reads
    assert doc.read_text() == text
    # A table written elsewhere leaves the repository's README alone; the
    # sentence goes to the README named with --readme.
    assert (REPO / "README.md").read_text() == readme_before
    readme = tmp_path / "README.md"
    readme.write_text("top\n<!-- calibration:begin -->\n<!-- calibration:end -->\nbottom\n")
    _tool(args + ["--readme", str(readme)], tmp_path)
    written = readme.read_text()
    assert written.startswith("top\n<!-- calibration:begin -->\n") and written.endswith("<!-- calibration:end -->\nbottom\n")
    assert "of 8 calibration targets" in written and "200 citizens, mean over 2 seeds" in written


# ---- the other long tools: each run kept as it ends, not each batch ----------------------------------------


class Interrupt:
    """Wraps a tool's measure: Ctrl-C while the ``at``-th run's figures are taken; counts the calls."""

    def __init__(self, measure, at=None):
        self.measure, self.at, self.calls = measure, at, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return self.measure(*args, **kwargs)


def test_sensitivity_keeps_each_run_and_resumes_with_the_numbers_of_an_uninterrupted_design(tiny, tmp_path,
                                                                                            monkeypatch):
    from demat import sensitivity

    monkeypatch.setattr(sensitivity, "PARAMETERS", sensitivity.PARAMETERS[:2])  # (2 + 2) x 2 = 8 runs
    design = lambda cache: sensitivity.run_design(tiny, 2, 200, log=lambda s: None, workers=1,  # noqa: E731
                                                  cache=cache)
    cache = tmp_path / "sensitivity.jsonl"
    monkeypatch.setattr(sensitivity, "outputs", Interrupt(sensitivity.outputs, at=3))
    with pytest.raises(KeyboardInterrupt):
        design(cache)
    assert len(cache.read_text().splitlines()) == 2  # kept as each run ended (by batches of 8, it was none)
    counted = Interrupt(sensitivity.outputs.measure)
    monkeypatch.setattr(sensitivity, "outputs", counted)
    resumed = design(cache)
    assert counted.calls == 6  # only the missing runs
    monkeypatch.setattr(sensitivity, "outputs", counted.measure)
    fresh = design(None)
    for got, want in zip(resumed, fresh):
        np.testing.assert_array_equal(got, want)
    assert len(cache.read_text().splitlines()) == 8


def _script(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_measure_drift_keeps_each_run_and_resumes_with_the_numbers_of_an_uninterrupted_table(tmp_path, monkeypatch,
                                                                                           capsys):
    drift = _script("measure_drift")
    args = lambda cache: ["--population", "100", "--seeds", "2", "--threads", "1", "--cache", str(cache)]  # noqa: E731
    cache = tmp_path / "drift.jsonl"
    monkeypatch.setattr(drift, "take_up", Interrupt(drift.take_up, at=3))
    with pytest.raises(KeyboardInterrupt):
        drift.main(args(cache))
    assert len(cache.read_text().splitlines()) == 2  # it kept nothing before
    counted = Interrupt(drift.take_up.measure)
    monkeypatch.setattr(drift, "take_up", counted)
    resumed = drift.main(args(cache))
    assert counted.calls == 2 * 2 * 2 - 2  # two tables x two warm-ups x two seeds, less the two kept
    assert "2 of 4 runs read from" in capsys.readouterr().err
    monkeypatch.setattr(drift, "take_up", counted.measure)
    assert drift.main(args(tmp_path / "fresh.jsonl")) == resumed
    assert len(cache.read_text().splitlines()) == 8


def test_measure_drift_checks_its_cache_location_before_computing(tmp_path, monkeypatch):
    drift = _script("measure_drift")
    counted = Interrupt(drift.take_up)
    monkeypatch.setattr(drift, "take_up", counted)
    (tmp_path / "a-folder").mkdir()
    with pytest.raises(SystemExit, match="not a regular file"):
        drift.main(["--population", "100", "--seeds", "1", "--cache", str(tmp_path / "a-folder")])
    assert counted.calls == 0
