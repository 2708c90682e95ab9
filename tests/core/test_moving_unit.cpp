// Moving house (docs/model.md 2.2) on a store of a few citizens, without an
// Engine: the mechanisms of engine/moving.cpp (when a household moves, what
// a move does to the claims tied to the dwelling) and what the last move
// before day 0 does to the initial conditions (start_from_past).
#include "lone_store.hpp"

#include "core/engine/initial_conditions.hpp"
#include "core/engine/moving.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace demat;
using demat::testing::LoneStore;

namespace {

constexpr std::uint64_t seed = 20261206;
constexpr std::uint8_t housing_bit = 2;  // service 1 is tied to the dwelling, service 0 is not

// The share of n households of tenure `tenant` (heads 0, 2, 4...) that move
// within `days` days after day `from`.
double share_moving_within(const MovingParams& m, std::uint8_t tenant, int from, int days, int n) {
    int moved = 0;
    for (int i = 0; i < n; ++i) {
        const std::uint16_t next = mechanism::next_move(m, seed, static_cast<std::uint32_t>(2 * i), tenant, from);
        REQUIRE(next > from);
        moved += next <= from + days;
    }
    return static_cast<double>(moved) / n;
}

}  // namespace

TEST_CASE("a move ends the claim to a dwelling service and starts it again aware and decided tomorrow") {
    LoneStore ls(3, 2);
    Claim& housing = ls.store.claim(0, 1);
    housing.state = ClaimState::receiving;
    housing.flags = claim_flag::knows | claim_flag::ever_received | claim_flag::renewing | claim_flag::queued |
                    claim_flag::assisted;
    housing.failures = 2;
    housing.eligible_since = 10;
    housing.next_day = 500;
    housing.channel = Channel::counter;
    Claim& other = ls.store.claim(0, 0);
    other.state = ClaimState::receiving;
    other.flags = claim_flag::knows | claim_flag::ever_received;
    other.next_day = 300;
    ls.store.claim(2, 1).state = ClaimState::receiving;

    const std::uint8_t restarted = mechanism::move_house(ls.day(200), housing_bit, 2, 0);
    CHECK(restarted == housing_bit);
    // The right to the former dwelling has ended: aware, nothing received
    // in this spell, no procedure, queue or help under way.
    CHECK(housing.state == ClaimState::aware);
    CHECK(housing.flags == claim_flag::knows);
    CHECK(housing.failures == 0);
    CHECK(housing.eligible_since == 200);
    // Decided tomorrow, as any new awareness (6.2).
    CHECK(housing.next_day == 201);
    // The service not tied to the dwelling is untouched.
    CHECK(other.state == ClaimState::receiving);
    CHECK(other.flags == (claim_flag::knows | claim_flag::ever_received));
    CHECK(other.next_day == 300);
    // No event; the citizen is marked for phase A, the others are not.
    CHECK(ls.all_events() == 0);
    CHECK(ls.store.is_dirty(0));
    CHECK_FALSE(ls.store.is_dirty(1));
    CHECK_FALSE(ls.store.is_dirty(2));
    CHECK(ls.store.claim(2, 1).state == ClaimState::receiving);
}

TEST_CASE("a move restarts every known state of the claim and leaves the unaware and the ineligible as they are") {
    const std::vector<ClaimState> known = {ClaimState::aware,       ClaimState::declined,  ClaimState::attempting,
                                           ClaimState::waiting_help, ClaimState::submitted, ClaimState::rejected,
                                           ClaimState::abandoned,    ClaimState::interrupted};
    for (const ClaimState from : known) {
        LoneStore ls(1, 2);
        Claim& k = ls.store.claim(0, 1);
        k.state = from;
        k.flags = claim_flag::knows | claim_flag::reclaiming;
        k.next_day = 90;
        CHECK(mechanism::move_house(ls.day(40), housing_bit, 2, 0) == housing_bit);
        CHECK(k.state == ClaimState::aware);
        CHECK(k.flags == claim_flag::knows);  // no longer reclaiming: a new spell
        CHECK(k.next_day == 41);
    }
    for (const ClaimState from : {ClaimState::unaware, ClaimState::not_eligible}) {
        LoneStore ls(1, 2);
        Claim& k = ls.store.claim(0, 1);
        k.state = from;
        k.next_day = 90;
        k.eligible_since = 5;
        CHECK(mechanism::move_house(ls.day(40), housing_bit, 2, 0) == 0);
        CHECK(k.state == from);
        CHECK(k.next_day == 90);
        CHECK(k.eligible_since == 5);
        CHECK_FALSE(ls.store.is_dirty(0));
    }
}

