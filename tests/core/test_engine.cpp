// The state machine's boundaries and the engine's contracts (docs/model.md, sections 6, 7 and 9).
#include "core/engine.hpp"
#include "core/segments.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"
#include "reverse_executor.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

using namespace demat;
using namespace demat::test;

namespace {
constexpr int eligible = 0, receiving = 1, non_knowledge = 2, non_demand = 3, in_progress = 4, non_receipt = 5,
              interrupted = 6;
}  // namespace

TEST_CASE("eligible equals the sum of the six other states, every day, service and segment") {
    Scenario sc = small_scenario(15000, 90);
    const Results r = run(sc);
    for (const Array& a : r.arrays) {
        if (a.path != "counts" && a.path.rfind("/counts") != a.path.size() - 7) continue;
        INFO(a.path);
        REQUIRE(a.dims.back() == "state");
        const auto& v = a.integers();
        std::int64_t checked = 0;
        for (std::size_t i = 0; i < v.size(); i += 7) {
            std::int64_t sum = 0;
            for (int k = 1; k < 7; ++k) sum += v[i + static_cast<std::size_t>(k)];
            REQUIRE(v[i] == sum);
            checked += v[i];
        }
        REQUIRE(checked > 0);
    }
    // Every segment dimension partitions the eligible population.
    const auto& counts = r.array("counts").integers();
    for (int di = 0; di < dimension_count; ++di) {
        const auto& dim = dimensions()[static_cast<std::size_t>(di)];
        // agency_contact is written only when a service names an agency (test_agencies.cpp).
        if (!dimension_in_output(di, false)) {
            REQUIRE_FALSE(r.has_array("segments/" + dim.name + "/counts"));
            continue;
        }
        const Array& a = r.array("segments/" + dim.name + "/counts");
        const std::size_t G = a.shape[2];
        for (std::size_t d = 0; d < a.shape[0]; d += 17)
            for (std::size_t s = 0; s < a.shape[1]; ++s) {
                std::int64_t sum = 0;
                for (std::size_t g = 0; g < G; ++g) sum += a.integers()[((d * a.shape[1] + s) * G + g) * 7];
                REQUIRE(sum == counts[(d * a.shape[1] + s) * 7]);
            }
    }
}

TEST_CASE("with every channel closed, nobody receives a claimed benefit") {
    Scenario sc = small_scenario(10000, 60);
    for (int c = 0; c < channel_count; ++c) set_channel(sc, static_cast<Channel>(c), false);
    // With or without initial conditions: nobody can have claimed before
    // the run under a policy that closes every channel either.
    for (const int prior : {0, 36500}) {
        sc.behaviour.prior_eligibility_days = prior;
        const Results r = run(sc);
        for (std::size_t s = 0; s < sc.services.size(); ++s) {
            REQUIRE(count(r, 59, s, eligible) > 0);
            REQUIRE(count(r, 59, s, receiving) == 0);
            REQUIRE(total(r, "metrics/claims_submitted", s) == 0);
        }
        // The would-be claimants end in non-receipt: they tried and could not.
        REQUIRE(count(r, 59, 0, non_receipt) > 0);
    }
}

TEST_CASE("automatic attribution: every eligible citizen receives once processed") {
    Scenario sc = small_scenario(10000, 90);
    for (int c = 0; c < channel_count; ++c) set_channel(sc, static_cast<Channel>(c), false);
    for (auto& s : sc.services) {
        s.automatic = true;
        s.processing_days = 5;
    }
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    engine.run();
    const Results r = engine.results();
    for (std::size_t s = 0; s < sc.services.size(); ++s)
        for (std::size_t d = 0; d < 90; ++d) {
            REQUIRE(count(r, d, s, non_knowledge) == 0);
            REQUIRE(count(r, d, s, non_demand) == 0);
            REQUIRE(count(r, d, s, non_receipt) == 0);
            REQUIRE(count(r, d, s, interrupted) == 0);
            REQUIRE(count(r, d, s, receiving) + count(r, d, s, in_progress) == count(r, d, s, eligible));
        }
    // Claim by claim: whoever has been eligible for longer than processing is paid.
    std::int64_t paid = 0;
    for (std::size_t c = 0; c < engine.population().size(); ++c)
        for (int s = 0; s < static_cast<int>(sc.services.size()); ++s) {
            const Claim& k = engine.claim(c, s);
            if (k.state == ClaimState::not_eligible) continue;
            if (engine.current_day() - k.eligible_since > 5) {
                REQUIRE(k.state == ClaimState::receiving);
                ++paid;
            } else {
                REQUIRE((k.state == ClaimState::submitted || k.state == ClaimState::receiving));
            }
        }
    REQUIRE(paid > 1000);
}

