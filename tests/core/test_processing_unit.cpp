// Processing, wrongful rejection and appeal (docs/model.md 6.8), on a store
// alone: the mechanism mechanism::finish_processing of engine/processing.cpp.
// Statistical checks draw from the real stream, one claim a day, and bound
// the count at 5 binomial standard deviations.
#include "core/engine/processing.hpp"
#include "lone_store.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace demat;
using demat::testing::LoneStore;

namespace {
constexpr std::uint64_t processing_seed = 5;

// |observed - n p| within 5 binomial standard deviations.
bool within_binomial_bound(std::int64_t observed, int n, double p) {
    return std::abs(static_cast<double>(observed) - n * p) <= 5.0 * std::sqrt(n * p * (1.0 - p));
}
// A claim submitted at the counter, waiting for its answer.
void submit(Claim& k, std::uint8_t flags = claim_flag::knows) {
    k.state = ClaimState::submitted;
    k.channel = Channel::counter;
    k.flags = flags;
}
}  // namespace

TEST_CASE("a claim is wrongfully rejected at its channel's rate over many draws") {
    LoneStore ls(1, 1);
    ls.params.contest_intercept = -1000;  // nobody contests: every rejection is final
    ServiceParams svc;
    svc.channels[static_cast<std::size_t>(Channel::counter)].wrongful_rejection = 0.2;
    svc.channels[static_cast<std::size_t>(Channel::online)].wrongful_rejection = 0.9;  // not the claim's channel
    std::vector<float> trust{0.5f};
    constexpr int days = 4000;
    int rejected = 0;
    for (int d = 0; d < days; ++d) {
        Claim& k = ls.store.claim(0, 0);
        submit(k, claim_flag::knows | claim_flag::ever_received);
        const auto result = mechanism::finish_processing(ls.day(d), svc, processing_seed, trust, 0.0, 0, 0);
        REQUIRE((result == mechanism::Processed::rejected || result == mechanism::Processed::paid_again));
        if (result == mechanism::Processed::rejected) {
            ++rejected;
            CHECK(k.state == ClaimState::rejected);
        } else {
            CHECK(k.state == ClaimState::receiving);
        }
    }
    CHECK(within_binomial_bound(rejected, days, 0.2));
    CHECK(ls.events(0, Event::rejections) == rejected);
    CHECK(ls.events(0, Event::appeals) == 0);
    CHECK(ls.events(0, Event::first_payments) == 0);  // received before: paid again
}

TEST_CASE("a rejection costs trust and the claim is revisited after abandon_revisit_days") {
    LoneStore ls(2, 1);
    ls.params.contest_intercept = -1000;
    ls.params.trust_loss_rejection = 0.5;
    ls.params.abandon_revisit_days = 60;
    ServiceParams svc;
    svc.channels[static_cast<std::size_t>(Channel::counter)].wrongful_rejection = 1.0;
    std::vector<float> trust{0.9f, 0.8f};
    Claim& k = ls.store.claim(1, 0);
    submit(k, claim_flag::knows | claim_flag::reclaiming);
    CHECK(mechanism::finish_processing(ls.day(200), svc, processing_seed, trust, 0.0, 1, 0) ==
          mechanism::Processed::rejected);
    CHECK(k.state == ClaimState::rejected);
    CHECK(k.next_day == 260);
    CHECK_FALSE(k.has(claim_flag::reclaiming));
    CHECK(trust[1] == Approx(0.4));
    CHECK(trust[0] == 0.9f);  // only the citizen's
    CHECK(ls.store.is_dirty(1));
    CHECK_FALSE(ls.store.is_dirty(0));
}

TEST_CASE("an automatic service never rejects a claim") {
    LoneStore ls(1, 1);
    ServiceParams svc;
    svc.automatic = true;
    svc.channels[static_cast<std::size_t>(Channel::counter)].wrongful_rejection = 1.0;
    std::vector<float> trust{0.5f};
    for (int d = 0; d < 200; ++d) {
        submit(ls.store.claim(0, 0), claim_flag::knows | claim_flag::ever_received);
        CHECK(mechanism::finish_processing(ls.day(d), svc, processing_seed, trust, 0.0, 0, 0) ==
              mechanism::Processed::paid_again);
    }
    CHECK(ls.events(0, Event::rejections) == 0);
}

