// Channel habits by service, counters by zone, distance and congestion
// (docs/model.md 6.3, 6.13 and section 10: close_counters, open_counters).
// Fixed seeds; each bound is stated where it is asserted.
#include "core/engine.hpp"
#include "core/trace.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <numeric>
#include <tuple>
#include <vector>

using namespace demat;
using namespace demat::test;

namespace {

// The travel cost factor by means of transport (docs/model.md 6.3): car,
// public transport, none.
constexpr std::array<double, 3> mobility_factor{1.0, 1.5, 3.0};

std::int64_t abandonments_for(const Results& r, Reason why) {
    const auto& v = r.array("reasons/abandonments").integers();
    std::int64_t n = 0;
    for (std::size_t i = static_cast<std::size_t>(why); i < v.size(); i += reason_count) n += v[i];
    return n;
}

// Zones whose counter of service s is closed (served by another's or none).
std::vector<std::size_t> closed_zones(const Engine& engine, int s) {
    std::vector<std::size_t> out;
    for (std::size_t z = 0; z < engine.population().zones.size(); ++z)
        if (engine.counter_zone(s, z) != static_cast<long>(z)) out.push_back(z);
    return out;
}

std::vector<std::uint32_t> everybody(const Engine& engine) {
    std::vector<std::uint32_t> all(engine.population().size());
    std::iota(all.begin(), all.end(), 0u);
    return all;
}

// Counters only, scarce: queues form, as at a real office.
Scenario counters_only(std::int64_t citizens, int days) {
    Scenario sc = small_scenario(citizens, days);
    sc.population.zone_size = 1000;
    set_channel(sc, Channel::online, false);
    set_channel(sc, Channel::phone, false);
    set_channel(sc, Channel::counter, true, 3.0);
    return sc;
}

// Of the procedures a citizen started again for a service after completing
// one (a renewal, a new claim), the share started on the channel of the
// last completion, from the trace of every citizen.
double share_same_channel(const Scenario& sc, std::int64_t& pairs) {
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    engine.set_trace(everybody(engine));
    engine.run();
    std::map<std::pair<std::uint32_t, int>, int> last;  // (citizen, service) -> channel of the last completion
    std::int64_t same = 0;
    pairs = 0;
    for (const TraceEvent& ev : engine.trace()) {
        const auto key = std::make_pair(ev.citizen, static_cast<int>(ev.service));
        if (ev.kind == static_cast<std::uint8_t>(TraceKind::completed_procedure)) {
            last[key] = ev.channel;
        } else if (ev.kind == static_cast<std::uint8_t>(TraceKind::tried)) {
            const auto it = last.find(key);
            if (it == last.end()) continue;
            ++pairs;
            same += it->second == ev.channel;
            last.erase(it);  // only the first choice after a completion
        }
    }
    return pairs > 0 ? static_cast<double>(same) / static_cast<double>(pairs) : 0.0;
}

}  // namespace

TEST_CASE("habit: a bonus for the channel last used for a service raises the share choosing it again") {
    Scenario sc = small_scenario(20000, 400);  // long enough for renewals (90 days) and yearly returns
    set_channel(sc, Channel::mediation, true, 3.6);
    sc.behaviour.channel_habit = 0.0;  // no habit across services: only the per-service one differs
    std::int64_t pairs_without = 0, pairs_with = 0;
    const double without = share_same_channel(sc, pairs_without);
    sc.behaviour.channel_habit_service = 3.0;
    const double with = share_same_channel(sc, pairs_with);
    INFO("same channel again: " << without << " of " << pairs_without << " without, " << with << " of " << pairs_with
                                << " with a bonus of 3");
    REQUIRE(pairs_without > 500);
    REQUIRE(pairs_with > 500);
    // A bonus of 3 utility units multiplies the odds of the same channel by
    // e^3 = 20: the share rises by far more than 10 points (sampling noise
    // on 500+ choices is about 2 points).
    CHECK(with > without + 0.10);
}

TEST_CASE("habit: off, no per-service record is kept and results are those of a bonus of zero") {
    Scenario sc = small_scenario(6000, 120);
    const Results off = run(sc, 1, true);
    ParallelExecutor ex(1);
    const Engine engine(sc, ex);
    sc.behaviour.channel_habit_service = 1e-300;  // on, but too small to move any choice
    ParallelExecutor ex2(1);
    const Engine with_record(sc, ex2);
    // One byte per citizen and service when on, none when off.
    CHECK(with_record.stats().memory_bytes - engine.stats().memory_bytes ==
          engine.population().size() * sc.services.size());
    require_identical(off, run(sc, 1, true));
}