TEST_CASE("zero complexity, no identity check and a certain online success: every online attempt succeeds") {
    Scenario sc = small_scenario(10000, 60);
    for (auto& s : sc.services) {
        s.complexity_first = s.complexity_renewal = 0;
        s.identity = IdentityRequirement::none;
    }
    sc.behaviour.online_intercept = 30;  // logistic(30): failure odds below 1e-13
    const Results r = run(sc);
    for (std::size_t s = 0; s < sc.services.size(); ++s) {
        const Array& attempts = r.array("metrics/attempts");
        const Array& successes = r.array("metrics/successes");
        std::int64_t a = 0, ok = 0;
        for (std::size_t d = 0; d < 60; ++d) {
            const std::size_t i = (d * sc.services.size() + s) * channel_count;
            a += attempts.integers()[i];
            ok += successes.integers()[i];
        }
        REQUIRE(a > 0);
        REQUIRE(ok == a);
        REQUIRE(total(r, "metrics/interruptions", s) == 0);
    }
}

TEST_CASE("zero capacity: queues grow and nobody is served at the counter") {
    Scenario sc = small_scenario(10000, 60);
    set_channel(sc, Channel::online, false);
    set_channel(sc, Channel::phone, false);
    set_channel(sc, Channel::counter, true, 0.0);
    sc.behaviour.patience_days = 1000;  // nobody leaves, so the queue only grows
    const Results r = run(sc);
    const Array& served = r.array("metrics/queue_served");
    const Array& gave_up = r.array("metrics/queue_gave_up");
    const Array& length = r.array("metrics/queue_length");
    const std::size_t S = sc.services.size(), C = channel_count, counter = static_cast<std::size_t>(Channel::counter);
    for (std::size_t s = 0; s < S; ++s) {
        for (std::size_t d = 0; d < 60; ++d) {
            REQUIRE(served.integers()[(d * S + s) * C + counter] == 0);
            REQUIRE(gave_up.integers()[(d * S + s) * C + counter] == 0);
        }
        // Only losing eligibility takes anyone out of a queue that serves no
        // one, so the queue keeps growing with the newcomers.
        const std::int64_t first = length.integers()[(0 * S + s) * C + counter];
        const std::int64_t last = length.integers()[(59 * S + s) * C + counter];
        REQUIRE(last > first);
        REQUIRE(count(r, 59, s, receiving) == 0);
    }
}

TEST_CASE("same seed, 1 and 2 threads: bit-identical results, and another seed gives different results") {
    Scenario sc = small_scenario(30000, 60);
    const Results one = run(sc, 1);
    require_identical(one, run(sc, 2));
    sc.seed = 8;
    const Results other = run(sc, 2);
    REQUIRE(other.array("counts").integers() != one.array("counts").integers());
}

TEST_CASE("blocks run backwards give the same results as blocks run in order") {
    Scenario sc = small_scenario(20000, 60);
    // Also with the initial conditions, whose fixed point runs over blocks.
    for (const int prior : {0, 36500}) {
        sc.behaviour.prior_eligibility_days = prior;
        SerialExecutor serial;
        test::ReverseExecutor reverse;
        Engine a(sc, serial), b(sc, reverse);
        a.run();
        b.run();
        require_identical(a.results(), b.results());
    }
}

