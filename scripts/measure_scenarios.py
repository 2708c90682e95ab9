#!/usr/bin/python3
"""Measures the headline result of every scenario in scenarios/ and prints
(or writes into scenarios/README.md) the table of headline results.

Each scenario is run as an ensemble (`demat sweep --replicates R`) and
compared with its reference, replicate by replicate (same seeds: common
random numbers): hybrid.toml for the alternative channel policies, and the
same scenario without its [[timeline]] events for the timeline scenarios
(the script writes that file from the run's resolved scenario). A figure
reads "A -> B (difference [p5, p95])": means over the replicates, and the
5th-95th percentiles of the per-replicate differences B_i - A_i, as
`demat compare` prints them.

The same runs give the README's headline: the divide index (take-up of
capital Q5 minus Q1) of hybrid, online only and online with mediation, for
the benefits pooled and for the minimum income alone. Both texts are
rendered from one measurement file (scenarios/headline.json, every figure
and how it was made), so that the README and scenarios/README.md cannot
disagree; tests/python/test_measure_scenarios.py checks they are its
rendering.

Run it again whenever the model or the baseline changes:

    /usr/bin/python3 scripts/measure_scenarios.py --write

(about 10 minutes on 2 cores with the defaults: 50,000 adults, 5 replicates).
Each ensemble is kept in --work (results/measure/) and reused by the next
call when it has the same population, replicates and seed; an ensemble
interrupted half way resumes from the replicates it finished (its sweep's
journal), so an interruption loses only the runs in progress.
`--from-measurement scenarios/headline.json --write` renders the texts again
without running (after a change of wording).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATES = {"eligible": 0, "receiving": 1, "non_knowledge": 2, "non_demand": 3, "in_progress": 4,
          "non_receipt": 5, "interrupted": 6}
CHANNELS = {"online": 0, "phone": 1, "counter": 2, "mediation": 3}
LAST_90 = ("last 90 days", 640, 730)


# ---- figures of one file, per replicate --------------------------------------------------

class Runs:
    """A sweep file: arrays with a leading run axis."""

    def __init__(self, path):
        self.path = path
        with h5py.File(path, "r") as f:
            self.services = [s.decode() if isinstance(s, bytes) else s for s in f["service"][()]]
            self.counts = f["counts"][()]  # [run, day, service, state]
            self.segments = {d: f["segments/%s/counts" % d][()] for d in ("capital_quintile", "age_group", "digital_skill")}
            self.metrics = {name: f["metrics/" + name][()] for name in f["metrics"]}
            # Digital control (docs/model.md section 11), when the scenario has it on.
            self.control = None
            if "control" in f:
                names = [e.decode() if isinstance(e, bytes) else e for e in f["control/event"][()]]
                events = f["control/events"][()]  # [run, round, service, event]
                self.control = {n: events[..., i] for i, n in enumerate(names)}
                groups = f["control/segments/capital_quintile/events"][()]  # [run, round, service, group, event]
                self.control_q = {n: groups[..., i] for i, n in enumerate(names)}
            # Why procedures are given up (docs/model.md 6.10): [run, day, service, reason].
            self.abandonment_reasons = f["reasons/abandonments"][()]
            self.reasons = [r.decode() if isinstance(r, bytes) else r for r in f["reason"][()]]
            self.resolved = f.attrs["scenario_resolved"]
            if isinstance(self.resolved, bytes):
                self.resolved = self.resolved.decode()
            self.recorded_days = int(f.attrs["recorded_days"])
            self.warmup_days = int(f.attrs["warmup_days"])
        services = tomllib.loads(self.resolved)["services"]
        self.benefits = [s for s in self.services if services[s]["kind"] == "benefit"]

    def s(self, service):
        return self.services.index(service)

    def share(self, service, state, start, end):
        """Share of the eligible in `state` over days [start, end), per replicate."""
        c = self.counts[:, start:end, self.s(service), :]
        return c[:, :, STATES[state]].sum(axis=1) / c[:, :, 0].sum(axis=1)

    def group_share(self, dimension, group, service, state, start, end):
        c = self.segments[dimension][:, start:end, self.s(service), group, :]
        return c[:, :, STATES[state]].sum(axis=1) / c[:, :, 0].sum(axis=1)

    def divide(self, service, start, end):
        return (self.group_share("capital_quintile", 4, service, "receiving", start, end)
                - self.group_share("capital_quintile", 0, service, "receiving", start, end))

    def pooled_divide(self, start, end):
        """Divide index over the benefits together: receiving-days over eligible-days of Q5 minus Q1."""
        c = self.segments["capital_quintile"][:, start:end, [self.s(b) for b in self.benefits], :, :]
        take_up = lambda g: c[:, :, :, g, STATES["receiving"]].sum(axis=(1, 2)) / c[:, :, :, g, 0].sum(axis=(1, 2))
        return take_up(4) - take_up(0)

    def event_sum(self, metric, service, start, end):
        return self.metrics[metric][:, start:end, self.s(service)].sum(axis=1).astype(float)

    def channel_sum(self, metric, channels, start, end):
        m = self.metrics[metric][:, start:end, :, :]
        return sum(m[:, :, :, CHANNELS[c]].sum(axis=(1, 2)) for c in channels).astype(float)


# ---- formatting ----------------------------------------------------------------------------

def interval(d):
    return np.percentile(d, 5), np.percentile(d, 95)


def pct(a, b):
    """A -> B for shares, in % and points."""
    d = b - a
    lo, hi = interval(d)
    return "%.1f%% → %.1f%% (%+.1f pt [%+.1f, %+.1f])" % (100 * a.mean(), 100 * b.mean(), 100 * d.mean(), 100 * lo, 100 * hi)


def pts(a, b):
    """A -> B for differences of shares (the divide index), in points."""
    d = b - a
    lo, hi = interval(d)
    return "%+.1f → %+.1f pt (%+.1f [%+.1f, %+.1f])" % (100 * a.mean(), 100 * b.mean(), 100 * d.mean(), 100 * lo, 100 * hi)


def num(a, b):
    d = b - a
    lo, hi = interval(d)
    return "%.0f → %.0f (%+.0f [%+.0f, %+.0f])" % (a.mean(), b.mean(), d.mean(), lo, hi)


def service_figures(a, b, service, start, end, with_q1=True):
    parts = ["take-up " + pct(a.share(service, "receiving", start, end), b.share(service, "receiving", start, end))]
    if with_q1:
        parts.append("capital Q1 take-up " + pct(a.group_share("capital_quintile", 0, service, "receiving", start, end),
                                                 b.group_share("capital_quintile", 0, service, "receiving", start, end)))
        parts.append("divide index " + pts(a.divide(service, start, end), b.divide(service, start, end)))
    return "`%s`: %s" % (service, "; ".join(parts))


# ---- what each scenario's headline is -------------------------------------------------------
# reference: "hybrid", "self" (the same scenario without its timeline) or another scenario of the library.
# headline(a, b, start, end) -> list of text items for one window.

def focus(*services, extra=None):
    def headline(a, b, start, end):
        items = [service_figures(a, b, s, start, end) for s in services]
        if extra:
            items += extra(a, b, start, end)
        return items
    return headline


def outage_flows(a, b, start, end):
    return ["online successes (all services) " + num(a.channel_sum("successes", ["online"], start, end),
                                                     b.channel_sum("successes", ["online"], start, end)),
            "phone and counter queue arrivals " + num(a.channel_sum("queue_joined", ["phone", "counter"], start, end),
                                                      b.channel_sum("queue_joined", ["phone", "counter"], start, end))]


def interruptions(*services):
    def extra(a, b, start, end):
        items = []
        for s in services:
            items.append("`%s` interruptions over the window %s; renewals completed %s" % (
                s, num(a.event_sum("interruptions", s, start, end), b.event_sum("interruptions", s, start, end)),
                num(a.event_sum("renewals_completed", s, start, end), b.event_sum("renewals_completed", s, start, end))))
        return items
    return extra


def mediation_served(a, b, start, end):
    return ["mediation procedures served (all services) " + num(a.channel_sum("queue_served", ["mediation"], start, end),
                                                               b.channel_sum("queue_served", ["mediation"], start, end))]


def low_skill(a, b, start, end):
    # income_tax_return is due from every adult: its eligible count is the adult population.
    def share(r):
        eligible = r.segments["digital_skill"][:, end - 1, r.s("income_tax_return"), :, STATES["eligible"]]
        return eligible[:, 0:2].sum(axis=1) / eligible.sum(axis=1)
    return ["adults in the none or low digital-skill groups on the last day " + pct(share(a), share(b)),
            "online successes (all services) " + num(a.channel_sum("successes", ["online"], start, end),
                                                     b.channel_sum("successes", ["online"], start, end))]


def old_age_75(a, b, start, end):
    return ["`old_age_minimum` non-knowledge among the 75+ " +
            pct(a.group_share("age_group", 4, "old_age_minimum", "non_knowledge", start, end),
                b.group_share("age_group", 4, "old_age_minimum", "non_knowledge", start, end)),
            "`old_age_minimum` take-up among the 75+ " +
            pct(a.group_share("age_group", 4, "old_age_minimum", "receiving", start, end),
                b.group_share("age_group", 4, "old_age_minimum", "receiving", start, end))]


def control_figures(a, b, start, end):
    """Control volumes and fairness of B (over the whole recorded run), and the take-up change against A."""
    c, q = b.control, b.control_q
    controls = lambda x: x["automated"] + x["documents"] + x["visit"]
    years = c["scored"].sum(axis=(1, 2)) / 12.0

    def mean_ci(x, scale=1.0, fmt="%.2f"):
        lo, hi = interval(x * scale)
        return (fmt + " [" + fmt + ", " + fmt + "]") % ((x * scale).mean(), lo, hi)

    per_year = lambda name: c[name].sum(axis=(1, 2)) / years
    rate_q = lambda g: 1000 * controls(q)[..., g].sum(axis=(1, 2)) / q["scored"][..., g].sum(axis=(1, 2))
    wrongful_q = lambda g: 1000 * q["wrongful_suspensions"][..., g].sum(axis=(1, 2)) / q["scored"][..., g].sum(axis=(1, 2))
    precision = c["selected_in_error"].sum(axis=(1, 2)) / controls(c).sum(axis=(1, 2))
    random_precision = c["random_in_error"].sum(axis=(1, 2)) / controls(c).sum(axis=(1, 2))
    # The systematic cross-checks (docs/model.md 11.3) are controls too, outside the budget: counted in the
    # volumes and the frauds found, not in the targeted controls' rates by group and precision.
    zero = np.zeros_like(c["visit"])
    cross, cross_fraud = c.get("cross_checks", zero), c.get("cross_found_deliberate", zero)
    items = ["per recipient unit and year: controls %s (systematic cross-checks %s), home visits %s, frauds found %s, "
             "suspensions %s (wrongful %s)"
             % (mean_ci((controls(c) + cross).sum(axis=(1, 2)) / years), mean_ci(cross.sum(axis=(1, 2)) / years),
                mean_ci(per_year("visit"), fmt="%.4f"),
                mean_ci((c["found_deliberate"] + cross_fraud).sum(axis=(1, 2)) / years, fmt="%.4f"),
                mean_ci(per_year("suspensions"), fmt="%.4f"), mean_ci(per_year("wrongful_suspensions"), fmt="%.4f")),
             "targeted controls per 1,000 recipient-months, capital Q1 %s, Q5 %s; wrongful suspensions per 1,000, "
             "Q1 %s, Q5 %s"
             % (mean_ci(rate_q(0), fmt="%.0f"), mean_ci(rate_q(4), fmt="%.0f"), mean_ci(wrongful_q(0)),
                mean_ci(wrongful_q(4))),
             "precision (controlled units in error) %s; random selection at the same budget %s"
             % (mean_ci(precision, 100, "%.1f%%"), mean_ci(random_precision, 100, "%.1f%%"))]
    return [service_figures(a, b, s, start, end) for s in ("minimum_income", "housing_benefit")] + items


def identity_figures(a, b, start, end):
    """The identity step over the window, all services: first attempts that pass it, in-person checks, and
    procedures given up for identity (docs/model.md 6.10-6.11)."""
    window = lambda r, name: r.metrics[name][:, start:end].sum(axis=(1, 2)).astype(float)
    first = lambda r: window(r, "identity_first_successes") / window(r, "identity_first_attempts")
    given_up = lambda r: r.abandonment_reasons[:, start:end, :, r.reasons.index("identity")].sum(axis=(1, 2)).astype(float)
    return ["identity steps passed at a procedure's first online attempt (all services) " + pct(first(a), first(b)),
            "in-person identity checks " + num(window(a, "identity_in_person"), window(b, "identity_in_person")),
            "procedures given up for identity " + num(given_up(a), given_up(b))]


def unclaimed(*services):
    """Money left unclaimed per year over the window (docs/model.md 8): with differential amounts, the sum of the
    units' own amounts; with flat ones, (eligible - receiving) x the flat amount."""
    def figures(a, b, start, end):
        per_year = lambda r, s: r.metrics["unclaimed_euros"][:, start:end, r.s(s)].sum(axis=1) * 365.0 / (end - start)
        return ["`%s` unclaimed, euros a year, %s" % (s, num(per_year(a, s), per_year(b, s))) for s in services]
    return figures


