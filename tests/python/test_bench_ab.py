"""bench/ab.sh, the paired A/B timer the performance figures are measured with (docs/performance.md)."""

import subprocess

from conftest import REPO

AB = str(REPO / "bench" / "ab.sh")


def _ab(*args, timeout=60):
    return subprocess.run([AB, *args], capture_output=True, text=True, timeout=timeout)


def test_pairs_are_taken_in_turn_and_the_ratio_is_a_over_b(tmp_path):
    log = tmp_path / "order"
    a = f"echo A >> {log}; /usr/bin/python3 -c 'sum(range(10_000_000))'"
    b = f"echo B >> {log}; /usr/bin/python3 -c 'sum(range(1_000_000))'"
    out = _ab("-n", "3", "--warmup", "1", a, b)
    assert out.returncode == 0, out.stderr
    assert log.read_text().split() == ["A", "B"] * 4  # one warm-up pair, then three pairs in turn
    rows = {line[:14].strip(): line[14:].split() for line in out.stdout.splitlines() if line[:1].isupper()}
    assert "3 pairs in turn" in out.stdout
    wall = [float(x) for x in rows["A/B wall"]]
    assert wall[0] <= wall[1] <= wall[2]  # min, median, max
    cpu = [float(x) for x in rows["A/B cpu"]]
    assert cpu[1] > 1.0  # A does work B does not: a ratio the other way round would be B/A


def test_a_failing_command_stops_the_measurement():
    out = _ab("-n", "1", "true", "exit 3")
    assert out.returncode == 1
    assert "this command failed" in out.stderr and "exit 3" in out.stderr


def test_bad_arguments_exit_2():
    assert _ab("-n", "0", "true", "true").returncode == 2
    assert _ab("true").returncode == 2
    assert _ab("--nope", "true", "true").returncode == 2
