// Self-efficacy: moved by successes and failures, weighed in the decision to
// claim and in the choice of the online channel (docs/model.md, section 6.14).
#include "core/engine/impl.hpp"
#include "core/self_efficacy.hpp"

namespace demat {

// 0 when the decision weight is 0, so that the decision is then exactly the
// one calibrated without self-efficacy.
double Engine::Impl::efficacy_logit(std::size_t c) const {
    return b.self_efficacy_claim != 0 ? efficacy_term(b.self_efficacy_claim, e.population_.self_efficacy[c]) : 0.0;
}

// Only the online channel asks the citizen to do the procedure themselves;
// at a counter, on the phone or at a mediation site someone guides them.
double Engine::Impl::efficacy_utility(std::size_t c, Channel ch) const {
    if (ch != Channel::online || b.self_efficacy_online == 0) return 0.0;
    return efficacy_term(b.self_efficacy_online, e.population_.self_efficacy[c]);
}

// `assisted`: the procedure was done with help; with a mediator in doing_with
// mode the citizen did it themselves, guided (6.7).
void Engine::Impl::efficacy_success(std::size_t c, Channel ch, bool assisted) {
    const Mastery who = !assisted                                                                  ? Mastery::alone
                        : ch == Channel::mediation && sc.mediation.mode == MediationMode::doing_with ? Mastery::done_with
                                                                                                    : Mastery::done_for;
    float& efficacy = e.population_.self_efficacy[c];
    efficacy = efficacy_after_success(b, efficacy, who);
}

// Any failed attempt at the citizen's procedure, whoever made it: the
// citizen sees that it did not work.
void Engine::Impl::efficacy_failure(std::size_t c) {
    float& efficacy = e.population_.self_efficacy[c];
    efficacy = efficacy_after_failure(b, efficacy);
}

}  // namespace demat
