#include "sweep/sweep.hpp"

#include "scenario/reader.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>

namespace demat {

std::uint64_t child_seed(std::uint64_t root, std::uint64_t index) {
    std::uint64_t z = root + (index + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return z & 0x7FFFFFFFFFFFFFFFULL;
}

std::vector<PlannedRun> plan_sweep(std::uint64_t root_seed, const std::vector<SweepAxis>& axes,
                                   std::size_t replicates) {
    if (replicates == 0) throw std::invalid_argument("a sweep needs at least one replicate");
    std::size_t points = 1;
    for (std::size_t a = 0; a < axes.size(); ++a) {
        if (axes[a].values.empty()) throw std::invalid_argument("sweep key '" + axes[a].key + "' has no values");
        for (std::size_t b = 0; b < a; ++b)
            if (axes[b].key == axes[a].key) throw std::invalid_argument("sweep key '" + axes[a].key + "' given twice");
        for (const auto& v : axes[a].values)
            if (std::holds_alternative<std::string>(v))
                throw ScenarioError("", 0, axes[a].key,
                                    "sweep key '" + axes[a].key + "': swept values must be numbers or booleans, got " +
                                        format_parameter_value(v) +
                                        " (to compare text values, write one scenario file per value)");
        points *= axes[a].values.size();
    }
    std::vector<PlannedRun> plan;
    plan.reserve(points * replicates);
    for (std::size_t point = 0; point < points; ++point) {
        std::vector<ParameterChange> changes(axes.size());
        std::size_t rest = point;
        for (std::size_t a = axes.size(); a-- > 0;) {
            const auto& values = axes[a].values;
            changes[a] = {axes[a].key, values[rest % values.size()]};
            rest /= values.size();
        }
        for (std::size_t r = 0; r < replicates; ++r)
            plan.push_back({point, r, child_seed(root_seed, r), changes});
    }
    return plan;
}

Scenario planned_scenario(const Scenario& base, const PlannedRun& run) {
    Scenario sc = run.changes.empty() ? base : with_changes(base, run.changes);
    set_seed(sc, run.seed);
    return sc;
}

namespace {

double as_real(const ParameterValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    return std::get<double>(v);
}

bool all_integral(const std::vector<ParameterValue>& values) {
    for (const auto& v : values)
        if (std::holds_alternative<double>(v)) return false;
    return true;
}

}  // namespace

Results combine_runs(const Scenario& base, std::uint64_t root_seed, const std::vector<SweepAxis>& axes,
                     const std::vector<PlannedRun>& plan, const std::vector<Results>& runs,
                     const std::vector<std::string>& errors) {
    if (runs.empty() || runs.size() != plan.size())
        throw std::invalid_argument("combine_runs: " + std::to_string(runs.size()) + " results for a plan of " +
                                    std::to_string(plan.size()) + " runs");
    if (!errors.empty() && errors.size() != plan.size())
        throw std::invalid_argument("combine_runs: " + std::to_string(errors.size()) + " errors for a plan of " +
                                    std::to_string(plan.size()) + " runs");
    const auto failed = [&](std::size_t r) { return !errors.empty() && !errors[r].empty(); };
    std::size_t model_run = 0;
    while (model_run < runs.size() && failed(model_run)) ++model_run;
    if (model_run == runs.size())
        throw std::invalid_argument("combine_runs: every run failed; the first error: " + errors.front());
    const Results& first = runs[model_run];
    for (std::size_t r = model_run + 1; r < runs.size(); ++r) {
        if (failed(r)) continue;
        const Results& other = runs[r];
        bool same = other.coordinates.size() == first.coordinates.size() && other.arrays.size() == first.arrays.size();
        for (std::size_t c = 0; same && c < first.coordinates.size(); ++c) {
            const Coordinate& a = first.coordinates[c];
            const Coordinate& b = other.coordinates[c];
            // Integer coordinates other than `day` may differ (helpers/helps
            // goes up to the busiest helper of each run): they are merged below.
            same = a.path == b.path && a.is_text() == b.is_text() &&
                   ((a.labels == b.labels && a.values == b.values) || (!a.is_text() && a.path != "day"));
        }
        for (std::size_t a = 0; same && a < first.arrays.size(); ++a)
            same = first.arrays[a].path == other.arrays[a].path && first.arrays[a].dims == other.arrays[a].dims;
        if (!same)
            throw std::invalid_argument("combine_runs: run " + std::to_string(r) +
                                        " does not have the coordinates and arrays of run " + std::to_string(model_run) + " (a swept key that "
                                        "changes the services, days or metrics cannot share one file)");
    }
    // Merged coordinates: the sorted union of every run's values.
    std::map<std::string, Coordinate> merged;
    for (const auto& c : first.coordinates) merged[c.path] = c;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        if (failed(r)) continue;
        for (const auto& c : runs[r].coordinates)
            if (!c.is_text() && c.values != merged[c.path].values) {
                auto& values = merged[c.path].values;
                values.insert(values.end(), c.values.begin(), c.values.end());
                std::sort(values.begin(), values.end());
                values.erase(std::unique(values.begin(), values.end()), values.end());
            }
    }

    Results out;
    out.attributes = first.attributes;
    for (const char* dropped : {"threads", "population_seconds", "network_seconds", "simulation_seconds"})
        out.attributes.erase(dropped);
    out.attributes["seed"] = static_cast<std::int64_t>(root_seed);
    out.attributes["scenario"] = base.source_text;
    // The base's, not the first run's: a run handed to another machine is
    // rebuilt from its text there and has no path of its own.
    out.attributes["scenario_path"] = base.source_path;
    out.attributes["scenario_resolved"] = to_toml(base);
    out.attributes["layout"] = std::string("sweep");
    out.attributes["replicates"] = static_cast<std::int64_t>(plan.back().replicate + 1);
    out.attributes["runs"] = static_cast<std::int64_t>(plan.size());
    out.attributes["seed_rule"] = std::string("run_seed = child_seed(seed, run_replicate): SplitMix64, see docs/output.md");
    std::string keys;
    for (const auto& axis : axes) keys += (keys.empty() ? "" : "\n") + axis.key;
    out.attributes["swept_keys"] = keys;

    Coordinate run;
    run.path = "run";
    run.description = "run of the sweep: point * replicates + replicate";
    for (std::size_t r = 0; r < plan.size(); ++r) run.values.push_back(static_cast<std::int64_t>(r));
    out.coordinates.push_back(run);
    for (const auto& c : first.coordinates) out.coordinates.push_back(merged[c.path]);

    const auto per_run = [&](const std::string& path, const std::string& description, const std::string& unit,
                             auto value_of) {
        Array a;
        a.path = path;
        a.dims = {"run"};
        a.shape = {plan.size()};
        a.description = description;
        a.unit = unit;
        using T = decltype(value_of(plan.front()));
        std::vector<T> data;
        for (const auto& p : plan) data.push_back(value_of(p));
        a.data = std::move(data);
        out.arrays.push_back(std::move(a));
    };
    per_run("run_seed", "seed of the run: child_seed(root seed, run_replicate)", "1",
            [](const PlannedRun& p) { return static_cast<std::int64_t>(p.seed); });
    per_run("run_replicate", "replicate of the run within its point (same seeds at every point)", "1",
            [](const PlannedRun& p) { return static_cast<std::int64_t>(p.replicate); });
    per_run("run_point", "point of the sweep: index into the product of the swept values, first key slowest", "1",
            [](const PlannedRun& p) { return static_cast<std::int64_t>(p.point); });
    std::size_t failures = 0;
    std::string messages;
    for (std::size_t r = 0; r < plan.size(); ++r)
        if (failed(r)) {
            ++failures;
            messages += (messages.empty() ? "run " : "\nrun ") + std::to_string(r) + ": " + errors[r];
        }
    if (failures > 0) {
        std::size_t r = 0;
        per_run("run_failed",
                "1 if the run failed after its retries (its cells hold 0 or NaN; the root attribute run_errors says why)",
                "1", [&](const PlannedRun&) { return static_cast<std::int64_t>(failed(r++) ? 1 : 0); });
        out.attributes["failed_runs"] = static_cast<std::int64_t>(failures);
        out.attributes["run_errors"] = messages;
    }
    for (std::size_t a = 0; a < axes.size(); ++a) {
        const bool booleans = std::holds_alternative<bool>(axes[a].values.front());
        const std::string description =
            "value of " + axes[a].key + " in the run" + (booleans ? " (1 = true, 0 = false)" : "");
        if (all_integral(axes[a].values))
            per_run(axes[a].key, description, "1", [a](const PlannedRun& p) {
                return static_cast<std::int64_t>(as_real(p.changes[a].value));
            });
        else
            per_run(axes[a].key, description, "1", [a](const PlannedRun& p) { return as_real(p.changes[a].value); });
    }

    for (std::size_t i = 0; i < first.arrays.size(); ++i) {
        const Array& model = first.arrays[i];
        Array a;
        a.path = model.path;
        a.dims = model.dims;
        a.dims.insert(a.dims.begin(), "run");
        a.shape = model.shape;
        a.shape.insert(a.shape.begin(), runs.size());
        a.description = model.description;
        a.unit = model.unit;
        for (std::size_t axis = 0; axis < model.dims.size(); ++axis)
            a.shape[axis + 1] = merged[model.dims[axis]].size();
        const std::size_t stride = a.size() / runs.size();
        // Cells a run has no value for (a helps count no helper of it reached)
        // hold 0 for counts and NaN for reals.
        if (model.is_integer())
            a.data = std::vector<std::int64_t>(a.size(), 0);
        else
            a.data = std::vector<double>(a.size(), std::numeric_limits<double>::quiet_NaN());
        for (std::size_t r = 0; r < runs.size(); ++r) {
            if (failed(r)) continue;
            const Array& source = runs[r].arrays[i];
            // Where each index of each axis of this run goes in the merged axis.
            std::vector<std::vector<std::size_t>> where(source.dims.size());
            for (std::size_t axis = 0; axis < source.dims.size(); ++axis) {
                const Coordinate& own = runs[r].coordinate(source.dims[axis]);
                const Coordinate& all = merged[source.dims[axis]];
                for (std::size_t k = 0; k < own.size(); ++k)
                    where[axis].push_back(own.is_text()
                                              ? k
                                              : static_cast<std::size_t>(
                                                    std::lower_bound(all.values.begin(), all.values.end(),
                                                                     own.values[k]) - all.values.begin()));
            }
            std::vector<std::size_t> index(source.shape.size(), 0);
            for (std::size_t flat = 0; flat < source.size(); ++flat) {
                std::size_t target = 0;
                for (std::size_t axis = 0; axis < index.size(); ++axis)
                    target = target * a.shape[axis + 1] + where[axis][index[axis]];
                target += r * stride;
                if (model.is_integer())
                    std::get<std::vector<std::int64_t>>(a.data)[target] = source.integers()[flat];
                else
                    std::get<std::vector<double>>(a.data)[target] = source.reals()[flat];
                for (std::size_t axis = index.size(); axis-- > 0;) {
                    if (++index[axis] < source.shape[axis]) break;
                    index[axis] = 0;
                }
            }
        }
        out.arrays.push_back(std::move(a));
    }
    return out;
}

}  // namespace demat
