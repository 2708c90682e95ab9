// Ensembles and sweeps as data: which runs to make (parameter changes and
// seeds), and how their results are gathered into one Results with a leading
// `run` dimension (the sweep layout of docs/output.md).
//
// Running the plan is left to the caller (the CLI spreads runs over TBB
// workers, Python over threads), so that both write the same file.
#pragma once

#include "core/results.hpp"
#include "core/scenario.hpp"
#include "sweep/overrides.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace demat {

// The seed of replicate `index` of a run family with seed `root`: the
// SplitMix64 finaliser applied to root + (index + 1) * golden gamma, as in
// SplitMix64's own stream, masked to 63 bits (scenario seeds are TOML integers).
// Nearby roots and indices give unrelated seeds, unlike root + index.
std::uint64_t child_seed(std::uint64_t root, std::uint64_t index);

struct SweepAxis {
    std::string key;
    std::vector<ParameterValue> values;
};

struct PlannedRun {
    std::size_t point = 0;      // index into the cartesian product of the axes' values, first axis slowest
    std::size_t replicate = 0;
    std::uint64_t seed = 0;     // child_seed(root, replicate): the same for every point (common random numbers)
    std::vector<ParameterChange> changes;  // one per axis
};

// The runs of a sweep, point-major: run = point * replicates + replicate.
// An ensemble is a sweep with no axes. Throws std::invalid_argument for no
// replicates, an axis without values or a key swept twice, and ScenarioError
// for a string value (sweep files hold numbers; see docs/output.md).
std::vector<PlannedRun> plan_sweep(std::uint64_t root_seed, const std::vector<SweepAxis>& axes,
                                   std::size_t replicates);

// The scenario of one planned run: the changes applied, the seed set.
Scenario planned_scenario(const Scenario& base, const PlannedRun& run);

// Gathers the runs' results (in plan order) into one Results: every array
// gains a leading `run` axis, and per-run arrays `run_seed`, `run_replicate`,
// `run_point` and one per swept key (named by the key) record what each run
// was. Root attributes are the first run's, except: `seed` is the root seed,
// `scenario`, `scenario_path` and `scenario_resolved` are the base
// scenario's, timings and thread counts are dropped, and `layout` = "sweep", `replicates`, `runs` and
// `swept_keys` (newline-separated) are added. Throws std::invalid_argument if
// the runs do not share the same coordinates and arrays.
//
// `errors`, if not empty, has one entry per run: a non-empty entry marks a run
// that failed (its Results is ignored and may be empty). A failed run is kept
// in the file rather than dropped, so that run indices, seeds and points stay
// those of the plan: its cells hold 0 (counts) or NaN (reals), the per-run
// array `run_failed` is 1 for it, and the root attributes `failed_runs` (how
// many) and `run_errors` ("run R: message" lines) say why. Without failures
// the file has none of these, as before. Throws std::invalid_argument if every
// run failed (no run gives the layout).
Results combine_runs(const Scenario& base, std::uint64_t root_seed, const std::vector<SweepAxis>& axes,
                     const std::vector<PlannedRun>& plan, const std::vector<Results>& runs,
                     const std::vector<std::string>& errors = {});

}  // namespace demat
