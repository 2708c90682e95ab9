// Benefit units and differential amounts (docs/model.md, sections 5.1-5.2;
// scales in core/amounts.hpp, sources in docs/amounts.md).
#include "core/amounts.hpp"
#include "core/engine.hpp"
#include "core/households.hpp"
#include "core/population.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace demat;
using namespace demat::test;

namespace {

UnitComposition unit(int adults, int under3 = 0, int from3 = 0, int from12 = 0) {
    UnitComposition u;
    u.adults = adults;
    u.children = {under3, from3, from12};
    return u;
}

constexpr auto mi = AmountRule::minimum_income;
constexpr auto iw = AmountRule::in_work_benefit;
constexpr auto hb = AmountRule::housing_benefit;
constexpr auto om = AmountRule::old_age_minimum;
constexpr int zone_ii = 1, zone_iii = 2;

// small_scenario with the unit services of the issue: minimum income and
// housing benefit per household with their scales, the tax return per tax
// household (flat: an obligation).
Scenario units_scenario(std::int64_t citizens = 20000, int days = 90) {
    Scenario sc = small_scenario(citizens, days);
    sc.services[0].unit = BenefitUnit::household;
    sc.services[0].amount_rule = AmountRule::minimum_income;
    sc.services[1].unit = BenefitUnit::household;
    sc.services[1].amount_rule = AmountRule::housing_benefit;
    sc.services[2].unit = BenefitUnit::household;
    return sc;
}

}  // namespace

TEST_CASE("minimum income: the scale by composition, paid down to 6 EUR and not past the ceiling") {
    // Single: 635.71 minus the one-person housing deduction 76.29.
    const UnitComposition single = unit(1);
    const double ceiling = 635.71 - 76.29;
    REQUIRE(amounts::minimum_income_ceiling(single) == Approx(ceiling).epsilon(1e-12));
    REQUIRE(amounts::amount(mi, single, zone_iii, 0.0) == Approx(ceiling));
    // Resources just under the ceiling: 7 EUR due is paid, 5 EUR is not (minimum 6).
    REQUIRE(amounts::amount(mi, single, zone_iii, ceiling - 7.0) == Approx(7.0));
    REQUIRE(amounts::amount(mi, single, zone_iii, ceiling - 5.0) == 0.0);
    // Resources just over the ceiling: nothing.
    REQUIRE(amounts::amount(mi, single, zone_iii, ceiling + 1.0) == 0.0);
    // The CAF scale: +50% the second person, +30% the next two, +40% from the third child.
    REQUIRE(635.71 * amounts::composition_factor(unit(2)) == Approx(953.57).margin(0.01));
    REQUIRE(635.71 * amounts::composition_factor(unit(1, 0, 2)) == Approx(1144.28).margin(0.01));
    REQUIRE(635.71 * amounts::composition_factor(unit(2, 0, 2)) == Approx(1334.99).margin(0.01));
    REQUIRE(635.71 * amounts::composition_factor(unit(2, 0, 3)) == Approx(1334.99 + 254.28).margin(0.01));
    REQUIRE(635.71 * amounts::composition_factor(unit(1, 0, 3)) == Approx(1144.28 + 254.28).margin(0.01));
}

TEST_CASE("a couple's ceiling is under two singles', and a lone parent with a child under 3 gets the supplement") {
    const double one = amounts::minimum_income_ceiling(unit(1));
    const double couple = amounts::minimum_income_ceiling(unit(2));
    REQUIRE(couple < 2 * one);
    REQUIRE(couple == Approx(635.71 * 1.5 - 152.57));
    // Two singles with no resources receive more between them than a couple.
    REQUIRE(2 * amounts::amount(mi, unit(1), zone_iii, 0.0) > amounts::amount(mi, unit(2), zone_iii, 0.0));
    // Lone parent: 128.412% + 42.804% per child (1,088.45 with one child)
    // with a child under 3, the ordinary rate with an older child.
    const UnitComposition baby = unit(1, 1), pupil = unit(1, 0, 1);
    REQUIRE(baby.lone_parent_supplement());
    REQUIRE_FALSE(pupil.lone_parent_supplement());
    REQUIRE_FALSE(unit(2, 1).lone_parent_supplement());
    REQUIRE(amounts::minimum_income_ceiling(baby) == Approx(1088.45 - 152.57).margin(0.02));  // CAF rounds each part
    REQUIRE(amounts::minimum_income_ceiling(pupil) == Approx(953.57 - 152.57).margin(0.01));
    REQUIRE(amounts::minimum_income_ceiling(baby) - amounts::minimum_income_ceiling(pupil) ==
            Approx(1088.45 - 953.57).margin(0.02));
    // The in-work benefit has the same supplement.
    REQUIRE(amounts::in_work_forfait(baby) > amounts::in_work_forfait(pupil));
}

