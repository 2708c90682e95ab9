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
    for (std::size_t i = 0; i < sc.timeline.size(); ++i) {
        const TimelineEvent& ev = sc.timeline[i];
        // `--days` may shorten a run after the file was validated:
        // events past its end never happen.
        if (ev.day < 0 || ev.day >= sc.days) continue;
        schedule.push_back({sc.warmup_days + ev.day, false, i});
        // In 64 bits: a Scenario built in code need not respect the schema's bounds.
        const long end = static_cast<long>(ev.day) + std::max(ev.duration_days, 1);
        if (ev.action == TimelineAction::outage && end < sc.days)
            schedule.push_back({sc.warmup_days + static_cast<int>(end), true, i});
        // A programme trains a cohort on its first day and every 30 days until it stops.
        if (ev.action == TimelineAction::skills_programme)
            for (long t = static_cast<long>(ev.day) + 30; t < end && t < sc.days; t += 30)
                schedule.push_back({sc.warmup_days + static_cast<int>(t), false, i});
    }
    std::stable_sort(schedule.begin(), schedule.end(), [](const Scheduled& x, const Scheduled& y) {
        return std::tie(x.day, y.reopen) < std::tie(y.day, x.reopen);  // same day: reopenings first
    });
}

std::uint8_t Engine::Impl::services_of(const TimelineEvent& ev) const {
    std::uint8_t mask = 0;
    for (int s = 0; s < services; ++s)
        if (ev.service == "*" || ev.service == service(s).name) mask |= static_cast<std::uint8_t>(1u << s);
    return mask;
}

void Engine::Impl::apply_timeline(int day) {
    Sink sink{serial.counts, carried, serial.help_requests};
    for (; next_event < schedule.size() && schedule[next_event].day <= day; ++next_event)
        apply_event(schedule[next_event], day, sink);
}

void Engine::Impl::apply_event(const Scheduled& at, int day, Sink& sink) {
    const TimelineEvent& ev = sc.timeline[at.index];
    const std::uint8_t targets = services_of(ev);
    auto each = [&](auto&& f) {
        for (int s = 0; s < services; ++s)
            if ((targets >> s & 1u) != 0) f(s, policy[static_cast<std::size_t>(s)]);
    };
    switch (ev.action) {
        case TimelineAction::close_channel:
            // A closure during an outage outlasts it: the outage's end does not reopen it.
            if (ev.channel == Channel::online)
                for (auto& closed : outage_closed) closed &= static_cast<std::uint8_t>(~targets);
            close_channel(targets, ev.channel, day, sink);
            break;
        case TimelineAction::open_channel:
            each([&](int s, ServiceParams&) { open_channels[static_cast<std::size_t>(s)] |= channel_bit(ev.channel); });
            break;
        case TimelineAction::set_capacity:
            each([&](int s, ServiceParams& svc) {
                svc.channels[static_cast<std::size_t>(ev.channel)].capacity_per_10k = ev.capacity_per_10k;
                if (ev.channel != Channel::online) set_daily_capacity(s, staffed_index(ev.channel));
            });
            break;
        case TimelineAction::set_complexity:
            each([&](int, ServiceParams& svc) {
                if (ev.complexity_first >= 0) svc.complexity_first = ev.complexity_first;
                if (ev.complexity_renewal >= 0) svc.complexity_renewal = ev.complexity_renewal;
            });
            break;
        // The candidate days of unaware claims were drawn with the former
        // outreach as a bound: phase A draws them again.
        case TimelineAction::set_outreach:
            if (ev.segment >= 0) each([&](int s, ServiceParams&) { target_outreach(s, ev); });
            else each([&](int, ServiceParams& svc) { svc.outreach = ev.outreach; });
            reschedule_awareness |= targets;
            break;
        case TimelineAction::set_automatic:
            each([&](int s, ServiceParams& svc) {
                const bool was = svc.automatic;
                svc.automatic = ev.automatic;
                if (ev.automatic && !was) attribute_automatically(s, day);
            });
            break;
        case TimelineAction::set_identity: each([&](int, ServiceParams& svc) { svc.identity = ev.identity; }); break;
        case TimelineAction::open_mediation:
        case TimelineAction::close_mediation: change_mediation_sites(ev); break;
        case TimelineAction::skills_programme: train_low_skill(ev, day); break;
        case TimelineAction::prefill_renewals:
            each([&](int s, ServiceParams&) {
                prefilled_complexity[static_cast<std::size_t>(s)] = ev.prefilled ? ev.prefilled_complexity : -1.0;
            });
            break;
        case TimelineAction::outage:
            if (at.reopen) {
                // Only what the outage itself closed reopens.
                each([&](int s, ServiceParams&) {
                    if ((outage_closed[at.index] >> s & 1u) != 0)
                        open_channels[static_cast<std::size_t>(s)] |= channel_bit(Channel::online);
                });
            } else {
                std::uint8_t closed = 0;
                each([&](int s, ServiceParams&) {
                    if (channel_open(s, Channel::online)) closed |= static_cast<std::uint8_t>(1u << s);
                });
                outage_closed[at.index] = closed;
                close_channel(closed, Channel::online, day, sink);
            }
            break;
    }
}

