// The engine's rules tested directly, day by day, on the claims themselves:
// what a rule allows and forbids, not a side effect in the totals
// (docs/testing.md). Each case drives small scenarios built in code with
// Engine::step and reads Engine::claim between days.
#include "core/engine.hpp"
#include "core/segments.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <vector>

using namespace demat;
using namespace demat::test;

namespace {

constexpr std::size_t mediation = 3;

// A scenario with the minimum income only, every channel closed: each case
// opens what it needs.
Scenario one_service(std::int64_t citizens, int days) {
    Scenario sc = small_scenario(citizens, days);
    sc.services.resize(1);
    set_channel(sc, Channel::online, false);
    set_channel(sc, Channel::phone, false);
    set_channel(sc, Channel::counter, false);
    set_channel(sc, Channel::mediation, false);
    return sc;
}

std::int64_t metric_total(const Results& r, const std::string& name) {
    const Array& a = r.array("metrics/" + name);
    std::int64_t sum = 0;
    for (const std::int64_t v : a.integers()) sum += v;
    return sum;
}

}  // namespace

TEST_CASE("help capacity binds: with capacity 1 refusals happen and nobody helps twice in a month") {
    // Everyone asks a neighbour after any failure and online attempts fail
    // often, so capable neighbours are asked far more than once a month.
    Scenario sc = one_service(20000, 150);
    set_channel(sc, Channel::online, true);
    sc.services[0].outreach = 0.05;
    sc.behaviour.online_intercept = -3.0;
    sc.behaviour.ask_help = 1.0;
    sc.behaviour.max_failures = 8;
    sc.behaviour.helper_capacity = 1;
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    const std::size_t n = engine.population().size();
    // helps_given at the start of each 30-day month (the capacity's period:
    // phase B gives it back on days that are multiples of 30).
    std::vector<std::uint16_t> at_month_start(n, 0);
    std::int64_t months = 0, helpers_over_capacity = 0, helped_in_two_months = 0;
    std::vector<std::uint8_t> months_helping(n, 0);
    while (!engine.completed()) {
        if (engine.current_day() % 30 == 0) {
            if (engine.current_day() > 0) {
                ++months;
                for (std::size_t c = 0; c < n; ++c) {
                    const int helped = engine.helps_given(c) - at_month_start[c];
                    helpers_over_capacity += helped > sc.behaviour.helper_capacity;
                    if (helped > 0 && ++months_helping[c] == 2) ++helped_in_two_months;
                }
            }
            for (std::size_t c = 0; c < n; ++c) at_month_start[c] = engine.helps_given(c);
        }
        engine.step();
    }
    const Results r = engine.results();
    INFO("informal helps " << metric_total(r, "help_informal") << ", refused "
                           << metric_total(r, "help_informal_unavailable"));
    REQUIRE(months == 6);
    CHECK(helpers_over_capacity == 0);
    // The capacity binds: requests are refused, by the thousand.
    CHECK(metric_total(r, "help_informal_unavailable") > 1000);
    CHECK(metric_total(r, "help_informal") > 1000);
    // ... and comes back every month: helpers help again in a later month.
    CHECK(helped_in_two_months > 100);
}

