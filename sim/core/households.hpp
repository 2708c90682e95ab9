// Benefit units (docs/model.md, section 5.1): the households of the
// population as the services that are claimed per couple or per household
// see them. Built once from the population's household ids, only when a
// service asks for it (uses_households); otherwise empty and nothing here
// draws a number.
#pragma once

#include "core/amounts.hpp"
#include "core/executor.hpp"
#include "core/population.hpp"
#include "core/scenario.hpp"
#include "core/state_visitor.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace demat {

// Children are counts, not agents, by age band: under 3, 3-11, 12-17.
inline constexpr int child_band_count = 3;

// A citizen's place in their household.
enum class HouseholdRole : std::uint8_t { alone = 0, reference = 1, partner = 2 };

// The published marginals the children generator targets (docs/population.md,
// "Children"; Insee, census 2020, families with children under 18; approx.):
// share of families with 1, 2, 3 and 4 children under 18.
inline constexpr std::array<double, 4> children_count_share{0.45, 0.39, 0.12, 0.04};
// With population.household_marginals = "published", the same by family type:
// couples with children, then single parents. Assumption, constrained by
// two published facts: their mix over the published families (24.8% of
// households couples with children, 10.3% single parents) stays within one
// point of children_count_share, and single-parent families most often host
// one child and fewer children than couples (Insee Focus n° 249, 2021: 1.8
// children on average against 1.9 in "traditional" and 2.4 in blended
// couple families). Together with the household types they give the
// published household sizes (docs/population.md, "Children").
inline constexpr std::array<std::array<double, 4>, 2> children_count_share_by_type{{
    {0.40, 0.42, 0.14, 0.04},
    {0.57, 0.31, 0.09, 0.03},
}};
// Band of each child by the reference person's age group (18-29, 30-44,
// 45-59, 60-74, 75+). Assumption, shaped so that the children's bands come
// out near their shares of the under-18 population (Insee, population by
// age 2024: 15.5% under 3, 49.5% 3-11, 35% 12-17).
inline constexpr std::array<std::array<double, child_band_count>, 5> child_band_by_head_age{{
    {0.45, 0.50, 0.05},
    {0.15, 0.65, 0.20},
    {0.04, 0.36, 0.60},
    {0.00, 0.20, 0.80},
    {0.00, 0.10, 0.90},
}};
// Published household marginals the population is checked against
// (tests/core/test_households.cpp; docs/population.md, "Children"): Insee,
// census 2020, households by family structure and by size (approx.). Types
// in Household's order (single, couple, single_parent, couple_children),
// renormalised without the ~3% of "other" households (several people
// without a family), which the model folds into the couple categories.
inline constexpr std::array<double, 4> household_type_share{0.381, 0.268, 0.103, 0.248};
// Households of 1, 2, 3, 4 and 5 or more persons.
inline constexpr std::array<double, 5> household_size_share{0.370, 0.330, 0.130, 0.110, 0.060};
// The claimant rule's stochastic part: sd of the normal noise added to
// admin_literacy x digital_skill (assumption: ability decides between
// spouses of clearly different skills, chance between close ones).
inline constexpr double claimant_noise_sd = 0.1;

struct Households {
    std::vector<HouseholdRole> role;       // per citizen
    std::vector<std::uint8_t> children;    // per citizen, child_band_count counts (their household's)
    std::vector<std::uint8_t> represented; // per citizen: bit s = another adult claims service s for the unit

    bool empty() const { return role.empty(); }
    bool is_represented(std::size_t c, int s) const { return !represented.empty() && (represented[c] >> s & 1u) != 0; }
    std::array<int, child_band_count> children_of(std::size_t c) const {
        return {children[3 * c], children[3 * c + 1], children[3 * c + 2]};
    }
    // Adults in the citizen's household (1 or 2).
    int adults(std::size_t c) const { return role[c] == HouseholdRole::alone ? 1 : 2; }
    // The other adult of a two-adult household (its adults are contiguous).
    std::size_t partner_of(std::size_t c) const { return role[c] == HouseholdRole::reference ? c + 1 : c - 1; }
    // The composition a service's amount is computed for (docs/model.md 5.2):
    // an individual unit is the citizen alone, except for the old-age
    // minimum, whose scale is set per couple; a couple unit is its adults; a
    // household unit adds the children.
    UnitComposition composition(std::size_t c, BenefitUnit unit, AmountRule rule) const;

    void visit_state(StateVisitor& visit);
    std::size_t memory_bytes() const;
};

// The household of each citizen of [first, first + count), without household
// ids (freed once the network is built): the population generator lays out
// each zone's households in order, a couple or couple_children on two
// consecutive places, never across a zone's end (core/population.cpp), so a
// walk from the first citizen's zone start finds every household's first
// adult. id[i] is that first adult's index (the household id of
// Population::household_id), role[i] the citizen's place.
void household_positions(const Population& population, std::size_t first, std::size_t count, std::uint32_t* id,
                         HouseholdRole* role);

// True if a service of the scenario is claimed per unit, has a differential
// amount or is run by the family benefits agency (children count there).
bool uses_households(const Scenario& scenario);

// Children of a family household whose reference person is `head_age`
// years old, drawn from Purpose::children for household `id` (its first
// adult). Households without children get none.
// With HouseholdMarginals::published the number of children follows
// children_count_share_by_type, else children_count_share.
std::array<std::uint8_t, child_band_count> draw_children(std::uint64_t seed, std::uint32_t id, Household type, int head_age,
                                                         HouseholdMarginals marginals = HouseholdMarginals::legacy);

// The adult of a two-adult household who claims service s for the unit
// (docs/model.md 5.1): the higher admin_literacy x digital_skill plus
// normal noise (sd claimant_noise_sd) from Purpose::claimant, keyed by
// (household, service). Returns 0 for the reference person, 1 for the partner.
int draw_claimant(std::uint64_t seed, std::uint32_t id, int s, double ability_reference, double ability_partner);

// Builds the units from the population's household ids (which must still be
// there). Deterministic in (scenario, population), whatever the executor.
Households build_households(const Scenario& scenario, const Population& population, Executor& executor);

}  // namespace demat
