// Queues of the staffed channels: phone, counter, mediation (docs/model.md, sections 6.6-6.7).
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

void Engine::Impl::set_daily_capacity(int s, int staffed) {
    const Channel channel = staffed_channel(staffed);
    const auto& ch = service(s).channels[static_cast<std::size_t>(channel)];
    for (std::size_t z = 0; z < e.population_.zones.size(); ++z) {
        // A national line (the phone) is zone 0's queue; a place (counter, mediation) serves its zone.
        const double residents = !traits(channel).zoned ? (z == 0 ? static_cast<double>(citizens) : 0.0)
                                                        : e.population_.zones[z].residents;
        double capacity = ch.capacity_per_10k * residents / 10000.0;
        // Mediation capacity grows and shrinks with the zone's sites.
        if (staffed == staffed_index(Channel::mediation) && mediation_sites[z] != 1.0) capacity *= mediation_sites[z];
        // A closed counter has no places; its residents use another's (6.13).
        if (channel == Channel::counter && (counter_closed[z] >> s & 1u) != 0) capacity = 0.0;
        queue_daily_capacity[queue_index(s, staffed, z)] = capacity;
    }
}

// The wait (days) a resident of a zone whose counter of service s is closed
// can expect at the counter serving it now (docs/model.md 6.2): the
// entries of its queue over its daily places, at most patience_days (no
// one expects to wait longer than they would). 0 while the zone's own
// counter is open, so a run without close_counters never reads it. Read
// in the citizens' pass, when no queue changes (serve() changes them).
double Engine::Impl::expected_counter_wait(std::size_t c, int s) const {
    const std::size_t zone = e.population_.zone_of(c);
    if ((counter_closed[zone] >> s & 1u) == 0 || !counter_reachable(s, zone)) return 0.0;
    const std::size_t qi = queue_index(s, staffed_index(Channel::counter), site_zone(s, Channel::counter, zone));
    return mechanism::expected_wait(queues[qi].size(), queue_daily_capacity[qi], b.patience_days);
}

void Engine::Impl::enqueue(std::size_t c, int s, int day, Channel ch, Sink& sink, Stream& rng) {
    Claim& k = claim(c, s);
    k.channel = ch;
    k.flags |= claim_flag::queued;
    if (!k.has(claim_flag::renewing)) transition(c, k, ClaimState::waiting_help, no_event);
    k.next_day = never;
    sink.queue_requests.push_back(
        {static_cast<std::uint32_t>(c), rng.next_word(), static_cast<std::uint16_t>(day), static_cast<std::uint8_t>(s), ch});
    if (recording()) sink.counts.count(s, ch, ChannelEvent::queue_joined);
    trace(c, s, TraceKind::queued, ch);
}

// The phone line's turn today for service s, decided serially (which
// entries leave after waiting too long, which are served within the
// day's capacity: the line's order) and carried out in the zone-parallel
// pass by the worker of each citizen's zone. Whether an entry is still
// waiting depends only on its own claim, which nothing before its turn
// changes, except an earlier entry of the same claim (a stale one, left
// when eligibility ended): `taken` makes such a second entry count as
// not waiting, as serving the first would have.
void Engine::Impl::select_phone(int s, int day) {
    const int staffed = staffed_index(Channel::phone);
    const std::size_t qi = queue_index(s, staffed, 0);
    auto& claimed = scratch.taken[static_cast<std::size_t>(s)];
    claimed.clear();
    auto waiting = [&](std::uint32_t c) {
        if (!still_waiting(c, s, Channel::phone)) return false;
        return claimed.insert(c);
    };
    auto assign = [&](const QueueEntry& entry, bool gave_up) {
        const std::size_t chunk = scratch.chunk_of_zone[e.population_.zone_of(entry.citizen)];
        scratch.phone_served[chunk * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)].push_back({entry, gave_up});
    };
    queue(qi).serve_day(
        day, b.patience_days, waiting, [&](const QueueEntry& entry) { assign(entry, true); },
        [&](const QueueEntry& entry) { assign(entry, false); });
}

