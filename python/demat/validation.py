"""Regenerates the measured tables of docs/validation.md.

``python3 -m demat.validation`` runs the shipped baseline
(scenarios/hybrid.toml, its full recorded period) over several seeds and
writes, between the ``<!-- validation:begin -->`` and ``<!-- validation:end -->``
markers of docs/validation.md: every calibration target with its source,
the model's mean and 5-95% interval over the replicates; the take-up of every
service at recorded days 0, 364 and the last (stationarity); and the outreach
experiment (demat.outreach). The prose around the markers is written by
hand; the numbers are not.

``python3 -m demat.validation --responses`` measures the responses instead
(demat.responses: closing counters against Deshpande & Li 2019, the outreach
help arm against Finkelstein & Notowidigdo 2019) and prints the model
against the published figure for each, with the 5-95% interval over the
replicates; with ``--write`` it also puts the table between the
``<!-- responses:begin -->`` and ``<!-- responses:end -->`` markers of the
document. It exits 1 when a response is outside its tolerance.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import calibrate, outreach
from ._distributed import connect_scheduler
from ._runcache import RunCache
from ._scenario import Scenario

REPO = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- validation:begin -->", "<!-- validation:end -->"
RESPONSES_BEGIN, RESPONSES_END = "<!-- responses:begin -->", "<!-- responses:end -->"
SUMMARY_BEGIN, SUMMARY_END = "<!-- calibration:begin -->", "<!-- calibration:end -->"


def _interval(x: np.ndarray) -> str:
    lo, hi = np.quantile(x, [0.05, 0.95])
    return f"{x.mean():.1%} | {lo:.1%}-{hi:.1%}"


def _baseline(r: Any) -> dict[str, Any]:
    """What the tables use of one baseline run (JSON data, for the run cache)."""
    c = np.asarray(r["counts"], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        take_up = c[:, :, 1] / c[:, :, 0]
    return {"targets": [float(v) for v in calibrate.measure(r)], "take_up": take_up.tolist(),
            "services": [str(s) for s in r.coordinate("service")]}


def tables(scenario_path: Path, population: int, replicates: int, outreach_population: int,
           outreach_replicates: int, log=print, executor: Any = None, workers: int | None = None,
           cache: Path | None = None) -> str:
    """The tables; every run is a task on ``executor`` (demat.sweep's: None for
    ``workers`` threads here, an Executor, a Dask Client or a scheduler
    address), with the same numbers whatever it is. With ``cache`` (a
    JSON-lines file) every run's figures are written there as it ends and
    runs already there are read back instead of run again."""
    return measure(scenario_path, population, replicates, outreach_population, outreach_replicates, log,
                   executor, workers, cache)["tables"]


def summary(values: np.ndarray, population: int, replicates: int) -> str:
    """The README's sentence on the calibration, from the same values as the
    table of docs/validation.md (``values``: [seed, target]), so that the two
    cannot disagree."""
    parts, met = [], 0
    for j, t in enumerate(calibrate.TARGETS):
        m = values[:, j].mean()
        ok = t.met(m)
        met += ok
        parts.append(f"{t.name} {m:.1%} (published {t.shown()}{'' if ok else ', outside its tolerance'})")
    return (f"{met} of {len(calibrate.TARGETS)} calibration targets within their tolerances "
            f"(`scenarios/hybrid.toml`, {population} citizens, mean over {replicates} seeds): " + "; ".join(parts) + ".")


def measure(scenario_path: Path, population: int, replicates: int, outreach_population: int,
            outreach_replicates: int, log=print, executor: Any = None, workers: int | None = None,
            cache: Path | None = None) -> dict[str, str]:
    """``tables`` and the README's ``summary`` of one set of runs."""
    scenario = Scenario.load(scenario_path).with_changes({"population.size": population})
    seeds = [1 + i for i in range(replicates)]
    log(f"  baseline: {len(seeds)} seeds")
    runs = RunCache(cache, "validation baseline: " + calibrate.measure_name(), log)
    baseline = runs.map([scenario] * len(seeds), seeds, _baseline, executor, workers, label="baseline")
    values = np.array([b["targets"] for b in baseline])
    take_up = np.array([b["take_up"] for b in baseline], dtype=float)  # [seed, day, service]
    services = baseline[-1]["services"]
    days = take_up.shape[1]
    out = [f"Baseline: `scenarios/hybrid.toml` as shipped ({scenario.warmup_days} warm-up days, {days} recorded), "
           f"{population} citizens, {replicates} seeds (1-{replicates}).", "",
           "| target | published | source | model mean | model 5-95% | within tolerance |", "|---|---|---|---|---|---|"]
    for j, t in enumerate(calibrate.TARGETS):
        m = values[:, j].mean()
        ok = t.met(m)
        tol = f"must be below {t.value:.0%}" if t.upper_bound else f"±{t.tolerance * 100:.0f} pt"
        out.append(f"| {t.name} | {t.shown()} | {t.source} | {_interval(values[:, j])} | "
                   f"{'yes' if ok else 'no'} ({tol}) |")
    out += ["", "Take-up (share of the eligible receiving), mean over the seeds, by recorded day:", "",
            "| recorded day | " + " | ".join(services) + " |", "|---|" + "---|" * len(services)]
    for d in sorted({0, min(364, days - 1), days - 1}):
        out.append(f"| {d} | " + " | ".join(f"{take_up[:, d, s].mean():.1%}" for s in range(len(services))) + " |")
    log("  outreach experiment")
    result = outreach.experiment(Scenario.load(scenario_path), "old_age_minimum", outreach_population,
                                 [1 + i for i in range(outreach_replicates)], threads=workers or 0, executor=executor,
                                 cache=RunCache(cache, "validation outreach: old_age_minimum enrolment", log))
    out += ["", f"Outreach experiment (`python3 -m demat.outreach --population {outreach_population} "
            f"--replicates {outreach_replicates}`): enrolment over 9 months in the old-age minimum among citizens "
            "eligible and not receiving it on recorded day 0, and among those of them unaware of it; mean and 5-95% "
            "interval over the seeds.", "", outreach.table(result)]
    return {"tables": "\n".join(out), "summary": summary(values, population, replicates)}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m demat.validation", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, default=REPO / "scenarios" / "hybrid.toml")
    ap.add_argument("--population", type=int, default=50000)
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--outreach-population", type=int, default=50000)
    ap.add_argument("--outreach-replicates", type=int, default=3)
    ap.add_argument("--doc", type=Path, default=REPO / "docs" / "validation.md")
    ap.add_argument("--readme", type=Path, default=None,
                    help="where the calibration sentence goes, between its calibration markers (default: the "
                         "repository's README.md when --doc is the repository's docs/validation.md and --scenario "
                         "the shipped baseline; otherwise nowhere unless given)")
    ap.add_argument("--threads", type=int, default=0, help="runs at once on this machine (default: one per core)")
    ap.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on the workers of this Dask scheduler")
    ap.add_argument("--cache", type=Path, default=REPO / "results" / "validation-runs.jsonl",
                    help="the figures of every finished run, written as each run ends and read back: an "
                         "interrupted validation run again computes only the missing runs "
                         "(default results/validation-runs.jsonl)")
    ap.add_argument("--responses", action="store_true",
                    help="measure the responses (closing counters, outreach with help: demat.responses) and print "
                         "model against published with 5-95%% intervals, instead of the baseline tables; exit 1 "
                         "if one is outside its tolerance")
    ap.add_argument("--closure-share", type=float, default=0.2,
                    help="with --responses: share of the zones whose counters close (0.2, 0.4, 0.6 or 0.8)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="with --responses: a scenario change for every run (e.g. behaviour.decision_access=1), "
                         "to measure the responses of a variant; repeatable")
    ap.add_argument("--write", action="store_true",
                    help="with --responses: also write the table between the responses markers of --doc")
    args = ap.parse_args(argv)
    if args.responses:
        return _responses(ap, args)
    # Before the runs, not after (issue 12): the document must take the table.
    from ._outputs import check_writable_file

    check_writable_file(args.doc, "--doc", must_exist=True)
    # The README takes the sentence of the table that goes into the
    # repository's document only: a run writing its table elsewhere (a
    # test, a variant) must not rewrite the README.
    if args.readme is None and args.doc == ap.get_default("doc") and args.scenario == ap.get_default("scenario"):
        args.readme = REPO / "README.md"
    if args.readme is not None:
        check_writable_file(args.readme, "--readme", must_exist=True)
    if args.cache == ap.get_default("cache"):
        args.cache.parent.mkdir(parents=True, exist_ok=True)
    check_writable_file(args.cache, "--cache")
    if BEGIN not in args.doc.read_text():
        raise SystemExit(f"{args.doc}: no {BEGIN} marker")
    try:
        client = connect_scheduler(args.scheduler)
    except (ValueError, ConnectionError) as e:
        print(f"{ap.prog}: --scheduler: {e}", file=sys.stderr)
        return 2
    try:
        measured = measure(args.scenario, args.population, args.replicates, args.outreach_population,
                           args.outreach_replicates, log=lambda s: print(s, file=sys.stderr, flush=True),
                           executor=client, workers=args.threads or None, cache=args.cache)
        text = measured["tables"]
    finally:
        if client is not None:
            client.close()
    command = "python3 -m demat.validation" + "".join(
        f" --{k.replace('_', '-')} {v}" for k, v in vars(args).items()
        if k in ("population", "replicates", "outreach_population", "outreach_replicates") and
        v != ap.get_default(k))
    block = f"{BEGIN}\nGenerated by `{command}`; do not edit by hand.\n\n{text}\n{END}"
    doc = args.doc.read_text()
    if BEGIN not in doc:
        raise SystemExit(f"{args.doc}: no {BEGIN} marker")
    args.doc.write_text(re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, doc, flags=re.S))
    print(block)
    # The README's sentence on the calibration comes from the same runs
    # (issue 15: the README and docs/validation.md once disagreed).
    readme = args.readme.read_text() if args.readme is not None else ""
    if SUMMARY_BEGIN in readme:
        short = (f"{SUMMARY_BEGIN}\nGenerated by `{command}` with the table of docs/validation.md; "
                 f"do not edit by hand.\n\n{measured['summary']}\n{SUMMARY_END}")
        args.readme.write_text(re.sub(re.escape(SUMMARY_BEGIN) + r".*?" + re.escape(SUMMARY_END), lambda _m: short,
                                      readme, flags=re.S))
        print(short)
    return 0