TEST_CASE("counters: closing one zone's counter sends its residents to the nearest open one, whose queue grows") {
    Scenario sc = counters_only(20000, 60);  // 20 zones
    sc.behaviour.patience_days = 60;         // nobody leaves: the queue holds every arrival not yet served
    ParallelExecutor ex0(1);
    Engine before(sc, ex0);
    // share 0.05 of 20 zones: round(1.0) = 1 zone (docs/model.md 6.13).
    sc.timeline = {timeline_event(10, event::CloseCounters{.share = 0.05})};
    ParallelExecutor ex1(1);
    Engine after(sc, ex1);
    while (before.step()) {}
    while (after.step()) {}
    const auto& zones = after.population().zones;
    REQUIRE(zones.size() == 20);
    for (int s = 0; s < static_cast<int>(sc.services.size()); ++s) {
        const auto closed = closed_zones(after, s);
        REQUIRE(closed.size() == 1);
        const std::size_t z = closed[0];
        const auto t = static_cast<std::size_t>(after.counter_zone(s, z));
        REQUIRE(t != z);
        REQUIRE(after.counter_zone(s, t) == static_cast<long>(t));
        // Farther than its own counter, and every other zone unchanged.
        CHECK(after.km_to_counter(s, z) > zones[z].km_to_counter);
        for (std::size_t o = 0; o < zones.size(); ++o)
            if (o != z) CHECK(after.km_to_counter(s, o) == before.km_to_counter(s, o));
        // The closed counter has nobody waiting; the one serving both zones
        // has more than without the closure: it serves two zones' residents
        // with one zone's places.
        CHECK(after.queue_entries(s, Channel::counter, z) == 0);
        INFO("service " << s << ": " << before.queue_entries(s, Channel::counter, t) << " waiting at zone " << t
                        << " without the closure, " << after.queue_entries(s, Channel::counter, t) << " with it");
        if (before.queue_entries(s, Channel::counter, t) >= 10)
            CHECK(after.queue_entries(s, Channel::counter, t) > before.queue_entries(s, Channel::counter, t) * 13 / 10);
    }
    std::size_t waiting_before = 0, waiting_after = 0;
    for (int s = 0; s < static_cast<int>(sc.services.size()); ++s) {
        const auto t = static_cast<std::size_t>(after.counter_zone(s, closed_zones(after, s)[0]));
        waiting_before += before.queue_entries(s, Channel::counter, t);
        waiting_after += after.queue_entries(s, Channel::counter, t);
    }
    REQUIRE(waiting_before >= 30);
    // About twice the arrivals; at least 1.3 times the entries.
    CHECK(static_cast<double>(waiting_after) > 1.3 * static_cast<double>(waiting_before));
}

TEST_CASE("close_counters: share 0.5 closes round(0.5 n) zones, territory only zones of that type, open_counters reopens") {
    Scenario sc = counters_only(20000, 40);
    const int rural = static_cast<int>(TerritoryType::rural);
    sc.timeline = {
        timeline_event(2, event::CloseCounters{.service = "housing_benefit", .share = 0.5}),
        timeline_event(2, event::CloseCounters{.service = "minimum_income", .share = 0.5, .territory = rural}),
        timeline_event(20, event::OpenCounters{.service = "housing_benefit"}),
        timeline_event(20, event::CloseCounters{.service = "income_tax_return"}),
    };
    ParallelExecutor ex(2);
    Engine engine(sc, ex);
    const auto& zones = engine.population().zones;
    std::size_t rural_zones = 0;
    for (const Zone& z : zones) rural_zones += z.type == TerritoryType::rural;
    REQUIRE(rural_zones >= 3);
    while (engine.current_day() < sc.warmup_days + 10) engine.step();
    // minimum_income 0, housing_benefit 1, income_tax_return 2.
    CHECK(closed_zones(engine, 1).size() == 10);  // floor(0.5 x 20 + 0.5)
    const auto rural_closed = closed_zones(engine, 0);
    CHECK(rural_closed.size() == static_cast<std::size_t>(0.5 * static_cast<double>(rural_zones) + 0.5));
    for (const std::size_t z : rural_closed) CHECK(zones[z].type == TerritoryType::rural);
    CHECK(closed_zones(engine, 2).empty());
    // Every closed zone is served by its nearest open counter, farther away.
    for (const std::size_t z : closed_zones(engine, 1)) {
        const long t = engine.counter_zone(1, z);
        REQUIRE(t >= 0);
        CHECK(engine.counter_zone(1, static_cast<std::size_t>(t)) == t);
        CHECK(engine.km_to_counter(1, z) > zones[z].km_to_counter);
    }
    while (engine.step()) {}
    // Reopened everywhere; closed everywhere: no counter left for the tax return.
    CHECK(closed_zones(engine, 1).empty());
    for (std::size_t z = 0; z < zones.size(); ++z) {
        CHECK(engine.counter_zone(2, z) == -1);
        CHECK(engine.queue_entries(2, Channel::counter, z) == 0);
    }
}