SCENARIOS = [
    ("online_only", "hybrid", [LAST_90], focus("minimum_income", "old_age_minimum", "income_tax_return")),
    ("online_with_mediation", "hybrid", [LAST_90], focus("minimum_income", "old_age_minimum", "income_tax_return")),
    ("transition_online_only", "self", [LAST_90], focus("minimum_income", "income_tax_return")),
    ("automatic_to_claim", "self", [LAST_90], focus("energy_cheque")),
    ("outreach_campaign", "self", [("during the campaign, days 180-269", 180, 270), LAST_90],
     focus("minimum_income", "complementary_health")),
    ("outage", "self", [("during the outage, days 180-193", 180, 194)], focus("minimum_income", extra=outage_flows)),
    ("prefilled_declarations", "self", [("after the reform, days 180-729", 180, 730)],
     focus("minimum_income", "in_work_benefit", extra=interruptions("minimum_income", "in_work_benefit"))),
    ("mediation_network", "self", [LAST_90], focus("minimum_income", "old_age_minimum", extra=mediation_served)),
    ("skills_programme", "self", [LAST_90], focus("minimum_income", "income_tax_return", extra=low_skill)),
    ("targeted_outreach", "self", [("during the campaign, days 180-544", 180, 545), LAST_90],
     lambda a, b, s, e: old_age_75(a, b, s, e) + [service_figures(a, b, "old_age_minimum", s, e)]),
    ("algorithmic_control", "hybrid", [LAST_90], control_figures),
    ("random_audits", "hybrid", [LAST_90], control_figures),
    ("targeted_territories", "hybrid", [LAST_90], control_figures),
    ("strong_identity", "hybrid", [LAST_90],
     focus("minimum_income", "complementary_health", "income_tax_return", extra=identity_figures)),
    # Counts of unit services are in households (docs/output.md), those of hybrid in citizens: take-up rates compare.
    ("households", "hybrid", [LAST_90],
     focus("minimum_income", "housing_benefit", "old_age_minimum",
           extra=unclaimed("minimum_income", "housing_benefit", "old_age_minimum"))),
    # Agencies in the system, then the 2025 reform (docs/model.md 6.15): against households.toml, whose units it shares.
    ("solidarite_a_la_source", "households", [LAST_90],
     focus("minimum_income", "in_work_benefit", "old_age_minimum",
           extra=unclaimed("minimum_income", "in_work_benefit", "old_age_minimum"))),
]


