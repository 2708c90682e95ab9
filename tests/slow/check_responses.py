"""The model's levels and responses against the published ones (docs/validation.md 3 and 3b).

The eight calibration targets (demat.calibrate.TARGETS), 10 runs of
POPULATION citizens, must each be within their tolerance in the mean over
the seeds. Then the responses:

Closing the counters of 20% of the zones on recorded day 0 (every service):
over the two recorded years, in those zones against the same zones without
the closure, first claims (applications: claims of units not paid yet in
their eligibility spell, docs/output.md) must fall by 10% ± 5 points and
first payments by 16% ± 5 points (Deshpande & Li 2019), more for citizens
with no diploma or a primary one than for the higher educated, in the mean
over the seeds; and
the outreach experiment's letter-and-help arm must enrol 18% ± 5 points of
the eligible non-claimants in 9 months (Finkelstein & Notowidigdo 2019).

The runs are fresh replicates: seeds from 101 (levels 101-110, closure
101-130, outreach 101-110), which no fit uses (demat.calibrate --responses fits the
responses on the seeds from 1, the levels on those from 1000 and checks
them on those from 2000).

Usage: check_responses.py SCENARIO [POPULATION REPLICATES], with the built
package on PYTHONPATH (build/python). Exits 1 with every miss listed.
Label `slow` and `responses` (`ctest --preset slow` runs it).
"""

import sys

import numpy as np

from demat import calibrate, responses
from demat._scenario import Scenario

FIRST_SEED = 101
# The help arm's mean over 10 seeds of 50,000 has a standard error of about 0.35 point
# (its seed-to-seed deviation is about 1.1): its verdict does not hang on the seeds.
OUTREACH_REPLICATES = 10


def main() -> int:
    scenario = Scenario.load(sys.argv[1])
    # 50,000 x 30 seeds: the mean's standard error (0.9 point) leaves it
    # within every tolerance by about two (docs/validation.md 3b).
    population = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
    replicates = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    misses = []
    levels = calibrate.simulate(scenario, {}, [FIRST_SEED + i for i in range(10)], population, threads=2).mean(axis=0)
    for t, m in zip(calibrate.TARGETS, levels):
        print(f"{t.name}: model {m:.3f}, published {t.shown()} (tolerance {t.tolerance:.2f})", flush=True)
        if not t.met(float(m)):
            misses.append(f"{t.name}: model {m:.3f}, published {t.shown()} ± {t.tolerance:.2f}")
    text, closure, outreach_result = responses.run(scenario, population, replicates, population,
                                                   OUTREACH_REPLICATES, workers=2,
                                                   log=lambda s: print(s, flush=True), first_seed=FIRST_SEED)
    print(text)
    for resp, values, ok in responses.evaluate(closure, outreach_result["letter_and_help"][:, 0]):
        if not ok:
            misses.append(f"{resp.name}: model {np.mean(values):+.3f}, published {resp.value:+.3f} "
                          f"± {resp.tolerance:.2f}")
    for m, gap in responses.education_gradient(closure).items():
        if not np.mean(gap) > 0:
            misses.append(f"{m}: the fall for none_primary is not larger than for higher "
                          f"(mean difference {np.mean(gap):+.3f})")
    for miss in misses:
        print("MISS", miss)
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
