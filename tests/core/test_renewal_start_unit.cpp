// The start of a renewal (docs/model.md 6.9), on a store alone: the
// mechanism mechanism::start_renewal of engine/renewal.cpp.
#include "lone_store.hpp"

#include "core/engine/renewal.hpp"

#include <catch2/catch.hpp>

using namespace demat;
using demat::testing::LoneStore;
using mechanism::RenewalStart;

namespace {

// A right received since a first claim done with help, two failures ago.
Claim& received(LoneStore& ls, std::size_t c, int s) {
    Claim& k = ls.store.claim(c, s);
    k.state = ClaimState::receiving;
    k.flags = claim_flag::knows | claim_flag::ever_received | claim_flag::assisted;
    k.failures = 2;
    k.episode_start = 10;
    k.next_day = 200;
    return k;
}

}  // namespace

TEST_CASE("a renewal by declaration opens its window today and the claim stays received") {
    LoneStore ls(3, 2);
    ServiceParams svc;
    svc.renewal_days = 90;
    svc.automatic = false;
    Claim& k = received(ls, 1, 1);
    CHECK(mechanism::start_renewal(ls.day(200), svc, 1, 1) == RenewalStart::declaration);
    CHECK(k.state == ClaimState::receiving);  // paid meanwhile
    CHECK(k.has(claim_flag::renewing));
    CHECK(k.episode_start == 200);  // renewal_window_days count from today
    CHECK_FALSE(k.has(claim_flag::assisted));  // the help of the first claim is not carried over
    CHECK(k.has(claim_flag::knows));
    CHECK(k.has(claim_flag::ever_received));
    CHECK(k.failures == 0);
    CHECK(ls.all_events() == 0);  // a renewal is counted when completed, not when it starts
    // The other service's claim and the other citizens are untouched.
    CHECK(ls.store.claim(1, 0).flags == 0);
    CHECK_FALSE(ls.store.claim(0, 1).has(claim_flag::renewing));
}

TEST_CASE("an automatic service renews on its own: no procedure and the next date in renewal_days") {
    LoneStore ls(2, 1);
    ServiceParams svc;
    svc.renewal_days = 90;
    svc.automatic = true;
    Claim& k = received(ls, 0, 0);
    CHECK(mechanism::start_renewal(ls.day(200), svc, 0, 0) == RenewalStart::automatic);
    CHECK(k.next_day == 290);
    CHECK(k.state == ClaimState::receiving);
    CHECK_FALSE(k.has(claim_flag::renewing));
    CHECK(k.episode_start == 10);
    CHECK(k.failures == 2);
    CHECK(ls.all_events() == 0);
}

TEST_CASE("a service without periodic declaration is never renewed") {
    LoneStore ls(2, 1);
    ServiceParams svc;
    svc.renewal_days = 0;
    svc.automatic = false;
    Claim& k = received(ls, 0, 0);
    CHECK(mechanism::start_renewal(ls.day(200), svc, 0, 0) == RenewalStart::none);
    CHECK(k.next_day == never);
    CHECK_FALSE(k.has(claim_flag::renewing));
    CHECK(k.state == ClaimState::receiving);
    // Automatic or not: with no period there is nothing to renew.
    svc.automatic = true;
    Claim& other = received(ls, 1, 0);
    CHECK(mechanism::start_renewal(ls.day(200), svc, 1, 0) == RenewalStart::none);
    CHECK(other.next_day == never);
}
