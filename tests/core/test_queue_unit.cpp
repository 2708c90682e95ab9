// The queue of the staffed channels (phone, counter, mediation; docs/model.md
// 6.6-6.7, 6.13), alone with a handful of citizens: engine/queue.hpp, the
// type the engine's phone line, counters and mediation sites all use.
#include "core/engine/queue.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <set>
#include <vector>

using namespace demat;

namespace {

// A queue with its own entries and credit, and what one day of it did.
struct LoneQueue {
    std::deque<QueueEntry> entries;
    double credit = 0.0;
    double daily_capacity = 0.0;
    std::set<std::uint32_t> not_waiting;  // claims served or ended since they joined
    std::vector<std::uint32_t> served, left;

    StaffedQueue view() { return {entries, credit, daily_capacity}; }
    // Joins the requests in the order the engine joins a day's arrivals.
    void join(std::vector<QueueRequest> requests) {
        std::sort(requests.begin(), requests.end(), mechanism::joins_before);
        for (const QueueRequest& r : requests) view().join(r);
    }
    void day(int d, int patience) {
        served.clear();
        left.clear();
        view().serve_day(
            d, patience, [&](std::uint32_t c) { return not_waiting.count(c) == 0; },
            [&](const QueueEntry& e) { left.push_back(e.citizen); },
            [&](const QueueEntry& e) { served.push_back(e.citizen); });
    }
    std::vector<std::uint32_t> waiting() const {
        std::vector<std::uint32_t> out;
        for (const QueueEntry& e : entries) out.push_back(e.citizen);
        return out;
    }
};

QueueRequest request(std::uint32_t citizen, std::uint32_t key, int day) {
    return {citizen, key, static_cast<std::uint16_t>(day), 0, Channel::counter};
}

}  // namespace

TEST_CASE("a queue of capacity k serves exactly k a day in the order of their keys and not of their index") {
    LoneQueue q;
    q.daily_capacity = 2.0;
    // Keys in the reverse order of the citizens; citizen 9 joins a day later
    // with the smallest key, so after every entry of day 10.
    q.join({request(1, 600, 10), request(2, 500, 10), request(3, 400, 10), request(4, 300, 10),
            request(5, 200, 10), request(9, 100, 11)});
    CHECK(q.waiting() == std::vector<std::uint32_t>{5, 4, 3, 2, 1, 9});
    q.day(10, 30);
    CHECK(q.served == std::vector<std::uint32_t>{5, 4});
    q.day(11, 30);
    CHECK(q.served == std::vector<std::uint32_t>{3, 2});
    q.day(12, 30);
    CHECK(q.served == std::vector<std::uint32_t>{1, 9});
    CHECK(q.entries.empty());
    CHECK(q.left.empty());
    // Equal keys: the citizen decides, so the order is total.
    LoneQueue tie;
    tie.join({request(7, 50, 3), request(6, 50, 3)});
    CHECK(tie.waiting() == std::vector<std::uint32_t>{6, 7});
}

TEST_CASE("an entry joining tomorrow is not served today though places are left") {
    LoneQueue q;
    q.daily_capacity = 3.0;
    q.join({request(1, 10, 5), request(2, 20, 6)});
    q.day(5, 30);
    CHECK(q.served == std::vector<std::uint32_t>{1});
    CHECK(q.waiting() == std::vector<std::uint32_t>{2});
    q.day(6, 30);
    CHECK(q.served == std::vector<std::uint32_t>{2});
}

TEST_CASE("an impatient entry leaves once it has waited longer than its patience and not before") {
    LoneQueue q;
    q.daily_capacity = 0.0;
    q.join({request(1, 10, 0), request(2, 20, 1), request(3, 30, 1)});
    q.not_waiting.insert(3);  // served elsewhere since: leaves without a failure
    for (int d = 0; d <= 3; ++d) {
        q.day(d, 3);
        CHECK(q.left.empty());
    }
    q.day(4, 3);  // 4 days waited > 3
    CHECK(q.left == std::vector<std::uint32_t>{1});
    CHECK(q.waiting() == std::vector<std::uint32_t>{2, 3});
    q.day(5, 3);
    CHECK(q.left == std::vector<std::uint32_t>{2});
    CHECK(q.entries.empty());
    CHECK(q.served.empty());
}

TEST_CASE("a queue without places serves nobody and keeps its entries waiting") {
    LoneQueue q;
    q.daily_capacity = 0.0;  // a closed counter (6.13)
    q.join({request(1, 10, 0), request(2, 20, 0), request(3, 30, 0)});
    for (int d = 0; d < 20; ++d) {
        q.day(d, 30);
        CHECK(q.served.empty());
        CHECK(q.left.empty());
    }
    CHECK(q.waiting() == std::vector<std::uint32_t>{1, 2, 3});
    CHECK(q.credit == 0.0);
}

TEST_CASE("the fraction of a place carries over and the places a day leaves unused are lost") {
    LoneQueue q;
    q.daily_capacity = 0.5;
    q.join({request(1, 10, 0), request(2, 20, 0), request(3, 30, 0)});
    q.day(0, 30);
    CHECK(q.served.empty());
    q.day(1, 30);
    CHECK(q.served == std::vector<std::uint32_t>{1});
    q.day(2, 30);
    CHECK(q.served.empty());
    q.day(3, 30);
    CHECK(q.served == std::vector<std::uint32_t>{2});
    // An empty day of 2.5 places: the 2 whole places are lost, the half kept.
    LoneQueue idle;
    idle.daily_capacity = 2.5;
    idle.day(0, 30);
    CHECK(idle.credit == 0.5);
    idle.join({request(1, 1, 1), request(2, 2, 1), request(3, 3, 1), request(4, 4, 1), request(5, 5, 1)});
    idle.day(1, 30);
    CHECK(idle.served == std::vector<std::uint32_t>{1, 2, 3});
}

TEST_CASE("an entry no longer waiting takes no place: the next in order gets it") {
    LoneQueue q;
    q.daily_capacity = 2.0;
    q.join({request(1, 10, 0), request(2, 20, 0), request(3, 30, 0), request(4, 40, 0)});
    q.not_waiting.insert(1);
    q.day(0, 30);
    CHECK(q.served == std::vector<std::uint32_t>{2, 3});
    CHECK(q.left.empty());
    CHECK(q.waiting() == std::vector<std::uint32_t>{4});
}

TEST_CASE("the expected wait is the entries over the daily places and at most the patience") {
    CHECK(mechanism::expected_wait(10, 4.0, 30) == 2.5);
    CHECK(mechanism::expected_wait(0, 4.0, 30) == 0.0);
    CHECK(mechanism::expected_wait(100, 1.0, 30) == 30.0);
    CHECK(mechanism::expected_wait(1, 0.0, 30) == 30.0);  // no places: as long as one would wait
}

TEST_CASE("entries moved in from a closed counter keep their day and go after those already there with the same day") {
    LoneQueue q;
    q.join({request(1, 10, 1), request(2, 20, 3)});
    q.view().take_in({{5, 99, 1}, {6, 1, 2}, {7, 50, 4}});
    CHECK(q.waiting() == std::vector<std::uint32_t>{1, 5, 6, 2, 7});
}
