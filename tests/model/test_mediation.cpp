// Doing-for or doing-with (docs/model.md, section 6.4): mediation that does the procedure
// with the citizen builds skills, so more of the procedures of the citizens
// with the least capital end up done alone. Two seeds, 40,000 citizens,
// 365 recorded days, fixed margins.
#include "core/engine.hpp"
#include "parallel/parallel_executor.hpp"
#include "scenario/reader.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace demat;

namespace {

struct Autonomy {
    double low_capital = 0;  // Q1's procedures completed alone / all Q1 completions
    double take_up = 0;      // benefits, last recorded day, eligible-weighted
};

Autonomy measure(MediationMode mode) {
    Autonomy out;
    for (std::uint64_t seed : {31u, 32u}) {
        Scenario sc = load_scenario(std::string(DEMAT_SOURCE_DIR) + "/scenarios/online_with_mediation.toml");
        set_population_size(sc, 40000, "test");
        set_days(sc, 365, "test");
        set_seed(sc, seed);
        sc.mediation.mode = mode;
        ParallelExecutor ex(0);
        Engine engine(sc, ex);
        engine.run();
        const Results r = engine.results();
        const auto& alone = r.array("metrics/autonomous_completions_low_capital").integers();
        const auto& all = r.array("metrics/procedures_completed_low_capital").integers();
        out.low_capital += static_cast<double>(std::accumulate(alone.begin(), alone.end(), std::int64_t{0})) /
                           static_cast<double>(std::accumulate(all.begin(), all.end(), std::int64_t{0})) / 2;
        const Array& counts = r.array("counts");
        const std::size_t S = counts.shape[1], last = counts.shape[0] - 1;
        double eligible = 0, receiving = 0;
        for (std::size_t s = 0; s < S; ++s) {
            if (sc.services[s].kind != ServiceKind::benefit) continue;
            eligible += static_cast<double>(counts.integers()[(last * S + s) * 7]);
            receiving += static_cast<double>(counts.integers()[(last * S + s) * 7 + 1]);
        }
        out.take_up += receiving / eligible / 2;
    }
    return out;
}

}  // namespace

TEST_CASE("doing-with mediation leaves the least-capital citizens more autonomous than doing-for") {
    const Autonomy doing_for = measure(MediationMode::doing_for);
    const Autonomy doing_with = measure(MediationMode::doing_with);
    INFO("Q1 autonomy: doing_for " << doing_for.low_capital << ", doing_with " << doing_with.low_capital
                                   << "; take-up: " << doing_for.take_up << " vs " << doing_with.take_up);
    REQUIRE(doing_with.low_capital > doing_for.low_capital + 0.05);
    // Capacitation does not come at the price of rights over a year.
    REQUIRE(doing_with.take_up > doing_for.take_up - 0.02);
}
