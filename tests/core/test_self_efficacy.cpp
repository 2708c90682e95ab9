// Self-efficacy (docs/model.md 6.14): successes raise it, more when the
// citizen did the procedure (alone or with a doing-with mediator) than when
// it was done for them; failures lower it; it discourages claims and the
// online channel only through its weights, which are 0 by default.
#include "core/engine.hpp"
#include "core/segments.hpp"
#include "core/self_efficacy.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace demat;
using namespace demat::test;

namespace {

struct Outcome {
    Results results;
    double mean_efficacy = 0;     // over the population, at the end
    double mean_initial = 0;      // at the start
};

Outcome simulate(const Scenario& sc, int threads = 1) {
    ParallelExecutor ex(threads);
    Engine engine(sc, ex);
    const auto& e = engine.population().self_efficacy;
    Outcome out;
    out.mean_initial = std::accumulate(e.begin(), e.end(), 0.0) / static_cast<double>(e.size());
    engine.run();
    REQUIRE(engine.completed());
    out.mean_efficacy = std::accumulate(e.begin(), e.end(), 0.0) / static_cast<double>(e.size());
    out.results = engine.results();
    return out;
}

std::int64_t sum(const Results& r, const std::string& path) {
    const auto& v = r.array(path).integers();
    return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

// self_efficacy/declines summed over days and services for one measure
// (0 declined, 1 discouraged); with a dimension, for one of its groups.
std::int64_t declines(const Results& r, int measure, const std::string& dimension = "", std::size_t group = 0) {
    if (dimension.empty()) {
        const auto& v = r.array("self_efficacy/declines").integers();
        std::int64_t n = 0;
        for (std::size_t i = static_cast<std::size_t>(measure); i < v.size(); i += tally_index::efficacy_count) n += v[i];
        return n;
    }
    const Array& a = r.array("self_efficacy/segments/" + dimension + "/declines");
    const std::size_t groups = a.shape[2], per = groups * tally_index::efficacy_count;
    std::int64_t n = 0;
    for (std::size_t i = 0; i < a.size(); i += per)
        n += a.integers()[i + group * tally_index::efficacy_count + static_cast<std::size_t>(measure)];
    return n;
}

Scenario base(std::int64_t citizens = 20000, int days = 200) {
    Scenario sc = small_scenario(citizens, days);
    sc.behaviour.max_failures = 3;
    return sc;
}

}  // namespace

TEST_CASE("self-efficacy: a success raises it by the whole gain when the citizen did it, by a share when it was done for them, and a failure lowers it") {
    BehaviourParams b;
    b.self_efficacy_gain = 0.2;
    b.self_efficacy_loss = 0.3;
    b.self_efficacy_doing_for = 0.25;
    b.self_efficacy_doing_with = 1.0;
    for (const float e : {0.0f, 0.3f, 0.5f, 0.9f, 1.0f}) {
        REQUIRE(efficacy_after_success(b, e, Mastery::alone) == e + static_cast<float>(0.2 * (1.0 - e)));
        REQUIRE(efficacy_after_success(b, e, Mastery::done_with) == e + static_cast<float>(0.2 * 1.0 * (1.0 - e)));
        REQUIRE(efficacy_after_success(b, e, Mastery::done_for) == e + static_cast<float>(0.2 * 0.25 * (1.0 - e)));
        REQUIRE(efficacy_after_failure(b, e) == e - static_cast<float>(0.3 * e));
        if (e < 1.0f) {
            REQUIRE(efficacy_after_success(b, e, Mastery::done_with) > efficacy_after_success(b, e, Mastery::done_for));
            REQUIRE(efficacy_after_success(b, e, Mastery::done_for) > e);
        }
        if (e > 0.0f) REQUIRE(efficacy_after_failure(b, e) < e);
    }
    // The extremes stay in [0, 1].
    b.self_efficacy_gain = 1.0;
    b.self_efficacy_loss = 1.0;
    REQUIRE(efficacy_after_success(b, 0.2f, Mastery::alone) == 1.0f);
    REQUIRE(efficacy_after_failure(b, 0.7f) == 0.0f);
    // Neutral at 0.5: discouraging below, encouraging above.
    REQUIRE(efficacy_term(3.0, 0.5f) == 0.0);
    REQUIRE(efficacy_term(3.0, 0.2f) < 0.0);
    REQUIRE(efficacy_term(3.0, 0.8f) > 0.0);
}

TEST_CASE("self-efficacy: it starts at the mean of digital skill and administrative literacy") {
    const Scenario sc = base(5000, 10);
    ParallelExecutor ex(2);
    Engine engine(sc, ex);
    const Population& p = engine.population();
    REQUIRE(p.self_efficacy.size() == p.size());
    for (std::size_t c = 0; c < p.size(); ++c)
        REQUIRE(p.self_efficacy[c] == 0.5f * (p.digital_skill[c] + p.admin_literacy[c]));
}

TEST_CASE("self-efficacy: with its weights at 0 no count changes, whatever its gain and loss") {
    Scenario a = base();
    Scenario b = base();
    b.behaviour.self_efficacy_gain = 0.9;
    b.behaviour.self_efficacy_loss = 0.9;
    const Outcome ra = simulate(a), rb = simulate(b);
    REQUIRE(ra.mean_efficacy != rb.mean_efficacy);  // the belief moved differently...
    for (const Array& x : ra.results.arrays) {     // ...and nothing else did
        const Array& y = rb.results.array(x.path);
        if (x.is_integer()) REQUIRE(x.integers() == y.integers());
        else for (std::size_t i = 0; i < x.size(); ++i) REQUIRE(std::memcmp(&x.reals()[i], &y.reals()[i], sizeof(double)) == 0);
    }
    REQUIRE(declines(ra.results, 0) > 0);
    REQUIRE(declines(ra.results, 1) == 0);  // nobody is discouraged without the weight
}

TEST_CASE("self-efficacy: failures lower it and successes raise it") {
    // Online only, so that every procedure is the citizen's own attempt.
    Scenario fails = base();
    set_channel(fails, Channel::phone, false);
    set_channel(fails, Channel::counter, false);
    fails.behaviour.ask_help = 0;
    Scenario succeeds = fails;
    fails.behaviour.online_intercept = -8;   // almost every attempt fails
    succeeds.behaviour.online_intercept = 8; // almost every attempt succeeds
    const Outcome f = simulate(fails), s = simulate(succeeds);
    REQUIRE(f.mean_initial == s.mean_initial);
    CHECK(f.mean_efficacy < f.mean_initial - 0.005);
    CHECK(s.mean_efficacy > s.mean_initial + 0.005);
}

TEST_CASE("self-efficacy: doing-with mediation raises it more than doing-for") {
    // Mediation the only channel, with the same success either way and no
    // other learning, so that only who did the procedure differs.
    Scenario sc = base();
    set_channel(sc, Channel::online, false);
    set_channel(sc, Channel::phone, false);
    set_channel(sc, Channel::counter, false);
    set_channel(sc, Channel::mediation, true, 50.0);
    sc.mediation.doing_with_penalty = 0;
    sc.mediation.skill_gain = 0;
    sc.mediation.admin_gain = 0;
    sc.behaviour.self_efficacy_loss = 0;
    Scenario with = sc, for_ = sc;
    with.mediation.mode = MediationMode::doing_with;
    for_.mediation.mode = MediationMode::doing_for;
    const Outcome w = simulate(with), f = simulate(for_);
    // The same procedures were served and succeeded.
    REQUIRE(sum(w.results, "metrics/successes") == sum(f.results, "metrics/successes"));
    REQUIRE(sum(w.results, "metrics/successes") > 1000);
    CHECK(f.mean_efficacy > f.mean_initial);
    CHECK(w.mean_efficacy > f.mean_efficacy + 0.005);
}

TEST_CASE("self-efficacy: its weight in the decision discourages claims, more among the least-capital citizens") {
    Scenario off = base(30000, 200);
    Scenario on = off;
    on.behaviour.self_efficacy_claim = 4.0;
    const Outcome o = simulate(off), w = simulate(on);
    // Every decision not to claim is tallied once, by segment too.
    for (const Outcome* x : {&o, &w}) {
        REQUIRE(declines(x->results, 0) == sum(x->results, "metrics/claims_declined"));
        std::int64_t by_quintile = 0;
        for (std::size_t q = 0; q < 5; ++q) by_quintile += declines(x->results, 0, "capital_quintile", q);
        REQUIRE(by_quintile == declines(x->results, 0));
    }
    REQUIRE(declines(o.results, 1) == 0);
    REQUIRE(declines(w.results, 1) > 100);
    REQUIRE(declines(w.results, 1) <= declines(w.results, 0));
    // Self-efficacy follows skills, so the discouraged are the least-capital.
    auto share = [&](std::size_t q) {
        return static_cast<double>(declines(w.results, 1, "capital_quintile", q)) /
               static_cast<double>(declines(w.results, 0, "capital_quintile", q));
    };
    CHECK(share(0) > share(4) + 0.1);
    CHECK(declines(w.results, 1, "capital_quintile", 4) < declines(w.results, 1, "capital_quintile", 0));
}

TEST_CASE("self-efficacy: its weight in the channel choice turns those who failed away from the online channel") {
    // Failures make self-efficacy 0 at once (loss 1) or leave it (loss 0):
    // the first attempts are the same, the retries of those who failed go
    // online less with loss 1 when the belief weighs in the choice.
    Scenario keeps = base();
    keeps.behaviour.online_intercept = -2.5;  // many first attempts fail
    keeps.behaviour.self_efficacy_gain = 0;
    keeps.behaviour.self_efficacy_online = 6.0;
    keeps.behaviour.ask_help = 0;
    keeps.behaviour.self_efficacy_loss = 0;
    Scenario drops = keeps;
    drops.behaviour.self_efficacy_loss = 1;
    auto online_attempts = [](const Results& r) {
        const auto& v = r.array("metrics/attempts").integers();
        std::int64_t n = 0;
        for (std::size_t i = static_cast<std::size_t>(Channel::online); i < v.size(); i += channel_count) n += v[i];
        return n;
    };
    const Outcome k = simulate(keeps), d = simulate(drops);
    REQUIRE(online_attempts(k.results) > 2000);
    CHECK(static_cast<double>(online_attempts(d.results)) < 0.9 * static_cast<double>(online_attempts(k.results)));
    // Without the weight, the loss changes no choice.
    keeps.behaviour.self_efficacy_online = 0;
    drops.behaviour.self_efficacy_online = 0;
    REQUIRE(online_attempts(simulate(keeps).results) == online_attempts(simulate(drops).results));
}

TEST_CASE("self-efficacy: with its weights on, 1 and 2 threads give the same results") {
    Scenario sc = base(20000, 150);
    sc.behaviour.self_efficacy_claim = 3.0;
    sc.behaviour.self_efficacy_online = 2.0;
    set_channel(sc, Channel::mediation, true, 5.0);
    sc.mediation.mode = MediationMode::doing_with;
    const Outcome one = simulate(sc, 1), two = simulate(sc, 2);
    REQUIRE(one.mean_efficacy == two.mean_efficacy);
    REQUIRE(declines(one.results, 1) > 0);
    for (const Array& x : one.results.arrays) {
        const Array& y = two.results.array(x.path);
        if (x.is_integer()) REQUIRE(x.integers() == y.integers());
    }
}
