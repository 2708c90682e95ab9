#include "core/segments.hpp"

namespace demat {

const std::array<DimensionInfo, dimension_count>& dimensions() {
    static const std::array<DimensionInfo, dimension_count> info{{
        {"age_group", {"18-29", "30-44", "45-59", "60-74", "75+"}, "age in years"},
        {"education", {"none_primary", "secondary", "higher"}, "highest diploma"},
        {"income_quintile", {"Q1", "Q2", "Q3", "Q4", "Q5"}, "income quintile, Q1 lowest"},
        {"capital_quintile", {"Q1", "Q2", "Q3", "Q4", "Q5"},
         "quintile of the capital score at the start of the run, Q1 lowest"},
        {"digital_skill", {"none", "low", "medium", "high"},
         "none = illectronisme (skill under the threshold or no equipment); low < 0.5; medium < 0.75; high"},
        {"territory", {"dense_urban", "intermediate", "rural"}, "type of the zone (Insee density grid)"},
        {"isolation", {"0-1", "2-4", "5+"}, "number of ties in the social network"},
        {"equipment", {"none", "smartphone_only", "computer"}, "digital equipment at home"},
        {"household_type", {"single", "couple", "single_parent", "couple_children", "other"},
         "family structure of the household: couple_children and single_parent with children under 18; "
         "other (several adults without a family) is folded into the couple types by the population and stays empty"},
        {"tenure", {"owner", "private_tenant", "social_tenant"},
         "tenure of the household's home: owner (or housed free), tenant of a private landlord, tenant of social housing"},
        {"agency_contact", {"none", "one", "two_or_more"},
         "number of other benefits received from the agency of the service (docs/model.md 6.15)"},
    }};
    return info;
}

namespace {
struct Offsets {
    std::array<int, dimension_count> start{};
    int total = 0;
    Offsets() {
        for (int d = 0; d < dimension_count; ++d) {
            start[static_cast<std::size_t>(d)] = total;
            total += static_cast<int>(dimensions()[static_cast<std::size_t>(d)].groups.size());
        }
    }
};
const Offsets& offsets() {
    static const Offsets o;
    return o;
}
}  // namespace

int total_groups() { return offsets().total; }

bool dimension_in_output(int d, bool agencies) { return agencies || d != static_cast<int>(Dimension::agency_contact); }
int group_offset(Dimension d) { return offsets().start[static_cast<std::size_t>(d)]; }

}  // namespace demat