TEST_CASE("in-work benefit: 61% of earnings and the bonus, paid from 15 EUR, nothing past the range") {
    const UnitComposition single = unit(1);
    // No earnings: nothing (the forfait is taken back whole).
    REQUIRE(amounts::amount(iw, single, zone_iii, 0.0) == 0.0);
    // 1,000 EUR: 622.63 + 610 + bonus - (1,000 + 74.72).
    const double bonus = 184.27 * (1000.0 - 699.35) / (1118.95 - 699.35);
    REQUIRE(amounts::amount(iw, single, zone_iii, 1000.0) == Approx(622.63 + 610.0 + bonus - 1074.72));
    for (const UnitComposition& u : {unit(1), unit(2), unit(1, 1), unit(2, 0, 2), unit(1, 0, 0, 3)}) {
        const auto range = amounts::paid_range(iw, u, zone_iii);
        // The range's ends pay the minimum; just outside, nothing.
        REQUIRE(amounts::raw_amount(iw, u, zone_iii, range.low) == Approx(15.0));
        REQUIRE(amounts::raw_amount(iw, u, zone_iii, range.high) == Approx(15.0));
        REQUIRE(range.high > amounts::in_work_bonus_full);  // the closed form's premise
        REQUIRE(amounts::amount(iw, u, zone_iii, range.low - 1.0) == 0.0);
        REQUIRE(amounts::amount(iw, u, zone_iii, range.high + 1.0) == 0.0);
        REQUIRE(amounts::amount(iw, u, zone_iii, 0.5 * (range.low + range.high)) > 15.0);
    }
}

TEST_CASE("housing benefit: rent ceiling by zone and composition, paid from 10 EUR") {
    REQUIRE(amounts::housing_rent_ceiling(unit(1), zone_ii) > amounts::housing_rent_ceiling(unit(1), zone_iii));
    REQUIRE(amounts::housing_rent_ceiling(unit(2), zone_iii) == Approx(316.17));
    REQUIRE(amounts::housing_rent_ceiling(unit(2, 0, 2), zone_iii) == Approx(354.43 + 50.81));
    for (const UnitComposition& u : {unit(1), unit(2), unit(1, 1), unit(2, 0, 3)})
        for (const int zone : {zone_ii, zone_iii}) {
            const auto range = amounts::paid_range(hb, u, zone);
            REQUIRE(range.low == 0.0);
            REQUIRE(amounts::raw_amount(hb, u, zone, range.high) == Approx(10.0));
            REQUIRE(amounts::amount(hb, u, zone, range.high - 1.0) > 10.0);
            REQUIRE(amounts::amount(hb, u, zone, range.high + 1.0) == 0.0);
        }
    // More children, more benefit at the same resources.
    REQUIRE(amounts::amount(hb, unit(2, 0, 2), zone_iii, 500.0) > amounts::amount(hb, unit(2), zone_iii, 500.0));
}

TEST_CASE("old-age minimum: 1,012.02 alone, half of 1,571.16 each in a couple") {
    REQUIRE(amounts::amount(om, unit(1), zone_iii, 0.0) == Approx(1012.02));
    REQUIRE(amounts::amount(om, unit(1), zone_iii, 1012.02 - 0.5) == Approx(0.5));
    REQUIRE(amounts::amount(om, unit(1), zone_iii, 1012.02 + 0.5) == 0.0);
    REQUIRE(amounts::amount(om, unit(2), zone_iii, 0.0) == Approx(1571.16 / 2));
    REQUIRE(2 * amounts::amount(om, unit(2), zone_iii, 0.0) < 2 * amounts::amount(om, unit(1), zone_iii, 0.0));
}

TEST_CASE("claimant rule: the more able adult claims, chance decides between equals, same draw every time") {
    int reference_wins = 0, equal_reference = 0;
    constexpr int n = 20000;
    for (std::uint32_t id = 0; id < n; ++id) {
        reference_wins += draw_claimant(7, 2 * id, 0, 0.8, 0.2) == 0;
        equal_reference += draw_claimant(7, 2 * id, 0, 0.4, 0.4) == 0;
        REQUIRE(draw_claimant(7, 2 * id, 1, 0.5, 0.45) == draw_claimant(7, 2 * id, 1, 0.5, 0.45));
    }
    // 0.6 apart with noise sd 0.1 each: P(partner wins) = P(N(0, 0.02) > 0.6) ~ 1e-5.
    REQUIRE(reference_wins >= n - 5);
    // Equals: a fair coin; 4 sd of a binomial(20000, 0.5) is 283.
    REQUIRE(std::abs(equal_reference - n / 2) < 283);
}

