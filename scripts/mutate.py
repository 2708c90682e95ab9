#!/usr/bin/python3
"""Mutation testing of the engine: does the fast test suite catch small,
plausible bugs?

Each mutation of the catalogue (tests/mutation/catalogue.toml) is a pattern
edit of one file of sim/: a text that must occur exactly once, and what it
becomes. The harness copies the repository to a scratch folder, builds it
once (Release, without the Python module) and checks that the fast suite
passes there; then, one mutation at a time, it applies the edit to the
scratch copy, rebuilds incrementally and runs the fast suite (CTest without
the labels slow, mutation and suite), stopping at the first failure. A
mutant is

  killed      a test failed (or the build failed: reported apart),
  timed out   the suite ran past its time limit (a hang is caught too),
  survived    every test passed: a bug the suite cannot see,
  equivalent  listed in the catalogue with the reason it cannot change any
              output: not run, and left out of the score.

score = (killed + timed out) / (mutants run, equivalents excluded).

Usage:
  scripts/mutate.py [--scratch DIR] [--only ID ...] [--report FILE]
  scripts/mutate.py --check     # every mutation applies to the current tree

The report (markdown) lists every mutant with its outcome, the failing test
that killed it, and the time taken; docs/testing.md keeps the last one.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "tests" / "mutation" / "catalogue.toml"
FAST_EXCLUDE = "slow|mutation|suite|hostile"
# The engine's tests: every mutation is in the engine (sim/core), and these
# labels are the suites that exercise it (the others test the reader, the
# HDF5 files, the command line and Python around it). A mutant only a
# command-line test would catch counts as survived: the score errs low.
ENGINE_LABELS = "core|model|checkpoint"
ENGINE_TARGETS = ["test_core", "test_model", "test_checkpoint"]


class CatalogueError(Exception):
    pass


def load_catalogue(path=CATALOGUE):
    with open(path, "rb") as f:
        data = tomllib.load(f)
    mutations = data.get("mutation", [])
    seen = set()
    for m in mutations:
        for key in ("id", "file", "find", "replace", "what"):
            if key not in m:
                raise CatalogueError(f"{path}: mutation {m.get('id', '?')} has no '{key}'")
        if m["id"] in seen:
            raise CatalogueError(f"{path}: mutation id {m['id']} appears twice")
        if m["find"] == m["replace"]:
            raise CatalogueError(f"{path}: mutation {m['id']} changes nothing")
        seen.add(m["id"])
    return mutations


def apply(text, m):
    """The mutated text; the pattern must occur exactly once."""
    n = text.count(m["find"])
    if n != 1:
        raise CatalogueError(f"mutation {m['id']}: the text to find occurs {n} times in {m['file']} "
                             f"(exactly once expected): {m['find']!r}")
    return text.replace(m["find"], m["replace"])


def check(mutations, root=ROOT):
    problems = []
    for m in mutations:
        path = root / m["file"]
        if not path.is_file():
            problems.append(f"mutation {m['id']}: no file {m['file']}")
            continue
        try:
            apply(path.read_text(), m)
        except CatalogueError as e:
            problems.append(str(e))
    return problems


_running = []  # the child process group under way, killed with the harness


def _stop(signum, frame):
    for p in _running:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    sys.exit(128 + signum)


def run(cmd, cwd, timeout, log):
    """Exit status of cmd, or None if it ran past `timeout` seconds."""
    with open(log, "w") as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        _running.append(p)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None
        finally:
            _running.remove(p)


def first_failure(log):
    """The first failing test named in CTest's closing list."""
    lines = Path(log).read_text(errors="replace").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("The following tests FAILED"):
            for entry in lines[i + 1:]:
                if " - " in entry:
                    return entry.split(" - ", 1)[1].strip()
    return ""


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only check that every mutation applies")
    ap.add_argument("--scratch", default=str(ROOT / "build-mutation"), help="scratch folder (copy and build)")
    ap.add_argument("--only", nargs="*", default=None, help="mutation ids to run")
    ap.add_argument("--report", default=None, help="markdown report (default SCRATCH/report.md)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--suite-timeout", type=int, default=600, help="seconds for one run of the fast suite")
    ap.add_argument("--test-timeout", type=int, default=180, help="seconds for one test")
    ap.add_argument("--min-score", type=float, default=0.9, help="fail below this score (default 0.9)")
    ap.add_argument("--whole-suite", action="store_true",
                    help="run the whole fast suite for each mutant, not only the engine's labels (%s)" % ENGINE_LABELS)
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    try:
        mutations = load_catalogue()
    except (CatalogueError, tomllib.TOMLDecodeError) as e:
        print(f"mutate: {e}", file=sys.stderr)
        return 2
    problems = check(mutations)
    if problems:
        for p in problems:
            print("mutate:", p, file=sys.stderr)
        return 1
    files = sorted({m["file"] for m in mutations})
    equivalent = [m for m in mutations if m.get("equivalent")]
    print(f"mutate: {len(mutations)} mutations over {len(files)} files of sim/, "
          f"{len(equivalent)} known equivalent; every one applies to the current tree")
    if args.check:
        uncovered = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sim" / "core").glob("*.cpp")
                           if str(p.relative_to(ROOT)) not in files)
        if uncovered:
            print("mutate: files of sim/core without a mutation:", ", ".join(uncovered))
        return 0

    selected = [m for m in mutations if not m.get("equivalent")]
    if args.only is not None:
        unknown = set(args.only) - {m["id"] for m in mutations}
        if unknown:
            print(f"mutate: unknown mutation ids: {sorted(unknown)}", file=sys.stderr)
            return 2
        selected = [m for m in selected if m["id"] in args.only]
    # Mutations of one file one after the other: restoring the previous
    # mutant's file and mutating the next recompiles one unit, not two.
    selected.sort(key=lambda m: (m["file"], m["id"]))

    scratch = Path(args.scratch).resolve()
    src, build, logs = scratch / "src", scratch / "build", scratch / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    tracked = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, tracked):
        s, d = ROOT / rel, src / rel
        if not s.is_file():
            continue
        d.parent.mkdir(parents=True, exist_ok=True)
        if not d.exists() or d.read_bytes() != s.read_bytes():
            shutil.copyfile(s, d)  # a new mtime: the build must see the change (copy2 would keep the old one)
    started = time.monotonic()
    # The commit the copy was taken from (the tree may move on while the run lasts).
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    print(f"mutate: scratch copy in {src}; configuring and building the unmutated tree")
    if run(["cmake", "-S", str(src), "-B", str(build), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            "-DDEMAT_BUILD_PYTHON=OFF", "-DPython3_EXECUTABLE=/usr/bin/python3"],
           src, 600, logs / "configure.log") != 0:
        print(f"mutate: configure failed, see {logs / 'configure.log'}", file=sys.stderr)
        return 1
    build_cmd = ["cmake", "--build", str(build), "--parallel", str(args.jobs)]
    test_cmd = ["ctest", "--test-dir", str(build), "-LE", FAST_EXCLUDE, "--parallel", str(args.jobs),
                "--timeout", str(args.test_timeout), "--stop-on-failure", "--output-on-failure"]
    if not args.whole_suite:
        build_cmd += ["--target", *ENGINE_TARGETS]
        test_cmd += ["-L", ENGINE_LABELS]
    if run(build_cmd, src, 3600, logs / "build.log") != 0:
        print(f"mutate: the unmutated tree does not build, see {logs / 'build.log'}", file=sys.stderr)
        return 1
    if run(test_cmd, src, args.suite_timeout, logs / "baseline.log") != 0:
        print(f"mutate: the fast suite fails on the unmutated tree, see {logs / 'baseline.log'}", file=sys.stderr)
        return 1
    print(f"mutate: baseline built and green in {time.monotonic() - started:.0f} s")

    results = []
    originals = {}
    for i, m in enumerate(selected, 1):
        path = src / m["file"]
        for f, text in originals.items():
            if f != m["file"]:
                (src / f).write_text(text)
        originals = {f: t for f, t in originals.items() if f == m["file"]}
        original = originals.setdefault(m["file"], (ROOT / m["file"]).read_text())
        path.write_text(apply(original, m))
        t0 = time.monotonic()
        status = run(build_cmd, src, 1200, logs / f"{m['id']}.build.log")
        if status != 0:
            outcome, detail = "build failed", "the mutant does not compile"
        else:
            status = run(test_cmd, src, args.suite_timeout, logs / f"{m['id']}.test.log")
            if status is None:
                outcome, detail = "timed out", f"suite past {args.suite_timeout} s"
            elif status != 0:
                outcome, detail = "killed", first_failure(logs / f"{m['id']}.test.log")
            else:
                outcome, detail = "survived", ""
        seconds = time.monotonic() - t0
        results.append({"id": m["id"], "file": m["file"], "what": m["what"], "outcome": outcome,
                        "detail": detail, "seconds": round(seconds, 1)})
        print(f"mutate: [{i}/{len(selected)}] {m['id']}: {outcome} ({seconds:.0f} s) {detail}", flush=True)
        (scratch / "results.json").write_text(json.dumps({"partial": True, "results": results}, indent=1))
    for f, text in originals.items():
        (src / f).write_text(text)

    counts = {k: sum(1 for r in results if r["outcome"] == k)
              for k in ("killed", "timed out", "survived", "build failed")}
    scored = counts["killed"] + counts["timed out"] + counts["survived"]
    score = (counts["killed"] + counts["timed out"]) / scored if scored else float("nan")
    total_seconds = time.monotonic() - started
    suite = "the whole fast suite" if args.whole_suite else f"the engine's tests (labels {ENGINE_LABELS})"
    lines = [f"Mutation run at commit {commit}{' (with uncommitted changes)' if dirty else ''}, "
             f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {total_seconds / 60:.1f} min in all, "
             f"each mutant against {suite}.",
             "",
             f"- mutants run: {len(results)} (catalogue {len(mutations)}, {len(equivalent)} known equivalent, not run)",
             f"- killed: {counts['killed']}, timed out: {counts['timed out']}, survived: {counts['survived']}, "
             f"did not build: {counts['build failed']} (left out of the score)",
             f"- **score: {100 * score:.1f}%** (killed + timed out over killed + timed out + survived)",
             "",
             "| mutation | file | what | outcome | caught by | s |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in results:
        lines.append(f"| {r['id']} | {r['file']} | {r['what']} | {r['outcome']} | {r['detail']} | {r['seconds']:.0f} |")
    if equivalent:
        lines += ["", "Known equivalent mutants (not run):", ""]
        lines += [f"- {m['id']} ({m['file']}): {m['what']}. Why equivalent: {m['equivalent']}" for m in equivalent]
    report = Path(args.report) if args.report else scratch / "report.md"
    report.write_text("\n".join(lines) + "\n")
    (scratch / "results.json").write_text(json.dumps({"commit": commit, "score": score, "results": results}, indent=1))
    print("\n".join(lines[:6]))
    print(f"mutate: report in {report}")
    if counts["build failed"]:
        print("mutate: some mutants do not compile: fix their catalogue entries", file=sys.stderr)
    if scored and score < args.min_score:
        print(f"mutate: score {100 * score:.1f}% is below {100 * args.min_score:.0f}%", file=sys.stderr)
        return 1
    return 0 if counts["build failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
