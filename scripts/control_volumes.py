#!/usr/bin/python3
"""The CNAF control volumes of 2022 against the model, per recipient unit and year.

    control_volumes.py [--demat build/bin/demat] [--population 100000] [--replicates 10]
                       [--seed 1] [--work results/control_volumes] [scenario.toml]

Runs `demat sweep SCENARIO --replicates N` (default scenarios/algorithmic_control.toml)
and prints, per recipient unit and year of the recorded run, the model's
controls, home visits and frauds found (mean and 5th-95th percentile over
replicates) beside the published figures (docs/control_sources.md): 32
million controls, 135,000 home visits and 49,000 frauds found among 13.6
million claimant households. A recipient unit is a citizen's claim to one
benefit (docs/model.md section 11), not a household: the comparison is of
orders of magnitude per unit. Prints a Markdown table (docs/validation.md).
"""

import argparse
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "build", "python"))
sys.path.insert(1, os.path.join(ROOT, "python"))

import demat  # noqa: E402

HOUSEHOLDS = 13.6e6
PUBLISHED = {"controls": 32e6 / HOUSEHOLDS, "home visits": 135e3 / HOUSEHOLDS, "frauds found": 49e3 / HOUSEHOLDS}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default=os.path.join(ROOT, "scenarios", "algorithmic_control.toml"))
    parser.add_argument("--demat", default=os.path.join(ROOT, "build", "bin", "demat"))
    parser.add_argument("--population", type=int, default=100000)
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", default=os.path.join(ROOT, "results", "control_volumes"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    out = os.path.join(args.work, os.path.basename(args.scenario).replace(".toml", ".h5"))
    subprocess.run([args.demat, "sweep", args.scenario, "--replicates", str(args.replicates), "--population",
                    str(args.population), "--seed", str(args.seed), "--jobs", str(args.jobs), "-q", "-o", out],
                   check=True)
    r = demat.load(out)
    events = list(r.coordinate("control/event"))
    ev = np.asarray(r["control/events"]).sum(axis=(1, 2))  # [run, event]
    at = {name: ev[:, i].astype(float) for i, name in enumerate(events)}
    unit_years = at["scored"] / 12.0
    # The systematic cross-checks (docs/model.md 11.3) are controls too.
    zero = np.zeros_like(at["scored"])
    model = {"controls": (at["automated"] + at["documents"] + at["visit"] + at.get("cross_checks", zero)) / unit_years,
             "home visits": at["visit"] / unit_years,
             "frauds found": (at["found_deliberate"] + at.get("cross_found_deliberate", zero)) / unit_years}
    print("%s, %d citizens, %d replicates (root seed %d); per recipient unit and year; mean [5th, 95th percentile]"
          % (os.path.basename(args.scenario), args.population, args.replicates, args.seed))
    print()
    print("| quantity | CNAF 2022, per household | model, per recipient unit |")
    print("|---|---|---|")
    for name, value in model.items():
        print("| %s | %.4g | %.4g [%.4g, %.4g] |" % (name, PUBLISHED[name], value.mean(), np.percentile(value, 5),
                                                  np.percentile(value, 95)))
    print()
    print("recipient units scored per round (mean): %.0f" % (at["scored"].mean() / len(r.coordinate("control/day"))))


if __name__ == "__main__":
    main()