TEST_CASE("unit services: only the claimant's claim is live, counts are in households") {
    const Scenario sc = units_scenario();
    ParallelExecutor ex(2);
    Engine engine(sc, ex);
    const Households& h = engine.households();
    REQUIRE(h.role.size() == engine.population().size());
    std::int64_t households = 0, two_adults = 0;
    for (std::size_t c = 0; c < h.role.size(); ++c) {
        households += h.role[c] != HouseholdRole::partner;
        if (h.role[c] != HouseholdRole::reference) continue;
        ++two_adults;
        for (int s = 0; s < 3; ++s) {
            // Exactly one of the two adults claims for the unit.
            REQUIRE(h.is_represented(c, s) != h.is_represented(c + 1, s));
        }
    }
    REQUIRE(two_adults > 0);
    std::int64_t live_represented = 0, live = 0;
    for (int day = 0; day < 120; ++day) {
        engine.step();
        for (std::size_t c = 0; c < h.role.size(); ++c)
            for (int s = 0; s < 3; ++s) {
                const bool eligible = engine.claim(c, s).state != ClaimState::not_eligible;
                live += eligible;
                live_represented += eligible && h.is_represented(c, s);
            }
    }
    REQUIRE(live > 0);
    REQUIRE(live_represented == 0);
    engine.run();
    const Results r = engine.results();
    // The tax return (every adult 18+ under individual units) has one
    // eligible claim per household at most.
    for (std::size_t d = 0; d < 90; ++d) REQUIRE(count(r, d, 2, 0) <= households);
    REQUIRE(count(r, 89, 2, 0) > households * 9 / 10);
    REQUIRE(std::get<std::string>(r.attributes.at("count_units")) ==
            "minimum_income=household,housing_benefit=household,income_tax_return=household");
}

TEST_CASE("unit services: eligible equals the sum of the six states, every day, service and segment") {
    const Results r = run(units_scenario(15000, 90), 1);
    std::int64_t checked = 0;
    for (const Array& a : r.arrays) {
        if (a.path != "counts" && a.path.rfind("/counts") != a.path.size() - 7) continue;
        INFO(a.path);
        const auto& v = a.integers();
        for (std::size_t i = 0; i < v.size(); i += 7) {
            std::int64_t sum = 0;
            for (int k = 1; k < 7; ++k) sum += v[i + static_cast<std::size_t>(k)];
            REQUIRE(v[i] == sum);
            checked += v[i] > 0;
        }
    }
    REQUIRE(checked > 1000);
}

TEST_CASE("unit services: 1 and 2 threads give bit-identical results, and units change them") {
    const Scenario sc = units_scenario(20000, 60);
    const Results one = run(sc, 1);
    require_identical(one, run(sc, 2));
    REQUIRE(one.array("counts").integers() != run(small_scenario(20000, 60), 2).array("counts").integers());
}

TEST_CASE("unclaimed euros of a differential service: the sum of the units' own amounts not received") {
    const Scenario sc = units_scenario(20000, 60);
    ParallelExecutor ex(2);
    Engine engine(sc, ex);
    const int target = sc.warmup_days + 40;
    while (engine.current_day() < target) engine.step();
    // Phase A of the next day counts the claims as they are now.
    std::array<double, 2> expected{};
    std::array<std::int64_t, 2> units{};
    for (std::size_t c = 0; c < engine.population().size(); ++c)
        for (int s = 0; s < 2; ++s) {
            const ClaimState st = engine.claim(c, s).state;
            if (st == ClaimState::not_eligible || st == ClaimState::receiving) continue;
            const double a = engine.amount_at_stake(c, s);
            REQUIRE(a > 0.0);
            expected[static_cast<std::size_t>(s)] += std::round(100.0 * a) / 100.0;
            ++units[static_cast<std::size_t>(s)];
        }
    engine.step();
    const Results day = engine.day_results(40);
    const auto& unclaimed = day.array("metrics/unclaimed_euros").reals();
    for (int s = 0; s < 2; ++s) {
        INFO("service " << s);
        REQUIRE(units[static_cast<std::size_t>(s)] > 0);
        REQUIRE(unclaimed[static_cast<std::size_t>(s)] * 365.0 / 12.0 ==
                Approx(expected[static_cast<std::size_t>(s)]).epsilon(1e-9));
        // Not the flat formula: amounts differ from monthly_amount.
        const double flat = static_cast<double>(units[static_cast<std::size_t>(s)]) * sc.services[static_cast<std::size_t>(s)].monthly_amount;
        REQUIRE(std::abs(expected[static_cast<std::size_t>(s)] - flat) > 1.0);
    }
    REQUIRE(unclaimed[2] == 0.0);  // the tax return pays nothing
}

