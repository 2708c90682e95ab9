// Life events between days: ageing, and the employment transitions at
// month starts that move citizens in and out of eligibility (docs/population.md, section 1).
//
// Everything here reads and writes one citizen's entries only and draws its
// random numbers from streams keyed by (seed, citizen, day), so calls for
// different citizens may run concurrently and in any order.
#pragma once

#include "core/population.hpp"
#include "core/scenario.hpp"

#include <cstdint>

namespace demat {

// The age at which a citizen retires, in [62, 67]: a pure function of
// (seed, citizen), fixed for life.
int retirement_age(std::uint64_t seed, std::uint32_t citizen);

// Probability that a labour-force member of this education and age is
// unemployed, scaled so that the expected unemployment of a population with
// `params`' age structure is params.unemployment_rate.
double unemployment_probability(const PopulationParams& params, Education education, int age);

// Monthly job-loss probability of an employed citizen whose unemployment
// probability is `u`: the rate that keeps u at steady state given
// calibration::monthly_job_finding (s = f u / (1 - u)).
double monthly_job_loss(double u);

// The chance that a citizen not retired leaves their employment state
// (employed, unemployed, inactive) at a month start: the parameter of the
// geometric wait of next_employment_event, and the state's exit rate, hence
// 30 / rate is the mean time already spent in it at steady state
// (docs/model.md section 1, initial conditions).
double monthly_situation_exit(const Scenario& scenario, const Population& population, std::uint32_t citizen);

// Employment transitions happen at month starts (day > 0, day % 30 == 0):
// at each, a citizen not retired leaves their state with probability
// monthly_situation_exit. Rather than a draw for every citizen at every
// month start, the engine draws the month of the next change: the number of
// month starts to wait is geometric with that probability (the law of the
// monthly draws: P(no change over k months) = (1 - exit)^k), and is drawn
// again whenever the probability may have changed (a birthday, a change of
// employment): a geometric wait is memoryless, so a fresh draw from any day
// has the law of the remaining wait.

// The first month start on or after `day` (day 30 for any day <= 30).
int month_start_on_or_after(int day);

// The citizen's next employment event, drawn at `from_day` with
// Purpose::employment_schedule: the first month start on or after from_day
// for a citizen not retired who has reached their retirement age (they
// retire then), otherwise a geometric number of month starts (see above).
// Returns `never_day` when there is none (the retired) or it would fall
// beyond `never_day`.
inline constexpr int never_day = 65535;
int next_employment_event(const Scenario& scenario, const Population& population, std::uint32_t citizen, int from_day);

// The change at an employment event, drawn with Purpose::employment at
// `day`: retirement when the citizen has reached their retirement age;
// otherwise the state the citizen moves to, given that they leave theirs
// (the monthly transition probabilities, renormalised: job loss or exit to
// inactivity for the employed, job finding or exit for the unemployed,
// re-entry as unemployed with the unemployment probability for the
// inactive); the income decile is redrawn. Returns true when employment or
// income changed (both enter eligibility).
bool employment_event(const Scenario& scenario, Population& population, std::uint32_t citizen, int day);

// Everything that happens to one citizen on `day` between claims: ageing on
// their birthday (which draws the next employment event again from today:
// the rates depend on age, and retirement on it), then the employment event
// if `next_event` (the citizen's scheduled one) is today, after which the
// next one is drawn from tomorrow. Returns true when age, employment or
// income changed. The engine calls it for citizens with either due today;
// calling it on other days changes nothing.
bool life_events_today(const Scenario& scenario, Population& population, std::uint32_t citizen, int day,
                       std::uint16_t& next_event);

// The first day on or after `day` (and after day 0) that is the citizen's
// birthday (inline: the engine asks it for every citizen it counts again).
inline int next_birthday(const Population& population, std::uint32_t citizen, int day) {
    const int from = day > 1 ? day : 1;
    int ahead = static_cast<int>(population.birthday[citizen]) - from % 365;
    if (ahead < 0) ahead += 365;
    return from + ahead;
}

// Adds a year to the citizen's age when day % 365 is their birthday. Day 0
// is the generation date, at which ages are already current: nothing happens.
void age_one_year_if_birthday(Population& population, std::uint32_t citizen, int day);

}  // namespace demat
