// Differential amounts (docs/model.md, section 5.2; scales and sources in
// docs/amounts.md): amount = a ceiling set by the unit's composition minus
// the unit's resources, not paid under a minimum. Monthly euros, 2024 scales.
// Pure functions: the engine (engine/units.cpp) and the tests call them.
#pragma once

#include "core/scenario.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace demat {

// The people a unit's amount is computed for: its adults (1 or 2) and its
// children by age band (under 3, 3-11, 12-17).
struct UnitComposition {
    int adults = 1;
    std::array<int, 3> children{};
    int children_total() const { return children[0] + children[1] + children[2]; }
    int persons() const { return adults + children_total(); }
    // Simplification (docs/model.md 5.2): the lone-parent supplement
    // (majoration pour isolement) is paid to a lone parent with a child under
    // 3; the 12 months after a separation are not modelled.
    bool lone_parent_supplement() const { return adults == 1 && children[0] > 0; }
};

namespace amounts {

// ---- minimum income: revenu de solidarite active (RSA), from 1 April 2024 (CAF, service-public.fr)
inline constexpr double minimum_income_base = 635.71;          // one person
inline constexpr double minimum_income_minimum_payment = 6.0;  // not paid under 6 EUR
// Forfait logement (housing deduction) by number of persons: 1, 2, 3 or more.
inline constexpr std::array<double, 3> minimum_income_housing_deduction{76.29, 152.57, 188.82};

// ---- in-work benefit: prime d'activite, from 1 April 2024 (CAF, service-public.fr)
inline constexpr double in_work_base = 622.63;
inline constexpr double in_work_earnings_share = 0.61;          // 61% of earnings are added
inline constexpr double in_work_bonus_max = 184.27;             // individual bonus (bonification individuelle)
inline constexpr double in_work_bonus_start = 699.35;           // approx.: 0.5 x net SMIC
inline constexpr double in_work_bonus_full = 1118.95;           // approx.: 0.8 x net SMIC
inline constexpr double in_work_minimum_payment = 15.0;         // not paid under 15 EUR
inline constexpr std::array<double, 3> in_work_housing_deduction{74.72, 149.43, 184.93};  // approx.

// ---- housing benefit: aide personnalisee au logement (APL), tenants, from 1 October 2023
// Rent ceilings (loyers plafonds) by zone I, II, III: one person, a couple,
// one or two adults with one child, and each further child.
inline constexpr std::array<double, 3> housing_rent_single{319.30, 278.28, 260.82};
inline constexpr std::array<double, 3> housing_rent_couple{385.09, 340.62, 316.17};
inline constexpr std::array<double, 3> housing_rent_one_child{435.24, 383.14, 354.43};
inline constexpr std::array<double, 3> housing_rent_per_child{63.13, 55.77, 50.81};
inline constexpr double housing_charges_base = 57.71;       // approx.: flat charges, one or two adults
inline constexpr double housing_charges_per_child = 13.08;  // approx.
inline constexpr double housing_participation_share = 0.085;  // P0 = max(8.5% x (L + C), floor)
inline constexpr double housing_participation_floor = 39.78;  // approx.
inline constexpr double housing_resources_rate = 0.30;  // approx.: Tp, the share of resources the tenant pays
inline constexpr double housing_minimum_payment = 10.0;  // not paid under 10 EUR

// ---- old-age minimum: allocation de solidarite aux personnes agees (ASPA), 1 January 2024
inline constexpr double old_age_single = 1012.02;
inline constexpr double old_age_couple = 1571.16;

// RSA and prime d'activite composition factor (same majorations): +50% for
// the second person, +30% for each of the first two children not already the
// second person, +40% for each child from the third.
inline double composition_factor(const UnitComposition& u) {
    const int n = u.children_total();
    const int second = u.persons() >= 2 ? 1 : 0;
    const int first_two = std::min(n, 2) - ((u.adults == 1 && n >= 1) ? 1 : 0);
    return 1.0 + 0.5 * second + 0.3 * first_two + 0.4 * std::max(n - 2, 0);
}

// Lone-parent rate (RSA / prime d'activite majore): 128.412% of the base
// plus 42.804% per child.
inline double lone_parent_factor(const UnitComposition& u) { return 1.28412 + 0.42804 * u.children_total(); }

inline double deduction(const std::array<double, 3>& by_persons, const UnitComposition& u) {
    return by_persons[static_cast<std::size_t>(std::clamp(u.persons(), 1, 3) - 1)];
}

// The guaranteed amount before resources (the ceiling), per month.
inline double minimum_income_ceiling(const UnitComposition& u) {
    const double factor = u.lone_parent_supplement() ? lone_parent_factor(u) : composition_factor(u);
    return minimum_income_base * factor - deduction(minimum_income_housing_deduction, u);
}

inline double in_work_forfait(const UnitComposition& u) {
    return in_work_base * (u.lone_parent_supplement() ? lone_parent_factor(u) : composition_factor(u));
}

inline double in_work_bonus(double earnings) {
    if (earnings <= in_work_bonus_start) return 0.0;
    if (earnings >= in_work_bonus_full) return in_work_bonus_max;
    return in_work_bonus_max * (earnings - in_work_bonus_start) / (in_work_bonus_full - in_work_bonus_start);
}

// Housing zone (I, II, III as 0, 1, 2) of a territory type. Assumption
// (docs/model.md 5.2): dense urban areas are zone II (the large
// agglomerations), the others zone III; zone I (Paris area) is not separated.
inline int housing_zone(TerritoryType t) { return t == TerritoryType::dense_urban ? 1 : 2; }

inline double housing_rent_ceiling(const UnitComposition& u, int zone) {
    const auto z = static_cast<std::size_t>(zone);
    const int n = u.children_total();
    if (n == 0) return u.adults >= 2 ? housing_rent_couple[z] : housing_rent_single[z];
    return housing_rent_one_child[z] + housing_rent_per_child[z] * (n - 1);
}

// Assumption (docs/model.md 5.2): the rent is at or above the ceiling, so
// L is the ceiling.
inline double housing_before_participation(const UnitComposition& u, int zone) {
    return housing_rent_ceiling(u, zone) + housing_charges_base + housing_charges_per_child * u.children_total();
}

inline double housing_base_participation(const UnitComposition& u, int zone) {
    return std::max(housing_participation_share * housing_before_participation(u, zone), housing_participation_floor);
}

// Old-age minimum ceiling per person: the single rate, or half the couple's
// (simplification: both spouses are taken as beneficiaries).
inline double old_age_ceiling(const UnitComposition& u) {
    return u.adults >= 2 ? old_age_couple / 2.0 : old_age_single;
}

inline double minimum_payment(AmountRule rule) {
    switch (rule) {
        case AmountRule::minimum_income: return minimum_income_minimum_payment;
        case AmountRule::in_work_benefit: return in_work_minimum_payment;
        case AmountRule::housing_benefit: return housing_minimum_payment;
        case AmountRule::old_age_minimum:
        case AmountRule::flat: break;
    }
    return 0.0;
}

// The amount before the minimum payment, for monthly resources (earnings
// for the in-work benefit). Can be negative.
inline double raw_amount(AmountRule rule, const UnitComposition& u, int zone, double resources) {
    switch (rule) {
        case AmountRule::minimum_income: return minimum_income_ceiling(u) - resources;
        case AmountRule::in_work_benefit: {
            const double forfait = in_work_forfait(u);
            const double housing = deduction(in_work_housing_deduction, u);
            return forfait + in_work_earnings_share * resources + in_work_bonus(resources) -
                   std::max(forfait, resources + housing);
        }
        case AmountRule::housing_benefit:
            return housing_before_participation(u, zone) - housing_base_participation(u, zone) -
                   housing_resources_rate * resources;
        case AmountRule::old_age_minimum: return old_age_ceiling(u) - resources;
        case AmountRule::flat: break;
    }
    return 0.0;
}

// The monthly amount paid: raw_amount, or 0 under the minimum payment
// (and 0 when nothing is due).
inline double amount(AmountRule rule, const UnitComposition& u, int zone, double resources) {
    const double a = raw_amount(rule, u, zone, resources);
    return a > 0.0 && a >= minimum_payment(rule) ? a : 0.0;
}

// The range of monthly resources [low, high] over which the amount is paid
// (at least the minimum payment), where a unit's income rank places it
// (docs/model.md 5.2). Closed forms of the scales above.
struct ResourceRange {
    double low = 0.0, high = 0.0;
};
inline ResourceRange paid_range(AmountRule rule, const UnitComposition& u, int zone) {
    const double m = minimum_payment(rule);
    switch (rule) {
        case AmountRule::minimum_income: return {0.0, minimum_income_ceiling(u) - m};
        case AmountRule::in_work_benefit: {
            // Rising part: 61% of earnings while earnings + housing deduction
            // stay under the forfait (no bonus there: the forfait minus the
            // deduction is under the bonus start); falling part past the full
            // bonus, at 1 - 61% per euro.
            const double forfait = in_work_forfait(u);
            const double housing = deduction(in_work_housing_deduction, u);
            return {m / in_work_earnings_share,
                    (forfait + in_work_bonus_max - housing - m) / (1.0 - in_work_earnings_share)};
        }
        case AmountRule::housing_benefit:
            return {0.0, (housing_before_participation(u, zone) - housing_base_participation(u, zone) - m) /
                             housing_resources_rate};
        case AmountRule::old_age_minimum: return {0.0, old_age_ceiling(u)};
        case AmountRule::flat: break;
    }
    return {};
}

// Assumption (docs/model.md 5.2): the model has income deciles, not euros;
// a unit at income rank `position` in [0, 1) among the eligible deciles has
// resources at that position of the paid range.
inline double resources_at(AmountRule rule, const UnitComposition& u, int zone, double position) {
    const ResourceRange r = paid_range(rule, u, zone);
    return r.low + position * (r.high - r.low);
}

}  // namespace amounts
}  // namespace demat
