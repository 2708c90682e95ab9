// The belief of eligibility: aware of a right, but believing not to be
// entitled (docs/model.md 6.16).
#include "core/engine/impl.hpp"

#include <algorithm>

namespace demat {

double mechanism::doubt_probability(const ServiceParams& svc, double admin_literacy, double assured) {
    if (!(svc.eligibility_doubt > 0)) return 0.0;
    return svc.eligibility_doubt * std::clamp(1.0 - admin_literacy, 0.0, 1.0) * std::clamp(1.0 - assured, 0.0, 1.0);
}

void mechanism::form_belief(const DayContext& day, std::uint64_t seed, std::size_t c, int s, double p) {
    if (!(p > 0)) return;
    Stream rng(seed, Rng::claim_subject(c, s), static_cast<std::uint32_t>(day.day), Purpose::eligibility_belief);
    if (!rng.bernoulli(p)) return;
    Claim& k = day.store.claim(c, s);
    day.touch(c);  // the doubter counts in non_knowledge (docs/model.md 7)
    k.doubts = true;
}

bool mechanism::correct_belief(const DayContext& day, std::size_t c, int s) {
    Claim& k = day.store.claim(c, s);
    if (!k.doubts) return false;
    day.touch(c);
    k.doubts = false;
    // Told they are entitled, they weigh claiming the next day (6.2)
    // rather than at their next reconsideration.
    if (k.state == ClaimState::declined) k.next_day = day_plus(day.day, 1);
    return true;
}

bool mechanism::read_letter(const DayContext& day, std::uint64_t seed, std::size_t c, int s, double share) {
    Claim& k = day.store.claim(c, s);
    const bool unaware = k.state == ClaimState::unaware;
    const bool declined = k.state == ClaimState::declined;
    if (!unaware && !k.doubts && !declined) return false;
    Stream rng(seed, Rng::claim_subject(c, s), static_cast<std::uint32_t>(day.day), Purpose::eligibility_letter);
    if (!rng.bernoulli(share)) return false;
    if (unaware) {
        become_aware(day, c, s);  // believing: the letter says they are entitled
        return true;
    }
    if (k.doubts) return correct_belief(day, c, s);
    // Aware, believing to be entitled, and declined: the letter is a prompt,
    // and they weigh claiming the next day rather than at their next
    // reconsideration (docs/model.md 6.2, attention).
    day.touch(c);
    k.next_day = day_plus(day.day, 1);
    return true;
}

}  // namespace demat
