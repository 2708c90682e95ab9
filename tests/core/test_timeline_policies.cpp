// The timeline events that change more than a service's parameters:
// mediation sites by territory, a digital skills programme, outreach aimed
// at a segment, pre-filled renewals. Each test checks the effect's direction
// with a bound, that the days before the event are unchanged, and the whole
// set is checked for determinism across thread counts.
#include "core/engine.hpp"
#include "core/segments.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>

using namespace demat;
using namespace demat::test;

namespace {

constexpr int non_knowledge = 2, interrupted = 6;
constexpr auto mediation = static_cast<std::size_t>(Channel::mediation);

// Sum over days [from, to) and every service of metrics/<name>[day, service, channel] at one channel.
std::int64_t channel_sum(const Results& r, const std::string& metric, std::size_t channel, std::size_t from, std::size_t to) {
    const Array& a = r.array("metrics/" + metric);
    std::int64_t sum = 0;
    for (std::size_t d = from; d < to; ++d)
        for (std::size_t s = 0; s < a.shape[1]; ++s) sum += a.integers()[(d * a.shape[1] + s) * a.shape[2] + channel];
    return sum;
}

// segments/<dimension>/counts[day, service, group, state]
std::int64_t segment_count(const Results& r, const std::string& dimension, std::size_t day, std::size_t service,
                           std::size_t group, int state) {
    const Array& a = r.array("segments/" + dimension + "/counts");
    return a.integers()[((day * a.shape[1] + service) * a.shape[2] + group) * a.shape[3] + static_cast<std::size_t>(state)];
}

bool same_counts_before(const Results& a, const Results& b, std::size_t to) {
    const Array& x = a.array("counts");
    const Array& y = b.array("counts");
    const std::size_t per_day = x.size() / x.shape[0];
    return std::equal(x.integers().begin(), x.integers().begin() + static_cast<std::ptrdiff_t>(to * per_day),
                      y.integers().begin());
}

// Scarce mediation, many small zones: served requests are bound by the sites.
Scenario mediation_scenario() {
    Scenario sc = small_scenario(20000, 60);
    sc.population.zone_size = 1000;
    set_channel(sc, Channel::mediation, true, 0.5);
    return sc;
}

}  // namespace

TEST_CASE("timeline: opening mediation sites in rural zones raises their capacity and shortens the trip", "[timeline]") {
    Scenario sc = mediation_scenario();
    const Results before = run(sc);
    // Three sites added: four times the initial network.
    sc.timeline = {timeline_event(20, event::OpenMediation{.territory = static_cast<int>(TerritoryType::rural), .sites = 3.0})};
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    engine.run();
    const Results r = engine.results();
    CHECK(same_counts_before(r, before, 20));

    // The distance scales as 1 / sqrt(sites): half in rural zones, unchanged elsewhere.
    ParallelExecutor ex0(1);
    Scenario plain = sc;
    plain.timeline.clear();
    const Engine reference(plain, ex0);
    const auto& zones = engine.population().zones;
    int rural = 0;
    for (std::size_t z = 0; z < zones.size(); ++z) {
        const float initial = reference.population().zones[z].km_to_mediation;
        if (zones[z].type == TerritoryType::rural) {
            ++rural;
            CHECK(zones[z].km_to_mediation == Approx(initial / 2.0).epsilon(1e-6));
        } else {
            CHECK(zones[z].km_to_mediation == initial);
        }
    }
    REQUIRE(rural >= 3);

    // A third of the zones get 4x the places: served requests rise by far more than noise.
    const auto served_before = channel_sum(before, "queue_served", mediation, 20, 60);
    const auto served_after = channel_sum(r, "queue_served", mediation, 20, 60);
    REQUIRE(served_before > 100);
    CHECK(static_cast<double>(served_after) > 1.3 * static_cast<double>(served_before));
}

TEST_CASE("timeline: closing every mediation site stops mediation serving", "[timeline]") {
    Scenario sc = mediation_scenario();
    const Results before = run(sc);
    sc.timeline = {timeline_event(20, event::CloseMediation{.share = 1.0})};
    const Results r = run(sc);
    CHECK(same_counts_before(r, before, 20));
    REQUIRE(channel_sum(before, "queue_served", mediation, 20, 60) > 100);
    CHECK(channel_sum(r, "queue_served", mediation, 10, 20) == channel_sum(before, "queue_served", mediation, 10, 20));
    // No places from day 20: the fraction of a place carried over never reaches one.
    CHECK(channel_sum(r, "queue_served", mediation, 20, 60) == 0);
}

