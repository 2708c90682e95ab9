// The transition rule on a store alone (engine/day_context.hpp): a change
// marks its citizen and counts its event, once, for its service only.
#include "lone_store.hpp"

#include <catch2/catch.hpp>

using namespace demat;
using demat::testing::LoneStore;

TEST_CASE("a transition sets the state and marks the citizen and counts its event for its service") {
    LoneStore ls(130, 2);
    const DayContext day = ls.day(40);
    Claim& k = ls.store.claim(70, 1);
    day.transition(70, 1, k, ClaimState::attempting, Event::claims_started);
    CHECK(k.state == ClaimState::attempting);
    CHECK(ls.store.is_dirty(70));
    CHECK_FALSE(ls.store.is_dirty(69));
    CHECK_FALSE(ls.store.is_dirty(71));
    CHECK(ls.events(1, Event::claims_started) == 1);
    CHECK(ls.events(0, Event::claims_started) == 0);
    CHECK(ls.all_events() == 1);
    // A second change of the same citizen the same day counts its own event.
    day.transition(70, 1, k, ClaimState::submitted, Event::claims_submitted);
    CHECK(ls.events(1, Event::claims_submitted) == 1);
    CHECK(ls.all_events() == 2);
}

TEST_CASE("a transition during the warm-up or without an event counts nothing but still marks") {
    LoneStore ls(3, 1);
    Claim& k = ls.store.claim(2, 0);
    ls.day(5, false).transition(2, 0, k, ClaimState::aware, Event::awareness_gained);
    CHECK(k.state == ClaimState::aware);
    CHECK(ls.store.is_dirty(2));
    Claim& other = ls.store.claim(0, 0);
    ls.day(6).transition(0, other, ClaimState::rejected, no_event);
    CHECK(other.state == ClaimState::rejected);
    CHECK(ls.store.is_dirty(0));
    CHECK_FALSE(ls.store.is_dirty(1));
    CHECK(ls.all_events() == 0);
}