# ---- running -------------------------------------------------------------------------------

def _parameters(resolved):
    """A resolved scenario's parameters, but the run's size and root seed (which the plan compares itself)."""
    d = tomllib.loads(resolved)
    d.pop("seed", None)
    d.get("population", {}).pop("size", None)
    return d


def planned(args, out, scenario_path=None):
    """Whether the ensemble file ``out`` was made with this measurement's population, replicates and root seed,
    and, given ``scenario_path``, with that scenario as it resolves now (`demat validate`): a scenario or a
    base it inherits that changed since makes the file stale."""
    try:
        with h5py.File(out, "r") as f:
            if (int(f.attrs["population"]), int(f.attrs["replicates"]), int(f.attrs["seed"])) != (
                    args.population, args.replicates, args.seed):
                return False
            resolved = f.attrs["scenario_resolved"]
    except (OSError, KeyError, ValueError):
        return False
    if scenario_path is None:
        return True
    now = subprocess.run([args.demat, "validate", scenario_path], capture_output=True, text=True, check=True).stdout
    return _parameters(resolved.decode() if isinstance(resolved, bytes) else resolved) == _parameters(now)


def sweep(args, scenario_path, out):
    """Runs one ensemble into ``out``, keeping each replicate as it ends.

    A finished file of the same plan (the scenario as it resolves now, population,
    replicates, root seed) is reused. `demat sweep` keeps each
    finished replicate in OUT.journal/ until the file is written (docs/output.md,
    "Journal"): after an interruption the same command resumes from there
    (--resume, which the sweep checks against the plan), so that an ensemble
    interrupted half way loses only the replicates in progress (issue 12,
    item 9)."""
    journal = out + ".journal"
    if args.rerun:
        if os.path.exists(out):
            os.remove(out)
        if os.path.isdir(journal):
            shutil.rmtree(journal)
    elif os.path.exists(out):
        if planned(args, out, scenario_path):
            return
        print("%s was made with another scenario, population, number of replicates or seed: computing it again"
              % out, file=sys.stderr)
    cmd = [args.demat, "sweep", scenario_path, "--replicates", str(args.replicates), "--population",
           str(args.population), "--seed", str(args.seed), "--jobs", str(args.jobs), "-o", out, "--resume"]
    if not os.path.isdir(journal):
        cmd.append("-q")  # a resumed sweep says how many replicates it kept and how many it computes
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)


