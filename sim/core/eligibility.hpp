// Structured eligibility rules (docs/model.md, section 5): no free-form code in scenarios.
#pragma once

#include "core/population.hpp"
#include "core/scenario.hpp"

namespace demat {

inline bool is_eligible(const Eligibility& rule, const Population& p, std::size_t c) {
    const int age = p.age[c];
    return age >= rule.age_min && age <= rule.age_max && p.income_decile[c] <= rule.income_decile_max &&
           (rule.employment_mask >> static_cast<int>(p.employment[c]) & 1u) != 0 &&
           (rule.household_mask >> static_cast<int>(p.household[c]) & 1u) != 0 &&
           (!rule.tenant_required || p.tenant[c] != 0);
}

}  // namespace demat
