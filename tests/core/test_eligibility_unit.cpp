// Eligibility spells (docs/model.md 5), on a store alone: the mechanism
// mechanism::update_eligibility of engine/eligibility.cpp.
#include "lone_store.hpp"

#include <catch2/catch.hpp>

using namespace demat;
using demat::testing::LoneStore;
using mechanism::SpellChange;

TEST_CASE("a new spell of a right to claim starts unaware with no day due") {
    LoneStore ls(2, 1);
    ServiceParams svc;
    svc.automatic = false;
    Claim& k = ls.store.claim(0, 0);
    k.failures = 2;
    CHECK(mechanism::update_eligibility(ls.day(50), svc, 0, 0, true) == SpellChange::started);
    CHECK(k.state == ClaimState::unaware);
    CHECK(k.eligible_since == 50);
    CHECK(k.next_day == never);
    CHECK(k.failures == 0);
    CHECK_FALSE(k.has(claim_flag::knows));
    CHECK(ls.store.is_dirty(0));
    CHECK(ls.all_events() == 0);  // becoming eligible is no event of the outputs
}

TEST_CASE("a new spell of an automatic right is submitted online at once and processed") {
    LoneStore ls(2, 1);
    ServiceParams svc;
    svc.automatic = true;
    svc.processing_days = 12;
    Claim& k = ls.store.claim(1, 0);
    CHECK(mechanism::update_eligibility(ls.day(50), svc, 1, 0, true) == SpellChange::started);
    CHECK(k.state == ClaimState::submitted);
    CHECK(k.channel == Channel::online);
    CHECK(k.has(claim_flag::knows));
    CHECK(k.next_day == 62);
}

TEST_CASE("the end of a spell forgets the right and a spell that goes on changes nothing") {
    LoneStore ls(2, 1);
    ServiceParams svc;
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::receiving;
    k.flags = claim_flag::knows | claim_flag::ever_received;
    k.next_day = 300;
    k.failures = 1;
    // Still eligible: nothing changes, nobody is marked.
    CHECK(mechanism::update_eligibility(ls.day(60), svc, 0, 0, true) == SpellChange::none);
    CHECK(k.state == ClaimState::receiving);
    CHECK_FALSE(ls.store.is_dirty(0));
    CHECK(mechanism::update_eligibility(ls.day(61), svc, 0, 0, false) == SpellChange::ended);
    CHECK(k.state == ClaimState::not_eligible);
    CHECK(k.flags == 0);
    CHECK(k.next_day == never);
    CHECK(k.failures == 0);
    CHECK(ls.store.is_dirty(0));
    // Never eligible and still not: nothing.
    CHECK(mechanism::update_eligibility(ls.day(61), svc, 1, 0, false) == SpellChange::none);
    CHECK_FALSE(ls.store.is_dirty(1));
}