def without_timeline(resolved):
    """The resolved scenario text without its [[timeline]] tables (they come last in to_toml)."""
    at = resolved.find("\n[[timeline]]")
    return resolved if at < 0 else resolved[:at + 1]


def measure(args):
    """Runs (or reuses) every ensemble; returns the measurement: what was run and every figure, as plain data."""
    os.makedirs(args.work, exist_ok=True)
    scenario = lambda name: os.path.join(ROOT, "scenarios", name + ".toml")
    sweep(args, scenario("hybrid"), os.path.join(args.work, "hybrid.h5"))
    hybrid = Runs(os.path.join(args.work, "hybrid.h5"))
    rows = []
    levels = []
    start, end = LAST_90[1], LAST_90[2]
    for s in hybrid.services:
        levels.append("`%s` %.1f%%" % (s, 100 * hybrid.share(s, "receiving", start, end).mean()))
    rows.append(("`hybrid.toml`", "-", LAST_90[0],
                 "take-up (mean of %d replicates): %s; divide index (take-up of capital Q5 - Q1): `minimum_income` "
                 "%+.1f pt, the benefits pooled %+.1f pt"
                 % (args.replicates, ", ".join(levels), 100 * hybrid.divide("minimum_income", start, end).mean(),
                    100 * hybrid.pooled_divide(start, end).mean())))
    policies = {"hybrid": hybrid}
    for name, reference, windows, headline in SCENARIOS:
        out = os.path.join(args.work, name + ".h5")
        sweep(args, scenario(name), out)
        b = Runs(out)
        if name in HEADLINE_POLICIES:
            policies[name] = b
        if reference == "hybrid":
            a, compared = hybrid, "`hybrid.toml`"
        elif reference != "self":
            ref_out = os.path.join(args.work, reference + ".h5")
            sweep(args, scenario(reference), ref_out)  # a finished file of the same plan is reused
            a, compared = Runs(ref_out), "`%s.toml`" % reference
        else:
            ref_toml = os.path.join(args.work, name + "_without_timeline.toml")
            with open(ref_toml, "w") as f:
                f.write(without_timeline(b.resolved))
            ref_out = os.path.join(args.work, name + "_without_timeline.h5")
            sweep(args, ref_toml, ref_out)
            a, compared = Runs(ref_out), "itself without its timeline"
        for label, start, end in windows:
            rows.append(("`%s.toml`" % name, compared, label, "<br>".join(headline(a, b, start, end))))
    return {
        "command": "/usr/bin/python3 scripts/measure_scenarios.py --write",
        "commit": commit(),
        "population": args.population,
        "replicates": args.replicates,
        "seed": args.seed,
        "recorded_days": int(hybrid.recorded_days),
        "warmup_days": int(hybrid.warmup_days),
        "rows": [list(r) for r in rows],
        "divide": divide_figures(policies),
    }


