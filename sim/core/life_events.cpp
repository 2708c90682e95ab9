#include "core/life_events.hpp"
#include "core/detmath.hpp"

#include "core/france_calibration.hpp"
#include "core/rng.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace demat {

namespace {

using namespace calibration;

// Counter index reserved for the retirement-age draw inside the citizen's
// generation stream (Purpose::population, day 0): sequential streams start at
// index 0 and never come near it, so the draw is independent of them.
constexpr std::uint32_t retirement_draw_index = 0xFFFFF;

constexpr double share_not_retired(int age) {
    double s = 0.0;
    for (std::size_t i = 0; i < retirement_age_share.size(); ++i)
        if (retirement_age_min + static_cast<int>(i) > age) s += retirement_age_share[i];
    return s;
}

// Per age group, the expected labour force per adult and the expected sum of
// relative unemployment risks over it, from the calibration tables (single
// years, education mix, retirement ages). Computed at compile time so that
// unemployment_probability costs five multiplications per call.
struct GroupLabour {
    std::array<double, age_group_count> labour{};
    std::array<double, age_group_count> risk{};
};

constexpr GroupLabour group_labour() {
    GroupLabour out;
    for (int g = 0; g < age_group_count; ++g) {
        const auto gi = static_cast<std::size_t>(g);
        double edu_risk = 0.0;
        for (std::size_t e = 0; e < education_count; ++e)
            edu_risk += education_share_by_age[gi][e] * unemployment_risk_education[e];
        for (int a = age_group_bounds[gi]; a < age_group_bounds[gi + 1]; ++a) {
            const double lf = age_weight_in_group(a) * share_not_retired(a) * activity_rate(a);
            out.labour[gi] += lf;
            out.risk[gi] += lf * unemployment_risk_age(a) * edu_risk;
        }
    }
    return out;
}

constexpr GroupLabour labour_by_group = group_labour();

}  // namespace

int retirement_age(std::uint64_t seed, std::uint32_t citizen) {
    const auto block = Rng::block(seed, citizen, 0, Purpose::population, retirement_draw_index);
    const double u = Rng::uniform(block[0]);
    double cumulative = 0.0;
    for (std::size_t i = 0; i + 1 < retirement_age_share.size(); ++i) {
        cumulative += retirement_age_share[i];
        if (u < cumulative) return retirement_age_min + static_cast<int>(i);
    }
    return retirement_age_min + static_cast<int>(retirement_age_share.size()) - 1;
}

double unemployment_probability(const PopulationParams& params, Education education, int age) {
    // Scale the relative risks so that the expected unemployed / labour force
    // equals the target for this age structure.
    double labour = 0.0, risk = 0.0;
    for (std::size_t g = 0; g < age_group_count; ++g) {
        labour += params.age_group_share[g] * labour_by_group.labour[g];
        risk += params.age_group_share[g] * labour_by_group.risk[g];
    }
    const double scale = risk > 0.0 ? params.unemployment_rate * labour / risk : 0.0;
    const double p = scale * unemployment_risk_age(age) *
                     unemployment_risk_education[static_cast<std::size_t>(education)];
    return std::min(p, max_unemployment_probability);
}

double monthly_job_loss(double u) {
    // Steady state of employed <-> unemployed with job finding f and loss s:
    // U / (U + E) = s / (s + f) = u  <=>  s = f u / (1 - u). Exits to
    // inactivity hit both states at the same rate and re-entries are split
    // u : 1 - u, so they leave this ratio unchanged.
    return monthly_job_finding * u / (1.0 - u);
}

double monthly_situation_exit(const Scenario& scenario, const Population& population, std::uint32_t citizen) {
    const int age = population.age[citizen];
    const double u = unemployment_probability(scenario.population, population.education[citizen], age);
    switch (population.employment[citizen]) {
        case Employment::employed: return monthly_labour_force_exit + monthly_job_loss(u);
        case Employment::unemployed: return monthly_labour_force_exit + monthly_job_finding;
        case Employment::inactive: {
            const double act = activity_rate(age);
            return std::min(1.0, monthly_labour_force_exit * act / (1.0 - act));
        }
        case Employment::retired: return 0.0;
    }
    return 0.0;
}

