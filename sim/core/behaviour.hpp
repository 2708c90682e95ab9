// The behavioural equations of docs/model.md section 6, as pure functions: the engine
// calls them, the tests and docs/model.md state them.
#pragma once

#include "core/channels.hpp"
#include "core/detmath.hpp"
#include "core/metrics.hpp"
#include "core/rng.hpp"
#include "core/scenario.hpp"

#include <algorithm>
#include <cmath>

namespace demat {

// Probability of deciding to claim, for a citizen who knows the service;
// `taste` is the citizen's lasting inclination for this service (logit units);
// `amount` the monthly amount at stake (docs/model.md 5.2: the unit's own
// amount for a differential service, monthly_amount otherwise).
// With the complexity of the first claim given: lowered by the data an
// agency has on file (docs/model.md 6.15).
inline double claim_probability(const BehaviourParams& b, const ServiceParams& svc, double admin_literacy,
                                double trust, double taste, double amount, double complexity_first) {
    const double benefit = svc.kind == ServiceKind::obligation ? b.decision_obligation
                                                                : b.decision_benefit * amount / 500.0;
    return logistic(b.decision_intercept + taste + benefit - b.decision_complexity * complexity_first * (1.0 - admin_literacy) -
                    b.decision_distrust * (1.0 - trust) - b.decision_stigma * svc.stigma);
}

inline double claim_probability(const BehaviourParams& b, const ServiceParams& svc, double admin_literacy,
                                double trust, double taste, double amount) {
    return claim_probability(b, svc, admin_literacy, trust, taste, amount, svc.complexity_first);
}

// The same with the service's flat monthly_amount at stake.
inline double claim_probability(const BehaviourParams& b, const ServiceParams& svc, double admin_literacy,
                                double trust, double taste = 0.0) {
    return claim_probability(b, svc, admin_literacy, trust, taste, svc.monthly_amount);
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

// An online attempt as stages passed in turn (docs/model.md, section 6.10):
// the connection, the identity step, then the form. One uniform draw u
// decides the attempt: it succeeds if u < success, and otherwise the
// stage it failed at is the first whose cumulative success is <= u. The
// form's success with the identity barrier is 6.4's, so that, with
// connection_failure = 0, success is 6.4's probability to the bit and so
// is every outcome; the identity stage takes the part of the failures its
// barrier causes: P(identity passed) = sigma(x - barrier) / sigma(x).
struct OnlineOdds {
    double connected = 1.0;      // P(the connection holds)
    double past_identity = 1.0;  // P(connection and identity step passed)
    double success = 1.0;        // P(the whole attempt succeeds)
    // A failed form: its cause in proportion to these logit deficits.
    double skill = 0.0, equipment = 0.0, complexity = 0.0;
};

// `coverage`: the zone's share of homes with a fixed broadband offer.
// `identity_means`: for a strong identity, a chip card and a compatible
// phone, or an identity checked in person (6.11); without them the step
// always fails. `stages` false: only `connected` and `success` are
// wanted (the initial conditions), and the identity stage and the form's
// deficits, which cost a second logistic, are left at their defaults.
inline OnlineOdds online_odds(const BehaviourParams& b, double skill, double admin_literacy, double literacy,
                              Equipment equipment, double complexity, IdentityRequirement id, double coverage,
                              bool identity_means = true, bool stages = true) {
    OnlineOdds o;
    if (b.connection_failure > 0) o.connected = 1.0 - b.connection_failure * (1.0 - std::clamp(coverage, 0.0, 1.0));
    if (id == IdentityRequirement::strong && !identity_means) {
        o.past_identity = o.success = 0.0;
        return o;
    }
    const double form_and_identity = online_success_probability(b, skill, admin_literacy, literacy, equipment, complexity, id);
    o.success = o.connected * form_and_identity;
    if (!stages) return o;
    if (id == IdentityRequirement::none) {
        o.past_identity = o.connected;
    } else {
        const double form = online_success_probability(b, skill, admin_literacy, literacy, equipment, complexity,
                                                       IdentityRequirement::none);
        o.past_identity = std::clamp(o.connected * (form_and_identity / form), o.success, o.connected);
    }
    o.skill = std::max(0.0, b.online_skill * (1.0 - skill));
    o.equipment = equipment == Equipment::smartphone_only ? 0.5 * complexity : 0.0;
    o.complexity = std::max(0.0, b.online_complexity * complexity + b.online_admin * (1.0 - admin_literacy) +
                                     b.online_literacy * (1.0 - literacy));
    return o;
}

// The cause of a failed attempt (u >= o.success) from its draw u.
inline Reason failure_reason(const OnlineOdds& o, double u) {
    if (u >= o.connected) return Reason::connection;
    if (u >= o.past_identity) return Reason::identity;
    const double total = o.skill + o.equipment + o.complexity;
    const double span = o.past_identity - o.success;
    if (total <= 0 || span <= 0) return Reason::complexity;
    const double at = (u - o.success) / span * total;  // uniform on [0, total) given a failed form
    if (at < o.skill) return Reason::skill;
    if (at < o.skill + o.equipment) return Reason::equipment;
    return Reason::complexity;
}

// Quarter-hours a helper spends on a procedure of this complexity (6.12), at least one.
inline int help_quarter_hours(const BehaviourParams& b, double complexity) {
    return std::max(1, static_cast<int>(std::ceil(4.0 * (b.help_hours_fixed + b.help_hours_complexity * complexity) - 1e-9)));
}

// Chance of giving up the trip to a place `km` away (docs/model.md 6.10).
inline double trip_give_up_probability(const BehaviourParams& b, double km, double mobility_factor) {
    return 1.0 - dmath::exp(-b.distance_give_up * km * mobility_factor);
}

// A trip beyond the limit is given up for certain (docs/model.md 6.13);
// a limit of 0 is none.
inline bool trip_too_long(const BehaviourParams& b, double km, double mobility_factor) {
    return b.trip_limit_km > 0 && km * mobility_factor > b.trip_limit_km;
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
