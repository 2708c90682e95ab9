// Processing, wrongful rejection and appeal (docs/model.md, section 6.8).
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

void Engine::Impl::finish_processing(std::size_t c, int s, int day, Sink& sink) {
    Claim& k = claim(c, s);
    Population& p = e.population_;
    const ServiceParams& svc = service(s);
    const bool rec = recording();
    Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::processing);
    bool accepted;
    if (k.has(claim_flag::appealing)) {
        const bool won = rng.uniform() < b.appeal_success;
        if (won && rec) sink.counts.count(s, Event::appeals_won);
        // An appeal lodged before the service became automatic cannot end
        // in a rejection once the administration attributes the right.
        accepted = won || svc.automatic;
    } else {
        accepted = svc.automatic ||
                   rng.uniform() >= svc.channels[static_cast<std::size_t>(k.channel)].wrongful_rejection;
    }
    if (accepted) {
        if (!k.has(claim_flag::ever_received)) {
            if (rec) {
                sink.counts.count(s, Event::time_to_right_days, day - k.eligible_since);
                count_closure(c, s, ClosureMeasure::first_payments, sink);
            }
            transition(c, s, k, ClaimState::receiving, Event::first_payments, sink);
        } else {  // a right received before: paid again, no first payment
            transition(c, k, ClaimState::receiving, no_event);
        }
        trace(c, s, TraceKind::got_right);
        k.flags |= claim_flag::ever_received;
        k.flags &= static_cast<std::uint8_t>(~(claim_flag::reclaiming | claim_flag::appealing | claim_flag::control));
        k.next_day = svc.renewal_days > 0 ? day_plus(day, svc.renewal_days) : never;
        return;
    }
    if (rec) sink.counts.count(s, Event::rejections);
    trace(c, s, TraceKind::rejected);
    p.trust[c] -= static_cast<float>(b.trust_loss_rejection * p.trust[c]);
    const bool may_appeal = !k.has(claim_flag::appealing);
    k.flags &= static_cast<std::uint8_t>(~claim_flag::appealing);
    const double p_contest = contest_probability(b, e.capital_score_[c], p.trust[c]);
    if (may_appeal && rng.uniform() < p_contest) {
        k.flags |= claim_flag::appealing;
        transition(c, s, k, ClaimState::submitted, Event::appeals, sink);
        k.next_day = day_plus(day, svc.processing_days);
        trace(c, s, TraceKind::appealed);
        return;
    }
    transition(c, k, ClaimState::rejected, no_event);  // counted above as a rejection
    k.flags &= static_cast<std::uint8_t>(~claim_flag::reclaiming);
    k.next_day = day_plus(day, b.abandon_revisit_days);
}

}  // namespace demat
