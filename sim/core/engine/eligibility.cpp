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
    // A unit service's claim is its claimant's; the unit must be owed an
    // amount (docs/model.md 5.1-5.2).
    // Nobody who died (life course, engine/life_course.cpp) is eligible.
    const bool eligible = !gone(c) && is_eligible(service(s).eligibility, e.population_, c) && unit_eligible(c, s);
    // Most checks find the spell going on (or none beginning): that is
    // seen here, before a context is built (the mechanism checks it too).
    if (eligible == (claim(c, s).state != ClaimState::not_eligible)) return;
    switch (mechanism::update_eligibility(day_context(day, sink), service(s), c, s, eligible)) {
        case mechanism::SpellChange::ended: trace(c, s, TraceKind::lost_eligibility); break;
        case mechanism::SpellChange::started: trace(c, s, TraceKind::became_eligible); break;
        case mechanism::SpellChange::none: break;
    }
}

mechanism::SpellChange mechanism::update_eligibility(const DayContext& day, const ServiceParams& svc, std::size_t c,
                                                     int s, bool eligible) {
    Claim& k = day.store.claim(c, s);
    const bool was = k.state != ClaimState::not_eligible;
    if (eligible == was) return SpellChange::none;
    if (!eligible) {
        // Losing eligibility ends the claim; it is not non-take-up. Queue
        // entries left behind are skipped when they reach the front.
        day.transition(c, k, ClaimState::not_eligible, no_event);
        // Knowing one's entitlement belongs to the spell: once it ends,
        // nothing tells the citizen they are entitled again.
        k.flags = 0;
        k.doubts = false;
        k.next_day = never;
        k.failures = 0;
        return SpellChange::ended;
    }
    k.eligible_since = static_cast<std::uint16_t>(day.day);
    k.failures = 0;
    if (svc.automatic) {
        k.flags |= claim_flag::knows;
        day.transition(c, k, ClaimState::submitted, no_event);
        k.channel = Channel::online;
        k.next_day = day_plus(day.day, svc.processing_days);
    } else {  // a new spell: the entitlement is not known yet (its first
        // awareness candidate is drawn by the caller: see act_block)
        day.transition(c, k, ClaimState::unaware, no_event);
        k.next_day = never;
    }
    return SpellChange::started;
}

}  // namespace demat
