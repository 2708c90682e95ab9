// The baseline's recorded period is close to stationary with a one-year
// warm-up, thanks to the initial conditions drawn from past eligibility
// spells (docs/model.md section 1): take-up per service moves little
// between the first and the last recorded month. Without those initial
// conditions (prior_eligibility_days = 0) the old-age minimum, whose spells
// last for the rest of a life, still drifts by many points: the test would
// fail if the initial conditions were lost.
#include "core/engine.hpp"
#include "parallel/parallel_executor.hpp"
#include "scenario/reader.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace demat;

namespace {

constexpr std::int64_t citizens = 50000;
constexpr int window = 30;

// Take-up (receiving / eligible) per service over the first and the last
// `window` recorded days, pooled over two seeds.
struct Ends {
    std::vector<std::string> services;
    std::vector<double> first, last;
};

Ends take_up_at_ends(int prior_eligibility_days) {
    Scenario sc = load_scenario(std::string(DEMAT_SOURCE_DIR) + "/scenarios/hybrid.toml");
    set_population_size(sc, citizens, "test");
    sc.behaviour.prior_eligibility_days = prior_eligibility_days;
    const std::size_t S = sc.services.size();
    std::vector<double> eligible_first(S), receiving_first(S), eligible_last(S), receiving_last(S);
    for (std::uint64_t seed : {101u, 202u}) {
        set_seed(sc, seed);
        ParallelExecutor ex(0);
        Engine engine(sc, ex);
        engine.run();
        const Results r = engine.results();
        const Array& a = r.array("counts");  // [day, service, state]
        const std::size_t D = a.shape[0], K = a.shape[2];
        for (std::size_t d = 0; d < D; ++d) {
            if (d >= static_cast<std::size_t>(window) && d < D - window) continue;
            const bool first = d < static_cast<std::size_t>(window);
            for (std::size_t s = 0; s < S; ++s) {
                const auto elig = static_cast<double>(a.integers()[(d * S + s) * K]);
                const auto recv = static_cast<double>(a.integers()[(d * S + s) * K + 1]);
                (first ? eligible_first : eligible_last)[s] += elig;
                (first ? receiving_first : receiving_last)[s] += recv;
            }
        }
    }
    Ends out;
    for (std::size_t s = 0; s < S; ++s) {
        out.services.push_back(sc.services[s].name);
        out.first.push_back(receiving_first[s] / eligible_first[s]);
        out.last.push_back(receiving_last[s] / eligible_last[s]);
    }
    return out;
}

}  // namespace

TEST_CASE("with its initial conditions the baseline's take-up is close to stationary after one year") {
    const Ends ends = take_up_at_ends(36500);
    for (std::size_t s = 0; s < ends.first.size(); ++s) {
        INFO(ends.services[s] << ": first month " << ends.first[s] << ", last month " << ends.last[s]);
        CHECK(std::abs(ends.last[s] - ends.first[s]) < 0.04);
    }
}

TEST_CASE("without initial conditions the old-age minimum still drifts after one year") {
    const Ends ends = take_up_at_ends(0);
    std::size_t old_age = 0;
    while (old_age < ends.services.size() && ends.services[old_age] != "old_age_minimum") ++old_age;
    REQUIRE(old_age < ends.services.size());
    INFO("old-age minimum: first month " << ends.first[old_age] << ", last month " << ends.last[old_age]);
    REQUIRE(ends.last[old_age] > ends.first[old_age] + 0.06);
}
