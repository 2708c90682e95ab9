// Digital control of recipients: a control and its consequences, the
// citizen's response, fear and the chilling effect (docs/model.md, sections
// 11.3-11.5). Runs in the serial monthly round (control_round.cpp).
#include "core/engine/impl.hpp"
#include "core/detmath.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>

namespace demat {

namespace {
// Past controls counted in the response, at most (docs/model.md section 11.4).
constexpr int past_controls_cap = 10;
}  // namespace

// Multinomial logit over the four responses, withdrawal the reference
// (utility 0): trust and capital raise adhesion and contestation alike,
// a capable helper among the neighbours makes circumvention possible, and
// each past control lowers every engaged response (docs/model.md 11.4).
std::array<double, 4> control_response_probabilities(const ControlParams& cp, double trust, double capital,
                                                     bool helper, int past_controls) {
    const double worn = cp.withdrawal_past_controls * std::min(past_controls, past_controls_cap);
    const std::array<double, 4> utility{
        cp.adhesion_intercept + cp.adhesion_trust * trust + cp.adhesion_capital * capital - worn,
        cp.circumvention_intercept + cp.circumvention_help * (helper ? 1.0 : 0.0) - worn,
        cp.contestation_intercept + cp.contestation_capital * capital + cp.contestation_trust * trust - worn,
        0.0,
    };
    std::array<double, 4> probability{};
    double total = 0;
    for (std::size_t r = 0; r < 4; ++r) total += probability[r] = dmath::exp(utility[r]);
    for (double& x : probability) x /= total;
    return probability;
}

ControlResponse Engine::Impl::control_response(std::size_t c, const ControlUnit& u, Stream& rng) const {
    const Population& p = e.population_;
    bool helper = false;
    const auto [first, last] = e.network_.neighbours(static_cast<std::uint32_t>(c));
    for (auto it = first; it != last && !helper; ++it) helper = (store.capable[*it >> 6] >> (*it & 63) & 1u) != 0;
    const auto probability = control_response_probabilities(sc.control, p.trust[c], e.capital_score_[c], helper, u.controls);
    double draw = rng.uniform();
    for (std::size_t r = 0; r < 3; ++r) {
        if (draw < probability[r]) return static_cast<ControlResponse>(r);
        draw -= probability[r];
    }
    return ControlResponse::withdrawal;
}

void Engine::Impl::add_fear(std::size_t c, double gain) {
    const ControlParams& cp = sc.control;
    control.fear[c] += static_cast<float>(gain * (1.0 - control.fear[c]));
    const double passed = gain * cp.fear_neighbour;
    if (passed <= 0) return;
    const auto [first, last] = e.network_.neighbours(static_cast<std::uint32_t>(c));
    for (auto it = first; it != last; ++it) control.fear[*it] += static_cast<float>(passed * (1.0 - control.fear[*it]));
}

void Engine::Impl::apply_control(const ControlCandidate& cand, int day) {
    const ControlParams& cp = sc.control;
    const std::uint32_t unit = cand.unit;
    const auto& groups = cand.groups;  // as the citizen was this morning: nothing here changes them
    const auto S = static_cast<std::size_t>(services);
    const std::size_t c = unit / S;
    const int s = static_cast<int>(unit % S);
    ControlUnit& u = control.units[unit];
    Population& p = e.population_;
    Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::control_type);
    const double type_draw = rng.uniform();
    const ControlType type = type_draw < cp.type_share[0]                      ? ControlType::automated
                             : type_draw < cp.type_share[0] + cp.type_share[1] ? ControlType::documents
                                                                               : ControlType::visit;
    count_control(groups, s, static_cast<ControlEvent>(static_cast<int>(ControlEvent::automated) + static_cast<int>(type)), day);
    if (u.error != control_error::none) count_control(groups, s, ControlEvent::selected_in_error, day);

