// Agencies: information of the units an agency knows, data on file ("tell
// us once"), the pension fund's settlement and the tax data shared
// (docs/model.md, section 6.15).
#include "core/engine.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <functional>
#include <memory>
#include <vector>

using namespace demat;
using namespace demat::test;

namespace {

// Two benefits of the health insurance fund (no allowance or pension makes
// a unit known to it: only receiving one of the two does), and citizens
// who do not interact: no peers, no help, online only (no queue), so that a
// unit the agency never knows lives the same life whatever the agency does.
Scenario agency_scenario(double information, double tell_us_once, std::int64_t citizens = 8000, int days = 240) {
    Scenario sc = small_scenario(citizens, days);
    sc.services.pop_back();  // the tax return
    sc.services[1].eligibility.tenant_required = false;
    for (auto& s : sc.services) {
        s.agency = Agency::health_insurance;
        s.eligibility.income_decile_max = 5;
        s.outreach = 0.004;
    }
    sc.behaviour.peer_information = 0.0;
    sc.behaviour.ask_help = 0.0;
    set_channel(sc, Channel::phone, false);
    set_channel(sc, Channel::counter, false);
    set_channel(sc, Channel::mediation, false);
    auto& agency = sc.agencies.agency[static_cast<std::size_t>(Agency::health_insurance) - 1];
    agency.information_rate = information;
    agency.tell_us_once = tell_us_once;
    return sc;
}

struct Lockstep {
    std::int64_t never_known_days = 0;  // citizen-days compared while not yet known to the agency
    std::int64_t differing_unknown = 0; // of which with a claim in another state
    std::int64_t known_days = 0;        // citizen-days once known
};

// Runs `with` and `without` day by day; a citizen is known from the first
// day it receives a service of the agency in `with`. Until then its claims
// must be in the same state in both runs.
Lockstep lockstep(const Scenario& with, const Scenario& without) {
    ParallelExecutor ex(2);
    Engine a(with, ex), b(without, ex);
    const std::size_t n = a.population().size();
    const int services = static_cast<int>(with.services.size());
    std::vector<std::uint8_t> known(n, 0);
    Lockstep out;
    auto compare = [&] {
        for (std::size_t c = 0; c < n; ++c) {
            // Known from the day it receives: the agency may tell it the same day.
            for (int s = 0; s < services; ++s)
                if (a.claim(c, s).state == ClaimState::receiving) known[c] = 1;
            if (known[c]) {
                ++out.known_days;
                continue;
            }
            ++out.never_known_days;
            bool same = true;
            for (int s = 0; s < services; ++s) same = same && a.claim(c, s).state == b.claim(c, s).state;
            out.differing_unknown += !same;
        }
    };
    compare();
    while (a.step()) {
        REQUIRE(b.step());
        compare();
    }
    return out;
}

// Eligible claims of service s in a state past unaware, on the last recorded day.
std::int64_t aware_last_day(const Results& r, std::size_t s) {
    const std::size_t last = r.array("counts").shape[0] - 1;
    // counts: eligible, receiving, non_knowledge, ...: aware = eligible - non_knowledge.
    return count(r, last, s, 0) - count(r, last, s, 2);
}

}  // namespace

TEST_CASE("agencies: information reaches only the units the agency knows, and informs them (on and off)") {
    const Scenario on = agency_scenario(0.05, 0.0), off = agency_scenario(0.0, 0.0);
    const Lockstep l = lockstep(on, off);
    // Units never known to the agency live the same life with and without
    // its information.
    REQUIRE(l.never_known_days > 100000);
    REQUIRE(l.known_days > 10000);
    REQUIRE(l.differing_unknown == 0);
    // The known are told: more claims are known of with the information on.
    const Results with = run(on, 2), without = run(off, 2);
    for (std::size_t s = 0; s < 2; ++s) {
        INFO("service " << s);
        REQUIRE(aware_last_day(with, s) > aware_last_day(without, s) + 50);
    }
}

