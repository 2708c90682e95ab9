// Initial conditions (docs/model.md section 1), the part that needs no
// Engine: where an eligible citizen who knows of a right stands on day 0,
// given the draws and the rates the engine gathers for them
// (Engine::Impl::prior_claim, engine/initial_conditions.cpp).
#pragma once

#include "core/engine/day_context.hpp"

#include <cstddef>
#include <limits>

namespace demat::mechanism {

// A right's past before day 0, as the engine computes it.
struct PastSpell {
    double spell_days;   // the eligibility spell already lived (prior_eligibility_days at most)
    double hazard;       // the daily chance of learning of the right during it
    double claim_p;      // the claim probability of one decision (today's, docs/model.md 6.2)
    bool could_claim;    // some channel open at the start can serve the claim
    // Uniforms of the claim's stream (Purpose::initial_awareness).
    double learnt, claimed, phase;
    // Days since the household last moved, for a service tied to the
    // dwelling with moving.enabled (docs/model.md 2.2): the claim made for
    // the former dwelling ended then, so only the decisions since count.
    // Infinite otherwise.
    double since_move = std::numeric_limits<double>::infinity();
};

// The citizen learnt of the right at a day drawn given the spell and the
// hazard, then decided every reconsider_days: with m decisions they have
// claimed with probability 1 - (1 - claim_p)^m. Those start receiving,
// their next declaration on a day drawn uniformly in the period; the
// others start aware and reconsider on a day drawn uniformly in the cycle.
void start_from_past(const DayContext& day, const ServiceParams& svc, const PastSpell& past, std::size_t c, int s);

}  // namespace demat::mechanism