    ControlResponse response = ControlResponse::adhesion;  // an automated control asks nothing of the citizen
    if (type != ControlType::automated) {
        Stream answer(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::control_response);
        response = control_response(c, u, answer);
        count_control(groups, s, static_cast<ControlEvent>(static_cast<int>(ControlEvent::adhesion) + static_cast<int>(response)), day);
    }
    if (u.controls < 255) ++u.controls;
    u.last_control = static_cast<std::uint16_t>(day);
    add_fear(c, cp.fear_control);
    p.trust[c] -= static_cast<float>(cp.trust_loss_control * p.trust[c]);
    // A document request is answered through the procedures of section 6
    // before a deadline, or not at all: settled later (control_requests.cpp).
    // A contested request is disputed at once.
    if (type == ControlType::documents && response != ControlResponse::contestation) {
        request_documents(c, s, day, response);
        return;
    }
    control_outcome(c, s, type, response, day, day, groups);
}

// What a control finds, and its consequences (docs/model.md 11.3): the
// control of day `asked`, settled on `day` (later for an answered
// document request). Its draws are keyed by the control's day.
void Engine::Impl::control_outcome(std::size_t c, int s, ControlType type, ControlResponse response, int asked, int day,
                                   const std::array<std::uint8_t, dimension_count>& groups) {
    const ControlParams& cp = sc.control;
    ControlUnit& u = control.units[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
    const bool in_error = u.error != control_error::none;
    Stream outcome(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(asked), Purpose::control_outcome);
    const double detection = cp.detection[static_cast<std::size_t>(type)];
    bool found = false, suspend = false;
    if (type == ControlType::automated) {
        found = in_error && outcome.uniform() < detection;
    } else {
        switch (response) {
            case ControlResponse::adhesion: found = in_error && outcome.uniform() < detection; break;
            case ControlResponse::circumvention:
                found = in_error && outcome.uniform() < detection * cp.circumvention_detection;
                break;
            case ControlResponse::contestation:
                if (in_error) {
                    found = outcome.uniform() < detection;
                } else if (outcome.uniform() < cp.appeal_success) {
                    count_control(groups, s, ControlEvent::appeals_won, asked);
                } else {
                    suspend = true;  // a lost dispute counts as documents refused
                }
                break;
            case ControlResponse::withdrawal: suspend = true; break;
        }
    }
    if (found) {
        control_recover(c, s, asked, day, groups, ControlEvent::found_innocent, ControlEvent::found_deliberate);
    } else if (suspend) {
        control_suspend(c, s, day, !in_error, groups, asked);
    } else {
        count_control(groups, s, ControlEvent::nothing_found, asked);
    }
}

// An error found (docs/model.md 11.3): the overpayment becomes a debt, a
// fraud adds its penalty, and the error ends. Counted as `innocent` or
// `deliberate` in the round of `asked`.
void Engine::Impl::control_recover(std::size_t c, int s, int asked, int day,
                                   const std::array<std::uint8_t, dimension_count>& groups, ControlEvent innocent,
                                   ControlEvent deliberate) {
    const ControlParams& cp = sc.control;
    ControlUnit& u = control.units[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
    const int months = std::min(cp.recovery_months_max, (day - static_cast<int>(u.error_since)) / 30 + 1);
    const double overpaid = months * cp.error_share * service(s).monthly_amount;
    u.debt += static_cast<float>(overpaid);
    count_amount(s, 0, overpaid, asked);
    if (u.error == control_error::deliberate) {
        count_control(groups, s, deliberate, asked);
        const double penalty = cp.fraud_penalty * overpaid;
        u.debt += static_cast<float>(penalty);
        count_amount(s, 1, penalty, asked);
    } else {
        count_control(groups, s, innocent, asked);
    }
    u.error = control_error::none;
    u.error_since = never;
}

// A systematic cross-check found the unit's error (docs/model.md 11.3): it
// is recovered as any error found, and the citizen, told of the debt, sees
// a control (fear, trust, the unit's count and date of controls); a match
// that finds nothing is not seen (*assumption*: the exchanges of data run
// without the recipient's knowledge, docs/control_sources.md).
void Engine::Impl::control_cross_found(std::size_t c, int s, int day) {
    const ControlParams& cp = sc.control;
    std::array<std::uint8_t, dimension_count> groups{};
    if (recording()) {
        const auto g = groups_of_claim(c, s);
        for (std::size_t d = 0; d < g.size(); ++d) groups[d] = static_cast<std::uint8_t>(g[d]);
    }
    control_recover(c, s, day, day, groups, ControlEvent::cross_found_innocent, ControlEvent::cross_found_deliberate);
    ControlUnit& u = control.units[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
    if (u.controls < 255) ++u.controls;
    u.last_control = static_cast<std::uint16_t>(day);
    add_fear(c, cp.fear_control);
    Population& p = e.population_;
    p.trust[c] -= static_cast<float>(cp.trust_loss_control * p.trust[c]);
}

// No answer, or documents refused: the right is suspended; it counts as an
// interruption whose cause is a control (claim_flag::control) until it is
// received again, and is terminated after control.suspension_days.
void Engine::Impl::control_suspend(std::size_t c, int s, int day, bool wrongful,
                                   const std::array<std::uint8_t, dimension_count>& groups, int asked) {
    const ControlParams& cp = sc.control;
    Claim& k = claim(c, s);
    transition(c, k, ClaimState::interrupted, no_event);
    k.flags |= claim_flag::control;
    store.watched[c] |= static_cast<std::uint8_t>(1u << s);  // the round terminates it
    k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted | claim_flag::renewing));
    k.failures = 0;
    k.next_day = never;  // the round terminates it (control_month_block)
    control.units[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)].suspended_since =
        static_cast<std::uint16_t>(day);
    count_control(groups, s, ControlEvent::suspensions, asked);
    if (wrongful) {
        count_control(groups, s, ControlEvent::wrongful_suspensions, asked);
        Population& p = e.population_;
        p.trust[c] -= static_cast<float>(cp.trust_loss_wrongful * p.trust[c]);
    }
    add_fear(c, wrongful ? cp.fear_wrongful : cp.fear_wrongful / 2);
}

