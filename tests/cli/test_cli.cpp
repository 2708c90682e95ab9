// End to end through the `demat` command: exit codes, messages, the file it writes.
#include "core/compare.hpp"
#include "io/hdf5_writer.hpp"

#include "run_demat.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::path(DEMAT_BINARY_DIR) / "tests" / "cli_scratch" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string scenario(const std::string& name) { return std::string(DEMAT_SOURCE_DIR) + "/scenarios/" + name; }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

// The summary's control lines are the file's /control totals (docs/model.md 11.6).
TEST_CASE("demat run prints the digital control lines of a run with control, from its /control arrays") {
    const fs::path dir = scratch("run_control");
    const fs::path out = dir / "control.h5";
    const Outcome r = run_demat("run " + scenario("algorithmic_control.toml") +
                                " --population 4000 --days 120 --seed 3 --threads 2 -o " + out.string());
    INFO(r.output);
    REQUIRE(r.code == 0);
    const demat::Results res = demat::read_hdf5(out.string());
    const auto& events = res.array("control/events").integers();
    const auto& names = res.coordinate("control/event").labels;
    const auto total = [&](const std::string& name) {
        const auto k = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
        std::int64_t sum = 0;
        for (std::size_t i = k; i < events.size(); i += names.size()) sum += events[i];
        return sum;
    };
    const std::int64_t controls = total("automated") + total("documents") + total("visit");
    REQUIRE(controls > 0);
    const std::string line = "Digital control over the recorded days: " + std::to_string(controls) + " controls, " +
                             std::to_string(total("found_innocent") + total("found_deliberate")) + " errors found, " +
                             std::to_string(total("suspensions")) + " suspensions (" +
                             std::to_string(total("wrongful_suspensions")) + " wrongful)";
    REQUIRE(contains(r.output, line));
    REQUIRE(contains(r.output, "controls per 1,000 recipient-months"));
    REQUIRE(contains(r.output, "with random selection at the same budget"));
}

TEST_CASE("demat run writes the docs/output.md layout and prints the summary") {
    const fs::path dir = scratch("run");
    const fs::path out = dir / "hybrid.h5";
    const Outcome r = run_demat("run " + scenario("hybrid.toml") + " --population 5000 --days 40 --seed 3 --threads 2 -o " + out.string());
    INFO(r.output);
    REQUIRE(r.code == 0);
    REQUIRE(contains(r.output, "Take-up by capital quintile"));
    REQUIRE(!contains(r.output, "Digital control"));  // off in hybrid.toml
    REQUIRE(contains(r.output, "Results written to " + out.string()));
    REQUIRE(fs::exists(out));
    // Nothing but the result is left in the folder (no temporary file).
    REQUIRE(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 1);

    const demat::Results res = demat::read_hdf5(out.string());
    REQUIRE(std::get<std::int64_t>(res.attributes.at("seed")) == 3);
    REQUIRE(contains(std::get<std::string>(res.attributes.at("scenario")), "[services."));
    REQUIRE(std::get<std::string>(res.attributes.at("demat_version")) == DEMAT_VERSION);
    REQUIRE(res.coordinate("state").labels ==
            std::vector<std::string>{"eligible", "receiving", "non_knowledge", "non_demand", "in_progress",
                                     "non_receipt", "interrupted"});
    REQUIRE(res.coordinate("day").values.size() == 40);
    const auto& counts = res.array("counts");
    REQUIRE(counts.dims == std::vector<std::string>{"day", "service", "state"});
    REQUIRE(counts.shape[0] == 40);
    REQUIRE(counts.shape[1] == res.coordinate("service").labels.size());
    for (const char* dim : {"age_group", "education", "income_quintile", "capital_quintile", "digital_skill",
                            "territory", "isolation", "equipment"}) {
        const auto& a = res.array(std::string("segments/") + dim + "/counts");
        REQUIRE(a.dims == std::vector<std::string>{"day", "service", std::string("segments/") + dim + "/group", "state"});
    }
    REQUIRE(res.coordinate("segments/capital_quintile/group").labels ==
            std::vector<std::string>{"Q1", "Q2", "Q3", "Q4", "Q5"});
    // The identity holds in the file too.
    const auto& v = counts.integers();
    for (std::size_t i = 0; i < v.size(); i += 7) REQUIRE(v[i] == v[i + 1] + v[i + 2] + v[i + 3] + v[i + 4] + v[i + 5] + v[i + 6]);
}

