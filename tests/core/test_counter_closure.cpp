// /counter_closure (docs/output.md): claims filed, first claims and first payments by the
// claimant's zone's fifth of the closing order of counters and education,
// for the closure response of docs/validation.md (Responses). Fixed seeds;
// each bound is stated where it is asserted.
#include "core/engine.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace demat;
using namespace demat::test;

namespace {

struct Run {
    Results results;
    std::vector<int> rank;         // per zone, its closure rank group
    std::vector<bool> closed;      // per zone, counter of service 0 closed at the end
};

Run run_closure(const Scenario& sc, int threads = 1) {
    ParallelExecutor ex(threads);
    Engine engine(sc, ex);
    engine.run();
    REQUIRE(engine.completed());
    Run out{engine.results(), {}, {}};
    for (std::size_t z = 0; z < engine.population().zones.size(); ++z) {
        out.rank.push_back(engine.closure_rank(z));
        out.closed.push_back(engine.counter_zone(0, z) != static_cast<long>(z));
    }
    return out;
}

// Counters only, zones of 1,000 residents far apart: closing a counter sends
// its residents on a long trip.
Scenario counters_far(int days) {
    Scenario sc = small_scenario(20000, days);
    sc.population.zone_size = 1000;
    sc.population.zone_spacing_km = 100.0;
    set_channel(sc, Channel::online, false);
    set_channel(sc, Channel::phone, false);
    set_channel(sc, Channel::counter, true, 20.0);
    return sc;
}

// [day, service, rank, education] summed over everything but rank, for the services in `services`.
std::vector<std::int64_t> by_rank(const Results& r, const std::string& path) {
    const Array& a = r.array(path);
    REQUIRE(a.shape.size() == 4);
    std::vector<std::int64_t> out(a.shape[2], 0);
    const auto& v = a.integers();
    for (std::size_t i = 0; i < v.size(); ++i) out[(i / a.shape[3]) % a.shape[2]] += v[i];
    return out;
}

// Claims filed by closure rank: the closed fifth (rank group 0) falls by
// at least 10% with the mechanism on; the open fifths together keep 90%.
void check_closed_fifth_falls(const std::vector<std::int64_t>& base, const std::vector<std::int64_t>& less) {
    REQUIRE(base[0] > 50);
    CHECK(static_cast<double>(less[0]) < 0.9 * static_cast<double>(base[0]));
    std::int64_t others_base = 0, others_less = 0;
    for (std::size_t g = 1; g < base.size(); ++g) {
        others_base += base[g];
        others_less += less[g];
    }
    CHECK(static_cast<double>(others_less) > 0.9 * static_cast<double>(others_base));
}

}  // namespace

TEST_CASE("counter_closure: summed over rank and education, claims filed and first payments are those of /metrics") {
    Scenario sc = small_scenario(20000, 120);
    sc.timeline = {timeline_event(10, event::CloseCounters{.share = 0.4})};
    const Results r = run_closure(sc).results;
    for (const char* m : {"claims_submitted", "first_payments", "first_claims"}) {
        const Array& a = r.array(std::string("counter_closure/") + m);
        const auto& total = r.array(std::string("metrics/") + m).integers();
        REQUIRE(a.dims == std::vector<std::string>{"day", "service", "counter_closure/rank", "counter_closure/education"});
        REQUIRE(a.shape[2] == 5);
        REQUIRE(a.shape[3] == 3);
        const std::size_t per = a.shape[2] * a.shape[3];
        REQUIRE(a.size() == total.size() * per);
        std::int64_t all = 0;
        for (std::size_t i = 0; i < total.size(); ++i) {
            std::int64_t sum = 0;
            for (std::size_t j = 0; j < per; ++j) sum += a.integers()[i * per + j];
            CHECK(sum == total[i]);
            all += total[i];
        }
        CHECK(all > 100);  // something to decompose: hundreds of claims and payments in 120 days
    }
    CHECK(r.coordinate("counter_closure/rank").labels ==
          std::vector<std::string>{"0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0"});
}

