// Learning of a right (docs/model.md 6.1), on a store alone: the mechanism
// mechanism::become_aware of engine/awareness.cpp.
#include "lone_store.hpp"

#include <catch2/catch.hpp>

using namespace demat;
using demat::testing::LoneStore;

TEST_CASE("a citizen who learns of a right is aware and knows it and decides the next day") {
    LoneStore ls(4, 3);
    Claim& k = ls.store.claim(1, 2);
    k.state = ClaimState::unaware;
    k.next_day = 120;
    mechanism::become_aware(ls.day(120), 1, 2);
    CHECK(k.state == ClaimState::aware);
    CHECK(k.has(claim_flag::knows));
    CHECK(k.next_day == 121);
    CHECK(ls.store.is_dirty(1));
    CHECK(ls.events(2, Event::awareness_gained) == 1);
    CHECK(ls.all_events() == 1);
    // The citizen's other claims and the other citizens are untouched.
    CHECK(ls.store.claim(1, 1).state == ClaimState::not_eligible);
    CHECK_FALSE(ls.store.claim(1, 1).has(claim_flag::knows));
    CHECK_FALSE(ls.store.is_dirty(0));
    CHECK_FALSE(ls.store.is_dirty(2));
}

TEST_CASE("learning of a right during the warm-up is not counted") {
    LoneStore ls(2, 1);
    ls.store.claim(0, 0).state = ClaimState::unaware;
    mechanism::become_aware(ls.day(3, false), 0, 0);
    CHECK(ls.store.claim(0, 0).state == ClaimState::aware);
    CHECK(ls.all_events() == 0);
}
