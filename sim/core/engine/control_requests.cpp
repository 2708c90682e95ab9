// Digital control of recipients: a document request, answered through the
// procedures of section 6 before a deadline or not at all (docs/model.md,
// section 11.3). The round opens it (apply_control); the answer runs as a
// procedure on the received right, in phases B and C like a renewal
// (procedure.cpp, queues.cpp, help.cpp), which only marks the unit answered
// or unanswered; each morning the requests are settled serially here.
#include "core/engine/impl.hpp"
#include "core/channels.hpp"

#include <algorithm>
#include <string>

namespace demat {

const std::vector<std::string>& control_answer_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& ch : channel_labels()) out.push_back("answered_" + ch);
        for (const auto& why : reason_names()) out.push_back("unanswered_" + why);
        out.emplace_back("unanswered_deadline");
        out.emplace_back("unanswered_withdrawal");
        return out;
    }();
    return names;
}

// The round asks unit (c, s) for documents on `day`; the citizen means to
// answer (adhesion, or circumvention: someone answers in their name) or
// not (withdrawal). To answer, they start a procedure today: a renewal
// under way is set aside (it starts again the day after the answer), but
// a queue or a helper already awaited is kept, and the answer goes there.
void Engine::Impl::request_documents(std::size_t c, int s, int day, ControlResponse intent) {
    const std::size_t unit = c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s);
    ControlUnit& u = control.units[unit];
    control.requests.push_back(static_cast<std::uint32_t>(unit));
    if (intent == ControlResponse::withdrawal) {
        control.set_request(unit, services, control_request::ignored);
        return;
    }
    Claim& k = claim(c, s);
    touch(c);
    control.set_request(unit, services, control_request::answering);
    u.circumvention = intent == ControlResponse::circumvention ? 1 : 0;
    u.renewal_due = k.has(claim_flag::renewing) ? static_cast<std::uint16_t>(day) : k.next_day;
    k.flags |= claim_flag::renewing;
    k.failures = 0;
    k.episode_start = static_cast<std::uint16_t>(day);
    if (!k.has(claim_flag::queued)) {
        k.flags &= static_cast<std::uint8_t>(~claim_flag::assisted);
        k.next_day = static_cast<std::uint16_t>(day);  // phase B makes the first attempt today
    }
}

// The last day an answer may still be sent is the day before this one.
int Engine::Impl::answer_deadline(std::size_t c, int s) const {
    const ControlUnit& u = control.units[c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
    return static_cast<int>(u.last_control) + sc.control.document_deadline_days;
}

// An answer completed on recorded day `day` (procedure.cpp's complete, from
// any thread), alone or with help.
void Engine::Impl::count_answer_completion(int s, int day, bool assisted) {
    const auto at = (static_cast<std::size_t>(day - sc.warmup_days) * static_cast<std::size_t>(services) +
                     static_cast<std::size_t>(s)) * 2 + (assisted ? 1 : 0);
    __atomic_fetch_add(&control.answer_completions[at], std::int64_t{1}, __ATOMIC_RELAXED);
}

// The answer procedure succeeded through channel `ch` (complete): the
// claim goes back to its renewal date (the day after, if that has passed).
void Engine::Impl::answer_sent(std::size_t c, int s, int day, Channel ch) {
    Claim& k = claim(c, s);
    const std::size_t unit = c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s);
    ControlUnit& u = control.units[unit];
    control.set_request(unit, services, control_request::answered);
    u.detail = static_cast<unsigned>(ch) & 0xFu;
    k.flags &= static_cast<std::uint8_t>(~claim_flag::renewing);
    k.next_day = u.renewal_due > day ? u.renewal_due : day_plus(day, 1);
}

// The answer procedure was given up, or its next try would come too late
// (fail), for `cause`: the claim waits for tomorrow's settlement.
void Engine::Impl::answer_failed(std::size_t c, int s, int cause) {
    Claim& k = claim(c, s);
    const std::size_t unit = c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s);
    ControlUnit& u = control.units[unit];
    control.set_request(unit, services, control_request::unanswered);
    u.detail = static_cast<unsigned>(cause) & 0xFu;
    k.flags &= static_cast<std::uint8_t>(~(claim_flag::renewing | claim_flag::queued | claim_flag::assisted));
    k.failures = 0;
    k.next_day = never;
}

// Each morning, before the round and phase A, serially in unit order: the
// requests answered or failed since yesterday are settled, and those still
// open on their deadline count as unanswered. An answer sent is checked
// (detection as under adhesion or circumvention, 11.3); no answer means a
// suspension. Counts go to the round of the request. A request whose right
// ended or been interrupted meanwhile (the citizen is no longer eligible,
// a renewal was missed) lapses, uncounted.
void Engine::Impl::resolve_document_requests(int day) {
    const auto S = static_cast<std::size_t>(services);
    std::size_t kept = 0;
    for (const std::uint32_t unit : control.requests) {
        ControlUnit& u = control.units[unit];
        const std::size_t c = unit / S;
        const int s = static_cast<int>(unit % S);
        const Claim& k = store.claims[unit];
        const int asked = u.last_control;
        const bool open = u.request == control_request::answering || u.request == control_request::ignored;
        if (k.state == ClaimState::receiving && open) {
            if (day < asked + sc.control.document_deadline_days) {
                control.requests[kept++] = unit;
                continue;
            }
            u.detail = static_cast<unsigned>(u.request == control_request::ignored ? unanswered_withdrawal : unanswered_deadline) & 0xFu;
            control.set_request(unit, services, control_request::unanswered);
        }
        const std::uint8_t settled = k.state == ClaimState::receiving ? u.request : control_request::none;
        const bool circumvention = u.circumvention != 0;
        const int detail = u.detail;
        control.set_request(unit, services, control_request::none);
        u.circumvention = 0;
        u.detail = 0;
        u.renewal_due = never;
        if (settled == control_request::none) continue;
        std::array<std::uint8_t, dimension_count> groups{};
        if (asked >= sc.warmup_days) {
            const auto g = groups_of_claim(c, s);
            for (std::size_t d = 0; d < g.size(); ++d) groups[d] = static_cast<std::uint8_t>(g[d]);
            const std::size_t at = channel_count + static_cast<std::size_t>(detail);
            const std::size_t answer = settled == control_request::answered ? static_cast<std::size_t>(detail) : at;
            const std::size_t round = control_round_index(asked, sc.warmup_days);
            control.answers[(round * S + static_cast<std::size_t>(s)) * control_answer_count + answer] += 1;
        }
        if (settled == control_request::answered) {
            control_outcome(c, s, ControlType::documents,
                            circumvention ? ControlResponse::circumvention : ControlResponse::adhesion, asked, day, groups);
        } else {
            control_suspend(c, s, day, u.error == control_error::none, groups, asked);
        }
    }
    control.requests.resize(kept);
}

}  // namespace demat
