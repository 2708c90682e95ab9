// The belief of eligibility on a day context (engine/day_context.hpp):
// being aware of a benefit is not knowing one is entitled to it
// (docs/model.md 6.16). Defined in engine/eligibility_belief.cpp; the engine
// gathers the terms (the sources of the awareness hazard) and calls these.
#pragma once

#include "core/engine/day_context.hpp"

#include <cstddef>
#include <cstdint>

namespace demat::mechanism {

// The chance that a citizen who has just learnt of a right believes not to
// be entitled: the service's eligibility_doubt x (1 - admin_literacy) x
// (1 - assured), `assured` the share of the hazard that made them aware
// coming from a source that tells them they are entitled (an agency's
// information).
double doubt_probability(const ServiceParams& svc, double admin_literacy, double assured);

// Draws the belief of c's claim to s, just aware (stream of Purpose::
// eligibility_belief, the claim and the day): doubts with probability p.
// No draw when p <= 0, so that the mechanism off moves no other draw.
void form_belief(const DayContext& day, std::uint64_t seed, std::size_t c, int s, double p);

// Someone the citizen trusts to know (an agency's letter, a mediator or a
// counter agent) tells them they are entitled: the doubt goes, and a
// declined claim decides again the next day. True if there was a doubt.
bool correct_belief(const DayContext& day, std::size_t c, int s);

// The eligibility letter (timeline event eligibility_letter): read and
// believed with probability `share` (stream of Purpose::eligibility_letter),
// it makes an unaware claim aware, believing it is entitled, and corrects a
// doubting one. True if it changed the claim.
bool read_letter(const DayContext& day, std::uint64_t seed, std::size_t c, int s, double share);

}  // namespace demat::mechanism
