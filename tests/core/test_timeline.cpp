// Policy timeline events in the engine: each event's effect, what stays the
// same before it, and determinism across thread counts.
#include "core/engine.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>

using namespace demat;
using namespace demat::test;

namespace {

constexpr int non_knowledge = 2, non_demand = 3, in_progress = 4, non_receipt = 5, interrupted = 6;
constexpr auto online = static_cast<std::size_t>(Channel::online);
constexpr auto phone = static_cast<std::size_t>(Channel::phone);
constexpr auto counter = static_cast<std::size_t>(Channel::counter);
constexpr auto mediation = static_cast<std::size_t>(Channel::mediation);

TimelineEvent close_event(int day, Channel channel, const std::string& service = "*") {
    return timeline_event(day, event::CloseChannel{.service = service, .channel = channel});
}
TimelineEvent open_event(int day, Channel channel, const std::string& service = "*") {
    return timeline_event(day, event::OpenChannel{.service = service, .channel = channel});
}

// Sum over days [from, to) and every service of a [day, service, channel] metric at one channel.
std::int64_t channel_sum(const Results& r, const std::string& metric, std::size_t channel, std::size_t from,
                         std::size_t to) {
    const Array& a = r.array("metrics/" + metric);
    std::int64_t sum = 0;
    for (std::size_t d = from; d < to; ++d)
        for (std::size_t s = 0; s < a.shape[1]; ++s) sum += a.integers()[(d * a.shape[1] + s) * a.shape[2] + channel];
    return sum;
}

// The per-day state counts of days [0, to) are the same in both runs.
bool same_counts_before(const Results& a, const Results& b, std::size_t to) {
    const Array& x = a.array("counts");
    const Array& y = b.array("counts");
    const std::size_t per_day = x.size() / x.shape[0];
    return std::equal(x.integers().begin(), x.integers().begin() + static_cast<std::ptrdiff_t>(to * per_day),
                      y.integers().begin());
}

}  // namespace

TEST_CASE("timeline: closing counter and phone on day 30 empties them from that day on", "[timeline]") {
    Scenario sc = small_scenario(20000, 60);
    set_channel(sc, Channel::mediation, true);
    // Scarce places, so that claims are waiting in both lines when they close.
    set_channel(sc, Channel::phone, true, 1.0);
    set_channel(sc, Channel::counter, true, 1.0);
    const Results before = run(sc);
    sc.timeline = {close_event(30, Channel::counter),
                   close_event(30, Channel::phone)};
    const Results r = run(sc);
    // Nothing changes before the event's day.
    CHECK(same_counts_before(r, before, 30));
    for (std::size_t ch : {phone, counter}) {
        INFO("channel " << ch);
        REQUIRE(channel_sum(r, "attempts", ch, 0, 30) > 0);
        REQUIRE(channel_sum(r, "queue_length", ch, 29, 30) > 0);  // claims were waiting when it closed
        CHECK(channel_sum(r, "attempts", ch, 30, 60) == 0);
        CHECK(channel_sum(r, "queue_joined", ch, 30, 60) == 0);
        CHECK(channel_sum(r, "queue_served", ch, 30, 60) == 0);
        CHECK(channel_sum(r, "queue_length", ch, 30, 60) == 0);
    }
    // The citizens turn to the channels left.
    CHECK(channel_sum(r, "attempts", online, 30, 60) > channel_sum(before, "attempts", online, 30, 60));
    CHECK(channel_sum(r, "queue_joined", mediation, 30, 60) > channel_sum(before, "queue_joined", mediation, 30, 60));
}