TEST_CASE("queue service order does not depend on citizen index or zone") {
    // Within the citizens who joined the same queue on the same day, the
    // order of service is a random key's. With a capacity far below the
    // arrivals, a day's joiners are served over several days; among pairs
    // of them served on different days, the one with the lower index is
    // served first half of the time. Served by index, the share is 1.
    // Bound: 0.5 +- 0.06. The pairs share citizens, so the effective sample
    // is the number of citizens (over 3,000, required below), whose
    // standard error on the share is about 1 / sqrt(12 n) < 0.01: the
    // bound is six standard errors, and an order by index is 0.4 away.
    auto concordance = [](Channel ch, double capacity) {
        Scenario sc = one_service(30000, 120);
        set_channel(sc, ch, true, capacity);
        sc.services[0].outreach = 0.05;
        sc.services[0].renewal_days = 0;
        sc.behaviour.patience_days = 400;  // nobody leaves: every joiner is served
        ParallelExecutor ex(1);
        Engine engine(sc, ex);
        const auto& pop = engine.population();
        const std::size_t n = pop.size();
        constexpr int none = -1;
        std::vector<int> joined(n, none);
        // (zone, or 0 for the national phone line; join day) -> (citizen, day served)
        std::map<std::pair<std::size_t, int>, std::vector<std::pair<std::uint32_t, int>>> cohorts;
        while (!engine.completed()) {
            const int day = engine.current_day();
            // Only this channel is open and nothing renews: a claim due in
            // `attempting` joins its queue today.
            for (std::size_t c = 0; c < n; ++c) {
                const Claim& k = engine.claim(c, 0);
                if (k.state == ClaimState::attempting && k.next_day == day) joined[c] = day;
            }
            engine.step();
            for (std::size_t c = 0; c < n; ++c) {
                if (joined[c] == none) continue;
                const Claim& k = engine.claim(c, 0);
                if (k.state == ClaimState::not_eligible) {
                    joined[c] = none;
                    continue;
                }
                if (k.has(claim_flag::queued)) continue;
                const std::size_t zone = ch == Channel::phone ? 0 : pop.zone_of(c);
                cohorts[{zone, joined[c]}].push_back({static_cast<std::uint32_t>(c), day});
                joined[c] = none;
            }
        }
        std::int64_t pairs = 0, concordant = 0, citizens = 0;
        for (const auto& [key, members] : cohorts) {
            for (std::size_t i = 0; i < members.size(); ++i)
                for (std::size_t j = i + 1; j < members.size(); ++j) {
                    const auto& [ci, di] = members[i];
                    const auto& [cj, dj] = members[j];
                    if (di == dj) continue;
                    ++pairs;
                    concordant += (ci < cj) == (di < dj);
                }
            citizens += static_cast<std::int64_t>(members.size());
        }
        INFO("channel " << static_cast<int>(ch) << ": " << citizens << " served, " << pairs << " pairs split over days");
        REQUIRE(citizens > 3000);
        REQUIRE(pairs > 5000);
        return static_cast<double>(concordant) / static_cast<double>(pairs);
    };
    SECTION("counters, zone by zone") {
        const double share = concordance(Channel::counter, 12.0);
        CHECK(share == Approx(0.5).margin(0.06));
    }
    SECTION("the national phone line, where the index also orders the zones") {
        const double share = concordance(Channel::phone, 12.0);
        CHECK(share == Approx(0.5).margin(0.06));
    }
}

TEST_CASE("queue patience: with no capacity, each joiner leaves on the first day past their patience") {
    // Counter only, with no capacity: nobody is served, and a citizen who
    // joined on day J waits while day - J <= patience_days, leaving on
    // J + patience_days + 1 (docs/model.md, section 6.6).
    Scenario sc = one_service(20000, 120);
    set_channel(sc, Channel::counter, true, 0.0);
    sc.services[0].outreach = 0.05;
    sc.services[0].renewal_days = 0;
    sc.behaviour.patience_days = 9;
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    const std::size_t n = engine.population().size();
    std::vector<int> joined(n, -1);
    std::map<int, std::int64_t> waited;
    while (!engine.completed()) {
        const int day = engine.current_day();
        for (std::size_t c = 0; c < n; ++c) {
            const Claim& k = engine.claim(c, 0);
            if (k.state == ClaimState::attempting && k.next_day == day) joined[c] = day;
        }
        engine.step();
        for (std::size_t c = 0; c < n; ++c) {
            if (joined[c] < 0) continue;
            const Claim& k = engine.claim(c, 0);
            if (k.state != ClaimState::not_eligible && k.has(claim_flag::queued)) continue;
            if (k.state != ClaimState::not_eligible) ++waited[day - joined[c]];
            joined[c] = -1;
        }
    }
    REQUIRE(waited[sc.behaviour.patience_days + 1] > 1000);
    CHECK(waited.size() == 1);
}

