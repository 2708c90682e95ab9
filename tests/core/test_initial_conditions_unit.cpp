// Where a citizen who knows of a right stands on day 0 (docs/model.md
// section 1), on a store alone: mechanism::start_from_past of
// engine/initial_conditions.cpp.
#include "lone_store.hpp"

#include "core/engine/initial_conditions.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace demat;
using demat::testing::LoneStore;

namespace {
ServiceParams service_with_renewal(int days) {
    ServiceParams svc;
    svc.renewal_days = days;
    return svc;
}
}  // namespace

TEST_CASE("a past spell with many decisions at a high claim probability starts the right received") {
    LoneStore ls(2, 1);
    ls.params.reconsider_days = 30;
    // Learnt at once (hazard high): a 600-day spell is 20 decisions; at
    // p = 0.2 the chance of having claimed is 1 - 0.8^20 = 0.988.
    const mechanism::PastSpell past{600.0, 10.0, 0.2, true, 0.5, 0.9, 0.5};
    mechanism::start_from_past(ls.day(0, false), service_with_renewal(90), past, 1, 0);
    const Claim& k = ls.store.claim(1, 0);
    CHECK(k.state == ClaimState::receiving);
    CHECK(k.has(claim_flag::knows));
    CHECK(k.has(claim_flag::ever_received));
    // The next declaration falls in the period, at the draw's phase:
    // 0.9 / 0.988 of 90 days.
    const double p_claimed = 1.0 - std::pow(0.8, 20);
    CHECK(k.next_day == 1 + static_cast<int>(0.9 / p_claimed * 90));
    CHECK(k.next_day <= 90);
    // Nothing is counted at the start; the citizen is marked for phase A.
    CHECK(ls.all_events() == 0);
    CHECK(ls.store.is_dirty(1));
    CHECK(ls.store.claim(0, 0).state == ClaimState::not_eligible);
}

TEST_CASE("a right learnt late in its spell leaves one decision and mostly starts aware") {
    LoneStore ls(1, 1);
    ls.params.reconsider_days = 30;
    // The same draw claimed = 0.5: at 20 decisions it would claim
    // (0.988), at one decision (p = 0.2) it does not.
    mechanism::PastSpell past{600.0, 10.0, 0.2, true, 0.5, 0.5, 0.25};
    mechanism::start_from_past(ls.day(0, false), service_with_renewal(90), past, 0, 0);
    CHECK(ls.store.claim(0, 0).state == ClaimState::receiving);
    LoneStore late(1, 1);
    late.params.reconsider_days = 30;
    past.spell_days = 20.0;  // shorter than one reconsideration cycle: one decision
    mechanism::start_from_past(late.day(0, false), service_with_renewal(90), past, 0, 0);
    const Claim& k = late.store.claim(0, 0);
    CHECK(k.state == ClaimState::aware);
    CHECK(k.has(claim_flag::knows));
    CHECK_FALSE(k.has(claim_flag::ever_received));
    // Reconsidering on a day drawn in the cycle: 1 + 0.25 x 30.
    CHECK(k.next_day == 1 + static_cast<int>(0.25 * 30));
}

TEST_CASE("a right no channel can serve starts aware whatever the past decisions") {
    LoneStore ls(1, 1);
    ls.params.reconsider_days = 30;
    const mechanism::PastSpell past{600.0, 10.0, 1.0, false, 0.5, 0.0, 0.0};
    mechanism::start_from_past(ls.day(0, false), service_with_renewal(90), past, 0, 0);
    CHECK(ls.store.claim(0, 0).state == ClaimState::aware);
    CHECK(ls.store.claim(0, 0).next_day == 1);
}

TEST_CASE("the share starting received follows 1 - (1 - p)^m over the claimed draw") {
    // With m decisions the right is received exactly when claimed < 1 - (1 - p)^m:
    // over an even grid of draws the share is that probability.
    const double p = 0.1;
    for (const double spell : {0.0, 95.0, 310.0}) {
        // Learnt within the first hour (hazard 1000 a day): m = 1 + floor(spell / 30).
        const double m = 1.0 + std::floor(spell / 30.0);
        int received = 0;
        const int n = 1000;
        LoneStore ls(n, 1);
        ls.params.reconsider_days = 30;
        for (int i = 0; i < n; ++i) {
            const mechanism::PastSpell past{spell, 1000.0, p, true, 0.5, (i + 0.5) / n, 0.5};
            mechanism::start_from_past(ls.day(0, false), service_with_renewal(0), past, static_cast<std::size_t>(i), 0);
            received += ls.store.claim(static_cast<std::size_t>(i), 0).state == ClaimState::receiving;
            if (ls.store.claim(static_cast<std::size_t>(i), 0).state == ClaimState::receiving)
                CHECK(ls.store.claim(static_cast<std::size_t>(i), 0).next_day == never);  // no renewal: never due
        }
        CHECK(std::abs(received / static_cast<double>(n) - (1.0 - std::pow(1.0 - p, m))) <= 1.0 / n);
    }
}