TEST_CASE("timeline: a closure for one service leaves the others alone, and open_channel reopens", "[timeline]") {
    Scenario sc = small_scenario(20000, 60);
    sc.timeline = {close_event(10, Channel::counter, "minimum_income"),
                   open_event(40, Channel::counter, "minimum_income"),
                   open_event(20, Channel::mediation, "housing_benefit")};
    const Results r = run(sc);
    const Array& attempts = r.array("metrics/attempts");
    const Array& joined = r.array("metrics/queue_joined");
    auto at = [&](const Array& a, std::size_t d, std::size_t s, std::size_t ch) {
        return a.integers()[(d * a.shape[1] + s) * a.shape[2] + ch];
    };
    std::int64_t closed = 0, reopened = 0, other = 0, mediation_before = 0, mediation_after = 0;
    for (std::size_t d = 0; d < 60; ++d) {
        if (d >= 10 && d < 40) closed += at(attempts, d, 0, counter);
        if (d >= 40) reopened += at(attempts, d, 0, counter);
        if (d >= 10 && d < 40) other += at(attempts, d, 2, counter);
        (d < 20 ? mediation_before : mediation_after) += at(joined, d, 1, mediation);
    }
    CHECK(closed == 0);
    CHECK(reopened > 0);
    CHECK(other > 0);
    CHECK(mediation_before == 0);  // closed in the scenario
    CHECK(mediation_after > 0);
}

TEST_CASE("timeline: set_capacity to 0 stops the counters serving", "[timeline]") {
    Scenario sc = small_scenario(20000, 60);
    sc.timeline = {timeline_event(30, event::SetCapacity{.channel = Channel::counter, .capacity_per_10k = 0})};
    const Results r = run(sc);
    REQUIRE(channel_sum(r, "queue_served", counter, 0, 30) > 0);
    CHECK(channel_sum(r, "queue_served", counter, 30, 60) == 0);
    CHECK(channel_sum(r, "queue_served", phone, 30, 60) > 0);
    // Nobody served: the line grows.
    CHECK(channel_sum(r, "queue_length", counter, 59, 60) > channel_sum(r, "queue_length", counter, 29, 30));
}

TEST_CASE("timeline: set_automatic removes non-take-up once the claims are processed", "[timeline]") {
    Scenario sc = small_scenario(20000, 80);
    sc.timeline = {timeline_event(20, event::SetAutomatic{.service = "minimum_income", .automatic = true})};
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    engine.run();
    const Results r = engine.results();
    const int processing = sc.services[0].processing_days;
    REQUIRE(count(r, 19, 0, non_knowledge) > 0);
    REQUIRE(count(r, 19, 0, non_demand) + count(r, 19, 0, non_receipt) > 0);
    for (std::size_t d = 20; d < 80; ++d) {
        INFO("day " << d);
        CHECK(count(r, d, 0, non_knowledge) == 0);
        CHECK(count(r, d, 0, non_demand) == 0);
        CHECK(count(r, d, 0, non_receipt) == 0);
        CHECK(count(r, d, 0, interrupted) == 0);
    }
    // After processing, only claims that became eligible in the last
    // processing_days are still in progress.
    std::size_t eligible = 0, waiting = 0;
    const int last_day = engine.current_day() - 1;
    for (std::size_t c = 0; c < engine.population().size(); ++c) {
        const Claim& k = engine.claim(c, 0);
        if (k.state == ClaimState::not_eligible) continue;
        ++eligible;
        REQUIRE((k.state == ClaimState::submitted || k.state == ClaimState::receiving));
        if (k.state == ClaimState::submitted) {
            ++waiting;
            CHECK(k.eligible_since >= last_day - processing);
        }
    }
    CHECK(eligible > 1000);
    CHECK(static_cast<double>(waiting) < 0.1 * static_cast<double>(eligible));
    CHECK(count(r, 79, 0, in_progress) == static_cast<std::int64_t>(waiting));
}

TEST_CASE("timeline: an online outage stops online successes, which resume after", "[timeline]") {
    Scenario sc = small_scenario(20000, 60);
    sc.timeline = {timeline_event(20, event::Outage{.days = 10})};
    const Results r = run(sc);
    REQUIRE(channel_sum(r, "successes", online, 0, 20) > 0);
    CHECK(channel_sum(r, "attempts", online, 20, 30) == 0);
    CHECK(channel_sum(r, "successes", online, 20, 30) == 0);
    std::int64_t helped = 0;
    for (std::size_t s = 0; s < sc.services.size(); ++s) helped += event_sum(r, "help_informal", s, 20, 30);
    CHECK(helped == 0);
    CHECK(channel_sum(r, "successes", online, 30, 33) > 0);
    // Assisted channels take part of the load meanwhile.
    const Results base = run([&] {
        Scenario plain = sc;
        plain.timeline.clear();
        return plain;
    }());
    CHECK(channel_sum(r, "queue_joined", counter, 20, 30) > channel_sum(base, "queue_joined", counter, 20, 30));
}

