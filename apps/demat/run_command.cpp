#include "run_command.hpp"

#include "checkpoint/checkpoint.hpp"
#include "core/engine.hpp"
#include "core/snapshot.hpp"
#include "core/summary.hpp"
#include "io/hdf5_writer.hpp"
#include "parallel/parallel_executor.hpp"
#include "progress.hpp"
#include "scenario/reader.hpp"
#include "summary_table.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace demat {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_interrupted = 130;

Scenario load_with_overrides(const RunOptions& o) {
    Scenario sc = load_scenario(o.scenario);
    if (o.population) set_population_size(sc, *o.population, "--population");
    if (o.days) set_days(sc, *o.days, "--days");
    if (o.seed) set_seed(sc, *o.seed);
    return sc;
}

std::string default_output(const std::string& scenario_path) {
    return (std::filesystem::path("results") / std::filesystem::path(scenario_path).stem()).string() + ".h5";
}

// The default output's folder, created if needed; a file in its place or a
// read-only working directory is the user's to fix (exit 2), not a crash.
void create_default_folder(const std::string& output) {
    namespace fs = std::filesystem;
    const fs::path folder = fs::path(output).parent_path();
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec || !fs::is_directory(folder))
        throw UsageError("cannot create the output folder '" + folder.string() + "' for the default output " + output +
                        (ec ? ": " + ec.message() : ": a file of that name is in the way") + " (or give -o OUT.h5)");
}

void check_writable(const std::string& output) {
    try {
        check_output_writable(output);  // before hours of simulation, not after
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
}

// FNV-1a over the resolved scenario (seed, population and days included):
// two runs share it only if they would write identical checkpoints.
std::string run_fingerprint(const std::string& resolved) {
    std::uint64_t h = 14695981039346656037ull;
    for (const unsigned char c : resolved) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
    return text;
}

// Checkpoint names carry only the day (an interface: docs/output.md), so two
// runs sharing a folder would overwrite each other's files. A run refuses a
// folder that holds checkpoints of another run (another scenario, seed, size
// or length: another fingerprint), and holds an advisory lock on the folder
// while it runs, so that a second run started at the same time is refused
// too; the lock goes with the process, however it ends.
void claim_checkpoint_folder(const CheckpointOptions& cp, const std::string& resolved) {
    namespace fs = std::filesystem;
    const std::string mine = run_fingerprint(resolved);
    const std::string advice = ": give each run its own folder (checkpoint names carry only the day)";
    const int fd = ::open(cp.folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw UsageError("--checkpoint-dir " + cp.folder + ": cannot open the folder: " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        throw UsageError("--checkpoint-dir " + cp.folder + " is being used by another demat run" + advice);
    }
    // Kept open (and locked) until the process exits.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(cp.folder, ec)) {
        if (entry.path().extension() != ".demat-checkpoint") continue;
        std::string theirs;
        try {
            theirs = run_fingerprint(read_checkpoint_info(entry.path().string()).scenario_resolved);
        } catch (const CheckpointError&) {
            theirs = "unreadable";
        }
        if (theirs != mine)
            throw UsageError("--checkpoint-dir " + cp.folder + " holds the checkpoints of another run (" +
                            entry.path().filename().string() + ")" + advice);
    }
}

// The checkpoint folder exists (created if needed) and takes a file: found
// before simulating, not at the first checkpoint.
void prepare_checkpoint_folder(const CheckpointOptions& cp, const std::string& output, const std::string& resolved) {
    if (!cp.every) return;
    namespace fs = std::filesystem;
    const fs::path folder(cp.folder);
    std::error_code ec;
    if (cp.folder.empty()) throw UsageError("--checkpoint-dir is empty: give a folder");
    if (fs::weakly_canonical(folder, ec) == fs::weakly_canonical(fs::path(output), ec))
        throw UsageError("--checkpoint-dir " + cp.folder + " is the output file " + output + ": give another folder");
    fs::create_directories(folder, ec);
    if (ec || !fs::is_directory(folder))
        throw UsageError("--checkpoint-dir " + cp.folder + ": cannot create the folder" + (ec ? ": " + ec.message() : ""));
    const fs::path probe = folder / (".demat-write-test-" + std::to_string(::getpid()));
    const bool writable = static_cast<bool>(std::ofstream(probe));
    fs::remove(probe, ec);
    if (!writable) throw UsageError("--checkpoint-dir " + cp.folder + ": cannot write in the folder");
    claim_checkpoint_folder(cp, resolved);
}

// Steps to the end, saving a checkpoint after every `every`-th day (absolute
// days, warm-up included, so that a resumed run keeps the same rhythm).
// Returns false if interrupted.
bool simulate(Engine& engine, const CheckpointOptions& cp, Progress& progress, const std::atomic<bool>& interrupted) {
    progress.start(engine.total_days(), engine.current_day());
    while (!engine.completed() && !interrupted.load()) {
        engine.step();
        if (cp.every && !engine.completed() && engine.current_day() % *cp.every == 0)
            save_checkpoint(engine, (std::filesystem::path(cp.folder) / checkpoint_file_name(engine.current_day())).string());
        progress.update(engine.current_day());
    }
    progress.finish();
    if (engine.completed()) return true;
    std::cerr << "demat: interrupted at day " << engine.current_day() << "; no output written\n";
    return false;
}

void write_results(const Engine& engine, const std::string& output, bool quiet, bool with_snapshot = false) {
    Results results = engine.results();
    results.attributes["scenario_resolved"] = to_toml(engine.scenario());
    const Snapshot snapshot = with_snapshot ? make_snapshot(engine) : Snapshot{};
    write_hdf5(results, output, with_snapshot ? &snapshot : nullptr);
    if (!quiet) print_summary(std::cout, engine.scenario(), summarise(results), engine.stats(), output);
}

void announce_checkpoints(Progress& progress, const CheckpointOptions& cp) {
    if (cp.every) progress.phase("a checkpoint every " + std::to_string(*cp.every) + (*cp.every == 1 ? " day" : " days") + " in " + cp.folder);
}

}  // namespace