TEST_CASE("the services tied to the dwelling are those that require a tenant and are not automatic") {
    std::vector<ServiceParams> services(4);
    services[1].eligibility.tenant_required = true;
    services[2].eligibility.tenant_required = true;
    services[2].automatic = true;
    services[3].eligibility.tenant_required = true;
    CHECK(mechanism::dwelling_services(services) == 0b1010);
}

TEST_CASE("households move at the yearly rate of their tenure") {
    const MovingParams m;  // the defaults: 3.6%, 18.5%, 8.5% a year
    REQUIRE(mechanism::moving_rate(m, 0) == 0.036);
    REQUIRE(mechanism::moving_rate(m, 1) == 0.185);
    REQUIRE(mechanism::moving_rate(m, 2) == 0.085);
    const int n = 100000;
    for (const std::uint8_t tenant : {std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{2}}) {
        const double r = mechanism::moving_rate(m, tenant);
        // Four standard errors of a share of n households.
        const double bound = 4.0 * std::sqrt(r * (1.0 - r) / n);
        INFO("tenure " << int{tenant});
        CHECK(std::abs(share_moving_within(m, tenant, 0, 365, n) - r) < bound);
        // The same from any day (a memoryless wait), and within one day
        // at the daily probability.
        CHECK(std::abs(share_moving_within(m, tenant, 1000, 365, n) - r) < bound);
        const double daily = 1.0 - std::pow(1.0 - r, 1.0 / 365.0);
        CHECK(std::abs(share_moving_within(m, tenant, 77, 1, n) - daily) < 4.0 * std::sqrt(daily / n) + 1e-4);
        // The last move before day 0: within a year with the same chance.
        int recent = 0;
        for (int i = 0; i < n; ++i)
            recent += mechanism::days_since_move(m, seed, static_cast<std::uint32_t>(2 * i), tenant) <= 365.0;
        CHECK(std::abs(static_cast<double>(recent) / n - r) < bound);
    }
}

TEST_CASE("the two adults of a household move on the same day and households differ") {
    const MovingParams m;
    int same_as_next_household = 0;
    for (std::uint32_t h = 0; h < 200; h += 2) {
        CHECK(mechanism::next_move(m, seed, h, 1, 30) == mechanism::next_move(m, seed, h, 1, 30));
        same_as_next_household += mechanism::next_move(m, seed, h, 1, 30) == mechanism::next_move(m, seed, h + 2, 1, 30);
    }
    CHECK(same_as_next_household < 10);
}

TEST_CASE("at a rate of 0 nobody moves and the initial conditions count every decision") {
    MovingParams m;
    m.owner_rate = m.private_tenant_rate = m.social_tenant_rate = 0.0;
    for (std::uint32_t h = 0; h < 1000; ++h)
        for (const std::uint8_t tenant : {std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{2}}) {
            CHECK(mechanism::next_move(m, seed, h, tenant, 0) == never);
            CHECK(std::isinf(mechanism::days_since_move(m, seed, h, tenant)));
        }
    // A rate of 1: the move falls the next day.
    m.private_tenant_rate = 1.0;
    CHECK(mechanism::next_move(m, seed, 4, 1, 12) == 13);
    CHECK(mechanism::days_since_move(m, seed, 4, 1) == 0.0);
}

TEST_CASE("a move since learning of the right leaves only the decisions since the move before day 0") {
    ServiceParams svc;
    svc.renewal_days = 365;
    // Learnt at once (hazard high): a 600-day spell is 20 decisions; at
    // p = 0.2 the chance of having claimed is 1 - 0.8^20 = 0.988 and the
    // draw 0.5 claims.
    mechanism::PastSpell past{600.0, 10.0, 0.2, true, 0.5, 0.5, 0.25};
    LoneStore stayed(1, 1);
    stayed.params.reconsider_days = 30;
    mechanism::start_from_past(stayed.day(0, false), svc, past, 0, 0);
    CHECK(stayed.store.claim(0, 0).state == ClaimState::receiving);
    // Moved 20 days ago: one decision since (p = 0.2), and 0.5 does not claim.
    past.since_move = 20.0;
    LoneStore moved(1, 1);
    moved.params.reconsider_days = 30;
    mechanism::start_from_past(moved.day(0, false), svc, past, 0, 0);
    CHECK(moved.store.claim(0, 0).state == ClaimState::aware);
    CHECK(moved.store.claim(0, 0).has(claim_flag::knows));
    // Moved 600 days ago or more: as if it had not moved.
    past.since_move = 700.0;
    LoneStore long_ago(1, 1);
    long_ago.params.reconsider_days = 30;
    mechanism::start_from_past(long_ago.day(0, false), svc, past, 0, 0);
    CHECK(long_ago.store.claim(0, 0).state == ClaimState::receiving);
    CHECK(long_ago.store.claim(0, 0).next_day == stayed.store.claim(0, 0).next_day);
}
