// Informal help: neighbours who do the procedure with the citizen (docs/model.md, section 6.5).
#include "core/engine/impl.hpp"
#include "core/engine/help.hpp"
#include "core/engine/procedure.hpp"

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

// Asks a capable neighbour, or else a mediation site. Returns false if
// neither exists.
bool Engine::Impl::request_help(std::size_t c, int s, int day, Sink& sink, Stream& rng) {
    trace(c, s, TraceKind::asked_for_help);
    const Households& units = e.households_;
    const bool unit = service(s).unit != BenefitUnit::individual && !units.empty() && units.role[c] != HouseholdRole::alone;
    const auto [first, last] = e.network_.neighbours(static_cast<std::uint32_t>(c));
    const mechanism::HelpCircle circle{unit, unit ? static_cast<std::uint32_t>(units.partner_of(c)) : 0u, first, last,
                                       channel_open(s, Channel::online), channel_open(s, Channel::mediation)};
    switch (mechanism::ask_for_help(day_context(day, sink), circle, sink.help_requests, rng, c, s)) {
        case mechanism::HelpRoute::helper: return true;
        case mechanism::HelpRoute::mediation: enqueue(c, s, day, Channel::mediation, sink, rng); return true;
        case mechanism::HelpRoute::nobody: break;
    }
    // Nobody to ask: no capable relative or friend (for an online
    // procedure), no open mediation site (docs/model.md 6.12).
    count_help(c, s, circle.online_open ? HelpSource::relative_or_friend : HelpSource::mediator,
               HelpOutcome::none_available, sink);
    return false;
}

mechanism::HelpRoute mechanism::ask_for_help(const DayContext& day, const HelpCircle& circle,
                                             std::vector<HelpRequest>& requests, Stream& rng, std::size_t c, int s) {
    Claim& k = day.store.claim(c, s);
    if (day.recording) day.counts->count(s, Event::help_requested);
    const CitizenStore& store = day.store;
    const auto capable = [&](std::uint32_t h) { return (store.capable[h >> 6] >> (h & 63) & 1u) != 0; };
    const auto ask = [&](std::uint32_t h) {
        k.flags |= claim_flag::queued;
        k.channel = Channel::online;
        if (!k.has(claim_flag::renewing)) day.transition(c, k, ClaimState::waiting_help, no_event);
        k.next_day = never;
        requests.push_back({static_cast<std::uint32_t>(c), h, rng.next_word(), static_cast<std::uint8_t>(s)});
    };
    if (circle.online_open) {
        // A unit's claimant asks the other adult of the household first
        // (docs/model.md 5.1).
        if (circle.has_partner && capable(circle.partner)) {
            ask(circle.partner);
            return HelpRoute::helper;
        }
        const auto degree = static_cast<std::size_t>(circle.last - circle.first);
        if (degree > 0) {
            // Start at a random neighbour and take the first capable one.
            const std::size_t start = rng.below(degree);
            for (std::size_t i = 0; i < degree; ++i) {
                const std::uint32_t h = circle.first[(start + i) % degree];
                if (!capable(h)) continue;
                ask(h);
                return HelpRoute::helper;
            }
        }
    }
    return circle.mediation_open ? HelpRoute::mediation : HelpRoute::nobody;
}

void Engine::Impl::count_help(std::size_t c, int s, HelpSource source, HelpOutcome outcome, Sink& sink) {
    tracking.mark(c, procedure_flag::sought_help(source), e.day_);
    if (recording()) sink.counts.tally(c, s, tally_index::help_record(source, outcome));
}

