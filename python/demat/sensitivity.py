"""Sobol sensitivity of take-up by capital quintile and of the divide index.

``python3 -m demat.sensitivity`` samples the behavioural parameters
(``PARAMETERS``, a box around the calibrated baseline) with a scrambled
Sobol sequence (scipy.stats.qmc), runs the model on the Saltelli design
(matrices A, B and the k matrices A_B^i: N (k + 2) runs), and estimates the
first-order (Saltelli 2010) and total (Jansen 1999) Sobol indices of six
outputs: take-up of the benefits (pooled over the benefit services, over the
last recorded quarter) in each capital quintile Q1-Q5, and the divide index
Q5 - Q1. Confidence intervals come from a bootstrap over the N rows. It writes
docs/sensitivity.md (table) and docs/figures/sensitivity.png.

Estimators, for output f centred on its mean over A and B, V its variance
over A and B together:
    S_i  = mean(f(B) (f(A_B^i) - f(A))) / V          (Saltelli et al. 2010)
    ST_i = mean((f(A) - f(A_B^i))^2) / (2 V)          (Jansen 1999)
where A_B^i is A with its column i taken from B.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._distributed import connect_scheduler
from ._runcache import RunCache
from ._scenario import Scenario

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = REPO / "scenarios" / "hybrid.toml"


# ------------------------------------------------------------- estimators

def saltelli_matrices(k: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A and B, n x k each, in [0, 1): the two halves of a scrambled Sobol sample of dimension 2k."""
    from scipy.stats import qmc
    if n & (n - 1):
        raise ValueError(f"n must be a power of two for a balanced Sobol sample, got {n}")
    base = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n)
    return base[:, :k], base[:, k:]


