// Interruption of a right (docs/model.md 6.9), on a store alone: the
// mechanism mechanism::interrupt of engine/renewal.cpp.
#include "lone_store.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace demat;
using demat::testing::LoneStore;

TEST_CASE("an interrupted right ends the procedure and costs trust and is retried after retry_days") {
    LoneStore ls(3, 2);
    ls.params.retry_days = 9;
    ls.params.trust_loss_interruption = 0.25;
    std::vector<float> trust{0.8f, 0.6f, 0.4f};
    Claim& k = ls.store.claim(1, 0);
    k.state = ClaimState::receiving;
    k.flags = claim_flag::knows | claim_flag::ever_received | claim_flag::renewing | claim_flag::queued |
              claim_flag::assisted;
    k.failures = 3;
    mechanism::interrupt(ls.day(200), trust, 1, 0);
    CHECK(k.state == ClaimState::interrupted);
    // The procedure under way is over; what the spell taught stays.
    CHECK_FALSE(k.has(claim_flag::renewing));
    CHECK_FALSE(k.has(claim_flag::queued));
    CHECK_FALSE(k.has(claim_flag::assisted));
    CHECK(k.has(claim_flag::knows));
    CHECK(k.has(claim_flag::ever_received));
    CHECK(k.failures == 0);
    CHECK(k.next_day == 209);
    // A quarter of the citizen's trust is lost, and nobody else's.
    CHECK(trust[1] == Approx(0.45f));
    CHECK(trust[0] == 0.8f);
    CHECK(trust[2] == 0.4f);
    CHECK(ls.store.is_dirty(1));
    CHECK_FALSE(ls.store.is_dirty(0));
    CHECK(ls.events(0, Event::interruptions) == 1);
    CHECK(ls.events(1, Event::interruptions) == 0);
    CHECK(ls.all_events() == 1);
}
