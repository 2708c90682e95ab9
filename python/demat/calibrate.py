"""Calibration of the baseline's behaviour to published figures.

``python3 -m demat.calibrate`` fits a small set of behavioural parameters
(``PARAMETERS``) to the non-take-up and online-procedure targets
(``TARGETS``, sections C and D of the project's calibration table), then
writes the fitted values into ``scenarios/hybrid.toml`` with the date and the
fit as TOML comments, and prints the fit target by target.

Method: a scrambled Sobol sample (scipy.stats.qmc) of the parameter box
screens the space; from its best point, least squares on the scaled gaps
(scipy.optimize.least_squares, trust region, finite-difference Jacobian)
then a short Nelder-Mead polish (scipy.optimize.minimize).
Every evaluation runs the same replicate seeds (common random numbers), so
the loss is a deterministic function of the parameters and the simplex is
not misled by noise between evaluations. The loss is the sum over targets of
((model - target) / tolerance)^2, the tolerance being the issue's (4 points
for minimum income, 5 elsewhere); "below 30%" targets count only above their
aim, 1 point under the bound (Target.aim: a fit on the bound itself is met on
its own seeds and missed on others half the time).
Parameters are searched on [0, 1] and mapped to their box.

Why these parameters (docs/validation.md discusses them): they are the
behavioural weights no survey measures directly, and each moves mostly one
group of targets:
- decision_intercept: how readily a known right is claimed (level of
  non-take-up across benefits); decision_stigma: how much a service's stigma
  weighs (the gap between stigmatised benefits and the others);
- base_awareness: how fast one learns of a right alone (non-knowledge, the
  first reason believed for non-take-up);
- decision_taste_spread: how lasting an individual's refusal is (persistent
  vs quarterly non-take-up);
- minimum_income outreach and the stigma of minimum income, old-age minimum,
  complementary health cover and in-work benefit: per-service levers, because
  the benefits' non-take-up differs more than their amounts and complexities
  explain (the in-work benefit's stigma was added last, when its non-take-up
  stayed above 30% with a stigma fixed at an assumed 0.2: little stigma is
  reported for the prime d'activite, claimed online since 2016);
- channel_online, online_intercept, ask_help: use of the online channel,
  failures there, and giving up after failures (section D).

With ``--responses`` the fit also holds the model to the published responses
of demat.responses (closing counters: Deshpande & Li 2019; outreach with
help: Finkelstein & Notowidigdo 2019; docs/validation.md, section 3b): their
gaps, scaled by their tolerances, join the levels' in the same least squares,
and the parameters that act only on a response (``RESPONSE_PARAMETERS``: the
cost of a closed counter in the decision, the sites closing with the
counters, the spacing of rural counters) join the fitted ones. A fit to the
levels alone can meet them with any response; the responses are what a
"what if" reads.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._distributed import connect_scheduler
from ._runcache import RunCache
from ._scenario import Scenario

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = REPO / "scenarios" / "hybrid.toml"


@dataclass(frozen=True)
class Parameter:
    key: str      # dotted scenario key
    low: float
    high: float
    why: str


@dataclass(frozen=True)
class Target:
    name: str
    value: float       # published figure (share)
    tolerance: float   # the tolerance, also the loss scale
    source: str
    measure: Callable[[Any], float]  # Results -> model value
    upper_bound: bool = False        # "below value": no loss under it
    margin: float = 0.0              # upper bounds: the fit aims this far below the bound (see aim)

    @property
    def aim(self) -> float:
        """What the fit aims at: the value, or for an upper bound the bound minus its margin.

        A "below" target has no loss under its aim, so a fit with no margin
        stops on the bound itself, where the seeds of the validation (and its
        two recorded years instead of the calibration's one) put the model on
        either side of it half the time.
        """
        return self.value - self.margin if self.upper_bound else self.value

    def residual(self, model: float) -> float:
        """(model - aim) / tolerance; 0 under an upper bound's aim; 1000 if the model gives no value."""
        if np.isnan(model):
            return 1e3
        gap = model - self.aim
        if self.upper_bound:
            gap = max(gap, 0.0)
        return gap / self.tolerance

    def loss(self, model: float) -> float:
        return self.residual(model) ** 2

    def met(self, model: float) -> bool:
        """Within the published tolerance (for an upper bound: not above it), the validation's criterion."""
        return bool(model <= self.value if self.upper_bound else abs(model - self.value) <= self.tolerance)

    def shown(self) -> str:
        return f"< {self.value:.0%}" if self.upper_bound else f"{self.value:.0%}"


PARAMETERS: list[Parameter] = [
    Parameter("behaviour.decision_intercept", -2.0, 6.0, "level of claiming once aware (in-work and housing benefits)"),
    Parameter("behaviour.decision_stigma", 1.0, 8.0, "weight of stigma: gap between stigmatised and other benefits"),
    # The levels alone do not separate the weight of complexity (a hassle cost, which help removes) from stigma
    # (which it does not); the outreach help arm, a response, does (docs/validation.md 2).
    Parameter("behaviour.decision_complexity", 0.0, 12.0, "weight of the first claim's complexity: the help arm"),
    Parameter("behaviour.base_awareness", 0.0005, 0.02, "learning of a right on one's own: non-knowledge"),
    Parameter("behaviour.decision_taste_spread", 0.5, 6.0, "lasting refusal: persistent vs quarterly non-take-up"),
    Parameter("services.minimum_income.outreach", 0.0, 0.05, "information of the short RSA spells (CAF, job centre)"),
    Parameter("services.minimum_income.stigma", 0.0, 1.0, "RSA non-demand: not wanting to be 'assisted'"),
    Parameter("services.old_age_minimum.stigma", 0.0, 1.0, "fear of recovery on the estate, specific to ASPA"),
    Parameter("services.complementary_health.stigma", 0.0, 1.0, "CSS non-take-up beyond what its amount explains"),
    Parameter("services.in_work_benefit.stigma", 0.0, 1.0, "prime d'activite non-demand: little stigma, online-first since 2016"),
    Parameter("behaviour.channel_online", -1.0, 4.0, "share of adults doing procedures online"),
    Parameter("behaviour.online_intercept", -4.0, 0.0, "online failures: giving up an online procedure"),
    Parameter("behaviour.ask_help", 0.0, 1.0, "help after a failure: giving up for good"),
]

# Parameters that act only once a close_counters event has closed a counter (docs/model.md 6.2, 6.13): a run
# without one gives the same outputs whatever their values, so only the responses can fit them. Boxes: the
# schema's ranges, narrowed where a value beyond has no reading (access: ten times a nested logit's weight).
RESPONSE_PARAMETERS: list[Parameter] = [
    Parameter("behaviour.decision_access", 0.0, 10.0, "applications lost to a farther counter (closure response)"),
    Parameter("behaviour.decision_wait", 0.0, 20.0, "applications lost to the wait at the neighbour's counter"),
    Parameter("mediation.close_with_counters", 0.0, 1.0, "mediation sites closing with the zone's counters"),
    Parameter("population.rural_spacing", 1.0, 5.0, "trip from a closed rural zone to the next counter"),
]


def _service(results: Any, name: str, path: str) -> float:
    services = list(results.coordinate("service"))
    return float(results[path][services.index(name)])


def _procedure(results: Any, indicator: str) -> float:
    return float(results["procedures/share"][list(results.coordinate("procedures/indicator")).index(indicator)])


TARGETS: list[Target] = [
    Target("minimum income, quarterly non-take-up", 0.34, 0.04, "DREES Dossiers n°92 (2022)",
           lambda r: _service(r, "minimum_income", "non_take_up/quarter")),
    Target("minimum income, non-take-up three quarters in a row", 0.20, 0.05, "DREES Dossiers n°92 (2022)",
           lambda r: _service(r, "minimum_income", "non_take_up/persistent")),
    Target("old-age minimum, non-take-up", 0.50, 0.05, "DREES Dossiers n°97 (2022)",
           lambda r: _service(r, "old_age_minimum", "non_take_up/quarter")),
    Target("complementary health cover, non-take-up", 0.44, 0.05, "DREES (2022, 2023)",
           lambda r: _service(r, "complementary_health", "non_take_up/quarter")),
    Target("in-work benefit, non-take-up", 0.30, 0.05, "DGCS/DREES/CNAF 2017",
           lambda r: _service(r, "in_work_benefit", "non_take_up/quarter"), upper_bound=True,
           # 1 point below the bound: the model's 5-95% range over replicates of 50,000 citizens is
           # about +-0.7 point, and a fit on the bound (29.9%) read 30.1% in the validation table
           margin=0.01),
    Target("adults doing an online procedure in the year", 0.67, 0.05, "Insee Focus 267 (2022)",
           lambda r: _procedure(r, "did_online")),
    Target("adults giving up an online procedure at least once", 0.32, 0.05, "Insee Focus 267 (2022)",
           lambda r: _procedure(r, "gave_up_online")),
    Target("adults giving up a procedure for good", 0.08, 0.05, "Insee Focus 267 (2022)",
           lambda r: _procedure(r, "gave_up_for_good")),
]

# Settings of the calibration runs: the scenario's warm-up (with its initial conditions, a stationary
# baseline (docs/model.md section 1)) and its two recorded years, the period the validation table
# (demat.validation) measures: with one recorded year, the minimum income's quarterly non-take-up
# came out about 1.2 points lower in the fit than in the validation (drift and seeds), enough to put
# a fit at 37% outside its +-4 points there.
RUN_SETTINGS: dict[str, Any] = {}


def to_box(u: Sequence[float], parameters: Sequence[Parameter] = PARAMETERS) -> dict[str, float]:
    """Maps a point of [0, 1]^k (clipped) to parameter values."""
    return {p.key: p.low + float(np.clip(x, 0.0, 1.0)) * (p.high - p.low) for p, x in zip(parameters, u)}


def from_box(values: Mapping[str, float], parameters: Sequence[Parameter] = PARAMETERS) -> np.ndarray:
    return np.array([(values[p.key] - p.low) / (p.high - p.low) for p in parameters])


def measure(results: Any, targets: Sequence[Target] = TARGETS) -> np.ndarray:
    """The model's value of every target in one run."""
    return np.array([t.measure(results) for t in targets])


def measure_name(targets: Sequence[Target] = TARGETS) -> str:
    """What a run cache of the calibration holds: the target values, in this order."""
    return "calibrate: " + "; ".join(t.name for t in targets)


def simulate(scenario: Scenario, values: Mapping[str, float], seeds: Sequence[int], population: int,
             threads: int = 1, targets: Sequence[Target] = TARGETS, executor: Any = None,
             cache: RunCache | None = None) -> np.ndarray:
    """Target values [replicate, target] of ``scenario`` with ``values`` changed.

    The replicates run on ``executor`` (demat.sweep's: None for ``threads``
    runs at once here, an Executor, a Dask Client or a scheduler address);
    the values do not depend on it.
    """
    return simulate_many(scenario, [values], seeds, population, threads, targets, executor, cache)[0]


def simulate_many(scenario: Scenario, points: Sequence[Mapping[str, float]], seeds: Sequence[int], population: int,
                  threads: int = 1, targets: Sequence[Target] = TARGETS, executor: Any = None,
                  cache: RunCache | None = None) -> list[np.ndarray]:
    """``simulate`` for several points at once: every run of every point is one task, so a
    cluster runs them all together. With ``cache`` (a demat._runcache.RunCache) each run's target
    values are kept on disk as it ends, and runs already there are not run again."""
    runs = []
    for values in points:
        changes: dict[str, Any] = {"population.size": population, **RUN_SETTINGS, **values}
        sc = scenario.with_changes(changes)
        runs += [(sc, s) for s in seeds]
    if cache is None or cache.what != measure_name(targets):
        # The key names the targets measured: another set of targets is another measure.
        cache = RunCache(None if cache is None else cache.path, measure_name(targets),
                         None if cache is None else cache.log)
    model = np.array(cache.map([sc for sc, _ in runs], [s for _, s in runs],
                               lambda r: [float(v) for v in measure(r, targets)], executor, threads,
                               label=f"{len(points)} point(s)"))
    return [model[i * len(seeds):(i + 1) * len(seeds)] for i in range(len(points))]


@dataclass(frozen=True)
class ResponseSettings:
    """Size of the response experiments of each evaluation (demat.responses): the closure at ``population``
    citizens over ``seeds`` (each seed run with and without the closure), the outreach experiment's three arms at
    ``outreach_population`` over ``outreach_seeds``."""

    population: int
    seeds: tuple[int, ...]
    outreach_population: int
    outreach_seeds: tuple[int, ...]


def simulate_responses(scenario: Scenario, points: Sequence[Mapping[str, float]], settings: ResponseSettings,
                       threads: int = 1, executor: Any = None, cache: RunCache | None = None
                       ) -> list[list[np.ndarray]]:
    """The responses of demat.responses.RESPONSES at each point, each over its own seeds: the closure's first claims
    and new recipients (relative change closed / open - 1 in the closed zones, [closure seed]), the outreach help
    arm's enrolment ([outreach seed]). The runs are demat.validation --responses' own (same seeds, same run cache
    names), so a validation after a fit reads them back."""
    from . import outreach, responses
    from ._runcache import RunCache as _RunCache

    path = None if cache is None else cache.path
    log = None if cache is None else cache.log
    out = []
    for values in points:
        sc = scenario.with_changes(dict(values))
        # The outreach arms close nothing: given only the keys such a run depends on, they are read back from the
        # run cache when only a response parameter moves.
        level_keys = level_run_keys(scenario, [p for p in PARAMETERS + RESPONSE_PARAMETERS if p.key in values])
        plain = scenario.with_changes({k: v for k, v in values.items() if k in level_keys or
                                       k not in {p.key for p in RESPONSE_PARAMETERS}})
        closure = responses.closure_experiment(
            sc, settings.population, list(settings.seeds), executor=executor, workers=threads,
            cache=_RunCache(path, f"responses closure (first claims) share {responses.RANK_GROUP_SHARE}", log))
        arms = outreach.experiment(
            plain, "old_age_minimum", settings.outreach_population, list(settings.outreach_seeds), threads=threads,
            executor=executor, cache=_RunCache(path, "validation outreach: old_age_minimum enrolment", log))
        out.append([np.asarray(closure["first_claims"], dtype=float), np.asarray(closure["first_payments"], dtype=float),
                    np.asarray(arms["letter_and_help"][:, 0], dtype=float)])
    return out


def response_residuals(model: Sequence[np.ndarray]) -> np.ndarray:
    """(mean over its seeds - published) / tolerance for each response of demat.responses.RESPONSES; 1000 for a
    response the model cannot give (no first claim in the closed zones of some seed)."""
    from . import responses

    means = [float(np.mean(v)) if len(v) and np.all(np.isfinite(v)) else np.nan for v in model]
    return np.array([1e3 if np.isnan(m) else (m - r.value) / r.tolerance for r, m in zip(responses.RESPONSES, means)])


def loss(model: Sequence[float], targets: Sequence[Target] = TARGETS) -> float:
    """Sum of squared gaps scaled by the tolerances (mean over replicates first)."""
    return float(sum(t.loss(float(m)) for t, m in zip(targets, model)))


def fit(scenario: Scenario, seeds: Sequence[int], population: int, screening: int, iterations: int,
        threads: int = 1, log: Callable[[str], None] = print, executor: Any = None,
        runs: RunCache | None = None, responses: ResponseSettings | None = None,
        fixed_levels: bool = False, hold: Sequence[str] = ()) -> tuple[dict[str, float], float]:
    """Sobol screening, least squares on the scaled gaps, Nelder-Mead polish; returns the values and their loss.

    ``iterations`` bounds the evaluations of the two local stages together
    (two thirds for least squares, whose finite-difference Jacobians cost
    k + 1 evaluations each, the rest for Nelder-Mead). With ``responses`` the
    gaps of the responses join the levels' and RESPONSE_PARAMETERS the fitted
    parameters; the level runs are given the level parameters only (the others
    act only on a closure: same outputs), so that they are not run again when
    only a response parameter moves. With ``fixed_levels`` only
    RESPONSE_PARAMETERS move (the levels' parameters stay at the scenario's
    values): the levels cannot change, so their gaps are constant, and each
    evaluation costs the closure runs alone.
    """
    parameters = fitted_parameters(responses is not None) if not fixed_levels else list(RESPONSE_PARAMETERS)
    if fixed_levels and responses is None:
        raise ValueError("fixed_levels fits the response parameters only: it needs responses")
    unknown = set(hold) - {p.key for p in fitted_parameters(True)}
    if unknown:
        raise ValueError(f"hold: not a fitted parameter: {', '.join(sorted(unknown))}")
    parameters = [p for p in parameters if p.key not in set(hold)]
    if not parameters:
        raise ValueError("hold: every parameter held, nothing to fit")
    level_keys = level_run_keys(scenario, parameters)
    from scipy.optimize import least_squares, minimize
    from scipy.stats import qmc

    cache: dict[tuple[float, ...], np.ndarray] = {}

    def key_of(u: np.ndarray) -> tuple[float, ...]:
        return tuple(np.round(np.clip(u, 0, 1), 6))

    def evaluate(us: Sequence[np.ndarray]) -> None:
        # All the new points at once: on a cluster their runs go out together.
        keys = list(dict.fromkeys(k for k in map(key_of, us) if k not in cache))
        points = [to_box(k, parameters) for k in keys]
        models = simulate_many(scenario, [{n: v for n, v in pt.items() if n in level_keys} for pt in points], seeds,
                               population, threads, executor=executor, cache=runs)
        answers = (simulate_responses(scenario, points, responses, threads, executor, runs)
                   if responses is not None else [[] for _ in keys])
        for key, model, answer in zip(keys, models, answers):
            level = np.array([t.residual(float(m)) for t, m in zip(TARGETS, model.mean(axis=0))])
            cache[key] = np.concatenate([level, response_residuals(answer)]) if responses is not None else level
            log(f"  eval {len(cache):4d}  loss {float(np.sum(cache[key] ** 2)):10.3f}")

    def residuals(u: np.ndarray) -> np.ndarray:
        evaluate([u])
        return cache[key_of(u)]

    def objective(u: np.ndarray) -> float:
        return float(np.sum(residuals(u) ** 2))

    k = len(parameters)
    start = np.clip(from_box({p.key: _current(scenario, p.key) for p in parameters}, parameters), 0, 1)
    points = [start]
    if screening > 0:
        points += list(qmc.Sobol(d=k, scramble=True, seed=12345).random(screening))
    log(f"screening {len(points)} points (Sobol, {len(seeds)} replicates of {population} citizens each)")
    evaluate(points)
    scores = [objective(p) for p in points]
    best = points[int(np.argmin(scores))]
    budget = max(0, iterations - len(cache))
    lsq_iterations = max(1, (2 * budget // 3) // (k + 1))
    log(f"least squares from loss {min(scores):.3f} ({lsq_iterations} iterations)")
    res = least_squares(residuals, best, bounds=(0.0, 1.0), diff_step=0.03, max_nfev=lsq_iterations,
                        x_scale=1.0, method="trf")
    objective(res.x)
    best = _best(cache)  # the best point seen, which least squares does not always return
    remaining = max(0, iterations - len(cache))
    log(f"Nelder-Mead from loss {objective(best):.3f} ({remaining} evaluations)")
    if remaining > k + 1:
        simplex = [best] + [np.clip(best + 0.05 * np.eye(k)[i] * (1 if best[i] < 0.9 else -1), 0, 1) for i in range(k)]
        nm = minimize(objective, best, method="Nelder-Mead",
                      options={"maxfev": remaining, "xatol": 1e-3, "fatol": 1e-2, "initial_simplex": np.array(simplex)})
        objective(nm.x)
        best = _best(cache)
    return to_box(best, parameters), objective(best)


# Timeline events after which the response parameters can act (docs/model.md 6.2, 6.13): a scenario with one of
# them gives level runs that depend on every parameter.
CLOSING_EVENTS = ("close_counters", "close_channel")


def level_run_keys(scenario: Scenario, parameters: Sequence[Parameter]) -> set[str]:
    """The fitted keys a run without a closure can depend on: every one if the scenario's own timeline closes
    something, else all but RESPONSE_PARAMETERS (which act only once a counter has closed)."""
    keys = {p.key for p in parameters}
    if any(e.get("event") in CLOSING_EVENTS for e in scenario.to_dict().get("timeline") or []):
        return keys
    return keys - {p.key for p in RESPONSE_PARAMETERS}


def fitted_parameters(responses: bool) -> list[Parameter]:
    """The parameters a fit moves: the levels', and with the responses those that act only on them."""
    return PARAMETERS + (RESPONSE_PARAMETERS if responses else [])


def _best(cache: Mapping[tuple[float, ...], np.ndarray]) -> np.ndarray:
    return np.array(min(cache, key=lambda key: float(np.sum(cache[key] ** 2))))


def _current(scenario: Scenario, key: str) -> float:
    node: Any = scenario.to_dict()
    for part in key.split("."):
        node = node[part]
    return float(node)


# ---------------------------------------------------------------- writing

def set_toml_value(text: str, key: str, value: Any, comment: str) -> str:
    """Sets ``key`` (dotted: table then key) in scenario text, in place.

    The key's line in its table (possibly a commented default ``# key = ...``)
    is replaced; a key absent from its table is added after the header. A
    root key goes before the first table.
    """
    table, _, name = key.rpartition(".")
    literal = repr(value) if isinstance(value, (int, float)) else f'"{value}"'
    line = f"{name} = {literal}   # {comment}"
    lines = text.splitlines()
    header = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")
    start = 0
    if table:
        starts = [i for i, ln in enumerate(lines) if (m := header.match(ln)) and m.group(1).strip() == table]
        if not starts:
            raise KeyError(f"no table [{table}] in the scenario file")
        start = starts[0] + 1
    stop = next((i for i in range(start, len(lines)) if header.match(lines[i]) or lines[i].startswith("[[")), len(lines))
    pattern = re.compile(rf"^\s*#?\s*{re.escape(name)}\s*=")
    for i in range(start, stop):
        if pattern.match(lines[i]):
            lines[i] = line
            # an indented comment under the old line continued its comment: drop it with it
            while i + 1 < len(lines) and re.match(r"^\s+#", lines[i + 1]):
                del lines[i + 1]
            break
    else:
        lines.insert(start, line)
    return "\n".join(lines) + "\n"


BEGIN, END = "# calibration:begin", "# calibration:end"


def write_fit(path: Path, values: Mapping[str, float], report: str, today: str) -> None:
    """Writes the fitted values and the fit (as comments) into the scenario file, atomically."""
    text = path.read_text()
    for key, v in values.items():
        text = set_toml_value(text, key, round(float(v), 4), f"calibrated {today} (python3 -m demat.calibrate)")
    block = "\n".join([BEGIN, f"# Behaviour calibrated on {today} by `python3 -m demat.calibrate`; fit:"] +
                      ["# " + ln if ln else "#" for ln in report.splitlines()] + [END])
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        first_key = re.search(r"^name\s*=", text, flags=re.M)
        pos = first_key.start() if first_key else 0
        text = text[:pos] + block + "\n\n" + text[pos:]
    tmp = path.with_suffix(path.suffix + f".tmp-{os.getpid()}")
    tmp.write_text(text)
    Scenario.load(tmp)  # refuse to install a file the reader rejects
    tmp.replace(path)


def fit_table(model: np.ndarray, targets: Sequence[Target] = TARGETS) -> str:
    """Target by target: published, model mean and 5-95% over replicates, loss term."""
    rows = [f"{'target':55s} {'published':>9s} {'model':>7s} {'5-95%':>13s} {'loss':>7s}"]
    for j, t in enumerate(targets):
        col = model[:, j]
        lo, hi = np.quantile(col, [0.05, 0.95])
        rows.append(f"{t.name:55s} {t.shown():>9s} {col.mean():7.1%} {lo:6.1%}-{hi:6.1%} {t.loss(col.mean()):7.2f}")
    rows.append(f"{'total loss':55s} {'':9s} {'':7s} {'':13s} {loss(model.mean(axis=0), targets):7.2f}")
    return "\n".join(rows)


def response_table(model: Sequence[np.ndarray], settings: ResponseSettings) -> str:
    """Response by response: published, model mean and 5-95% over the fit's seeds, loss term."""
    from . import responses

    rows = [f"responses (closure: {len(settings.seeds)} seeds of {settings.population} citizens, closed and open; "
            f"outreach: {len(settings.outreach_seeds)} seeds of {settings.outreach_population}; the fit's own seeds: "
            "check them on fresh ones with python3 -m demat.validation --responses):",
            f"{'response':55s} {'published':>9s} {'model':>7s} {'5-95%':>15s} {'loss':>7s}"]
    for r, v, res in zip(responses.RESPONSES, model, response_residuals(model)):
        lo, hi = np.quantile(v, [0.05, 0.95])
        rows.append(f"{r.name[:55]:55s} {r.value:>+9.0%} {np.mean(v):>+7.1%} {lo:+7.1%}-{hi:+7.1%} {res ** 2:7.2f}")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m demat.calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario file to calibrate and update")
    ap.add_argument("--population", type=int, default=20000, help="citizens per run (default 20000)")
    ap.add_argument("--replicates", type=int, default=2, help="seeds per evaluation (default 2)")
    ap.add_argument("--screening", type=int, default=31, help="Sobol points before Nelder-Mead, besides the current values (default 31)")
    ap.add_argument("--iterations", type=int, default=200, help="evaluations in all, screening included (default 200)")
    ap.add_argument("--check-replicates", type=int, default=10, help="seeds for the final fit table (default 10)")
    ap.add_argument("--threads", type=int, default=1, help="runs at once on this machine (default 1)")
    ap.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on the workers of this Dask scheduler")
    ap.add_argument("--dry-run", action="store_true", help="print the fit, do not write the scenario")
    ap.add_argument("--cache", type=Path, default=REPO / "results" / "calibrate-runs.jsonl",
                    help="the target values of every finished run, written as each run ends and read back: "
                         "an interrupted calibration run again computes only the missing runs "
                         "(default results/calibrate-runs.jsonl)")
    ap.add_argument("--responses", action="store_true",
                    help="fit the published responses too (demat.responses: closing counters, outreach with help), "
                         "with the parameters that act only on them (RESPONSE_PARAMETERS)")
    ap.add_argument("--fixed-levels", action="store_true",
                    help="with --responses: move only the response parameters, the levels' staying at the scenario's "
                         "values (their targets cannot change: each evaluation is the closure runs alone)")
    ap.add_argument("--hold", action="append", default=[], metavar="KEY",
                    help="keep this fitted parameter at the scenario's value (repeat for several; e.g. the response "
                         "parameters while the levels and the outreach arm are fitted)")
    ap.add_argument("--response-population", type=int, default=50000,
                    help="with --responses: citizens per closure run (default 50000)")
    ap.add_argument("--response-replicates", type=int, default=10,
                    help="with --responses: closure seeds per evaluation, each run closed and open (default 10)")
    ap.add_argument("--outreach-population", type=int, default=50000,
                    help="with --responses: citizens per outreach run (default 50000)")
    ap.add_argument("--outreach-replicates", type=int, default=2,
                    help="with --responses: outreach seeds per evaluation, three arms each (default 2)")
    args = ap.parse_args(argv)
    for name in ("population", "replicates", "check_replicates", "threads", "response_population",
                 "response_replicates", "outreach_population", "outreach_replicates"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')}: expected a positive integer, got {getattr(args, name)}")
    if args.fixed_levels and not args.responses:
        ap.error("--fixed-levels: only with --responses")
    allowed = {p.key for p in fitted_parameters(args.responses)}
    for key in args.hold:
        if key not in allowed:
            ap.error(f"--hold: expected one of the fitted parameters ({', '.join(sorted(allowed))}), got {key!r}")
    if args.iterations < 0 or args.screening < 0:
        ap.error("--iterations and --screening: expected integers >= 0")
    from ._outputs import check_writable_file

    if not args.dry_run:  # the fit is written into the scenario: checked before hours of runs
        check_writable_file(args.scenario, "--scenario", must_exist=True)
    if args.cache == ap.get_default("cache"):
        args.cache.parent.mkdir(parents=True, exist_ok=True)
    check_writable_file(args.cache, "--cache")

    scenario = Scenario.load(args.scenario)
    seeds = [1000 + i for i in range(args.replicates)]
    try:
        client = connect_scheduler(args.scheduler)
    except (ValueError, ConnectionError) as e:
        print(f"{ap.prog}: --scheduler: {e}", file=sys.stderr)
        return 2
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    runs = RunCache(args.cache, measure_name(), log)
    settings = (ResponseSettings(args.response_population, tuple(1 + i for i in range(args.response_replicates)),
                                 args.outreach_population, tuple(1 + i for i in range(args.outreach_replicates)))
                if args.responses else None)
    answer: list[np.ndarray] = []
    try:
        values, best = fit(scenario, seeds, args.population, args.screening, args.iterations, args.threads,
                           log=log, executor=client, runs=runs, responses=settings, fixed_levels=args.fixed_levels,
                           hold=args.hold)
        keep = level_run_keys(scenario, fitted_parameters(True))
        check = simulate(scenario, {k: v for k, v in values.items() if k in keep},
                         [2000 + i for i in range(args.check_replicates)], args.population,
                         args.threads, executor=client, cache=runs)
        if settings is not None:  # the fit's own runs, read back from the run cache
            answer = simulate_responses(scenario, [values], settings, args.threads, client, runs)[0]
    finally:
        if client is not None:
            client.close()
    def at_bound(p: Parameter) -> str:
        u = (values[p.key] - p.low) / (p.high - p.low)
        return "   (at the bound of its box: the fit wants beyond)" if u < 0.005 or u > 0.995 else ""

    report = "\n".join(
        [f"{p.key} = {values[p.key]:.4f}{at_bound(p)}" if p.key in values else
         f"{p.key} = {_current(scenario, p.key):.4f}   (held at the scenario's value: "
         f"{'--hold' if p.key in args.hold else '--fixed-levels'})"
         for p in fitted_parameters(settings is not None)] + [""] +
        [f"{args.check_replicates} replicates of {args.population} citizens, loss at the fit {best:.2f}:", fit_table(check)])
    if settings is not None:
        report += "\n\n" + response_table(answer, settings)
    print(report)
    if not args.dry_run:
        write_fit(args.scenario, values, report, _dt.date.today().isoformat())
        print(f"written to {args.scenario}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
