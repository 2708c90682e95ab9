"""`demat classroom` (a static server for web/dist on 127.0.0.1) and the
engine trace (`demat run --trace`, /trace, Results.trace()): docs/classroom.md,
docs/output.md."""
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import demat
from conftest import REPO


def _demat_command():
    built = Path(demat._core.__file__).parents[2] / "bin" / "demat"
    return built if built.exists() else None


needs_cli = pytest.mark.skipif(_demat_command() is None, reason="the demat command is not built beside this package")


def _start(args):
    """Starts `demat classroom` (stopping by itself within 20 s) and returns (process, base URL)."""
    proc = subprocess.Popen([str(_demat_command()), "classroom", "--port", "0", "--stop-after", "20", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "http://127.0.0.1:" in line, line + proc.stderr.read()
    return proc, line[line.index("http://"):].split()[0]


@needs_cli
def test_classroom_serves_the_page_on_loopback_with_wasm_mime_type(tmp_path):
    (tmp_path / "engine").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>demat</title>")
    (tmp_path / "engine" / "demat_engine.wasm").write_bytes(b"\0asm\1\0\0\0")
    (tmp_path.parent / "secret.txt").write_text("not to be served")
    proc, base = _start(["--dir", str(tmp_path)])
    try:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base, timeout=5) as r:
            assert r.status == 200
            assert r.headers["Content-Type"].startswith("text/html")
            assert b"<title>demat</title>" in r.read()
        with urllib.request.urlopen(base + "engine/demat_engine.wasm", timeout=5) as r:
            assert r.headers["Content-Type"] == "application/wasm"
            assert r.read() == b"\0asm\1\0\0\0"
        for bad in ("missing.js", "../secret.txt", "%2e%2e/secret.txt", "engine/../../secret.txt"):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(base + bad, timeout=5)
            e.value.close()  # the error response holds the connection
            assert e.value.code in (403, 404), bad
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits, and closes the pipes


@needs_cli
def test_classroom_refuses_a_folder_without_index_html():
    pass_dir = REPO / "tests" / "web"  # a folder without index.html
    done = subprocess.run([str(_demat_command()), "classroom", "--dir", str(pass_dir), "--port", "0",
                           "--stop-after", "1"], capture_output=True, text=True, timeout=20)
    assert done.returncode == 2
    assert "index.html is missing" in done.stderr


@needs_cli
def test_classroom_refuses_a_missing_folder_with_exit_2(tmp_path):
    done = subprocess.run([str(_demat_command()), "classroom", "--dir", str(tmp_path / "nowhere"), "--port", "0",
                           "--stop-after", "1"], capture_output=True, text=True, timeout=20)
    assert done.returncode == 2
    assert "is not a folder" in done.stderr
    # Without --dir, from a folder with no web/dist and a source tree without a built page.
    done = subprocess.run([str(_demat_command()), "classroom", "--port", "0", "--stop-after", "1"],
                          capture_output=True, text=True, timeout=20, cwd=tmp_path)
    if not (REPO / "web" / "dist" / "index.html").exists():
        assert done.returncode == 2
        assert "web/dist/index.html is missing" in done.stderr
    else:
        assert done.returncode == 0 and "http://127.0.0.1:" in done.stdout


@needs_cli
def test_classroom_with_a_page_exits_0_after_stop_after(tmp_path):
    (tmp_path / "index.html").write_text("x")
    done = subprocess.run([str(_demat_command()), "classroom", "--dir", str(tmp_path), "--port", "0",
                           "--stop-after", "0.5"], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0
    assert "http://127.0.0.1:" in done.stdout


@needs_cli
def test_trace_is_written_and_read_as_a_tidy_table(tmp_path):
    out = tmp_path / "t.h5"
    subprocess.run([str(_demat_command()), "run", str(REPO / "scenarios" / "online_only.toml"), "-o", str(out), "-q",
                    "--population", "2000", "--days", "120", "--seed", "5", "--trace", "3,14,15"], check=True)
    r = demat.load(out)
    t = r.trace()
    assert list(t.columns) == ["day", "citizen", "service", "event", "channel"]
    assert len(t) > 0
    assert set(t["citizen"]) <= {3, 14, 15}
    assert set(t["service"]) <= set(r.services)
    # Online only: nobody queues at a counter, a phone line or a mediation site.
    assert not (t["event"] == "queued").any()
    assert set(t.loc[t["event"] == "tried", "channel"]) <= {"online"}
    # In order: by day, then citizen.
    keys = list(zip(t["day"], t["citizen"]))
    assert keys == sorted(keys)
    assert t["day"].min() >= -int(r.attrs["warmup_days"])
    # Who got the right has a got_right event before (or on) the day they are first counted receiving.
    assert set(t["event"]) <= set(r.coordinate("trace/kind"))


@needs_cli
def test_trace_costs_nothing_to_the_results(tmp_path):
    """Tracing draws nothing: every other dataset is identical with and without it."""
    files = []
    for name, extra in (("plain", []), ("traced", ["--trace", "0,1,2,3,4,5,6,7,8,9"])):
        out = tmp_path / f"{name}.h5"
        subprocess.run([str(_demat_command()), "run", str(REPO / "scenarios" / "hybrid.toml"), "-o", str(out), "-q",
                        "--population", "2000", "--days", "60", "--seed", "9", "--threads", "2", *extra], check=True)
        files.append(demat.load(out))
    plain, traced = files
    assert "trace/day" not in plain and "trace/day" in traced
    assert [p for p in traced.array_paths if not p.startswith("trace/")] == plain.array_paths
    for path in plain.array_paths:
        np.testing.assert_array_equal(plain[path], traced[path], err_msg=path)


@needs_cli
def test_trace_refuses_an_unknown_citizen_with_exit_2(tmp_path):
    done = subprocess.run([str(_demat_command()), "run", str(REPO / "scenarios" / "hybrid.toml"), "-o",
                           str(tmp_path / "x.h5"), "-q", "--population", "1000", "--trace", "5,1000"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--trace: citizen 1000 is not in [0, 1000)" in done.stderr