// Informal help, in the requests' order (a random key). Whether a
// helper still has time this month depends on that order; a help
// changes only the helped citizen (claims, literacy, trust, habit) and
// reads the helper's skills. So the order is followed serially for what
// it decides (is the claim still waiting, is the helper available:
// take_help), then the helps themselves run zone by zone in parallel,
// each citizen's in their order, like counters and mediation. Served
// serially instead, in order: citizens who also help someone today, and
// citizens whose helper is helped today (whose skills may change before
// they help). The parallel helps neither read nor write any of them.
// A claim has at most one help request a day (it waits for help until
// served); should one have two, the day is served serially.
void Engine::Impl::serve_help_requests(const std::vector<HelpRequest>& help, int day, Sink& sink) {
    const std::size_t chunks = scratch.zone_chunks.size();
    // Scratch lists kept from day to day (no allocation once grown).
    // References, not a structured binding: clang before 16 cannot capture
    // bindings in lambdas (the fuzz preset and the WebAssembly build use clang 14).
    auto& helped = scratch.help_scratch.helped;
    auto& helpers = scratch.help_scratch.helpers;
    auto& where = scratch.help_scratch.where;
    auto& entangled = scratch.help_scratch.entangled;
    auto& serial_turns = scratch.help_scratch.serial_turns;
    helped.clear();  // claims, then citizens
    for (const HelpRequest& r : help) helped.push_back(r.citizen * std::uint64_t{max_services} + r.service);
    helpers.clear();
    for (const HelpRequest& r : help) helpers.push_back(r.helper);
    // The two sorts side by side (two tasks).
    e.executor_.for_each_block(2, [&](std::size_t which) {
        if (which == 0) std::sort(helped.begin(), helped.end());
        else std::sort(helpers.begin(), helpers.end());
    });
    if (chunks < 2 || e.executor_.threads() < 2 || std::adjacent_find(helped.begin(), helped.end()) != helped.end()) {
        for (const HelpRequest& r : help) serve_help(r, day, sink);
        return;
    }
    for (auto& id : helped) id /= max_services;  // still sorted
    // What only reads (who is entangled, is the claim still waiting,
    // the citizen's chunk) is worked out in parallel over the requests;
    // nothing changes claims before the helps are given.
    const std::size_t n = help.size();
    const std::size_t parts = std::min<std::size_t>(n, 4 * static_cast<std::size_t>(e.executor_.threads()));
    auto each_request = [&](auto&& f) {
        e.executor_.for_each_block(parts, [&](std::size_t part) {
            for (std::size_t i = part * n / parts; i < (part + 1) * n / parts; ++i) f(i);
        });
    };
    constexpr std::uint32_t not_waiting = std::numeric_limits<std::uint32_t>::max(), in_order = not_waiting - 1;
    where.assign(n, 0);
    each_request([&](std::size_t i) {
        const HelpRequest& r = help[i];
        where[i] = std::binary_search(helpers.begin(), helpers.end(), r.citizen) ||
                           std::binary_search(helped.begin(), helped.end(), std::uint64_t{r.helper})
                       ? in_order
                       : 0;
    });
    entangled.clear();
    for (std::size_t i = 0; i < n; ++i)
        if (where[i] == in_order) entangled.push_back(help[i].citizen);
    std::sort(entangled.begin(), entangled.end());
    each_request([&](std::size_t i) {
        const HelpRequest& r = help[i];
        if (!still_waiting(r.citizen, r.service, Channel::online)) where[i] = not_waiting;
        else if (std::binary_search(entangled.begin(), entangled.end(), r.citizen)) where[i] = in_order;
        else where[i] = scratch.chunk_of_zone[e.population_.zone_of(r.citizen)];
    });
    // The helpers' time, in the requests' order.
    serial_turns.clear();
    for (std::size_t i = 0; i < n; ++i) {
        if (where[i] == not_waiting) continue;
        const HelpTurn turn{help[i], take_help(help[i])};
        if (where[i] == in_order) serial_turns.push_back(turn);
        else scratch.help_turns[where[i]].push_back(turn);
    }
    for (const HelpTurn& turn : serial_turns) give_help(turn, day, sink);
    scratch.serving_zones = true;
    e.executor_.for_each_block(chunks, [&](std::size_t chunk) {
        BlockOutput& out = scratch.zone_chunks[chunk];
        Sink local{out.counts, out.queue_requests, out.help_requests};
        for (const HelpTurn& turn : scratch.help_turns[chunk]) give_help(turn, day, local);
        scratch.help_turns[chunk].clear();
    });
    scratch.serving_zones = false;
    gather_zone_chunks();
}

// Moves a chunk's event counters and helps given into `into` (phase C writes no other counts).
void Engine::Impl::add_events(DayCounts& into, DayCounts& from) {
    for (std::size_t i = 0; i < from.events.size(); ++i) into.events[i] += from.events[i];
    for (std::size_t i = 0; i < from.channel_events.size(); ++i) into.channel_events[i] += from.channel_events[i];
    std::fill(from.events.begin(), from.events.end(), 0);
    std::fill(from.channel_events.begin(), from.channel_events.end(), 0);
    into.helps_given += from.helps_given;
    from.helps_given = 0;
    into.tallies.insert(into.tallies.end(), from.tallies.begin(), from.tallies.end());
    from.tallies.clear();
}

