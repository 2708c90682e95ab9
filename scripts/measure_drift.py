#!/usr/bin/env python3
"""Drift table of docs/model.md section 1: take-up per service at recorded
days 0 and 729 of scenarios/hybrid.toml with its one-year warm-up and with a
ten-year one (20,000 citizens, seeds 1-4, 2 threads), as shipped and
without learning (admin_learning and the trust changes at 0, so that the
ten-year state does not drift through ever-growing literacy and trust).
Prints Markdown.

    PYTHONPATH=build/python /usr/bin/python3 scripts/measure_drift.py
"""
import sys
from pathlib import Path

import numpy as np

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root / "build" / "python"))
from demat._scenario import Scenario  # noqa: E402
from demat._simulation import Simulation  # noqa: E402

POPULATION, SEEDS, WARMUPS = 20000, [1, 2, 3, 4], (365, 3650)


NO_LEARNING = {"behaviour.admin_learning": 0.0, "behaviour.trust_gain_success": 0.0,
               "behaviour.trust_loss_rejection": 0.0, "behaviour.trust_loss_interruption": 0.0}


def main():
    print("As shipped:\n")
    table({})
    print("\nWithout learning (admin literacy and trust fixed):\n")
    table(NO_LEARNING)


def table(changes):
    base = Scenario.load(root / "scenarios" / "hybrid.toml").with_changes(changes)
    rows = {}
    for w in WARMUPS:
        sc = base.with_changes({"population.size": POPULATION, "warmup_days": w})
        take_up = []
        for s in SEEDS:
            r = Simulation(sc, seed=s, threads=2).run().results
            c = np.asarray(r["counts"], dtype=float)
            take_up.append(c[:, :, 1] / c[:, :, 0])
            services = list(r.coordinate("service"))
        rows[w] = np.mean(take_up, axis=0) * 100
    last = rows[WARMUPS[0]].shape[0] - 1
    print("| warm-up | recorded day | " + " | ".join(f"`{s}`" for s in services) + " |")
    print("|---|---|" + "---|" * len(services))
    for w in WARMUPS:
        for d in (0, last):
            print(f"| {w} days | {d} | " + " | ".join(f"{x:.1f}%" for x in rows[w][d]) + " |")
    one, ten = rows[WARMUPS[0]], rows[WARMUPS[1]]
    print(f"| drift, one year | 0 → {last} | " + " | ".join(f"{x:+.1f}" for x in one[last] - one[0]) + " |")
    for d in (0, last):
        print(f"| one year − ten years | {d} | " + " | ".join(f"{x:+.1f}" for x in one[d] - ten[d]) + " |")


if __name__ == "__main__":
    main()