// A targeted campaign replaces the rate of an earlier one aimed at the
// same group of the same service; a rate of 0 ends it.
void Engine::Impl::target_outreach(int s, const TimelineEvent& ev) {
    auto& campaigns = targeted_outreach[static_cast<std::size_t>(s)];
    std::erase_if(campaigns, [&](const TargetedOutreach& t) { return t.segment == ev.segment && t.group == ev.segment_group; });
    if (ev.outreach > 0) campaigns.push_back({ev.segment, ev.segment_group, ev.outreach});
}

// Sites open (sites_z += sites) or close (sites_z *= 1 - share) in the
// zones of a territory type. Capacity is proportional to the sites; the
// distance to the nearest site scales as 1 / sqrt(sites), as for points
// spread uniformly over an area, at most 10 times the initial distance
// (docs/model.md, section 10). No citizen's segment or snapshot depends
// on either, so nobody is touched.
void Engine::Impl::change_mediation_sites(const TimelineEvent& ev) {
    auto& zones = e.population_.zones;
    for (std::size_t z = 0; z < zones.size(); ++z) {
        if (ev.territory >= 0 && static_cast<int>(zones[z].type) != ev.territory) continue;
        double& sites = mediation_sites[z];
        sites = ev.action == TimelineAction::open_mediation ? sites + ev.sites : sites * (1.0 - ev.share);
        const double factor = sites == 1.0 ? 1.0 : std::min(10.0, 1.0 / std::sqrt(sites));
        zones[z].km_to_mediation = static_cast<float>(initial_km_to_mediation[z] * factor);
    }
    for (int s = 0; s < services; ++s) set_daily_capacity(s, staffed_index(Channel::mediation));
}

// One month's cohort of a skills programme: each citizen whose digital
// skill is below the threshold is trained with probability
// share_per_month, from its own stream (citizen, day), so the cohort
// does not depend on the order of the loop or on threads.
void Engine::Impl::train_low_skill(const TimelineEvent& ev, int day) {
    Population& p = e.population_;
    const auto below = static_cast<float>(ev.skill_below);
    for (std::size_t c = 0; c < citizens; ++c) {
        if (p.digital_skill[c] >= below) continue;
        Stream rng(seed(), c, static_cast<std::uint32_t>(day), Purpose::skills_programme);
        if (rng.uniform() >= ev.share_per_month) continue;
        touch(c);  // the digital-skill group and the capable_ snapshot read the skill
        p.digital_skill[c] += static_cast<float>(ev.skill_gain * (1.0 - p.digital_skill[c]));
    }
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
            if (!dropped(s, static_cast<Channel>(k + 1))) continue;
            for (std::size_t z = 0; z < e.population_.zones.size(); ++z) queues[queue_index(s, k, z)].clear();
        }
    std::erase_if(carried, [&](const QueueRequest& r) { return dropped(r.service, r.channel); });
}

// A closure fails back every claim waiting at the channel (in a queue,
// or for a neighbour's help online): the citizen must find another way,
// exactly as after a failed attempt.
void Engine::Impl::close_channel(std::uint8_t service_mask, Channel ch, int day, Sink& sink) {
    std::uint8_t closing = 0;
    for (int s = 0; s < services; ++s) {
        if ((service_mask >> s & 1u) == 0 || !channel_open(s, ch)) continue;
        open_channels[static_cast<std::size_t>(s)] &= static_cast<std::uint8_t>(~channel_bit(ch));
        closing |= static_cast<std::uint8_t>(1u << s);
    }
    if (closing == 0) return;
    drop_waiting(closing, channel_bit(ch));
    for (std::size_t c = 0; c < citizens; ++c)
        for (int s = 0; s < services; ++s) {
            if ((closing >> s & 1u) == 0) continue;
            const Claim& k = claim(c, s);
            if (k.state == ClaimState::not_eligible || !k.has(claim_flag::queued) || k.channel != ch) continue;
            touch(c);
            Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::timeline);
            fail(c, s, day, sink, rng, false);
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
            touch(c);
            k.flags &= released;
            k.failures = 0;
            k.next_day = day_plus(day, svc.renewal_days);
            continue;
        }
        touch(c);
        k.flags = static_cast<std::uint8_t>((k.flags & released & ~claim_flag::appealing) | claim_flag::knows);
        transition(c, k, ClaimState::submitted);
        k.channel = Channel::online;
        k.failures = 0;
        k.episode_start = static_cast<std::uint16_t>(day);
        k.next_day = day_plus(day, svc.processing_days);
    }
}

}  // namespace demat