TEST_CASE("counter_closure: share k/5 closes exactly the first k rank groups, and their claims fall") {
    Scenario open = counters_far(150);
    Scenario closed = open;
    closed.timeline = {timeline_event(0, event::CloseCounters{.share = 0.2})};
    const Run a = run_closure(open), b = run_closure(closed);
    // 20 zones: 4 per fifth, the same in both runs (a constant of the seed).
    REQUIRE(a.rank == b.rank);
    REQUIRE(a.rank.size() == 20);
    for (std::size_t z = 0; z < a.rank.size(); ++z) {
        CHECK_FALSE(a.closed[z]);
        CHECK(b.closed[z] == (a.rank[z] == 0));
    }
    const auto claims_open = by_rank(a.results, "counter_closure/claims_submitted");
    const auto claims_closed = by_rank(b.results, "counter_closure/claims_submitted");
    // The closed fifth files fewer claims: 100 km more to the nearest counter,
    // and its queue. At least 20% fewer (the run gives far more).
    REQUIRE(claims_open[0] > 100);
    CHECK(static_cast<double>(claims_closed[0]) < 0.8 * static_cast<double>(claims_open[0]));
    const auto pay_open = by_rank(a.results, "counter_closure/first_payments");
    const auto pay_closed = by_rank(b.results, "counter_closure/first_payments");
    CHECK(pay_closed[0] < pay_open[0]);
}

TEST_CASE("counter_closure: the same at 1 and 2 threads, with decision_access too") {
    Scenario sc = small_scenario(20000, 90);
    sc.timeline = {timeline_event(5, event::CloseCounters{.share = 0.6})};
    sc.behaviour.decision_access = 1.0;
    const Results one = run_closure(sc, 1).results, two = run_closure(sc, 2).results;
    for (const char* m : {"counter_closure/claims_submitted", "counter_closure/first_payments", "counts"})
        CHECK(one.array(m).integers() == two.array(m).integers());
}

TEST_CASE("decision_access: no effect without a closed counter and fewer claims in the closed fifth with one") {
    // Without a closure the access lost is 0 for everyone: the same run whatever the weight.
    Scenario plain = small_scenario(20000, 60);
    Scenario weighted = plain;
    weighted.behaviour.decision_access = 3.0;
    const Results p = run_closure(plain).results, w = run_closure(weighted).results;
    CHECK(p.array("counts").integers() == w.array("counts").integers());
    CHECK(p.array("metrics/claims_started").integers() == w.array("metrics/claims_started").integers());
    // With the counters of the first fifth closed, claiming costs their
    // residents the access lost: fewer claims filed there than at weight 0,
    // at least 10% fewer (the run gives more); the other fifths keep most.
    Scenario closed = counters_far(150);
    closed.timeline = {timeline_event(0, event::CloseCounters{.share = 0.2})};
    Scenario closed_weighted = closed;
    closed_weighted.behaviour.decision_access = 3.0;
    const auto base = by_rank(run_closure(closed).results, "counter_closure/claims_submitted");
    const auto less = by_rank(run_closure(closed_weighted).results, "counter_closure/claims_submitted");
    check_closed_fifth_falls(base, less);
}

TEST_CASE("closure mechanisms: no effect without a closed counter") {
    // decision_wait, mediation.close_with_counters and rural_spacing act only
    // once close_counters closed a counter: without one, the same run, bit for bit.
    Scenario plain = small_scenario(20000, 60);
    set_channel(plain, Channel::mediation, true, 3.6);
    Scenario all_on = plain;
    all_on.behaviour.decision_wait = 5.0;
    all_on.mediation.close_with_counters = 1.0;
    all_on.population.rural_spacing = 5.0;
    require_identical(run_closure(plain).results, run_closure(all_on).results);
}