// The suspension ran its term: the right ends (still an interruption caused
// by a control) and the citizen decides, from today, whether to claim again.
void Engine::Impl::control_terminate(std::size_t c, int s, int day) {
    ControlUnit& u = control.units[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
    u.suspended_since = never;
    u.error = control_error::none;
    u.error_since = never;
    touch(c);  // phase A refreshes the citizen's due day
    claim(c, s).next_day = static_cast<std::uint16_t>(day);
    count_control(c, s, ControlEvent::terminations);
}

void Engine::Impl::count_control(std::size_t c, int s, ControlEvent ev) {
    if (!recording()) return;
    std::array<std::uint8_t, dimension_count> groups{};
    const auto g = groups_of_claim(c, s);
    for (std::size_t d = 0; d < g.size(); ++d) groups[d] = static_cast<std::uint8_t>(g[d]);
    count_control(groups, s, ev, e.day_);
}

void Engine::Impl::count_control(const std::array<std::uint8_t, dimension_count>& groups, int s, ControlEvent ev, int asked) {
    if (asked < sc.warmup_days) return;  // the groups are filled only on recorded days
    const std::size_t d = control_round_index(asked, sc.warmup_days);
    const auto S = static_cast<std::size_t>(services), G = static_cast<std::size_t>(total_groups_);
    const auto su = static_cast<std::size_t>(s), evi = static_cast<std::size_t>(ev);
    control.events[(d * S + su) * control_event_count + evi] += 1;
    for (const std::uint8_t g : groups) control.segment_events[((d * S + su) * G + g) * control_event_count + evi] += 1;
}

void Engine::Impl::count_amount(int s, int amount, double euros, int asked) {
    if (asked < sc.warmup_days) return;
    const std::size_t d = control_round_index(asked, sc.warmup_days);
    control.amounts[(d * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)) * control_amount_count +
                    static_cast<std::size_t>(amount)] += euros;
}

// The day's stock of claims interrupted by a control, as phase A counted
// it in the blocks (mechanism::tally): the blocks' counts added.
void Engine::Impl::record_control_stock(int day) {
    const auto d = static_cast<std::size_t>(day - sc.warmup_days);
    const auto S = static_cast<std::size_t>(services), G = static_cast<std::size_t>(total_groups_);
    for (const BlockOutput& blk : blocks) {
        const std::int16_t* sus = blk.stock.suspended.data();
        for (std::size_t s = 0; s < S; ++s) {
            const std::int16_t* of = sus + s * (G + 1);
            control.suspended[d * S + s] += of[G];
            std::int64_t* segment = &control.segment_suspended[(d * S + s) * G];
            for (std::size_t g = 0; g < G; ++g) segment[g] += of[g];
        }
    }
}

}  // namespace demat
