// The engine's state: its construction from a scenario and its memory.
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

Engine::Impl::Impl(Engine& engine)
    : e(engine),
      sc(engine.scenario_),
      b(engine.scenario_.behaviour),
      services(engine.services_),
      citizens(engine.population_.size()),
      store(engine.store_),
      policy(engine.scenario_.services),
      tracking(engine.population_.size(), engine.scenario_.warmup_days, engine.scenario_.days) {
    const int groups = total_groups();
    blocks.resize(block_count(citizens));
    for (auto& blk : blocks) {
        // Only the event counters, the overdue count and the unclaimed
        // cents: no 64-bit state counts.
        blk.counts.services = services;
        blk.counts.groups = groups;
        blk.counts.events.assign(static_cast<std::size_t>(services * event_count), 0);
        blk.counts.channel_events.assign(static_cast<std::size_t>(services * channel_count * channel_event_count), 0);
        blk.counts.overdue.assign(static_cast<std::size_t>(services), 0);
        blk.counts.unclaimed_cents.assign(static_cast<std::size_t>(services), 0);
        blk.stock.assign(services, static_cast<std::size_t>(groups), sc.control.enabled);
    }
    serial.counts = DayCounts(services, groups);
    store.identity_checked.assign(citizens, 0);
    const std::size_t zones = e.population_.zones.size();
    queues.resize(static_cast<std::size_t>(services * staffed_count) * zones);
    queue_credit.assign(queues.size(), 0.0);
    queue_daily_capacity.assign(queues.size(), 0.0);
    open_channels.assign(static_cast<std::size_t>(services), 0);
    mediation_sites.assign(zones, 1.0);
    initial_km_to_mediation.resize(zones);
    for (std::size_t z = 0; z < zones; ++z) initial_km_to_mediation[z] = e.population_.zones[z].km_to_mediation;
    place_zones();
    if (b.channel_habit_service > 0) store.service_habit.assign(citizens * static_cast<std::size_t>(services), 0);
    targeted_outreach.resize(static_cast<std::size_t>(services));
    prefilled_complexity.assign(static_cast<std::size_t>(services), -1.0);
    for (int s = 0; s < services; ++s) {
        const auto& svc = service(s);
        for (int c = 0; c < channel_count; ++c)
            if (svc.channels[static_cast<std::size_t>(c)].enabled)
                open_channels[static_cast<std::size_t>(s)] |= static_cast<std::uint8_t>(1u << c);
        for (int k = 0; k < staffed_count; ++k) set_daily_capacity(s, k);
    }
    agencies_on = std::any_of(sc.services.begin(), sc.services.end(),
                              [](const ServiceParams& svc) { return svc.agency != Agency::none; });
    tax_data_shared = sc.agencies.share_tax_data;
    build_schedule();
    for (int d = 0; d < dimension_count; ++d) offsets[static_cast<std::size_t>(d)] = group_offset(static_cast<Dimension>(d));
    // Nobody is counted yet: every citizen starts touched, so the first
    // phase A is a full count.
    store.dirty.assign((citizens + 63) / 64, ~std::uint64_t{0});
    if (citizens % 64 != 0) store.dirty.back() = (std::uint64_t{1} << (citizens % 64)) - 1;
    store.due.assign(citizens, 0);
    store.next_employment_event.assign(citizens, static_cast<std::uint16_t>(never_day));
    if (sc.moving.enabled) store.next_move.assign(citizens, never);
    in_progress.resize(blocks.size());
    day_total = DayCounts(services, groups);
    peer_share_bound = b.peer_information >= 0 ? 1.0 : 0.0;
    fill_awareness_factors();
    if (control_on()) control_setup();
}

// The per-citizen arrays of the Impl (the per-block lists vary from day to day).
std::size_t Engine::Impl::memory_bytes() const {
    return tracking.memory_bytes() + store.dirty.capacity() * sizeof(std::uint64_t) + store.service_habit.capacity() +
           (store.due.capacity() + store.next_employment_event.capacity() + store.next_move.capacity()) *
               sizeof(std::uint16_t) + control.memory_bytes();
}

}  // namespace demat
