// The behavioural equations of docs/model.md section 6, as pure functions: the engine
// calls them, the tests and docs/model.md state them.
#pragma once

#include "core/channels.hpp"
#include "core/rng.hpp"
#include "core/scenario.hpp"

#include <algorithm>

namespace demat {

// Probability of deciding to claim, for a citizen who knows the service;
// `taste` is the citizen's lasting inclination for this service (logit units).
inline double claim_probability(const BehaviourParams& b, const ServiceParams& svc, double admin_literacy,
                                double trust, double taste = 0.0) {
    const double benefit = svc.kind == ServiceKind::obligation ? b.decision_obligation
                                                                : b.decision_benefit * svc.monthly_amount / 500.0;
    return logistic(b.decision_intercept + taste + benefit - b.decision_complexity * svc.complexity_first * (1.0 - admin_literacy) -
                    b.decision_distrust * (1.0 - trust) - b.decision_stigma * svc.stigma);
}

// Identity barrier (in logit units) for a procedure done online.
inline double identity_barrier(const BehaviourParams& b, IdentityRequirement id, double skill) {
    switch (id) {
        case IdentityRequirement::none: return 0.0;
        case IdentityRequirement::account: return b.identity_account * (1.0 - skill);
        case IdentityRequirement::strong: return b.identity_strong * (1.0 - 0.5 * skill);
    }
    return 0.0;
}

// Success of one online attempt. Digital skill, administrative literacy and
// literacy are separate terms: being at ease online does not make a
// procedure understandable (docs/model.md, section 6.4).
inline double online_success_probability(const BehaviourParams& b, double skill, double admin_literacy, double literacy,
                                         Equipment equipment, double complexity, IdentityRequirement id) {
    double barrier = identity_barrier(b, id, skill);
    // Assumption: long forms on a small screen are harder; the penalty grows with complexity.
    if (equipment == Equipment::smartphone_only) barrier += 0.5 * complexity;
    return logistic(b.online_intercept + b.online_skill * skill + b.online_admin * admin_literacy +
                    b.online_literacy * literacy - b.online_complexity * complexity - barrier);
}

// Success of a procedure done by a phone agent, a counter agent or a
// mediator: the channel's own intercept (core/channels.hpp). Only staffed
// channels have agents.
inline double staffed_success_probability(const BehaviourParams& b, const MediationParams& m, Channel channel,
                                          double admin_literacy, double complexity) {
    double intercept = b.*traits(channel).agent_intercept;
    if (channel == Channel::mediation && m.mode == MediationMode::doing_with) intercept -= m.doing_with_penalty;
    return logistic(intercept + b.assisted_admin * admin_literacy - b.assisted_complexity * complexity);
}

// Probability of contesting a wrongful rejection.
inline double contest_probability(const BehaviourParams& b, double capital, double trust) {
    return logistic(b.contest_intercept + b.contest_capital * capital + b.contest_trust * trust);
}

}  // namespace demat