TEST_CASE("queue capacity: the phone line serves exactly its daily capacity while a backlog lasts") {
    // Phone only, 3 places a day per 10,000 citizens: 6 a day for 20,000.
    // With more callers than places, every recorded day serves 6, no more.
    Scenario sc = one_service(20000, 90);
    set_channel(sc, Channel::phone, true, 3.0);
    sc.services[0].outreach = 0.05;
    sc.behaviour.patience_days = 400;
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    engine.run();
    const Results r = engine.results();
    const Array& served = r.array("metrics/queue_served");
    const Array& waiting = r.array("metrics/queue_length");
    const std::size_t channels = served.shape[2], ph = static_cast<std::size_t>(Channel::phone);
    std::int64_t backlog_days = 0;
    for (std::size_t d = 0; d < served.shape[0]; ++d) {
        const std::int64_t s = served.integers()[d * channels + ph];
        const std::int64_t w = waiting.integers()[d * channels + ph];
        INFO("day " << d << ": " << w << " waiting, " << s << " served");
        REQUIRE(s <= 6);
        if (w > 100) {
            ++backlog_days;
            REQUIRE(s == 6);
        }
    }
    CHECK(backlog_days > 60);
}

TEST_CASE("one failed attempt adds exactly one failure, and the max_failures-th gives up") {
    // Online only, and online attempts always fail; nobody asks for help.
    // Citizens without equipment cannot attempt alone (they wait for a
    // neighbour, which is not a failure): the rule is checked on the others.
    Scenario sc = one_service(20000, 120);
    set_channel(sc, Channel::online, true);
    sc.services[0].outreach = 0.05;
    sc.services[0].renewal_days = 0;
    sc.behaviour.online_intercept = -40.0;
    sc.behaviour.ask_help = 0.0;
    sc.behaviour.max_failures = 5;
    sc.behaviour.retry_days = 3;
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    const std::size_t n = engine.population().size();
    std::int64_t attempts = 0, gave_up = 0;
    std::vector<int> before(n, -1);
    while (!engine.completed()) {
        const int day = engine.current_day();
        for (std::size_t c = 0; c < n; ++c) {
            const Claim& k = engine.claim(c, 0);
            const bool equipped = engine.population().equipment[c] != Equipment::none;
            before[c] = equipped && k.state == ClaimState::attempting && k.next_day == day ? k.failures : -1;
        }
        engine.step();
        for (std::size_t c = 0; c < n; ++c) {
            if (before[c] < 0) continue;
            const Claim& k = engine.claim(c, 0);
            if (k.state == ClaimState::not_eligible) continue;
            ++attempts;
            INFO("citizen " << c << " on day " << day << " had " << before[c] << " failures");
            REQUIRE(k.failures == before[c] + 1);
            if (k.failures >= sc.behaviour.max_failures) {
                REQUIRE(k.state == ClaimState::abandoned);
                ++gave_up;
            } else {
                REQUIRE(k.state == ClaimState::attempting);
                REQUIRE(k.next_day == day + sc.behaviour.retry_days);
            }
        }
    }
    CHECK(attempts > 2000);
    CHECK(gave_up > 200);
}

