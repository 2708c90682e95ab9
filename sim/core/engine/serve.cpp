// Phase C, serving the queues: each zone's counter and mediation site and
// the national phone line serve their day's arrivals in the order of their
// random keys, within capacity, and informal helpers answer the day's help
// requests (docs/model.md section 6; engine.hpp describes the phases).
#include "core/engine.hpp"

#include "core/engine/impl.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace demat {

// ---------------------------------------------------------------- phase C
void Engine::Impl::serve(int day) {
    Sink sink{serial.counts, carried, serial.help_requests};
    // Chunks of zones for the parallel passes below (4 per thread).
    const std::size_t zones = e.population_.zones.size();
    const std::size_t chunks = std::min(zones, static_cast<std::size_t>(4 * std::max(1, e.executor_.threads())));
    if (scratch.zone_chunks.size() != chunks) {
        scratch.zone_chunks.resize(chunks);
        for (auto& out : scratch.zone_chunks) out.counts = DayCounts(services, total_groups());
    }
    if (scratch.chunk_of_zone.size() != zones || scratch.phone_served.size() != chunks * static_cast<std::size_t>(services)) {
        scratch.chunk_of_zone.resize(zones);
        for (std::size_t chunk = 0; chunk < chunks; ++chunk)
            for (std::size_t z = chunk * zones / chunks; z < (chunk + 1) * zones / chunks; ++z)
                scratch.chunk_of_zone[z] = static_cast<std::uint32_t>(chunk);
        scratch.phone_served.assign(chunks * static_cast<std::size_t>(services), {});
        scratch.counter_served.assign(chunks * static_cast<std::size_t>(services), {});
        scratch.taken_at_counters.resize(static_cast<std::size_t>(services));
        scratch.help_turns.assign(chunks, {});
        scratch.taken.resize(static_cast<std::size_t>(services));
    }

    // Informal help first: requests in a random but reproducible order.
    auto& help = scratch.help_requests_today.requests;
    auto& help_sorted = scratch.help_requests_today.scratch;
    help.clear();
    for (auto& blk : blocks) {
        help.insert(help.end(), blk.help_requests.begin(), blk.help_requests.end());
        blk.help_requests.clear();
    }
    help.insert(help.end(), serial.help_requests.begin(), serial.help_requests.end());
    serial.help_requests.clear();
    sort_by_key(help, help_sorted, [](const HelpRequest& x, const HelpRequest& y) {
        return std::tie(x.key, x.citizen, x.service) < std::tie(y.key, y.citizen, y.service);
    });
    serve_help_requests(help, day, sink);

    // New queue arrivals, in (day, key, citizen) order, behind those
    // already waiting. Each service's queues are its own: the arrivals
    // are split by service, then each service's are sorted and pushed
    // in parallel.
    // References, not a structured binding: clang before 16 cannot capture
    // bindings in the lambdas below (the fuzz preset and the WebAssembly
    // build use clang 14).
    auto& arrivals = scratch.arrivals_today.requests;
    auto& by_service = scratch.arrivals_today.by_service;
    arrivals.swap(carried);
    carried.clear();
    for (auto& blk : blocks) {
        arrivals.insert(arrivals.end(), blk.queue_requests.begin(), blk.queue_requests.end());
        blk.queue_requests.clear();
    }
    std::array<std::size_t, max_services + 1> first{};
    for (const QueueRequest& r : arrivals) ++first[r.service + 1u];
    for (int s = 0; s < services; ++s) first[static_cast<std::size_t>(s) + 1] += first[static_cast<std::size_t>(s)];
    by_service.resize(arrivals.size());
    {
        std::array<std::size_t, max_services + 1> next = first;
        for (const QueueRequest& r : arrivals) by_service[next[r.service]++] = r;
    }
    arrivals.clear();
    e.executor_.for_each_block(static_cast<std::size_t>(services), [&](std::size_t s) {
        const auto begin = by_service.begin() + static_cast<std::ptrdiff_t>(first[s]);
        const auto end = by_service.begin() + static_cast<std::ptrdiff_t>(first[s + 1]);
        std::sort(begin, end, [](const QueueRequest& x, const QueueRequest& y) { return mechanism::joins_before(x, y); });
        for (auto it = begin; it != end; ++it) {
            const QueueRequest& r = *it;
            // A place serves its zone, or the zones whose counter is closed (6.13).
            const std::size_t zone = traits(r.channel).zoned ? site_zone(r.service, r.channel, e.population_.zone_of(r.citizen)) : 0;
            queue(queue_index(r.service, staffed_index(r.channel), zone)).join(r);
        }
    });
    // Service by service: the phone (one national line), then counters
    // and mediation zone by zone in parallel. A citizen waits only in
    // its own zone's queues, and what serving one citizen writes is its
    // own (claims, skills, trust, habit) or goes to a chunk's output:
    // every citizen's claims are served in the serial order (phone,
    // counter, mediation for service 0, then service 1, ...), so results
    // do not depend on the number of threads or chunks.
    // Who the phone line takes today, for every service first: serving a
    // service's queues changes only claims to that service (and makes
    // unaware claims aware, which are in no queue), so it cannot change
    // which entries of another service's line are still waiting.
    // Each service's line is its own (queue, credit, claims read, lists
    // written): the services are selected in parallel.
    // Counters whose residents moved to another zone's (6.13) are selected
    // the same way, after the line (their entries are other claims).
    e.executor_.for_each_block(static_cast<std::size_t>(services), [&](std::size_t s) {
        select_phone(static_cast<int>(s), day);
        select_counters(static_cast<int>(s), day);
    });
    scratch.serving_zones = true;
    e.executor_.for_each_block(chunks, [&](std::size_t chunk) {
        BlockOutput& out = scratch.zone_chunks[chunk];
        Sink local{out.counts, out.queue_requests, out.help_requests};
        for (int s = 0; s < services; ++s) {
            // This chunk's residents taken from the phone line, in its
            // order, before their counters and mediation (as one thread would).
            auto& turns = scratch.phone_served[chunk * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
            for (const PhoneTurn& turn : turns) serve_turn(turn, s, Channel::phone, day, local);
            turns.clear();
            const bool moved = (counters_moved >> s & 1u) != 0;
            if (moved) {
                auto& at_counters = scratch.counter_served[chunk * static_cast<std::size_t>(services) + static_cast<std::size_t>(s)];
                for (const PhoneTurn& turn : at_counters) serve_turn(turn, s, Channel::counter, day, local);
                at_counters.clear();
            }
            for (std::size_t z = chunk * zones / chunks; z < (chunk + 1) * zones / chunks; ++z)
                for (int k = 0; k < staffed_count; ++k)
                    if (traits(staffed_channel(k)).zoned && !(moved && staffed_channel(k) == Channel::counter))
                        serve_queue(s, k, z, day, local);
        }
    });
    scratch.serving_zones = false;
    gather_zone_chunks();
}

// Moves what the chunks of a zone-parallel pass produced into the
// serial output: counts summed, requests appended (sorted by their total
// key when they are used).
void Engine::Impl::gather_zone_chunks() {
    for (auto& out : scratch.zone_chunks) {
        add_events(serial.counts, out.counts);
        carried.insert(carried.end(), out.queue_requests.begin(), out.queue_requests.end());
        serial.help_requests.insert(serial.help_requests.end(), out.help_requests.begin(), out.help_requests.end());
        out.queue_requests.clear();
        out.help_requests.clear();
    }
}

// Sorts `items` by `less`, whose first criterion is the items' key, a
// uniform 32-bit draw: split by the key's top bits into buckets that
// follow one another in that order, each then sorted on its own, in
// parallel. `less` is a total order on the items (the key, then who and
// what the item is for), so the order is the one a single sort gives.
template <class T, class Less>
void Engine::Impl::sort_by_key(std::vector<T>& items, std::vector<T>& spare, Less less) {
    constexpr int bucket_bits = 6;
    constexpr std::size_t buckets = std::size_t{1} << bucket_bits;
    const std::size_t n = items.size();
    if (n < 4 * buckets || e.executor_.threads() < 2) {
        std::sort(items.begin(), items.end(), less);
        return;
    }
    auto bucket = [](const T& item) { return static_cast<std::size_t>(item.key >> (32 - bucket_bits)); };
    std::array<std::size_t, buckets + 1> first{};
    for (const T& item : items) ++first[bucket(item) + 1];
    for (std::size_t k = 0; k < buckets; ++k) first[k + 1] += first[k];
    spare.resize(n);
    std::array<std::size_t, buckets + 1> next = first;
    for (const T& item : items) spare[next[bucket(item)]++] = item;
    e.executor_.for_each_block(buckets, [&](std::size_t k) {
        std::sort(spare.begin() + static_cast<std::ptrdiff_t>(first[k]),
                  spare.begin() + static_cast<std::ptrdiff_t>(first[k + 1]), less);
    });
    items.swap(spare);
}

}  // namespace demat
