// The belief of eligibility in a run (docs/model.md 6.16): doubters count in
// non-knowledge, the counts stay exact, the eligibility letter corrects
// them on its day, and the runs are the same on 1 and 2 threads.
#include "core/engine.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace demat;
using namespace demat::test;

namespace {

constexpr int receiving_state = 1, non_knowledge_state = 2;

Scenario doubting_scenario(double doubt) {
    Scenario sc = small_scenario(20000, 120);
    sc.services[0].eligibility_doubt = doubt;  // minimum_income
    return sc;
}

}  // namespace

TEST_CASE("belief: doubters of a right stay in non-knowledge and claim less, the counts exact every day", "[belief]") {
    const Results off = run(doubting_scenario(0.0), 1, true);
    const Results on = run(doubting_scenario(1.0), 1, true);
    // The other services are untouched until the minimum income's claimants differ.
    const std::int64_t nk_off = count(off, 119, 0, non_knowledge_state), nk_on = count(on, 119, 0, non_knowledge_state);
    const std::int64_t rec_off = count(off, 119, 0, receiving_state), rec_on = count(on, 119, 0, receiving_state);
    INFO("non-knowledge " << nk_off << " -> " << nk_on << ", receiving " << rec_off << " -> " << rec_on);
    REQUIRE(rec_off > 200);
    CHECK(nk_on > nk_off + rec_off / 10);
    CHECK(rec_on < rec_off - rec_off / 10);
}

TEST_CASE("belief: an eligibility letter corrects the doubters on its day and they claim", "[belief][timeline]") {
    Scenario sc = doubting_scenario(1.0);
    const Results before = run(sc, 1, true);
    sc.timeline = {timeline_event(60, event::EligibilityLetter{.service = "minimum_income", .share = 1.0})};
    const Results letter = run(sc, 1, true);
    // Nothing moves before the letter.
    CHECK(count(letter, 59, 0, non_knowledge_state) == count(before, 59, 0, non_knowledge_state));
    CHECK(count(letter, 59, 0, receiving_state) == count(before, 59, 0, receiving_state));
    // Read by all: nobody eligible to it is left unaware or doubting that day.
    CHECK(count(letter, 60, 0, non_knowledge_state) == 0);
    CHECK(count(before, 60, 0, non_knowledge_state) > 100);
    // and more claims are started in the following weeks.
    CHECK(event_sum(letter, "claims_started", 0, 60, 90) >
          event_sum(before, "claims_started", 0, 60, 90) + 50);
    CHECK(count(letter, 119, 0, receiving_state) > count(before, 119, 0, receiving_state));
    // Another service is not written to.
    CHECK(count(letter, 60, 1, non_knowledge_state) > 0);
}

TEST_CASE("belief: doubts and the eligibility letter give the same results on 1 and 2 threads", "[belief][threads]") {
    Scenario sc = doubting_scenario(0.7);
    sc.timeline = {timeline_event(40, event::EligibilityLetter{.service = "*", .share = 0.5})};
    require_identical(run(sc, 1), run(sc, 2));
}
