// `demat sweep`: runs of one scenario over swept values and replicates,
// spread over the cores, gathered into one HDF5 file (docs/output.md,
// "Sweeps and ensembles") — the same file demat.sweep(...).save() writes.
//
// Every finished run is saved at once in a journal folder beside the output
// (OUT.journal/run-NNNNNN.results, packed results written atomically), so that a sweep
// stopped by Ctrl-C, a crash or a lost machine continues with --resume and
// computes only the missing runs; python3 -m demat.sweep reads and writes the
// same journal (docs/cluster.md). The journal is removed once the output is
// written.
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
    bool resume = false;  // keep the journal's runs, compute the others
    int retries = 2;      // further attempts of a run that throws, before it is recorded as failed
    std::string scheduler;  // a Dask scheduler: the sweep is handed to python3 -m demat.sweep
};

// Returns 0; 130 if `interrupted` became true (no output; the finished runs
// stay in the journal); 1 if some runs failed after their retries (the output
// is written, with them marked: run_failed, run_errors). Throws ScenarioError
// (bad input: exit 2) for a bad scenario, --set, value or output path, a
// journal left by an unfinished sweep without --resume, or a journal of
// another sweep.
int run_sweep(const SweepOptions& options, const std::atomic<bool>& interrupted);

// `demat sweep --scheduler ADDRESS ...`: replaces this process by
// `python3 -m demat.sweep` with the same arguments (Dask's client is Python;
// the engine has no Dask dependency). Returns only if that fails (exit code).
int hand_sweep_to_python(int argc, char** argv);

}  // namespace demat
