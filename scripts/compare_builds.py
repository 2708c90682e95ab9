#!/usr/bin/python3
"""Two builds of demat give the same results, bit for bit.

    compare_builds.py REFERENCE_DEMAT CANDIDATE_DEMAT [--population N]
                      [--seeds 3 11] [--threads 1 2] [--work DIR] [scenario.toml ...]

Runs every scenario of scenarios/ (or those given) with each binary,
`--snapshot`, at each thread count and seed, and compares every dataset
(aggregates and the per-citizen /snapshot) byte for byte and every
attribute, group attributes included, except those that record how the run
was executed (timings, threads). For a change that must not change results
(a refactoring, an optimisation): quote its last line in the commit.
Exit code 0 if every file matches, 1 otherwise.
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EXECUTION_ATTRIBUTES = {"threads", "population_seconds", "network_seconds", "simulation_seconds"}


def resolved(f, value):
    """An attribute's value with HDF5 object references (dimension scales)
    replaced by the paths they point to: references are file addresses."""
    if isinstance(value, h5py.Reference):
        return f[value].name if value else ""
    if isinstance(value, np.ndarray) and value.dtype.kind in "OV":
        return [resolved(f, v) for v in value.tolist()] if value.dtype.kind == "O" else \
               [tuple(resolved(f, x) for x in v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [resolved(f, v) for v in value]
    return value


def contents(path):
    found = {}

    def visit(name, obj):
        attrs = {k: resolved(f, v) for k, v in obj.attrs.items() if k not in EXECUTION_ATTRIBUTES}
        found[name + "@attrs"] = attrs
        if isinstance(obj, h5py.Dataset):
            found[name] = obj[()]

    with h5py.File(path, "r") as f:
        found["/@attrs"] = {k: v for k, v in f.attrs.items() if k not in EXECUTION_ATTRIBUTES}
        f.visititems(visit)
    return found


def same(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) or isinstance(b, list):
        return a == b
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "fiubc":
        return a.tobytes() == b.tobytes()
    return bool(np.all(a == b))


def without_new(ref_attrs, cand_attrs):
    """Attributes as --new-outputs compares them: the list of the datasets
    a coordinate is attached to (REFERENCE_LIST) left out, and of the
    resolved scenario only the keys the reference has (new parameters,
    at their defaults, add lines; a changed value still differs)."""
    ref_attrs = {k: v for k, v in ref_attrs.items() if k != "REFERENCE_LIST"}
    cand_attrs = {k: v for k, v in cand_attrs.items() if k != "REFERENCE_LIST"}
    if "scenario_resolved" in ref_attrs and "scenario_resolved" in cand_attrs:
        def key(line):
            return line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith("#") else line
        ref_lines = str(ref_attrs["scenario_resolved"]).splitlines()
        known = {key(line) for line in ref_lines}
        cand_lines = [line for line in str(cand_attrs["scenario_resolved"]).splitlines() if key(line) in known]
        ref_attrs["scenario_resolved"], cand_attrs["scenario_resolved"] = ref_lines, cand_lines
    return ref_attrs, cand_attrs


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reference")
    ap.add_argument("candidate")
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--population", type=int, default=20000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[3, 11])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--work", default=str(ROOT / "build" / "compare_builds"))
    ap.add_argument("--new-outputs", action="store_true",
                    help="a change that adds outputs: datasets and groups found only in the candidate are "
                         "listed, not counted as differences; every dataset of the reference must still match")
    args = ap.parse_args(argv)
    scenarios = [Path(s) for s in args.scenarios] or sorted((ROOT / "scenarios").glob("*.toml"))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    files = differing = 0
    new_outputs = set()
    for scenario in scenarios:
        for seed in args.seeds:
            for threads in args.threads:
                outs = []
                for which, binary in (("reference", args.reference), ("candidate", args.candidate)):
                    out = work / f"{scenario.stem}-{seed}-{threads}-{which}.h5"
                    if out.exists():
                        out.unlink()
                    subprocess.run([binary, "run", str(scenario), "--population", str(args.population),
                                    "--seed", str(seed), "--threads", str(threads), "--snapshot", "--quiet",
                                    "-o", str(out)], check=True)
                    outs.append(contents(out))
                    out.unlink()
                ref, cand = outs
                keys = ref.keys() | cand.keys()
                if args.new_outputs:
                    added = sorted(k for k in cand.keys() - ref.keys() if not k.endswith("@attrs"))
                    new_outputs.update(added)
                    keys = set(ref.keys())
                    for k in keys & cand.keys():
                        if k.endswith("@attrs"):
                            ref[k], cand[k] = without_new(ref[k], cand[k])
                bad = sorted(k for k in keys if k not in ref or k not in cand or not same(ref[k], cand[k]))
                files += 1
                if bad:
                    differing += 1
                    print(f"DIFFER {scenario.name} seed {seed} threads {threads}: {bad[:8]}")
    if new_outputs:
        print(f"compare_builds: {len(new_outputs)} new datasets only in the candidate (--new-outputs), e.g. "
              f"{sorted(new_outputs)[:6]}")
    print(f"compare_builds: {files - differing} of {files} files identical "
          f"({len(scenarios)} scenarios x seeds {args.seeds} x threads {args.threads}, "
          f"{args.population} citizens, --snapshot; every dataset and attribute but timings"
          f"{' of the reference' if args.new_outputs else ''})")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