// The counter queues of service s, when residents of a closed counter's
// zone wait at another zone's (counters_moved, 6.13): decided serially
// as the phone line is, zone by zone, and carried out in the
// zone-parallel pass by the worker of each citizen's own zone, so that a
// citizen is never served by two workers at once.
void Engine::Impl::select_counters(int s, int day) {
    if ((counters_moved >> s & 1u) == 0) return;
    const int staffed = staffed_index(Channel::counter);
    auto& claimed = scratch.taken_at_counters[static_cast<std::size_t>(s)];
    claimed.clear();
    auto waiting = [&](std::uint32_t c) {
        if (!still_waiting(c, s, Channel::counter)) return false;
        return claimed.insert(c);
    };
    auto assign = [&](const QueueEntry& entry, bool gave_up) {
        const std::size_t chunk = scratch.chunk_of_zone[e.population_.zone_of(entry.citizen)];
        scratch.counter_served[chunk * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)].push_back({entry, gave_up});
    };
    for (std::size_t z = 0; z < e.population_.zones.size(); ++z)
        queue(queue_index(s, staffed, z)).serve_day(
            day, b.patience_days, waiting, [&](const QueueEntry& entry) { assign(entry, true); },
            [&](const QueueEntry& entry) { assign(entry, false); });
}

// A turn decided serially (select_phone, select_counters), carried out.
void Engine::Impl::serve_turn(const PhoneTurn& turn, int s, Channel ch, int day, Sink& sink) {
    if (turn.gave_up) leave_queue(turn.entry, s, ch, day, sink);
    else serve_staffed(turn.entry, s, ch, day, sink);
}

// An entry leaves after waiting longer than its patience: a failed attempt for the wait.
void Engine::Impl::leave_queue(const QueueEntry& entry, int s, Channel ch, int day, Sink& sink) {
    touch(entry.citizen);
    if (recording()) sink.counts.count(s, ch, ChannelEvent::queue_gave_up);
    count_help(entry.citizen, s, help_source_of(ch), HelpOutcome::none_available, sink);
    trace(entry.citizen, s, TraceKind::left_queue, ch);
    Stream rng(seed(), Rng::claim_subject(entry.citizen, s), static_cast<std::uint32_t>(day), Purpose::queue_order);
    fail(entry.citizen, s, day, sink, rng, false, Reason::wait, false);
}

void Engine::Impl::serve_queue(int s, int staffed, std::size_t zone, int day, Sink& sink) {
    const auto ch = staffed_channel(staffed);
    queue(queue_index(s, staffed, zone)).serve_day(
        day, b.patience_days, [&](std::uint32_t c) { return still_waiting(c, s, ch); },
        [&](const QueueEntry& entry) { leave_queue(entry, s, ch, day, sink); },
        [&](const QueueEntry& entry) { serve_staffed(entry, s, ch, day, sink); });
}

void Engine::Impl::serve_staffed(const QueueEntry& entry, int s, Channel ch, int day, Sink& sink) {
    const std::uint32_t c = entry.citizen;
    touch(c);
    Claim& k = claim(c, s);
    Population& p = e.population_;
    if (recording()) {
        sink.counts.count(s, ch, ChannelEvent::queue_served);
        sink.counts.count(s, ch, ChannelEvent::queue_wait_days, day - entry.day);
    }
    k.flags &= static_cast<std::uint8_t>(~claim_flag::queued);
    count_help(c, s, help_source_of(ch), HelpOutcome::obtained, sink);
    trace(c, s, TraceKind::served, ch);
    Stream rng(seed(), Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::attempt);
    const bool ok = rng.uniform() < staffed_success(c, s, k, ch);
    // An agent in person sees the identity card (6.11).
    if (traits(ch).zoned) store.identity_checked[c] = 1;
    if (ch == Channel::mediation && sc.mediation.mode == MediationMode::doing_with) {
        // Doing-with: the citizen learns, whatever the outcome.
        p.digital_skill[c] += static_cast<float>(sc.mediation.skill_gain * (1.0 - p.digital_skill[c]));
        p.admin_literacy[c] += static_cast<float>(sc.mediation.admin_gain * (1.0 - p.admin_literacy[c]));
    }
    if (traits(ch).informs_other_rights) inform_other_services(c, s, day, sink);
    // Doing-with mediation counts as a procedure done with the citizen,
    // not for them: still assisted.
    if (ok) complete(c, s, day, ch, true, sink);
    else fail(c, s, day, sink, rng, true, Reason::complexity, false);
}

// A mediator or counter agent tells the citizen about their other rights.
void Engine::Impl::inform_other_services(std::uint32_t c, int s, int day, Sink& sink) {
    Stream rng(seed(), c, static_cast<std::uint32_t>(day), Purpose::mediator_information);
    if (!rng.bernoulli(b.mediator_information)) return;
    for (int t = 0; t < services; ++t) {
        if (t == s) continue;
        if (claim(c, t).state == ClaimState::unaware) become_aware(c, t, day, sink);
        // and tells a doubter they are entitled (6.16)
        else if (claim(c, t).doubts) mechanism::correct_belief(day_context(day, sink), c, t);
    }
}

}  // namespace demat
