// Informal help (docs/model.md 5.1, 6.5, 6.12), on a store alone: the
// mechanisms of engine/help.hpp (asking, the helper's time, the helped
// citizen's side). Statistical checks draw from the real stream, one
// request a day, and bound the count at 5 binomial standard deviations.
#include "core/engine/help.hpp"
#include "lone_store.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace demat;
using demat::testing::LoneStore;

namespace {
constexpr std::uint64_t help_seed = 3;

// A store of n citizens with helps kept and `capable` able to help.
void make_helpers(LoneStore& ls, std::size_t n, const std::vector<std::uint32_t>& capable) {
    ls.store.capable.assign((n + 63) / 64, 0);
    for (const std::uint32_t h : capable) ls.store.capable[h >> 6] |= std::uint64_t{1} << (h & 63);
    ls.store.helps_this_month.assign(n, 0);
    ls.store.helps_total.assign(n, 0);
}
Stream help_stream(std::size_t c, int s, int day) {
    return {help_seed, Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::channel_choice};
}
mechanism::HelpCircle circle_of(const std::vector<std::uint32_t>& neighbours, bool online, bool mediation) {
    return {false, 0, neighbours.data(), neighbours.data() + neighbours.size(), online, mediation};
}
}  // namespace

TEST_CASE("a unit's claimant asks the capable other adult of the household first") {
    LoneStore ls(6, 2);
    make_helpers(ls, 6, {1, 4});
    const std::vector<std::uint32_t> neighbours{4, 5};
    mechanism::HelpCircle circle = circle_of(neighbours, true, true);
    circle.has_partner = true;
    circle.partner = 1;
    std::vector<HelpRequest> requests;
    Claim& k = ls.store.claim(0, 1);
    k.state = ClaimState::attempting;
    k.channel = Channel::counter;
    Stream rng = help_stream(0, 1, 20);
    CHECK(mechanism::ask_for_help(ls.day(20), circle, requests, rng, 0, 1) == mechanism::HelpRoute::helper);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].citizen == 0);
    CHECK(requests[0].helper == 1);
    CHECK(requests[0].service == 1);
    CHECK(requests[0].key == help_stream(0, 1, 20).next_word());  // no neighbour drawn before the key
    CHECK(k.state == ClaimState::waiting_help);
    CHECK(k.has(claim_flag::queued));
    CHECK(k.channel == Channel::online);
    CHECK(k.next_day == never);
    CHECK(ls.store.is_dirty(0));
    CHECK(ls.events(1, Event::help_requested) == 1);
    CHECK(ls.events(0, Event::help_requested) == 0);
    // A partner who cannot help is passed over for a capable neighbour.
    circle.partner = 2;
    Stream again = help_stream(0, 1, 21);
    CHECK(mechanism::ask_for_help(ls.day(21), circle, requests, again, 0, 1) == mechanism::HelpRoute::helper);
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].helper == 4);
}

TEST_CASE("the helper is the first capable neighbour from a random one") {
    // Neighbours 10 and 12 can help, 11 and 13 cannot: starting from 10 or
    // 13 the helper is 10, from 11 or 12 it is 12, each half the time.
    LoneStore ls(14, 1);
    make_helpers(ls, 14, {10, 12});
    const std::vector<std::uint32_t> neighbours{10, 11, 12, 13};
    const auto circle = circle_of(neighbours, true, false);
    std::vector<HelpRequest> requests;
    constexpr int days = 4000;
    int by_twelve = 0;
    for (int d = 0; d < days; ++d) {
        ls.store.claim(0, 0).state = ClaimState::attempting;
        Stream rng = help_stream(0, 0, d);
        REQUIRE(mechanism::ask_for_help(ls.day(d), circle, requests, rng, 0, 0) == mechanism::HelpRoute::helper);
        REQUIRE((requests.back().helper == 10 || requests.back().helper == 12));
        by_twelve += requests.back().helper == 12;
    }
    CHECK(std::abs(by_twelve - days / 2) <= 5.0 * std::sqrt(days * 0.25));
}

TEST_CASE("without a capable helper the request goes to mediation if open and nowhere otherwise") {
    LoneStore ls(4, 1);
    make_helpers(ls, 4, {});
    const std::vector<std::uint32_t> neighbours{1, 2, 3};
    std::vector<HelpRequest> requests;
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::attempting;
    k.next_day = 77;
    Stream rng = help_stream(0, 0, 5);
    CHECK(mechanism::ask_for_help(ls.day(5), circle_of(neighbours, true, true), requests, rng, 0, 0) ==
          mechanism::HelpRoute::mediation);
    Stream rng2 = help_stream(0, 0, 6);
    CHECK(mechanism::ask_for_help(ls.day(6), circle_of(neighbours, true, false), requests, rng2, 0, 0) ==
          mechanism::HelpRoute::nobody);
    CHECK(requests.empty());
    CHECK(k.state == ClaimState::attempting);  // the engine queues it or fails it
    CHECK(k.next_day == 77);
    CHECK(ls.events(0, Event::help_requested) == 2);
}

