// When a timeline event acts (docs/model.md section 10), without an
// Engine: event::schedule of each kind (engine/events/<event>.cpp) gives
// the days its application runs; the engine only sorts them.
#include "core/timeline_events.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace demat;
using namespace demat::event;

namespace {
template <class E>
std::vector<event::Occurrence> occurrences(const E& ev, int day, int days) {
    std::vector<event::Occurrence> out;
    event::schedule(ev, day, days, out);
    return out;
}
}  // namespace

TEST_CASE("a one-day event acts once on its day whatever the run's length") {
    for (const int days : {31, 365, 730}) {
        const auto at = occurrences(SetCapacity{}, 30, days);
        REQUIRE(at.size() == 1);
        CHECK(at[0].day == 30);
        CHECK_FALSE(at[0].reopen);
    }
}

TEST_CASE("an outage closes on its day and reopens days later unless the run ends first") {
    Outage ev;
    ev.days = 7;
    auto at = occurrences(ev, 100, 365);
    REQUIRE(at.size() == 2);
    CHECK(at[0].day == 100);
    CHECK_FALSE(at[0].reopen);
    CHECK(at[1].day == 107);
    CHECK(at[1].reopen);
    // Ending on the run's last day + 1: never reopens within the run.
    CHECK(occurrences(ev, 100, 107).size() == 1);
    CHECK(occurrences(ev, 100, 108).size() == 2);
    // A zero-day outage (a Scenario built in code) still lasts a day.
    ev.days = 0;
    at = occurrences(ev, 5, 365);
    REQUIRE(at.size() == 2);
    CHECK(at[1].day == 6);
}

TEST_CASE("a skills programme trains a cohort on its day and every 30 days while it lasts") {
    SkillsProgramme ev;
    ev.days = 90;
    auto at = occurrences(ev, 10, 365);
    REQUIRE(at.size() == 3);  // days 10, 40, 70: 100 is past day + days
    CHECK(at[0].day == 10);
    CHECK(at[1].day == 40);
    CHECK(at[2].day == 70);
    for (const auto& o : at) CHECK_FALSE(o.reopen);
    // The run's end cuts the cohorts short.
    at = occurrences(ev, 10, 41);
    REQUIRE(at.size() == 2);
    CHECK(at[1].day == 40);
    ev.days = 91;
    CHECK(occurrences(ev, 10, 365).size() == 4);
}
