// The default population (default scenario: 100,000 adults, seed 1)
// reproduces every figure of section A of the calibration table within 2
// percentage points, the tolerance of issue 6. One test, one place: the
// figures and sources are those of sim/core/france_calibration.hpp and
// docs/population.md. Figures the model cannot represent (home internet,
// smartphone ownership among computer owners) are listed in
// docs/population.md, not asserted here.
#include "core/population.hpp"
#include "core/executor.hpp"
#include "core/france_calibration.hpp"
#include "core/households.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace demat;

namespace {

constexpr double tolerance = 0.02;  // issue 6: within 2 percentage points

const Population& default_population() {
    static const Population population = [] {
        SerialExecutor serial;
        return generate_population(Scenario{}, serial);
    }();
    return population;
}

template <class In, class Pred>
double share(const Population& p, In in, Pred pred) {
    double inside = 0.0, hits = 0.0;
    for (std::size_t c = 0; c < p.size(); ++c) {
        if (!in(c)) continue;
        inside += 1.0;
        if (pred(c)) hits += 1.0;
    }
    REQUIRE(inside > 0.0);
    return hits / inside;
}

void near(double model, double target, const char* what) {
    // DEMAT_PRINT_TARGETS=1 prints the fit (the table of docs/population.md).
    if (std::getenv("DEMAT_PRINT_TARGETS")) std::printf("%-32s target %5.1f%%  model %5.1f%%\n", what, 100 * target, 100 * model);
    INFO(what << ": model " << model << ", target " << target);
    CHECK(std::abs(model - target) < tolerance);
}

}  // namespace

TEST_CASE("default population: every section A figure within 2 points", "[population][targets]") {
    const Population& p = default_population();
    REQUIRE(p.size() == static_cast<std::size_t>(PopulationParams{}.size));
    auto all = [](std::size_t) { return true; };
    auto age_in = [&](int lo, int hi) { return [&p, lo, hi](std::size_t c) { return p.age[c] >= lo && p.age[c] <= hi; }; };
    const double threshold = PopulationParams{}.illectronisme_threshold;
    auto ill = [&](std::size_t c) { return p.equipment[c] == Equipment::none || p.digital_skill[c] < threshold; };
    auto educ = [&](Education e) { return [&p, e](std::size_t c) { return p.education[c] == e; }; };

    // Age groups (Insee age pyramid 2023).
    near(share(p, all, age_in(18, 29)), 0.17, "18-29");
    near(share(p, all, age_in(30, 44)), 0.23, "30-44");
    near(share(p, all, age_in(45, 59)), 0.24, "45-59");
    near(share(p, all, age_in(60, 74)), 0.22, "60-74");
    near(share(p, all, age_in(75, 200)), 0.14, "75+");

    // Education, 25-64 and 65+ (Insee/Eurostat).
    near(share(p, age_in(25, 64), educ(Education::none_primary)), 0.20, "25-64 no diploma");
    near(share(p, age_in(25, 64), educ(Education::secondary)), 0.42, "25-64 secondary");
    near(share(p, age_in(25, 64), educ(Education::higher)), 0.38, "25-64 higher");
    near(share(p, age_in(65, 200), educ(Education::none_primary)), 0.45, "65+ no diploma");

    // Illectronisme (Insee Premiere 1953, 2023; Insee References 2019 by education).
    near(share(p, all, ill), 0.154, "illectronisme");
    near(share(p, age_in(75, 200), ill), 0.62, "illectronisme 75+");
    near(share(p, age_in(18, 24), ill), 0.02, "illectronisme 18-24");
    CHECK(share(p, age_in(60, 200), ill) > 1.0 / 3.0);  // "over one in three of 60+"
    near(share(p, [&](std::size_t c) { return p.employment[c] == Employment::retired; }, ill), 0.36,
         "illectronisme retirees");
    near(share(p, educ(Education::none_primary), ill), 0.49, "illectronisme no diploma");
    near(share(p, educ(Education::higher), ill), 0.03, "illectronisme higher education");

    // Equipment (Credoc/Arcep 2022-2024).
    auto has = [&](Equipment e) { return [&p, e](std::size_t c) { return p.equipment[c] == e; }; };
    near(share(p, all, has(Equipment::computer)), 0.89, "computer");
    near(share(p, age_in(70, 200), has(Equipment::computer)), 0.69, "70+ computer");
    near(share(p, age_in(70, 200), has(Equipment::none)), 0.16, "70+ no equipment");

    // Illettrisme (ANLCI/Insee IVQ 2011, 2004): literacy below the model's cut.
    auto illiterate = [&](std::size_t c) { return p.literacy[c] < calibration::illettrisme_threshold; };
    near(share(p, age_in(18, 65), illiterate), 0.07, "illettrisme 18-65");
    near(share(p, age_in(18, 25), illiterate), 0.045, "illettrisme 18-25");
    near(share(p, age_in(56, 65), illiterate), 0.14, "illettrisme 56-65");

    // Living alone (adults) and tenants (households) (Insee).
    near(share(p, all, [&](std::size_t c) { return p.household[c] == Household::single; }), 0.20, "living alone");
    near(share(p, [&](std::size_t c) { return p.household_id[c] == c; }, [&](std::size_t c) { return p.tenant[c] != 0; }),
         0.42, "tenant households");

    // Territory (Insee density grid), shares of people.
    for (int t = 0; t < 3; ++t) {
        const double target = PopulationParams{}.territory_share[static_cast<std::size_t>(t)];
        near(share(p, all, [&](std::size_t c) { return static_cast<int>(p.zones[p.zone_of(c)].type) == t; }), target,
             "territory type");
    }
}

