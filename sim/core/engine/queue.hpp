// The queue of a staffed channel, one type for the phone line, the counters
// and the mediation sites (docs/model.md 6.6-6.7, 6.13): the order in which
// a day's arrivals join, the day's places out of a credit of the daily
// capacity, and the patience after which an entry leaves. It reads and
// writes only its own entries and credit, so it is tested alone with a few
// citizens, without an Engine (tests/core/test_queue_unit.cpp,
// docs/architecture.md "testing a mechanism alone"). Everything here is
// inline and the engine's callbacks are template arguments: nothing
// virtual, no std::function, in the loop over the entries.
#pragma once

#include "core/channels.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <tuple>
#include <vector>

namespace demat {

// A citizen's request to join a queue, made during a day (phases B and C),
// joining on `day`.
struct QueueRequest {
    std::uint32_t citizen;
    std::uint32_t key;
    std::uint16_t day;     // day the citizen joins the queue
    std::uint8_t service;
    Channel channel;
};

struct QueueEntry {
    std::uint32_t citizen;
    std::uint32_t key;
    std::uint16_t day;
};

namespace mechanism {

// The order in which a day's requests join their queues, behind those
// already waiting: by the day they join, then their random key (a uniform
// draw, so no citizen index is favoured), then the citizen for a total order.
inline bool joins_before(const QueueRequest& x, const QueueRequest& y) {
    return std::tie(x.day, x.key, x.citizen) < std::tie(y.day, y.key, y.citizen);
}

// The wait (days) one joining a queue of `waiting` entries and
// `daily_capacity` places a day can expect (docs/model.md 6.2): the entries
// over the daily places, at most patience_days (no one expects to wait
// longer than they would); patience_days with no places.
inline double expected_wait(std::size_t waiting, double daily_capacity, int patience_days) {
    const double patience = static_cast<double>(patience_days);
    if (daily_capacity <= 0.0) return patience;
    return std::min(static_cast<double>(waiting) / daily_capacity, patience);
}

}  // namespace mechanism

// One queue: a view on its entries, its credit of places and its daily
// capacity, which the engine keeps in arrays of its own (checkpointed as
// they are). Entries are in the order served: the order they joined.
struct StaffedQueue {
    std::deque<QueueEntry>& entries;
    double& credit;
    double daily_capacity;

    void join(const QueueRequest& r) const { entries.push_back({r.citizen, r.key, r.day}); }

    // One day of the queue, in its order: those who have waited longer
    // than their patience leave first (they are at the front; `leave` for
    // each still `waiting`), then the day's places go to the entries that
    // joined by today and still wait (`serve`). Places come from a credit
    // of the daily capacity: unused places are lost, fractions carry over.
    // `waiting(citizen)` is false for an entry no longer waiting (its claim
    // served, given up or ended since it joined): it takes no place.
    template <class Waiting, class Leave, class Serve>
    void serve_day(int day, int patience_days, Waiting&& waiting, Leave&& leave, Serve&& serve) const {
        auto& q = entries;
        while (!q.empty() && day - q.front().day > patience_days) {
            const QueueEntry entry = q.front();
            q.pop_front();
            if (waiting(entry.citizen)) leave(entry);
        }
        credit += daily_capacity;
        auto places = static_cast<long>(std::floor(credit));
        credit -= static_cast<double>(places);
        while (places > 0 && !q.empty()) {
            const QueueEntry entry = q.front();
            if (entry.day > day) break;  // joins tomorrow
            q.pop_front();
            if (!waiting(entry.citizen)) continue;
            --places;
            serve(entry);
        }
    }

    // Entries moved in from another queue (a counter closed or reopened,
    // 6.13), in the order they come, keeping the day they joined: the queue
    // stays in order of that day, those moving in after those already there
    // with the same day.
    void take_in(const std::vector<QueueEntry>& incoming) const {
        entries.insert(entries.end(), incoming.begin(), incoming.end());
        std::stable_sort(entries.begin(), entries.end(), [](const QueueEntry& x, const QueueEntry& y) { return x.day < y.day; });
    }
};

}  // namespace demat
