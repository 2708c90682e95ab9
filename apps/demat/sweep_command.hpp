// `demat sweep`: runs of one scenario over swept values and replicates,
// spread over the cores, gathered into one HDF5 file (docs/output.md,
// "Sweeps and ensembles") — the same file demat.sweep(...).save() writes.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace demat {

struct SweepOptions {
    std::string scenario;
    std::vector<std::string> sets;  // "dotted.key=v1,v2,..."
    std::size_t replicates = 1;
    std::string output = "sweep.h5";
    std::optional<std::uint64_t> seed;
    std::optional<std::int64_t> population;
    std::optional<std::int64_t> days;
    int jobs = 0;  // runs at once; 0: one per core
    bool quiet = false;
};

// Returns 0, or 130 if `interrupted` became true (then nothing is written).
// Throws ScenarioError (bad input: exit 2) for a bad scenario, --set, value
// or output path.
int run_sweep(const SweepOptions& options, const std::atomic<bool>& interrupted);

}  // namespace demat