TEST_CASE("closure mechanisms: the same at 1 and 2 threads with all three on") {
    Scenario sc = small_scenario(20000, 90);
    set_channel(sc, Channel::mediation, true, 3.6);
    sc.timeline = {timeline_event(5, event::CloseCounters{.share = 0.6})};
    sc.behaviour.decision_wait = 3.0;
    sc.mediation.close_with_counters = 0.5;
    sc.population.rural_spacing = 3.0;
    const Results one = run_closure(sc, 1).results, two = run_closure(sc, 2).results;
    require_identical(one, two);
}

TEST_CASE("decision_wait: the wait at the neighbour's counter deters claims in the closed fifth") {
    // Counters only and scarce (3 places per 10,000 a day): the closed
    // zones' residents queue at a neighbour's, with its own residents, for
    // days. At 10 logit per 30 days of expected wait, claims filed in the
    // closed fifth fall by at least 10% against weight 0 (the run gives
    // more); the open fifths, whose residents weigh no wait, keep most.
    Scenario closed = small_scenario(20000, 150);
    closed.population.zone_size = 1000;
    set_channel(closed, Channel::online, false);
    set_channel(closed, Channel::phone, false);
    set_channel(closed, Channel::counter, true, 3.0);
    closed.timeline = {timeline_event(0, event::CloseCounters{.share = 0.2})};
    Scenario weighted = closed;
    weighted.behaviour.decision_wait = 10.0;
    const auto base = by_rank(run_closure(closed).results, "counter_closure/claims_submitted");
    const auto less = by_rank(run_closure(weighted).results, "counter_closure/claims_submitted");
    INFO("closed fifth: " << base[0] << " claims filed at weight 0, " << less[0] << " at 10");
    check_closed_fifth_falls(base, less);
}

TEST_CASE("close_with_counters: the closed zones lose their mediation sites and file fewer claims") {
    // Counters and mediation only: closing a zone's counter with all its
    // mediation sites leaves its residents a far counter and a site ten
    // times as far with no places.
    Scenario closed = small_scenario(20000, 150);
    closed.population.zone_size = 1000;
    set_channel(closed, Channel::online, false);
    set_channel(closed, Channel::phone, false);
    set_channel(closed, Channel::counter, true, 5.0);
    set_channel(closed, Channel::mediation, true, 5.0);
    closed.timeline = {timeline_event(0, event::CloseCounters{.share = 0.2})};
    Scenario with_sites = closed;
    with_sites.mediation.close_with_counters = 1.0;
    // The sites' distance: ten times the initial one in the closed zones (the
    // cap of 1 / sqrt(sites) at no site), unchanged elsewhere.
    ParallelExecutor ex(1);
    Engine plain_engine(closed, ex), sites_engine(with_sites, ex);
    plain_engine.run();
    sites_engine.run();
    const auto& before = plain_engine.population().zones;
    const auto& after = sites_engine.population().zones;
    REQUIRE(before.size() == 20);
    int closed_zones = 0;
    for (std::size_t z = 0; z < before.size(); ++z) {
        const bool shut = sites_engine.counter_zone(0, z) != static_cast<long>(z);
        closed_zones += shut;
        CHECK(after[z].km_to_mediation == Approx(shut ? 10.0 * before[z].km_to_mediation : before[z].km_to_mediation));
    }
    CHECK(closed_zones == 4);
    // Claims filed in the closed fifth: at least 10% fewer than with the
    // sites kept (the run gives more).
    const auto base = by_rank(plain_engine.results(), "counter_closure/claims_submitted");
    const auto less = by_rank(sites_engine.results(), "counter_closure/claims_submitted");
    INFO("closed fifth: " << base[0] << " claims filed with the sites kept, " << less[0] << " without");
    REQUIRE(base[0] > 50);
    CHECK(static_cast<double>(less[0]) < 0.9 * static_cast<double>(base[0]));
}

