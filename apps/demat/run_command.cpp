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

#include <unistd.h>

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

void check_writable(const std::string& output) {
    try {
        check_output_writable(output);  // before hours of simulation, not after
    } catch (const std::runtime_error& e) {
        throw BadOutput(e.what());
    }
}

// The checkpoint folder exists (created if needed) and takes a file: found
// before simulating, not at the first checkpoint.
void prepare_checkpoint_folder(const CheckpointOptions& cp) {
    if (!cp.every) return;
    namespace fs = std::filesystem;
    const fs::path folder(cp.folder);
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec || !fs::is_directory(folder))
        throw BadOutput("--checkpoint-dir " + cp.folder + ": cannot create the folder" + (ec ? ": " + ec.message() : ""));
    const fs::path probe = folder / (".demat-write-test-" + std::to_string(::getpid()));
    const bool writable = static_cast<bool>(std::ofstream(probe));
    fs::remove(probe, ec);
    if (!writable) throw BadOutput("--checkpoint-dir " + cp.folder + ": cannot write in the folder");
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

int run_scenario(const RunOptions& o, const std::atomic<bool>& interrupted) {
    const Scenario sc = load_with_overrides(o);
    const std::string output = o.output.empty() ? default_output(o.scenario) : o.output;
    if (o.output.empty()) std::filesystem::create_directories(std::filesystem::path(output).parent_path());
    check_writable(output);
    prepare_checkpoint_folder(o.checkpoints);

    ParallelExecutor executor(o.threads);
    Progress progress(!o.quiet, sc.population.size);
    progress.phase("generating " + std::to_string(sc.population.size) + " citizens and their network");
    Engine engine(sc, executor);
    announce_checkpoints(progress, o.checkpoints);
    if (!simulate(engine, o.checkpoints, progress, interrupted)) return exit_interrupted;
    write_results(engine, output, o.quiet, o.snapshot);
    return exit_ok;
}

int resume_run(const ResumeOptions& o, const std::atomic<bool>& interrupted) {
    check_writable(o.output);
    prepare_checkpoint_folder(o.checkpoints);

    ParallelExecutor executor(o.threads);
    const CheckpointInfo info = read_checkpoint_info(o.checkpoint);
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
