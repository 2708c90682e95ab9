// Checkpoint files: an engine's whole state between two days, so that a run
// can stop and resume with results bit-identical to a run never stopped
// (docs/output.md, "Checkpoint and resume").
//
// The file is binary: a signature, the format and demat versions, the
// scenario (resolved TOML and the original file's text and path), the seed
// and day, then every section Engine::visit_state names, each with its name,
// element size, count and a CRC-32, then an end marker. It is written to a
// temporary file in the same folder and renamed, so a checkpoint path holds
// either a complete file or nothing.
#pragma once

#include "core/engine.hpp"
#include "core/error.hpp"
#include "core/executor.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace demat {

// Bumped whenever the file layout changes (not the sections: those are
// checked one by one against the engine's own list).
inline constexpr std::uint32_t checkpoint_format_version = 2;

// CheckpointError (bad input) and CheckpointWriteError are in core/error.hpp.

// "checkpoint-day-000180.demat-checkpoint" for absolute day 180 (days
// simulated so far, warm-up included): names sort in day order.
std::string checkpoint_file_name(int day);

// Writes the engine's state, at the start of its current_day(), to `path`.
// Throws CheckpointWriteError; leaves no file at `path` (nor a temporary) on failure.
void save_checkpoint(Engine& engine, const std::string& path);

// What a checkpoint says about itself (read and checked without loading the state).
struct CheckpointInfo {
    std::string demat_version;
    std::uint64_t seed = 0;
    int day = 0;          // absolute day the resumed run starts with
    int total_days = 0;   // warm-up + recorded
    std::uint64_t citizens = 0;
    std::string scenario_resolved;  // to_toml() of the run's scenario
    std::string source_text;        // the scenario file's text (provenance, as in the outputs)
    std::string source_path;
};
CheckpointInfo read_checkpoint_info(const std::string& path);

// Rebuilds the engine saved in `path`, ready to step from the saved day.
// Throws CheckpointError for anything wrong with the file.
std::unique_ptr<Engine> load_checkpoint(const std::string& path, Executor& executor);

}  // namespace demat
