#!/usr/bin/python3
"""The WebAssembly engine gives the native run's counts, bit for bit.

    check_determinism.py DEMAT ENGINE_JS SCRATCH [--population N] [--days D]
                         [--seeds S ...] [--trace ID,...] [scenario.toml ...]

For each scenario (default: the lesson scenarios of docs/classroom.md) and
seed, runs ``demat run SCENARIO --population N --seed S --days D --threads 1``
natively and tests/web/run_engine.mjs under node (the page's way: a derived
TOML text ``base = SCENARIO`` with the same overrides), then compares every
count of /counts with the engine's counts(), the detmath checksum with the
native build's, and the /trace of the traced citizens with traceJSON().
Exit 0 when everything is equal, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys

import h5py
import numpy as np

LESSONS = ["hybrid.toml", "online_only.toml", "online_with_mediation.toml", "outage.toml", "automatic_to_claim.toml",
           "algorithmic_control.toml"]
# tests/core/test_detmath.cpp pins the same value for the native build.
DETMATH = "718610144cd842cb"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("demat")
    ap.add_argument("engine")
    ap.add_argument("scratch")
    ap.add_argument("--population", type=int, default=3000)
    ap.add_argument("--days", type=int, default=400)
    ap.add_argument("--seeds", type=int, nargs="+", default=[3, 11])
    ap.add_argument("--trace", default="0,1,2,3,4,5,6,7")
    ap.add_argument("scenarios", nargs="*", default=LESSONS)
    a = ap.parse_args()
    if not os.path.isfile(a.engine):
        print(f"FAIL: no WebAssembly engine at {a.engine}: build it with scripts/build-web.sh "
              "(scripts/test.sh does)")
        return 1
    os.makedirs(a.scratch, exist_ok=True)
    failures = 0
    for scenario in a.scenarios:
        for seed in a.seeds:
            label = f"{scenario} seed {seed} population {a.population} days {a.days}"
            out = os.path.join(a.scratch, f"{os.path.splitext(scenario)[0]}-{seed}.h5")
            subprocess.run([a.demat, "run", os.path.join(ROOT, "scenarios", scenario), "-o", out, "-q",
                            "--population", str(a.population), "--seed", str(seed), "--days", str(a.days),
                            "--threads", "1", "--trace", a.trace], check=True)
            web = subprocess.run(["node", os.path.join(ROOT, "tests", "web", "run_engine.mjs"), a.engine, scenario,
                                  str(a.population), str(seed), str(a.days), a.trace],
                                 check=True, capture_output=True, text=True)
            w = json.loads(web.stdout)
            with h5py.File(out, "r") as f:
                native = f["counts"][...]
                services = [s.decode() if isinstance(s, bytes) else s for s in f["service"][...]]
                trace = {k: f["trace"][k][...] for k in ("day", "citizen", "service", "event_kind", "channel")}
                kinds = [s.decode() if isinstance(s, bytes) else s for s in f["trace/kind"][...]]
                fairness = f["control/segments/capital_quintile/fairness"][...] if "control" in f else None
                indicators = ([s.decode() if isinstance(s, bytes) else s for s in f["control/indicator"][...]]
                              if "control" in f else [])
                precision = f["control/precision_recall"][:, 0] if "control" in f else None
                channels = [s.decode() if isinstance(s, bytes) else s for s in f["channel"][...]]
            wasm = np.asarray(w["counts"], dtype=np.int64).reshape(w["shape"])
            problems = []
            if w["describe"]["services"] != services:
                problems.append(f"services {w['describe']['services']} != {services}")
            if wasm.shape != native.shape:
                problems.append(f"shape {wasm.shape} != native {native.shape}")
            elif not np.array_equal(wasm, native):
                diff = np.argwhere(wasm != native)
                d, s, k = diff[0]
                problems.append(f"{len(diff)} counts differ; first at day {d} service {services[s]} state {k}: "
                                f"wasm {wasm[d, s, k]} native {native[d, s, k]}")
            if w["detmath"] != DETMATH:
                problems.append(f"detmath checksum {w['detmath']} != native {DETMATH}")
            native_trace = [
                {"day": int(trace["day"][i]), "citizen": int(trace["citizen"][i]),
                 "service": services[trace["service"][i]], "event": kinds[trace["event_kind"][i]],
                 "channel": channels[trace["channel"][i]] if trace["channel"][i] >= 0 else None}
                for i in range(len(trace["day"]))]
            web_trace = [{"day": e["recorded_day"], "citizen": e["citizen"], "service": e["service"],
                          "event": e["event"], "channel": e["channel"]} for e in w["trace"]]
            if web_trace != native_trace:
                problems.append(f"trace differs: wasm {len(web_trace)} events, native {len(native_trace)}")
            if not native_trace:
                problems.append("the traced citizens have no event: the trace comparison would be vacuous")
            # The page's control figure: the engine's fairness indicators by
            # quintile after the last day, equal to the file's.
            if (fairness is None) != (w["control"] is None):
                problems.append(f"control: native {'has' if fairness is not None else 'has no'} /control, "
                                f"wasm {'has' if w['control'] is not None else 'has no'} control_by_quintile")
            elif fairness is not None:
                for i, name in enumerate(indicators):
                    web = np.array([np.nan if v is None else v for v in w["control"][name]], dtype=float)
                    if not np.array_equal(web, fairness[:, i], equal_nan=True):
                        problems.append(f"control {name}: wasm {web.tolist()} != native {fairness[:, i].tolist()}")
                web = np.array([np.nan if v is None else v for v in w["control"]["precision"]], dtype=float)
                if not np.array_equal(web, precision, equal_nan=True):
                    problems.append(f"control precision: wasm {web.tolist()} != native {precision.tolist()}")
                if not np.nansum(fairness[:, indicators.index("controls")]) > 0:
                    problems.append("control: no control in the run: the comparison would be vacuous")
            if problems:
                failures += 1
                print(f"FAIL {label}: " + "; ".join(problems))
            else:
                print(f"ok   {label}: {native.size} counts equal, {len(native_trace)} trace events equal, "
                      f"wasm engine {w['engine_seconds']:.2f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