# The three channel policies of the README's headline, in its order.
HEADLINE_POLICIES = {"hybrid": "every channel open", "online_only": "online only",
                     "online_with_mediation": "online with mediation"}


def divide_figures(policies):
    """The README's headline: the divide index of each channel policy, benefits pooled and minimum income alone,
    over the last 90 recorded days: mean over the replicates and 5th-95th percentiles across them; and the
    difference with hybrid, replicate by replicate."""
    label, start, end = LAST_90
    stat = lambda x: {"mean": round(100 * float(np.mean(x)), 2), "p5": round(100 * float(interval(x)[0]), 2),
                      "p95": round(100 * float(interval(x)[1]), 2)}
    hybrid = policies["hybrid"]
    out = {"window": label, "first_day": start, "end_day": end,
           "pooled_services": hybrid.benefits, "policies": []}
    for name in HEADLINE_POLICIES:
        r = policies[name]
        pooled, income = r.pooled_divide(start, end), r.divide("minimum_income", start, end)
        out["policies"].append({
            "scenario": name,
            "pooled": stat(pooled), "minimum_income": stat(income),
            "pooled_vs_hybrid": stat(pooled - hybrid.pooled_divide(start, end)),
            "minimum_income_vs_hybrid": stat(income - hybrid.divide("minimum_income", start, end))})
    return out