TEST_CASE("renewal window: no attempt on or after its last day, and a failure interrupts when the next retry would reach it") {
    // Citizens start receiving (initial conditions) and renew online, where
    // every attempt fails. Window 14 days, retry every 7: a renewal started
    // on day S fails on S and S + 7; on S + 7 the next retry (S + 14) would
    // reach the end of the window, so the right is interrupted then.
    // A renewal waiting on a neighbour who has no time (capacity 0) skips
    // that check: it comes back on S + 14, the window's end, and must be
    // interrupted without attempting.
    // (Citizens without equipment cannot attempt alone: they always wait
    // for a neighbour, so they are left out of the first section.)
    auto run = [](bool ask_help, std::map<int, std::int64_t>& interrupted_after, std::int64_t& late_attempts) {
        Scenario sc = one_service(20000, 150);
        set_channel(sc, Channel::online, true);
        sc.behaviour.prior_eligibility_days = 36500;  // start receiving
        sc.behaviour.online_intercept = -40.0;
        sc.behaviour.retry_days = 7;
        sc.behaviour.renewal_window_days = 14;
        sc.behaviour.max_failures = 10;
        sc.behaviour.ask_help = ask_help ? 1.0 : 0.0;
        sc.behaviour.helper_capacity = 0;
        ParallelExecutor ex(1);
        Engine engine(sc, ex);
        const std::size_t n = engine.population().size();
        std::vector<int> failures(n), start(n);
        std::vector<std::uint8_t> renewing(n);
        while (!engine.completed()) {
            const int day = engine.current_day();
            for (std::size_t c = 0; c < n; ++c) {
                const Claim& k = engine.claim(c, 0);
                renewing[c] = k.state == ClaimState::receiving && k.has(claim_flag::renewing) &&
                              (ask_help || engine.population().equipment[c] != Equipment::none);
                failures[c] = k.failures;
                start[c] = k.episode_start;
            }
            engine.step();
            for (std::size_t c = 0; c < n; ++c) {
                if (!renewing[c]) continue;
                const Claim& k = engine.claim(c, 0);
                if (k.state == ClaimState::interrupted) ++interrupted_after[day - start[c]];
                else if (k.state == ClaimState::receiving && k.failures > failures[c] &&
                         day >= start[c] + sc.behaviour.renewal_window_days)
                    ++late_attempts;
            }
        }
    };
    SECTION("alone: interrupted on the last retry day before the window ends") {
        std::map<int, std::int64_t> after;
        std::int64_t late = 0;
        run(false, after, late);
        REQUIRE(after[7] > 300);
        for (const auto& [offset, count] : after) INFO("interrupted on S + " << offset << ": " << count);
        CHECK(after.size() == 1);  // every interruption on S + 7
        CHECK(late == 0);
    }
    SECTION("waiting for help: back on the window's last day, interrupted without an attempt") {
        std::map<int, std::int64_t> after;
        std::int64_t late = 0;
        run(true, after, late);
        REQUIRE(after[14] > 300);       // the help path reached the window's end
        CHECK(after.size() <= 2);       // S + 7 (nobody to ask) or S + 14
        CHECK(after.count(7) + after.count(14) == after.size());
        CHECK(late == 0);
    }
}

