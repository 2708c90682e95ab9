// A CitizenStore of a few citizens with a day context on it, and no Engine:
// what the unit tests of a single mechanism build (docs/architecture.md,
// testing a mechanism alone).
#pragma once

#include "core/engine/day_context.hpp"

#include <cstddef>
#include <cstdint>

namespace demat::testing {

struct LoneStore {
    BehaviourParams params;
    CitizenStore store;
    DayCounts counts;

    LoneStore(std::size_t citizens, int services) : counts(services, 1) {
        store.services = services;
        store.claims.assign(citizens * static_cast<std::size_t>(services), Claim{});
        store.dirty.assign((citizens + 63) / 64, 0);
    }
    // The context of `day`, recording or in the warm-up; no engine, so a
    // change only marks its citizen.
    DayContext day(int d, bool recording = true) { return {store, params, d, &counts, recording, nullptr}; }
    std::int64_t events(int s, Event e) const {
        return counts.events[static_cast<std::size_t>(s * event_count + static_cast<int>(e))];
    }
    std::int64_t all_events() const {
        std::int64_t n = 0;
        for (const std::int64_t v : counts.events) n += v;
        return n;
    }
};

}  // namespace demat::testing
