// Employment transitions at month starts and ageing (sim/core/life_events.hpp).
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

// Every citizen's first employment event, drawn from day 1 as the engine does.
std::vector<std::uint16_t> first_events(const Scenario& s, const Population& p) {
    std::vector<std::uint16_t> next(p.size());
    for (std::uint32_t c = 0; c < p.size(); ++c) next[c] = static_cast<std::uint16_t>(next_employment_event(s, p, c, 1));
    return next;
}

// Runs `days` days the way the engine does (life_events_today for every
// citizen: the engine calls it only for those with something due, and it
// changes nothing for the others). Returns the worst distance of the
// unemployment rate at month ends to `target`.
double simulate(const Scenario& s, Population& p, int days, double target, bool reverse = false) {
    double worst = 0.0;
    const auto n = static_cast<std::uint32_t>(p.size());
    std::vector<std::uint16_t> next = first_events(s, p);
    for (int day = 1; day <= days; ++day) {
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::uint32_t c = reverse ? n - 1 - i : i;
            life_events_today(s, p, c, day, next[c]);
        }
        if (day % 30 == 0) worst = std::max(worst, std::abs(unemployment_rate(p) - target));
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
    std::vector<int> age_at_retirement(n, -1), day_of_retirement(n, -1);
    std::vector<std::uint16_t> next = first_events(s, p);
    for (int day = 1; day <= 24 * 30; ++day) {
        for (std::uint32_t c = 0; c < n; ++c) {
            const Employment before = p.employment[c];
            life_events_today(s, p, c, day, next[c]);
            if (before != Employment::retired && p.employment[c] == Employment::retired) {
                age_at_retirement[c] = p.age[c];
                day_of_retirement[c] = day;
            }
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
            // Retired in the month the citizen reached their retirement age:
            // at the first month start on or after that birthday (or day 30).
            REQUIRE(age_at_retirement[c] == retirement_age(s.seed, c));
            REQUIRE(day_of_retirement[c] % 30 == 0);
            if (start.age[c] < retirement_age(s.seed, c)) {
                // The birthday on which they reached it.
                int birthday = 1, age = start.age[c];
                for (; age < retirement_age(s.seed, c); ++birthday) age += birthday % 365 == p.birthday[c];
                REQUIRE(day_of_retirement[c] == month_start_on_or_after(birthday - 1));
            } else {
                REQUIRE(day_of_retirement[c] == 30);
            }
        }
    }
    // About 1.3% of adults reach their retirement age each year.
    CHECK(newly_retired > 600);
}

TEST_CASE("an employment event changes the state, redraws the income decile and is reported", "[life_events]") {
    const Scenario s = life_scenario(20000, 23);
    SerialExecutor serial;
    Population p = generate_population(s, serial);
    int changed = 0, not_retired = 0;
    double from_job_loss = 0, job_losses = 0;
    for (std::uint32_t c = 0; c < p.size(); ++c) {
        const Employment before = p.employment[c];
        const std::uint8_t income = p.income_decile[c];
        not_retired += before != Employment::retired;
        const bool reported = employment_event(s, p, c, 30);
        REQUIRE(reported == (p.employment[c] != before || p.income_decile[c] != income));
        // The event is a departure from the state: anyone not retired leaves it.
        REQUIRE(reported == (before != Employment::retired));
        changed += reported;
        if (before == Employment::employed && p.employment[c] == Employment::unemployed) {
            ++job_losses;
            from_job_loss += p.income_decile[c];
        }
    }
    CHECK(changed == not_retired);
    REQUIRE(job_losses > 20);
    CHECK(from_job_loss / job_losses < 4.5);  // the newly unemployed fall to the bottom deciles
}

TEST_CASE("the wait for an employment event is geometric in months", "[life_events]") {
    // P(event at the first month start) = exit, P(none in the first k) =
    // (1 - exit)^k, the law of a draw at every month start: summed over
    // citizens with their own exit probability, within 5 standard deviations.
    const Scenario s = life_scenario(200000, 25);
    SerialExecutor serial;
    const Population p = generate_population(s, serial);
    for (const int k : {1, 6, 24}) {
        double observed = 0, expected = 0, variance = 0;
        for (std::uint32_t c = 0; c < p.size(); ++c) {
            if (p.employment[c] == Employment::retired || p.age[c] >= calibration::retirement_age_min - 3) continue;
            const double exit = monthly_situation_exit(s, p, c);
            const int day = next_employment_event(s, p, c, 1);
            REQUIRE((day % 30 == 0 || day == never_day));  // never: beyond the 16-bit days
            const double none = std::pow(1.0 - exit, k);
            observed += day > 30 * k;
            expected += none;
            variance += none * (1.0 - none);
        }
        CHECK(std::abs(observed - expected) < 5.0 * std::sqrt(variance));
    }
    // Drawn again from another day, the wait starts from that day's month.
    CHECK(month_start_on_or_after(0) == 30);
    CHECK(month_start_on_or_after(30) == 30);
    CHECK(month_start_on_or_after(31) == 60);
    for (std::uint32_t c = 0; c < 1000; ++c)
        if (p.employment[c] != Employment::retired) CHECK(next_employment_event(s, p, c, 61) >= 90);
}