// population.household_marginals = "published": the household figures of the
// Insee census (core/households.hpp: household_type_share, household_size_share,
// children_count_share) hold per household within 2 points, and the
// per-adult figures that do not depend on the household mix still hold.
TEST_CASE("published household marginals: types and sizes and children within 2 points", "[population][targets][households]") {
    Scenario sc;
    sc.population.household_marginals = HouseholdMarginals::published;
    SerialExecutor serial;
    const Population p = generate_population(sc, serial);
    const Households h = build_households(sc, p, serial);
    std::array<double, household_count> type{};
    std::array<double, 5> size{};         // 1, 2, 3, 4, 5+ persons
    std::array<double, 4> family_kids{};  // families with 1, 2, 3, 4+ children under 18
    std::array<double, child_band_count> bands{};
    double households = 0.0, families = 0.0, children = 0.0, tenants = 0.0;
    for (std::size_t c = 0; c < p.size(); ++c) {
        if (p.household_id[c] != c) continue;
        households += 1.0;
        type[static_cast<std::size_t>(p.household[c])] += 1.0;
        const auto kids = h.children_of(c);
        const int n = kids[0] + kids[1] + kids[2];
        size[static_cast<std::size_t>(std::min(h.adults(c) + n, 5) - 1)] += 1.0;
        if (n > 0) {
            families += 1.0;
            family_kids[static_cast<std::size_t>(std::min(n, 4) - 1)] += 1.0;
        }
        for (std::size_t b = 0; b < child_band_count; ++b) bands[b] += kids[b];
        children += n;
        if (p.tenant[c] != 0) tenants += 1.0;
    }
    const char* type_name[] = {"people alone", "couples without children", "single parents", "couples with children"};
    for (std::size_t t = 0; t < household_count; ++t) near(type[t] / households, household_type_share[t], type_name[t]);
    const char* size_name[] = {"1 person", "2 persons", "3 persons", "4 persons", "5+ persons"};
    for (std::size_t k = 0; k < 5; ++k) near(size[k] / households, household_size_share[k], size_name[k]);
    const char* kids_name[] = {"families with 1 child", "2 children", "3 children", "4+ children"};
    for (std::size_t k = 0; k < 4; ++k) near(family_kids[k] / families, children_count_share[k], kids_name[k]);
    // Children by age band (Insee, population by age 2024: docs/population.md, "Children").
    const std::array<double, child_band_count> band_target{0.155, 0.495, 0.35};
    const char* band_name[] = {"children under 3", "children 3-11", "children 12-17"};
    for (std::size_t b = 0; b < child_band_count; ++b) near(bands[b] / children, band_target[b], band_name[b]);
    near(tenants / households, 0.42, "tenant households");
    // The adults' age structure does not move with the household mix.
    auto all = [](std::size_t) { return true; };
    near(share(p, all, [&](std::size_t c) { return p.age[c] < 30; }), 0.17, "18-29");
    near(share(p, all, [&](std::size_t c) { return p.age[c] >= 75; }), 0.14, "75+");
    // The legacy generator misses the first of these by 6 points (32% of
    // households alone): the test must tell the two apart.
    const Population& legacy = default_population();
    double alone = 0.0, heads = 0.0;
    for (std::size_t c = 0; c < legacy.size(); ++c) {
        if (legacy.household_id[c] != c) continue;
        heads += 1.0;
        if (legacy.household[c] == Household::single) alone += 1.0;
    }
    CHECK(std::abs(alone / heads - household_type_share[0]) > 0.04);
}