TEST_CASE("rural_spacing: a closed rural zone's trip to the next counter stretches and its access falls") {
    // Every channel of the small scenario, counters closed in a fifth of
    // the zones, the access lost weighing against claiming.
    Scenario closed = small_scenario(20000, 150);
    closed.population.zone_size = 1000;
    closed.behaviour.decision_access = 3.0;
    closed.timeline = {timeline_event(0, event::CloseCounters{.share = 0.2})};
    Scenario stretched = closed;
    stretched.population.rural_spacing = 10.0;
    ParallelExecutor ex(1);
    Engine near_engine(closed, ex), far_engine(stretched, ex);
    near_engine.run();
    far_engine.run();
    const auto& zones = near_engine.population().zones;
    int rural_closed = 0;
    for (std::size_t z = 0; z < zones.size(); ++z) {
        const bool shut = near_engine.counter_zone(0, z) != static_cast<long>(z);
        const double own = zones[z].km_to_counter;
        const double beyond = near_engine.km_to_counter(0, z) - own;
        const bool rural = zones[z].type == TerritoryType::rural;
        rural_closed += shut && rural;
        // km = own km + factor x the distance between the centres (6.13);
        // the same serving zone (the nearest), 10 times the way beyond for rural ones.
        CHECK(far_engine.counter_zone(0, z) == near_engine.counter_zone(0, z));
        CHECK(far_engine.km_to_counter(0, z) - own == Approx((shut && rural ? 10.0 : 1.0) * beyond).epsilon(1e-4));
    }
    REQUIRE(rural_closed > 0);
    // Farther counters, more access lost: fewer claims filed in the closed fifth.
    const auto base = by_rank(near_engine.results(), "counter_closure/claims_submitted");
    const auto less = by_rank(far_engine.results(), "counter_closure/claims_submitted");
    INFO("closed fifth: " << base[0] << " claims filed at spacing factor 1, " << less[0] << " at 10");
    REQUIRE(base[0] > 50);
    CHECK(less[0] < base[0]);
}

// First claims (docs/output.md, /metrics/first_claims): the claims filed
// by a unit not paid yet in its eligibility spell. Without renewals
// (housing_benefit, renewal_days 0) no right is interrupted, so every claim
// filed is a first claim; with them (minimum_income, every 60 days, a hard
// declaration to do within 7 days, so that many rights are interrupted) the
// re-claims of interrupted rights are claims filed but not first claims, and
// there are at most as many as the rights interrupted during the recorded
// run plus those already interrupted on its first day.
TEST_CASE("first_claims: every claim filed without renewals and the claims filed less the re-claims with them") {
    Scenario sc = small_scenario(20000, 240);
    sc.services[0].renewal_days = 60;
    sc.services[0].complexity_renewal = 1.5;
    sc.behaviour.renewal_window_days = 7;
    const Results r = run(sc);
    const std::size_t minimum_income = 0, housing = 1;
    const std::int64_t housing_claims = total(r, "metrics/claims_submitted", housing);
    REQUIRE(housing_claims > 100);
    CHECK(total(r, "metrics/first_claims", housing) == housing_claims);

    const std::int64_t claims = total(r, "metrics/claims_submitted", minimum_income);
    const std::int64_t first = total(r, "metrics/first_claims", minimum_income);
    const std::int64_t interrupted = total(r, "metrics/interruptions", minimum_income) +
                                     count(r, 0, minimum_income, static_cast<int>(ReportedState::interrupted));
    INFO("claims " << claims << ", first claims " << first << ", interrupted " << interrupted);
    REQUIRE(interrupted > 20);
    CHECK(first > 100);
    CHECK(first < claims);
    CHECK(claims - first <= interrupted);
    // Every day, no more first claims than claims filed.
    const auto& all = r.array("metrics/claims_submitted").integers();
    const auto& firsts = r.array("metrics/first_claims").integers();
    REQUIRE(all.size() == firsts.size());
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(firsts[i] <= all[i]);
}