TEST_CASE("agencies: data on file lower the complexity of a linked claim, for the known only") {
    const Scenario on = agency_scenario(0.0, 0.8), off = agency_scenario(0.0, 0.0);
    const Lockstep l = lockstep(on, off);
    REQUIRE(l.known_days > 10000);
    REQUIRE(l.differing_unknown == 0);
    // A simpler claim is decided and passed more often: more receive.
    const Results with = run(on, 2), without = run(off, 2);
    std::int64_t receiving_with = 0, receiving_without = 0;
    const std::size_t last = with.array("counts").shape[0] - 1;
    for (std::size_t s = 0; s < 2; ++s) {
        receiving_with += count(with, last, s, 1);
        receiving_without += count(without, last, s, 1);
    }
    REQUIRE(receiving_with > receiving_without + 20);
}

TEST_CASE("agencies: the pension fund informs a pensioner when a spell starts, and nobody else") {
    // An old-age minimum open to every employment state, learnt of only
    // through the pension fund (no outreach, no base awareness, no peers).
    Scenario sc = small_scenario(20000, 300);
    sc.services.resize(1);
    ServiceParams& s = sc.services[0];
    s.name = "old_age_minimum";
    s.agency = Agency::pension_fund;
    s.eligibility.age_min = 65;
    s.eligibility.income_decile_max = 10;
    s.outreach = 0.0;
    sc.behaviour.base_awareness = 0.0;
    sc.behaviour.peer_information = 0.0;
    for (const double rate : {1.0, 0.0}) {
        INFO("information_rate " << rate);
        sc.agencies.agency[static_cast<std::size_t>(Agency::pension_fund) - 1].information_rate = rate;
        ParallelExecutor ex(2);
        Engine engine(sc, ex);
        const Population& p = engine.population();
        std::vector<ClaimState> before(p.size());
        int retired_spells = 0, retired_told = 0, other_spells = 0, other_told = 0;
        while (true) {
            for (std::size_t c = 0; c < p.size(); ++c) before[c] = engine.claim(c, 0).state;
            if (!engine.step()) break;
            for (std::size_t c = 0; c < p.size(); ++c) {
                if (before[c] != ClaimState::not_eligible || engine.claim(c, 0).state == ClaimState::not_eligible) continue;
                const bool told = engine.claim(c, 0).state != ClaimState::unaware;
                if (p.employment[c] == Employment::retired) {
                    ++retired_spells;
                    retired_told += told;
                } else {
                    ++other_spells;
                    other_told += told;
                }
            }
        }
        REQUIRE(retired_spells > 20);
        REQUIRE(other_spells > 20);
        REQUIRE(other_told == 0);
        REQUIRE(retired_told == (rate > 0 ? retired_spells : 0));
    }
}

TEST_CASE("agencies: the tax return's data, once shared, are on file at the other agencies") {
    Scenario sc = small_scenario(10000, 240);
    sc.services[0].agency = Agency::health_insurance;
    sc.services[1].agency = Agency::family_benefits;
    sc.services[2].agency = Agency::tax_administration;
    sc.agencies.agency[static_cast<std::size_t>(Agency::health_insurance) - 1].tell_us_once = 0.8;
    sc.agencies.agency[static_cast<std::size_t>(Agency::family_benefits) - 1].tell_us_once = 0.8;
    Scenario shared = sc;
    shared.timeline.push_back(timeline_event(0, event::ShareTaxData{.shared = true}));
    const Results apart = run(sc, 2), together = run(shared, 2);
    // Filers' first claims are simpler once the data are shared: more receive.
    const std::size_t last = apart.array("counts").shape[0] - 1;
    REQUIRE(count(together, last, 0, 1) > count(apart, last, 0, 1) + 20);
    // Sharing changes nothing where the agencies make no use of data on file.
    Scenario unused = sc, unused_shared = shared;
    for (Scenario* x : {&unused, &unused_shared})
        for (auto& a : x->agencies.agency) a.tell_us_once = 0.0;
    require_identical(run(unused, 2), run(unused_shared, 2));
}

