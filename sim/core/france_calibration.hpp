// The figures the synthetic French adult population is built from.
//
// Every number is a named constant with its source. Sources marked "CAL-A"
// are the table of docs/sources.md section A (copied into
// docs/population.md with the full references); numbers that no published
// figure pins down are marked `assumption:` with the reason for the value.
// Scenario parameters (PopulationParams) override the headline shares; the
// tables here give the shapes (by age, education, income) around them.
#pragma once

#include "core/scenario.hpp"

#include <array>
#include <cstdint>

namespace demat::calibration {

// ---- ages -------------------------------------------------------------------

// Age groups of adults: [18,30), [30,45), [45,60), [60,75), [75,100).
// The group shares themselves come from PopulationParams::age_group_share
// (CAL-A, Insee age pyramid 2023: 17/23/24/22/14 %).
inline constexpr std::array<int, age_group_count + 1> age_group_bounds{18, 30, 45, 60, 75, 100};
inline constexpr int max_generated_age = 99;

// Inside the 75+ group, weight of age a is ratio^(a - 75).
// assumption: 0.91 makes 85+ about a third of the 75+ (Insee 2023: 2.3 of
// 6.9 million), the only figure used for the shape of the oldest group.
inline constexpr double oldest_age_ratio = 0.91;

// Couple partners' age difference: normal, standard deviation in years.
// assumption: Insee couples surveys give a mean gap of about 2 years with most
// gaps under 5; the model has no sex, so the gap is symmetric.
inline constexpr double partner_age_gap_sd = 3.5;

constexpr int age_group_of(int age) {
    int g = 0;
    while (g + 1 < age_group_count && age >= age_group_bounds[static_cast<std::size_t>(g + 1)]) ++g;
    return g;
}

// Relative weight of single year `age` inside its group (sums to 1 over the group).
constexpr double age_weight_in_group(int age) {
    const int g = age_group_of(age);
    const int lo = age_group_bounds[static_cast<std::size_t>(g)];
    const int hi = age_group_bounds[static_cast<std::size_t>(g + 1)];
    if (g < age_group_count - 1) return 1.0 / (hi - lo);
    double total = 0.0, w = 1.0, mine = 0.0;
    for (int a = lo; a < hi; ++a, w *= oldest_age_ratio) {
        total += w;
        if (a == age) mine = w;
    }
    return mine / total;
}

// ---- households -------------------------------------------------------------

// Share of adults of each age group living in each household type
// (single = alone, couple = two adults without children, single_parent,
// couple_children). CAL-A gives the totals: ~20% of adults live alone and
// ~25% of families with children are single-parent; the age profile is an
// assumption shaped on Insee's "vivre seul" profile (living alone rises after
// 60 and reaches ~40% after 75) and on parents being mostly 30-59.
// assumption: the ~7% of adults in other arrangements (adult children at
// home, shared flats) are folded into the couple categories, because the
// model's households hold one or two adults.
// The generator rescales these so that the totals equal the scenario's
// living_alone_share and single_parent_share_of_families.
inline constexpr std::array<std::array<double, household_count>, age_group_count> household_share_by_age{{
    {0.16, 0.50, 0.04, 0.30},
    {0.14, 0.18, 0.09, 0.59},
    {0.15, 0.38, 0.07, 0.40},
    {0.22, 0.73, 0.01, 0.04},
    {0.42, 0.57, 0.005, 0.005},
}};

// ---- education ----------------------------------------------------------------

// Share (none/primary/lower secondary, upper secondary/vocational, higher)
// by age group. CAL-A (Insee/Eurostat): 25-64 -> 20/42/38 %, 65+ -> ~45% no
// diploma. assumption: the split across age groups follows the cohort rise
// of schooling; with the default age shares these tables give 20/43/38 %
// for 25-64 and 45% without diploma for 65+ (checked by tests/core/test_population.cpp).
inline constexpr std::array<std::array<double, education_count>, age_group_count> education_share_by_age{{
    {0.12, 0.45, 0.43},
    {0.13, 0.38, 0.49},
    {0.24, 0.45, 0.31},
    {0.36, 0.44, 0.20},
    {0.55, 0.32, 0.13},
}};

// ---- employment -----------------------------------------------------------------

// Retirement age distribution over 62..67 (the legal window after the 2023
// reform: 62 minimum, 67 full rate whatever the career).
// assumption: a third leave at the minimum age, the rest spread up to 67
// (mean ~63.7); Drees reports a mean age of first pension near 63.
inline constexpr int retirement_age_min = 62;
inline constexpr std::array<double, 6> retirement_age_share{0.33, 0.20, 0.18, 0.10, 0.05, 0.14};

// Labour-force participation (employed or unemployed) of non-retired adults by age.
// assumption: shaped on Insee activity rates 2022 (15-24: 42%, 25-49: 88%,
// 50-64: 68%), with 18-19 mostly students and the 60+ (not yet retired) half inactive.
constexpr double activity_rate(int age) {
    if (age < 20) return 0.30;
    if (age < 25) return 0.62;
    if (age < 30) return 0.87;
    if (age < 45) return 0.91;
    if (age < 55) return 0.90;
    if (age < 60) return 0.80;
    return 0.55;
}

// Relative unemployment risk by age and education; the generator scales them
// so that unemployment is PopulationParams::unemployment_rate (CAL-A, Insee
// 2023: 7.3% of the labour force) for the scenario's age structure.
// Source of the shape: Insee 2023 unemployment by age (15-24: 17.3%,
// 25-49: 6.7%, 50+: 5.1%) and by diploma (no diploma about twice the mean,
// higher education about 0.6 of it) — approx.
constexpr double unemployment_risk_age(int age) {
    if (age < 25) return 2.4;
    if (age < 30) return 1.4;
    if (age < 50) return 0.92;
    return 0.70;
}
inline constexpr std::array<double, education_count> unemployment_risk_education{1.8, 1.0, 0.6};
inline constexpr double max_unemployment_probability = 0.8;

// Monthly flows of the employment Markov chain (sim/core/life_events.cpp).
// assumption: a monthly job-finding rate of 9% gives a mean unemployment spell
// of about 11 months, the order of Dares' median registered spell; the
// job-loss rate of each citizen follows from it (see life_events.cpp).
inline constexpr double monthly_job_finding = 0.09;
// assumption: 0.5% of the labour force leaves it each month (illness, care,
// return to studies), re-entry rates follow from the activity rates.
inline constexpr double monthly_labour_force_exit = 0.005;

// ---- income ---------------------------------------------------------------------

// Income decile: latent = education + age + employment effects + logistic
// noise, cut at the population-wide deciles of the latent mixture (so that
// deciles are uniform for the default composition).
// assumption: effects on the logit scale chosen so that the no-diploma are
// about twice as likely as the mean to be in the bottom quintile, the
// unemployed mostly in the bottom three deciles and retirees near the median
// (Insee: retirees' standard of living is close to the population's).
inline constexpr std::array<double, education_count> income_effect_education{-0.9, 0.0, 0.9};
constexpr double income_effect_age(int age) {
    if (age < 25) return -0.6;
    if (age < 30) return -0.2;
    if (age < 45) return 0.1;
    if (age < 60) return 0.3;
    if (age < 75) return 0.2;
    return 0.0;
}
inline constexpr std::array<double, employment_count> income_effect_employment{0.3, -1.3, -0.7, 0.0};

// ---- territory ----------------------------------------------------------------------

// Zone types follow PopulationParams::territory_share (CAL-A, Insee density
// grid: dense 37%, intermediate 30%, rural 33% of people).
// Fixed broadband coverage by zone type, uniform in [lo, hi].
// assumption: Arcep 2023 puts FTTH coverage near 85% nationally, nearly
// complete in dense areas and lowest in rural ones.
inline constexpr std::array<std::array<double, 2>, territory_type_count> broadband_range{{
    {0.95, 1.00}, {0.85, 0.97}, {0.65, 0.90}}};
// km to the nearest public counter (CAF/CPAM/tax office) and to the nearest
// mediation site (France Services), uniform in [lo, hi].
// assumption: counters sit in towns; France Services (CAL-B: 2,840 sites, 63%
// rural) aim at 30 minutes' drive for everyone, hence 3-20 km in rural zones.
inline constexpr std::array<std::array<double, 2>, territory_type_count> counter_km_range{{
    {0.5, 3.0}, {2.0, 12.0}, {8.0, 35.0}}};
inline constexpr std::array<std::array<double, 2>, territory_type_count> mediation_km_range{{
    {0.5, 4.0}, {2.0, 10.0}, {3.0, 20.0}}};

// ---- tenants ---------------------------------------------------------------------------

// Household tenure: logistic latent of the household's first adult, cut so
// that PopulationParams::tenant_share of households rent (CAL-A: 42% of
// households, Insee housing). assumption: effects shaped on Insee tenure by
// age of the reference person (most under-30 rent, most over-60 own), by
// standard of living and by density (Paris and large cities mostly rent).
inline constexpr std::array<double, age_group_count> tenant_effect_age{1.8, 0.5, -0.2, -0.9, -0.9};
inline constexpr double tenant_effect_per_decile = -0.22;
inline constexpr std::array<double, territory_type_count> tenant_effect_territory{0.8, 0.0, -0.9};
inline constexpr std::array<double, household_count> tenant_effect_household{0.5, -0.2, 0.6, -0.2};

// Social housing: of all households, the share that rent from a social
// landlord (Insee Premiere n. 1715, 2018: the social stock is 16% of the
// occupied dwellings in 2016). The tenant households with the highest
// latent below are social tenants, the others rent from a private landlord.
// assumption: the latent falls with the standard of living and is higher
// for single parents, as the same source describes the social stock's
// occupants (median standard of living 15,100 euros against more for the
// rest of the population; poverty rate 35% against 23% for private tenants;
// single-parent families very present); the sizes of the effects are not
// fitted.
inline constexpr double social_tenant_share = 0.16;
inline constexpr double social_effect_per_decile = -0.35;
inline constexpr std::array<double, household_count> social_effect_household{0.0, -0.3, 0.8, 0.2};

// ---- equipment ------------------------------------------------------------------------

// Share with no equipment at all and with a smartphone only (no computer), by
// age group. CAL-A (Credoc/Arcep Baromètre du numérique 2022-2024): computer
// 89% (2024) and smartphone 87-91% of people; 70+: computer 69%, 16% no
// equipment at all. assumption: split by age group so that these hold with
// the default age shares (70+ = part of 60-74 and the 75+): overall none 6%,
// computer 87% of adults (within 2 points of the 89% of 2024; the 70+ keep
// their 69%, so the younger groups carry the rest: few of them have a
// smartphone and no computer).
inline constexpr std::array<double, age_group_count> equipment_none_by_age{0.01, 0.015, 0.03, 0.08, 0.20};
inline constexpr std::array<double, age_group_count> equipment_smartphone_only_by_age{0.03, 0.025, 0.04, 0.12, 0.15};
// Gradients inside an age group (logit scale). assumption: sized after the
// home-internet gaps of CAL-A (Insee Première 1780: 16% of the bottom income
// quintile without home internet vs 4% of the top; 34% of the no-diploma).
inline constexpr std::array<double, education_count> equipment_effect_education{-0.9, 0.0, 0.7};
inline constexpr double equipment_effect_per_decile = 0.22;

// ---- digital skill (illectronisme) ------------------------------------------------------

// Illectronisme by age group: digital skill below the scenario's
// illectronisme_threshold, or no equipment. CAL-A (Insee Première 1953, 2023):
// 15.4% of people overall, 62% of 75+, 2% of 15-24, over one in three of 60+.
// assumption: the middle groups (4%, 8%, 16%) are interpolated so that, with
// the default age shares, the total is 15.4% and the 60+ reach 34%.
inline constexpr std::array<double, age_group_count> illectronisme_by_age{0.02, 0.04, 0.08, 0.16, 0.62};
// Skill latent = age-group intercept (fitted) + education + income +
// equipment effects + normal noise; skill = logistic(latent).
// assumption: education effects sized to approach CAL-A's 49% of no-diploma
// vs 3% of higher-educated (Insee Références 2019, 2017 data) given the age
// mix of each education level. Achieved at 200k: 48% and 1.2% (the higher
// educated without any equipment already make 1.2%, and a smaller education
// effect would not raise it: the 2017 figure predates the 2021 age profile
// this model is fitted to); see docs/population.md.
inline constexpr std::array<double, education_count> skill_effect_education{-2.1, 0.0, 0.8};
inline constexpr double skill_effect_per_decile = 0.10;
inline constexpr std::array<double, equipment_count> skill_effect_equipment{-2.5, -0.8, 0.0};
inline constexpr double skill_noise_sd = 1.0;

// ---- literacy (illettrisme) -------------------------------------------------------------

// Literacy below this is "illettrisme" (a definition of this model).
inline constexpr double illettrisme_threshold = 0.3;
// Age bands [lower bounds] for the literacy targets.
inline constexpr std::array<int, 7> literacy_band_lower{18, 26, 36, 46, 56, 66, 76};
// Illettrisme by band. CAL-A (ANLCI/Insee IVQ 2011 and 2004): 7% of the
// 18-65 schooled in France; 4.5% of 18-25 vs 14% of 56-65 (2004).
// assumption: 12.5% for 56-65 (the 2011 survey found lower rates than 2004;
// within 2 points of 14%), the middle bands interpolated so that the 18-65
// total is ~7%; 15% and 20% beyond 65 (not surveyed; older cohorts left
// school earlier).
inline constexpr std::array<double, 7> illettrisme_by_band{0.045, 0.045, 0.055, 0.075, 0.125, 0.15, 0.20};
inline constexpr std::array<double, education_count> literacy_effect_education{-1.5, 0.0, 1.0};

constexpr int literacy_band_of(int age) {
    int b = 0;
    while (b + 1 < static_cast<int>(literacy_band_lower.size()) &&
           age >= literacy_band_lower[static_cast<std::size_t>(b + 1)])
        ++b;
    return b;
}

// ---- administrative literacy, trust, mobility ------------------------------------------

// assumption (docs/model.md, section 6.4): knowing institutions and procedures grows with age
// and education; the young are at ease online but lost in procedures
// (minimum income non-take-up is highest among 25-29 year-olds, Drees 2022),
// so 18-29 sit below 30-59 despite higher digital skill. Logit scale.
inline constexpr double admin_intercept = 0.2;
constexpr double admin_effect_age(int age) {
    if (age < 25) return -1.1;
    if (age < 30) return -0.6;
    if (age < 60) return 0.0;
    if (age < 75) return 0.2;
    return -0.1;
}
inline constexpr std::array<double, education_count> admin_effect_education{-0.8, 0.0, 0.8};
inline constexpr double admin_effect_literacy = 0.4;  // per unit of literacy latent
inline constexpr double admin_noise_sd = 0.7;

// assumption: trust in the administration centred near 0.55 (Cevipof
// barometer: about half trust the administration), lower for the unemployed
// and the poor, higher with education. Logit scale.
inline constexpr double trust_intercept = 0.2;
inline constexpr std::array<double, education_count> trust_effect_education{-0.2, 0.0, 0.2};
inline constexpr std::array<double, employment_count> trust_effect_employment{0.0, -0.4, -0.1, 0.1};
inline constexpr double trust_effect_per_decile = 0.05;
inline constexpr double trust_noise_sd = 0.8;

// Mobility. assumption: shaped on Insee/SDES (about 84% of households have a
// car, over 90% in rural areas, about 60% in dense cities): no practical
// means of travel for a few percent, more among the 75+ and the poorest;
// public transport as main mode by density.
inline constexpr double mobility_none_base = 0.02;
inline constexpr double mobility_none_75plus = 0.12;
inline constexpr double mobility_none_low_income = 0.04;  // deciles 1-2
inline constexpr std::array<double, territory_type_count> public_transport_share{0.40, 0.12, 0.04};

// Life course after 75 (docs/model.md 2.1). Yearly probability of dying
// (quotient de mortalité) at ages 60, 65, ..., 100: Insee, tables de
// mortalité du moment 2017-2019, France, rounded (approx.: men 2.9% at 75,
// 4.8% at 80, 8.8% at 85, 16% at 90, 27% at 95; women 1.6, 2.9, 5.8, 11.8,
// 22.5%). The model has no sex: the mean of men and women, as a partner is
// as often one as the other (assumption: couples of a man and a woman).
// Between the ages given, geometric interpolation.
inline constexpr int partner_mortality_first_age = 60;
inline constexpr int partner_mortality_step = 5;
inline constexpr std::array<double, 9> partner_mortality{0.0072, 0.0102, 0.0145, 0.0225, 0.0385,
                                                         0.0730, 0.1390, 0.2475, 0.3600};

}  // namespace demat::calibration