TEST_CASE("a first acceptance is a first payment counted with the time to the right") {
    LoneStore ls(1, 2);
    ServiceParams svc;
    svc.channels[static_cast<std::size_t>(Channel::counter)].wrongful_rejection = 0.0;
    svc.renewal_days = 365;
    std::vector<float> trust{0.5f};
    Claim& k = ls.store.claim(0, 1);
    submit(k, claim_flag::knows | claim_flag::reclaiming | claim_flag::control);
    k.eligible_since = 40;
    CHECK(mechanism::finish_processing(ls.day(100), svc, processing_seed, trust, 0.0, 0, 1) ==
          mechanism::Processed::first_payment);
    CHECK(k.state == ClaimState::receiving);
    CHECK(k.flags == (claim_flag::knows | claim_flag::ever_received));
    CHECK(k.next_day == 465);
    CHECK(ls.events(1, Event::first_payments) == 1);
    CHECK(ls.events(1, Event::time_to_right_days) == 60);
    CHECK(ls.events(0, Event::first_payments) == 0);
    // Without renewals the right is not revisited; paid again, no first payment.
    svc.renewal_days = 0;
    submit(k, claim_flag::knows | claim_flag::ever_received);
    CHECK(mechanism::finish_processing(ls.day(500), svc, processing_seed, trust, 0.0, 0, 1) ==
          mechanism::Processed::paid_again);
    CHECK(k.next_day == never);
    CHECK(ls.events(1, Event::first_payments) == 1);
}

TEST_CASE("a wrongfully rejected citizen who contests appeals and waits for a second answer") {
    LoneStore ls(1, 1);
    ls.params.contest_intercept = 1000;  // everybody contests
    ServiceParams svc;
    svc.channels[static_cast<std::size_t>(Channel::counter)].wrongful_rejection = 1.0;
    svc.processing_days = 25;
    std::vector<float> trust{0.5f};
    Claim& k = ls.store.claim(0, 0);
    submit(k);
    CHECK(mechanism::finish_processing(ls.day(10), svc, processing_seed, trust, 0.0, 0, 0) ==
          mechanism::Processed::appealed);
    CHECK(k.state == ClaimState::submitted);
    CHECK(k.has(claim_flag::appealing));
    CHECK(k.next_day == 35);
    CHECK(ls.events(0, Event::rejections) == 1);
    CHECK(ls.events(0, Event::appeals) == 1);
    // The appeal lost is final: never appealed again, however willing.
    ls.params.appeal_success = 0.0;
    CHECK(mechanism::finish_processing(ls.day(35), svc, processing_seed, trust, 0.0, 0, 0) ==
          mechanism::Processed::rejected);
    CHECK(k.state == ClaimState::rejected);
    CHECK_FALSE(k.has(claim_flag::appealing));
    CHECK(ls.events(0, Event::rejections) == 2);
    CHECK(ls.events(0, Event::appeals) == 1);
    CHECK(ls.events(0, Event::appeals_won) == 0);
}

TEST_CASE("an appeal is won at appeal_success and one lost after automation still pays") {
    LoneStore ls(1, 1);
    ls.params.appeal_success = 0.7;
    ServiceParams svc;
    std::vector<float> trust{0.5f};
    constexpr int days = 4000;
    int won = 0;
    for (int d = 0; d < days; ++d) {
        submit(ls.store.claim(0, 0), claim_flag::knows | claim_flag::appealing);
        won += mechanism::finish_processing(ls.day(d), svc, processing_seed, trust, 0.0, 0, 0) ==
               mechanism::Processed::first_payment;
        ls.store.claim(0, 0).flags = 0;
    }
    CHECK(within_binomial_bound(won, days, 0.7));
    CHECK(ls.events(0, Event::appeals_won) == won);
    ls.params.appeal_success = 0.0;
    svc.automatic = true;
    submit(ls.store.claim(0, 0), claim_flag::knows | claim_flag::appealing);
    CHECK(mechanism::finish_processing(ls.day(9000), svc, processing_seed, trust, 0.0, 0, 0) ==
          mechanism::Processed::first_payment);
    CHECK_FALSE(ls.store.claim(0, 0).has(claim_flag::appealing));
}