namespace {

// Every agency and mechanism: information, tell us once, the family
// allowances (households), the pension fund's settlement (its own
// stream), the tax data shared during the run.
Scenario all_agencies(std::int64_t citizens = 15000, int days = 120) {
    Scenario sc = small_scenario(citizens, days);
    sc.services[0].agency = Agency::family_benefits;
    sc.services[1].agency = Agency::family_benefits;
    sc.services[2].agency = Agency::tax_administration;
    ServiceParams old_age = benefit("old_age_minimum");
    old_age.agency = Agency::pension_fund;
    old_age.eligibility.age_min = 65;
    old_age.eligibility.employment_mask = 1u << static_cast<int>(Employment::retired);
    sc.services.push_back(old_age);
    sc.behaviour.prior_eligibility_days = 3650;
    for (auto& a : sc.agencies.agency) {
        a.information_rate = 0.01;
        a.tell_us_once = 0.3;
    }
    sc.agencies.agency[static_cast<std::size_t>(Agency::pension_fund) - 1].information_rate = 0.5;
    sc.timeline.push_back(timeline_event(30, event::ShareTaxData{.shared = true}));
    return sc;
}

}  // namespace

TEST_CASE("agencies: 1 and 2 threads give bit-identical results, and agencies change them") {
    const Scenario sc = all_agencies();
    const Results one = run(sc, 1);
    require_identical(one, run(sc, 2));
    Scenario none = sc;
    for (auto& s : none.services) s.agency = Agency::none;
    REQUIRE(one.array("counts").integers() != run(none, 2).array("counts").integers());
}

TEST_CASE("agencies: the agency_contact segment partitions every count, only when a service names an agency") {
    Scenario sc = all_agencies(15000, 120);
    sc.services[2].agency = Agency::none;  // a service without an agency (the tax return): all in "none"
    const Results r = run(sc, 2);
    const Array& counts = r.array("counts");
    const Array& a = r.array("segments/agency_contact/counts");
    REQUIRE(a.shape[2] == 3);
    const std::size_t S = a.shape[1];
    std::array<std::int64_t, 3> by_group{};
    for (std::size_t d = 0; d < a.shape[0]; ++d)
        for (std::size_t s = 0; s < S; ++s)
            for (int k = 0; k < 7; ++k) {
                std::int64_t sum = 0;
                for (std::size_t g = 0; g < 3; ++g) {
                    const std::int64_t v = a.integers()[((d * S + s) * 3 + g) * 7 + static_cast<std::size_t>(k)];
                    sum += v;
                    if (k == 0) by_group[g] += v;
                    if (s == 2 && g > 0) REQUIRE(v == 0);
                }
                REQUIRE(sum == counts.integers()[(d * S + s) * 7 + static_cast<std::size_t>(k)]);
            }
    // Claims with one and with two or more other benefits of their agency exist.
    REQUIRE(by_group[1] > 1000);
    REQUIRE(by_group[2] > 100);
    // The events counted by segment partition their totals too.
    auto sum = [&](const std::string& path) {
        std::int64_t n = 0;
        for (const std::int64_t v : r.array(path).integers()) n += v;
        return n;
    };
    REQUIRE(sum("help/requests") > 0);
    REQUIRE(sum("reasons/segments/agency_contact/failures") == sum("reasons/failures"));
    REQUIRE(sum("help/segments/agency_contact/requests") == sum("help/requests"));
    REQUIRE(sum("self_efficacy/segments/agency_contact/declines") == sum("self_efficacy/declines"));
    // Without an agency the dimension is not in the output.
    for (auto& s : sc.services) s.agency = Agency::none;
    const Results none = run(sc, 2);
    REQUIRE_FALSE(none.has_array("segments/agency_contact/counts"));
    REQUIRE(none.has_array("segments/equipment/counts"));
}