TEST_CASE("initial conditions: 1 and 2 threads give bit-identical results, and citizens start informed") {
    Scenario sc = small_scenario(30000, 60);
    sc.warmup_days = 0;
    sc.behaviour.prior_eligibility_days = 36500;
    const Results one = run(sc, 1);
    require_identical(one, run(sc, 2));
    // Past spells inform and enrol: on the first day many eligible already
    // receive the benefits that ask a claim, which nobody does without them.
    sc.behaviour.prior_eligibility_days = 0;
    const Results none = run(sc, 2);
    for (std::size_t s = 0; s < sc.services.size(); ++s) {
        INFO("service " << s);
        REQUIRE(count(none, 0, s, receiving) == 0);
        REQUIRE(count(one, 0, s, receiving) > count(one, 0, s, eligible) / 5);
    }
}

TEST_CASE("phase C serves counters and mediation zone by zone: any thread count, any chunk order, same results") {
    // Many small zones, so that chunks of zones share blocks of citizens
    // (the atomic un-counting) and 1, 2 and 3 threads split them into 4, 8
    // and 12 chunks; blocks and chunks run backwards in the last run.
    Scenario sc = small_scenario(30000, 60);
    sc.population.zone_size = 700;
    set_channel(sc, Channel::mediation, true, 3.0);
    sc.mediation.mode = MediationMode::doing_with;  // serving changes the citizen's skills
    const Results one = run(sc, 1);
    // The pass is exercised: counters and mediation serve people.
    const Array& served = one.array("metrics/queue_served");
    std::int64_t counter = 0, mediation = 0;
    for (std::size_t i = 0; i < served.integers().size(); i += channel_count) {
        counter += served.integers()[i + static_cast<std::size_t>(Channel::counter)];
        mediation += served.integers()[i + static_cast<std::size_t>(Channel::mediation)];
    }
    REQUIRE(counter > 0);
    REQUIRE(mediation > 0);
    require_identical(one, run(sc, 2));
    require_identical(one, run(sc, 3));
    test::ReverseExecutor reverse;
    Engine backwards(sc, reverse);
    backwards.run();
    require_identical(one, backwards.results());
}

TEST_CASE("losing eligibility ends claims without counting as non-take-up, and time to right is measured") {
    Scenario sc = small_scenario(20000, 200);
    const Results r = run(sc);
    // Employment transitions move people in and out of minimum income eligibility.
    const auto first = count(r, 0, 0, eligible), last = count(r, 199, 0, eligible);
    REQUIRE(first > 0);
    REQUIRE(last > 0);
    const std::int64_t payments = total(r, "metrics/first_payments", 0);
    const std::int64_t days = total(r, "metrics/time_to_right_days", 0);
    REQUIRE(payments > 0);
    // Nobody is paid before processing ends.
    REQUIRE(days >= payments * sc.services[0].processing_days);
}

TEST_CASE("renewals: a quarterly declaration is made, and missed ones interrupt rights") {
    Scenario sc = small_scenario(20000, 200);
    sc.services[0].complexity_renewal = 0.9;  // hard declarations
    const Results r = run(sc);
    REQUIRE(total(r, "metrics/renewals_completed", 0) > 0);
    REQUIRE(total(r, "metrics/interruptions", 0) > 0);
    // Housing benefit has no renewal: it is never interrupted.
    REQUIRE(total(r, "metrics/interruptions", 1) == 0);
    REQUIRE(total(r, "metrics/renewals_completed", 1) == 0);
}

TEST_CASE("more outreach means less non-knowledge") {
    Scenario low = small_scenario(20000, 120);
    Scenario high = low;
    for (auto& s : low.services) s.outreach = 0.0005;
    for (auto& s : high.services) s.outreach = 0.01;
    const Results a = run(low), b = run(high);
    for (std::size_t s = 0; s < low.services.size(); ++s) {
        const double unaware_low = static_cast<double>(count(a, 119, s, non_knowledge)) / static_cast<double>(count(a, 119, s, eligible));
        const double unaware_high = static_cast<double>(count(b, 119, s, non_knowledge)) / static_cast<double>(count(b, 119, s, eligible));
        INFO("service " << s << ": " << unaware_low << " vs " << unaware_high);
        REQUIRE(unaware_high < unaware_low - 0.05);
    }
}