TEST_CASE("the same run twice gives identical datasets, with 1 or 2 threads") {
    const fs::path dir = scratch("determinism");
    const std::string common = " --population 8000 --days 30 --seed 11 -o ";
    REQUIRE(run_demat("run " + scenario("online_only.toml") + " -q --threads 1" + common + (dir / "a.h5").string()).code == 0);
    REQUIRE(run_demat("run " + scenario("online_only.toml") + " -q --threads 2" + common + (dir / "b.h5").string()).code == 0);
    const auto a = demat::read_hdf5((dir / "a.h5").string()), b = demat::read_hdf5((dir / "b.h5").string());
    REQUIRE(a.arrays.size() == b.arrays.size());
    for (std::size_t i = 0; i < a.arrays.size(); ++i) {
        INFO(a.arrays[i].path);
        REQUIRE(a.arrays[i].data.index() == b.arrays[i].data.index());
        if (a.arrays[i].is_integer()) REQUIRE(a.arrays[i].integers() == b.arrays[i].integers());
    }
}

TEST_CASE("bad input: exit code 2, a message naming file, line and key, and no output file") {
    const fs::path dir = scratch("bad");
    const fs::path bad = dir / "bad.toml";
    std::ofstream(bad) << "base = \"" << scenario("hybrid.toml") << "\"\n[behaviour]\nretry_dayz = 3\n";
    const fs::path out = dir / "out.h5";
    const Outcome r = run_demat("run " + bad.string() + " -o " + out.string());
    INFO(r.output);
    REQUIRE(r.code == 2);
    REQUIRE(contains(r.output, bad.string()));
    REQUIRE(contains(r.output, ":3"));
    REQUIRE(contains(r.output, "retry_dayz"));
    REQUIRE(contains(r.output, "retry_days"));  // the suggestion
    REQUIRE_FALSE(fs::exists(out));

    const Outcome v = run_demat("validate " + bad.string());
    REQUIRE(v.code == 2);
    const Outcome missing = run_demat("run " + (dir / "nope.toml").string());
    REQUIRE(missing.code == 2);
    REQUIRE(contains(missing.output, "nope.toml"));
}

TEST_CASE("bad input: a targeted zone outside the population, in the file or after --population, exits with 2") {
    const fs::path dir = scratch("bad_zones");
    const fs::path bad = dir / "zones.toml";
    std::ofstream(bad) << "base = \"" << scenario("algorithmic_control.toml") << "\"\n[population]\nsize = 20000\n"
                       << "zone_size = 2500\n[control]\ntargeted_zones = [3, 17]\n";
    const Outcome r = run_demat("validate " + bad.string());
    INFO(r.output);
    REQUIRE(r.code == 2);
    REQUIRE(contains(r.output, bad.string()));
    REQUIRE(contains(r.output, "control.targeted_zones"));
    REQUIRE(contains(r.output, "zone 17"));
    const fs::path fits = dir / "fits.toml";
    std::ofstream(fits) << "base = \"" << scenario("algorithmic_control.toml") << "\"\n[population]\nsize = 20000\n"
                        << "zone_size = 2500\n[control]\ntargeted_zones = [3, 7]\n";
    REQUIRE(run_demat("validate " + fits.string()).code == 0);
    const Outcome smaller = run_demat("run " + fits.string() + " --population 5000 -o " + (dir / "never.h5").string());
    INFO(smaller.output);
    REQUIRE(smaller.code == 2);
    REQUIRE(contains(smaller.output, "--population"));
    REQUIRE(contains(smaller.output, "names zone 3"));  // the first named zone beyond the 2 of 5,000 citizens
}

TEST_CASE("an output path that cannot be written is refused before simulating") {
    const Outcome r = run_demat("run " + scenario("hybrid.toml") + " -o /nonexistent-folder/x.h5");
    INFO(r.output);
    REQUIRE(r.code == 2);
    REQUIRE(contains(r.output, "/nonexistent-folder/x.h5"));
    REQUIRE_FALSE(contains(r.output, "generating"));
}

TEST_CASE("command-line overrides are validated against the schema") {
    const Outcome r = run_demat("run " + scenario("hybrid.toml") + " --population 3 -o /tmp/never.h5");
    INFO(r.output);
    REQUIRE(r.code == 2);
    REQUIRE(contains(r.output, "--population"));
    REQUIRE_FALSE(fs::exists("/tmp/never.h5"));
}

TEST_CASE("usage: --help shows examples, --version the version, a missing subcommand is an error") {
    const Outcome help = run_demat("--help");
    REQUIRE(help.code == 0);
    REQUIRE(contains(help.output, "Examples:"));
    REQUIRE(contains(help.output, "demat run scenarios/hybrid.toml"));
    const Outcome version = run_demat("--version");
    REQUIRE(version.code == 0);
    REQUIRE(contains(version.output, DEMAT_VERSION));
    REQUIRE(run_demat("").code == 2);
    REQUIRE(run_demat("run").code == 2);
    REQUIRE(run_demat("frobnicate").code == 2);
}

