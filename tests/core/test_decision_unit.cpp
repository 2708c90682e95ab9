// The decision to claim (docs/model.md 6.2, 6.14), on a store alone: the
// mechanism mechanism::decide of engine/decision.cpp. A taste of +-1000
// logits makes the claim probability 1 or 0 whatever the draw.
#include "lone_store.hpp"

#include <catch2/catch.hpp>

using namespace demat;
using demat::testing::LoneStore;

namespace {
mechanism::DecisionTerms decision_terms(double taste, double efficacy) {
    return {0.5, 0.5, taste, efficacy, 300.0, 0.5};
}
}  // namespace

TEST_CASE("a citizen who decides to claim starts a procedure the next day") {
    LoneStore ls(3, 2);
    ServiceParams svc;
    Claim& k = ls.store.claim(2, 1);
    k.state = ClaimState::aware;
    k.flags = claim_flag::knows | claim_flag::queued | claim_flag::assisted | claim_flag::renewing;
    k.failures = 4;
    CHECK(mechanism::decide(ls.day(80), svc, 7, decision_terms(1000.0, 0.0), 2, 1));
    CHECK(k.state == ClaimState::attempting);
    CHECK(k.failures == 0);
    CHECK(k.episode_start == 80);
    CHECK(k.next_day == 81);
    CHECK(k.flags == claim_flag::knows);  // a fresh procedure, not a claim after an interruption
    CHECK(ls.store.is_dirty(2));
    CHECK(ls.events(1, Event::claims_started) == 1);
    CHECK(ls.all_events() == 1);
    CHECK(ls.counts.tallies.empty());
}

TEST_CASE("a claim after an interruption is marked as reclaiming") {
    LoneStore ls(1, 1);
    ServiceParams svc;
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::interrupted;
    k.flags = claim_flag::knows;
    CHECK(mechanism::decide(ls.day(10), svc, 7, decision_terms(1000.0, 0.0), 0, 0));
    CHECK(k.state == ClaimState::attempting);
    CHECK(k.has(claim_flag::reclaiming));
}

TEST_CASE("a citizen who declines reconsiders after reconsider_days and the decline is counted") {
    LoneStore ls(2, 1);
    ls.params.reconsider_days = 45;
    ServiceParams svc;
    Claim& k = ls.store.claim(1, 0);
    k.state = ClaimState::aware;
    CHECK_FALSE(mechanism::decide(ls.day(100), svc, 7, decision_terms(-1000.0, 0.0), 1, 0));
    CHECK(k.state == ClaimState::declined);
    CHECK(k.next_day == 145);
    CHECK(ls.store.is_dirty(1));
    CHECK(ls.events(0, Event::claims_declined) == 1);
    CHECK(ls.events(0, Event::claims_started) == 0);
    REQUIRE(ls.counts.tallies.size() == 1);  // declined, not discouraged: self-efficacy is neutral
    CHECK(ls.counts.tallies[0].what == tally_index::efficacy + 0);
    CHECK(ls.counts.tallies[0].citizen == 1);
}

TEST_CASE("an interrupted claim declined stays interrupted and unmarked but the decline is counted") {
    LoneStore ls(2, 1);
    ServiceParams svc;
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::interrupted;
    CHECK_FALSE(mechanism::decide(ls.day(100), svc, 7, decision_terms(-1000.0, 0.0), 0, 0));
    CHECK(k.state == ClaimState::interrupted);
    CHECK_FALSE(ls.store.is_dirty(0));
    CHECK(ls.events(0, Event::claims_declined) == 1);
}

TEST_CASE("a decline that a neutral self-efficacy would have turned into a claim is discouraged") {
    LoneStore ls(1, 1);
    ServiceParams svc;
    ls.store.claim(0, 0).state = ClaimState::aware;
    CHECK_FALSE(mechanism::decide(ls.day(30), svc, 7, decision_terms(1000.0, -2000.0), 0, 0));
    REQUIRE(ls.counts.tallies.size() == 2);
    CHECK(ls.counts.tallies[0].what == tally_index::efficacy + 0);
    CHECK(ls.counts.tallies[1].what == tally_index::efficacy + 1);
    // During the warm-up nothing is counted or tallied.
    LoneStore warm(1, 1);
    warm.store.claim(0, 0).state = ClaimState::aware;
    CHECK_FALSE(mechanism::decide(warm.day(30, false), svc, 7, decision_terms(1000.0, -2000.0), 0, 0));
    CHECK(warm.counts.tallies.empty());
    CHECK(warm.all_events() == 0);
}
