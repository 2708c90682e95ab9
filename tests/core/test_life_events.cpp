// Monthly employment transitions and ageing (sim/core/life_events.hpp).
#include "core/france_calibration.hpp"
#include "core/life_events.hpp"
#include "core/population.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace demat;

namespace {

Scenario life_scenario(std::int64_t size, std::uint64_t seed, double unemployment = 0.073) {
    Scenario s;
    s.population.size = size;
    s.population.unemployment_rate = unemployment;
    s.seed = seed;
    return s;
}

double unemployment_rate(const Population& p) {
    double employed = 0, unemployed = 0;
    for (std::size_t c = 0; c < p.size(); ++c) {
        employed += p.employment[c] == Employment::employed;
        unemployed += p.employment[c] == Employment::unemployed;
    }
    return unemployed / (employed + unemployed);
}

// Runs `days` days the way the engine does: birthdays every day, life
// events every 30 days. Returns the worst distance of the monthly
// unemployment rate to `target`.
double simulate(const Scenario& s, Population& p, int days, double target, bool reverse = false) {
    double worst = 0.0;
    const auto n = static_cast<std::uint32_t>(p.size());
    for (int day = 1; day <= days; ++day) {
        for (std::uint32_t i = 0; i < n; ++i) age_one_year_if_birthday(p, reverse ? n - 1 - i : i, day);
        if (day % 30 != 0) continue;
        for (std::uint32_t i = 0; i < n; ++i) monthly_life_events(s, p, reverse ? n - 1 - i : i, day);
        worst = std::max(worst, std::abs(unemployment_rate(p) - target));
    }
    return worst;
}

}  // namespace

TEST_CASE("job loss keeps unemployment at its steady state", "[life_events]") {
    // s = f u / (1 - u): with f = 9% a month and u = 7.3%, s = 0.709% a month.
    CHECK(monthly_job_loss(0.073) == Approx(0.09 * 0.073 / 0.927).epsilon(1e-12));
    CHECK(monthly_job_loss(0.073) / (monthly_job_loss(0.073) + calibration::monthly_job_finding) ==
          Approx(0.073).epsilon(1e-12));
}

TEST_CASE("unemployment stays within 1 point of the target over 24 months", "[life_events]") {
    for (const double target : {0.073, 0.12}) {
        const Scenario s = life_scenario(100000, 21, target);
        SerialExecutor serial;
        Population p = generate_population(s, serial);
        const double worst = simulate(s, p, 24 * 30, target);
        CHECK(worst < 0.01);
        CHECK(std::abs(unemployment_rate(p) - target) < 0.01);
    }
}

TEST_CASE("retirement happens between 62 and 67", "[life_events]") {
    std::array<int, 6> seen{};
    for (std::uint32_t c = 0; c < 20000; ++c) {
        const int r = retirement_age(3, c);
        REQUIRE((r >= 62 && r <= 67));
        ++seen[static_cast<std::size_t>(r - 62)];
        REQUIRE(retirement_age(3, c) == r);  // fixed for life
    }
    for (std::size_t i = 0; i < seen.size(); ++i)
        CHECK(std::abs(seen[i] / 20000.0 - calibration::retirement_age_share[i]) < 0.015);

    const Scenario s = life_scenario(60000, 22);
    SerialExecutor serial;
    Population p = generate_population(s, serial);
    const Population start = p;
    const auto n = static_cast<std::uint32_t>(p.size());
    std::vector<int> age_at_retirement(n, -1);
    for (int day = 1; day <= 24 * 30; ++day) {
        for (std::uint32_t c = 0; c < n; ++c) age_one_year_if_birthday(p, c, day);
        if (day % 30 != 0) continue;
        for (std::uint32_t c = 0; c < n; ++c) {
            const Employment before = p.employment[c];
            monthly_life_events(s, p, c, day);
            if (before != Employment::retired && p.employment[c] == Employment::retired) age_at_retirement[c] = p.age[c];
        }
    }
    int newly_retired = 0;
    for (std::uint32_t c = 0; c < p.size(); ++c) {
        const bool retired = p.employment[c] == Employment::retired;
        // Nobody retires before their age, nobody of 67+ is still working.
        if (retired) REQUIRE(p.age[c] >= retirement_age(s.seed, c));
        if (p.age[c] >= 67) REQUIRE(retired);
        int birthdays = 0;
        for (int day = 1; day <= 24 * 30; ++day) birthdays += day % 365 == p.birthday[c];
        REQUIRE(p.age[c] == start.age[c] + birthdays);
        if (retired && start.employment[c] != Employment::retired) {
            ++newly_retired;
            // Retired in the month the citizen reached their retirement age.
            REQUIRE(age_at_retirement[c] == retirement_age(s.seed, c));
        }
    }
    // About 1.3% of adults reach their retirement age each year.
    CHECK(newly_retired > 600);
}

TEST_CASE("employment changes redraw the income decile and are reported", "[life_events]") {
    const Scenario s = life_scenario(20000, 23);
    SerialExecutor serial;
    Population p = generate_population(s, serial);
    int changed = 0;
    double from_job_loss = 0, job_losses = 0;
    for (std::uint32_t c = 0; c < p.size(); ++c) {
        const Employment before = p.employment[c];
        const std::uint8_t income = p.income_decile[c];
        const bool reported = monthly_life_events(s, p, c, 30);
        REQUIRE(reported == (p.employment[c] != before || p.income_decile[c] != income));
        changed += reported;
        if (before == Employment::employed && p.employment[c] == Employment::unemployed) {
            ++job_losses;
            from_job_loss += p.income_decile[c];
        }
    }
    CHECK(changed > 0);
    REQUIRE(job_losses > 20);
    CHECK(from_job_loss / job_losses < 4.5);  // the newly unemployed fall to the bottom deciles
}

TEST_CASE("life events do not depend on the order of citizens", "[life_events][determinism]") {
    const Scenario s = life_scenario(20000, 24);
    SerialExecutor serial;
    Population a = generate_population(s, serial);
    Population b = a;
    simulate(s, a, 12 * 30, 0.073, false);
    simulate(s, b, 12 * 30, 0.073, true);
    CHECK(a.employment == b.employment);
    CHECK(a.income_decile == b.income_decile);
    CHECK(a.age == b.age);
}

TEST_CASE("a citizen ages on their birthday only", "[life_events]") {
    Population p;
    p.resize(1);
    p.age[0] = 40;
    p.birthday[0] = 0;
    age_one_year_if_birthday(p, 0, 0);  // day 0: ages are already current
    CHECK(p.age[0] == 40);
    for (int day = 1; day < 365; ++day) age_one_year_if_birthday(p, 0, day);
    CHECK(p.age[0] == 40);
    age_one_year_if_birthday(p, 0, 365);
    CHECK(p.age[0] == 41);
    p.birthday[0] = 100;
    age_one_year_if_birthday(p, 0, 465);
    CHECK(p.age[0] == 42);
    age_one_year_if_birthday(p, 0, 466);
    CHECK(p.age[0] == 42);
}