TEST_CASE("validate accepts every shipped scenario and prints the resolved parameters") {
    for (const char* name : {"hybrid.toml", "online_only.toml", "online_with_mediation.toml"}) {
        const Outcome r = run_demat(std::string("validate ") + scenario(name));
        INFO(r.output);
        REQUIRE(r.code == 0);
        REQUIRE(contains(r.output, "valid"));
        REQUIRE(contains(r.output, "[services.minimum_income"));
    }
}

TEST_CASE("demat compare: a run against itself changes nothing, and online-only against hybrid widens the divide") {
    const fs::path dir = scratch("compare");
    const std::string common = " -q --population 20000 --days 60 --seed 5 -o ";
    REQUIRE(run_demat("run " + scenario("hybrid.toml") + common + (dir / "h.h5").string()).code == 0);
    REQUIRE(run_demat("run " + scenario("online_only.toml") + common + (dir / "o.h5").string()).code == 0);
    const Outcome same = run_demat("compare " + (dir / "h.h5").string() + " " + (dir / "h.h5").string());
    INFO(same.output);
    REQUIRE(same.code == 0);
    REQUIRE(contains(same.output, "minimum_income"));
    // Every difference column reads +0.0 when a run is compared with itself.
    std::size_t pos = 0, diffs = 0;
    while ((pos = same.output.find("pt\n", pos)) != std::string::npos) {
        REQUIRE(same.output.substr(pos - 4, 4) == "+0.0");
        ++diffs;
        ++pos;
    }
    REQUIRE(diffs > 50);

    const demat::Results h = demat::read_hdf5((dir / "h.h5").string()), o = demat::read_hdf5((dir / "o.h5").string());
    const demat::Comparison c = demat::compare_runs(h, o, 60);
    REQUIRE(c.services.size() == 6);
    double widened = 0;
    for (const auto& s : c.services) widened += s.b.divide_index - s.a.divide_index;
    REQUIRE(widened > 0);

    const Outcome missing = run_demat("compare " + (dir / "h.h5").string() + " " + (dir / "nope.h5").string());
    REQUIRE(missing.code == 2);
}

