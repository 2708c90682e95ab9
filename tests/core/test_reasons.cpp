// Failure and abandonment reasons, identity steps and help records
// (docs/model.md 6.10-6.12, docs/output.md "Reasons", "Identity", "Help"):
// each reason occurs exactly when its cause is present, and the sums over
// reasons, identity steps and help outcomes equal the existing counts.
#include "core/behaviour.hpp"
#include "core/engine.hpp"
#include "core/segments.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <numeric>

using namespace demat;
using namespace demat::test;

namespace {

// Sum over days and services of /reasons/<kind>, by reason.
std::array<std::int64_t, reason_count> by_reason(const Results& r, const std::string& kind) {
    std::array<std::int64_t, reason_count> out{};
    const auto& v = r.array("reasons/" + kind).integers();
    for (std::size_t i = 0; i < v.size(); ++i) out[i % reason_count] += v[i];
    return out;
}

std::int64_t reason(const Results& r, const std::string& kind, Reason why) {
    return by_reason(r, kind)[static_cast<std::size_t>(why)];
}

std::int64_t sum(const Results& r, const std::string& path) {
    const auto& v = r.array(path).integers();
    return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

// [day, service, channel] summed for one channel.
std::int64_t channel_total(const Results& r, const std::string& path, Channel ch) {
    const auto& v = r.array(path).integers();
    std::int64_t n = 0;
    for (std::size_t i = static_cast<std::size_t>(ch); i < v.size(); i += channel_count) n += v[i];
    return n;
}

// help/requests summed over days and services (engine_fixtures.hpp).
std::int64_t help(const Results& r, HelpSource source, HelpOutcome outcome) { return help_requests(r, source, outcome); }

Scenario base() {
    Scenario sc = small_scenario(20000, 150);
    sc.behaviour.max_failures = 2;  // abandonments are frequent enough to count
    return sc;
}

}  // namespace

TEST_CASE("reasons: with no connection failure the attempt's success is 6.4's to the bit, and causes follow their terms") {
    BehaviourParams b;
    for (const auto id : {IdentityRequirement::none, IdentityRequirement::account, IdentityRequirement::strong})
        for (const auto eq : {Equipment::computer, Equipment::smartphone_only})
            for (double skill : {0.1, 0.5, 0.9}) {
                const OnlineOdds o = online_odds(b, skill, 0.4, 0.7, eq, 0.6, id, 0.3);
                REQUIRE(o.success == online_success_probability(b, skill, 0.4, 0.7, eq, 0.6, id));
                REQUIRE(o.connected == 1.0);
                for (double u = o.success; u < 1.0; u += 0.001) {
                    const Reason why = failure_reason(o, u);
                    REQUIRE(why != Reason::connection);
                    if (id == IdentityRequirement::none) REQUIRE(why != Reason::identity);
                    if (eq == Equipment::computer) REQUIRE(why != Reason::equipment);
                    REQUIRE(why != Reason::wait);
                    REQUIRE(why != Reason::distance);
                }
            }
    // Identity failures are the barrier's share: sigma(x - B) / sigma(x) of those past the connection.
    const OnlineOdds o = online_odds(b, 0.3, 0.4, 0.7, Equipment::computer, 0.6, IdentityRequirement::strong, 1.0);
    const double form = online_success_probability(b, 0.3, 0.4, 0.7, Equipment::computer, 0.6, IdentityRequirement::none);
    REQUIRE(o.past_identity == Approx(o.success / form).epsilon(1e-12));
    // A form failure's cause in proportion to the deficits: full skill leaves no skill failure.
    const OnlineOdds skilled = online_odds(b, 1.0, 0.4, 0.7, Equipment::computer, 0.6, IdentityRequirement::none, 1.0);
    for (double u = skilled.success; u < 1.0; u += 0.001) REQUIRE(failure_reason(skilled, u) == Reason::complexity);
    // Low skill: part of the failed forms is put down to skill, part to complexity.
    const OnlineOdds unskilled = online_odds(b, 0.1, 0.4, 0.7, Equipment::computer, 0.6, IdentityRequirement::none, 1.0);
    int skill_failures = 0, complexity_failures = 0;
    for (double u = unskilled.success; u < 1.0; u += 0.001) {
        skill_failures += failure_reason(unskilled, u) == Reason::skill;
        complexity_failures += failure_reason(unskilled, u) == Reason::complexity;
    }
    REQUIRE(skill_failures > 0);
    REQUIRE(complexity_failures > 0);

    // The connection fails only where the zone's coverage is short of full, in proportion.
    b.connection_failure = 0.4;
    const OnlineOdds covered = online_odds(b, 0.5, 0.5, 0.5, Equipment::computer, 0.5, IdentityRequirement::none, 1.0);
    REQUIRE(covered.connected == 1.0);
    for (double u = covered.success; u < 1.0; u += 0.001) REQUIRE(failure_reason(covered, u) != Reason::connection);
    const OnlineOdds bare = online_odds(b, 0.5, 0.5, 0.5, Equipment::computer, 0.5, IdentityRequirement::none, 0.0);
    REQUIRE(bare.connected == Approx(0.6));
    REQUIRE(failure_reason(bare, 0.7) == Reason::connection);
    REQUIRE(failure_reason(bare, 0.59) != Reason::connection);

    // The trip: no hazard, no give-up; farther, likelier; worse mobility, likelier.
    REQUIRE(trip_give_up_probability(b, 20.0, 3.0) == 0.0);
    b.distance_give_up = 0.02;
    REQUIRE(trip_give_up_probability(b, 0.0, 1.0) == 0.0);
    REQUIRE(trip_give_up_probability(b, 20.0, 1.0) > trip_give_up_probability(b, 5.0, 1.0));
    REQUIRE(trip_give_up_probability(b, 10.0, 3.0) > trip_give_up_probability(b, 10.0, 1.0));
}

TEST_CASE("reasons: sums over reasons, identity steps and help outcomes equal the existing counts, at 1 and 2 threads") {
    Scenario sc = base();
    sc.behaviour.connection_failure = 0.3;
    sc.behaviour.distance_give_up = 0.01;
    set_channel(sc, Channel::mediation, true);
    const Results r = run(sc, 1);
    const Array& failures = r.array("reasons/failures");
    const Array& abandonments = r.array("reasons/abandonments");
    const auto& attempts = r.array("metrics/attempts").integers();
    const auto& successes = r.array("metrics/successes").integers();
    const auto& unequipped = r.array("metrics/online_unequipped").integers();
    const auto& abandoned = r.array("metrics/abandonments").integers();
    const std::size_t D = failures.shape[0], S = failures.shape[1];
    for (std::size_t d = 0; d < D; ++d)
        for (std::size_t s = 0; s < S; ++s) {
            std::int64_t f = 0, a = 0;
            for (std::size_t k = 0; k < reason_count; ++k) {
                f += failures.integers()[(d * S + s) * reason_count + k];
                a += abandonments.integers()[(d * S + s) * reason_count + k];
            }
            const std::size_t online = (d * S + s) * channel_count + static_cast<std::size_t>(Channel::online);
            REQUIRE(f == attempts[online] - successes[online] + unequipped[d * S + s]);
            REQUIRE(a == abandoned[d * S + s]);
        }
    REQUIRE(sum(r, "reasons/failures") > 1000);
    REQUIRE(sum(r, "reasons/abandonments") > 100);
    // By segment: every dimension's groups add up to the totals.
    for (int di = 0; di < dimension_count; ++di) {
        const auto& dim = dimensions()[static_cast<std::size_t>(di)];
        INFO(dim.name);
        // agency_contact is written only when a service names an agency (test_agencies.cpp).
        if (!dimension_in_output(di, false)) {
            REQUIRE_FALSE(r.has_array("reasons/segments/" + dim.name + "/failures"));
            continue;
        }
        REQUIRE(sum(r, "reasons/segments/" + dim.name + "/failures") == sum(r, "reasons/failures"));
        REQUIRE(sum(r, "reasons/segments/" + dim.name + "/abandonments") == sum(r, "reasons/abandonments"));
        REQUIRE(sum(r, "help/segments/" + dim.name + "/requests") == sum(r, "help/requests"));
        REQUIRE(sum(r, "identity/segments/" + dim.name + "/steps") ==
                sum(r, "metrics/identity_attempts") + sum(r, "metrics/identity_successes") +
                    sum(r, "metrics/identity_first_attempts") + sum(r, "metrics/identity_first_successes"));
    }
    // Identity: passed <= attempted, first attempts within all.
    REQUIRE(sum(r, "metrics/identity_attempts") > 0);
    REQUIRE(sum(r, "metrics/identity_successes") < sum(r, "metrics/identity_attempts"));
    REQUIRE(sum(r, "metrics/identity_first_attempts") < sum(r, "metrics/identity_attempts"));
    REQUIRE(sum(r, "metrics/identity_first_successes") <= sum(r, "metrics/identity_first_attempts"));
    REQUIRE(sum(r, "metrics/identity_attempts") - sum(r, "metrics/identity_successes") == reason(r, "failures", Reason::identity));
    // Help: a relative's help obtained or refused is the informal help given or refused;
    // an agent's is a citizen served, or gone after waiting too long.
    REQUIRE(help(r, HelpSource::relative_or_friend, HelpOutcome::obtained) == sum(r, "metrics/help_informal"));
    REQUIRE(help(r, HelpSource::relative_or_friend, HelpOutcome::refused) == sum(r, "metrics/help_informal_unavailable"));
    REQUIRE(help(r, HelpSource::counter_agent, HelpOutcome::obtained) == channel_total(r, "metrics/queue_served", Channel::counter));
    REQUIRE(help(r, HelpSource::phone_agent, HelpOutcome::obtained) == channel_total(r, "metrics/queue_served", Channel::phone));
    REQUIRE(help(r, HelpSource::mediator, HelpOutcome::obtained) == channel_total(r, "metrics/queue_served", Channel::mediation));
    REQUIRE(help(r, HelpSource::counter_agent, HelpOutcome::none_available) == channel_total(r, "metrics/queue_gave_up", Channel::counter));
    REQUIRE(help(r, HelpSource::phone_agent, HelpOutcome::none_available) == channel_total(r, "metrics/queue_gave_up", Channel::phone));
    // Households do not exist yet (docs/model.md 6.12): no help from one.
    for (const auto o : {HelpOutcome::obtained, HelpOutcome::refused, HelpOutcome::none_available})
        REQUIRE(help(r, HelpSource::household, o) == 0);
    require_identical(r, run(sc, 2));
}

TEST_CASE("reasons: connection failures exactly when the connection can fail") {
    Scenario sc = base();
    REQUIRE(reason(run(sc), "failures", Reason::connection) == 0);
    sc.behaviour.connection_failure = 0.5;
    const Results r = run(sc);
    // Zones draw their broadband coverage below 1 (core/population.cpp): some attempts are lost to the line.
    REQUIRE(reason(r, "failures", Reason::connection) > 50);
}

TEST_CASE("reasons: identity level none everywhere, no identity step and no identity failure") {
    Scenario sc = base();
    for (auto& s : sc.services) s.identity = IdentityRequirement::none;
    const Results r = run(sc);
    REQUIRE(sum(r, "reasons/failures") > 500);
    REQUIRE(reason(r, "failures", Reason::identity) == 0);
    REQUIRE(reason(r, "abandonments", Reason::identity) == 0);
    REQUIRE(sum(r, "metrics/identity_attempts") == 0);
    for (auto& s : sc.services) s.identity = IdentityRequirement::strong;
    const Results strong = run(sc);
    REQUIRE(reason(strong, "failures", Reason::identity) > 100);
}

TEST_CASE("reasons: the unequipped sent online fail for equipment, or borrow a device") {
    Scenario sc = base();
    for (const auto ch : {Channel::phone, Channel::counter, Channel::mediation}) set_channel(sc, ch, false);
    const Results r = run(sc);
    // Online only: the unequipped with no capable relative fail for lack of a device.
    REQUIRE(sum(r, "metrics/online_unequipped") > 20);
    REQUIRE(reason(r, "failures", Reason::equipment) >= sum(r, "metrics/online_unequipped"));
    // No queue, no trip: no wait, no distance.
    REQUIRE(reason(r, "abandonments", Reason::wait) == 0);
    REQUIRE(reason(r, "abandonments", Reason::distance) == 0);
    // Every one of them borrows a smartphone: none left without a device.
    sc.behaviour.borrow_device = 1.0;
    const Results borrowed = run(sc);
    REQUIRE(sum(borrowed, "metrics/online_unequipped") == 0);
    REQUIRE(channel_total(borrowed, "metrics/attempts", Channel::online) > channel_total(r, "metrics/attempts", Channel::online));
}

TEST_CASE("reasons: waits and distance are causes only of queues and trips") {
    Scenario sc = base();
    set_channel(sc, Channel::online, false);
    set_channel(sc, Channel::phone, false);
    set_channel(sc, Channel::counter, true, 0.5);  // too few places: queues overflow
    sc.behaviour.patience_days = 5;
    Results r = run(sc);
    REQUIRE(sum(r, "reasons/failures") == 0);  // no online attempt
    REQUIRE(reason(r, "abandonments", Reason::wait) > 20);
    REQUIRE(reason(r, "abandonments", Reason::distance) == 0);
    sc.behaviour.distance_give_up = 0.05;
    r = run(sc);
    REQUIRE(reason(r, "abandonments", Reason::distance) > 20);
}

TEST_CASE("identity: a strong identity needs a chip card and a compatible phone, or a check in person") {
    Scenario sc = base();
    for (auto& s : sc.services) s.identity = IdentityRequirement::strong;
    set_channel(sc, Channel::counter, false);
    set_channel(sc, Channel::mediation, false);
    // Nobody holds a chip card and no counter or site is open: no strong identity step is ever passed.
    sc.behaviour.chip_id_share = 0.0;
    const Results none = run(sc);
    REQUIRE(sum(none, "metrics/identity_attempts") > 500);
    REQUIRE(sum(none, "metrics/identity_successes") == 0);
    REQUIRE(sum(none, "metrics/identity_in_person") == 0);
    // Everyone holds one and every phone reads it: the step passes as often as 6.4's barrier allows.
    sc.behaviour.chip_id_share = 1.0;
    sc.behaviour.nfc_phone_share = 1.0;
    const Results all = run(sc);
    const double rate = static_cast<double>(sum(all, "metrics/identity_successes")) /
                        static_cast<double>(sum(all, "metrics/identity_attempts"));
    REQUIRE(rate > 0.5);
    REQUIRE(sum(all, "metrics/identity_first_successes") > 0);
    // Without the means, counters open: failed steps send citizens to a check in person, after which they pass.
    sc.behaviour.chip_id_share = 0.0;
    sc.behaviour.identity_in_person = 1.0;
    set_channel(sc, Channel::counter, true);
    const Results checked = run(sc);
    REQUIRE(sum(checked, "metrics/identity_in_person") > 50);
    REQUIRE(sum(checked, "metrics/identity_successes") > 0);
    // Account level: no means needed, and nobody is sent to a check.
    for (auto& s : sc.services) s.identity = IdentityRequirement::account;
    REQUIRE(sum(run(sc), "metrics/identity_in_person") == 0);
}

TEST_CASE("help: a relative's time budget binds when procedures outlast it, and not otherwise") {
    Scenario sc = base();
    sc.behaviour.ask_help = 1.0;  // every failure asks for help: helpers are in demand
    sc.behaviour.max_failures = 4;
    // A procedure of complexity 0.5 takes 0.5 + 1.5 x 0.5 = 1.25 h (5 quarter-hours).
    for (auto& s : sc.services) s.complexity_first = s.complexity_renewal = 0.5;
    REQUIRE(help_quarter_hours(sc.behaviour, 0.5) == 5);
    sc.behaviour.helper_hours_per_month = 60.0;  // 48 helps a month: never reached here
    const Results ample = run(sc);
    REQUIRE(help(ample, HelpSource::relative_or_friend, HelpOutcome::obtained) > 200);
    REQUIRE(help(ample, HelpSource::relative_or_friend, HelpOutcome::refused) == 0);
    sc.behaviour.helper_hours_per_month = 1.25;  // one help per helper per 30 days
    const Results tight = run(sc);
    REQUIRE(help(tight, HelpSource::relative_or_friend, HelpOutcome::refused) > 50);
    sc.behaviour.helper_hours_per_month = 1.0;  // less than one procedure: every request refused
    const Results none = run(sc);
    REQUIRE(help(none, HelpSource::relative_or_friend, HelpOutcome::obtained) == 0);
    REQUIRE(help(none, HelpSource::relative_or_friend, HelpOutcome::refused) > 50);
}

TEST_CASE("help: the adults who sought help in the year, by source, and those of them who did nothing online") {
    Scenario sc = base();
    sc.days = 420;  // a full procedures window (365 recorded days)
    const Results r = run(sc);
    const auto& n = r.array("procedures/help_citizens").integers();
    REQUIRE(n.size() == help_source_count + 2);
    REQUIRE(n[static_cast<std::size_t>(HelpSource::household)] == 0);
    std::int64_t most = 0;
    for (int i = 0; i < help_source_count; ++i) most = std::max(most, n[static_cast<std::size_t>(i)]);
    const std::int64_t any = n[help_source_count], without_online = n[help_source_count + 1];
    REQUIRE(most > 0);
    REQUIRE(any >= most);  // at least the largest source
    REQUIRE(without_online > 0);
    REQUIRE(without_online <= any);
}

TEST_CASE("reasons: the odds without their stages have the same connection and success to the bit") {
    // The initial conditions ask only for the success (stages = false): it
    // must be the attempt's own, whatever the identity level, equipment,
    // coverage and means.
    BehaviourParams b;
    b.connection_failure = 0.3;
    for (const auto id : {IdentityRequirement::none, IdentityRequirement::account, IdentityRequirement::strong})
        for (const auto eq : {Equipment::computer, Equipment::smartphone_only})
            for (double skill : {0.1, 0.5, 0.9})
                for (double coverage : {0.0, 0.6, 1.0})
                    for (bool means : {false, true}) {
                        const OnlineOdds full = online_odds(b, skill, 0.4, 0.7, eq, 0.6, id, coverage, means);
                        const OnlineOdds bare = online_odds(b, skill, 0.4, 0.7, eq, 0.6, id, coverage, means, false);
                        REQUIRE(bare.success == full.success);
                        REQUIRE(bare.connected == full.connected);
                    }
}
