// Renewal and interruption of a right (docs/model.md, section 6.9).
#include "core/engine/impl.hpp"
#include "core/engine/renewal.hpp"

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

void Engine::Impl::interrupt(std::size_t c, int s, int day, Sink& sink) {
    mechanism::interrupt(day_context(day, sink), e.population_.trust, c, s);
    trace(c, s, TraceKind::interrupted);
}

// The citizen may claim again after retry_days, as a new claim (decide
// reads the interrupted state); the interruption costs a share of trust.
void mechanism::interrupt(const DayContext& day, std::vector<float>& trust, std::size_t c, int s) {
    Claim& k = day.store.claim(c, s);
    const BehaviourParams& b = day.b;
    day.transition(c, s, k, ClaimState::interrupted, Event::interruptions);
    k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted | claim_flag::renewing));
    k.failures = 0;
    k.next_day = day_plus(day.day, b.retry_days);
    trust[c] -= static_cast<float>(b.trust_loss_interruption * trust[c]);
}

void Engine::Impl::start_renewal(std::size_t c, int s, int day, Sink& sink) {
    if (mechanism::start_renewal(day_context(day, sink), service(s), c, s) == mechanism::RenewalStart::declaration)
        procedure_step(c, s, day, sink);
}

mechanism::RenewalStart mechanism::start_renewal(const DayContext& day, const ServiceParams& svc, std::size_t c, int s) {
    Claim& k = day.store.claim(c, s);
    if (svc.renewal_days <= 0) {
        k.next_day = never;
        return RenewalStart::none;
    }
    if (svc.automatic) {  // the administration renews on its own
        k.next_day = day_plus(day.day, svc.renewal_days);
        return RenewalStart::automatic;
    }
    k.flags |= claim_flag::renewing;
    k.flags &= static_cast<std::uint8_t>(~claim_flag::assisted);
    k.failures = 0;
    k.episode_start = static_cast<std::uint16_t>(day.day);
    return RenewalStart::declaration;
}

}  // namespace demat