TEST_CASE("demat compare: files with replicates give mean differences with a 5-95% interval across replicates") {
    const fs::path dir = scratch("compare_replicates");
    const std::string common = " -q --replicates 5 --population 4000 --days 40 --jobs 2 -o ";
    REQUIRE(run_demat("sweep " + scenario("hybrid.toml") + common + (dir / "h.h5").string()).code == 0);
    REQUIRE(run_demat("sweep " + scenario("online_only.toml") + common + (dir / "o.h5").string()).code == 0);
    REQUIRE(run_demat("run " + scenario("hybrid.toml") + " -q --population 4000 --days 40 -o " + (dir / "one.h5").string())
                .code == 0);

    const demat::Results h = demat::read_hdf5((dir / "h.h5").string()), o = demat::read_hdf5((dir / "o.h5").string());
    const auto runs = demat::split_runs(h);
    REQUIRE(runs.size() == 5);
    REQUIRE(runs[0].array("counts").shape.size() == 3);  // [day, service, state]: the run axis is gone
    const demat::Comparison c = demat::compare_runs(h, o, 30);
    REQUIRE(c.runs_a == 5);
    REQUIRE(c.pairs == 5);
    REQUIRE(c.services.size() == 6);
    for (const auto& s : c.services) {
        INFO(s.service);
        REQUIRE(s.has_interval);
        // The mean difference lies in the interval of the per-replicate differences.
        const double mean = s.b.shares[1] - s.a.shares[1];
        CHECK(s.difference_low.shares[1] <= mean + 1e-12);
        CHECK(mean <= s.difference_high.shares[1] + 1e-12);
        // Figures are the mean over the file's runs.
        double sum = 0;
        for (const auto& r : runs) sum += demat::run_figures(r, static_cast<std::size_t>(&s - c.services.data()), 30).shares[1];
        CHECK(s.a.shares[1] == Approx(sum / 5).epsilon(1e-12));
    }
    // Online only lowers minimum income take-up in every replicate pair here (common random numbers).
    CHECK(c.services[0].difference_high.shares[1] < 0);

    // Take-up by household type and tenure (issue 14): the groups of both files, means over the runs, a
    // direct ratio of the segment's counts, and an interval around the mean difference.
    REQUIRE(c.segments.size() == 2);
    int figures_checked = 0;
    CHECK(c.segments[0].dimension == "household_type");
    CHECK(c.segments[0].groups.size() == 5);
    CHECK(c.segments[1].dimension == "tenure");
    CHECK(c.segments[1].groups == std::vector<std::string>{"owner", "private_tenant", "social_tenant"});
    for (const auto& s : c.services) {
        INFO(s.service);
        const auto si = static_cast<std::size_t>(&s - c.services.data());
        REQUIRE(s.a.take_up_by_segment.size() == 8);
        REQUIRE(s.difference_low.take_up_by_segment.size() == 8);
        for (std::size_t k = 0; k < 8; ++k) {
            INFO("figure " << k);
            double sum = 0;
            for (const auto& r : runs) sum += demat::run_figures(r, si, 30, c.segments).take_up_by_segment[k];
            if (k == 4) {  // "other": nobody, NaN
                CHECK(std::isnan(s.a.take_up_by_segment[k]));
                continue;
            }
            // A group nobody of which is eligible (owners for the housing benefit, single parents for
            // the old-age minimum) has no take-up in some run.
            if (std::isnan(sum)) continue;
            ++figures_checked;
            CHECK(s.a.take_up_by_segment[k] == Approx(sum / 5).epsilon(1e-12));
            const double mean = s.b.take_up_by_segment[k] - s.a.take_up_by_segment[k];
            CHECK(s.difference_low.take_up_by_segment[k] <= mean + 1e-12);
            CHECK(mean <= s.difference_high.take_up_by_segment[k] + 1e-12);
        }
        // Single parents of the first run, from the counts: receiving / eligible over the last 30 days.
        const demat::Array& by = runs[0].array("segments/household_type/counts");
        const std::size_t D = by.shape[0], S = by.shape[1], G = by.shape[2], K = by.shape[3];
        double eligible = 0, receiving = 0;
        for (std::size_t d = D - 30; d < D; ++d) {
            eligible += static_cast<double>(by.integers()[((d * S + si) * G + 2) * K]);
            receiving += static_cast<double>(by.integers()[((d * S + si) * G + 2) * K + 1]);
        }
        const double single_parents = demat::run_figures(runs[0], si, 30, c.segments).take_up_by_segment[2];
        if (eligible > 0) CHECK(single_parents == receiving / eligible);
        else CHECK(std::isnan(single_parents));
    }
    CHECK(figures_checked >= 30);  // of 6 services x 7 groups
    // A file of an earlier version, without the dimension: compared without it.
    demat::Results older = h;
    std::erase_if(older.arrays, [](const demat::Array& a) { return a.path == "segments/household_type/counts"; });
    const demat::Comparison without = demat::compare_runs(older, o, 30);
    REQUIRE(without.segments.size() == 1);
    CHECK(without.segments[0].dimension == "tenure");
    CHECK(without.services[0].a.take_up_by_segment.size() == 3);

    const Outcome out = run_demat("compare " + (dir / "h.h5").string() + " " + (dir / "o.h5").string() + " --window 30");
    INFO(out.output);
    REQUIRE(out.code == 0);
    // Every figure names its measure: runs, citizens, recorded days, window, per service (issue 12, item 18).
    CHECK(contains(out.output, "A = " + (dir / "h.h5").string() + " (5 runs; 4000 citizens, 40 recorded days)"));
    CHECK(contains(out.output, "averaged over the last 30 recorded days"));
    CHECK(contains(out.output, "Each service on its own, never pooled: its divide index is the take-up of capital Q5 minus"));
    CHECK(contains(out.output, "5th and 95th percentiles of the 5 per-replicate differences"));
    CHECK(contains(out.output, "pt  ["));
    CHECK(contains(out.output, "  take-up, single_parent    "));
    CHECK(contains(out.output, "  take-up, social_tenant    "));
    // A file with one run against one with replicates: every replicate against the single run.
    const demat::Comparison mixed = demat::compare_runs(demat::read_hdf5((dir / "one.h5").string()), o, 30);
    CHECK(mixed.runs_a == 1);
    CHECK(mixed.pairs == 5);
    // Two single runs: no interval, as before.
    const Outcome single = run_demat("compare " + (dir / "one.h5").string() + " " + (dir / "one.h5").string());
    CHECK_FALSE(contains(single.output, "percentiles"));
}

TEST_CASE("compare: quantile interpolates between order statistics and drops NaN") {
    CHECK(demat::quantile({3.0, 1.0, 2.0}, 0.5) == 2.0);
    CHECK(demat::quantile({0.0, 10.0}, 0.05) == Approx(0.5));
    CHECK(demat::quantile({0.0, 10.0}, 0.95) == Approx(9.5));
    CHECK(demat::quantile({std::nan(""), 4.0}, 0.05) == 4.0);
    CHECK(std::isnan(demat::quantile({}, 0.5)));
}