TEST_CASE("a procedure with no online channel never asks a relative however capable") {
    LoneStore ls(3, 1);
    make_helpers(ls, 3, {1, 2});
    const std::vector<std::uint32_t> neighbours{1, 2};
    mechanism::HelpCircle circle = circle_of(neighbours, false, false);
    circle.has_partner = true;
    circle.partner = 1;
    std::vector<HelpRequest> requests;
    for (int d = 0; d < 50; ++d) {
        Stream rng = help_stream(0, 0, d);
        CHECK(mechanism::ask_for_help(ls.day(d), circle, requests, rng, 0, 0) == mechanism::HelpRoute::nobody);
    }
    CHECK(requests.empty());
}

TEST_CASE("a renewal waiting for help keeps its right received") {
    LoneStore ls(2, 1);
    make_helpers(ls, 2, {1});
    const std::vector<std::uint32_t> neighbours{1};
    std::vector<HelpRequest> requests;
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::receiving;
    k.flags = claim_flag::knows | claim_flag::ever_received | claim_flag::renewing;
    Stream rng = help_stream(0, 0, 9);
    CHECK(mechanism::ask_for_help(ls.day(9), circle_of(neighbours, true, false), requests, rng, 0, 0) ==
          mechanism::HelpRoute::helper);
    CHECK(k.state == ClaimState::receiving);
    CHECK(k.has(claim_flag::queued));
}

TEST_CASE("a helper helps at most helper_capacity times a month") {
    LoneStore ls(3, 1);
    make_helpers(ls, 3, {2});
    ls.params.helper_capacity = 2;
    CHECK(mechanism::take_help(ls.store, ls.params, 2, 0.0));
    CHECK(mechanism::take_help(ls.store, ls.params, 2, 0.0));
    CHECK_FALSE(mechanism::take_help(ls.store, ls.params, 2, 0.0));
    CHECK(ls.store.helps_this_month[2] == 2);
    CHECK(ls.store.helps_total[2] == 2);  // the refused help is not one given
    CHECK(mechanism::take_help(ls.store, ls.params, 1, 0.0));  // another helper's time is their own
}

TEST_CASE("with a time budget a help that would overrun the month is refused") {
    LoneStore ls(1, 1);
    make_helpers(ls, 1, {0});
    ls.params.helper_hours_per_month = 2.0;  // 8 quarter-hours
    ls.params.help_hours_fixed = 0.75;       // 3 quarter-hours a help at complexity 0
    ls.params.help_hours_complexity = 1.0;   // 4 more at complexity 1
    CHECK(mechanism::take_help(ls.store, ls.params, 0, 0.0));  // 3 of 8
    CHECK(mechanism::take_help(ls.store, ls.params, 0, 0.0));  // 6 of 8
    CHECK_FALSE(mechanism::take_help(ls.store, ls.params, 0, 0.0));  // 9 > 8
    CHECK(ls.store.helps_this_month[0] == 6);
    ls.store.helps_this_month[0] = 0;
    CHECK_FALSE(mechanism::take_help(ls.store, ls.params, 0, 1.5));  // 3 + 6 = 9 > 8
    CHECK(mechanism::take_help(ls.store, ls.params, 0, 1.0));  // 7 of 8
    CHECK(ls.store.helps_total[0] == 3);
}

TEST_CASE("a helper out of time sends the claim to mediation if open or to a later try") {
    LoneStore ls(2, 1);
    ls.params.retry_days = 6;
    Claim& k = ls.store.claim(1, 0);
    k.state = ClaimState::waiting_help;
    k.flags = claim_flag::knows | claim_flag::queued;
    k.next_day = never;
    CHECK(mechanism::receive_help(ls.day(30), false, true, 1, 0) == mechanism::HelpTurnOutcome::to_mediation);
    CHECK_FALSE(k.has(claim_flag::queued));
    CHECK(ls.store.is_dirty(1));  // un-counted before its flags change
    CHECK_FALSE(ls.store.is_dirty(0));
    CHECK(ls.events(0, Event::help_informal_unavailable) == 1);
    CHECK(k.state == ClaimState::waiting_help);  // the engine queues it
    k.flags |= claim_flag::queued;
    CHECK(mechanism::receive_help(ls.day(31), false, false, 1, 0) == mechanism::HelpTurnOutcome::retry_later);
    CHECK(k.state == ClaimState::attempting);
    CHECK(k.next_day == 37);
    CHECK(ls.events(0, Event::help_informal) == 0);
    CHECK(ls.counts.helps_given == 0);
}

TEST_CASE("a help given is counted with its online attempt") {
    LoneStore ls(1, 2);
    Claim& k = ls.store.claim(0, 1);
    k.state = ClaimState::waiting_help;
    k.flags = claim_flag::knows | claim_flag::queued;
    CHECK(mechanism::receive_help(ls.day(12), true, true, 0, 1) == mechanism::HelpTurnOutcome::helped);
    CHECK_FALSE(k.has(claim_flag::queued));
    CHECK(ls.store.is_dirty(0));
    CHECK(ls.events(1, Event::help_informal) == 1);
    CHECK(ls.counts.helps_given == 1);
    CHECK(ls.counts.channel_events[static_cast<std::size_t>((1 * channel_count + 0) * channel_event_count +
                                                            static_cast<int>(ChannelEvent::attempts))] == 1);
    CHECK(ls.events(1, Event::help_informal_unavailable) == 0);
}
