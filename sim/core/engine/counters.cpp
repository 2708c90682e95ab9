// Counters by zone: the zones' places, closures in a share of the zones,
// the nearest open counter and its queue (docs/model.md, section 6.13).
#include "core/engine/impl.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

namespace demat {

// The zones' centres, uniform in a square of side zone_spacing_km x
// sqrt(zones) (one zone per zone_spacing_km^2 on average), each from its
// own stream: a constant of the seed, recomputed rather than saved.
// Every counter starts open and serves its own zone.
void Engine::Impl::place_zones() {
    const std::size_t zones = e.population_.zones.size();
    const double side = sc.population.zone_spacing_km * std::sqrt(static_cast<double>(zones));
    zone_centre.resize(zones);
    for (std::size_t z = 0; z < zones; ++z) {
        Stream rng(seed(), z, 0, Purpose::zone_location);
        const double x = rng.uniform() * side;
        zone_centre[z] = {x, rng.uniform() * side};
    }
    counter_closed.assign(zones, 0);
    // The order of change_counters below with territory "*" and every
    // counter open (the same draw per zone), in fifths cut where a share
    // k/5 stops: round(k/5 x n).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> rank;  // (draw, zone)
    for (std::size_t z = 0; z < zones; ++z) {
        Stream rng(seed(), z, 0, Purpose::counter_rank);
        rank.emplace_back(rng.next_word(), static_cast<std::uint32_t>(z));
    }
    std::sort(rank.begin(), rank.end());
    closure_rank.assign(zones, 0);
    for (std::size_t i = 0; i < zones; ++i) {
        std::uint8_t g = 0;
        for (int k = 1; k < closure_rank_groups; ++k)
            if (static_cast<double>(i) >= std::floor(static_cast<double>(k) / closure_rank_groups * static_cast<double>(zones) + 0.5)) g = static_cast<std::uint8_t>(k);
        closure_rank[rank[i].second] = g;
    }
    counter_zone.assign(static_cast<std::size_t>(services) * zones, 0);
    counter_km.assign(static_cast<std::size_t>(services) * zones, 0.0f);
    for (int s = 0; s < services; ++s) locate_counters(s);
}

// A record of the day's tallies, past the tally indices: count_tallies
// counts it by zone rank and education at the day's end, serially, like
// the others (the same counts at any thread count).
void Engine::Impl::count_closure(std::size_t c, int s, ClosureMeasure m, Sink& sink) const {
    sink.counts.tally(c, s, tally_index::count + static_cast<int>(m));
}

// For every zone, the counter that serves it for service s: its own while
// open; otherwise the open one whose zone's centre is nearest (the lower
// index on a tie), at km = the zone's own km_to_counter + the distance
// between the centres (the trip to one's own counter, then on to the
// other: farther than the closed one, always).
void Engine::Impl::locate_counters(int s) {
    const auto& zones = e.population_.zones;
    const std::size_t n = zones.size(), base = static_cast<std::size_t>(s) * n;
    std::vector<std::uint32_t> open;
    for (std::size_t z = 0; z < n; ++z)
        if ((counter_closed[z] >> s & 1u) == 0) open.push_back(static_cast<std::uint32_t>(z));
    bool moved = false;
    for (std::size_t z = 0; z < n; ++z) {
        if ((counter_closed[z] >> s & 1u) == 0) {
            counter_zone[base + z] = static_cast<std::uint32_t>(z);
            counter_km[base + z] = zones[z].km_to_counter;
            continue;
        }
        if (open.empty()) {
            counter_zone[base + z] = no_counter;
            counter_km[base + z] = std::numeric_limits<float>::infinity();
            continue;
        }
        std::uint32_t best = open.front();
        double best_d2 = std::numeric_limits<double>::infinity();
        for (const std::uint32_t o : open) {
            const double dx = zone_centre[z][0] - zone_centre[o][0], dy = zone_centre[z][1] - zone_centre[o][1];
            const double d2 = dx * dx + dy * dy;
            if (d2 < best_d2) {
                best_d2 = d2;
                best = o;
            }
        }
        counter_zone[base + z] = best;
        // Rural zones of the same residents cover more ground (population.rural_spacing).
        const double stretch = zones[z].type == TerritoryType::rural ? sc.population.rural_spacing : 1.0;
        counter_km[base + z] = static_cast<float>(zones[z].km_to_counter + stretch * std::sqrt(best_d2));
        moved = true;
    }
    if (moved) counters_moved |= static_cast<std::uint8_t>(1u << s);
    else counters_moved &= static_cast<std::uint8_t>(~(1u << s));
}

// close_counters / open_counters for the services in the mask: in each
// service, the zones of the territory (-1: all) whose counter is open
// (closing) or closed (opening) are ranked by a fixed draw per zone;
// closing takes the round(share x n) lowest in rank, opening the highest,
// so that the last closed reopen first.
void Engine::Impl::change_counters(std::uint8_t service_mask, double share, int territory, bool close, int day, Sink& sink) {
    const auto& zones = e.population_.zones;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> rank;  // (draw, zone)
    // Zones where this event closed a counter of some service, whose
    // mediation sites close with them (mediation.close_with_counters).
    const double with_sites = close ? sc.mediation.close_with_counters : 0.0;
    std::vector<std::uint8_t> closed_here(with_sites > 0 ? zones.size() : 0, 0);
    for (int s = 0; s < services; ++s) {
        if ((service_mask >> s & 1u) == 0) continue;
        rank.clear();
        for (std::size_t z = 0; z < zones.size(); ++z) {
            if (territory >= 0 && static_cast<int>(zones[z].type) != territory) continue;
            if (((counter_closed[z] >> s & 1u) != 0) == close) continue;  // already as wanted
            Stream rng(seed(), z, 0, Purpose::counter_rank);
            rank.emplace_back(rng.next_word(), static_cast<std::uint32_t>(z));
        }
        std::sort(rank.begin(), rank.end());
        if (!close) std::reverse(rank.begin(), rank.end());
        // Clamped: a Scenario built in code need not respect the schema's bounds.
        const double within = std::clamp(share, 0.0, 1.0);
        const auto count = std::min(rank.size(), static_cast<std::size_t>(std::floor(within * static_cast<double>(rank.size()) + 0.5)));
        if (count == 0) continue;
        for (std::size_t i = 0; i < count; ++i) counter_closed[rank[i].second] ^= static_cast<std::uint8_t>(1u << s);
        if (!closed_here.empty())
            for (std::size_t i = 0; i < count; ++i) closed_here[rank[i].second] = 1;
        locate_counters(s);
        set_daily_capacity(s, staffed_index(Channel::counter));
        bool any_open = false;
        for (std::size_t z = 0; z < zones.size(); ++z) any_open = any_open || (counter_closed[z] >> s & 1u) == 0;
        if (any_open) move_counter_queues(s);
        // No counter left anywhere: those waiting fail back, as when the channel closes.
        else fail_waiting(static_cast<std::uint8_t>(1u << s), Channel::counter, day, sink);
    }
    // The zone's mediation sites close too, once per event, as close_mediation
    // does there (6.13): closures of public service points go together.
    if (std::find(closed_here.begin(), closed_here.end(), std::uint8_t{1}) == closed_here.end()) return;
    for (std::size_t z = 0; z < zones.size(); ++z)
        if (closed_here[z] != 0) set_mediation_sites(z, mediation_sites[z] * (1.0 - with_sites));
    for (int s = 0; s < services; ++s) set_daily_capacity(s, staffed_index(Channel::mediation));
}

// After counters of service s opened or closed, every entry of its
// counter queues moves to the queue of the counter that now serves its
// citizen's zone (closing: to the neighbour's; opening: back home),
// keeping its day: each queue stays in order of the day its entries
// joined, those moving in (in zone order) after those already there
// with the same day. Every entry is thus always in the queue of its
// citizen's counter, which select_counters relies on.
void Engine::Impl::move_counter_queues(int s) {
    const std::size_t n = e.population_.zones.size();
    const int staffed = staffed_index(Channel::counter);
    std::vector<std::vector<QueueEntry>> incoming(n);
    for (std::size_t z = 0; z < n; ++z) {
        auto& q = queues[queue_index(s, staffed, z)];
        std::deque<QueueEntry> kept;
        bool any = false;
        for (const QueueEntry& entry : q) {
            const std::uint32_t to = site_zone(s, Channel::counter, e.population_.zone_of(entry.citizen));
            if (to == z) {
                kept.push_back(entry);
            } else {
                any = true;
                if (to != no_counter) incoming[to].push_back(entry);
            }
        }
        if (any) q.swap(kept);
    }
    for (std::size_t z = 0; z < n; ++z) {
        if (!incoming[z].empty()) queue(queue_index(s, staffed, z)).take_in(incoming[z]);
    }
}

}  // namespace demat
