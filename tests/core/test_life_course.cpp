// Life course after 75 (docs/model.md, section 2.1): the death of a partner
// turns a couple into a single-person unit at the single rate and the
// pension fund informs the survivor; digital skill and mobility fall after
// 75 only, and only downward.
#include "core/amounts.hpp"
#include "core/engine.hpp"
#include "core/france_calibration.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace demat;
using namespace demat::test;

namespace {

// An old-age minimum of the pension fund, per person at the couple's or the
// single rate (docs/model.md 5.2), learnt of only through the fund (no
// outreach, no base awareness, no peers); no mediation (doing_with would
// raise skills).
Scenario old_age_scenario(std::int64_t citizens, int days) {
    Scenario sc = small_scenario(citizens, days);
    sc.warmup_days = 0;
    sc.services.resize(1);
    ServiceParams& s = sc.services[0];
    s.name = "old_age_minimum";
    s.agency = Agency::pension_fund;
    s.amount_rule = AmountRule::old_age_minimum;
    s.eligibility.age_min = 65;
    s.eligibility.income_decile_max = 10;
    s.outreach = 0.0;
    sc.behaviour.base_awareness = 0.0;
    sc.behaviour.peer_information = 0.0;
    set_channel(sc, Channel::mediation, false);
    sc.agencies.agency[static_cast<std::size_t>(Agency::pension_fund) - 1].information_rate = 1.0;
    sc.life_course.enabled = true;
    return sc;
}

bool two_adults(Household t) { return t == Household::couple || t == Household::couple_children; }

// Yearly mortality at `age`: the table's ages, geometric in between
// (docs/model.md 2.1), written apart from the engine's.
double mortality(int age) {
    const auto& q = calibration::partner_mortality;
    const double x = std::clamp((age - calibration::partner_mortality_first_age) /
                                    static_cast<double>(calibration::partner_mortality_step), 0.0, 8.0);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(x), 7);
    return std::exp(std::log(q[i]) + (x - static_cast<double>(i)) * (std::log(q[i + 1]) - std::log(q[i])));
}

}  // namespace

TEST_CASE("life course: widowhood makes the survivor a single-person unit at the single rate") {
    Scenario sc = old_age_scenario(30000, 365);
    sc.life_course.skill_decline = 0.0;
    sc.life_course.mobility_loss = 0.0;
    ParallelExecutor ex(2);
    Engine engine(sc, ex);
    const Population& p = engine.population();
    const Households& h = engine.households();
    REQUIRE(!h.empty());  // the old-age minimum's rule needs the units
    const std::size_t n = p.size();
    const std::vector<Household> start_type(p.household.begin(), p.household.end());
    const std::vector<std::uint8_t> start_age(p.age.begin(), p.age.end());
    std::vector<double> start_amount(n);
    for (std::size_t c = 0; c < n; ++c) start_amount[c] = engine.amount_at_stake(c, 0);
    engine.run();
    // Every couple has at most one deceased, whose claim ended; the survivor
    // lives alone, at the single rate.
    int couples_75 = 0, dissolved = 0, widowed = 0;
    double expected = 0.0;
    // First adults of two-adult households as generated: the generator's
    // layout, each zone walked from its start (core/households.hpp).
    std::vector<std::uint8_t> first(n, 0);
    for (const Zone& z : p.zones) {
        std::size_t c = z.first_citizen;
        const std::size_t end = c + z.residents;
        while (c < end) {
            const bool two = two_adults(start_type[c]) && c + 1 < end;
            if (two) first[c] = 1;
            c += two ? 2 : 1;
        }
    }
    for (std::size_t c = 0; c < n; ++c) {
        if (!first[c]) continue;
        const int oldest = std::max(start_age[c], start_age[c + 1]);
        const bool old = oldest >= 75;
        const bool a = engine.gone()[c] != 0, b = engine.gone()[c + 1] != 0;
        REQUIRE(!(a && b));
        if (oldest == 74) continue;  // 75 during the year: exposed for a part of it
        if (!old) {
            REQUIRE(!a);  // under 75 nobody dies: no couple loses a partner
            REQUIRE(!b);
            continue;
        }
        ++couples_75;
        expected += mortality(start_age[c]) + mortality(start_age[c + 1]);
        if (!a && !b) {
            REQUIRE(h.role[c] == HouseholdRole::reference);
            continue;
        }
        ++dissolved;
        const std::size_t dead = a ? c : c + 1, survivor = a ? c + 1 : c;
        REQUIRE(engine.claim(dead, 0).state == ClaimState::not_eligible);
        REQUIRE(h.role[survivor] == HouseholdRole::alone);
        REQUIRE(!two_adults(p.household[survivor]));
        REQUIRE(h.composition(survivor, BenefitUnit::individual, AmountRule::old_age_minimum).adults == 1);
        // Single ceiling 1,012.02 against 1,571.16 / 2 per person: the
        // survivor is owed more, at the same income decile (retired).
        if (start_amount[survivor] > 0.0 && p.employment[survivor] == Employment::retired)
            REQUIRE(engine.amount_at_stake(survivor, 0) / start_amount[survivor] ==
                    Approx(amounts::old_age_single / (amounts::old_age_couple / 2.0)));
        ++widowed;
    }
    INFO("couples with a 75+: " << couples_75 << ", dissolved in a year: " << dissolved << ", expected about "
                               << expected);
    REQUIRE(couples_75 > 1000);
    // The yearly rate is the table's at the couple's ages (within sampling;
    // the ages grow by half a year on average over the year): a monthly
    // rate applied daily, or no death, fails.
    REQUIRE(dissolved > 0.8 * expected);
    REQUIRE(dissolved < 1.3 * expected);
    REQUIRE(widowed == dissolved);
}