# ---- the two generated texts ----------------------------------------------------------------

def stamp(m):
    """Says how a measurement was made: the same words at the head of both generated texts."""
    return ("Measured with `%s` (%s citizens, %d recorded days after a %d-day warm-up, %d replicates from root "
            "seed %d, commit %s; every figure of this block and of %s comes from the same measurement file, "
            "`%s`)." % (m["command"], "{:,}".format(m["population"]), m["recorded_days"], m["warmup_days"],
                        m["replicates"], m["seed"], m["commit"], "%s", MEASUREMENT))


def table(m):
    lines = [stamp(m) % "the README's headline",
             "",
             "A figure reads A → B (difference [5th, 95th percentile of the per-replicate differences B_i - A_i]): "
             "means over the replicates, runs paired by replicate (same seeds).",
             "",
             "| scenario | compared with | window (recorded days) | headline |",
             "|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s |" % tuple(row) for row in m["rows"]]
    return "\n".join(lines) + "\n"


def headline(m):
    d = m["divide"]
    fig = lambda x: "%+.1f pt [%+.1f, %+.1f]" % (x["mean"], x["p5"], x["p95"])
    diff = lambda x: "%+.1f [%+.1f, %+.1f]" % (x["mean"], x["p5"], x["p95"])
    lines = [stamp(m) % "the table of scenarios/README.md",
             "",
             "The divide index is the take-up of capital quintile Q5 minus that of Q1, in points, over the %s "
             "(recorded days %d-%d), per scenario: the mean over the %d replicates [5th, 95th percentile across "
             "them]; against hybrid, the difference replicate by replicate. \"Benefits pooled\" counts the "
             "eligible-days and receiving-days of the %d benefits together (%s; not the income tax return, an "
             "obligation); \"minimum income\" is that benefit alone, as in the table of scenarios/README.md."
             % (d["window"], d["first_day"], d["end_day"] - 1, m["replicates"], len(d["pooled_services"]),
                ", ".join("`%s`" % s for s in d["pooled_services"])),
             "",
             "| scenario | divide, benefits pooled | against hybrid | divide, minimum income | against hybrid |",
             "|---|---|---|---|---|"]
    for p in d["policies"]:
        hybrid = p["scenario"] == "hybrid"
        lines.append("| `%s.toml` (%s) | %s | %s | %s | %s |" % (
            p["scenario"], HEADLINE_POLICIES[p["scenario"]], fig(p["pooled"]),
            "-" if hybrid else diff(p["pooled_vs_hybrid"]), fig(p["minimum_income"]),
            "-" if hybrid else diff(p["minimum_income_vs_hybrid"])))
    return "\n".join(lines) + "\n"


def commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# Where the generated texts go, and the measurement they come from (paths relative to the repository).
MEASUREMENT = "scenarios/headline.json"
TARGETS = (("scenarios/README.md", table), ("README.md", headline))
BEGIN, END = "<!-- headline:begin -->\n", "<!-- headline:end -->"


def between_markers(text):
    """The generated text of a file, or None when it has no markers."""
    match = re.search(re.escape(BEGIN) + "\n(.*?)\n" + re.escape(END), text, flags=re.S)
    return match.group(1) if match else None


def write_between_markers(relative, text):
    path = os.path.join(ROOT, relative)
    with open(path) as f:
        readme = f.read()
    if BEGIN not in readme or END not in readme:
        sys.exit("%s has no %s ... %s markers" % (relative, BEGIN.strip(), END))
    readme = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: BEGIN + "\n" + text + "\n" + END, readme,
                    flags=re.S)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(readme)
    os.replace(tmp, path)


def write_readme(text):
    write_between_markers("scenarios/README.md", text)


def write_all(m):
    """The measurement file, then both generated texts from it."""
    path = os.path.join(ROOT, MEASUREMENT)
    with open(path + ".tmp", "w") as f:
        json.dump(m, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(path + ".tmp", path)
    for relative, render in TARGETS:
        write_between_markers(relative, render(m))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--demat", default=os.path.join(ROOT, "build", "bin", "demat"))
    p.add_argument("--population", type=int, default=50000)
    p.add_argument("--replicates", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--work", default=os.path.join(ROOT, "results", "measure"), help="where the runs are written")
    p.add_argument("--rerun", action="store_true", help="run again even if a file is already there")
    p.add_argument("--write", action="store_true",
                   help="write %s and the texts between the markers of %s" % (MEASUREMENT, " and ".join(
                       t for t, _ in TARGETS)))
    p.add_argument("--from-measurement", metavar="JSON",
                   help="render the texts from a measurement file (e.g. %s) instead of running" % MEASUREMENT)
    p.add_argument("--json", metavar="FILE", help="also write the measurement to FILE")
    args = p.parse_args(argv)
    if args.write:  # before the runs, not after them
        for relative in [MEASUREMENT] + [t for t, _ in TARGETS]:
            path = os.path.join(ROOT, relative)
            if not os.access(os.path.dirname(path), os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
                sys.exit(f"error: --write: {path} is not writable")
            if relative != MEASUREMENT and BEGIN not in open(path).read():
                sys.exit(f"error: --write: {path} has no {BEGIN.strip()} marker")
    if args.json and not os.access(os.path.dirname(os.path.abspath(args.json)), os.W_OK):
        sys.exit(f"error: --json: cannot write {args.json}")
    if not args.from_measurement:
        try:
            os.makedirs(args.work, exist_ok=True)
        except OSError as e:
            sys.exit(f"error: --work: cannot create {args.work} ({e.strerror})")
        if not os.path.isdir(args.work) or not os.access(args.work, os.W_OK):
            sys.exit(f"error: --work: {args.work} is not a writable folder")
    if args.from_measurement:
        with open(args.from_measurement) as f:
            m = json.load(f)
    else:
        m = measure(args)
    print(table(m))
    print(headline(m))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(m, f, indent=1, ensure_ascii=False)
    if args.write:
        write_all(m)


if __name__ == "__main__":
    main()