// One help request, served at its turn (the serial order).
void Engine::Impl::serve_help(const HelpRequest& r, int day, Sink& sink) {
    if (!still_waiting(r.citizen, r.service, Channel::online)) return;
    give_help({r, take_help(r)}, day, sink);
}

// The helper's side of a request still waiting: the complexity of the
// procedure matters only with a time budget.
bool Engine::Impl::take_help(const HelpRequest& r) {
    const double effort =
        b.helper_hours_per_month > 0 ? complexity(r.citizen, r.service, claim(r.citizen, r.service)) : 0.0;
    return mechanism::take_help(store, b, r.helper, effort);
}

// With a time budget (6.12), helps_this_month counts the quarter-hours
// used, and a help that would overrun the month's budget is refused.
bool mechanism::take_help(CitizenStore& store, const BehaviourParams& b, std::uint32_t helper, double complexity) {
    if (b.helper_hours_per_month > 0) {
        const int need = help_quarter_hours(b, complexity);
        const int budget = std::min(255, static_cast<int>(std::floor(4.0 * b.helper_hours_per_month + 1e-9)));
        if (store.helps_this_month[helper] + need > budget) return false;
        store.helps_this_month[helper] = static_cast<std::uint8_t>(store.helps_this_month[helper] + need);
    } else {
        if (store.helps_this_month[helper] >= b.helper_capacity) return false;
        ++store.helps_this_month[helper];
    }
    if (store.helps_total[helper] < std::numeric_limits<std::uint16_t>::max()) ++store.helps_total[helper];
    return true;
}

// The helped citizen's side.
void Engine::Impl::give_help(const HelpTurn& turn, int day, Sink& sink) {
    const HelpRequest& r = turn.request;
    const int s = r.service;
    Stream rng(seed(), Rng::claim_subject(r.citizen, s), static_cast<std::uint32_t>(day), Purpose::help);
    const DayContext ctx = day_context(day, sink);
    const auto outcome = mechanism::receive_help(ctx, turn.available, channel_open(s, Channel::mediation), r.citizen, s);
    // The other adult of the citizen's household, once households exist (5.1), or a relative or friend.
    const Households& units = e.households_;
    const bool household = !units.empty() && units.role[r.citizen] != HouseholdRole::alone &&
                           units.partner_of(r.citizen) == r.helper;
    count_help(r.citizen, s, household ? HelpSource::household : HelpSource::relative_or_friend,
               turn.available ? HelpOutcome::obtained : HelpOutcome::refused, sink);
    if (outcome != mechanism::HelpTurnOutcome::helped) {
        trace(r.citizen, s, TraceKind::helper_unavailable);
        if (outcome == mechanism::HelpTurnOutcome::to_mediation)
            enqueue(r.citizen, s, day + 1, Channel::mediation, sink, rng);
        return;
    }
    trace(r.citizen, s, TraceKind::helped_by_relative, Channel::online);
    // As in the citizen's own attempt (engine/procedure.cpp).
    __builtin_prefetch(&e.population_.self_efficacy[r.citizen], 1);
    const std::size_t helper = r.helper;
    const OnlineOdds odds = online_odds(r.citizen, s, claim(r.citizen, s), &helper, false);
    const auto [ok, why] = mechanism::attempt_online(ctx, odds, service(s).identity, rng, r.citizen, s, false);
    tracking.mark(r.citizen, ok ? procedure_flag::did_online : procedure_flag::gave_up_online, day);
    if (ok) complete(r.citizen, s, day, Channel::online, true, sink);
    else fail(r.citizen, s, day, sink, rng, true, why, true);
}

mechanism::HelpTurnOutcome mechanism::receive_help(const DayContext& day, bool available, bool mediation_open,
                                                   std::size_t c, int s) {
    day.touch(c);
    Claim& k = day.store.claim(c, s);
    k.flags &= static_cast<std::uint8_t>(~claim_flag::queued);
    if (!available) {
        if (day.recording) day.counts->count(s, Event::help_informal_unavailable);
        // The helper is worn out this month: mediation if open, else try again later.
        if (mediation_open) return HelpTurnOutcome::to_mediation;
        if (!k.has(claim_flag::renewing)) day.transition(c, k, ClaimState::attempting, no_event);
        k.next_day = day_plus(day.day, day.b.retry_days);
        return HelpTurnOutcome::retry_later;
    }
    if (day.recording) {
        day.counts->count(s, Event::help_informal);
        day.counts->helps_given += 1;
        day.counts->count(s, Channel::online, ChannelEvent::attempts);
    }
    return HelpTurnOutcome::helped;
}

}  // namespace demat
