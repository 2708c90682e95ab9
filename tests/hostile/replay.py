#!/usr/bin/python3
"""Replays a corpus of hostile inputs against demat: the command line, the
results and checkpoint readers, full disks and the Python API.

The corpus is generated here, deterministically (fixed seeds), from the
shipped scenarios and from a small run, checkpoint and sweep written first:
mutated scenario files, command-line misuse, damaged results files (bytes
flipped, 4 KiB blocks zeroed, truncated, other HDF5 layouts), damaged
checkpoints, outputs on a full file system and misuse of the Python API.

For every case it asserts (docs/hardening.md):
- no signal (no crash) and no hang past 30 s;
- exit 0 or 2 only (1 is an internal error: none in the corpus);
- no input file modified;
- after a failure, no file at the output path and no temporary file left.
Python cases run in a worker process; they must return or raise one of the
documented exceptions, never kill the worker.

Usage: replay.py --demat build/bin/demat --pythonpath build/python [--scratch DIR] [--jobs 2]
Exit status 0 when every case passes; prints the counts per category.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CASE_TIMEOUT = 30.0
# Names a failed write may leave only if demat did not handle the failure.
TEMP_MARKERS = (".tmp-", ".demat-probe", ".demat-write-test", ".tmp")


@dataclass
class Case:
    category: str
    name: str
    args: list[str]
    inputs: list[Path] = field(default_factory=list)
    output: Path | None = None
    cwd: Path | None = None
    allowed: tuple[int, ...] = (0, 2)
    expect_text: str | None = None  # must appear in stderr when the exit is 2
    serial: bool = False  # depends on the case before it: run after the others, in order


@dataclass
class Outcome:
    case: Case
    code: int | None
    seconds: float
    problems: list[str]


def digest(path: Path) -> str | None:
    try:
        if path.is_dir():
            return "dir"
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def present(path: Path) -> bool:
    try:
        return os.path.lexists(path)
    except OSError:  # a name too long for the file system names nothing
        return False


def leftovers(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if any(m in p.name for m in TEMP_MARKERS))


def run_case(demat: str, case: Case, env: dict[str, str]) -> Outcome:
    before = {p: digest(p) for p in case.inputs}
    out_existed = case.output is not None and present(case.output)
    out_folder = case.output.parent if case.output is not None else None
    old_leftovers = leftovers(out_folder) if out_folder else []
    start = time.monotonic()
    problems: list[str] = []
    try:
        done = subprocess.run([demat, *case.args], cwd=case.cwd, env=env, capture_output=True, text=True,
                              errors="replace", timeout=CASE_TIMEOUT, stdin=subprocess.DEVNULL)
        code: int | None = done.returncode
        stderr = done.stderr
    except subprocess.TimeoutExpired:
        code, stderr = None, ""
        problems.append(f"hang: no exit within {CASE_TIMEOUT:.0f} s")
    seconds = time.monotonic() - start
    if code is not None and code < 0:
        problems.append(f"killed by signal {-code} ({signal.Signals(-code).name})")
    elif code is not None and code not in case.allowed:
        first = stderr.strip().splitlines()[:1]
        problems.append(f"exit {code} (allowed {case.allowed}): {first[0] if first else ''}")
    if code == 2 and case.expect_text and case.expect_text not in stderr:
        problems.append(f"stderr lacks {case.expect_text!r}: {stderr.strip()[:300]!r}")
    for p, h in before.items():
        if digest(p) != h:
            problems.append(f"input modified: {p}")
    if code not in (0, None) and case.output is not None and not out_existed:
        if present(case.output):
            problems.append(f"a file is at the output path after a failure: {case.output}")
    if code not in (0, None) and out_folder is not None:
        new = [n for n in leftovers(out_folder) if n not in old_leftovers]
        if new:
            problems.append(f"temporary files left: {new}")
    return Outcome(case, code, seconds, problems)


# ---------------------------------------------------------------------------- fixtures


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def prepare(demat: str, work: Path, env: dict[str, str]) -> dict[str, Path]:
    """A tiny scenario, a run file, a sweep file and a checkpoint to damage."""
    inputs = work / "inputs"
    shutil.copytree(REPO / "scenarios", inputs, ignore=shutil.ignore_patterns("*.md"))
    tiny = write(inputs / "tiny.toml", 'base = "hybrid.toml"\nname = "tiny"\ndays = 8\nwarmup_days = 4\n'
                 "seed = 5\n\n[population]\nsize = 300\n")
    timeline = write(inputs / "tiny_timeline.toml", 'base = "transition_online_only.toml"\nname = "tiny_timeline"\n'
                     "warmup_days = 4\nseed = 6\n\n[population]\nsize = 300\n")
    good = inputs / "good.h5"
    ckdir = work / "ck"
    subprocess.run([demat, "run", str(tiny), "-o", str(good), "-q", "--checkpoint-every", "5", "--checkpoint-dir",
                    str(ckdir)], check=True, env=env, timeout=120)
    checkpoint = inputs / "good.demat-checkpoint"
    shutil.copy(sorted(ckdir.glob("*.demat-checkpoint"))[0], checkpoint)
    sweep = inputs / "sweep.h5"
    subprocess.run([demat, "sweep", str(tiny), "--set", "channels.counter.enabled=true,false", "--replicates", "2",
                    "-q", "-o", str(sweep), "--jobs", "1"], check=True, env=env, timeout=120)
    return {"inputs": inputs, "tiny": tiny, "timeline": timeline, "good": good, "checkpoint": checkpoint,
            "sweep": sweep, "devices": private_devices(work)}


def private_devices(work: Path) -> list[Path]:
    """Device nodes of our own (null, full, zero) to give as outputs.

    Never the system's: a demat that failed to refuse them would, as root,
    replace /dev/null or /dev/full for every process of the machine (this
    happened once, replaying the corpus against an old build). Without root,
    a FIFO stands for "not a regular file"."""
    folder = work / "dev"
    folder.mkdir()
    made = []
    for name, minor in (("null", 3), ("full", 7), ("zero", 5)):
        try:
            os.mknod(folder / name, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
            made.append(folder / name)
        except OSError:
            pass
    if not made:
        os.mkfifo(folder / "fifo")
        made.append(folder / "fifo")
    return made


# ---------------------------------------------------------------------------- corpus

EXTREMES = ["-1", "0", "1", "-0.0", "1e308", "-1e308", "nan", "inf", "-inf", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "18446744073709551616", '"x"', "true", "[]", "{}",
            '"' + "a" * 5000 + '"', "0x7fffffffffffffff", "1979-05-27", "[1, [2, [3]]]", '"\\u0000"']


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    kind = rng.randrange(12)
    if kind == 0 and lines:  # drop a line
        del lines[rng.randrange(len(lines))]
    elif kind == 1 and lines:  # duplicate a line (a key twice, a table twice)
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind in (2, 3, 4):  # an extreme value for a key
        keyed = [i for i, line in enumerate(lines) if "=" in line and not line.lstrip().startswith("#")]
        if keyed:
            i = rng.choice(keyed)
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {rng.choice(EXTREMES)}"
    elif kind == 5:  # truncate anywhere
        return text[: rng.randrange(len(text) + 1)]
    elif kind == 6:  # random bytes in the middle
        at = rng.randrange(len(text) + 1)
        noise = "".join(chr(rng.randrange(1, 0x2FF)) for _ in range(rng.randrange(1, 40)))
        return text[:at] + noise + text[at:]
    elif kind == 7:  # an unknown or misspelt key
        lines.append(rng.choice(["dayz = 3", "[services.nope]\nkind = \"benefit\"", "[[timeline]]\nday = -1",
                                 "[[timeline]]\nday = 99999\nevent = \"close_channel\"",
                                 "[[timeline]]\nday = 0\nevent = \"nope\"", "base = \"/dev/zero\"",
                                 "base = \"tiny.toml\"", "base = \"\"", "base = \"missing.toml\"",
                                 "[" + ".".join(["a"] * 300) + "]\nx = 1", "population = 3"]))
    elif kind == 8:  # a deep inline value
        lines.append("deep = " + "[" * 2000 + "]" * 2000)
    elif kind == 9 and lines:  # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 10:  # days shortened under a timeline
        lines.insert(0, f"days = {rng.choice([1, 2, 30, 179, 180, 181])}")
    else:  # a flipped byte
        data = bytearray(text.encode())
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return data.decode("utf-8", errors="replace")
    return "\n".join(lines) + "\n"


def scenario_cases(demat: str, fx: dict[str, Path], work: Path, n: int) -> list[Case]:
    rng = random.Random(12)
    sources = sorted(fx["inputs"].glob("*.toml"))
    folder = fx["inputs"]  # beside the shipped files, so that `base` resolves
    cases = []
    for i in range(n):
        src = sources[i % len(sources)]
        text = src.read_text()
        for _ in range(rng.randrange(1, 4)):
            text = mutate(text, rng)
        path = folder / f"mut_{i:04d}.toml"
        path.write_bytes(text.encode("utf-8", errors="replace"))
        inputs = [path, *sources]
        cases.append(Case("scenario", f"validate {path.name} (from {src.name})", ["validate", "-q", str(path)], inputs))
    return cases


def cli_cases(demat: str, fx: dict[str, Path], work: Path) -> list[Case]:
    tiny, good, ck = fx["tiny"], fx["good"], fx["checkpoint"]
    base = fx["inputs"] / "hybrid.toml"
    out = work / "cli"
    cases: list[Case] = []
    counter = [0]

    def fresh() -> Path:
        counter[0] += 1
        folder = out / f"c{counter[0]:04d}"
        folder.mkdir(parents=True)
        return folder

    def add(name, args, output=None, inputs=(), allowed=(0, 2), expect=None, cwd=None, serial=False):
        cases.append(Case("cli", name, [str(a) for a in args], [tiny, base, good, ck, *inputs], output, cwd,
                          allowed, expect, serial))

    # Outputs that are inputs, devices, folders or nothing.
    link = fresh() / "link.toml"
    link.symlink_to(tiny)
    hard = link.parent / "hard.toml"
    os.link(tiny, hard)
    rel = os.path.relpath(tiny, REPO)
    for spelling in (tiny, link, hard, Path("./" + rel)):
        add(f"run -o {spelling}", ["run", tiny, "-q", "-o", spelling], None, (hard,), (2,), "overwrite an input",
            cwd=REPO)
    add("run -o base", ["run", tiny, "-q", "-o", base], None, (), (2,), "overwrite an input")
    add("sweep -o scenario", ["sweep", tiny, "-q", "-o", tiny], None, (), (2,), "overwrite an input")
    add("resume X -o X", ["resume", ck, "-q", "-o", ck], None, (), (2,), "overwrite an input")
    for device in fx["devices"]:
        add(f"run -o {device}", ["run", tiny, "-q", "-o", device], None, (), (2,), "not a regular file")
        add(f"sweep -o {device}", ["sweep", tiny, "-q", "-o", device], None, (), (2,), "not a regular file")
        add(f"resume -o {device}", ["resume", ck, "-q", "-o", device], None, (), (2,), "not a regular file")
    folder = fresh()
    add("run -o a folder", ["run", tiny, "-q", "-o", folder], None, (), (2,))
    add("run -o ''", ["run", tiny, "-q", "-o", ""], None, (), (2,), "empty")
    add("resume -o ''", ["resume", ck, "-q", "-o", ""], None, (), (2,))
    add("sweep -o ''", ["sweep", tiny, "-q", "-o", ""], None, (), (2,))
    f = fresh()
    add("run -o o.h5 --checkpoint-dir o.h5", ["run", tiny, "-q", "-o", f / "o.h5", "--checkpoint-every", "2",
                                              "--checkpoint-dir", f / "o.h5"], f / "o.h5", (), (2,))
    f = fresh()
    add("run 245-byte output name", ["run", tiny, "-q", "-o", f / ("x" * 242 + ".h5")], f / ("x" * 242 + ".h5"),
        (), (0,))
    f = fresh()
    add("run 256-byte output name", ["run", tiny, "-q", "-o", f / ("x" * 253 + ".h5")], f / ("x" * 253 + ".h5"),
        (), (2,))
    add("run into a missing folder", ["run", tiny, "-q", "-o", work / "nowhere" / "x.h5"], work / "nowhere" / "x.h5",
        (), (2,))
    # A file named `results` in the working directory, with the default output.
    f = fresh()
    (f / "results").write_text("in the way\n")
    add("run: default output under a file", ["run", tiny, "-q"], None, (f / "results",), (2,), "results", cwd=f)
    # Numbers as typed.
    for opt, values in {"--seed": ["-1", "18446744073709551616", "18446744073709551615", "abc", "", "1e3", "0x10",
                                   "9223372036854775808", " 5"],
                        "--population": ["9223372036854775808", "-5", "0", "99", "1e6", "abc", "100000001"],
                        "--days": ["0", "-1", "36501", "1.5", "x", "99999999999999999999"],
                        "--threads": ["-1", "1025", "abc", "99999999999999999999"]}.items():
        for v in values:
            f = fresh()
            add(f"run {opt} {v!r}", ["run", tiny, "-q", "-o", f / "o.h5", opt, v], f / "o.h5", (), (2,))
            if opt != "--threads":
                f = fresh()
                add(f"sweep {opt} {v!r}", ["sweep", tiny, "-q", "-o", f / "o.h5", opt, v], f / "o.h5", (), (2,))
    for v in ("1", "4", "2"):
        f = fresh()
        add(f"run --seed {v}", ["run", tiny, "-q", "-o", f / "o.h5", "--seed", v], f / "o.h5", (), (0,))
    # --days under the timeline (item 7): refused, never a file that resume or validate refuse.
    for d in ("1", "30", "180", "181", "200"):
        f = fresh()
        add(f"run timeline --days {d}", ["run", fx["timeline"], "-q", "-o", f / "o.h5", "--days", d,
                                         "--checkpoint-every", "100", "--checkpoint-dir", f / "ck"], f / "o.h5",
            (fx["timeline"],))
        f = fresh()
        add(f"sweep timeline --days {d}", ["sweep", fx["timeline"], "-q", "-o", f / "o.h5", "--days", d],
            f / "o.h5", (fx["timeline"],))
    # Subcommands and options that do not exist, missing arguments.
    for args in (["frob"], [], ["run"], ["resume"], ["compare"], ["compare", good], ["validate"], ["sweep"],
                 ["run", "--bogus", tiny], ["params", "--bogus"], ["--version"], ["--help"], ["run", "--help"],
                 ["compare", "--help"], ["sweep", "--help"], ["resume", "--help"], ["validate", "--help"],
                 ["params"], ["params", "--markdown"], ["--verbose", "frob"], ["sweep", tiny, "--set", "days"],
                 ["sweep", tiny, "--set", "=1"], ["sweep", tiny, "--set", "days="], ["sweep", tiny, "--set", "nokey=1"],
                 ["sweep", tiny, "--replicates", "0"], ["sweep", tiny, "--replicates", "-3"],
                 ["sweep", tiny, "--jobs", "-1"], ["run", tiny, "--checkpoint-every", "5"],
                 ["run", tiny, "--checkpoint-dir", "x"], ["run", tiny, "--checkpoint-every", "0", "--checkpoint-dir", "x"],
                 ["compare", good, good, "--window", "0"], ["compare", good, good, "--window", "-5"],
                 ["compare", good, good, "--window", "abc"], ["run", "/dev/zero"], ["run", "/dev/stdin"],
                 ["validate", "/dev/zero"], ["validate", "/"], ["validate", "/nonexistent.toml"], ["run", "/"],
                 ["compare", "/", good], ["compare", good, "/dev/zero"], ["compare", good, "/nonexistent.h5"],
                 ["compare", tiny, good], ["compare", ck, good], ["resume", tiny, "-o", "x.h5"],
                 ["resume", good, "-o", "x.h5"], ["resume", "/dev/zero", "-o", "x.h5"], ["resume", "/", "-o", "x.h5"]):
        f = fresh()
        add("demat " + " ".join(str(a) for a in args)[:80], args, None, (), (0, 2), cwd=f)
    # Working folder that cannot be written (default output needs results/).
    f = fresh()
    ro = f / "ro"
    ro.mkdir()
    add("run with the default output in a read-only folder", ["run", tiny, "-q"], None, (), (0, 2), cwd=ro)
    # Checkpoint folders shared by two runs (item 6).
    f = fresh()
    add("checkpoints: first run", ["run", tiny, "-q", "-o", f / "a.h5", "--checkpoint-every", "3",
                                   "--checkpoint-dir", f / "ck"], f / "a.h5", (), (0,), serial=True)
    add("checkpoints: another seed into the same folder", ["run", tiny, "-q", "-o", f / "b.h5", "--seed", "99",
                                                           "--checkpoint-every", "3", "--checkpoint-dir", f / "ck"],
        f / "b.h5", (), (2,), "holds the checkpoints of another run", serial=True)
    return cases


def damage(data: bytes, rng: random.Random, kind: int) -> bytes:
    b = bytearray(data)
    if kind == 0:  # a few bytes flipped anywhere
        for _ in range(rng.randrange(1, 8)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == 1:  # a byte flipped in the first 4 KiB (superblock, root group, metadata)
        b[rng.randrange(min(4096, len(b)))] ^= 1 << rng.randrange(8)
    elif kind == 2:  # a 4 KiB block zeroed
        at = rng.randrange(0, max(1, len(b) // 4096)) * 4096
        b[at:at + 4096] = bytes(len(b[at:at + 4096]))
    elif kind == 3:  # truncated
        return bytes(b[: rng.randrange(len(b))])
    elif kind == 4:  # random run of bytes
        at = rng.randrange(len(b))
        n = rng.randrange(1, 64)
        b[at:at + n] = bytes(rng.randrange(256) for _ in range(len(b[at:at + n])))
    else:  # garbage appended
        b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5000)))
    return bytes(b)


def layout_files(folder: Path, good: Path) -> list[Path]:
    """Well-formed HDF5 files of other layouts (h5py), and counts that do not add up."""
    import h5py
    import numpy as np

    made = []

    def new(name):
        made.append(folder / name)
        return folder / name

    h5py.File(new("empty.h5"), "w").close()
    with h5py.File(new("counts_group.h5"), "w") as f:
        f.create_group("counts")
    with h5py.File(new("counts_rank1.h5"), "w") as f:
        f["counts"] = np.arange(7)
    with h5py.File(new("counts_strings.h5"), "w") as f:
        f["counts"] = np.array([b"a", b"b"])
    with h5py.File(new("counts_float.h5"), "w") as f:
        f["counts"] = np.zeros((3, 2, 7))
    for drop in ("metrics", "segments", "service", "segments/capital_quintile/counts", "metrics/unclaimed_euros",
                 "day", "state"):
        path = new(f"without_{drop.replace('/', '_')}.h5")
        shutil.copy(good, path)
        with h5py.File(path, "a") as f:
            del f[drop]
    for label, change in (("negative", lambda c: c.__setitem__((0, 0, 0), -5)),
                          ("identity", lambda c: c.__setitem__((0, 0, 1), c[0, 0, 1] + 1)),
                          ("huge", lambda c: c.__setitem__((0, 0, 2), 2**62))):
        for target in ("counts", "segments/capital_quintile/counts"):
            path = new(f"{label}_{target.replace('/', '_')}.h5")
            shutil.copy(good, path)
            with h5py.File(path, "a") as f:
                data = f[target][...]
                view = data if data.ndim == 3 else data[:, :, 0, :]
                change(view)
                f[target][...] = data
    path = new("service_mismatch.h5")
    shutil.copy(good, path)
    with h5py.File(path, "a") as f:
        del f["metrics/unclaimed_euros"]
        f["metrics/unclaimed_euros"] = np.zeros((1, 1))
    (folder / "text.h5").write_text("not hdf5 at all\n")
    made.append(folder / "text.h5")
    (folder / "zero.h5").write_bytes(b"")
    made.append(folder / "zero.h5")
    (folder / "signature_only.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(600))
    made.append(folder / "signature_only.h5")
    return made


def results_cases(demat: str, fx: dict[str, Path], work: Path, n: int) -> tuple[list[Case], list[Path]]:
    rng = random.Random(34)
    folder = work / "damaged_results"
    folder.mkdir()
    files = []
    for source in (fx["good"], fx["sweep"]):
        data = source.read_bytes()
        for i in range(n // 2):
            path = folder / f"{source.stem}_{i:04d}.h5"
            path.write_bytes(damage(data, rng, i % 6))
            files.append(path)
    files += layout_files(folder, fx["good"])
    cases = [Case("results", f"compare {p.name}", ["compare", str(fx["good"]), str(p)], [p, fx["good"]])
             for p in files]
    return cases, files


def checkpoint_cases(demat: str, fx: dict[str, Path], work: Path, n: int) -> list[Case]:
    rng = random.Random(56)
    folder = work / "damaged_checkpoints"
    folder.mkdir()
    data = fx["checkpoint"].read_bytes()
    cases = []
    for i in range(n):
        path = folder / f"ck_{i:04d}.demat-checkpoint"
        path.write_bytes(damage(data, rng, i % 6))
        out = folder / f"out_{i:04d}" / "resumed.h5"
        out.parent.mkdir()
        cases.append(Case("checkpoint", f"resume {path.name}", ["resume", str(path), "-q", "-o", str(out)],
                          [path], out))
    return cases


def disk_cases(demat: str, fx: dict[str, Path], work: Path) -> tuple[list[Case], Path | None]:
    """Outputs on an almost full file system (a 2 MiB tmpfs; needs root, skipped otherwise)."""
    mount = work / "full"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True).returncode:
        return [], None
    filler = mount / "filler"
    with open(filler, "wb") as f:
        try:
            f.write(bytes(2 * 1024 * 1024 - 8 * 1024))
        except OSError:
            pass
    cases = []
    tiny = fx["tiny"]
    # One folder per case: the cases run two at a time, and one's temporary
    # file must not be taken for another's leftover.
    for name in ("o", "s", "r", "snap"):
        (mount / name).mkdir()
    cases.append(Case("disk", "run -o on a full disk", ["run", str(tiny), "-q", "-o", str(mount / "o" / "o.h5")],
                      [tiny], mount / "o" / "o.h5", None, (2,), "no space left on device writing"))
    cases.append(Case("disk", "sweep -o on a full disk", ["sweep", str(tiny), "-q", "-o", str(mount / "s" / "s.h5")],
                      [tiny], mount / "s" / "s.h5", None, (2,), "no space left on device writing"))
    cases.append(Case("disk", "resume -o on a full disk", ["resume", str(fx["checkpoint"]), "-q", "-o",
                                                           str(mount / "r" / "r.h5")],
                      [fx["checkpoint"]], mount / "r" / "r.h5", None, (2,), "no space left on device writing"))
    cases.append(Case("disk", "checkpoints on a full disk",
                      ["run", str(tiny), "-q", "-o", str(work / "disk_ok.h5"), "--checkpoint-every", "2",
                       "--checkpoint-dir", str(mount / "ck")],
                      [tiny], work / "disk_ok.h5", None, (2,), "no space left on device writing"))
    cases.append(Case("disk", "run --snapshot on a full disk",
                      ["run", str(tiny), "-q", "--snapshot", "-o", str(mount / "snap" / "snap.h5")],
                      [tiny], mount / "snap" / "snap.h5", None, (2,), "no space left on device writing"))
    return cases, mount


# ---------------------------------------------------------------------------- Python

PY_WORKER = r'''
import json, os, sys, threading, traceback
sys.path.insert(0, sys.argv[1])
import demat
ALLOWED = (ValueError, TypeError, RuntimeError, OSError, KeyError, IndexError)
cases = json.load(open(sys.argv[2]))
start = int(sys.argv[3])
for i in range(start, len(cases)):
    print("START", i, flush=True)
    try:
        exec(cases[i]["code"], {"demat": demat, "threading": threading, "os": os, "W": sys.argv[4]})
        print("OK", i, flush=True)
    except ALLOWED as e:
        print("RAISED", i, type(e).__name__, str(e).splitlines()[0][:200] if str(e) else "", flush=True)
    except BaseException as e:
        print("BAD", i, type(e).__name__, repr(e)[:300], flush=True)
'''


def python_snippets(fx: dict[str, Path], damaged: list[Path]) -> list[dict[str, str]]:
    tiny, good, ck = (str(fx["tiny"]), str(fx["good"]), str(fx["checkpoint"]))
    s = []

    def add(name, code, must_raise=None):
        s.append({"name": name, "code": code, "must_raise": must_raise})

    add("self-referencing dict", "d={}; d['a']=d; demat.Scenario.from_dict({'population': d})", "ScenarioError")
    add("self-referencing list", "l=[]; l.append(l); demat.Scenario.from_dict({'x': l})", "ScenarioError")
    add("30,000-deep dict", "d={}\nc=d\nfor _ in range(30000):\n    c['a']={}; c=c['a']\n"
        "demat.Scenario.from_dict({'population': d})", "ScenarioError")
    add("30,000-deep list", "l=[]\nc=l\nfor _ in range(30000):\n    n=[]; c.append(n); c=n\n"
        "demat.Scenario.from_dict({'x': l})", "ScenarioError")
    add("days 10**30", "demat.Scenario.from_dict({'days': 10**30})", "ScenarioError")
    add("days -10**30", "demat.Scenario.from_dict({'days': -10**30})", "ScenarioError")
    add("days None", "demat.Scenario.from_dict({'days': None})", "ScenarioError")
    add("days object", "demat.Scenario.from_dict({'days': object()})", "ScenarioError")
    add("key int", "demat.Scenario.from_dict({1: 2})", "ScenarioError")
    add("from_dict list", "demat.Scenario.from_dict([1])", "TypeError")
    for value in ("None", "10**30", "-10**30", "[1]", "{}", "object()", "b'x'", "float('nan')", "1j"):
        add(f"with_changes days={value}",
            f"demat.Scenario.load({tiny!r}).with_changes({{'days': {value}}})", "ScenarioError")
    add("with_changes not a mapping", f"demat.Scenario.load({tiny!r}).with_changes([1])", "TypeError")
    for seed in ("2**64", "-1", "2**63", "1.5", "'x'", "True"):
        add(f"seed={seed}", f"demat.Simulation(demat.Scenario.load({tiny!r}), seed={seed})", "ValueError")
        add(f"with_seed({seed})", f"demat.Scenario.load({tiny!r}).with_seed({seed})", None)
    for threads in ("-1", "10**30", "'x'", "2000"):
        add(f"threads={threads}", f"demat.Simulation(demat.Scenario.load({tiny!r}), threads={threads})", "ValueError")
    for progress in ("'yes'", "1", "[]", "2.5"):
        add(f"run(progress={progress})", f"demat.Simulation(demat.Scenario.load({tiny!r}), threads=1)"
            f".run(progress={progress})", "TypeError")
    add("stop not callable", f"demat.Simulation(demat.Scenario.load({tiny!r}), threads=1)._core.run(False, 3)",
        "TypeError")
    add("two threads save_checkpoint on a fresh Simulation",
        f"sim = demat.Simulation(demat.Scenario.load({tiny!r}), threads=1)\nerrors = []\n"
        "def save(i):\n    try:\n        sim.save_checkpoint(os.path.join(W, f'race{i}.ck'))\n"
        "    except RuntimeError as e:\n        errors.append(str(e))\n"
        "ts = [threading.Thread(target=save, args=(i,)) for i in range(4)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "assert all('simulation is busy' in e for e in errors), errors")
    add("save_checkpoint racing run()",
        f"sim = demat.Simulation(demat.Scenario.load({tiny!r}).with_changes({{'days': 60}}), threads=1)\n"
        "errors = []\n"
        "def go(f):\n    try:\n        f()\n    except RuntimeError as e:\n        errors.append(str(e))\n"
        "ts = [threading.Thread(target=go, args=(sim.run,))] + "
        "[threading.Thread(target=go, args=(lambda: sim.save_checkpoint(os.path.join(W, 'r.ck')),)) for _ in range(3)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "assert all('busy' in e or 'complete' in e or 'running' in e for e in errors), errors")
    add("two threads run()",
        f"sim = demat.Simulation(demat.Scenario.load({tiny!r}), threads=1)\n"
        "ts = [threading.Thread(target=lambda: (lambda: None)() if False else None) for _ in range(1)]\n"
        "import concurrent.futures as cf\n"
        "def go():\n    try:\n        sim.run()\n    except RuntimeError as e:\n        assert 'busy' in str(e), e\n"
        "with cf.ThreadPoolExecutor(3) as ex:\n    list(ex.map(lambda _: go(), range(3)))\n"
        "assert sim.completed")
    add("load a directory", f"demat.load({str(fx['inputs'])!r})", "ResultsError")
    add("load a scenario", f"demat.load({tiny!r})", "ResultsError")
    add("load a checkpoint", f"demat.load({ck!r})", "ResultsError")
    device = str(fx["devices"][0])
    add("load a device", f"demat.load({device!r})", "ResultsError")
    add("load missing", "demat.load('/nonexistent.h5')", "FileNotFoundError")
    for node in fx["devices"]:
        add(f"save to a device ({node.name})", f"demat.load({good!r}).save({str(node)!r})", None)
    add("save to a folder", f"demat.load({good!r}).save(W)", None)
    add("save to ''", f"demat.load({good!r}).save('')", None)
    add("resume a results file", f"demat.Simulation.resume({good!r})", "CheckpointError")
    add("resume a folder", f"demat.Simulation.resume(W)", "CheckpointError")
    add("resume /dev/zero", "demat.Simulation.resume('/dev/zero')", "CheckpointError")
    add("results before run", f"demat.Simulation(demat.Scenario.load({tiny!r}), threads=1).results", "SimulationError")
    add("parse garbage", "demat.Scenario.from_toml('\\x00\\xff[[[')", "ScenarioError")
    add("parse deep", "demat.Scenario.from_toml('x = ' + '[' * 100000)", "ScenarioError")
    for p in damaged[::4]:
        add(f"load {Path(p).name}", f"demat.load({str(p)!r})", None)
    return s


def run_python(pythonpath: str, snippets: list[dict[str, str]], work: Path) -> list[Outcome]:
    spec = work / "py_cases.json"
    spec.write_text(json.dumps(snippets))
    script = work / "py_worker.py"
    script.write_text(PY_WORKER)
    scratch = work / "py_scratch"
    scratch.mkdir()
    outcomes: list[Outcome] = []
    start = 0
    env = {**os.environ, "DEMAT_READ_TIMEOUT": "4"}
    while start < len(snippets):
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(script), pythonpath, str(spec), str(start), str(scratch)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        current, began = None, time.monotonic()
        deadline_hit = False
        lines: list[str] = []
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        buf = ""
        while True:
            if time.monotonic() - began > CASE_TIMEOUT:
                proc.kill()
                deadline_hit = True
                break
            if not sel.select(timeout=0.5):
                if proc.poll() is not None:
                    rest = proc.stdout.read()
                    buf += rest or ""
                    break
                continue
            chunk = proc.stdout.readline()
            if not chunk:
                proc.wait()
                break
            words = chunk.split(" ", 3)
            if words[0] == "START":
                current, began = int(words[1]), time.monotonic()
            elif words[0] in ("OK", "RAISED", "BAD"):
                i = int(words[1])
                kind = words[2].strip() if words[0] != "OK" else ""
                snippet = snippets[i]
                problems = []
                if words[0] == "BAD":
                    problems.append(f"unexpected exception: {chunk.strip()}")
                want = snippet["must_raise"]
                if want and kind != want and not (want == "ScenarioError" and kind == "ScenarioError"):
                    problems.append(f"expected {want}, got {words[0]} {kind} {chunk.strip()[:200]}")
                outcomes.append(Outcome(Case("python", snippet["name"], []), 0 if words[0] == "OK" else 2,
                                        time.monotonic() - began, problems))
                current = None
        proc.wait()
        sel.close()
        if current is None:
            break
        why = f"hang past {CASE_TIMEOUT:.0f} s" if deadline_hit else f"worker died (exit {proc.returncode})"
        err = (proc.stderr.read() or "").strip().splitlines()[-1:] if proc.stderr else []
        outcomes.append(Outcome(Case("python", snippets[current]["name"], []), proc.returncode,
                                time.monotonic() - began, [why + (": " + err[0] if err else "")]))
        start = current + 1
        del t0
    return outcomes


# ---------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demat", default=str(REPO / "build" / "bin" / "demat"))
    parser.add_argument("--pythonpath", default=str(REPO / "build" / "python"))
    parser.add_argument("--scratch", help="work folder (default: a new temporary folder, removed at the end)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scenarios", type=int, default=520, help="mutated scenario files")
    parser.add_argument("--results", type=int, default=300, help="damaged results files")
    parser.add_argument("--checkpoints", type=int, default=120, help="damaged checkpoints")
    args = parser.parse_args()

    t_start = time.monotonic()
    scratch = Path(args.scratch) if args.scratch else Path(tempfile.mkdtemp(prefix="demat-hostile-"))
    if scratch.exists() and args.scratch:
        if (scratch / "full").is_dir():  # a replay killed before its clean-up
            subprocess.run(["umount", str(scratch / "full")], capture_output=True)
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    # 4 s instead of the reader's default 10 s: the bound itself is what is
    # checked, and a dozen damaged files make libhdf5 loop until killed.
    env = {**os.environ, "PATH": "/usr/bin:/bin", "DEMAT_READ_TIMEOUT": "4"}
    mount = None
    try:
        fx = prepare(args.demat, scratch, env)
        cases = scenario_cases(args.demat, fx, scratch, args.scenarios)
        cases += cli_cases(args.demat, fx, scratch)
        res_cases, damaged = results_cases(args.demat, fx, scratch, args.results)
        cases += res_cases
        cases += checkpoint_cases(args.demat, fx, scratch, args.checkpoints)
        disk, mount = disk_cases(args.demat, fx, scratch)
        cases += disk
        outcomes: list[Outcome] = []
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            outcomes += list(pool.map(lambda c: run_case(args.demat, c, env), [c for c in cases if not c.serial]))
        outcomes += [run_case(args.demat, c, env) for c in cases if c.serial]
        if (Path(args.pythonpath) / "demat").is_dir():
            outcomes += run_python(args.pythonpath, python_snippets(fx, damaged), scratch)
        else:
            print(f"note: no demat package in {args.pythonpath}: the Python cases were not run")
    finally:
        if mount is not None:
            subprocess.run(["umount", str(mount)], capture_output=True)
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    categories: dict[str, dict[str, float]] = {}
    failures = [o for o in outcomes if o.problems]
    for o in outcomes:
        c = categories.setdefault(o.case.category, {"cases": 0, "exit 0": 0, "exit 2": 0, "failed": 0, "seconds": 0.0,
                                                    "slowest": 0.0})
        c["cases"] += 1
        c["exit 0"] += o.code == 0
        c["exit 2"] += o.code == 2
        c["failed"] += bool(o.problems)
        c["seconds"] += o.seconds
        c["slowest"] = max(c["slowest"], o.seconds)
    for o in failures[:60]:
        print(f"FAIL [{o.case.category}] {o.case.name}: {'; '.join(o.problems)}")
        if o.case.args:
            print("     demat " + " ".join(o.case.args)[:300])
    print(f"{'category':<12}{'cases':>7}{'exit 0':>8}{'exit 2':>8}{'failed':>8}{'case-s':>9}{'slowest':>9}")
    for name, c in categories.items():
        print(f"{name:<12}{c['cases']:>7}{c['exit 0']:>8}{c['exit 2']:>8}{c['failed']:>8}{c['seconds']:>9.1f}"
              f"{c['slowest']:>9.1f}")
    total = len(outcomes)
    print(f"{'total':<12}{total:>7}{'':>24}{len(failures):>8}   wall {time.monotonic() - t_start:.0f} s")
    if mount is None:
        print("note: the full-disk cases need root (a tmpfs mount) and were not run")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