TEST_CASE("distance: without a trip limit no distance reason, with one trips are given up exactly when too long") {
    Scenario sc = counters_only(20000, 90);
    set_channel(sc, Channel::counter, true, 2000.0);  // plenty of places: nobody leaves a queue
    sc.behaviour.patience_days = 90;
    sc.behaviour.max_failures = 2;
    sc.population.zone_spacing_km = 100.0;  // neighbours far apart: a closed counter is a long trip
    sc.timeline = {timeline_event(0, event::CloseCounters{.share = 0.5})};
    const Results no_limit = run(sc, 1, true);
    CHECK(abandonments_for(no_limit, Reason::distance) == 0);
    CHECK(abandonments_for(no_limit, Reason::wait) == 0);

    // The limit: just above the longest trip to an open counter (its own
    // zone's, by a citizen without a car), so that only residents of closed
    // zones can be too far.
    ParallelExecutor ex(1);
    Engine probe(sc, ex);
    while (probe.current_day() <= sc.warmup_days) probe.step();
    const auto& zones = probe.population().zones;
    double longest_open = 0, longest_closed = 0;
    for (int s = 0; s < static_cast<int>(sc.services.size()); ++s)
        for (std::size_t z = 0; z < zones.size(); ++z) {
            const double trip = probe.km_to_counter(s, z) * mobility_factor[2];
            if (probe.counter_zone(s, z) == static_cast<long>(z)) longest_open = std::max(longest_open, trip);
            else longest_closed = std::max(longest_closed, probe.km_to_counter(s, z));
        }
    REQUIRE(longest_closed > longest_open + 1.0);  // some residents of a closed zone are too far even by car

    // Everybody within reach: a limit above every trip gives no distance reason.
    sc.behaviour.trip_limit_km = 3.0 * longest_closed + 1.0;
    CHECK(abandonments_for(run(sc, 1, true), Reason::distance) == 0);

    sc.behaviour.trip_limit_km = longest_open + 0.5;
    ParallelExecutor ex2(1);
    Engine engine(sc, ex2);
    engine.set_trace(everybody(engine));
    engine.run();
    CHECK(abandonments_for(engine.results(), Reason::distance) > 20);
    // Per citizen: a counter chosen and not queued for the same day is a
    // trip given up (the only way with counters alone); it happens exactly
    // when km x mobility factor exceeds the limit.
    const auto& trace = engine.trace();
    const Population& p = engine.population();
    std::int64_t given_up = 0, made = 0;
    for (std::size_t i = 0; i < trace.size(); ++i) {
        const TraceEvent& ev = trace[i];
        if (ev.kind != static_cast<std::uint8_t>(TraceKind::tried) || ev.day < sc.warmup_days) continue;
        bool queued = false;
        for (std::size_t j = i + 1; j < trace.size() && trace[j].day == ev.day && trace[j].citizen == ev.citizen; ++j)
            if (trace[j].service == ev.service) {
                queued = trace[j].kind == static_cast<std::uint8_t>(TraceKind::queued);
                break;
            }
        const double trip = engine.km_to_counter(ev.service, p.zone_of(ev.citizen)) *
                            mobility_factor[static_cast<std::size_t>(p.mobility[ev.citizen])];
        const bool too_far = trip > sc.behaviour.trip_limit_km;
        INFO("citizen " << ev.citizen << " day " << ev.day << " trip " << trip);
        REQUIRE(queued == !too_far);
        (queued ? made : given_up) += 1;
    }
    CHECK(given_up > 20);
    CHECK(made > 1000);
}

TEST_CASE("counters, habit and trip limit: the same results on 1 and 2 threads") {
    Scenario sc = counters_only(30000, 80);
    set_channel(sc, Channel::online, true);
    set_channel(sc, Channel::mediation, true, 1.0);
    sc.behaviour.channel_habit_service = 2.0;
    sc.behaviour.trip_limit_km = 40.0;
    sc.behaviour.distance_give_up = 0.01;
    sc.behaviour.patience_days = 10;
    const int rural = static_cast<int>(TerritoryType::rural);
    sc.timeline = {
        timeline_event(5, event::CloseCounters{.share = 0.3}),
        timeline_event(15, event::CloseCounters{.service = "minimum_income", .share = 0.5, .territory = rural}),
        timeline_event(30, event::OpenCounters{.share = 0.5}),
        timeline_event(50, event::CloseCounters{.service = "housing_benefit"}),
    };
    const Results one = run(sc, 1, true);
    require_identical(one, run(sc, 2, true));
    // The mechanisms were at work: trips given up for distance, waits left.
    CHECK(abandonments_for(one, Reason::distance) > 0);
    CHECK(abandonments_for(one, Reason::wait) > 0);
}
