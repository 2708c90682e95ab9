// Self-efficacy: the belief of being able to do a procedure (docs/model.md,
// section 6.14). Pure functions of the parameters and the current value, so
// that the rule lives here once and is tested without an engine.
#pragma once

#include "core/scenario.hpp"

namespace demat {

// Who did the procedure that succeeded: the citizen alone, a mediator with
// them (doing_with), or someone for them (a relative, an agent, doing_for).
enum class Mastery : unsigned char { alone = 0, done_with, done_for };

// A success moves self-efficacy towards 1, by the whole gain when the
// citizen did it (alone or with a mediator), by a share of it when it was
// done for them: Bandura's mastery experience.
inline float efficacy_after_success(const BehaviourParams& b, float efficacy, Mastery who) {
    const double share = who == Mastery::alone       ? 1.0
                         : who == Mastery::done_with ? b.self_efficacy_doing_with
                                                     : b.self_efficacy_doing_for;
    return efficacy + static_cast<float>(b.self_efficacy_gain * share * (1.0 - efficacy));
}

// A failed attempt moves it towards 0.
inline float efficacy_after_failure(const BehaviourParams& b, float efficacy) {
    return efficacy - static_cast<float>(b.self_efficacy_loss * efficacy);
}

// Its term in a logit or a utility: weight x (self-efficacy - 0.5), so that
// a citizen at 0.5 is neither discouraged nor encouraged.
inline double efficacy_term(double weight, float efficacy) {
    return weight * (static_cast<double>(efficacy) - 0.5);
}

}  // namespace demat
