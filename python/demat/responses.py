"""Responses fitted to evidence: what the model does when a policy changes.

Two published responses (sources and assumptions in docs/validation.md,
section "Responses"):

- **Closing counters** (Deshpande & Li 2019, American Economic Journal:
  Economic Policy 11(4), "Who is screened out? Application costs and the
  targeting of disability programs"): closing a Social Security field office
  reduced disability applications by about 10% and the number of new
  recipients by about 16% in the surrounding areas over the following two
  years, with larger falls for the low educated, through congestion at
  neighbouring offices. In the model: the same scenario and seed run twice,
  with and without a ``close_counters`` event (every service, a ``share`` of
  all zones, recorded day 0); in the zones it closes (``/counter_closure``,
  rank group ``0.0-0.2`` for a share of 0.2: the same zones in both runs),
  first claims (``first_claims``: applications, the claims of units not paid
  yet in their eligibility spell, docs/output.md) and first payments (new
  recipients) of the benefits over the recorded period (two years in
  scenarios/hybrid.toml), relative change closed / open - 1, per replicate;
  the same by education (none_primary against higher). Every claim filed
  (``claims_submitted``, re-claims of interrupted rights included) is
  shown as a secondary row, not judged.
- **Outreach with help** (Finkelstein & Notowidigdo 2019, demat.outreach):
  the letter-plus-help arm's enrolment over 9 months, 18%.

``python3 -m demat.validation --responses`` prints the model against the
published figure for each, with the 5-95% interval over the replicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import outreach
from ._distributed import map_runs
from ._scenario import Scenario

CLOSURE_SOURCE = ("Deshpande & Li (2019), AEJ: Economic Policy 11(4)")
OUTREACH_SOURCE = "Finkelstein & Notowidigdo (2019), QJE 134(3)"
# The zones a close_counters of this share closes, every counter open, are
# /counter_closure's first rank groups (fifths): the share must be k/5.
RANK_GROUP_SHARE = 0.2


@dataclass(frozen=True)
class Response:
    """A published response: its value and the tolerance the model must meet.

    ``value`` is a relative change (closure) or a share (outreach);
    ``tolerance`` in the same unit, absolute. The tolerances are this
    project's (docs/validation.md, Responses), not published intervals."""

    name: str
    value: float
    tolerance: float
    source: str

    def within(self, model: float) -> bool:
        return abs(model - self.value) <= self.tolerance


RESPONSES = (
    Response("closure: first claims (applications) in the closed zones (2 years)", -0.10, 0.05, CLOSURE_SOURCE),
    Response("closure: new recipients in the closed zones (2 years)", -0.16, 0.05, CLOSURE_SOURCE),
    Response("outreach: letter and help, enrolment over 9 months", outreach.PUBLISHED["letter_and_help"], 0.05,
             OUTREACH_SOURCE),
)


def closure_scenario(base: Scenario, share: float, population: int) -> Scenario:
    """``base`` at ``population`` citizens with the counters of every service closed in ``share`` of the zones on
    recorded day 0."""
    sc = base.with_changes({"population.size": population})
    return Scenario.from_toml(sc.to_toml() + f'\n[[timeline]]\nday = 0\nevent = "close_counters"\nservice = "*"\n'
                                             f'share = {share!r}\n')


def benefits(scenario: Scenario) -> list[str]:
    """The scenario's services of kind benefit (obligations are left out: the published response is about a
    benefit)."""
    return [name for name, svc in scenario.to_dict()["services"].items() if svc.get("kind", "benefit") == "benefit"]


# The closure's measures, in the order of the experiment's 'open' and 'closed' arrays: first claims
# (applications, judged), first payments (new recipients, judged), every claim filed (secondary).
MEASURES = ("first_claims", "first_payments", "claims_submitted")


def closure_counts(r: Any, services: Sequence[str], share: float = RANK_GROUP_SHARE) -> dict[str, Any]:
    """First claims, first payments and claims filed over the recorded run in the zones a closure of ``share``
    closes, summed over ``services``, by education [none_primary, secondary, higher]. JSON data, for the run
    cache."""
    groups = int(round(share * 5))
    names = [str(s) for s in r.coordinate("service")]
    idx = [names.index(s) for s in services]
    out: dict[str, Any] = {}
    for m in MEASURES:
        a = np.asarray(r[f"counter_closure/{m}"], dtype=np.int64)  # [day, service, rank, education]
        out[m] = [int(v) for v in a[:, idx, :groups, :].sum(axis=(0, 1, 2))]
    return out


def closure_experiment(base: Scenario, population: int, seeds: Sequence[int], share: float = RANK_GROUP_SHARE,
                       executor: Any = None, workers: int | None = None, cache: Any = None) -> dict[str, np.ndarray]:
    """Relative change closed / open - 1 per seed, in the zones closed: each of MEASURES ([seed]), and each by
    education ('<measure>_by_education', [seed, education]); 'open' and 'closed' the counts themselves
    ([seed, measure, education], measures in the order of MEASURES)."""
    if abs(share * 5 - round(share * 5)) > 1e-12 or not 0 < share < 1:
        raise ValueError(f"share must be 0.2, 0.4, 0.6 or 0.8 (the fifths of /counter_closure), got {share!r}")
    open_sc = base.with_changes({"population.size": population})
    closed_sc = closure_scenario(base, share, population)
    scenarios = [open_sc] * len(seeds) + [closed_sc] * len(seeds)
    run_seeds = list(seeds) * 2

    services = benefits(open_sc)

    def measure(r: Any) -> dict[str, Any]:
        return closure_counts(r, services, share)

    if cache is not None:
        values = cache.map(scenarios, run_seeds, measure, executor, workers, label="closure experiment")
    else:
        values = [measure(r) for r in map_runs(scenarios, run_seeds, executor, workers=workers)]
    n = len(seeds)
    counts = np.array([[v[m] for m in MEASURES] for v in values], dtype=float)
    opened, closed = counts[:n], counts[n:]
    with np.errstate(invalid="ignore", divide="ignore"):
        total = closed.sum(axis=2) / opened.sum(axis=2) - 1.0  # [seed, measure]
        by_edu = closed / opened - 1.0  # [seed, measure, education]
    out: dict[str, np.ndarray] = {"open": opened, "closed": closed}
    for i, m in enumerate(MEASURES):
        out[m] = total[:, i]
        out[f"{m}_by_education"] = by_edu[:, i, :]
    return out


