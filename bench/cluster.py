"""Measures what docs/cluster.md quotes: sweep throughput on 1 and 2 local Dask
workers, and the overhead per task of the executors on tiny runs.

    /usr/bin/python3 bench/cluster.py throughput [--population 50000] [--days 365] [--runs 8]
    /usr/bin/python3 bench/cluster.py overhead [--tasks 1000]

Run with PYTHONPATH=build/python. Everything stays on 127.0.0.1. Prints
Markdown tables stamped with the git commit, the date and the core count.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def stamp() -> str:
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return f"commit {commit}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores"


def scenario_file(folder: str, population: int, days: int, warmup: int) -> str:
    path = Path(folder) / "bench.toml"
    path.write_text(f'base = "{REPO / "scenarios" / "hybrid.toml"}"\nname = "bench"\ndays = {days}\n'
                    f"warmup_days = {warmup}\n[population]\nsize = {population}\n")
    return str(path)


def throughput(args: argparse.Namespace) -> None:
    import demat
    from distributed import Client, LocalCluster

    print(f"Throughput ({stamp()}): {args.runs} runs of {args.population} citizens, {args.days} recorded days "
          f"after {args.warmup} warm-up days\n")
    # CPU seconds next to wall time: on a shared machine the wall time says how
    # busy the machine was; the CPU per run says what the runs themselves cost,
    # and the gathering process's share of it is the part that does not spread.
    print("| executor | workers | wall (s) | runs/min | speed-up | CPU s/run (workers) | CPU s/run (gathering) |")
    print("|---|---|---|---|---|---|---|")

    def own_cpu() -> float:
        t = os.times()
        return t.user + t.system

    def worker_cpu() -> float:
        import psutil
        t = psutil.Process().cpu_times()
        return t.user + t.system

    with tempfile.TemporaryDirectory() as folder:
        sc = scenario_file(folder, args.population, args.days, args.warmup)
        base = {}
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cluster, Client(cluster) as client:
                client.submit(int, 0).result()
                before, mine = sum(client.run(worker_cpu).values()), own_cpu()
                start = time.perf_counter()
                demat.run_ensemble(sc, replicates=args.runs, seed=1, executor=client)
                wall = time.perf_counter() - start
                spent, gathering = sum(client.run(worker_cpu).values()) - before, own_cpu() - mine
            base.setdefault("dask", wall)
            print(f"| Dask LocalCluster | {workers} | {wall:.1f} | {60 * args.runs / wall:.2f} | "
                  f"{base['dask'] / wall:.2f} | {spent / args.runs:.2f} | {gathering / args.runs:.3f} |", flush=True)
        for workers in (1, 2):
            mine = own_cpu()
            start = time.perf_counter()
            demat.run_ensemble(sc, replicates=args.runs, seed=1, workers=workers)
            wall = time.perf_counter() - start
            spent = own_cpu() - mine
            base.setdefault("threads", wall)
            print(f"| local threads | {workers} | {wall:.1f} | {60 * args.runs / wall:.2f} | "
                  f"{base['threads'] / wall:.2f} | {spent / args.runs:.2f} (all) | |", flush=True)


def overhead(args: argparse.Namespace) -> None:
    import demat
    from demat import _core, _distributed
    from distributed import Client, LocalCluster

    print(f"Overhead per task ({stamp()}): {args.tasks} tiny runs ({args.population} citizens, "
          f"{args.days} recorded day(s), {args.warmup} warm-up days), one worker\n")
    with tempfile.TemporaryDirectory() as folder:
        sc = demat.Scenario.load(scenario_file(folder, args.population, args.days, args.warmup))
        texts = [sc.with_seed(_core.child_seed(1, i)).to_toml() for i in range(args.tasks)]
        seeds = [_core.child_seed(1, i) for i in range(args.tasks)]
        rows = []

        start = time.perf_counter()
        for text, seed in zip(texts, seeds):
            sim = _core.Simulation(_core.Scenario.parse(text, ""), seed, 1)
            sim.run(False, None)
        simulate = time.perf_counter() - start
        rows.append(("the simulations alone (a loop, no executor)", simulate))

        start = time.perf_counter()
        for text, seed in zip(texts, seeds):
            _distributed.run_task(text, seed)
        task = time.perf_counter() - start
        rows.append(("+ packing the results (run_task in a loop)", task))

        start = time.perf_counter()
        _distributed.run_all(texts, seeds, None, workers=1, journal=_distributed.Journal(Path(folder) / "journal"))
        pool = time.perf_counter() - start
        rows.append(("+ journal and gathering: local thread pool, 1 thread", pool))

        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.submit(lambda: 0).result()  # the worker is up before the clock starts
            start = time.perf_counter()
            _distributed.run_all(texts, seeds, client, journal=_distributed.Journal(Path(folder) / "journal-dask"))
            dask = time.perf_counter() - start
            rows.append(("Dask LocalCluster, 1 worker process", dask))

            start = time.perf_counter()
            ex = client.get_executor(pure=False)
            for f in [ex.submit(int, i) for i in range(args.tasks)]:
                f.result()
            empty = time.perf_counter() - start
            rows.append(("Dask, empty tasks (the scheduler alone)", empty))

    print("| what | total (s) | per task (ms) |")
    print("|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {1000 * seconds / args.tasks:.2f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--population", type=int, default=50000)
    t.add_argument("--days", type=int, default=730)
    t.add_argument("--warmup", type=int, default=365)
    t.add_argument("--runs", type=int, default=16)
    o = sub.add_parser("overhead")
    o.add_argument("--tasks", type=int, default=1000)
    o.add_argument("--population", type=int, default=100)
    o.add_argument("--days", type=int, default=1)
    o.add_argument("--warmup", type=int, default=0)
    args = ap.parse_args()
    (throughput if args.what == "throughput" else overhead)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