TEST_CASE("life course: the pension fund informs the survivor of the old-age minimum at the death of a partner") {
    // Nobody learns otherwise: no outreach, no peers, and no settlement (the
    // retired are not starting a spell). A survivor unaware the day before
    // the death knows the day after with information_rate 1, never with 0.
    for (const double rate : {1.0, 0.0}) {
        INFO("information_rate " << rate);
        Scenario sc = old_age_scenario(30000, 365);
        sc.agencies.agency[static_cast<std::size_t>(Agency::pension_fund) - 1].information_rate = rate;
        sc.life_course.skill_decline = 0.0;
        sc.life_course.mobility_loss = 0.0;
        ParallelExecutor ex(2);
        Engine engine(sc, ex);
        const Population& p = engine.population();
        const std::size_t n = p.size();
        const std::vector<Household> start_type(p.household.begin(), p.household.end());
        std::vector<ClaimState> before(n);
        std::vector<std::uint8_t> gone_before(n, 0);
        int survivors_unaware = 0, told = 0;
        while (true) {
            for (std::size_t c = 0; c < n; ++c) {
                before[c] = engine.claim(c, 0).state;
                gone_before[c] = engine.gone()[c];
            }
            if (!engine.step()) break;
            for (std::size_t c = 0; c < n; ++c) {
                if (gone_before[c] || !engine.gone()[c]) continue;
                // c died today: its partner is the adjacent citizen of the same start household.
                for (const std::size_t s : {c - 1, c + 1}) {
                    if (s >= n || !two_adults(start_type[s]) || two_adults(p.household[s]) || engine.gone()[s]) continue;
                    if (engine.households().role[s] != HouseholdRole::alone) continue;
                    if (before[s] != ClaimState::unaware || engine.claim(s, 0).state == ClaimState::not_eligible) continue;
                    ++survivors_unaware;
                    told += engine.claim(s, 0).state != ClaimState::unaware;
                }
            }
        }
        REQUIRE(survivors_unaware > 20);
        REQUIRE(told == (rate > 0 ? survivors_unaware : 0));
    }
}

TEST_CASE("life course: digital skill and mobility fall after 75 only and only downward") {
    Scenario sc = old_age_scenario(20000, 365);
    sc.life_course.widowhood = false;
    Scenario off = sc;
    off.life_course.enabled = false;
    ParallelExecutor ex(2);
    Engine on_engine(sc, ex), off_engine(off, ex);
    const Population& p0 = off_engine.population();
    const std::vector<float> skill0(p0.digital_skill.begin(), p0.digital_skill.end());
    const std::vector<Mobility> mobility0(p0.mobility.begin(), p0.mobility.end());
    on_engine.run();
    off_engine.run();
    const Population& on = on_engine.population();
    const Population& offp = off_engine.population();
    int old = 0, fell_skill = 0, fell_mobility = 0;
    for (std::size_t c = 0; c < on.size(); ++c) {
        // Nothing else moves digital skill or mobility here (no mediation, no skills programme).
        REQUIRE(offp.digital_skill[c] == skill0[c]);
        REQUIRE(offp.mobility[c] == mobility0[c]);
        if (on.age[c] < 75) {
            REQUIRE(on.digital_skill[c] == skill0[c]);
            REQUIRE(on.mobility[c] == mobility0[c]);
            continue;
        }
        if (on.age[c] < 76) continue;  // turned 75 during the year: a part of the year
        ++old;
        REQUIRE(on.digital_skill[c] <= skill0[c]);
        REQUIRE(static_cast<int>(on.mobility[c]) >= static_cast<int>(mobility0[c]));
        if (skill0[c] > 0.0f) {
            // 3% a year, applied every 30 days: 12 steps in 365 days.
            const double ratio = on.digital_skill[c] / skill0[c];
            REQUIRE(ratio == Approx(std::pow(1.0 - sc.life_course.skill_decline, 12 * 30.0 / 365.0)).epsilon(1e-4));
            ++fell_skill;
        }
        fell_mobility += on.mobility[c] != mobility0[c];
    }
    REQUIRE(old > 1500);
    REQUIRE(fell_skill > 1500);
    // 4% a year among those who still have a step to lose.
    INFO("mobility fell for " << fell_mobility << " of " << old);
    REQUIRE(fell_mobility > 0.02 * old);
    REQUIRE(fell_mobility < 0.06 * old);
}

TEST_CASE("life course: 1 and 2 threads give bit-identical results and it changes them") {
    Scenario sc = old_age_scenario(12000, 200);
    sc.warmup_days = 60;
    const Results one = run(sc, 1, true);
    const Results two = run(sc, 2, true);
    require_identical(one, two);
    Scenario off = sc;
    off.life_course.enabled = false;
    const Results without = run(off, 2);
    bool differ = false;
    const auto& a = one.array("counts").integers();
    const auto& b = without.array("counts").integers();
    differ = a != b;
    REQUIRE(differ);
}
