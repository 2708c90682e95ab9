// The procedure (docs/model.md 6.3-6.5, 6.10-6.11), on a store alone: the
// mechanisms of engine/procedure.hpp (channel choice, online attempt,
// failure and retry). Statistical checks draw from the real streams, one
// per day, and bound the count at 5 binomial standard deviations.
#include "core/engine/procedure.hpp"
#include "lone_store.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

using namespace demat;
using demat::testing::LoneStore;

namespace {
constexpr std::uint64_t procedure_seed = 11;
constexpr double unusable = -std::numeric_limits<double>::infinity();

std::int64_t channel_attempts(const LoneStore& ls, int s, Channel ch) {
    return ls.counts.channel_events[static_cast<std::size_t>((s * channel_count + static_cast<int>(ch)) *
                                                                 channel_event_count +
                                                             static_cast<int>(ChannelEvent::attempts))];
}
Stream procedure_stream(std::size_t c, int s, int day) {
    return {procedure_seed, Rng::claim_subject(c, s), static_cast<std::uint32_t>(day), Purpose::channel_choice};
}
// |observed - n p| within 5 binomial standard deviations.
bool within_binomial(std::int64_t observed, int n, double p) {
    return std::abs(static_cast<double>(observed) - n * p) <= 5.0 * std::sqrt(n * p * (1.0 - p));
}
std::uint8_t bit(Channel ch) { return static_cast<std::uint8_t>(1u << static_cast<int>(ch)); }
}  // namespace

TEST_CASE("an online-only service never sends a citizen to a counter however attractive") {
    LoneStore ls(2, 2);
    mechanism::ChannelOptions options;
    options.open = bit(Channel::online);
    options.utility[static_cast<std::size_t>(Channel::online)] = -5.0;
    options.utility[static_cast<std::size_t>(Channel::counter)] = 40.0;  // closed: not weighed
    constexpr int days = 500;
    for (int d = 0; d < days; ++d) {
        Stream rng = procedure_stream(1, 1, d);
        CHECK(mechanism::choose_channel(ls.day(d), options, rng, 1, 1) == static_cast<int>(Channel::online));
    }
    CHECK(ls.store.claim(1, 1).channel == Channel::online);
    CHECK(channel_attempts(ls, 1, Channel::online) == days);
    CHECK(channel_attempts(ls, 1, Channel::counter) == 0);
    CHECK(channel_attempts(ls, 0, Channel::online) == 0);  // counted for its service only
}

TEST_CASE("the channel is drawn in proportion to the exponential of its utility") {
    LoneStore ls(1, 1);
    mechanism::ChannelOptions options;
    options.open = bit(Channel::online) | bit(Channel::phone) | bit(Channel::counter);
    options.utility[static_cast<std::size_t>(Channel::online)] = 0.0;
    options.utility[static_cast<std::size_t>(Channel::phone)] = std::log(3.0);  // three times as likely
    options.utility[static_cast<std::size_t>(Channel::counter)] = unusable;
    constexpr int days = 4000;
    int phone = 0, counter = 0;
    for (int d = 0; d < days; ++d) {
        Stream rng = procedure_stream(0, 0, d);
        const int chosen = mechanism::choose_channel(ls.day(d), options, rng, 0, 0);
        phone += chosen == static_cast<int>(Channel::phone);
        counter += chosen == static_cast<int>(Channel::counter);
    }
    CHECK(within_binomial(phone, days, 0.75));
    CHECK(counter == 0);
    CHECK(channel_attempts(ls, 0, Channel::phone) == phone);
    CHECK(channel_attempts(ls, 0, Channel::online) == days - phone);
}

TEST_CASE("with no channel usable alone nothing is drawn and nothing counted") {
    LoneStore ls(1, 1);
    ls.store.claim(0, 0).channel = Channel::phone;
    mechanism::ChannelOptions options;
    options.open = bit(Channel::online);  // open but the citizen has no device
    options.utility[static_cast<std::size_t>(Channel::online)] = unusable;
    Stream rng = procedure_stream(0, 0, 3);
    CHECK(mechanism::choose_channel(ls.day(3), options, rng, 0, 0) == mechanism::no_channel);
    CHECK(rng.next_word() == procedure_stream(0, 0, 3).next_word());  // the stream is left for what follows
    CHECK(ls.store.claim(0, 0).channel == Channel::phone);
    CHECK(ls.all_events() == 0);
    CHECK(std::int64_t{0} == channel_attempts(ls, 0, Channel::online));
}