TEST_CASE("the incremental counts equal a full recount of the claims, every day: states, groups, queues, overdue, divide") {
    // Phase A counts only the citizens touched since the day before; any
    // change to a claim, an age or an income without its touch shows here.
    // Renewals, help, queues, mediation, life events and rejections all run.
    // Recounted at the start of each recorded day, from the claims alone:
    // the states by age and income group, the queue lengths (staffed
    // channels only), the claims in progress past their grace period, and
    // the divide index (take-up of capital Q5 minus Q1).
    Scenario sc = small_scenario(12000, 120);
    sc.behaviour.prior_eligibility_days = 36500;
    for (auto& s : sc.services) s.channels[mediation].enabled = true;
    sc.behaviour.ask_help = 0.6;
    sc.behaviour.helper_capacity = 2;
    sc.behaviour.grace_days = 20;
    ParallelExecutor ex(2);
    Engine engine(sc, ex);
    const std::size_t n = engine.population().size();
    const int services = static_cast<int>(sc.services.size());
    const auto S = static_cast<std::size_t>(services);
    std::vector<std::int64_t> expected_states, expected_age, expected_income, expected_queues, expected_overdue;
    std::vector<double> expected_divide;
    while (!engine.completed()) {
        const int day = engine.current_day();
        if (day >= sc.warmup_days) {
            const auto& p = engine.population();
            std::vector<std::int64_t> states(S * 7, 0), age(S * 5 * 7, 0), income(age.size(), 0);
            std::vector<std::int64_t> queues(S * 4, 0), overdue(S, 0), q_eligible(S * 5, 0), q_receiving(S * 5, 0);
            for (std::size_t c = 0; c < n; ++c)
                for (std::size_t su = 0; su < S; ++su) {
                    const Claim& k = engine.claim(c, static_cast<int>(su));
                    if (k.state == ClaimState::not_eligible) continue;
                    const auto st = static_cast<std::size_t>(reported_state(k));
                    const std::size_t a = age_group_of(p.age[c]), q = static_cast<std::size_t>((p.income_decile[c] - 1) / 2);
                    for (const std::size_t i : {std::size_t{0}, st}) {
                        ++states[su * 7 + i];
                        ++age[(su * 5 + a) * 7 + i];
                        ++income[(su * 5 + q) * 7 + i];
                    }
                    if (k.has(claim_flag::queued) && k.channel != Channel::online)
                        ++queues[su * 4 + static_cast<std::size_t>(k.channel)];
                    if (reported_state(k) == ReportedState::in_progress && day - k.episode_start > sc.behaviour.grace_days)
                        ++overdue[su];
                    const std::size_t capital = engine.capital_quintile(c);
                    ++q_eligible[su * 5 + capital];
                    q_receiving[su * 5 + capital] += k.state == ClaimState::receiving;
                }
            expected_states.insert(expected_states.end(), states.begin(), states.end());
            expected_age.insert(expected_age.end(), age.begin(), age.end());
            expected_income.insert(expected_income.end(), income.begin(), income.end());
            expected_queues.insert(expected_queues.end(), queues.begin(), queues.end());
            expected_overdue.insert(expected_overdue.end(), overdue.begin(), overdue.end());
            for (std::size_t su = 0; su < S; ++su)
                expected_divide.push_back(
                    static_cast<double>(q_receiving[su * 5 + 4]) / static_cast<double>(q_eligible[su * 5 + 4]) -
                    static_cast<double>(q_receiving[su * 5]) / static_cast<double>(q_eligible[su * 5]));
        }
        engine.step();
    }
    const Results r = engine.results();
    CHECK(r.array("counts").integers() == expected_states);
    CHECK(r.array("segments/age_group/counts").integers() == expected_age);
    CHECK(r.array("segments/income_quintile/counts").integers() == expected_income);
    CHECK(r.array("metrics/queue_length").integers() == expected_queues);
    CHECK(r.array("metrics/in_progress_overdue").integers() == expected_overdue);
    // The conditions of the checks hold: queues and overdue claims exist.
    std::int64_t queued = 0, late = 0;
    for (const auto v : expected_queues) queued += v;
    for (const auto v : expected_overdue) late += v;
    CHECK(queued > 1000);
    CHECK(late > 1000);
    const auto& divide = r.array("metrics/divide_index").reals();
    REQUIRE(divide.size() == expected_divide.size());
    for (std::size_t i = 0; i < divide.size(); ++i) REQUIRE(divide[i] == Approx(expected_divide[i]).margin(1e-12));
}

TEST_CASE("check_counts_every_day: with every mechanism and timeline events, the counts equal a recount every day") {
    // The engine recounts every citizen after phase A of each recorded day
    // and throws on a difference (segments of every dimension, capital
    // centiles, queue lengths): here with renewals, help, every queue, life
    // events and timeline events that touch citizens (a skills programme,
    // a closure, automatic attribution, an outage).
    Scenario sc = small_scenario(8000, 150);
    sc.behaviour.prior_eligibility_days = 36500;
    for (auto& s : sc.services) s.channels[mediation].enabled = true;
    sc.behaviour.helper_capacity = 2;
    TimelineEvent skills = timeline_event(10, TimelineAction::skills_programme);
    skills.skill_below = 0.5;
    skills.share_per_month = 0.3;
    skills.skill_gain = 0.5;
    skills.duration_days = 60;
    TimelineEvent close = timeline_event(40, TimelineAction::close_channel, "minimum_income");
    close.channel = Channel::counter;
    TimelineEvent automatic = timeline_event(70, TimelineAction::set_automatic, "housing_benefit");
    automatic.automatic = true;
    TimelineEvent outage = timeline_event(100, TimelineAction::outage);
    outage.duration_days = 5;
    sc.timeline = {skills, close, automatic, outage};
    for (const int threads : {1, 2}) {
        ParallelExecutor ex(threads);
        Engine engine(sc, ex);
        engine.check_counts_every_day(true);
        REQUIRE_NOTHROW(engine.run());
        CHECK(engine.completed());
    }
}
