// Policy timeline: events applied at the start of their day (docs/model.md, section 10).
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

// ------------------------------------------------------------- timeline
// Events apply at the start of their day, before phase A: the citizens
// they change are touched, so phase A counts them again in their new
// state and refreshes what phase B has to do for them. The engine is
// serial here, so the thread count cannot change the outcome.
void Engine::Impl::build_schedule() {
    outage_closed.assign(sc.timeline.size(), 0);
    std::vector<event::Occurrence> occurrences;
    for (std::size_t i = 0; i < sc.timeline.size(); ++i) {
        const TimelineEvent& ev = sc.timeline[i];
        // `--days` may shorten a run after the file was validated:
        // events past its end never happen.
        if (ev.day < 0 || ev.day >= sc.days) continue;
        occurrences.clear();
        std::visit([&](const auto& what) { event::schedule(what, ev.day, sc.days, occurrences); }, ev.what);
        for (const auto& o : occurrences) schedule.push_back({sc.warmup_days + o.day, o.reopen, i});
    }
    std::stable_sort(schedule.begin(), schedule.end(), [](const Scheduled& x, const Scheduled& y) {
        return std::tie(x.day, y.reopen) < std::tie(y.day, x.reopen);  // same day: reopenings first
    });
}

std::uint8_t Engine::Impl::services_of(const TimelineEvent& ev) const {
    std::uint8_t mask = 0;
    for (int s = 0; s < services; ++s)
        if (const std::string* named = ev.service(); !named || *named == "*" || *named == service(s).name)
            mask |= static_cast<std::uint8_t>(1u << s);
    return mask;
}

void Engine::Impl::apply_timeline(int day) {
    Sink sink{serial.counts, carried, serial.help_requests};
    for (; next_event < schedule.size() && schedule[next_event].day <= day; ++next_event)
        apply_event(schedule[next_event], day, sink);
}

void Engine::Impl::apply_event(const Scheduled& at, int day, Sink& sink) {
    const TimelineEvent& ev = sc.timeline[at.index];
    EventContext context{*this, at, day, sink, services_of(ev)};
    std::visit([&](const auto& what) { event::apply(what, context); }, ev.what);
}

// Forgets the waiting lines and the not yet queued arrivals of the given
// services at the given channels (bit c), whose claims the caller
// releases. Leaving them would let a stale entry hold a place should the
// citizen queue there again later.
void Engine::Impl::drop_waiting(std::uint8_t service_mask, std::uint8_t channel_mask) {
    auto dropped = [&](int s, Channel ch) {
        return (service_mask >> s & 1u) != 0 && (channel_mask & channel_bit(ch)) != 0;
    };
    for (int s = 0; s < services; ++s)
        for (int k = 0; k < staffed_count; ++k) {
            if (!dropped(s, staffed_channel(k))) continue;
            for (std::size_t z = 0; z < e.population_.zones.size(); ++z) queues[queue_index(s, k, z)].clear();
        }
    std::erase_if(carried, [&](const QueueRequest& r) { return dropped(r.service, r.channel); });
}

// A closure fails back every claim waiting at the channel (in a queue,
// or for a neighbour's help online): the citizen must find another way,
// exactly as after a failed attempt.
// The cause recorded when a channel's closure ends a procedure waiting on
// it (docs/model.md 6.10): the line is down (online: help waited for
// online), the wait (the phone line), or the place (counter, mediation).
static Reason closure_reason(Channel ch) {
    if (ch == Channel::online) return Reason::connection;
    if (ch == Channel::phone) return Reason::wait;
    return Reason::distance;
}

void Engine::Impl::close_channel(std::uint8_t service_mask, Channel ch, int day, Sink& sink) {
    std::uint8_t closing = 0;
    for (int s = 0; s < services; ++s) {
        if ((service_mask >> s & 1u) == 0 || !channel_open(s, ch)) continue;
        open_channels[static_cast<std::size_t>(s)] &= static_cast<std::uint8_t>(~channel_bit(ch));
        closing |= static_cast<std::uint8_t>(1u << s);
    }
    fail_waiting(closing, ch, day, sink);
}

// Every claim of the given services waiting at channel ch (queued or
// about to join) fails back to its citizen, as after a failed attempt.
void Engine::Impl::fail_waiting(std::uint8_t service_mask, Channel ch, int day, Sink& sink) {
    if (service_mask == 0) return;
    drop_waiting(service_mask, channel_bit(ch));
    for (std::size_t c = 0; c < citizens; ++c)
        for (int s = 0; s < services; ++s) {
            if ((service_mask >> s & 1u) == 0) continue;
            const Claim& k = claim(c, s);
            if (k.state == ClaimState::not_eligible || !k.has(claim_flag::queued) || k.channel != ch) continue;
            touch(c);
            Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::timeline);
            fail(c, s, day, sink, rng, false, closure_reason(ch), false);
        }
}

// The administration attributes the right from its own data: every
// eligible citizen not yet receiving is processed as a new automatic
// claim (as update_eligibility does for a new spell), and renewals under
// way are taken over.
void Engine::Impl::attribute_automatically(int s, int day) {
    drop_waiting(static_cast<std::uint8_t>(1u << s), 0xFF);
    const ServiceParams& svc = service(s);
    constexpr auto released = static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted |
                                                           claim_flag::renewing | claim_flag::reclaiming));
    for (std::size_t c = 0; c < citizens; ++c) {
        Claim& k = claim(c, s);
        if (k.state == ClaimState::not_eligible || k.state == ClaimState::submitted) continue;
        if (k.state == ClaimState::receiving) {
            if (!k.has(claim_flag::renewing)) continue;
            if (answering(c, s)) {
                // An answer to a control is not a renewal the administration
                // can take over: it goes on, tomorrow if its queue was dropped.
                if (!k.has(claim_flag::queued)) continue;
                touch(c);
                k.flags &= static_cast<std::uint8_t>(~(claim_flag::queued | claim_flag::assisted));
                k.next_day = day_plus(day, 1);
                continue;
            }
            touch(c);
            k.flags &= released;
            k.failures = 0;
            k.next_day = day_plus(day, svc.renewal_days);
            continue;
        }
        touch(c);
        k.flags = static_cast<std::uint8_t>((k.flags & released & ~claim_flag::appealing) | claim_flag::knows);
        k.doubts = false;
        transition(c, k, ClaimState::submitted, no_event);
        k.channel = Channel::online;
        k.failures = 0;
        k.episode_start = static_cast<std::uint16_t>(day);
        k.next_day = day_plus(day, svc.processing_days);
    }
}

}  // namespace demat
