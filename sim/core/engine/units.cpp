// Benefit units and differential amounts (docs/model.md, sections 5.1-5.2):
// who is eligible for a unit service, the amount at stake, and the money
// left unclaimed.
#include "core/engine/impl.hpp"

#include "core/amounts.hpp"

#include <algorithm>
#include <cmath>

namespace demat {

// The service's monthly_amount (flat), or the unit's differential amount:
// its composition's ceiling minus resources placed by income rank among
// the eligible deciles, with a lasting draw for the place inside the
// decile (Purpose::unit_resources), so that the amount moves only with the
// income decile.
double Engine::Impl::unit_amount(std::size_t c, int s) const {
    const ServiceParams& svc = service(s);
    if (svc.amount_rule == AmountRule::flat) return svc.monthly_amount;
    const Population& p = e.population_;
    const UnitComposition unit = e.households_.composition(c, svc.unit, svc.amount_rule);
    const int zone = amounts::housing_zone(p.zones[p.zone_of(c)].type);
    const double within = (static_cast<double>(lasting_index(seed(), c, Purpose::unit_resources)) + 0.5) /
                          static_cast<double>(lasting_quantile_count);
    const int deciles = std::max(1, svc.eligibility.income_decile_max);
    const double position = std::min((p.income_decile[c] - 1 + within) / deciles, 1.0);
    return amounts::amount(svc.amount_rule, unit, zone, amounts::resources_at(svc.amount_rule, unit, zone, position));
}

// Beyond the personal rule: the claim of a unit service is its claimant's
// alone (the other adult is represented), and the unit is owed an amount.
bool Engine::Impl::unit_eligible(std::size_t c, int s) const {
    if (e.households_.is_represented(c, s)) return false;
    return service(s).amount_rule == AmountRule::flat || unit_amount(c, s) > 0.0;
}

std::uint8_t Engine::Impl::differential_services() const {
    std::uint8_t mask = 0;
    for (int s = 0; s < services; ++s)
        if (sc.services[static_cast<std::size_t>(s)].amount_rule != AmountRule::flat) mask |= static_cast<std::uint8_t>(1u << s);
    return mask;
}

// /metrics/unclaimed_euros of differential services: the sum of the
// eligible units' amounts not received, in cents so that the sum is exact
// whatever the order of the blocks.
void Engine::Impl::count_unclaimed(std::size_t begin, std::size_t end, DayCounts& out) const {
    const std::uint8_t differential = differential_services();
    if (differential == 0) return;
    for (std::size_t c = begin; c < end; ++c)
        for (int s = 0; s < services; ++s) {
            if ((differential >> s & 1u) == 0) continue;
            const Claim& k = store.claims[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
            if (k.state == ClaimState::not_eligible || k.state == ClaimState::receiving) continue;
            out.unclaimed_cents[static_cast<std::size_t>(s)] += std::llround(100.0 * unit_amount(c, s));
        }
}

double Engine::amount_at_stake(std::size_t citizen, int service) const { return impl_->unit_amount(citizen, service); }

}  // namespace demat
