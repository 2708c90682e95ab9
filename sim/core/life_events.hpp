// Life events between days: ageing, and the monthly employment transitions
// that move citizens in and out of eligibility (DESIGN 1.1).
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

// The monthly chance that a citizen not retired leaves their employment
// state (employed, unemployed, inactive) in monthly_life_events: the exit
// rate of the state, hence 30 / rate is the mean time already spent in it
// at steady state (docs/model.md section 1, initial conditions).
double monthly_situation_exit(const Scenario& scenario, const Population& population, std::uint32_t citizen);

// One month of employment transitions for one citizen, drawn with
// Purpose::employment at `day`: retirement when the citizen reaches their
// retirement age, job loss / job finding, small flows between inactivity and
// the labour force; the income decile is redrawn after any change. Returns
// true when employment or income changed (both enter eligibility).
// The engine calls it once every 30 days per citizen.
bool monthly_life_events(const Scenario& scenario, Population& population, std::uint32_t citizen, int day);

// Adds a year to the citizen's age when day % 365 is their birthday. Day 0
// is the generation date, at which ages are already current: nothing happens.
void age_one_year_if_birthday(Population& population, std::uint32_t citizen, int day);

}  // namespace demat