TEST_CASE("an event's destination follows the monthly transition probabilities", "[life_events]") {
    // Employed: inactivity with probability exit / (exit + job loss), else unemployed.
    const Scenario s = life_scenario(200000, 26);
    SerialExecutor serial;
    Population p = generate_population(s, serial);
    double to_inactive = 0, expected = 0, variance = 0;
    for (std::uint32_t c = 0; c < p.size(); ++c) {
        if (p.employment[c] != Employment::employed || p.age[c] >= calibration::retirement_age_min) continue;
        const double loss = monthly_job_loss(unemployment_probability(s.population, p.education[c], p.age[c]));
        const double share = calibration::monthly_labour_force_exit / (calibration::monthly_labour_force_exit + loss);
        employment_event(s, p, c, 60);
        to_inactive += p.employment[c] == Employment::inactive;
        expected += share;
        variance += share * (1.0 - share);
    }
    CHECK(std::abs(to_inactive - expected) < 5.0 * std::sqrt(variance));
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

TEST_CASE("the next birthday is the first on or after a day, day 0 excluded", "[life_events]") {
    Population p;
    p.resize(1);
    p.birthday[0] = 0;
    CHECK(next_birthday(p, 0, 0) == 365);
    CHECK(next_birthday(p, 0, 365) == 365);
    CHECK(next_birthday(p, 0, 366) == 730);
    p.birthday[0] = 100;
    CHECK(next_birthday(p, 0, 0) == 100);
    CHECK(next_birthday(p, 0, 100) == 100);
    CHECK(next_birthday(p, 0, 101) == 465);
    CHECK(next_birthday(p, 0, 700) == 830);
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

TEST_CASE("employment exits by origin state: the monthly rates of docs/model.md", "[life_events]") {
    // The documented rates, written out here rather than taken from the
    // code: job finding 9% a month, labour-force exit 0.5% a month (both
    // assumptions of docs/model.md); job loss f u / (1 - u) for the
    // citizen's unemployment probability u; re-entry of the inactive
    // 0.5% x act / (1 - act) for the activity rate act of their age.
    const Scenario s = life_scenario(400000, 27);
    SerialExecutor serial;
    const Population p = generate_population(s, serial);
    std::array<int, 4> seen{};
    for (std::uint32_t c = 0; c < p.size(); ++c) {
        if (p.age[c] >= calibration::retirement_age_min) continue;
        const double u = unemployment_probability(s.population, p.education[c], p.age[c]);
        const double act = calibration::activity_rate(p.age[c]);
        const auto state = p.employment[c];
        double expected = 0.0;
        switch (state) {
            case Employment::employed: expected = 0.005 + 0.09 * u / (1.0 - u); break;
            case Employment::unemployed: expected = 0.005 + 0.09; break;
            case Employment::inactive: expected = std::min(1.0, 0.005 * act / (1.0 - act)); break;
            case Employment::retired: expected = 0.0; break;
        }
        REQUIRE(monthly_situation_exit(s, p, c) == Approx(expected).epsilon(1e-12));
        ++seen[static_cast<std::size_t>(state)];
    }
    CHECK(seen[static_cast<std::size_t>(Employment::unemployed)] > 5000);
    CHECK(seen[static_cast<std::size_t>(Employment::inactive)] > 5000);

    // The waits the engine draws follow them: the unemployed's monthly exit
    // estimated from their first events (maximum likelihood of a geometric
    // law, p = events / months waited) is 9.5%. With about 15,000 of them
    // its standard error is 0.095 sqrt(0.905 / 15,000) = 0.0007: the bound
    // 0.0025 is 3.4 standard errors, and losing the 0.5% exit term (9.0%)
    // falls 0.005 away, 7 standard errors.
    double months = 0, events = 0;
    for (std::uint32_t c = 0; c < p.size(); ++c) {
        if (p.employment[c] != Employment::unemployed || p.age[c] >= calibration::retirement_age_min - 3) continue;
        const int day = next_employment_event(s, p, c, 1);
        if (day == never_day) continue;
        months += day / 30;  // 1 for an event at the first month start
        events += 1;
    }
    REQUIRE(events > 12000);
    CHECK(events / months == Approx(0.095).margin(0.0025));
}