TEST_CASE("defaults: no service per unit, no household kept, no unit attribute") {
    Scenario sc = small_scenario(5000, 10);
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    REQUIRE(engine.households().empty());
    engine.run();
    REQUIRE(engine.results().attributes.count("count_units") == 0);
    REQUIRE(engine.amount_at_stake(0, 0) == sc.services[0].monthly_amount);
}

TEST_CASE("household marginals: children, couples with children and households of 3+ within 2 points of the published figures") {
    Scenario sc;
    sc.population.size = 200000;
    sc.seed = 11;
    ParallelExecutor ex(2);
    const Population p = generate_population(sc, ex);
    const Households h = build_households(sc, p, ex);
    std::array<double, household_count> type{};
    std::array<double, 5> size{};         // 1, 2, 3, 4, 5+ persons
    std::array<double, 4> family_kids{};  // families with 1, 2, 3, 4+ children
    std::array<double, child_band_count> bands{};
    double households = 0, children = 0;
    for (std::size_t c = 0; c < p.size(); ++c) {
        if (h.role[c] == HouseholdRole::partner) continue;
        households += 1;
        type[static_cast<std::size_t>(p.household[c])] += 1;
        const auto kids = h.children_of(c);
        const int n = kids[0] + kids[1] + kids[2];
        size[static_cast<std::size_t>(std::min(h.adults(c) + n, 5) - 1)] += 1;
        const bool family = p.household[c] == Household::single_parent || p.household[c] == Household::couple_children;
        REQUIRE((n > 0) == family);
        if (family) family_kids[static_cast<std::size_t>(std::min(n, 4) - 1)] += 1;
        for (int b = 0; b < child_band_count; ++b) bands[static_cast<std::size_t>(b)] += kids[static_cast<std::size_t>(b)];
        children += n;
    }
    double families = 0;
    for (const double f : family_kids) families += f;
    INFO("types " << type[0] / households << " " << type[1] / households << " " << type[2] / households << " "
                  << type[3] / households);
    INFO("sizes " << size[0] / households << " " << size[1] / households << " " << size[2] / households << " "
                  << size[3] / households << " " << size[4] / households);
    INFO("bands " << bands[0] / children << " " << bands[1] / children << " " << bands[2] / children);
    // Families by number of children under 18 (docs/population.md, "Children").
    for (std::size_t k = 0; k < 4; ++k) REQUIRE(std::abs(family_kids[k] / families - children_count_share[k]) < 0.02);
    // Children by age band: 15.5% under 3, 49.5% 3-11, 35% 12-17 (Insee, population by age).
    const std::array<double, 3> band_target{0.155, 0.495, 0.35};
    for (std::size_t b = 0; b < 3; ++b) REQUIRE(std::abs(bands[b] / children - band_target[b]) < 0.02);
    // Households by type and size (docs/population.md, "Children": Insee
    // census): couples with children, and households of 3, 4 and 5 or more
    // persons, which the children make. The shares of people alone,
    // childless couples, single parents and 1-2 person households are not
    // checked: the existing generator calibrates adults (20% of adults live
    // alone) in households of at most two adults, which gives 32% of
    // households alone against 38% published (docs/population.md, known gap;
    // fixing it changes the default population's draws).
    REQUIRE(std::abs(type[3] / households - household_type_share[3]) < 0.02);
    for (std::size_t k = 2; k < 5; ++k) REQUIRE(std::abs(size[k] / households - household_size_share[k]) < 0.02);
}

TEST_CASE("help: with unit services, the other adult's help counts as household, and both informal sources make help_informal") {
    const Results with_units = run(units_scenario(20000, 120), 2);
    const Results alone = run(small_scenario(20000, 120), 2);
    const auto help = help_requests;
    auto total = [](const Results& r, const std::string& path) {
        std::int64_t n = 0;
        for (const auto x : r.array(path).integers()) n += x;
        return n;
    };
    REQUIRE(help(alone, HelpSource::household, HelpOutcome::obtained) == 0);
    REQUIRE(help(with_units, HelpSource::household, HelpOutcome::obtained) > 20);  // 39 at seed 7
    for (const Results* r : {&with_units, &alone}) {
        REQUIRE(help(*r, HelpSource::household, HelpOutcome::obtained) +
                    help(*r, HelpSource::relative_or_friend, HelpOutcome::obtained) ==
                total(*r, "metrics/help_informal"));
        REQUIRE(help(*r, HelpSource::household, HelpOutcome::refused) +
                    help(*r, HelpSource::relative_or_friend, HelpOutcome::refused) ==
                total(*r, "metrics/help_informal_unavailable"));
    }
}
