"""Hybrid channels vs online only vs online with mediation: 10 replicates each, then the report.

    PYTHONPATH=build/python /usr/bin/python3 analysis/examples/compare_channels.py --population 10000 -o example/

(with an installed demat, drop PYTHONPATH). Writes one ensemble file per
scenario (demat's sweep layout, with a `run` dimension) and the report in
OUTPUT/report/index.html.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import demat
from demat import analysis

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = ["hybrid", "online_only", "online_with_mediation"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=100_000, help="citizens per run (default: the scenarios' 100,000)")
    parser.add_argument("--days", type=int, default=None, help="recorded days (default: the scenarios')")
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2024, help="root seed; replicate seeds are derived from it")
    parser.add_argument("-o", "--output", default="example", help="folder for the run files and the report")
    args = parser.parse_args(argv)

    os.makedirs(args.output, exist_ok=True)
    files = []
    for name in SCENARIOS:
        changes: dict[str, object] = {"population.size": args.population}
        if args.days:
            changes["days"] = args.days
        scenario = demat.Scenario.load(REPO / "scenarios" / f"{name}.toml").with_changes(changes)
        started = time.monotonic()
        runs = demat.run_ensemble(scenario, replicates=args.replicates, seed=args.seed, progress=True)
        path = Path(args.output) / f"{name}.h5"
        runs.save(path)
        files.append(path)
        print(f"{name}: {len(runs)} runs in {time.monotonic() - started:.1f} s -> {path}")
        print(runs.summary().loc[["minimum_income", "housing_benefit"],
                                 ["take_up_rate_mean", "take_up_rate_q05", "take_up_rate_q95"]].round(3))
    page = analysis.write_report(files, Path(args.output) / "report", title="Hybrid, online only, online with mediation")
    print(f"report: {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