void refuse_overwriting_inputs(const std::string& output, const std::vector<std::string>& inputs) {
    struct stat out {};
    if (::stat(output.c_str(), &out) != 0) return;  // a new path overwrites nothing
    for (const auto& input : inputs) {
        struct stat in {};
        if (::stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            throw UsageError("the output would overwrite an input: " + output +
                            (input == output ? std::string() : " (it is " + input + ")"));
    }
}

int run_scenario(const RunOptions& o, const std::atomic<bool>& interrupted) {
    const Scenario sc = load_with_overrides(o);
    const std::string output = o.output.empty() ? default_output(o.scenario) : o.output;
    refuse_overwriting_inputs(output, scenario_files(o.scenario));
    if (o.output.empty()) create_default_folder(output);
    check_writable(output);
    prepare_checkpoint_folder(o.checkpoints, output, to_toml(sc));

    for (const auto c : o.trace)  // before generating the population, not after
        if (c >= static_cast<std::uint64_t>(sc.population.size))
            throw UsageError("--trace: citizen " + std::to_string(c) + " is not in [0, " +
                             std::to_string(sc.population.size) + "), the population's ids");

    ParallelExecutor executor(o.threads);
    Progress progress(!o.quiet, sc.population.size);
    progress.phase("generating " + std::to_string(sc.population.size) + " citizens and their network");
    Engine engine(sc, executor);
    engine.set_trace(o.trace);
    announce_checkpoints(progress, o.checkpoints);
    if (!simulate(engine, o.checkpoints, progress, interrupted)) return exit_interrupted;
    write_results(engine, output, o.quiet, o.snapshot);
    return exit_ok;
}

int resume_run(const ResumeOptions& o, const std::atomic<bool>& interrupted) {
    if (o.output.empty()) throw UsageError("-o: the output path is empty: give a file name");
    refuse_overwriting_inputs(o.output, {o.checkpoint});
    check_writable(o.output);
    const CheckpointInfo info = read_checkpoint_info(o.checkpoint);
    prepare_checkpoint_folder(o.checkpoints, o.output, info.scenario_resolved);

    ParallelExecutor executor(o.threads);
    Progress progress(!o.quiet, static_cast<std::int64_t>(info.citizens));
    progress.phase("resuming " + o.checkpoint + " at day " + std::to_string(info.day) + " of " +
                   std::to_string(info.total_days));
    const std::unique_ptr<Engine> engine = load_checkpoint(o.checkpoint, executor);
    announce_checkpoints(progress, o.checkpoints);
    if (!simulate(*engine, o.checkpoints, progress, interrupted)) return exit_interrupted;
    write_results(*engine, o.output, o.quiet);
    return exit_ok;
}

}  // namespace demat
