// Renewal and interruption of a right (docs/model.md, section 6.9).
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

void Engine::Impl::interrupt(std::size_t c, int s, int day, Sink& sink) {
    Claim& k = claim(c, s);
    Population& p = e.population_;
    transition(c, s, k, ClaimState::interrupted, Event::interruptions, sink);
    k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted | claim_flag::renewing));
    k.failures = 0;
    k.next_day = day_plus(day, b.retry_days);
    p.trust[c] -= static_cast<float>(b.trust_loss_interruption * p.trust[c]);
    trace(c, s, TraceKind::interrupted);
}

void Engine::Impl::start_renewal(std::size_t c, int s, int day, Sink& sink) {
    Claim& k = claim(c, s);
    const ServiceParams& svc = service(s);
    if (svc.renewal_days <= 0) {
        k.next_day = never;
        return;
    }
    if (svc.automatic) {  // the administration renews on its own
        k.next_day = day_plus(day, svc.renewal_days);
        return;
    }
    k.flags |= claim_flag::renewing;
    k.flags &= static_cast<std::uint8_t>(~claim_flag::assisted);
    k.failures = 0;
    k.episode_start = static_cast<std::uint16_t>(day);
    procedure_step(c, s, day, sink);
}

}  // namespace demat
