// Processing, wrongful rejection and appeal (docs/model.md, section 6.8).
#include "core/engine/impl.hpp"
#include "core/engine/processing.hpp"

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
    Population& p = e.population_;
    const mechanism::Processed result =
        mechanism::finish_processing(day_context(day, sink), service(s), seed(), p.trust, e.capital_score_[c], c, s);
    switch (result) {
        case mechanism::Processed::first_payment:
            if (recording()) count_closure(c, s, ClosureMeasure::first_payments, sink);
            [[fallthrough]];
        case mechanism::Processed::paid_again: trace(c, s, TraceKind::got_right); break;
        case mechanism::Processed::appealed:
            trace(c, s, TraceKind::rejected);
            trace(c, s, TraceKind::appealed);
            break;
        case mechanism::Processed::rejected: trace(c, s, TraceKind::rejected); break;
    }
}

// Accepted, or wrongfully rejected with the channel's probability; a
// rejection may be appealed once, and the appeal won with appeal_success.
mechanism::Processed mechanism::finish_processing(const DayContext& day, const ServiceParams& svc, std::uint64_t seed,
                                                  std::vector<float>& trust, double capital, std::size_t c, int s) {
    Claim& k = day.store.claim(c, s);
    const BehaviourParams& b = day.b;
    const bool rec = day.recording;
    Stream rng(seed, Rng::claim_subject(c, s), static_cast<std::uint32_t>(day.day), Purpose::processing);
    bool accepted;
    if (k.has(claim_flag::appealing)) {
        const bool won = rng.uniform() < b.appeal_success;
        if (won && rec) day.counts->count(s, Event::appeals_won);
        // An appeal lodged before the service became automatic cannot end
        // in a rejection once the administration attributes the right.
        accepted = won || svc.automatic;
    } else {
        accepted = svc.automatic ||
                   rng.uniform() >= svc.channels[static_cast<std::size_t>(k.channel)].wrongful_rejection;
    }
    if (accepted) {
        Processed result = Processed::paid_again;
        if (!k.has(claim_flag::ever_received)) {
            if (rec) day.counts->count(s, Event::time_to_right_days, day.day - k.eligible_since);
            day.transition(c, s, k, ClaimState::receiving, Event::first_payments);
            result = Processed::first_payment;
        } else {  // a right received before: paid again, no first payment
            day.transition(c, k, ClaimState::receiving, no_event);
        }
        k.flags |= claim_flag::ever_received;
        k.flags &= static_cast<std::uint8_t>(~(claim_flag::reclaiming | claim_flag::appealing | claim_flag::control));
        k.next_day = svc.renewal_days > 0 ? day_plus(day.day, svc.renewal_days) : never;
        return result;
    }
    if (rec) day.counts->count(s, Event::rejections);
    trust[c] -= static_cast<float>(b.trust_loss_rejection * trust[c]);
    const bool may_appeal = !k.has(claim_flag::appealing);
    k.flags &= static_cast<std::uint8_t>(~claim_flag::appealing);
    const double p_contest = contest_probability(b, capital, trust[c]);
    if (may_appeal && rng.uniform() < p_contest) {
        k.flags |= claim_flag::appealing;
        day.transition(c, s, k, ClaimState::submitted, Event::appeals);
        k.next_day = day_plus(day.day, svc.processing_days);
        return Processed::appealed;
    }
    day.transition(c, k, ClaimState::rejected, no_event);  // counted above as a rejection
    k.flags &= static_cast<std::uint8_t>(~claim_flag::reclaiming);
    k.next_day = day_plus(day.day, b.abandon_revisit_days);
    return Processed::rejected;
}

}  // namespace demat