TEST_CASE("timeline: an outage does not reopen a channel closed before or during it", "[timeline]") {
    Scenario sc = small_scenario(10000, 40);
    sc.timeline = {close_event(2, Channel::online, "housing_benefit"), timeline_event(5, event::Outage{.days = 5}),
                   close_event(7, Channel::online, "income_tax_return")};
    const Results r = run(sc);
    const Array& attempts = r.array("metrics/attempts");
    std::array<std::int64_t, 3> after{};
    for (std::size_t d = 10; d < 40; ++d)
        for (std::size_t s = 0; s < 3; ++s) after[s] += attempts.integers()[(d * attempts.shape[1] + s) * attempts.shape[2] + online];
    CHECK(after[0] > 0);   // minimum_income: reopened when the outage ended
    CHECK(after[1] == 0);  // housing_benefit: closed before the outage
    CHECK(after[2] == 0);  // income_tax_return: closed during it
}

TEST_CASE("timeline: an outreach campaign raises awareness while it lasts", "[timeline]") {
    Scenario sc = small_scenario(20000, 60);
    const Results before = run(sc);
    sc.timeline = {timeline_event(20, event::SetOutreach{.service = "minimum_income", .rate = 0.05}),
                   timeline_event(40, event::SetOutreach{.service = "minimum_income", .rate = sc.services[0].outreach})};
    const Results r = run(sc);
    CHECK(same_counts_before(r, before, 20));
    const std::int64_t base = event_sum(before, "awareness_gained", 0, 20, 40);
    const std::int64_t campaign = event_sum(r, "awareness_gained", 0, 20, 40);
    REQUIRE(base > 0);
    CHECK(campaign > 3 * base);
    // The lasting personal awareness factor keeps some out of the campaign's reach.
    CHECK(count(r, 39, 0, non_knowledge) < count(before, 39, 0, non_knowledge));
    // Other services are untouched by the campaign's awareness draws.
    CHECK(event_sum(r, "awareness_gained", 2, 20, 22) == event_sum(before, "awareness_gained", 2, 20, 22));
}

TEST_CASE("timeline: simpler procedures without identity check succeed more online", "[timeline]") {
    Scenario sc = small_scenario(20000, 60);
    const Results before = run(sc);
    sc.timeline = {timeline_event(20, event::SetComplexity{.first = 0.0, .renewal = 0.0}),
                   timeline_event(20, event::SetIdentity{.identity = IdentityRequirement::none})};
    const Results r = run(sc);
    auto rate = [](const Results& x) {
        return static_cast<double>(channel_sum(x, "successes", online, 20, 60)) /
               static_cast<double>(channel_sum(x, "attempts", online, 20, 60));
    };
    CHECK(rate(r) > rate(before) + 0.1);
    CHECK(same_counts_before(r, before, 20));
}

TEST_CASE("timeline: events after a shortened run's end never happen", "[timeline]") {
    Scenario sc = small_scenario(10000, 40);
    const Results plain = run(sc);
    sc.timeline = {close_event(45, Channel::online)};  // e.g. after --days 40
    const Results r = run(sc);
    CHECK(r.array("counts").integers() == plain.array("counts").integers());
}

TEST_CASE("timeline: 1 and 2 threads give bit-identical results", "[timeline]") {
    Scenario sc = small_scenario(30000, 60);
    set_channel(sc, Channel::mediation, true);
    sc.timeline = {timeline_event(10, event::SetOutreach{.service = "minimum_income", .rate = 0.02}),
                   timeline_event(12, event::SetCapacity{.channel = Channel::mediation, .capacity_per_10k = 1.0}),
                   timeline_event(15, event::Outage{.days = 5}),
                   timeline_event(25, event::SetAutomatic{.service = "housing_benefit", .automatic = true}),
                   close_event(30, Channel::counter)};
    require_identical(run(sc, 1), run(sc, 2));
}
