// Eligibility spells: a claim starts or ends with eligibility (docs/model.md, section 5).
#include "core/engine/impl.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

namespace demat {

void Engine::Impl::update_eligibility(std::size_t c, int s, int day, Sink& sink) {
    Claim& k = claim(c, s);
    // A unit service's claim is its claimant's; the unit must be owed an
    // amount (docs/model.md 5.1-5.2).
    const bool eligible = is_eligible(service(s).eligibility, e.population_, c) && unit_eligible(c, s);
    const bool was = k.state != ClaimState::not_eligible;
    if (eligible == was) return;
    if (!eligible) {
        // Losing eligibility ends the claim; it is not non-take-up. Queue
        // entries left behind are skipped when they reach the front.
        transition(c, k, ClaimState::not_eligible, no_event);
        trace(c, s, TraceKind::lost_eligibility);
        // Knowing one's entitlement belongs to the spell: once it ends,
        // nothing tells the citizen they are entitled again.
        k.flags = 0;
        k.next_day = never;
        k.failures = 0;
        return;
    }
    k.eligible_since = static_cast<std::uint16_t>(day);
    k.failures = 0;
    trace(c, s, TraceKind::became_eligible);
    if (service(s).automatic) {
        k.flags |= claim_flag::knows;
        transition(c, k, ClaimState::submitted, no_event);
        k.channel = Channel::online;
        k.next_day = day_plus(day, service(s).processing_days);
    } else {  // a new spell: the entitlement is not known yet (its first
        // awareness candidate is drawn by the caller: see act_block)
        transition(c, k, ClaimState::unaware, no_event);
        k.next_day = never;
    }
    (void)sink;
}

}  // namespace demat
