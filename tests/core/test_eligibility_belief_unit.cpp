// The belief of eligibility (docs/model.md 6.16), on a store alone: the
// mechanisms of engine/eligibility_belief.cpp and the decision's and the
// typology's reading of it.
#include "lone_store.hpp"

#include "core/engine/eligibility_belief.hpp"

#include <catch2/catch.hpp>

using namespace demat;
using demat::testing::LoneStore;

TEST_CASE("the chance of doubting falls with literacy and with the share of the hazard from an agency") {
    ServiceParams b;
    CHECK(mechanism::doubt_probability(b, 0.2, 0.0) == 0.0);  // off by default
    b.eligibility_doubt = 0.6;
    CHECK(mechanism::doubt_probability(b, 0.0, 0.0) == Approx(0.6));
    CHECK(mechanism::doubt_probability(b, 0.5, 0.0) == Approx(0.3));
    CHECK(mechanism::doubt_probability(b, 1.0, 0.0) == 0.0);
    CHECK(mechanism::doubt_probability(b, 0.5, 0.5) == Approx(0.15));
    CHECK(mechanism::doubt_probability(b, 0.0, 1.0) == 0.0);
}

TEST_CASE("a doubter counts in non-knowledge and declines without weighing the claim") {
    LoneStore ls(3, 2);
    ls.params.decision_intercept = 50.0;  // anyone weighing it would claim
    Claim& k = ls.store.claim(1, 0);
    k.state = ClaimState::unaware;
    mechanism::become_aware(ls.day(10), 1, 0);
    CHECK(reported_state(k) == ReportedState::non_demand);
    mechanism::form_belief(ls.day(10), 7, 1, 0, 1.0);
    CHECK(k.doubts);
    CHECK(reported_state(k) == ReportedState::non_knowledge);
    ServiceParams svc;
    const mechanism::DecisionTerms terms{0.5, 0.5, 0.0, 0.0, 500.0, 0.0};
    CHECK_FALSE(mechanism::decide(ls.day(11), svc, 7, terms, 1, 0));
    CHECK(k.state == ClaimState::declined);
    CHECK(k.next_day == 11 + ls.params.reconsider_days);
    CHECK(reported_state(k) == ReportedState::non_knowledge);
    CHECK(ls.events(0, Event::claims_declined) == 1);
    // Told they are entitled, they decide the next day, and claim.
    CHECK(mechanism::correct_belief(ls.day(20), 1, 0));
    CHECK_FALSE(k.doubts);
    CHECK(k.next_day == 21);
    CHECK(reported_state(k) == ReportedState::non_demand);
    CHECK(mechanism::decide(ls.day(21), svc, 7, terms, 1, 0));
    CHECK(k.state == ClaimState::attempting);
    // Nothing to correct the second time.
    CHECK_FALSE(mechanism::correct_belief(ls.day(22), 1, 0));
}

TEST_CASE("a belief drawn with probability 0 draws nothing and leaves the claim believing") {
    LoneStore ls(2, 1);
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::aware;
    mechanism::form_belief(ls.day(5), 3, 0, 0, 0.0);
    CHECK_FALSE(k.doubts);
    CHECK_FALSE(ls.store.is_dirty(0));
}

TEST_CASE("the share of doubters follows the probability drawn") {
    const int n = 4000;
    LoneStore ls(n, 1);
    for (int c = 0; c < n; ++c) {
        ls.store.claim(static_cast<std::size_t>(c), 0).state = ClaimState::unaware;
        mechanism::become_aware(ls.day(2), static_cast<std::size_t>(c), 0);
        mechanism::form_belief(ls.day(2), 11, static_cast<std::size_t>(c), 0, 0.3);
    }
    int doubters = 0;
    for (int c = 0; c < n; ++c) doubters += ls.store.claim(static_cast<std::size_t>(c), 0).doubts ? 1 : 0;
    CHECK(doubters > 0.3 * n - 120);
    CHECK(doubters < 0.3 * n + 120);
}

TEST_CASE("the eligibility letter makes the unaware aware, corrects doubters and prompts decliners") {
    LoneStore ls(5, 1);
    ls.store.claim(0, 0).state = ClaimState::unaware;
    Claim& doubter = ls.store.claim(1, 0);
    doubter.state = ClaimState::declined;
    doubter.doubts = true;
    doubter.next_day = 300;
    Claim& decliner = ls.store.claim(2, 0);
    decliner.state = ClaimState::declined;
    decliner.next_day = 300;
    ls.store.claim(3, 0).state = ClaimState::receiving;
    CHECK(mechanism::read_letter(ls.day(40), 1, 0, 0, 1.0));
    CHECK(ls.store.claim(0, 0).state == ClaimState::aware);
    CHECK_FALSE(ls.store.claim(0, 0).doubts);
    CHECK(ls.store.claim(0, 0).next_day == 41);
    CHECK(mechanism::read_letter(ls.day(40), 1, 1, 0, 1.0));
    CHECK_FALSE(doubter.doubts);
    CHECK(doubter.next_day == 41);
    // Knowing they are entitled, a decliner is prompted: they decide the next
    // day (docs/model.md 6.16), still declined, believing.
    CHECK(mechanism::read_letter(ls.day(40), 1, 2, 0, 1.0));
    CHECK(decliner.next_day == 41);
    CHECK(decliner.state == ClaimState::declined);
    CHECK_FALSE(decliner.doubts);
    CHECK_FALSE(mechanism::read_letter(ls.day(40), 1, 3, 0, 1.0));
    CHECK(ls.store.claim(3, 0).state == ClaimState::receiving);
    CHECK_FALSE(mechanism::read_letter(ls.day(40), 1, 4, 0, 1.0));  // not eligible
    // Unread: nothing changes.
    Claim& k = ls.store.claim(4, 0);
    k.state = ClaimState::unaware;
    CHECK_FALSE(mechanism::read_letter(ls.day(41), 1, 4, 0, 0.0));
    CHECK(k.state == ClaimState::unaware);
}