TEST_CASE("wrongful rejections are contested, some appeals are won, none beyond those made") {
    Scenario sc = small_scenario(30000, 200);
    sc.warmup_days = 0;  // every appeal is started and decided in the recorded period
    for (auto& s : sc.services)
        for (auto& ch : s.channels) ch.wrongful_rejection = 0.3;
    const Results r = run(sc);
    const std::int64_t rejections = total(r, "metrics/rejections", 0);
    const std::int64_t appeals = total(r, "metrics/appeals", 0);
    REQUIRE(rejections > 100);
    REQUIRE(appeals > 0);
    REQUIRE(appeals < rejections);
    REQUIRE(total(r, "metrics/appeals_won", 0) <= appeals);
}

namespace {
// One obligation everybody is eligible for, learnt of only from outreach:
// the awareness hazard is the same for everyone and on every day.
Scenario constant_hazard_scenario(double outreach) {
    Scenario sc = small_scenario(20000, 90);
    sc.warmup_days = 0;
    sc.services.resize(1);
    sc.services[0].kind = ServiceKind::obligation;
    sc.services[0].monthly_amount = 0;
    sc.services[0].eligibility.income_decile_max = 10;
    sc.services[0].outreach = outreach;
    sc.behaviour.peer_information = 0;
    sc.behaviour.base_awareness = 0;
    sc.behaviour.awareness_spread = 0;
    sc.behaviour.mediator_information = 0;
    return sc;
}
}  // namespace

TEST_CASE("awareness candidate days: unaware claims decay as the daily draws' law, exp(-h d)") {
    // docs/model.md 6.1: candidate days then p_t / q must give P(still
    // unaware after d days) = exp(-h d). A wrong geometric (off by one day,
    // the wrong success probability) or a missing acceptance step moves
    // these counts by many standard deviations.
    const double h = 0.02;
    const Results r = run(constant_hazard_scenario(h));
    const double n = static_cast<double>(count(r, 0, 0, eligible));
    REQUIRE(count(r, 0, 0, non_knowledge) == count(r, 0, 0, eligible));  // nobody informed before day 0
    for (int d : {1, 10, 30, 60, 89}) {
        const double p = std::exp(-h * d);
        const double expected = n * p, sd = std::sqrt(n * p * (1 - p));
        const auto unaware = static_cast<double>(count(r, static_cast<std::size_t>(d), 0, non_knowledge));
        INFO("day " << d << ": " << unaware << " unaware, expected " << expected << " (sd " << sd << ")");
        REQUIRE(count(r, static_cast<std::size_t>(d), 0, eligible) == static_cast<std::int64_t>(n));
        REQUIRE(std::abs(unaware - expected) < 5 * sd);
    }
}

TEST_CASE("awareness candidate days are drawn again when the timeline raises outreach") {
    // Without outreach nobody can learn (no candidate day at all); a
    // campaign on day 30 must start the clock for every unaware claim.
    Scenario sc = constant_hazard_scenario(0.0);
    sc.timeline.push_back(timeline_event(30, event::SetOutreach{.rate = 0.02}));
    const Results r = run(sc);
    const double n = static_cast<double>(count(r, 0, 0, eligible));
    REQUIRE(count(r, 30, 0, non_knowledge) == static_cast<std::int64_t>(n));
    const double p = std::exp(-0.02 * 30);
    const double expected = n * p, sd = std::sqrt(n * p * (1 - p));
    const auto unaware = static_cast<double>(count(r, 60, 0, non_knowledge));
    INFO(unaware << " unaware on day 60, expected " << expected << " (sd " << sd << ")");
    REQUIRE(std::abs(unaware - expected) < 5 * sd);
}