TEST_CASE("a device is borrowed at the stated rate and never when borrowing is off") {
    LoneStore ls(1, 1);
    constexpr int days = 4000;
    int borrowed = 0;
    for (int d = 0; d < days; ++d) borrowed += mechanism::borrows_device(ls.day(d), procedure_seed, 0, 0);
    CHECK(borrowed == 0);  // borrow_device is 0 by default
    ls.params.borrow_device = 0.2;
    for (int d = 0; d < days; ++d) borrowed += mechanism::borrows_device(ls.day(d), procedure_seed, 0, 0);
    CHECK(within_binomial(borrowed, days, 0.2));
}

TEST_CASE("an online attempt succeeds at its odds and a failed form has the cause of its deficit") {
    LoneStore ls(1, 1);
    OnlineOdds odds;
    odds.success = 0.3;
    odds.skill = 1.0;  // the only deficit: every failed form fails on skill
    constexpr int days = 4000;
    int ok = 0;
    bool all_skill = true;
    for (int d = 0; d < days; ++d) {
        Stream rng = procedure_stream(0, 0, d);
        const auto outcome = mechanism::attempt_online(ls.day(d), odds, IdentityRequirement::none, rng, 0, 0, false);
        ok += outcome.ok;
        if (!outcome.ok) all_skill = all_skill && outcome.why == Reason::skill;
    }
    CHECK(within_binomial(ok, days, 0.3));
    CHECK(all_skill);
    CHECK(ls.all_events() == 0);  // a chosen channel's attempt was counted at the choice
    CHECK(ls.counts.tallies.empty());  // no identity step at this service
}

TEST_CASE("an online attempt counts the identity step it reached and its first attempts") {
    OnlineOdds odds;
    odds.connected = 0.9;
    odds.past_identity = 0.6;
    odds.success = 0.5;
    constexpr int days = 4000;
    for (const int failures : {0, 2}) {
        LoneStore ls(1, 1);
        ls.store.claim(0, 0).failures = static_cast<std::uint8_t>(failures);
        int connection = 0, identity = 0;
        for (int d = 0; d < days; ++d) {
            Stream rng = procedure_stream(0, 0, d);
            const auto outcome =
                mechanism::attempt_online(ls.day(d), odds, IdentityRequirement::strong, rng, 0, 0, false);
            connection += !outcome.ok && outcome.why == Reason::connection;
            identity += !outcome.ok && outcome.why == Reason::identity;
        }
        std::int64_t tallied[4] = {0, 0, 0, 0};
        for (const auto& t : ls.counts.tallies) {
            REQUIRE(t.what >= tally_index::identity);
            REQUIRE(t.what < tally_index::identity + 4);
            ++tallied[t.what - tally_index::identity];
        }
        CHECK(within_binomial(connection, days, 0.1));
        CHECK(within_binomial(identity, days, 0.3));
        CHECK(tallied[0] == days - connection);  // reached the identity step
        CHECK(tallied[1] == days - connection - identity);  // passed it
        CHECK(tallied[2] == (failures == 0 ? tallied[0] : 0));  // a first attempt has no failure before it
        CHECK(tallied[3] == (failures == 0 ? tallied[1] : 0));
    }
}

TEST_CASE("an attempt on a borrowed device goes online and is counted as an online attempt") {
    LoneStore ls(1, 2);
    ls.store.claim(0, 1).channel = Channel::counter;
    OnlineOdds odds;
    Stream rng = procedure_stream(0, 1, 5);
    CHECK(mechanism::attempt_online(ls.day(5), odds, IdentityRequirement::none, rng, 0, 1, true).ok);
    CHECK(ls.store.claim(0, 1).channel == Channel::online);
    CHECK(channel_attempts(ls, 1, Channel::online) == 1);
    CHECK(ls.all_events() == 0);
    // In the warm-up nothing is counted.
    LoneStore warm(1, 1);
    Stream again = procedure_stream(0, 0, 5);
    mechanism::attempt_online(warm.day(5, false), odds, IdentityRequirement::none, again, 0, 0, true);
    CHECK(channel_attempts(warm, 0, Channel::online) == 0);
}

