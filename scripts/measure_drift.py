#!/usr/bin/env python3
"""Drift table of docs/model.md section 1: take-up per service at recorded
days 0 and 729 of scenarios/hybrid.toml with its one-year warm-up and with a
ten-year one (20,000 citizens, seeds 1-4, two runs at once), as shipped and
without learning (admin_learning and the trust changes at 0, so that the
ten-year state does not drift through ever-growing literacy and trust).
Prints Markdown.

    PYTHONPATH=build/python /usr/bin/python3 scripts/measure_drift.py

Each run's daily take-up is kept in --cache (JSON lines, demat._runcache) as
the run ends, so that an interruption loses at most the runs in progress and
the same command run again computes only the missing ones (issue 12, item 9).
"""
import argparse
import sys
from pathlib import Path

import numpy as np

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root / "build" / "python"))
from demat._outputs import check_writable_file  # noqa: E402
from demat._runcache import RunCache  # noqa: E402
from demat._scenario import Scenario  # noqa: E402

POPULATION, SEEDS, WARMUPS = 20000, [1, 2, 3, 4], (365, 3650)
# The name of what a cache line holds: change it with take_up().
MEASURE = "drift: take-up (receiving / eligible) per recorded day and service"


NO_LEARNING = {"behaviour.admin_learning": 0.0, "behaviour.trust_gain_success": 0.0,
               "behaviour.trust_loss_rejection": 0.0, "behaviour.trust_loss_interruption": 0.0}


def take_up(results):
    """One run's take-up per [recorded day, service], with the service names."""
    c = np.asarray(results["counts"], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = c[:, :, 1] / c[:, :, 0]
    return {"services": [str(s) for s in results.coordinate("service")], "take_up": share.tolist()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--population", type=int, default=POPULATION, help=f"citizens per run (default {POPULATION})")
    p.add_argument("--seeds", type=int, default=len(SEEDS), help=f"seeds 1..N per warm-up (default {len(SEEDS)})")
    p.add_argument("--threads", type=int, default=2, help="runs at once (default 2)")
    p.add_argument("--cache", type=Path, default=root / "results" / "drift-runs.jsonl",
                   help="each run's take-up, appended as it ends and reused by the next call "
                        "(default results/drift-runs.jsonl)")
    args = p.parse_args(argv)
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    check_writable_file(args.cache, "--cache")  # before the runs, not after them
    cache = RunCache(args.cache, MEASURE, log=lambda s: print(s, file=sys.stderr, flush=True))
    seeds = list(range(1, args.seeds + 1))
    out = ["As shipped:\n", table(cache, {}, args.population, seeds, args.threads),
           "\nWithout learning (admin literacy and trust fixed):\n",
           table(cache, NO_LEARNING, args.population, seeds, args.threads)]
    text = "\n".join(out)
    print(text)
    return text


def table(cache, changes, population, seeds, threads):
    base = Scenario.load(root / "scenarios" / "hybrid.toml").with_changes(changes)
    scenarios = {w: base.with_changes({"population.size": population, "warmup_days": w}) for w in WARMUPS}
    plan = [(w, s) for w in WARMUPS for s in seeds]
    # Every run of the table at once, each kept as it ends: runs of both warm-ups share the workers.
    measured = cache.map([scenarios[w] for w, _ in plan], [s for _, s in plan], take_up, workers=threads,
                         label="drift")
    services = measured[0]["services"]
    rows = {w: np.mean([np.array(m["take_up"]) for (ww, _), m in zip(plan, measured) if ww == w], axis=0) * 100
            for w in WARMUPS}
    last = rows[WARMUPS[0]].shape[0] - 1
    lines = ["| warm-up | recorded day | " + " | ".join(f"`{s}`" for s in services) + " |",
             "|---|---|" + "---|" * len(services)]
    for w in WARMUPS:
        for d in (0, last):
            lines.append(f"| {w} days | {d} | " + " | ".join(f"{x:.1f}%" for x in rows[w][d]) + " |")
    one, ten = rows[WARMUPS[0]], rows[WARMUPS[1]]
    lines.append(f"| drift, one year | 0 → {last} | " + " | ".join(f"{x:+.1f}" for x in one[last] - one[0]) + " |")
    for d in (0, last):
        lines.append(f"| one year − ten years | {d} | " + " | ".join(f"{x:+.1f}" for x in one[d] - ten[d]) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
