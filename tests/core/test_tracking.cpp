// Indicators over citizens (sim/core/tracking.hpp): the windows' exact
// first days, on claims written by hand.
#include "core/tracking.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace demat;

namespace {

// Results holding only the counts add_results reads: [day][service][state].
Results counts_only(std::size_t days, const std::vector<std::int64_t>& eligible,
                    const std::vector<std::int64_t>& receiving) {
    std::vector<std::int64_t> v(days * 7, 0);
    for (std::size_t d = 0; d < days; ++d) {
        v[d * 7 + 0] = eligible[d];
        v[d * 7 + 1] = receiving[d];
    }
    Results r;
    r.arrays.push_back({"counts", {"day", "service", "state"}, {days, 1, 7}, v, "", ""});
    return r;
}

std::int64_t integer_at(const Results& r, const std::string& path) { return r.array(path).integers().at(0); }

}  // namespace

TEST_CASE("persistent non-take-up: the window is exactly the last 273 recorded days") {
    constexpr int warmup = 10, recorded = 300;
    constexpr int first = warmup + recorded - CitizenTracking::persistent_days;  // the window's first day
    static_assert(CitizenTracking::persistent_days == 273);
    // One service. c0 receives only the day before the window, c1 only on
    // its first day; c2 becomes eligible on its first day and never
    // receives; c3 is not eligible on its first day only.
    CitizenTracking t(4, warmup, recorded);
    for (int day = warmup; day < warmup + recorded; ++day) {
        std::vector<Claim> claims(4);
        for (auto& k : claims) k.state = ClaimState::aware;
        if (day == first - 1) claims[0].state = ClaimState::receiving;
        if (day == first) claims[1].state = ClaimState::receiving;
        if (day < first) claims[2].state = ClaimState::not_eligible;
        if (day == first) claims[3].state = ClaimState::not_eligible;
        for (std::size_t c = 0; c < 4; ++c) t.observe(c, &claims[c], 1, day);
    }
    const std::size_t days = recorded;
    Results r = counts_only(days, std::vector<std::int64_t>(days, 4), std::vector<std::int64_t>(days, 0));
    Scenario sc;
    sc.services.resize(1);
    t.add_results(r, sc);
    CHECK(integer_at(r, "non_take_up/persistent_eligible") == 3);      // c0, c1, c2
    CHECK(integer_at(r, "non_take_up/persistent_not_receiving") == 2);  // c0, c2
}

TEST_CASE("quarterly non-take-up sums exactly the last 91 recorded days") {
    // One eligible citizen, receiving only on the quarter's first day: 90
    // days of 91 not receiving. Receiving only the day before: all 91.
    constexpr std::size_t days = 200;
    for (const std::size_t receiving_day : {days - 91, days - 92}) {
        std::vector<std::int64_t> receiving(days, 0);
        receiving[receiving_day] = 1;
        Results r = counts_only(days, std::vector<std::int64_t>(days, 1), receiving);
        Scenario sc;
        sc.services.resize(1);
        CitizenTracking(1, 0, static_cast<int>(days)).add_results(r, sc);
        const double expected = receiving_day == days - 91 ? 90.0 / 91.0 : 1.0;
        CHECK(r.array("non_take_up/quarter").reals().at(0) == Approx(expected).epsilon(1e-12));
    }
}

TEST_CASE("outreach cohort: taken on recorded day 0, the unaware group holds the unaware only") {
    constexpr int warmup = 5;
    CitizenTracking t(3, warmup, 30);
    // c0 unaware, c1 aware, c2 receiving on the cohort day; c0 receives
    // later, c1 never: the unaware group's enrolment is c0's alone.
    for (int day = warmup; day < warmup + 30; ++day) {
        std::vector<Claim> claims(3);
        claims[0].state = day < warmup + 10 ? ClaimState::unaware : ClaimState::receiving;
        claims[1].state = ClaimState::aware;
        claims[2].state = ClaimState::receiving;
        for (std::size_t c = 0; c < 3; ++c) t.observe(c, &claims[c], 1, day);
    }
    Results r = counts_only(30, std::vector<std::int64_t>(30, 3), std::vector<std::int64_t>(30, 1));
    Scenario sc;
    sc.services.resize(1);
    t.add_results(r, sc);
    const auto& members = r.array("cohort/members").integers();
    const auto& enrolled = r.array("cohort/enrolled").integers();
    CHECK(members == std::vector<std::int64_t>{2, 1});   // not receiving: c0, c1; unaware: c0
    CHECK(enrolled == std::vector<std::int64_t>{1, 1});
}
