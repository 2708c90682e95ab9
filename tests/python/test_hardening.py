"""Issue 12: no crash, hang or lost input on any file, disk or Python call a
user can throw at demat. One test (or a few) per item of the issue; the
command-line tests run the built `demat` with a time limit."""

import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import demat
from conftest import REPO

CORPUS = REPO / "tests" / "fuzz" / "results_corpus"
HYBRID = REPO / "scenarios" / "hybrid.toml"
TRANSITION = REPO / "scenarios" / "transition_online_only.toml"


def _demat_command():
    built = Path(demat._core.__file__).parents[2] / "bin" / "demat"
    return built if built.exists() else None


needs_cli = pytest.mark.skipif(_demat_command() is None, reason="the demat command is not built beside this package")


def cli(*args, cwd=None, timeout=120, env=None):
    """Runs demat; a hang fails the test instead of blocking the suite."""
    return subprocess.run([str(_demat_command()), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


@pytest.fixture
def tiny(tmp_path):
    """hybrid.toml at 300 citizens, 8 recorded days after 4 days of warm-up."""
    path = tmp_path / "tiny.toml"
    path.write_text(f'base = "{HYBRID}"\nname = "tiny"\ndays = 8\nwarmup_days = 4\nseed = 5\n\n'
                    "[population]\nsize = 300\n")
    return path


def leftovers(folder):
    return sorted(p.name for p in Path(folder).iterdir() if ".tmp" in p.name or ".demat-probe" in p.name)


# ---- 1. damaged results files: bounded time, exit 2, demat.ResultsError ----------------------------

DAMAGED = ["crash_flipped_metadata.h5", "crash_zeroed_block.h5", "hang_zeroed_block.h5"]


@needs_cli
@pytest.mark.parametrize("name", DAMAGED)
def test_compare_of_a_damaged_file_ends_in_bounded_time_with_exit_2(name):
    # crash_flipped_metadata.h5 kills libhdf5 in-process (SIGSEGV in H5Literate);
    # hang_zeroed_block.h5 makes it spin in H5HG_read for minutes.
    start = time.monotonic()
    done = cli("compare", CORPUS / "run.h5", CORPUS / name, timeout=60, env={"DEMAT_READ_TIMEOUT": "5"})
    assert time.monotonic() - start < 30
    assert done.returncode == 2, done.stderr
    assert f"{CORPUS / name} is not a readable demat results file: " in done.stderr
    assert len(done.stderr.splitlines()) == 1


@needs_cli
def test_the_default_time_limit_bounds_a_reader_that_loops():
    env = {k: v for k, v in os.environ.items() if k != "DEMAT_READ_TIMEOUT"}
    start = time.monotonic()
    done = subprocess.run([str(_demat_command()), "compare", str(CORPUS / "run.h5"), str(CORPUS / "hang_zeroed_block.h5")],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2 and "took longer than 10 s" in done.stderr, done.stderr
    assert time.monotonic() - start < 30


@pytest.mark.parametrize("name", DAMAGED)
def test_load_of_a_damaged_file_raises_results_error(name, monkeypatch):
    monkeypatch.setenv("DEMAT_READ_TIMEOUT", "5")
    start = time.monotonic()
    with pytest.raises(demat.ResultsError, match="is not a readable demat results file"):
        demat.load(CORPUS / name)
    assert time.monotonic() - start < 30


def test_results_error_is_a_value_error_and_good_files_still_load():
    assert issubclass(demat.ResultsError, ValueError)
    assert demat.load(CORPUS / "run.h5").counts.shape[-1] == 7
    assert demat.load(CORPUS / "sweep.h5").is_sweep


@needs_cli
def test_a_large_file_read_steadily_is_not_taken_for_a_stuck_one(tmp_path, monkeypatch):
    # The time limit is on silence: the reader sends a byte per dataset and its
    # answer in chunks. A sweep's dense tallies by segment, day and service come
    # to about 50 MB per replicate whatever the population, so eight replicates
    # take seconds to read: far longer than the 1 s limit set here, and each of
    # their datasets far shorter. A limit on the whole read rejects this file
    # (as the 10 s default did on a loaded machine).
    out = tmp_path / "sweep.h5"
    done = cli("sweep", HYBRID, "--replicates", "8", "--population", "300", "--seed", "1", "-o", out, "-q",
               timeout=300)
    assert done.returncode == 0, done.stderr
    limit = 1.0
    monkeypatch.setenv("DEMAT_READ_TIMEOUT", str(limit))
    start = time.monotonic()
    results = demat.load(out)
    took = time.monotonic() - start
    assert took > limit, f"the file was read in {took:.2f} s: too fast to tell a limit on silence from one on the whole"
    with h5py.File(out, "r") as f:
        assert np.array_equal(results["counts"], f["counts"][()])
        assert np.array_equal(results["help/segments/capital_quintile/requests"],
                              f["help/segments/capital_quintile/requests"][()])


# ---- 2. full disk -----------------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path):
    """A 2 MiB tmpfs with about 100 KiB left (root only: skipped otherwise)."""
    mount = tmp_path / "full"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        with open(mount / "filler", "wb") as f:
            f.write(bytes(2 * 1024 * 1024 - 100 * 1024))
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


@needs_cli
def test_a_full_disk_exits_2_in_one_line_and_leaves_nothing(tiny, full_disk, tmp_path):
    ck = tmp_path / "ck"
    shutil.copytree(REPO / "tests" / "fuzz" / "results_corpus", tmp_path / "corpus")
    assert cli("run", tiny, "-q", "-o", tmp_path / "ok.h5", "--checkpoint-every", "5", "--checkpoint-dir", ck
               ).returncode == 0
    checkpoint = next(ck.glob("*.demat-checkpoint"))
    cases = {
        "run": (["run", tiny, "-q", "-o"], full_disk / "run" / "o.h5"),
        "snapshot": (["run", tiny, "-q", "--snapshot", "-o"], full_disk / "snapshot" / "o.h5"),
        "sweep": (["sweep", tiny, "-q", "-o"], full_disk / "sweep" / "o.h5"),
        "resume": (["resume", checkpoint, "-q", "-o"], full_disk / "resume" / "o.h5"),
    }
    for name, (args, out) in cases.items():
        out.parent.mkdir()
        done = cli(*args, out)
        assert done.returncode == 2, (name, done.returncode, done.stderr)
        assert done.stderr.splitlines()[0] == f"demat: no space left on device writing {out}", name
        assert not out.exists() and leftovers(out.parent) == [], name
    checkpoints = full_disk / "checkpoints"
    done = cli("run", tiny, "-q", "-o", tmp_path / "o.h5", "--checkpoint-every", "2", "--checkpoint-dir", checkpoints)
    assert done.returncode == 2, done.stderr
    assert "no space left on device writing " + str(checkpoints / "checkpoint-day-000002.demat-checkpoint") in done.stderr
    assert not (tmp_path / "o.h5").exists() and not list(checkpoints.glob("*checkpoint*"))
    # --verbose gives the library's detail.
    (full_disk / "v").mkdir()
    verbose = cli("--verbose", "run", tiny, "-q", "-o", full_disk / "v" / "o.h5")
    assert verbose.returncode == 2 and len(verbose.stderr.splitlines()) > 1


def test_python_save_on_a_full_disk_raises_and_the_process_exits_cleanly(full_disk):
    (full_disk / "p").mkdir()
    code = (f"import sys; sys.path[:0] = {sys.path[:1]!r}\nimport demat\n"
            f"r = demat.load({str(CORPUS / 'run.h5')!r})\n"
            f"try:\n    r.save({str(full_disk / 'p' / 'o.h5')!r})\nexcept demat.DiskFullError as e:\n"
            "    print('raised', isinstance(e, OSError), e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("raised True no space left on device writing")
    assert os.listdir(full_disk / "p") == []


# ---- 3. Python: self-referencing or deep values, threads ---------------------------------------------


def test_from_dict_refuses_self_references_and_deep_nesting():
    d = {}
    d["a"] = d
    with pytest.raises(demat.ScenarioError, match="levels deep"):
        demat.Scenario.from_dict({"population": d})
    lst = []
    lst.append(lst)
    with pytest.raises(demat.ScenarioError, match="levels deep"):
        demat.Scenario.from_dict({"population": {"x": lst}})
    deep = {}
    cur = deep
    for _ in range(30000):
        cur["a"] = {}
        cur = cur["a"]
    with pytest.raises(demat.ScenarioError, match="levels deep"):
        demat.Scenario.from_dict({"population": deep})


def test_a_simulation_used_from_several_threads_never_crashes(tmp_path, small):
    sim = demat.Simulation(small.with_changes({"population.size": 300, "days": 20, "warmup_days": 2}), threads=1)
    errors = []

    def call(f):
        try:
            f()
        except RuntimeError as e:
            errors.append(str(e))

    savers = [threading.Thread(target=call, args=(lambda i=i: sim.save_checkpoint(tmp_path / f"c{i}"),))
              for i in range(4)]
    for t in savers:
        t.start()
    for t in savers:
        t.join()
    assert all(e == "simulation is busy" for e in errors), errors
    assert any((tmp_path / f"c{i}").exists() for i in range(4))
    errors.clear()
    racers = [threading.Thread(target=call, args=(sim.run,))] + [
        threading.Thread(target=call, args=(lambda i=i: sim.save_checkpoint(tmp_path / f"r{i}"),)) for i in range(3)]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    sim.run()
    assert sim.completed
    assert all(e == "simulation is busy" or "complete" in e for e in errors), errors
    assert issubclass(demat.SimulationError, RuntimeError)


# ---- 4. outputs that are inputs -------------------------------------------------------------------------


@needs_cli
def test_an_output_that_is_an_input_is_refused_before_simulating(tiny, tmp_path):
    base = tmp_path / "base.toml"
    shutil.copy(HYBRID, base)
    derived = tmp_path / "derived.toml"
    derived.write_text('base = "base.toml"\nname = "d"\ndays = 5\nwarmup_days = 2\n[population]\nsize = 300\n')
    link = tmp_path / "link.toml"
    link.symlink_to(tiny)
    ck = tmp_path / "ck"
    assert cli("run", tiny, "-q", "-o", tmp_path / "x.h5", "--checkpoint-every", "5", "--checkpoint-dir", ck
               ).returncode == 0
    checkpoint = next(ck.glob("*.demat-checkpoint"))
    inputs = [tiny, base, derived, checkpoint]
    before = {p: p.read_bytes() for p in inputs}
    rel = os.path.relpath(tiny, tmp_path)
    cases = [("run", tiny, tiny), ("run", tiny, link), ("run", tiny, "./" + rel), ("run", derived, base),
             ("run", derived, derived), ("sweep", tiny, tiny), ("sweep", derived, base), ("resume", checkpoint, checkpoint)]
    for command, source, out in cases:
        done = cli(command, source, "-q", "-o", out, cwd=tmp_path)
        assert done.returncode == 2, (command, source, out, done.stderr)
        assert f"the output would overwrite an input: {out}" in done.stderr
    assert {p: p.read_bytes() for p in inputs} == before
    assert link.is_symlink()


# ---- 5. devices and folders as outputs ------------------------------------------------------------------


@pytest.fixture
def devices(tmp_path):
    """A null and a full device of our own: never the system's /dev/null and
    /dev/full, which a demat that failed this test would replace, as root,
    for every process of the machine. Without root, a FIFO."""
    made = []
    for name, minor in (("null", 3), ("full", 7)):
        try:
            os.mknod(tmp_path / name, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
            made.append(tmp_path / name)
        except OSError:
            pass
    if not made:
        os.mkfifo(tmp_path / "fifo")
        made.append(tmp_path / "fifo")
    return made


def special(path):
    mode = os.lstat(path).st_mode
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


@needs_cli
def test_a_device_as_output_is_refused_and_left_a_device(tiny, devices):
    for device in devices:
        for command in ("run", "sweep"):
            done = cli(command, tiny, "-q", "-o", device, timeout=60)
            assert done.returncode == 2, done.stderr
            assert "not a regular file" in done.stderr
            assert special(device)


@needs_cli
def test_a_folder_as_output_is_refused(tiny, tmp_path):
    done = cli("run", tiny, "-q", "-o", tmp_path)
    assert done.returncode == 2 and "folder" in done.stderr


def test_python_save_refuses_devices_and_folders(tmp_path, devices):
    r = demat.load(CORPUS / "run.h5")
    for target in (*devices, tmp_path):
        with pytest.raises((RuntimeError, OSError, ValueError)):
            r.save(target)
    assert all(special(d) for d in devices)


# ---- 6. checkpoint folders shared by runs --------------------------------------------------------------


@needs_cli
def test_two_runs_cannot_share_a_checkpoint_folder(tiny, tmp_path):
    ck = tmp_path / "ck"
    assert cli("run", tiny, "-q", "-o", tmp_path / "a.h5", "--checkpoint-every", "3", "--checkpoint-dir", ck
               ).returncode == 0
    before = {p.name: p.read_bytes() for p in ck.iterdir()}
    done = cli("run", tiny, "-q", "-o", tmp_path / "b.h5", "--seed", "99", "--checkpoint-every", "3",
               "--checkpoint-dir", ck)
    assert done.returncode == 2 and "holds the checkpoints of another run" in done.stderr
    assert {p.name: p.read_bytes() for p in ck.iterdir()} == before
    # The same run again (same scenario and seed) writes the same files: allowed.
    assert cli("run", tiny, "-q", "-o", tmp_path / "c.h5", "--checkpoint-every", "3", "--checkpoint-dir", ck
               ).returncode == 0
    # While a run uses a folder, another run is refused at once.
    long_run = tmp_path / "long.toml"
    long_run.write_text(f'base = "{HYBRID}"\nname = "long"\ndays = 3000\nwarmup_days = 0\n[population]\nsize = 20000\n')
    busy = tmp_path / "busy"
    first = subprocess.Popen([str(_demat_command()), "run", str(long_run), "-o", str(tmp_path / "l.h5"),
                              "--checkpoint-every", "1000", "--checkpoint-dir", str(busy)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert first.stderr.readline()  # started: the folder is claimed before the first line
        second = cli("run", tiny, "-q", "-o", tmp_path / "d.h5", "--checkpoint-every", "3", "--checkpoint-dir", busy)
        assert second.returncode == 2 and "being used by another demat run" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=60)
        first.stderr.close()


# ---- 7. --days and the timeline -------------------------------------------------------------------------


@needs_cli
def test_days_shorter_than_the_timeline_are_refused_everywhere(tmp_path):
    done = cli("run", TRANSITION, "--days", "30", "--checkpoint-every", "100", "--checkpoint-dir", tmp_path / "ck",
               "-o", tmp_path / "o.h5")
    assert done.returncode == 2 and "'--days': 30 recorded days end before the timeline event on day 180" in done.stderr
    assert not (tmp_path / "o.h5").exists()
    done = cli("sweep", TRANSITION, "--days", "30", "-o", tmp_path / "s.h5")
    assert done.returncode == 2 and "--days" in done.stderr
    with pytest.raises(demat.ScenarioError, match=r"timeline\[\d\]\.day"):
        demat.Scenario.load(TRANSITION).with_changes({"days": 30})


@needs_cli
def test_every_checkpoint_a_timeline_run_writes_resumes_to_the_same_file(tmp_path):
    scenario = tmp_path / "t.toml"
    scenario.write_text(f'base = "{TRANSITION}"\nname = "t"\nwarmup_days = 3\nseed = 4\n[population]\nsize = 300\n')
    ck = tmp_path / "ck"
    full = tmp_path / "full.h5"
    done = cli("run", scenario, "-q", "--days", "181", "-o", full, "--checkpoint-every", "46", "--checkpoint-dir", ck)
    assert done.returncode == 0, done.stderr
    names = sorted(ck.glob("*.demat-checkpoint"))
    assert len(names) == 3
    for i, checkpoint in enumerate(names):
        out = tmp_path / f"resumed{i}.h5"
        done = cli("resume", checkpoint, "-q", "-o", out)
        assert done.returncode == 0, done.stderr
        a, b = demat.load(full), demat.load(out)
        for path in a.array_paths:
            np.testing.assert_array_equal(a[path], b[path], err_msg=path)
    stored = tmp_path / "stored.toml"
    stored.write_text(demat.load(full).attrs["scenario_resolved"])
    assert cli("validate", "-q", stored).returncode == 0


# ---- 8. exit codes and messages ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def other_layouts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layouts")
    good = CORPUS / "run.h5"
    files = {}
    h5py.File(folder / "empty.h5", "w").close()
    files["empty.h5"] = "no /counts dataset"
    with h5py.File(folder / "group.h5", "w") as f:
        f.create_group("counts")
    files["group.h5"] = "no /counts dataset"
    with h5py.File(folder / "rank.h5", "w") as f:
        f["counts"] = np.zeros((2, 7), dtype=np.int64)
    files["rank.h5"] = "array '/counts' has no dimension scale"
    for drop, message in (("metrics", "no /metrics/unclaimed_euros"), ("segments", "no /segments/capital_quintile"),
                          ("service", "array '/counts': the dimension scale of axis 1 is missing")):
        shutil.copy(good, folder / f"no_{drop}.h5")
        with h5py.File(folder / f"no_{drop}.h5", "a") as f:
            del f[drop]
        files[f"no_{drop}.h5"] = message
    shutil.copy(good, folder / "negative.h5")
    with h5py.File(folder / "negative.h5", "a") as f:
        counts = f["counts"][...]
        counts[0, 0, 0] = -5
        f["counts"][...] = counts
    files["negative.h5"] = "negative count (-5"
    shutil.copy(good, folder / "identity.h5")
    with h5py.File(folder / "identity.h5", "a") as f:
        counts = f["counts"][...]
        counts[0, 0, 1] += 1
        f["counts"][...] = counts
    files["identity.h5"] = "breaks the decomposition"
    return folder, files


@needs_cli
def test_compare_of_another_layout_exits_2_naming_what_is_missing(other_layouts):
    folder, files = other_layouts
    for name, message in files.items():
        done = cli("compare", CORPUS / "run.h5", folder / name)
        assert done.returncode == 2, (name, done.stderr)
        assert f"{folder / name} is not a readable demat results file: " in done.stderr, name
        assert message in done.stderr, (name, done.stderr)
    done = cli("compare", folder, CORPUS / "run.h5")
    assert done.returncode == 2 and "is a directory" in done.stderr


def test_load_of_another_layout_raises_results_error(other_layouts, tmp_path):
    folder, files = other_layouts
    for name, message in files.items():
        with pytest.raises(demat.ResultsError, match=message.replace("(", r"\(")):
            demat.load(folder / name)
    with pytest.raises(demat.ResultsError, match="it is a directory"):
        demat.load(tmp_path)


@needs_cli
def test_default_output_blocked_by_a_file_named_results(tiny, tmp_path):
    (tmp_path / "results").write_text("mine\n")
    done = cli("run", tiny, "-q", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "results" in done.stderr and "internal error" not in done.stderr
    assert (tmp_path / "results").read_text() == "mine\n"


@needs_cli
def test_checkpoint_folder_that_is_the_output_is_refused_before_simulating(tiny, tmp_path):
    out = tmp_path / "o.h5"
    done = cli("run", tiny, "-o", out, "--checkpoint-every", "2", "--checkpoint-dir", out)
    assert done.returncode == 2 and "--checkpoint-dir" in done.stderr
    assert "generating" not in done.stderr and not out.exists()


@needs_cli
@pytest.mark.parametrize("option, value, expected", [
    ("--seed", "-1", "expected an integer in [0, 9223372036854775807], got -1"),
    ("--seed", "18446744073709551616", "got 18446744073709551616"),
    ("--seed", "18446744073709551615", "got 18446744073709551615"),
    ("--population", "9223372036854775808", "expected an integer in [100, 100000000], got 9223372036854775808"),
    ("--days", "-3", "got -3"),
])
def test_numbers_are_reported_as_typed_with_their_range(tiny, tmp_path, option, value, expected):
    for command in ("run", "sweep"):
        done = cli(command, tiny, "-q", "-o", tmp_path / "o.h5", option, value)
        assert done.returncode == 2 and expected in done.stderr, done.stderr


@needs_cli
def test_an_unknown_command_is_named(tmp_path):
    done = cli("frob")
    assert done.returncode == 2 and "unknown command 'frob'" in done.stderr


def test_an_error_in_a_base_file_names_the_derived_file_too(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(HYBRID.read_text() + '\n[[timeline]]\nday = 100\nevent = "close_channel"\nservice = "*"\n'
                    'channel = "counter"\n')
    derived = tmp_path / "derived.toml"
    derived.write_text('base = "base.toml"\nname = "short"\ndays = 50\n')
    with pytest.raises(demat.ScenarioError) as caught:
        demat.Scenario.load(derived)
    message = str(caught.value)
    assert str(base) in message and str(derived) in message
    assert "days = 50, set at " + str(derived) + ":3" in message


def test_python_bad_values_name_the_key_or_argument(small):
    with pytest.raises(demat.ScenarioError, match="key 'days': expected an integer within 64 bits"):
        demat.Scenario.from_dict({"days": 10**30})
    with pytest.raises(ValueError, match="seed must be an integer in"):
        demat.Simulation(small, seed=2**64)
    with pytest.raises(TypeError, match="progress must be True, False or a callable"):
        demat.Simulation(small, threads=1).run(progress="yes")
    with pytest.raises(demat.ScenarioError, match="key 'days'.*got None"):
        small.with_changes({"days": None})
    with pytest.raises(ValueError, match="threads must be"):
        demat.Simulation(small, threads=10**30)


@needs_cli
def test_an_empty_output_is_refused_and_a_long_legal_name_is_accepted(tiny, tmp_path):
    done = cli("run", tiny, "-q", "-o", "", cwd=tmp_path)
    assert done.returncode == 2 and "empty" in done.stderr
    assert not (tmp_path / "results").exists()
    name = tmp_path / ("x" * 242 + ".h5")
    done = cli("run", tiny, "-q", "-o", name)
    assert done.returncode == 0, done.stderr
    assert name.exists() and leftovers(tmp_path) == []
    too_long = tmp_path / ("y" * 253 + ".h5")
    done = cli("run", tiny, "-q", "-o", too_long)
    assert done.returncode == 2 and "bytes long" in done.stderr


# ---- 16. progress in a log ------------------------------------------------------------------------------


def test_progress_to_a_pipe_is_one_line_per_update(tmp_path):
    code = (f"import sys; sys.path[:0] = {sys.path[:1]!r}\nimport demat\n"
            f"s = demat.Scenario.load({str(HYBRID)!r}).with_changes("
            "{'population.size': 300, 'days': 20, 'warmup_days': 0})\n"
            "demat.Simulation(s, threads=1).run(progress=True)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    lines = done.stderr.splitlines()
    assert 5 <= len(lines) <= 12 and lines[-1].endswith("(100%)")


# ---- 13. validate reports every error ------------------------------------------------------------------


@needs_cli
def test_validate_reports_every_error_of_a_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'base = "{HYBRID}"\ndays = 0\nseed = -4\n[population]\nsize = 5\ndayz = 3\n'
                   "[services.minimum_income]\noutreach = 7\n")
    done = cli("validate", bad)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert [line.split(":")[2] for line in lines[:5]] == ["2", "3", "5", "6", "8"], lines
    assert lines[-1] == f"demat: {bad}: 5 errors"
    one = tmp_path / "one.toml"
    one.write_text(f'base = "{HYBRID}"\ndays = 0\n')
    assert len(cli("validate", one).stderr.splitlines()) == 1


# ---- 15. each subcommand's own examples ----------------------------------------------------------------


@needs_cli
def test_each_subcommand_help_shows_its_own_examples():
    commands = ["run", "resume", "validate", "params", "compare", "sweep"]
    for command in commands:
        done = cli(command, "--help")
        assert done.returncode == 0
        examples = done.stdout.split("Examples:", 1)[1]
        used = {line.split()[1] for line in examples.splitlines() if line.strip().startswith("demat ")}
        assert used == {command}, (command, used)


# ---- 11. compare never pools sweep points, and warns on unlike runs ------------------------------------


@needs_cli
def test_compare_refuses_to_pool_sweep_points_and_warns_on_unlike_runs(tiny, tmp_path):
    sweep = tmp_path / "sweep.h5"
    assert cli("sweep", tiny, "--set", "population.size=300,400", "--replicates", "2", "-q", "--jobs", "1",
               "-o", sweep).returncode == 0
    run = tmp_path / "run.h5"
    assert cli("run", tiny, "-q", "-o", run).returncode == 0
    done = cli("compare", run, sweep)
    assert done.returncode == 2 and "holds 2 sweep points (0, 1)" in done.stderr and "--point" in done.stderr
    same = cli("compare", run, sweep, "--point", "0")
    assert same.returncode == 0 and "(2 runs; 300 citizens, 8 recorded days)" in same.stdout and "warning" not in same.stderr
    other = cli("compare", run, sweep, "--point", "1")
    assert other.returncode == 0
    assert "different sizes (A: 300 citizens, B: 400 citizens)" in other.stderr
    assert cli("compare", run, sweep, "--point", "5").returncode == 2
    short = tmp_path / "short.h5"
    assert cli("run", tiny, "-q", "--days", "5", "-o", short).returncode == 0
    assert "(A: 8 recorded days, B: 5 recorded days)" in cli("compare", run, short).stderr


# ---- 12. the report reads as a reader expects ------------------------------------------------------------


def test_report_shows_a_dash_for_no_queue_and_readable_euro_ticks(tmp_path):
    from demat.analysis import figures, load, report

    base = {"population.size": 2000, "days": 40, "warmup_days": 10}
    paths = []
    for name in ("hybrid", "online_only"):
        scenario = demat.Scenario.load(REPO / "scenarios" / f"{name}.toml").with_changes(base)
        path = tmp_path / f"{name}.h5"
        demat.Simulation(scenario, seed=3, threads=1).run().results.save(path)
        paths.append(path)
    text = Path(report.write_report(paths, tmp_path / "rep")).read_text()
    table = text.split("<h2>Key numbers</h2>", 1)[1].split("<h2>", 1)[0]
    assert "nan" not in table and "&ndash;" in table
    fig = figures.comparison(load.load_runs(paths))
    fig.canvas.draw()
    right = fig.axes[1]
    labels = [t.get_text() for t in right.get_xticklabels() if t.get_text()]
    assert 2 <= len(labels) <= 6, labels
    assert all(len(label) <= 9 for label in labels), labels


# ---- 9. long-running tools check where they write before computing --------------------------------------


@pytest.mark.parametrize("module, args", [
    ("demat.sensitivity", ["-n", "2", "--population", "100", "--docs", "{missing}"]),
    ("demat.validation", ["--population", "100", "--replicates", "1", "--doc", "{missing}/validation.md"]),
    ("demat.calibrate", ["--population", "100", "--scenario", "{missing}/hybrid.toml"]),
])
def test_long_tools_refuse_a_missing_output_before_computing(tmp_path, module, args):
    missing = tmp_path / "nowhere"
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", module, *[a.format(missing=missing) for a in args]],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode != 0 and str(missing) in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - start < 20


# ---- 17. every group's axes are labelled in xarray ------------------------------------------------------


def test_every_group_opens_in_xarray_with_labelled_axes(small_run, tmp_path):
    import xarray as xr

    path = tmp_path / "run.h5"
    small_run.results.save(path)
    groups = sorted({p.rsplit("/", 1)[0] for p in small_run.results.array_paths if "/" in p})
    assert "segments/capital_quintile" in groups and "metrics" in groups
    for group in groups:
        with xr.open_dataset(path, engine="h5netcdf", group=group) as ds:
            assert "without coordinates" not in repr(ds), group
            for name, variable in ds.data_vars.items():
                assert all(d in ds.coords for d in variable.dims), (group, name, variable.dims)
    with xr.open_dataset(path, engine="h5netcdf", group="segments/capital_quintile") as ds:
        assert list(ds["service"].values) == small_run.results.services
    # The copies are for netCDF readers only: the Results read back are the same.
    assert demat.load(path).array_paths == small_run.results.array_paths


def test_report_labels_swept_booleans_as_true_and_false(tmp_path, small):
    from demat.analysis import load

    runs = demat.sweep(small.with_changes({"population.size": 300, "days": 10, "warmup_days": 2}),
                       {"channels.counter.enabled": [True, False]}, replicates=1)
    runs.save(tmp_path / "s.h5")
    labels = [s.label for s in load.load_runs([tmp_path / "s.h5"])]
    assert labels[0].endswith("counter.enabled=true") and labels[1].endswith("counter.enabled=false"), labels


def test_an_interrupted_sensitivity_design_loses_at_most_the_run_in_progress(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    cache = tmp_path / "runs.jsonl"
    command = [sys.executable, "-m", "demat.sensitivity", "-n", "2", "--population", "300", "--docs", str(docs),
               "--cache", str(cache)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if cache.exists() and len(cache.read_text().splitlines()) >= 4:
            first.kill()  # as a power cut would: no clean-up
            break
        time.sleep(0.02)
    first.wait(timeout=60)
    kept = len([line for line in cache.read_text().splitlines() if line.endswith("}")])
    assert kept >= 4
    second = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert second.returncode == 0, second.stderr
    from demat import sensitivity

    total = 2 * (len(sensitivity.PARAMETERS) + 2)  # the Saltelli design: N (k + 2) runs, N = 2
    assert f"{kept} of {total} runs read from {cache}, {total - kept} to compute" in second.stderr
    lines = cache.read_text().splitlines()
    assert len({line.split('"values"')[0] for line in lines if line.endswith("}")}) == len(
        [line for line in lines if line.endswith("}")])  # no run done twice once recorded
    assert (docs / "sensitivity.md").exists()
