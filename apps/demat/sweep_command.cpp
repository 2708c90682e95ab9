#include "sweep_command.hpp"

#include "core/error.hpp"
#include "core/engine.hpp"
#include "run_command.hpp"
#include "io/hdf5_writer.hpp"
#include "io/results_bytes.hpp"
#include "parallel/parallel_executor.hpp"
#include "scenario/reader.hpp"
#include "sweep/sweep.hpp"

#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace demat {

namespace {

SweepAxis parse_set(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw ScenarioError("", 0, "--set", "--set '" + text + "': expected key=value1,value2,...");
    SweepAxis axis{text.substr(0, eq), {}};
    std::size_t start = eq + 1;
    while (true) {
        const auto comma = text.find(',', start);
        axis.values.push_back(parse_parameter_value(text.substr(start, comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return axis;
}

// The journal's file names, shared with python/demat/_distributed.py.
std::string journal_file(const fs::path& journal, std::size_t run, const char* suffix) {
    char name[48];
    std::snprintf(name, sizeof name, "run-%06zu%s", run, suffix);
    return (journal / name).string();
}

bool is_journal_entry(const fs::path& p) {
    const std::string name = p.filename().string();
    return name.rfind("run-", 0) == 0 && (p.extension() == ".results" || p.extension() == ".failed");
}

// Written under a temporary name and renamed: a resume never sees half a
// file. Not synced to disk (a sync costs more than a small run): a journal
// file damaged by a power cut is found unreadable on resume and computed again.
// A full disk is the user's to fix (exit 2, docs/hardening.md), anything
// else an internal error; either way no temporary file is left.
void write_atomically(const std::string& path, const void* data, std::size_t size) {
    const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
    std::FILE* out = std::fopen(temporary.c_str(), "wb");
    int error = out ? 0 : errno;
    if (out && std::fwrite(data, 1, size, out) != size) error = errno ? errno : EIO;
    if (out && std::fflush(out) != 0 && error == 0) error = errno ? errno : EIO;
    if (out && std::fclose(out) != 0 && error == 0) error = errno ? errno : EIO;
    std::error_code ec;
    if (error == 0) fs::rename(temporary, path, ec);
    if (error == 0 && ec) error = ec.value();
    if (error == 0) return;
    fs::remove(temporary, ec);
    if (is_disk_full(error)) throw DiskFullError(path, "cannot write " + temporary + ": " + std::strerror(error));
    throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(error));
}

std::string duration_text(double seconds) {
    std::ostringstream out;
    if (seconds < 90)
        out << static_cast<long>(seconds + 0.5) << " s";
    else if (seconds < 90 * 60)
        out << static_cast<long>(seconds / 60 + 0.5) << " min";
    else
        out << static_cast<long>(seconds / 3600) << " h " << static_cast<long>(seconds / 60) % 60 << " min";
    return out.str();
}

}  // namespace

int run_sweep(const SweepOptions& o, const std::atomic<bool>& interrupted) {
    Scenario base = load_scenario(o.scenario);
    if (o.population) set_population_size(base, *o.population, "--population");
    if (o.days) set_days(base, *o.days, "--days");
    if (o.seed) set_seed(base, *o.seed);
    std::vector<SweepAxis> axes;
    for (const auto& s : o.sets) axes.push_back(parse_set(s));
    std::vector<PlannedRun> plan;
    try {
        plan = plan_sweep(base.seed, axes, o.replicates);
    } catch (const std::invalid_argument& e) {
        throw ScenarioError("", 0, "--set", e.what());  // bad input (exit 2), not an internal error
    }
    // Every run's scenario first: a bad value fails before any simulation.
    std::vector<Scenario> scenarios;
    std::vector<std::string> resolved;
    for (const auto& run : plan) {
        scenarios.push_back(planned_scenario(base, run));
        resolved.push_back(to_toml(scenarios.back()));
    }
    refuse_overwriting_inputs(o.output, scenario_files(o.scenario));
    try {
        check_output_writable(o.output);
    } catch (const std::runtime_error& e) {
        throw ScenarioError("", 0, "--output", e.what());
    }

    // The journal: runs already done (with --resume), checked to be runs of
    // this very sweep by their resolved scenario, which holds their seed.
    const fs::path journal = o.output + ".journal";
    std::vector<Results> results(plan.size());
    std::vector<std::string> errors(plan.size());
    std::vector<char> done_before(plan.size(), 0);
    std::size_t kept = 0;
    std::error_code ec;
    if (fs::is_directory(journal, ec)) {
        std::size_t entries = 0;
        for (const auto& entry : fs::directory_iterator(journal))
            if (is_journal_entry(entry.path())) ++entries;
        if (entries > 0 && !o.resume)
            throw ScenarioError("", 0, "--resume",
                                journal.string() + " holds " + std::to_string(entries) +
                                    " runs of an unfinished sweep: add --resume to continue it (only the missing "
                                    "runs are computed), or delete it to start again");
        for (std::size_t i = 0; i < plan.size() && o.resume; ++i) {
            const std::string file = journal_file(journal, i, ".results");
            if (!fs::exists(file)) continue;
            Results r;
            try {
                std::ifstream in(file, std::ios::binary);
                const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                if (!in) throw std::runtime_error("cannot read it");
                r = unpack_results(bytes);
            } catch (const std::exception& e) {
                // Journal files are renamed into place complete, so this is damage: compute it again.
                std::cerr << "demat sweep: " << file << " is unreadable (" << e.what() << "); computing run "
                          << i << " again\n";
                continue;
            }
            const auto it = r.attributes.find("scenario_resolved");
            if (it == r.attributes.end() || !std::holds_alternative<std::string>(it->second) ||
                std::get<std::string>(it->second) != resolved[i])
                throw ScenarioError("", 0, "--resume",
                                    file + " is not run " + std::to_string(i) +
                                        " of this sweep (another scenario, --set, --seed, --population or --days): "
                                        "resume with the command that started the sweep, or delete " +
                                        journal.string());
            results[i] = std::move(r);
            done_before[i] = 1;
            ++kept;
        }
    }
    fs::create_directories(journal, ec);
    if (ec) throw ScenarioError("", 0, "--output", "cannot create the journal folder " + journal.string() + ": " +
                                                      ec.message());
    if (o.resume && !o.quiet)
        std::cerr << "demat sweep: resuming: " << kept << " of " << plan.size() << " runs in " << journal.string()
                  << ", " << plan.size() - kept << " to compute\n";

    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < plan.size(); ++i)
        if (!done_before[i]) todo.push_back(i);

    // One engine per worker thread, each on one thread: runs are independent,
    // so this uses the cores better than threads within one small run.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t workers =
        std::max<std::size_t>(1, std::min<std::size_t>(o.jobs > 0 ? static_cast<std::size_t>(o.jobs) : cores,
                                                       todo.size()));
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> computed{0};
    std::atomic<std::size_t> failures{0};
    std::exception_ptr failure;
    std::mutex mutex;
    const auto start = std::chrono::steady_clock::now();
    const auto work = [&] {
        try {
            ParallelExecutor executor(1);
            for (std::size_t k = next++; k < todo.size() && !interrupted.load(); k = next++) {
                const std::size_t i = todo[k];
                std::string error;
                bool complete = false;
                for (int attempt = 0; attempt <= o.retries && !complete && !interrupted.load(); ++attempt) {
                    try {
                        Engine engine(scenarios[i], executor);
                        while (!engine.completed() && !interrupted.load()) engine.step();
                        if (!engine.completed()) return;
                        results[i] = engine.results();
                        results[i].attributes["scenario_resolved"] = resolved[i];
                        complete = true;
                    } catch (const std::exception& e) {
                        error = e.what();
                        std::lock_guard lock(mutex);
                        std::cerr << "\ndemat sweep: run " << i << " failed (attempt " << attempt + 1 << " of "
                                  << o.retries + 1 << "): " << error << "\n";
                    }
                }
                if (interrupted.load() && !complete) return;
                if (complete) {
                    const std::string packed = pack_results(results[i]);
                    write_atomically(journal_file(journal, i, ".results"), packed.data(), packed.size());
                    fs::remove(journal_file(journal, i, ".failed"));
                } else {
                    errors[i] = error;
                    ++failures;
                    const std::string text = error + "\n";
                    write_atomically(journal_file(journal, i, ".failed"), text.data(), text.size());
                }
                const std::size_t finished = ++computed;
                if (!o.quiet) {
                    const double seconds =
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                    const double per_minute = 60.0 * static_cast<double>(finished) / std::max(seconds, 1e-9);
                    std::lock_guard lock(mutex);
                    std::cerr << "\rdemat sweep: " << kept + finished << "/" << plan.size() << " runs, "
                              << std::fixed << std::setprecision(1) << per_minute << " runs/min, "
                              << duration_text(60.0 * static_cast<double>(todo.size() - finished) / per_minute)
                              << " left   " << std::flush;
                }
            }
        } catch (...) {
            std::lock_guard lock(mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workers && !todo.empty(); ++w) threads.emplace_back(work);
    for (auto& t : threads) t.join();
    if (!o.quiet && !todo.empty()) std::cerr << "\n";
    if (failure) std::rethrow_exception(failure);
    if (interrupted.load()) {
        std::cerr << "demat: sweep interrupted after " << kept + computed.load() << " of " << plan.size()
                  << " runs; no output written. The finished runs are kept in " << journal.string()
                  << ": run the same command with --resume to compute only the missing ones\n";
        return 130;
    }
    write_hdf5(combine_runs(base, base.seed, axes, plan, results, failures > 0 ? errors : std::vector<std::string>{}),
               o.output);
    fs::remove_all(journal, ec);  // the output holds everything now
    if (failures > 0) {
        std::cerr << "demat sweep: " << failures.load() << " of " << plan.size() << " runs failed after "
                  << o.retries + 1 << " attempts; they are recorded in " << o.output
                  << " (run_failed, and their errors in the attribute run_errors)\n";
        return 1;
    }
    if (!o.quiet) std::cerr << "demat sweep: " << plan.size() << " runs written to " << o.output << "\n";
    return 0;
}

int hand_sweep_to_python(int argc, char** argv) {
    // Everything after the `sweep` subcommand goes over unchanged: the Python
    // command has the same options (and --scheduler).
    std::vector<std::string> args{DEMAT_PYTHON, "-m", "demat.sweep"};
    int first = 1;
    while (first < argc && std::strcmp(argv[first], "sweep") != 0) ++first;
    for (int i = first + 1; i < argc; ++i) args.emplace_back(argv[i]);
    // The package built beside this command, when there is one (a build
    // tree); an installed demat is found by the interpreter itself.
    std::error_code ec;
    if (fs::is_directory(fs::path(DEMAT_PYTHON_PATH) / "demat", ec)) {
        const char* old = std::getenv("PYTHONPATH");
        const std::string path = std::string(DEMAT_PYTHON_PATH) + (old && *old ? std::string(":") + old : "");
        ::setenv("PYTHONPATH", path.c_str(), 1);
    }
    std::vector<char*> c_args;
    for (auto& a : args) c_args.push_back(a.data());
    c_args.push_back(nullptr);
    ::execvp(c_args[0], c_args.data());
    std::cerr << "demat: cannot start " << args[0] << " -m demat.sweep for --scheduler: " << std::strerror(errno)
              << "\n";
    return 1;
}

}  // namespace demat
