"""Determinism at scale: the same scenario and seed with 1 and 2 threads give
identical files, bit for bit, at a million citizens.

    check_thread_determinism.py DEMAT_BINARY SCENARIO POPULATION WORK_FOLDER

Runs `demat run ... --snapshot` with --threads 1 and --threads 2 and compares
every dataset of the two files (aggregates and the per-citizen /snapshot)
byte for byte, and every attribute except those that record how the run
was executed (threads, timings). Exit code 0 if identical, 1 otherwise.
Registered in CTest under the `slow` label (ctest --preset slow).
"""
import os
import subprocess
import sys

import h5py
import numpy as np

# Root attributes that describe the execution, not the results.
EXECUTION_ATTRIBUTES = {"threads", "population_seconds", "network_seconds", "simulation_seconds"}


def run(demat, scenario, population, threads, output):
    if os.path.exists(output):
        os.remove(output)
    subprocess.run([demat, "run", scenario, "--population", str(population), "--threads", str(threads),
                    "--snapshot", "--quiet", "-o", output], check=True)


def datasets(path):
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
        attributes = {k: v for k, v in f.attrs.items() if k not in EXECUTION_ATTRIBUTES}
    return found, attributes


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "fiub":  # bit for bit, NaNs included
        return a.tobytes() == b.tobytes()
    return bool(np.all(a == b))


def main():
    demat, scenario, population, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    os.makedirs(work, exist_ok=True)
    one, two = os.path.join(work, "threads1.h5"), os.path.join(work, "threads2.h5")
    run(demat, scenario, population, 1, one)
    run(demat, scenario, population, 2, two)
    (data1, attrs1), (data2, attrs2) = datasets(one), datasets(two)
    problems = []
    if set(data1) != set(data2):
        problems.append(f"datasets differ: {sorted(set(data1) ^ set(data2))}")
    for name in sorted(set(data1) & set(data2)):
        if not same(data1[name], data2[name]):
            problems.append(f"dataset /{name} differs between 1 and 2 threads")
    if set(attrs1) != set(attrs2):
        problems.append(f"root attributes differ: {sorted(set(attrs1) ^ set(attrs2))}")
    for name in sorted(set(attrs1) & set(attrs2)):
        if not same(attrs1[name], attrs2[name]):
            problems.append(f"root attribute {name} differs between 1 and 2 threads")
    if "snapshot/claim_state" not in data1 or data1["snapshot/claim_state"].shape[0] != population:
        problems.append("no /snapshot/claim_state for every citizen")
    for p in problems:
        print("FAIL:", p)
    print(f"{len(data1)} datasets compared at {population} citizens:", "identical" if not problems else "DIFFERENT")
    for path in (one, two):
        os.remove(path)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
