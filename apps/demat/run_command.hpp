// `demat run` and `demat resume`: one simulation to one HDF5 file, with
// optional checkpoints every N days (docs/output.md, "Checkpoint and resume").
#pragma once

#include "core/error.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace demat {


struct CheckpointOptions {
    std::optional<int> every;  // days between checkpoints (>= 1); unset: no checkpoints
    std::string folder;
};

struct RunOptions {
    std::string scenario;
    std::string output;
    std::optional<std::uint64_t> seed;
    int threads = 0;
    std::optional<std::int64_t> population;
    std::optional<std::int64_t> days;
    bool quiet = false;
    bool snapshot = false;  // also write every citizen's final state under /snapshot
    std::vector<std::uint32_t> trace;  // citizens whose events go to /trace (docs/output.md)
    CheckpointOptions checkpoints;
};

struct ResumeOptions {
    std::string checkpoint;
    std::string output;
    int threads = 0;
    bool quiet = false;
    CheckpointOptions checkpoints;
};

// Both return 0, or 130 if `interrupted` became true (then nothing is
// written at the output path). They throw ScenarioError, UsageError or
// CheckpointError for bad input (exit 2) and CheckpointWriteError when a
// checkpoint cannot be written during the run.
// Throws UsageError "the output would overwrite an input: OUTPUT" when `output`
// exists and is one of `inputs` by file identity (symlinks, hard links and
// other spellings of the same path included).
void refuse_overwriting_inputs(const std::string& output, const std::vector<std::string>& inputs);

int run_scenario(const RunOptions& options, const std::atomic<bool>& interrupted);
int resume_run(const ResumeOptions& options, const std::atomic<bool>& interrupted);

}  // namespace demat
