// Counting (docs/output.md, the state counts), on a store alone: the rule
// mechanism::tally of engine/tally.hpp that the engine's incremental counts
// and its daily recount both use.
#include "lone_store.hpp"

#include "core/engine/tally.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

using namespace demat;
using demat::testing::LoneStore;

namespace {
constexpr std::size_t groups = 40;
// Each dimension in its own group, all different, so that a count in the
// wrong group shows.
std::array<int, dimension_count> some_groups() {
    std::array<int, dimension_count> g{};
    for (int d = 0; d < dimension_count; ++d) g[static_cast<std::size_t>(d)] = 3 * d + 1;
    return g;
}
void add_one(std::int16_t& x) { x = static_cast<std::int16_t>(x + 1); }
void remove_one(std::int16_t& x) { x = static_cast<std::int16_t>(x - 1); }
std::size_t state_index(ReportedState r) { return static_cast<std::size_t>(r) - 1; }
int sum(const std::vector<std::int16_t>& v) {
    int n = 0;
    for (const std::int16_t x : v) n += x;
    return n;
}
}  // namespace

TEST_CASE("counting puts each eligible claim in its reported state its groups its centile and its queue") {
    LoneStore ls(2, 3);
    BlockStock out;
    out.assign(3, groups, false);
    Claim& receiving = ls.store.claim(1, 0);
    receiving.state = ClaimState::receiving;
    Claim& queued = ls.store.claim(1, 1);
    queued.state = ClaimState::attempting;
    queued.flags = claim_flag::queued;
    queued.channel = Channel::counter;
    // Service 2 stays not eligible: it counts nowhere.
    const auto g = some_groups();
    const int agency_group = 38;
    int agency_asked = 0;
    mechanism::tally(ls.store, groups, true, out, 1, 57, g,
                     [&](int) { ++agency_asked; return agency_group; }, add_one);

    // The states: receiving for service 0, in progress for service 1.
    CHECK(out.states[0 * 6 + state_index(ReportedState::receiving)] == 1);
    CHECK(out.states[1 * 6 + state_index(ReportedState::in_progress)] == 1);
    CHECK(sum(out.states) == 2);
    // Every dimension's group but agency_contact's from g, agency_contact's
    // from the claim's own group: one count per dimension and claim.
    for (int d = 0; d < dimension_count - 1; ++d)
        CHECK(out.segment_states[(0 * groups + static_cast<std::size_t>(g[static_cast<std::size_t>(d)])) * 6 +
                                 state_index(ReportedState::receiving)] == 1);
    CHECK(out.segment_states[(0 * groups + agency_group) * 6 + state_index(ReportedState::receiving)] == 1);
    CHECK(out.segment_states[(0 * groups + static_cast<std::size_t>(g[10])) * 6 + state_index(ReportedState::receiving)] == 0);
    CHECK(sum(out.segment_states) == 2 * dimension_count);
    CHECK(agency_asked == 2);
    // The centile: both eligible, one receiving.
    CHECK(out.centiles[(0 * capital_centiles + 57) * 2] == 1);
    CHECK(out.centiles[(0 * capital_centiles + 57) * 2 + 1] == 1);
    CHECK(out.centiles[(1 * capital_centiles + 57) * 2] == 1);
    CHECK(out.centiles[(1 * capital_centiles + 57) * 2 + 1] == 0);
    CHECK(sum(out.centiles) == 3);
    // The queue: service 1 waiting at the counter.
    CHECK(out.queue_length[1 * channel_count + static_cast<std::size_t>(Channel::counter)] == 1);
    CHECK(sum(out.queue_length) == 1);
}

TEST_CASE("counting a citizen out after counting them in leaves every count at zero") {
    LoneStore ls(1, 2);
    BlockStock out;
    out.assign(2, groups, false);
    ls.store.claim(0, 0).state = ClaimState::interrupted;
    Claim& k = ls.store.claim(0, 1);
    k.state = ClaimState::submitted;
    k.flags = claim_flag::reclaiming;  // a re-claim after an interruption counts as interrupted
    const auto g = some_groups();
    mechanism::tally(ls.store, groups, false, out, 0, 3, g, [](int) { return 0; }, add_one);
    CHECK(out.states[0 * 6 + state_index(ReportedState::interrupted)] == 1);
    CHECK(out.states[1 * 6 + state_index(ReportedState::interrupted)] == 1);
    // Without agencies nothing is counted in agency_contact.
    CHECK(sum(out.segment_states) == 2 * (dimension_count - 1));
    mechanism::tally(ls.store, groups, false, out, 0, 3, g, [](int) { return 0; }, remove_one);
    CHECK(sum(out.states) == 0);
    CHECK(sum(out.segment_states) == 0);
    CHECK(sum(out.centiles) == 0);
    for (const std::int16_t x : out.segment_states) CHECK(x == 0);
}

TEST_CASE("waiting for a neighbour online is no queue and a not eligible claim counts nowhere") {
    LoneStore ls(1, 2);
    BlockStock out;
    out.assign(2, groups, false);
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::waiting_help;
    k.flags = claim_flag::queued;
    k.channel = Channel::online;
    Claim& gone = ls.store.claim(0, 1);
    gone.flags = claim_flag::knows | claim_flag::ever_received;  // not eligible whatever it knew
    mechanism::tally(ls.store, groups, false, out, 0, 0, some_groups(), [](int) { return 0; }, add_one);
    CHECK(out.states[0 * 6 + state_index(ReportedState::in_progress)] == 1);
    CHECK(sum(out.states) == 1);
    CHECK(sum(out.queue_length) == 0);
    CHECK(sum(out.centiles) == 1);
}

TEST_CASE("with control a right interrupted by a control counts in the suspended stock in every dimension") {
    LoneStore ls(1, 3);
    BlockStock out;
    out.assign(3, groups, true);
    Claim& suspended = ls.store.claim(0, 0);
    suspended.state = ClaimState::interrupted;
    suspended.flags = claim_flag::control;
    ls.store.claim(0, 1).state = ClaimState::interrupted;  // interrupted otherwise: not suspended
    Claim& cleared = ls.store.claim(0, 2);                  // the flag stays until received again
    cleared.state = ClaimState::receiving;
    cleared.flags = claim_flag::control;
    const auto g = some_groups();
    // Agencies off: agency_contact's "none" group, g's own, is counted.
    mechanism::tally(ls.store, groups, false, out, 0, 0, g, [](int) { return 39; }, add_one);
    CHECK(out.suspended[0 * (groups + 1) + groups] == 1);
    for (int d = 0; d < dimension_count; ++d)
        CHECK(out.suspended[0 * (groups + 1) + static_cast<std::size_t>(g[static_cast<std::size_t>(d)])] == 1);
    CHECK(sum(out.suspended) == 1 + dimension_count);
    // Agencies on: the claim's own agency group instead.
    BlockStock on;
    on.assign(3, groups, true);
    mechanism::tally(ls.store, groups, true, on, 0, 0, g, [](int) { return 39; }, add_one);
    CHECK(on.suspended[0 * (groups + 1) + 39] == 1);
    CHECK(on.suspended[0 * (groups + 1) + static_cast<std::size_t>(g[10])] == 0);
    CHECK(sum(on.suspended) == 1 + dimension_count);
    // Without control the stock is not even there.
    BlockStock off;
    off.assign(3, groups, false);
    mechanism::tally(ls.store, groups, false, off, 0, 0, g, [](int) { return 39; }, add_one);
    CHECK(off.suspended.empty());
}
