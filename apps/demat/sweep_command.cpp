#include "sweep_command.hpp"

#include "core/engine.hpp"
#include "run_command.hpp"
#include "io/hdf5_writer.hpp"
#include "parallel/parallel_executor.hpp"
#include "scenario/reader.hpp"
#include "sweep/sweep.hpp"

#include <algorithm>
#include <exception>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>

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
    for (const auto& run : plan) scenarios.push_back(planned_scenario(base, run));
    refuse_overwriting_inputs(o.output, scenario_files(o.scenario));
    try {
        check_output_writable(o.output);
    } catch (const std::runtime_error& e) {
        throw ScenarioError("", 0, "--output", e.what());
    }

    // One engine per worker thread, each on one thread: runs are independent,
    // so this uses the cores better than threads within one small run.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t workers = std::min<std::size_t>(o.jobs > 0 ? static_cast<std::size_t>(o.jobs) : cores, plan.size());
    std::vector<Results> results(plan.size());
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::exception_ptr failure;
    std::mutex mutex;
    const auto work = [&] {
        try {
            ParallelExecutor executor(1);
            for (std::size_t i = next++; i < plan.size() && !interrupted.load(); i = next++) {
                Engine engine(scenarios[i], executor);
                while (!engine.completed() && !interrupted.load()) engine.step();
                if (!engine.completed()) return;
                results[i] = engine.results();
                results[i].attributes["scenario_resolved"] = to_toml(scenarios[i]);
                const std::size_t finished = ++done;
                if (!o.quiet) {
                    std::lock_guard lock(mutex);
                    std::cerr << "\rdemat sweep: " << finished << "/" << plan.size() << " runs" << std::flush;
                }
            }
        } catch (...) {
            std::lock_guard lock(mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workers; ++w) threads.emplace_back(work);
    for (auto& t : threads) t.join();
    if (!o.quiet) std::cerr << "\n";
    if (failure) std::rethrow_exception(failure);
    if (interrupted.load()) {
        std::cerr << "demat: sweep interrupted after " << done.load() << " of " << plan.size()
                  << " runs; no output written\n";
        return 130;
    }
    write_hdf5(combine_runs(base, base.seed, axes, plan, results), o.output);
    if (!o.quiet) std::cerr << "demat sweep: " << plan.size() << " runs written to " << o.output << "\n";
    return 0;
}

}  // namespace demat
