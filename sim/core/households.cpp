// Benefit units (docs/model.md, section 5.1): household roles, children by
// age band and who claims for the unit.
#include "core/households.hpp"

#include "core/rng.hpp"
#include "core/segments.hpp"

#include <algorithm>

namespace demat {

namespace {

template <std::size_t N>
int pick(const std::array<double, N>& weights, double u) {
    double total = 0.0;
    for (const double w : weights) total += w;
    double cumulative = 0.0;
    for (std::size_t i = 0; i + 1 < N; ++i) {
        cumulative += weights[i] / total;
        if (u < cumulative) return static_cast<int>(i);
    }
    return static_cast<int>(N) - 1;
}

}  // namespace

bool uses_households(const Scenario& scenario) {
    for (const ServiceParams& s : scenario.services)
        // The family benefits agency knows families through the children (docs/model.md 6.15).
        if (s.unit != BenefitUnit::individual || s.amount_rule != AmountRule::flat || s.agency == Agency::family_benefits)
            return true;
    return false;
}

std::array<std::uint8_t, child_band_count> draw_children(std::uint64_t seed, std::uint32_t id, Household type, int head_age,
                                                         HouseholdMarginals marginals) {
    std::array<std::uint8_t, child_band_count> bands{};
    if (type != Household::single_parent && type != Household::couple_children) return bands;
    Stream rng(seed, id, 0, Purpose::children);
    const auto& counts = marginals == HouseholdMarginals::published
                             ? children_count_share_by_type[type == Household::couple_children ? 0 : 1]
                             : children_count_share;
    const int n = 1 + pick(counts, rng.uniform());
    const auto& by_band = child_band_by_head_age[age_group_of(head_age)];
    for (int i = 0; i < n; ++i) bands[static_cast<std::size_t>(pick(by_band, rng.uniform()))] += 1;
    return bands;
}

int draw_claimant(std::uint64_t seed, std::uint32_t id, int s, double ability_reference, double ability_partner) {
    const auto w = Rng::block(seed, id, 0, Purpose::claimant, static_cast<std::uint32_t>(s));
    const double reference = ability_reference + claimant_noise_sd * Rng::normal(w[0], w[1]);
    const double partner = ability_partner + claimant_noise_sd * Rng::normal(w[2], w[3]);
    return partner > reference ? 1 : 0;  // a tie goes to the reference person
}

UnitComposition Households::composition(std::size_t c, BenefitUnit unit, AmountRule rule) const {
    UnitComposition u;
    if (unit == BenefitUnit::individual) {
        if (rule == AmountRule::old_age_minimum) u.adults = adults(c);
        return u;
    }
    u.adults = adults(c);
    if (unit == BenefitUnit::household) {
        const auto kids = children_of(c);
        for (int b = 0; b < child_band_count; ++b) u.children[static_cast<std::size_t>(b)] = kids[static_cast<std::size_t>(b)];
    }
    return u;
}

void household_positions(const Population& p, std::size_t first, std::size_t count, std::uint32_t* id,
                         HouseholdRole* role) {
    if (count == 0) return;
    const std::size_t end = first + count;
    std::size_t c = p.zones[p.zone_of(first)].first_citizen;
    while (c < end) {
        const Household type = p.household[c];
        const bool two = (type == Household::couple || type == Household::couple_children) && c + 1 < p.size();
        for (std::size_t k = 0; k < (two ? 2u : 1u); ++k) {
            const std::size_t at = c + k;
            if (at < first || at >= end) continue;
            id[at - first] = static_cast<std::uint32_t>(c);
            role[at - first] = !two ? HouseholdRole::alone : k == 0 ? HouseholdRole::reference : HouseholdRole::partner;
        }
        c += two ? 2 : 1;
    }
}

Households build_households(const Scenario& scenario, const Population& p, Executor& executor) {
    Households h;
    const std::size_t n = p.size();
    h.role.assign(n, HouseholdRole::alone);
    h.children.assign(3 * n, 0);
    h.represented.assign(n, 0);
    const int services = static_cast<int>(scenario.services.size());
    auto ability = [&](std::size_t c) { return static_cast<double>(p.admin_literacy[c]) * p.digital_skill[c]; };
    executor.for_each_block(block_count(n), [&](std::size_t blk) {
        const std::size_t end = std::min(n, (blk + 1) * block_size);
        for (std::size_t c = blk * block_size; c < end; ++c) {
            const std::uint32_t id = p.household_id[c];
            const bool second = id != c;
            const bool first_of_two = !second && c + 1 < n && p.household_id[c + 1] == id;
            h.role[c] = second ? HouseholdRole::partner : first_of_two ? HouseholdRole::reference : HouseholdRole::alone;
            const auto kids = draw_children(scenario.seed, id, p.household[c], p.age[id], scenario.population.household_marginals);
            std::copy(kids.begin(), kids.end(), h.children.begin() + static_cast<std::ptrdiff_t>(3 * c));
            if (h.role[c] == HouseholdRole::alone) continue;
            for (int s = 0; s < services; ++s) {
                if (scenario.services[static_cast<std::size_t>(s)].unit == BenefitUnit::individual) continue;
                const int claimant = draw_claimant(scenario.seed, id, s, ability(id), ability(id + 1));
                if (claimant != (second ? 1 : 0)) h.represented[c] |= static_cast<std::uint8_t>(1u << s);
            }
        }
    });
    return h;
}

void Households::visit_state(StateVisitor& visit) {
    visit("households.role", role);
    visit("households.children", children);
    visit("households.represented", represented);
}

std::size_t Households::memory_bytes() const {
    return role.capacity() * sizeof(HouseholdRole) + children.capacity() + represented.capacity();
}

}  // namespace demat
