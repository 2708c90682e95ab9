"""The outreach experiment: no contact, a letter, a letter plus help.

``python3 -m demat.outreach`` reproduces, in the model, the design of
Finkelstein & Notowidigdo (QJE 2019): eligible non-claimants (there, SNAP
among people 60+) randomised to no contact, an information letter, or the
letter plus help to apply; enrolment over 9 months was 6%, 11% and 18%.

In the model (assumptions, docs/validation.md):
- the cohort is every citizen eligible and not receiving the service on
  recorded day 0 (``cohort/members``), and its subset unaware of it that day;
  enrolment is receiving it on some day of the 273 recorded days (9 months)
  (``cohort/enrolment``);
- the letter is the timeline event ``eligibility_letter`` on day 1 (docs/model.md
  6.16), read and believed with probability ``LETTER_READ`` = 1 - exp(-1) = 63%
  (not every letter is opened and understood): it tells an eligible citizen
  who does not receive the service that they are likely entitled, so an
  unaware one learns of the right, believing it is entitled, and one who
  believed not to be entitled learns that they are; both then decide as
  anyone aware does (docs/model.md 6.2), the next day; one who knew they
  were entitled and had declined is prompted: they decide again the next
  day, with the same weights (the trial's letter said how to apply);
- the help is the letter plus, for the 9 months, a first claim whose
  complexity is cut to ``HELP_COMPLEXITY_FACTOR`` of its value
  (``set_complexity``): the helper carries most of the learning and
  compliance costs, which lowers both the deterrence of complexity in the
  decision and the failures of the procedure.
Each arm is a separate run of the same scenario and seeds, so the arms
differ only by the treatment (common random numbers).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._distributed import map_runs
from ._scenario import Scenario
from ._simulation import Simulation

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = REPO / "scenarios" / "hybrid.toml"
NINE_MONTHS = 273
HELP_COMPLEXITY_FACTOR = 0.3
LETTER_READ = round(1.0 - float(np.exp(-1.0)), 6)
PUBLISHED = {"no_contact": 0.06, "letter": 0.11, "letter_and_help": 0.18}
ARMS = tuple(PUBLISHED)


def _timeline(service: str, arm: str, complexity_first: float) -> str:
    events = []
    if arm in ("letter", "letter_and_help"):
        # Day 1: the cohort is taken on day 0, after that day's events (a
        # letter on day 0 would take its readers out of the unaware group).
        events.append(("eligibility_letter", 1, {"share": LETTER_READ}))
    if arm == "letter_and_help":
        events.append(("set_complexity", 0, {"first": round(complexity_first * HELP_COMPLEXITY_FACTOR, 6)}))
    out = []
    for event, day, keys in events:
        out.append(f'\n[[timeline]]\nday = {day}\nevent = "{event}"\nservice = "{service}"\n' +
                   "".join(f"{k} = {v!r}\n" for k, v in keys.items()))
    return "".join(out)


def arm_scenario(base: Scenario, service: str, arm: str, population: int) -> Scenario:
    """The scenario of one arm: ``base`` over nine recorded months, plus the arm's timeline."""
    if arm not in ARMS:
        raise ValueError(f"arm must be one of {', '.join(ARMS)}, got {arm!r}")
    sc = base.with_changes({"population.size": population, "days": NINE_MONTHS})
    svc = sc.to_dict()["services"][service]
    text = sc.to_toml() + _timeline(service, arm, float(svc["complexity_first"]))
    return Scenario.from_toml(text)


def experiment(scenario: Scenario, service: str = "old_age_minimum", population: int = 50000,
               seeds: Sequence[int] = (1, 2, 3), threads: int = 0, executor: Any = None,
               cache: Any = None) -> dict[str, np.ndarray]:
    """Enrolment [seed, group] per arm; group 0: not receiving on day 0, 1: unaware on day 0.

    Without ``executor`` the runs go one after the other, each on ``threads``
    threads; with one (demat.sweep's: an Executor, a Dask Client or a
    scheduler address) every (arm, seed) run is a task. Same numbers. With
    ``cache`` (a demat._runcache.RunCache), every run's enrolment is kept on
    disk as it ends and runs already there are not run again.
    """
    arms = {arm: arm_scenario(scenario, service, arm, population) for arm in ARMS}

    def enrolment(r: Any) -> list[float]:
        s = list(r.coordinate("service")).index(service)
        return [float(v) for v in np.asarray(r["cohort/enrolment"][s], dtype=float)]

    scenarios = [sc for sc in arms.values() for _ in seeds]
    run_seeds = [s for _ in arms for s in seeds]
    if cache is not None:
        values = cache.map(scenarios, run_seeds, enrolment, executor, threads or None, label="outreach experiment")
    elif executor is None:
        values = [enrolment(Simulation(sc, seed=seed, threads=threads).run().results)
                  for sc, seed in zip(scenarios, run_seeds)]
    else:
        values = [enrolment(r) for r in map_runs(scenarios, run_seeds, executor)]
    return {arm: np.array(values[a * len(seeds):(a + 1) * len(seeds)]) for a, arm in enumerate(ARMS)}


def table(result: dict[str, np.ndarray]) -> str:
    rows = ["| arm | published (F&N 2019) | model: eligible not receiving | model: unaware |", "|---|---|---|---|"]
    for arm in ARMS:
        e = result[arm]
        cells = []
        for g in range(2):
            lo, hi = np.quantile(e[:, g], [0.05, 0.95])
            cells.append(f"{e[:, g].mean():.1%} ({lo:.1%}-{hi:.1%})")
        rows.append(f"| {arm.replace('_', ' ')} | {PUBLISHED[arm]:.0%} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m demat.outreach", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    ap.add_argument("--service", default="old_age_minimum", help="service written to (default old_age_minimum: "
                    "the elderly, like the SNAP 60+ of the trial)")
    ap.add_argument("--population", type=int, default=50000)
    ap.add_argument("--replicates", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args(argv)
    result = experiment(Scenario.load(args.scenario), args.service, args.population,
                        [1 + i for i in range(args.replicates)], args.threads)
    print(f"Enrolment over 9 months ({args.service}, {args.replicates} replicates of {args.population} citizens; "
          "mean and 5-95% interval):")
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