def ab_matrices(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[k, n, k]: A_B^i is A with column i from B."""
    k = a.shape[1]
    out = np.repeat(a[None, :, :], k, axis=0)
    for i in range(k):
        out[i, :, i] = b[:, i]
    return out


def sobol_indices(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices [k] from f(A) [n], f(B) [n], f(A_B^i) [k, n]."""
    fa, fb, fab = np.asarray(fa, float), np.asarray(fb, float), np.asarray(fab, float)
    # Centring leaves both estimators unbiased (E f(A_B^i) = E f(A)) and
    # removes the mean's weight from the first-order products, whose
    # variance it otherwise dominates when the mean is large against the sd.
    centre = np.mean(np.concatenate([fa, fb]))
    fa, fb, fab = fa - centre, fb - centre, fab - centre
    var = np.var(np.concatenate([fa, fb]))
    if var <= 0:
        nan = np.full(fab.shape[0], np.nan)
        return nan, nan
    first = np.mean(fb[None, :] * (fab - fa[None, :]), axis=1) / var
    total = 0.5 * np.mean((fa[None, :] - fab) ** 2, axis=1) / var
    return first, total


def bootstrap(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray, resamples: int = 1000, level: float = 0.90,
              seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """[2 (first, total), 2 (low, high), k]: percentile intervals over resampled rows."""
    rng = np.random.default_rng(seed)
    n = len(fa)
    draws = np.empty((resamples, 2, fab.shape[0]))
    for r in range(resamples):
        j = rng.integers(0, n, n)
        draws[r] = sobol_indices(fa[j], fb[j], fab[:, j])
    q = [(1 - level) / 2, 1 - (1 - level) / 2]
    lo, hi = np.nanquantile(draws, q, axis=0)
    return lo, hi


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function on [-pi, pi]^3 (analytic indices known; used by the tests)."""
    return np.sin(x[..., 0]) + a * np.sin(x[..., 1]) ** 2 + b * x[..., 2] ** 4 * np.sin(x[..., 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic first-order and total indices of ``ishigami``."""
    v1 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


# ------------------------------------------------------------- the model

@dataclass(frozen=True)
class Parameter:
    key: str
    half_width: float  # the box is the scenario's value +- half_width (clipped at low)
    low: float = -np.inf


PARAMETERS: list[Parameter] = [
    Parameter("behaviour.decision_intercept", 1.0),
    Parameter("behaviour.decision_stigma", 1.0, 0.0),
    Parameter("behaviour.decision_complexity", 1.0, 0.0),
    Parameter("behaviour.decision_taste_spread", 1.0, 0.0),
    Parameter("behaviour.base_awareness", 0.001, 0.0),
    Parameter("behaviour.awareness_spread", 0.5, 0.0),
    Parameter("behaviour.channel_online", 1.0),
    Parameter("behaviour.online_intercept", 1.0),
]
OUTPUTS = ["take-up Q1", "take-up Q2", "take-up Q3", "take-up Q4", "take-up Q5", "divide index Q5-Q1"]


def outputs(results: Any) -> np.ndarray:
    """Pooled benefit take-up per capital quintile over the last 91 recorded days, and Q5 - Q1."""
    seg = np.asarray(results["segments/capital_quintile/counts"], dtype=float)  # [day, service, group, state]
    svc = results.coordinate("service")
    benefits = [i for i, s in enumerate(svc) if s != "income_tax_return"]
    window = seg[-91:, benefits]
    eligible = window[..., 0].sum(axis=(0, 1))
    receiving = window[..., 1].sum(axis=(0, 1))
    take_up = receiving / eligible
    return np.append(take_up, take_up[-1] - take_up[0])


# The name of what a cache line holds: change it with outputs() or OUTPUTS.
SENSITIVITY_MEASURE = "sensitivity outputs: pooled benefit take-up per capital quintile, last 91 days, and Q5-Q1"


def box(scenario: Scenario) -> list[tuple[float, float]]:
    d = scenario.to_dict()
    out = []
    for p in PARAMETERS:
        node: Any = d
        for part in p.key.split("."):
            node = node[part]
        out.append((max(p.low, float(node) - p.half_width), float(node) + p.half_width))
    return out


def run_design(scenario: Scenario, n: int, population: int, seed: int = 1,
               log: Callable[[str], None] = print, executor: Any = None, workers: int | None = None,
               progress: bool = False, cache: Path | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model outputs on the Saltelli design: f(A) [n, m], f(B) [n, m], f(A_B^i) [k, n, m].

    The N (k + 2) runs are independent tasks on ``executor`` (demat.sweep's:
    None for ``workers`` threads here, an Executor, a Dask Client or a
    scheduler address); the outputs do not depend on it. With ``cache``,
    each run's outputs are appended to that file (demat._runcache, JSON
    lines) as the run ends, and runs already there are not run again: an
    interruption loses at most the runs in progress (issue 12, item 9)."""
    k = len(PARAMETERS)
    a, b = saltelli_matrices(k, n, seed=2024)
    bounds = box(scenario)
    lo = np.array([x[0] for x in bounds])
    hi = np.array([x[1] for x in bounds])
    base = scenario.with_changes({"population.size": population, "days": 91})
    rows = np.concatenate([a, b, *ab_matrices(a, b)])
    scenarios = [base.with_changes({p.key: float(v) for p, v in zip(PARAMETERS, lo + u * (hi - lo))}) for u in rows]
    log(f"  {len(scenarios)} runs")
    runs = RunCache(cache, SENSITIVITY_MEASURE, log)
    values = runs.map(scenarios, [seed] * len(scenarios), lambda r: [float(v) for v in outputs(r)], executor,
                      workers, label="sensitivity", progress=progress)
    f = np.array(values)
    return f[:n], f[n:2 * n], f[2 * n:].reshape(k, n, -1)


def report(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray, bounds: list[tuple[float, float]], n: int,
           population: int, command: str) -> str:
    lines = [
        "# Sensitivity analysis",
        "",
        "Generated by `" + command + "`; do not edit by hand.",
        "",
        "Sobol indices of six outputs of the calibrated baseline (scenarios/hybrid.toml) to the behavioural",
        "parameters, each varied uniformly over the box below (the calibrated value plus or minus a half-width),",
        "the others fixed at their calibrated value. Outputs: take-up of the benefits (every service but the tax",
        "return, pooled) in each capital quintile over the last 91 recorded days, and the divide index Q5 - Q1.",
        f"Design: Saltelli, N = {n} base rows (scrambled Sobol, scipy.stats.qmc), k = {len(PARAMETERS)}, so",
        f"N (k + 2) = {n * (len(PARAMETERS) + 2)} runs of {population} citizens (the scenario's warm-up, one seed: the",
        "seed is fixed so that the indices measure the parameters, not the run-to-run noise). Estimators:",
        "first order S (Saltelli et al. 2010), total ST (Jansen 1999), in python/demat/sensitivity.py, checked",
        "against the Ishigami function in tests/python/test_sensitivity.py. Brackets: 90% bootstrap intervals",
        "over the N rows (1,000 resamples). With N this small the intervals are wide and small indices can be",
        "slightly negative: read the ranking and the large indices, not the second decimal.",
        "",
        "| parameter | range |",
        "|---|---|",
    ]
    for p, (lo, hi) in zip(PARAMETERS, bounds):
        lines.append(f"| `{p.key}` | [{lo:.4g}, {hi:.4g}] |")
    allf = np.concatenate([fa, fb])
    lines += ["", "| output | mean | sd | " + " | ".join(f"`{p.key.split('.')[-1]}` S / ST" for p in PARAMETERS) + " |",
              "|---|---|---|" + "---|" * len(PARAMETERS)]
    for m, name in enumerate(OUTPUTS):
        first, total = sobol_indices(fa[:, m], fb[:, m], fab[:, :, m])
        lo, hi = bootstrap(fa[:, m], fb[:, m], fab[:, :, m])
        cells = [f"{first[i]:.2f} [{lo[0, i]:.2f}, {hi[0, i]:.2f}] / {total[i]:.2f} [{lo[1, i]:.2f}, {hi[1, i]:.2f}]"
                 for i in range(len(PARAMETERS))]
        lines.append(f"| {name} | {allf[:, m].mean():.3f} | {allf[:, m].std():.3f} | " + " | ".join(cells) + " |")
    lines += ["", "![Sobol indices](figures/sensitivity.png)", ""]
    return "\n".join(lines)


def figure(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    k = len(PARAMETERS)
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharey=True)
    names = [p.key.split(".")[-1] for p in PARAMETERS]
    for m, ax in enumerate(axes.flat):
        first, total = sobol_indices(fa[:, m], fb[:, m], fab[:, :, m])
        lo, hi = bootstrap(fa[:, m], fb[:, m], fab[:, :, m])
        x = np.arange(k)
        ax.bar(x - 0.2, first, 0.4, yerr=[first - lo[0], hi[0] - first], label="first order S", capsize=2)
        ax.bar(x + 0.2, total, 0.4, yerr=[total - lo[1], hi[1] - total], label="total ST", capsize=2)
        ax.set_title(OUTPUTS[m])
        ax.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
        ax.axhline(0, color="black", lw=0.5)
    axes.flat[0].legend()
    fig.suptitle("Sobol indices of benefit take-up by capital quintile and of the divide index (90% bootstrap intervals)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m demat.sensitivity", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    ap.add_argument("-n", type=int, default=32, help="base rows of the Saltelli design, a power of two (default 32)")
    ap.add_argument("--population", type=int, default=5000, help="citizens per run (default 5000)")
    ap.add_argument("--docs", type=Path, default=REPO / "docs", help="where sensitivity.md and figures/ go")
    ap.add_argument("--threads", type=int, default=0, help="runs at once on this machine (default: one per core)")
    ap.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on the workers of this Dask scheduler")
    ap.add_argument("--cache", type=Path, default=REPO / "results" / "sensitivity-runs.jsonl",
                    help="each run's outputs, appended as it ends and reused by the next call, so that an "
                         "interruption loses at most the runs in progress (default results/sensitivity-runs.jsonl)")
    args = ap.parse_args(argv)
    # Before hours of runs, not after (issue 12): the outputs' places first.
    from ._outputs import check_writable_file, check_writable_folder

    check_writable_folder(args.docs, "--docs")
    check_writable_file(args.docs / "sensitivity.md", "--docs")
    (args.docs / "figures").mkdir(exist_ok=True)
    check_writable_folder(args.docs / "figures", "--docs")
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    check_writable_file(args.cache, "--cache")
    scenario = Scenario.load(args.scenario)
    import sys
    try:
        client = connect_scheduler(args.scheduler)
    except (ValueError, ConnectionError) as e:
        print(f"{ap.prog}: --scheduler: {e}", file=sys.stderr)
        return 2
    try:
        fa, fb, fab = run_design(scenario, args.n, args.population, log=lambda s: print(s, file=sys.stderr, flush=True),
                                 executor=client, workers=args.threads or None, progress=True, cache=args.cache)
    finally:
        if client is not None:
            client.close()
    command = "python3 -m demat.sensitivity" + (f" -n {args.n}" if args.n != 32 else "") + (
        f" --population {args.population}" if args.population != 5000 else "")
    text = report(fa, fb, fab, box(scenario), args.n, args.population, command)
    (args.docs / "sensitivity.md").write_text(text)
    figure(fa, fb, fab, args.docs / "figures" / "sensitivity.png")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
