// Moving house (docs/model.md 2.2) in whole runs: identical at 1 and 2
// threads with the incremental counts checked every day, moves restart the
// housing benefit's claims (more claims started), and a rate of 0 is the
// same run as moving off.
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace demat;
using namespace demat::test;

namespace {

// The small scenario with its housing benefit (service 1, tenants only)
// known from the start (prior spells) and the moves on.
Scenario moving_scenario() {
    Scenario sc = small_scenario(12000, 240);
    sc.behaviour.prior_eligibility_days = 36500;
    sc.moving.enabled = true;
    return sc;
}

constexpr std::size_t housing = 1, minimum_income = 0;

}  // namespace

TEST_CASE("moving: 1 and 2 threads give bit-identical results with the counts checked every day") {
    const Scenario sc = moving_scenario();
    const Results one = run(sc, 1, true);
    const Results two = run(sc, 2, true);
    require_identical(one, two);
}

TEST_CASE("moving: moves start the housing benefit's claims again and a rate of 0 is moving off") {
    Scenario sc = moving_scenario();
    // Tenants move often, so that the restarts show over 240 days.
    sc.moving.private_tenant_rate = sc.moving.social_tenant_rate = 0.5;
    const Results moving = run(sc, 2);
    Scenario off = sc;
    off.moving.enabled = false;
    const Results without = run(off, 2);
    // A move ends a received right and the claim is made again: more claims
    // started for the housing benefit, and fewer days received.
    CHECK(total(moving, "metrics/claims_started", housing) > total(without, "metrics/claims_started", housing) + 200);
    std::int64_t received_moving = 0, received_without = 0;
    for (std::size_t d = 0; d < 240; ++d) {
        received_moving += count(moving, d, housing, 1);
        received_without += count(without, d, housing, 1);
    }
    CHECK(received_moving < received_without);
    // A rate of 0 for everyone: no draw moves anything, the run is moving off.
    Scenario still = sc;
    still.moving.owner_rate = still.moving.private_tenant_rate = still.moving.social_tenant_rate = 0.0;
    require_identical(run(still, 2), without);
    // The minimum income is not tied to the dwelling: its claims are not
    // restarted (it moves only through peers and agents, by a little).
    const double started_moving = static_cast<double>(total(moving, "metrics/claims_started", minimum_income));
    const double started_without = static_cast<double>(total(without, "metrics/claims_started", minimum_income));
    CHECK(started_moving == Approx(started_without).epsilon(0.1));
}
