// Counts at the population limits the schema allows (population.size in
// [100, 100,000,000]; tests/scenario/test_population_limits.cpp checks those
// bounds against the index types).
//
// What this covers, honestly: the minimum population is run for real. The
// maximum is not: 10^8 adults need tens of GB and hours, far beyond CI.
// Instead the code paths that sum over citizens and days (DayCounts::add,
// Metrics::record and to_results, the derived rates, the concentration
// index) are fed counts of the size 10^8 citizens over 730 days produce,
// well beyond 2^31, and must keep them exactly. The per-block counts of the
// engine are 16-bit by design (a block holds at most block_size citizens,
// static_assert in engine.cpp) and are only ever summed into these 64-bit
// DayCounts (Engine::step).
#include "core/engine.hpp"
#include "core/metrics.hpp"
#include "core/segments.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <type_traits>

using namespace demat;
using namespace demat::test;

// Every accumulator summed over citizens or days is 64-bit.
static_assert(std::is_same_v<decltype(DayCounts::events)::value_type, std::int64_t>);
static_assert(std::is_same_v<decltype(DayCounts::channel_events)::value_type, std::int64_t>);
static_assert(std::is_same_v<decltype(DayCounts::segment_states)::value_type, std::int64_t>);
static_assert(std::is_same_v<decltype(DayCounts::states)::value_type, std::int64_t>);
static_assert(std::is_same_v<decltype(DayCounts::centiles)::value_type, std::int64_t>);
static_assert(std::is_same_v<decltype(DayCounts::queue_length)::value_type, std::int64_t>);
static_assert(std::is_same_v<decltype(DayCounts::overdue)::value_type, std::int64_t>);
static_assert(std::is_same_v<decltype(DayCounts::helps_given), std::int64_t>);

TEST_CASE("limits: the smallest population the schema allows runs, in one zone or many", "[limits]") {
    for (std::int64_t zone_size : {100, 100000000}) {
        Scenario sc = small_scenario(100, 30);
        sc.population.zone_size = zone_size;
        set_channel(sc, Channel::mediation, true);
        SerialExecutor ex;
        Engine engine(sc, ex);
        engine.run();
        REQUIRE(engine.completed());
        REQUIRE(engine.population().size() == 100);
        const Results r = engine.results();
        const Array& counts = r.array("counts");
        for (std::size_t d = 0; d < counts.shape[0]; ++d)
            for (std::size_t s = 0; s < counts.shape[1]; ++s) {
                std::int64_t sum = 0;
                for (std::size_t k = 1; k < counts.shape[2]; ++k) sum += count(r, d, s, static_cast<int>(k));
                REQUIRE(count(r, d, s, 0) == sum);  // eligible = sum of the six states
                REQUIRE(count(r, d, s, 0) <= 100);
            }
        // The tax return is due from every adult.
        CHECK(count(r, 29, 2, 0) == 100);
    }
}

TEST_CASE("limits: day counts of 10^8 citizens, summed over 730 days, stay exact beyond 2^31", "[limits]") {
    constexpr std::int64_t citizens = 100000000;  // population.size maximum
    constexpr int days = 730;
    Scenario sc = small_scenario(citizens, days);
    const int services = static_cast<int>(sc.services.size());
    const int groups = total_groups();

    // One day as the engine would merge it from many blocks: each block adds its share.
    DayCounts day(services, groups);
    DayCounts block(services, groups);
    constexpr std::int64_t blocks = 24415;  // ceil(10^8 / block_size)
    block.count(0, Event::time_to_right_days, std::int64_t{4096} * 700);  // every citizen of the block waited 700 days
    block.count(0, Channel::phone, ChannelEvent::queue_wait_days, std::int64_t{4096} * 600);
    for (std::int64_t b = 0; b < blocks; ++b) day.add(block);
    const std::int64_t wait = blocks * 4096 * 700;
    REQUIRE(wait > (std::int64_t{1} << 36));
    REQUIRE(day.events[static_cast<std::size_t>(static_cast<int>(Event::time_to_right_days))] == wait);

    // The whole population eligible and split over states, groups and centiles.
    constexpr std::int64_t receiving = 60000000, non_knowledge = citizens - receiving;
    for (int s = 0; s < services; ++s) {
        const auto su = static_cast<std::size_t>(s);
        day.states[su * 6 + 0] = receiving;
        day.states[su * 6 + 1] = non_knowledge;
        for (int g = 0; g < capital_centiles; ++g) {
            day.centiles[(su * capital_centiles + static_cast<std::size_t>(g)) * 2] = citizens / capital_centiles;
            day.centiles[(su * capital_centiles + static_cast<std::size_t>(g)) * 2 + 1] = receiving / capital_centiles;
        }
        // Every dimension partitions the population: put everyone in its first group.
        for (int d = 0; d < dimension_count; ++d) {
            const auto g = static_cast<std::size_t>(group_offset(static_cast<Dimension>(d)));
            day.segment_states[(su * static_cast<std::size_t>(groups) + g) * 6 + 0] = receiving;
            day.segment_states[(su * static_cast<std::size_t>(groups) + g) * 6 + 1] = non_knowledge;
        }
    }
    Metrics metrics(sc, days);
    for (int d = 0; d < days; ++d) metrics.record(d, day);
    const Results r = metrics.to_results(sc);

    REQUIRE(count(r, 729, 0, 0) == citizens);
    REQUIRE(count(r, 729, 0, 1) == receiving);
    // Summed over the days: 7.3 * 10^10 eligible citizen-days, 3.7 * 10^13 days waited.
    std::int64_t eligible_days = 0;
    for (std::size_t d = 0; d < static_cast<std::size_t>(days); ++d) eligible_days += count(r, d, 0, 0);
    CHECK(eligible_days == citizens * days);
    CHECK(total(r, "metrics/time_to_right_days", 0) == wait * days);
    CHECK(total(r, "metrics/queue_wait_days", 0) == blocks * 4096 * 600 * days);
    // Derived rates from the 64-bit counts.
    CHECK(r.array("metrics/take_up_rate").reals()[0] == Approx(0.6).epsilon(1e-12));
    CHECK(std::abs(r.array("metrics/concentration_index").reals()[0]) < 1e-9);  // equal take-up in every centile
    const Array& capital = r.array("segments/capital_quintile/counts");
    CHECK(capital.integers()[0] == citizens);  // day 0, service 0, Q1, eligible
}