def _responses(ap: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from . import responses

    if args.closure_share not in (0.2, 0.4, 0.6, 0.8):
        print(f"{ap.prog}: --closure-share: expected 0.2, 0.4, 0.6 or 0.8, got {args.closure_share}", file=sys.stderr)
        return 2
    from ._outputs import check_writable_file

    if args.write:
        check_writable_file(args.doc, "--doc", must_exist=True)
        if RESPONSES_BEGIN not in args.doc.read_text():
            print(f"{ap.prog}: {args.doc}: no {RESPONSES_BEGIN} marker", file=sys.stderr)
            return 2
    if args.cache == ap.get_default("cache"):
        args.cache.parent.mkdir(parents=True, exist_ok=True)
    check_writable_file(args.cache, "--cache")
    try:
        client = connect_scheduler(args.scheduler)
    except (ValueError, ConnectionError) as e:
        print(f"{ap.prog}: --scheduler: {e}", file=sys.stderr)
        return 2
    changes: dict[str, Any] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"{ap.prog}: --set: expected KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        try:
            changes[key.strip()] = float(value) if any(ch in value for ch in ".eE") else int(value)
        except ValueError:
            changes[key.strip()] = value.strip()
    try:
        scenario = Scenario.load(args.scenario).with_changes(changes) if changes else Scenario.load(args.scenario)
    except Exception as e:  # the scenario's own error names the key and what was expected
        print(f"{ap.prog}: --set: {e}", file=sys.stderr)
        return 2
    try:
        text, closure, result = responses.run(
            scenario, args.population, args.replicates, args.outreach_population,
            args.outreach_replicates, args.closure_share, executor=client, workers=args.threads or None,
            cache_path=args.cache, log=lambda s: print(s, file=sys.stderr, flush=True))
    finally:
        if client is not None:
            client.close()
    command = "python3 -m demat.validation --responses" + "".join(
        f" --{k.replace('_', '-')} {v}" for k, v in vars(args).items()
        if k in ("population", "replicates", "outreach_population", "outreach_replicates", "closure_share") and
        v != ap.get_default(k)) + "".join(f" --set {item}" for item in args.set)
    block = (f"{RESPONSES_BEGIN}\nGenerated by `{command}`; do not edit by hand.\n\n"
             f"Closure: `{args.scenario.name}` with and without `close_counters` (every service, share "
             f"{args.closure_share}, recorded day 0), {args.population} citizens, seeds 1-{args.replicates} (the same "
             f"seed in both runs); outreach: {args.outreach_population} citizens, seeds 1-{args.outreach_replicates}, "
             f"the cohort eligible and not receiving on day 0. Model: mean and 5-95% interval over the seeds.\n\n"
             f"{text}\n{RESPONSES_END}")
    if args.write:
        doc = args.doc.read_text()
        args.doc.write_text(re.sub(re.escape(RESPONSES_BEGIN) + r".*?" + re.escape(RESPONSES_END), lambda _m: block,
                                   doc, flags=re.S))
    print(block)
    help_arm = result["letter_and_help"][:, 0]
    return 0 if all(ok for _r, _v, ok in responses.evaluate(closure, help_arm)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