TEST_CASE("timeline: a skills programme trains its share of the low-skill citizens", "[timeline]") {
    Scenario sc = small_scenario(30000, 60);
    // A gain of 0.5 takes s < 0.5 to 0.5 + s/2: every trainee leaves the low-skill
    // group; 60 days: cohorts on days 10 and 40.
    Scenario trained = sc;
    trained.timeline = {
        timeline_event(10, event::SkillsProgramme{.share_per_month = 0.4, .skill_gain = 0.5, .skill_below = 0.5, .days = 60})};
    ParallelExecutor ex1(1), ex2(1);
    Engine plain(sc, ex1), engine(trained, ex2);
    // Run both until the first cohort is trained (the event applies at the start of day warmup + 10).
    while (engine.current_day() <= sc.warmup_days + 10) {
        plain.step();
        engine.step();
    }
    const auto& p0 = plain.population().digital_skill;
    const auto& p1 = engine.population().digital_skill;
    std::size_t low = 0, still_low = 0;
    for (std::size_t c = 0; c < p0.size(); ++c) {
        if (p0[c] >= 0.5f) {
            CHECK(p1[c] == p0[c]);  // above the threshold: not in the programme
            continue;
        }
        ++low;
        still_low += p1[c] < 0.5f;
    }
    REQUIRE(low > 5000);
    // Binomial(low, 0.6) untrained: sd < 0.007 of `low`; 5 sd bound.
    const double share_untrained = static_cast<double>(still_low) / static_cast<double>(low);
    CHECK(std::abs(share_untrained - 0.6) < 0.035);

    // In the outputs: fewer eligible citizens in the none/low digital-skill
    // groups after the programme, the same before it.
    plain.run();
    engine.run();
    const Results a = plain.results(), b = engine.results();
    CHECK(same_counts_before(b, a, 10));
    auto low_skill = [](const Results& r, std::size_t day) {
        std::int64_t n = 0;
        for (std::size_t g = 0; g < 2; ++g) n += segment_count(r, "digital_skill", day, 2, g, 0);  // tax: everybody
        return n;
    };
    CHECK(low_skill(b, 9) == low_skill(a, 9));
    // After two cohorts about 0.6^2 = 36% of the low-skill remain (those
    // without equipment stay in "none" whatever their skill).
    CHECK(static_cast<double>(low_skill(b, 59)) < 0.75 * static_cast<double>(low_skill(a, 59)));
}

TEST_CASE("timeline: an outreach campaign aimed at capital Q1 informs Q1, not Q5", "[timeline]") {
    Scenario sc = small_scenario(30000, 60);
    const Results before = run(sc);
    const TimelineEvent campaign = timeline_event(
        20, event::SetOutreach{
                .service = "minimum_income", .rate = 0.05, .segment = static_cast<int>(Dimension::capital_quintile), .group = 0});
    sc.timeline = {campaign};
    const Results r = run(sc);
    CHECK(same_counts_before(r, before, 20));
    const auto q1_before = segment_count(before, "capital_quintile", 59, 0, 0, non_knowledge);
    const auto q1_after = segment_count(r, "capital_quintile", 59, 0, 0, non_knowledge);
    const auto q5_before = segment_count(before, "capital_quintile", 59, 0, 4, non_knowledge);
    const auto q5_after = segment_count(r, "capital_quintile", 59, 0, 4, non_knowledge);
    REQUIRE(q1_before > 200);
    INFO("Q1 " << q1_before << " -> " << q1_after << ", Q5 " << q5_before << " -> " << q5_after);
    // The lasting personal awareness factor keeps many out of reach: a quarter fewer, not all.
    CHECK(static_cast<double>(q1_after) < 0.85 * static_cast<double>(q1_before));
    // Q5 only through peers who learnt of it: a small change at most.
    CHECK(std::abs(static_cast<double>(q5_after - q5_before)) < 0.1 * static_cast<double>(q5_before) + 10);
    // Ending the campaign (rate 0) brings back the untargeted hazard.
    TimelineEvent stop = campaign;
    stop.day = 21;
    std::get<event::SetOutreach>(stop.what).rate = 0.0;
    sc.timeline = {campaign, stop};
    const Results brief = run(sc);
    CHECK(event_sum(brief, "awareness_gained", 0, 25, 60) < event_sum(r, "awareness_gained", 0, 25, 60));
}

