// The segments of docs/output.md (/segments): the axes along which every count is broken down.
#pragma once

#include "core/population.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace demat {

enum class Dimension : std::uint8_t {
    age_group = 0,
    education,
    income_quintile,
    capital_quintile,
    digital_skill,
    territory,
    isolation,
    equipment,
    household_type,
    tenure,
    // Per claim rather than per citizen: the number of other benefits the
    // citizen receives from the agency of the service (docs/model.md 6.15).
    // In the output only when a service names an agency (has_agency_segment).
    agency_contact,
};
inline constexpr int dimension_count = 11;

struct DimensionInfo {
    std::string name;
    std::vector<std::string> groups;
    std::string description;
};

const std::array<DimensionInfo, dimension_count>& dimensions();

// Whether dimension d is in the outputs of a scenario: every dimension but
// agency_contact, which is there only when a service names an agency.
bool dimension_in_output(int d, bool agencies);

// Total number of groups over all dimensions, and where each dimension's
// groups start in a flat [group] index.
int total_groups();
int group_offset(Dimension d);

// Digital-skill level: "none" is illectronisme (skill under the threshold,
// or no equipment); then low / medium / high.
inline std::uint8_t digital_skill_level(float skill, Equipment equipment, double illectronisme_threshold) {
    if (equipment == Equipment::none || skill < illectronisme_threshold) return 0;
    if (skill < 0.5f) return 1;
    if (skill < 0.75f) return 2;
    return 3;
}

inline std::uint8_t age_group_of(int age) {
    if (age < 30) return 0;
    if (age < 45) return 1;
    if (age < 60) return 2;
    if (age < 75) return 3;
    return 4;
}

// household_type's groups are Household's codes, plus "other" (several
// adults without a family), which the population generator folds into the
// couple types (core/households.hpp, household_type_share): the group stays
// in the output, empty, so that the contract does not depend on the model.
inline constexpr int household_type_other = 4;

inline std::uint8_t isolation_level(std::uint32_t degree) { return degree <= 1 ? 0 : (degree <= 4 ? 1 : 2); }

}  // namespace demat