TEST_CASE("a failure leaves queue and help behind and the citizen gives up at max_failures") {
    LoneStore ls(2, 1);
    ls.params.max_failures = 3;
    Claim& k = ls.store.claim(1, 0);
    k.state = ClaimState::attempting;
    k.flags = claim_flag::knows | claim_flag::queued | claim_flag::assisted;
    CHECK_FALSE(mechanism::record_failure(ls.day(10), 1, 0, Reason::skill, true));
    CHECK(k.failures == 1);
    CHECK(k.flags == claim_flag::knows);
    CHECK_FALSE(mechanism::record_failure(ls.day(11), 1, 0, Reason::wait, false));
    CHECK(mechanism::record_failure(ls.day(12), 1, 0, Reason::complexity, true));
    CHECK(k.failures == 3);
    CHECK(k.state == ClaimState::attempting);  // what giving up means is the engine's (abandon, interrupt)
    // Only the failed online attempts have their cause tallied.
    REQUIRE(ls.counts.tallies.size() == 2);
    CHECK(ls.counts.tallies[0].what == tally_index::failure(Reason::skill));
    CHECK(ls.counts.tallies[1].what == tally_index::failure(Reason::complexity));
    CHECK(ls.counts.tallies[1].citizen == 1);
}

TEST_CASE("after a failure help is asked with a chance growing with the failures") {
    LoneStore ls(1, 1);
    ls.params.ask_help = 0.25;
    Claim& k = ls.store.claim(0, 0);
    constexpr int days = 4000;
    int asked = 0;
    k.failures = 4;  // 4 x 0.25: certain
    for (int d = 0; d < days; ++d) {
        Stream rng = procedure_stream(0, 0, d);
        asked += mechanism::asks_help(ls.day(d), rng, 0, 0);
    }
    CHECK(asked == days);
    asked = 0;
    k.failures = 1;
    for (int d = 0; d < days; ++d) {
        Stream rng = procedure_stream(0, 0, d);
        asked += mechanism::asks_help(ls.day(d), rng, 0, 0);
    }
    CHECK(within_binomial(asked, days, 0.25));
    ls.params.ask_help = 0;
    asked = 0;
    for (int d = 0; d < 500; ++d) {
        Stream rng = procedure_stream(0, 0, d);
        asked += mechanism::asks_help(ls.day(d), rng, 0, 0);
    }
    CHECK(asked == 0);
}

TEST_CASE("a failed claim is retried after retry_days") {
    LoneStore ls(2, 1);
    ls.params.retry_days = 7;
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::waiting_help;
    CHECK(mechanism::retry(ls.day(40), 0, 0, false, 0) == mechanism::Retry::later);
    CHECK(k.state == ClaimState::attempting);
    CHECK(k.next_day == 47);
    CHECK(ls.store.is_dirty(0));
    CHECK_FALSE(ls.store.is_dirty(1));
    CHECK(ls.all_events() == 0);  // a retry is no event
}

TEST_CASE("a failed renewal is interrupted when its next try would fall at the end of its window") {
    LoneStore ls(1, 1);
    ls.params.retry_days = 7;
    ls.params.renewal_window_days = 30;
    Claim& k = ls.store.claim(0, 0);
    k.state = ClaimState::receiving;
    k.flags = claim_flag::knows | claim_flag::ever_received | claim_flag::renewing;
    k.episode_start = 100;
    k.next_day = 999;
    // Day 122: the next try on day 129, inside the window; the right is still received.
    CHECK(mechanism::retry(ls.day(122), 0, 0, false, 0) == mechanism::Retry::later);
    CHECK(k.state == ClaimState::receiving);
    CHECK(k.next_day == 129);
    CHECK_FALSE(ls.store.is_dirty(0));
    // Day 123: the next try would be on day 130, the window's end.
    k.next_day = 999;
    CHECK(mechanism::retry(ls.day(123), 0, 0, false, 0) == mechanism::Retry::renewal_too_late);
    CHECK(k.next_day == 999);
    // An answer to a document request has its own deadline, not the window.
    CHECK(mechanism::retry(ls.day(123), 0, 0, true, 140) == mechanism::Retry::later);
    CHECK(k.next_day == 130);
    CHECK(mechanism::retry(ls.day(133), 0, 0, true, 140) == mechanism::Retry::answer_too_late);
    CHECK(mechanism::retry(ls.day(132), 0, 0, true, 140) == mechanism::Retry::later);
}