TEST_CASE("timeline: pre-filled renewals cut interruptions", "[timeline]") {
    Scenario sc = small_scenario(50000, 120);
    // Renewals need people who already receive: start from past spells.
    sc.behaviour.prior_eligibility_days = 36500;
    sc.services[0].complexity_renewal = 0.9;  // a demanding declaration, as before the reform
    const Results before = run(sc);
    const TimelineEvent prefill =
        timeline_event(30, event::PrefillRenewals{.service = "minimum_income", .prefilled = true, .complexity = 0.05});
    sc.timeline = {prefill};
    const Results r = run(sc);
    CHECK(same_counts_before(r, before, 30));
    const auto interruptions_before = event_sum(before, "interruptions", 0, 30, 120);
    const auto interruptions_after = event_sum(r, "interruptions", 0, 30, 120);
    INFO(interruptions_before << " -> " << interruptions_after);
    REQUIRE(interruptions_before > 100);
    CHECK(static_cast<double>(interruptions_after) < 0.8 * static_cast<double>(interruptions_before));
    CHECK(count(r, 119, 0, interrupted) < count(before, 119, 0, interrupted));
    // The other services' renewals are as they were until their claims feel the change (peers, capacity):
    CHECK(event_sum(r, "interruptions", 2, 30, 31) == event_sum(before, "interruptions", 2, 30, 31));

    // Switching back: the service's own renewal complexity returns.
    TimelineEvent back = prefill;
    back.day = 31;
    std::get<event::PrefillRenewals>(back.what).prefilled = false;
    sc.timeline = {prefill, back};
    const Results undone = run(sc);
    CHECK(event_sum(undone, "interruptions", 0, 30, 120) > interruptions_after);
}

TEST_CASE("timeline: mediation sites, skills programme, targeted outreach and pre-filling give the same results on 1 and 2 threads",
          "[timeline]") {
    Scenario sc = mediation_scenario();
    sc.population.size = 30000;
    sc.timeline = {
        timeline_event(5, event::OpenMediation{.territory = static_cast<int>(TerritoryType::rural), .sites = 1.0}),
        timeline_event(8, event::SkillsProgramme{.share_per_month = 0.2, .skill_gain = 0.3, .days = 40}),
        timeline_event(12, event::SetOutreach{.service = "housing_benefit",
                                              .rate = 0.03,
                                              .segment = static_cast<int>(Dimension::age_group),
                                              .group = 4}),  // 75+
        timeline_event(15, event::PrefillRenewals{}),
        timeline_event(35, event::CloseMediation{.territory = static_cast<int>(TerritoryType::dense_urban), .share = 0.5}),
    };
    require_identical(run(sc, 1), run(sc, 2));
}

TEST_CASE("timeline: after a skills programme cohort the digital-skill counts equal a full recount", "[timeline]") {
    // A trainee changes digital-skill group: the engine must un-count it
    // (touch) before the change. A missed touch leaves it counted in its old
    // group for good, which a recount from the citizens shows.
    Scenario sc = small_scenario(20000, 45);
    // Cohorts on days 10 and 40.
    sc.timeline = {timeline_event(10, event::SkillsProgramme{.share_per_month = 0.5, .skill_gain = 0.6, .days = 40})};
    ParallelExecutor ex(2);
    Engine engine(sc, ex);
    constexpr int recount_day = 41;  // no event that day: its counts are the state the previous day left
    while (engine.current_day() < sc.warmup_days + recount_day) engine.step();
    const Population& p = engine.population();
    std::vector<std::array<std::int64_t, 4>> eligible(sc.services.size());
    for (std::size_t c = 0; c < p.size(); ++c) {
        const auto g = digital_skill_level(p.digital_skill[c], p.equipment[c], sc.population.illectronisme_threshold);
        for (std::size_t s = 0; s < sc.services.size(); ++s)
            if (engine.claim(c, static_cast<int>(s)).state != ClaimState::not_eligible) ++eligible[s][g];
    }
    engine.run();
    const Results r = engine.results();
    for (std::size_t s = 0; s < sc.services.size(); ++s)
        for (std::size_t g = 0; g < 4; ++g) {
            INFO("service " << s << ", digital-skill group " << g);
            CHECK(segment_count(r, "digital_skill", recount_day, s, g, 0) == eligible[s][g]);
        }
}
