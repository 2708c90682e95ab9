// Decision to claim: perceived benefit against perceived cost (docs/model.md, section 6.2).
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

// Perceived benefit against perceived cost (docs/model.md, section 6.2):
// the engine gathers the terms, mechanism::decide draws and applies.
void Engine::Impl::decide(std::size_t c, int s, int day, Sink& sink) {
    const Claim& k = claim(c, s);
    const Population& p = e.population_;
    // A lasting personal inclination for or against this service: some
    // never want it, however often they reconsider.
    double taste =
        b.decision_taste_spread * lasting_normal(seed(), Rng::claim_subject(c, s), Purpose::decision_taste);
    // Fear of controls is a cost of claiming (docs/model.md section 11.5).
    if (control_on()) taste -= sc.control.fear_cost * control.fear[c];
    // Access lost to a closed counter is a cost of claiming (6.2); off at 0.
    if (b.decision_access > 0) taste -= b.decision_access * access_loss(c, s, k);
    // So is the expected wait at the counter serving a closed zone (6.2): off at 0.
    if (b.decision_wait > 0) taste -= b.decision_wait * expected_counter_wait(c, s) / 30.0;
    const mechanism::DecisionTerms terms{p.admin_literacy[c], p.trust[c],          taste,
                                         efficacy_logit(c),   unit_amount(c, s), first_complexity(c, s)};
    const bool claims = mechanism::decide(day_context(day, sink), service(s), seed(), terms, c, s);
    trace(c, s, claims ? TraceKind::decided_to_claim : TraceKind::decided_not_to_claim);
}

bool mechanism::decide(const DayContext& day, const ServiceParams& svc, std::uint64_t seed, const DecisionTerms& t,
                       std::size_t c, int s) {
    const BehaviourParams& b = day.b;
    Claim& k = day.store.claim(c, s);
    Stream rng(seed, Rng::claim_subject(c, s), static_cast<std::uint32_t>(day.day), Purpose::decision);
    // Believing not to be entitled, they do not weigh claiming at all (6.16):
    // they decline, with no draw, until someone tells them otherwise.
    if (k.doubts) {
        day.transition(c, s, k, ClaimState::declined, Event::claims_declined);
        k.next_day = day_plus(day.day, b.reconsider_days);
        return false;
    }
    const bool after_interruption = k.state == ClaimState::interrupted || k.has(claim_flag::reclaiming);
    const double taste = t.taste, efficacy = t.efficacy, amount = t.amount, first = t.first_complexity;
    const double u = rng.uniform();
    if (u < claim_probability(b, svc, t.admin_literacy, t.trust, taste + efficacy, amount, first)) {
        day.transition(c, s, k, ClaimState::attempting, Event::claims_started);
        k.failures = 0;
        k.episode_start = static_cast<std::uint16_t>(day.day);
        k.flags &= static_cast<std::uint8_t>(~(claim_flag::assisted | claim_flag::queued | claim_flag::renewing));
        if (after_interruption) k.flags |= claim_flag::reclaiming;
        k.next_day = day_plus(day.day, 1);
        return true;
    }
    // An interrupted claim stays interrupted: its state does not change,
    // but the decision is counted all the same.
    if (k.state != ClaimState::interrupted)
        day.transition(c, s, k, ClaimState::declined, Event::claims_declined);
    else if (day.recording)
        day.counts->count(s, Event::claims_declined);
    k.next_day = day_plus(day.day, b.reconsider_days);
    if (day.recording) {
        day.counts->tally(c, s, tally_index::efficacy + 0);
        // Discouraged: the same draw would have claimed at a neutral self-efficacy (6.14).
        if (efficacy < 0 && u < claim_probability(b, svc, t.admin_literacy, t.trust, taste, amount, first))
            day.counts->tally(c, s, tally_index::efficacy + 1);
    }
    return false;
}

}  // namespace demat
