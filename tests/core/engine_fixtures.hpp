// Small scenarios built in code, for engine tests that must not depend on
// the scenario files (those are tested in tests/model).
#pragma once

#include "core/engine.hpp"
#include "core/metrics.hpp"
#include "core/results.hpp"
#include "core/scenario.hpp"
#include "parallel/parallel_executor.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>

namespace demat::test {

inline ServiceParams benefit(const std::string& name) {
    ServiceParams s;
    s.name = name;
    s.kind = ServiceKind::benefit;
    s.monthly_amount = 400;
    s.complexity_first = 0.5;
    s.complexity_renewal = 0.3;
    s.processing_days = 20;
    s.renewal_days = 90;
    s.outreach = 0.002;
    s.eligibility.income_decile_max = 3;
    s.channels[static_cast<int>(Channel::online)] = {true, 0.0, 0.02};
    s.channels[static_cast<int>(Channel::phone)] = {true, 5.0, 0.03};
    s.channels[static_cast<int>(Channel::counter)] = {true, 5.0, 0.02};
    s.channels[static_cast<int>(Channel::mediation)] = {false, 3.6, 0.02};
    return s;
}

inline Scenario small_scenario(std::int64_t citizens = 20000, int days = 120) {
    Scenario sc;
    sc.name = "test";
    sc.population.size = citizens;
    sc.days = days;
    sc.warmup_days = 60;
    sc.seed = 7;
    // The engine tests follow each mechanism from a start in which nobody
    // knows or receives anything; the initial conditions drawn from past
    // spells (docs/model.md section 1) are tested in test_engine.cpp and
    // tests/model/test_stationarity.cpp.
    sc.behaviour.prior_eligibility_days = 0;
    sc.services.push_back(benefit("minimum_income"));
    ServiceParams housing = benefit("housing_benefit");
    housing.eligibility.tenant_required = true;
    housing.eligibility.income_decile_max = 4;
    housing.renewal_days = 0;
    sc.services.push_back(housing);
    ServiceParams tax = benefit("income_tax_return");
    tax.kind = ServiceKind::obligation;
    tax.monthly_amount = 0;
    tax.eligibility.income_decile_max = 10;
    tax.outreach = 0.02;
    tax.renewal_days = 365;
    sc.services.push_back(tax);
    return sc;
}

// Runs `sc` to the end on `threads` threads; `check_counts` recounts every
// citizen every day against the incremental counts (Engine::check_counts_every_day).
inline Results run(const Scenario& sc, int threads = 1, bool check_counts = false) {
    ParallelExecutor ex(threads);
    Engine engine(sc, ex);
    engine.check_counts_every_day(check_counts);
    engine.run();
    REQUIRE(engine.completed());
    return engine.results();
}

// A timeline event on `day`: timeline_event(30, event::SetOutreach{.rate = 0.02}).
template <class E>
TimelineEvent timeline_event(int day, E what) {
    return TimelineEvent{day, EventData{std::move(what)}};
}

inline void set_channel(Scenario& sc, Channel c, bool enabled, double capacity = -1) {
    for (auto& s : sc.services) {
        s.channels[static_cast<std::size_t>(c)].enabled = enabled;
        if (capacity >= 0) s.channels[static_cast<std::size_t>(c)].capacity_per_10k = capacity;
    }
}

// help/requests [day, service, source, outcome] summed over days and services for one source and outcome.
inline std::int64_t help_requests(const Results& r, HelpSource source, HelpOutcome outcome) {
    const auto& v = r.array("help/requests").integers();
    const std::size_t per = help_source_count * help_outcome_count;
    const std::size_t at = static_cast<std::size_t>(source) * help_outcome_count + static_cast<std::size_t>(outcome);
    std::int64_t n = 0;
    for (std::size_t i = at; i < v.size(); i += per) n += v[i];
    return n;
}

// Sum over days of a [day, service] metric, for one service.
inline std::int64_t total(const Results& r, const std::string& path, std::size_t service) {
    const Array& a = r.array(path);
    std::int64_t sum = 0;
    const std::size_t inner = a.size() / a.shape[0] / a.shape[1];
    for (std::size_t d = 0; d < a.shape[0]; ++d)
        for (std::size_t i = 0; i < inner; ++i) sum += a.integers()[(d * a.shape[1] + service) * inner + i];
    return sum;
}

// Sum over days [from, to) of a [day, service] metric for one service.
inline std::int64_t event_sum(const Results& r, const std::string& metric, std::size_t service, std::size_t from,
                              std::size_t to) {
    const Array& a = r.array("metrics/" + metric);
    std::int64_t sum = 0;
    for (std::size_t d = from; d < to; ++d) sum += a.integers()[d * a.shape[1] + service];
    return sum;
}

// counts[day][service][state]
inline std::int64_t count(const Results& r, std::size_t day, std::size_t service, int state) {
    const Array& a = r.array("counts");
    return a.integers()[(day * a.shape[1] + service) * a.shape[2] + static_cast<std::size_t>(state)];
}

// Every array equal, bit for bit (NaN == NaN).
inline void require_identical(const Results& a, const Results& b) {
    REQUIRE(a.arrays.size() == b.arrays.size());
    for (std::size_t i = 0; i < a.arrays.size(); ++i) {
        INFO(a.arrays[i].path);
        REQUIRE(a.arrays[i].path == b.arrays[i].path);
        REQUIRE(a.arrays[i].is_integer() == b.arrays[i].is_integer());
        if (a.arrays[i].is_integer()) {
            REQUIRE(a.arrays[i].integers() == b.arrays[i].integers());
        } else {
            const auto& x = a.arrays[i].reals();
            const auto& y = b.arrays[i].reals();
            REQUIRE(x.size() == y.size());
            REQUIRE(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
        }
    }
}

}  // namespace demat::test