def _cell(x: np.ndarray) -> str:
    lo, hi = np.quantile(x, [0.05, 0.95])
    return f"{x.mean():+.1%} ({lo:+.1%} to {hi:+.1%})"


def evaluate(closure: dict[str, np.ndarray], help_arm: np.ndarray) -> list[tuple[Response, np.ndarray, bool]]:
    """Each response with the model's values over the seeds and whether their mean is within tolerance."""
    values = [closure["first_claims"], closure["first_payments"], help_arm]
    return [(resp, v, resp.within(float(np.mean(v)))) for resp, v in zip(RESPONSES, values)]


# The measures whose education gradient is judged (the published applications and new recipients).
JUDGED_GRADIENTS = ("first_claims", "first_payments")


def education_gradient(closure: dict[str, np.ndarray], measures: Sequence[str] = JUDGED_GRADIENTS
                       ) -> dict[str, np.ndarray]:
    """Per seed, the fall for none_primary minus the fall for higher (> 0: the low educated fall more)."""
    return {m: -(closure[f"{m}_by_education"][:, 0] - closure[f"{m}_by_education"][:, 2]) for m in measures}


def table(closure: dict[str, np.ndarray], outreach_result: dict[str, np.ndarray], share: float) -> str:
    help_arm = outreach_result["letter_and_help"][:, 0]
    rows = ["| response | published | tolerance | model mean (5-95%) | within tolerance | source |",
            "|---|---|---|---|---|---|"]
    for resp, v, ok in evaluate(closure, help_arm):
        shown = f"{resp.value:.0%}" if resp.value > 0 else f"{resp.value:+.0%}"
        cell = _cell(v) if resp.value < 0 else f"{v.mean():.1%} ({np.quantile(v, 0.05):.1%} to {np.quantile(v, 0.95):.1%})"
        rows.append(f"| {resp.name} | {shown} | ±{resp.tolerance * 100:.0f} pt | {cell} | {'yes' if ok else 'no'} | "
                    f"{resp.source} |")
        if resp is RESPONSES[0]:  # every claim filed, re-claims included: shown, not judged
            rows.append(f"| closure: claims filed, re-claims included (secondary) | | | "
                        f"{_cell(closure['claims_submitted'])} | not judged | {resp.source} |")
    grad = education_gradient(closure, MEASURES)
    rows += ["", f"By education, in the closed zones ({share:.0%} of the zones; relative change closed / open - 1; "
             "published: larger falls for the low educated):", "",
             "| measure | none_primary | secondary | higher | low minus high fall > 0 in |", "|---|---|---|---|---|"]
    for m in MEASURES:
        e = closure[f"{m}_by_education"]
        rows.append(f"| {m} | {_cell(e[:, 0])} | {_cell(e[:, 1])} | {_cell(e[:, 2])} | "
                    f"{int((grad[m] > 0).sum())} of {len(grad[m])} seeds |")
    o, c = closure["open"].sum(axis=2).mean(axis=0), closure["closed"].sum(axis=2).mean(axis=0)
    rows += ["", f"Counts in the closed zones, mean per seed: first claims {o[0]:.0f} open, {c[0]:.0f} closed; "
             f"first payments {o[1]:.0f} open, {c[1]:.0f} closed; claims filed {o[2]:.0f} open, {c[2]:.0f} closed."]
    return "\n".join(rows)


def run(scenario: Scenario, population: int, replicates: int, outreach_population: int, outreach_replicates: int,
        share: float = RANK_GROUP_SHARE, executor: Any = None, workers: int | None = None, cache_path: Any = None,
        log=print, first_seed: int = 1) -> tuple[str, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The responses' table, the closure experiment and the outreach experiment, on the seeds from
    ``first_seed`` (demat.calibrate --responses fits on the seeds from 1: another start gives fresh replicates)."""
    from ._runcache import RunCache

    seeds = [first_seed + i for i in range(replicates)]
    log(f"  closure experiment: {replicates} seeds x 2 runs of {population} citizens")
    closure = closure_experiment(scenario, population, seeds, share, executor, workers,
                                 cache=RunCache(cache_path, f"responses closure (first claims) share {share}", log))
    log(f"  outreach experiment: {outreach_replicates} seeds x 3 arms of {outreach_population} citizens")
    result = outreach.experiment(scenario, "old_age_minimum", outreach_population,
                                 [first_seed + i for i in range(outreach_replicates)], threads=workers or 0,
                                 executor=executor,
                                 cache=RunCache(cache_path, "validation outreach: old_age_minimum enrolment", log))
    return table(closure, result, share), closure, result