int month_start_on_or_after(int day) {
    constexpr int month = 30;
    if (day <= month) return month;
    return (day + month - 1) / month * month;
}

namespace {

bool reached_retirement(const Scenario& scenario, const Population& population, std::uint32_t citizen) {
    // retirement_age() is never below retirement_age_min: younger citizens
    // skip its draw (a Philox call).
    const int age = population.age[citizen];
    return population.employment[citizen] != Employment::retired && age >= retirement_age_min &&
           age >= retirement_age(scenario.seed, citizen);
}

}  // namespace

int next_employment_event(const Scenario& scenario, const Population& population, std::uint32_t citizen, int from_day) {
    const int first = month_start_on_or_after(from_day);
    if (first >= never_day) return never_day;
    if (population.employment[citizen] == Employment::retired) return never_day;
    if (reached_retirement(scenario, population, citizen)) return first;
    const double exit = std::min(1.0, monthly_situation_exit(scenario, population, citizen));
    if (exit <= 0.0) return never_day;
    // Month starts to wait after the first, K - 1 with P(K > k) = (1 - exit)^k:
    // floor(log U / log(1 - exit)) for U uniform on (0, 1].
    double later = 0.0;
    if (exit < 1.0) {
        Stream stream(scenario.seed, citizen, static_cast<std::uint32_t>(from_day), Purpose::employment_schedule);
        later = std::floor(dmath::log(1.0 - stream.uniform()) / dmath::log1p(-exit));
    }
    const double day = first + 30.0 * later;
    return day < never_day ? static_cast<int>(day) : never_day;
}

bool employment_event(const Scenario& scenario, Population& population, std::uint32_t citizen, int day) {
    const Employment before = population.employment[citizen];
    if (before == Employment::retired) return false;
    const int age = population.age[citizen];
    const Education education = population.education[citizen];
    Stream stream(scenario.seed, citizen, static_cast<std::uint32_t>(day), Purpose::employment);

    Employment after = before;
    if (reached_retirement(scenario, population, citizen)) {
        after = Employment::retired;
    } else {
        // Where the citizen goes, given that they leave: each exit in
        // proportion to its monthly probability (the first exit's share of
        // the total, as the monthly draw r < first, else r < first + second).
        const double u = unemployment_probability(scenario.population, education, age);
        auto first_of_two = [&](double first, double second) {
            const double total = std::min(1.0, first + second);
            return stream.uniform() * total < std::min(first, total);
        };
        switch (before) {
            case Employment::employed:
                after = first_of_two(monthly_labour_force_exit, monthly_job_loss(u)) ? Employment::inactive
                                                                                      : Employment::unemployed;
                break;
            case Employment::unemployed:
                after = first_of_two(monthly_labour_force_exit, monthly_job_finding) ? Employment::inactive
                                                                                      : Employment::employed;
                break;
            case Employment::inactive:
                after = stream.uniform() < u ? Employment::unemployed : Employment::employed;
                break;
            case Employment::retired:
                break;
        }
    }
    if (after == before) return false;
    population.employment[citizen] = after;
    population.income_decile[citizen] = draw_income_decile(education, age, after, stream.uniform());
    return true;
}

bool life_events_today(const Scenario& scenario, Population& population, std::uint32_t citizen, int day,
                       std::uint16_t& next_event) {
    bool changed = false;
    if (day > 0 && day % 365 == population.birthday[citizen]) {
        const int age_before = population.age[citizen];
        age_one_year_if_birthday(population, citizen, day);
        changed = population.age[citizen] != age_before;
        next_event = static_cast<std::uint16_t>(next_employment_event(scenario, population, citizen, day));
    }
    if (next_event == day) {
        changed = employment_event(scenario, population, citizen, day) || changed;
        next_event = static_cast<std::uint16_t>(next_employment_event(scenario, population, citizen, day + 1));
    }
    return changed;
}

void age_one_year_if_birthday(Population& population, std::uint32_t citizen, int day) {
    if (day <= 0 || day % 365 != population.birthday[citizen]) return;
    auto& age = population.age[citizen];
    if (age < 255) ++age;
}

}  // namespace demat
