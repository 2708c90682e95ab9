// Digital control of recipients (docs/model.md, section 11): off changes
// nothing; the budget, the scorer, the truth, the responses, fear and the
// decomposition; determinism with control on.
#include "core/engine.hpp"
#include "core/channels.hpp"
#include "core/engine/control.hpp"
#include "core/rng.hpp"
#include "core/error.hpp"
#include "core/segments.hpp"
#include "core/summary.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>

using namespace demat;
using namespace demat::test;

namespace {

// A small scenario with control on: every benefit recipient is a unit.
Scenario controlled(std::int64_t citizens = 20000, int days = 180) {
    Scenario sc = small_scenario(citizens, days);
    sc.behaviour.prior_eligibility_days = 36500;  // recipients from day 0
    sc.control.enabled = true;
    return sc;
}

std::size_t event_index(ControlEvent e) { return static_cast<std::size_t>(e); }

// Sum of a control event over days and services.
std::int64_t total_event(const Results& r, ControlEvent ev) {
    const Array& a = r.array("control/events");
    std::int64_t sum = 0;
    for (std::size_t i = event_index(ev); i < a.size(); i += control_event_count) sum += a.integers()[i];
    return sum;
}

// Sum of a /control/answers column over rounds and services.
std::int64_t total_answer(const Results& r, const std::string& label) {
    const auto& names = r.coordinate("control/answer").labels;
    const auto at = static_cast<std::size_t>(std::find(names.begin(), names.end(), label) - names.begin());
    REQUIRE(at < names.size());
    const Array& a = r.array("control/answers");
    std::int64_t sum = 0;
    for (std::size_t i = at; i < a.size(); i += names.size()) sum += a.integers()[i];
    return sum;
}

std::int64_t total_answered(const Results& r) {
    std::int64_t sum = 0;
    for (const auto& ch : channel_labels()) sum += total_answer(r, "answered_" + ch);
    return sum;
}

std::int64_t total_unanswered(const Results& r) {
    std::int64_t sum = 0;
    for (const auto& label : r.coordinate("control/answer").labels)
        if (label.rfind("unanswered_", 0) == 0) sum += total_answer(r, label);
    return sum;
}

std::int64_t controls_of(const std::int64_t* ev) {
    return ev[event_index(ControlEvent::automated)] + ev[event_index(ControlEvent::documents)] +
           ev[event_index(ControlEvent::visit)];
}

// The fairness table of one dimension: [group][indicator].
double fairness(const Results& r, const std::string& dimension, std::size_t group, const std::string& indicator) {
    const Array& a = r.array("control/segments/" + dimension + "/fairness");
    const auto& names = r.coordinate("control/indicator").labels;
    const auto at = static_cast<std::size_t>(std::find(names.begin(), names.end(), indicator) - names.begin());
    REQUIRE(at < names.size());
    return a.reals()[group * a.shape[1] + at];
}

bool is_control_path(const std::string& path) { return path.rfind("control/", 0) == 0; }

// Every array but /control's, bit for bit.
void require_identical_outside_control(const Results& a, const Results& b) {
    std::vector<const Array*> x, y;
    for (const auto& arr : a.arrays)
        if (!is_control_path(arr.path)) x.push_back(&arr);
    for (const auto& arr : b.arrays)
        if (!is_control_path(arr.path)) y.push_back(&arr);
    REQUIRE(x.size() == y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO(x[i]->path);
        REQUIRE(x[i]->path == y[i]->path);
        if (x[i]->is_integer()) {
            REQUIRE(x[i]->integers() == y[i]->integers());
        } else {
            REQUIRE(x[i]->reals().size() == y[i]->reals().size());
            REQUIRE(std::memcmp(x[i]->reals().data(), y[i]->reals().data(), x[i]->reals().size() * sizeof(double)) == 0);
        }
    }
}

}  // namespace

TEST_CASE("control off: no /control output, and no control key is read", "[control]") {
    // With the module off, its parameters must not matter: a model that
    // read any of them would differ here. (Bit-identity with the build
    // before the module: scripts/compare_builds.py, docs/performance.md.)
    Scenario off = small_scenario(8000, 90);
    Scenario changed = off;
    changed.control.monthly_rate = 0.9;
    changed.control.selection = ControlSelection::random;
    changed.control.weights.fill(7.0);
    changed.control.fear_cost = 9.0;
    changed.control.error_intercept = 3.0;
    changed.control.type_share = {0.0, 0.0, 1.0};
    const Results a = run(off), b = run(changed, 2);
    for (const auto& arr : a.arrays) REQUIRE_FALSE(is_control_path(arr.path));
    require_identical(a, b);
}

TEST_CASE("control: the monthly budget is spent exactly, every round", "[control]") {
    Scenario sc = controlled(15000, 150);
    sc.control.monthly_rate = 0.137;
    const Results r = run(sc);
    const Array& a = r.array("control/events");
    const auto& round_days = r.coordinate("control/day").values;
    // Rounds every 30 days of the run, warm-up included: recorded days 0, 30, ..., 120.
    REQUIRE(round_days == std::vector<std::int64_t>{0, 30, 60, 90, 120});
    const std::size_t rounds = a.shape[0], services = a.shape[1];
    REQUIRE(rounds == round_days.size());
    for (std::size_t d = 0; d < rounds; ++d) {
        std::int64_t scored = 0, controls = 0;
        for (std::size_t s = 0; s < services; ++s) {
            const std::int64_t* ev = &a.integers()[(d * services + s) * control_event_count];
            scored += ev[event_index(ControlEvent::scored)];
            controls += controls_of(ev);
        }
        INFO("round on recorded day " << round_days[d]);
        REQUIRE(scored > 1000);
        REQUIRE(controls == std::llround(0.137 * static_cast<double>(scored)));
    }
}

TEST_CASE("control: a scorer with zero weights selects like random selection, in distribution", "[control]") {
    Scenario zero = controlled(30000, 180);
    zero.control.weights.fill(0.0);
    Scenario random = zero;
    random.control.selection = ControlSelection::random;
    Scenario weighted = zero;
    weighted.control.weights[0] = 4.0;  // low income
    const Results a = run(zero), b = run(random), w = run(weighted);
    // Control rates per 1,000 recipient-months by income quintile: equal
    // within sampling error (rate ~196 per 1,000 over >= 2,000
    // recipient-months a group: sd of a difference < 13 per 1,000; bound 4 sd).
    int compared = 0;
    for (std::size_t g = 0; g < 5; ++g) {
        const double months = fairness(a, "income_quintile", g, "recipient_months");
        if (months < 2000) continue;
        ++compared;
        INFO("income quintile " << g);
        const double ra = fairness(a, "income_quintile", g, "control_rate_per_1000");
        const double rb = fairness(b, "income_quintile", g, "control_rate_per_1000");
        const double sd = 1000.0 * std::sqrt(2 * 0.196 * 0.804 / months);
        CHECK(std::abs(ra - rb) < 4 * sd);
    }
    REQUIRE(compared >= 2);
    // Territories too: zones are stored in order, so a selection that
    // followed citizen indices instead of draws would show here.
    for (std::size_t g = 0; g < 3; ++g) {
        const double months = fairness(a, "territory", g, "recipient_months");
        REQUIRE(months > 2000);
        INFO("territory " << g);
        const double sd = 1000.0 * std::sqrt(2 * 0.196 * 0.804 / months);
        CHECK(std::abs(fairness(a, "territory", g, "control_rate_per_1000") -
                       fairness(b, "territory", g, "control_rate_per_1000")) < 4 * sd);
    }
    // The check has power: a real weight moves the poorest quintile's rate far more.
    const double base = fairness(a, "income_quintile", 0, "control_rate_per_1000");
    CHECK(fairness(w, "income_quintile", 0, "control_rate_per_1000") > base + 50);
}

TEST_CASE("control: raising a feature's weight or a territory's intensity raises the control rate of its groups", "[control]") {
    Scenario base = controlled(30000, 180);
    base.control.weights.fill(0.0);
    Scenario low_income = base;
    low_income.control.weights[0] = 3.0;
    Scenario dense = base;
    dense.control.territory_intensity = {4.0, 1.0, 1.0};
    const Results r0 = run(base), r1 = run(low_income), r2 = run(dense);
    // Income quintile 1 (deciles 1-2) has the highest low_income feature.
    CHECK(fairness(r1, "income_quintile", 0, "control_rate_per_1000") >
          1.2 * fairness(r0, "income_quintile", 0, "control_rate_per_1000"));
    CHECK(fairness(r1, "income_quintile", 0, "over_control_index") > 1.0);
    // Dense urban areas (territory group 0) with four times the intensity.
    CHECK(fairness(r2, "territory", 0, "control_rate_per_1000") > 1.5 * fairness(r0, "territory", 0, "control_rate_per_1000"));
    CHECK(fairness(r2, "territory", 2, "control_rate_per_1000") < fairness(r0, "territory", 2, "control_rate_per_1000"));
}

TEST_CASE("control: the zones a scenario names, and only they, get the targeted intensity", "[control]") {
    Scenario sc = controlled(30000, 120);
    sc.control.weights.fill(0.0);
    ParallelExecutor ex(1);
    const Engine probe(sc, ex);
    const auto& zones = probe.population().zones;
    REQUIRE(zones.size() == 12);
    // Every zone but the rural ones named, at intensity 0: only rural units can be controlled.
    Scenario rural_only = sc;
    rural_only.control.targeted_zone_intensity = 0.0;
    std::size_t rural = 0;
    for (std::size_t z = 0; z < zones.size(); ++z) {
        if (zones[z].type == TerritoryType::rural) ++rural;
        else rural_only.control.targeted_zones.push_back(static_cast<std::int64_t>(z));
    }
    REQUIRE(rural > 0);
    REQUIRE(rural < zones.size());
    const Results r = run(rural_only);
    CHECK(fairness(r, "territory", 0, "controls") == 0);
    CHECK(fairness(r, "territory", 1, "controls") == 0);
    CHECK(fairness(r, "territory", 2, "controls") > 1000);
    // Named at intensity 4: the named (non-rural) zones' rate rises, the others' falls.
    Scenario favoured = rural_only;
    favoured.control.targeted_zone_intensity = 4.0;
    const Results base = run(sc), f = run(favoured);
    CHECK(fairness(f, "territory", 0, "control_rate_per_1000") > 1.2 * fairness(base, "territory", 0, "control_rate_per_1000"));
    CHECK(fairness(f, "territory", 2, "control_rate_per_1000") < 0.8 * fairness(base, "territory", 2, "control_rate_per_1000"));
    // A zone outside the population is refused.
    Scenario outside = sc;
    outside.control.targeted_zones = {12};
    CHECK_THROWS_AS(Engine(outside, ex), ScenarioError);
}

TEST_CASE("control: with no declaration errors, nothing is recovered and every suspension is wrongful", "[control]") {
    Scenario sc = controlled(20000, 180);
    sc.control.error_intercept = -20.0;
    sc.control.error_admin = sc.control.error_complexity = sc.control.error_change = 0.0;
    sc.control.fraud_rate = 0.0;
    sc.control.type_share = {0.0, 1.0, 0.0};  // document requests: every control asks for an answer
    sc.control.adhesion_intercept = -1.0;      // many do not answer
    const Results r = run(sc);
    REQUIRE(total_event(r, ControlEvent::in_error_innocent) == 0);  // the premise: no errors at all
    REQUIRE(total_event(r, ControlEvent::in_error_deliberate) == 0);
    CHECK(total_event(r, ControlEvent::found_innocent) == 0);
    CHECK(total_event(r, ControlEvent::found_deliberate) == 0);
    for (const double x : r.array("control/amounts").reals()) CHECK(x == 0.0);
    const std::int64_t suspensions = total_event(r, ControlEvent::suspensions);
    CHECK(suspensions > 100);
    CHECK(total_event(r, ControlEvent::wrongful_suspensions) == suspensions);
    CHECK(total_event(r, ControlEvent::terminations) > 0);
    // With no error to find, a right is suspended exactly when its holder
    // sends no answer in time (by withdrawal, or an answer procedure given
    // up or too late) or contests and loses (docs/model.md 11.3-11.4).
    REQUIRE(total_event(r, ControlEvent::withdrawal) > 100);
    CHECK(suspensions == total_unanswered(r) + total_event(r, ControlEvent::contestation) -
                             total_event(r, ControlEvent::appeals_won));
    // Every withdrawal is unanswered at its deadline, but for the requests
    // still open when the run ends or whose right ended first.
    CHECK(total_answer(r, "unanswered_withdrawal") <= total_event(r, ControlEvent::withdrawal));
    CHECK(total_answer(r, "unanswered_withdrawal") > total_event(r, ControlEvent::withdrawal) / 2);
    CHECK(total_answered(r) > 100);
}

TEST_CASE("control: errors are found and recovered, frauds penalised", "[control]") {
    Scenario sc = controlled(20000, 240);
    sc.control.fraud_rate = 0.01;
    const Results r = run(sc);
    CHECK(total_event(r, ControlEvent::found_innocent) > 0);
    CHECK(total_event(r, ControlEvent::found_deliberate) > 0);
    const Array& amounts = r.array("control/amounts");
    double found = 0, penalties = 0, recovered = 0;
    for (std::size_t i = 0; i < amounts.size(); i += control_amount_count) {
        found += amounts.reals()[i];
        penalties += amounts.reals()[i + 1];
        recovered += amounts.reals()[i + 2];
    }
    CHECK(found > 0);
    CHECK(penalties > 0);
    CHECK(recovered > 0);
    CHECK(recovered <= found + penalties);  // only debts are withheld
}

TEST_CASE("control responses: trust and capital raise adhesion and contestation and lower withdrawal", "[control]") {
    const ControlParams cp;
    for (const bool helper : {false, true})
        for (const int past : {0, 3}) {
            INFO("helper " << helper << ", past controls " << past);
            for (double low = 0.0; low < 0.9; low += 0.2) {
                const double high = low + 0.1;
                const auto t0 = control_response_probabilities(cp, low, 0.5, helper, past);
                const auto t1 = control_response_probabilities(cp, high, 0.5, helper, past);
                const auto c0 = control_response_probabilities(cp, 0.5, low, helper, past);
                const auto c1 = control_response_probabilities(cp, 0.5, high, helper, past);
                for (const auto& [lo, hi] : {std::pair{t0, t1}, std::pair{c0, c1}}) {
                    CHECK(hi[0] > lo[0]);  // adhesion
                    CHECK(hi[2] > lo[2]);  // contestation
                    CHECK(hi[3] < lo[3]);  // withdrawal
                    CHECK(std::abs(hi[0] + hi[1] + hi[2] + hi[3] - 1.0) < 1e-12);
                }
            }
        }
    // A helper makes circumvention more likely; past controls, withdrawal.
    CHECK(control_response_probabilities(cp, 0.5, 0.5, true, 0)[1] > control_response_probabilities(cp, 0.5, 0.5, false, 0)[1]);
    CHECK(control_response_probabilities(cp, 0.5, 0.5, false, 5)[3] > control_response_probabilities(cp, 0.5, 0.5, false, 0)[3]);
}

TEST_CASE("control responses in a run: the highest capital quintile withdraws less and adheres more", "[control]") {
    Scenario sc = controlled(30000, 240);
    sc.control.type_share = {0.0, 0.5, 0.5};
    sc.control.adhesion_intercept = 0.0;  // responses spread enough to compare
    const Results r = run(sc);
    const Array& a = r.array("control/segments/capital_quintile/events");
    std::array<std::array<double, 4>, 5> responses{};
    for (std::size_t t = 0; t < a.shape[0] * a.shape[1]; ++t)
        for (std::size_t g = 0; g < 5; ++g)
            for (std::size_t k = 0; k < 4; ++k)
                responses[g][k] += static_cast<double>(
                    a.integers()[(t * 5 + g) * control_event_count + event_index(ControlEvent::adhesion) + k]);
    auto share = [&](std::size_t g, std::size_t k) {
        const double n = responses[g][0] + responses[g][1] + responses[g][2] + responses[g][3];
        REQUIRE(n > 200);
        return responses[g][k] / n;
    };
    CHECK(share(4, 0) > share(0, 0));
    CHECK(share(4, 2) > share(0, 2));
    CHECK(share(4, 3) < share(0, 3));
}

TEST_CASE("control: with fear's weights at zero there is no chilling effect, and with them fewer claims", "[control]") {
    // Controls that change no right (no errors, everyone adheres): only fear can move claims.
    Scenario calm = controlled(20000, 180);
    calm.control.error_intercept = -20.0;
    calm.control.error_admin = calm.control.error_complexity = calm.control.error_change = 0.0;
    calm.control.fraud_rate = 0.0;
    calm.control.adhesion_intercept = 20.0;
    calm.control.circumvention_intercept = calm.control.contestation_intercept = -20.0;
    calm.control.type_share = {0.0, 0.0, 1.0};  // home visits: nothing asked of the citizen but their response
    calm.control.monthly_rate = 0.5;
    calm.control.fear_control = calm.control.fear_wrongful = calm.control.fear_neighbour = 0.0;
    calm.control.trust_loss_control = calm.control.trust_loss_wrongful = 0.0;
    Scenario off = calm;
    off.control.enabled = false;
    const Results on = run(calm), without = run(off);
    REQUIRE(total_event(on, ControlEvent::visit) > 1000);
    REQUIRE(total_event(on, ControlEvent::suspensions) == 0);
    require_identical_outside_control(on, without);
    // A document request, answered by all, is a procedure all the same:
    // attempts at the channels that a model answering on the spot would not make.
    Scenario asked = calm;
    asked.control.type_share = {0.0, 1.0, 0.0};
    const Results documents = run(asked);
    REQUIRE(total_answered(documents) > 1000);
    for (std::size_t s = 0; s < 2; ++s) {
        INFO("service " << s);
        CHECK(total(documents, "metrics/attempts", s) > total(without, "metrics/attempts", s));
    }

    Scenario fearful = calm;
    fearful.control.fear_control = 0.5;
    fearful.control.fear_neighbour = 0.5;
    const Results feared = run(fearful);
    // The controlled citizens' own fear alone, without the neighbours'.
    Scenario own = calm;
    own.control.fear_control = 0.5;
    const Results own_fear = run(own);
    for (std::size_t s = 0; s < 2; ++s) {
        INFO("service " << s);
        CHECK(total(feared, "metrics/claims_started", s) < total(without, "metrics/claims_started", s));
        CHECK(total(own_fear, "metrics/claims_started", s) < total(without, "metrics/claims_started", s));
    }
}

TEST_CASE("control: eligible = receiving + the five types, every day and segment, with suspensions", "[control]") {
    Scenario sc = controlled(15000, 180);
    sc.control.type_share = {0.0, 1.0, 0.0};
    sc.control.adhesion_intercept = -1.0;
    const Results r = run(sc, 2, /*check_counts=*/true);  // the incremental counts checked against a recount daily
    REQUIRE(total_event(r, ControlEvent::suspensions) > 100);
    for (const Array& a : r.arrays) {
        if (a.path != "counts" && !(a.path.rfind("segments/", 0) == 0 && a.path.ends_with("/counts"))) continue;
        INFO(a.path);
        const auto& v = a.integers();
        for (std::size_t i = 0; i < v.size(); i += 7) {
            std::int64_t sum = 0;
            for (std::size_t k = 1; k < 7; ++k) sum += v[i + k];
            REQUIRE(v[i] == sum);
        }
    }
    // The control-caused interruptions are some of the interrupted.
    const Array& counts = r.array("counts");
    const Array& suspended = r.array("control/suspended");
    std::int64_t peak = 0;
    for (std::size_t i = 0; i < suspended.size(); ++i) {
        REQUIRE(suspended.integers()[i] <= counts.integers()[i * 7 + 6]);
        peak = std::max(peak, suspended.integers()[i]);
    }
    CHECK(peak > 50);
}

TEST_CASE("control: results identical with 1 and 2 threads", "[control]") {
    Scenario sc = controlled(12000, 120);
    sc.control.type_share = {0.5, 0.4, 0.1};
    sc.control.targeted_zone_share = 0.3;
    sc.control.targeted_zone_intensity = 3.0;
    require_identical(run(sc, 1), run(sc, 2));
}

namespace {

// The model of docs/model.md 11.3: every unit cross-checked every
// `months` months outside the budget, the budget for document requests and
// home visits only.
Scenario cross_checked(int months, std::int64_t citizens = 15000, int days = 180) {
    Scenario sc = controlled(citizens, days);
    sc.control.cross_check_months = months;
    sc.control.monthly_rate = 0.0255;
    sc.control.type_share = {0.0, 0.97, 0.03};
    return sc;
}

}  // namespace

TEST_CASE("cross-checks: every recipient unit is matched once every cross_check_months months and the budget is spent apart", "[control]") {
    Scenario sc = cross_checked(3);
    sc.control.fraud_rate = 0.01;
    const Results r = run(sc);
    const Array& a = r.array("control/events");
    const std::size_t rounds = a.shape[0], services = a.shape[1];
    REQUIRE(rounds == 6);
    std::int64_t scored_all = 0, matched_all = 0;
    for (std::size_t d = 0; d < rounds; ++d) {
        std::int64_t scored = 0, targeted = 0, automated = 0, matched = 0;
        for (std::size_t s = 0; s < services; ++s) {
            const std::int64_t* ev = &a.integers()[(d * services + s) * control_event_count];
            scored += ev[event_index(ControlEvent::scored)];
            targeted += ev[event_index(ControlEvent::documents)] + ev[event_index(ControlEvent::visit)];
            automated += ev[event_index(ControlEvent::automated)];
            matched += ev[event_index(ControlEvent::cross_checks)];
        }
        INFO("round " << d);
        REQUIRE(scored > 1000);
        // The budget: the targeted controls alone, spent exactly.
        CHECK(automated == 0);
        CHECK(targeted == std::llround(0.0255 * static_cast<double>(scored)));
        // A third of the units each month (each unit in a month of its own).
        CHECK(std::abs(static_cast<double>(matched) / static_cast<double>(scored) - 1.0 / 3.0) < 0.03);
        scored_all += scored;
        matched_all += matched;
    }
    CHECK(std::abs(static_cast<double>(matched_all) / static_cast<double>(scored_all) - 1.0 / 3.0) < 0.01);
    // They find errors and frauds, recovered as any other control's.
    const std::int64_t found = total_event(r, ControlEvent::cross_found_innocent) + total_event(r, ControlEvent::cross_found_deliberate);
    CHECK(total_event(r, ControlEvent::cross_found_deliberate) > 0);
    CHECK(found > 0);
    // With no detection, nothing.
    sc.control.detection[0] = 0.0;
    const Results blind = run(sc);
    CHECK(total_event(blind, ControlEvent::cross_found_innocent) + total_event(blind, ControlEvent::cross_found_deliberate) == 0);
    REQUIRE(total_event(blind, ControlEvent::cross_checks) > 10000);
}

TEST_CASE("cross-checks that find nothing are not seen: with no errors they change no claim even with fear", "[control]") {
    Scenario sc = cross_checked(1, 20000, 180);  // every unit every month
    sc.control.monthly_rate = 0.0;               // and no targeted control
    sc.control.error_intercept = -20.0;
    sc.control.error_admin = sc.control.error_complexity = sc.control.error_change = 0.0;
    sc.control.fraud_rate = 0.0;
    sc.control.fear_control = 0.5;
    sc.control.fear_neighbour = 0.5;
    sc.control.trust_loss_control = 0.5;
    Scenario off = sc;
    off.control.enabled = false;
    const Results on = run(sc), without = run(off);
    REQUIRE(total_event(on, ControlEvent::cross_checks) > 10000);
    REQUIRE(total_event(on, ControlEvent::cross_checks) == total_event(on, ControlEvent::scored));
    CHECK(total_event(on, ControlEvent::cross_found_innocent) + total_event(on, ControlEvent::cross_found_deliberate) == 0);
    require_identical_outside_control(on, without);
    // With errors to find, a found one is a control the citizen sees: fear
    // and trust move, and with them the claims.
    Scenario errors = sc;
    errors.control.fraud_rate = 0.05;
    const Results found = run(errors);
    REQUIRE(total_event(found, ControlEvent::cross_found_deliberate) > 1000);
    std::int64_t claims_on = 0, claims_off = 0;
    for (std::size_t s = 0; s < 2; ++s) {
        claims_on += total(found, "metrics/claims_started", s);
        claims_off += total(without, "metrics/claims_started", s);
    }
    CHECK(claims_on != claims_off);
}

TEST_CASE("cross-checks: results identical with 1 and 2 threads", "[control]") {
    Scenario sc = cross_checked(2, 12000, 120);
    sc.control.fraud_rate = 0.01;
    require_identical(run(sc, 1), run(sc, 2));
}

namespace {

// Everyone means to answer a document request; nobody is in error.
Scenario asked_for_documents(std::int64_t citizens = 20000, int days = 180) {
    Scenario sc = controlled(citizens, days);
    sc.control.error_intercept = -20.0;
    sc.control.error_admin = sc.control.error_complexity = sc.control.error_change = 0.0;
    sc.control.fraud_rate = 0.0;
    sc.control.type_share = {0.0, 1.0, 0.0};
    sc.control.adhesion_intercept = 20.0;
    sc.control.circumvention_intercept = sc.control.contestation_intercept = -20.0;
    return sc;
}

// The recorded days' mean of /control/segments/<dimension>/suspended for one group, all services.
double mean_suspended(const Results& r, const std::string& dimension, std::size_t group) {
    const Array& a = r.array("control/segments/" + dimension + "/suspended");
    const std::size_t groups = a.shape[2];
    double sum = 0;
    for (std::size_t t = 0; t < a.shape[0] * a.shape[1]; ++t) sum += static_cast<double>(a.integers()[t * groups + group]);
    return sum / static_cast<double>(a.shape[0]);
}

}  // namespace

TEST_CASE("document requests: with every channel but online closed, the unequipped go unanswered and are suspended", "[control]") {
    Scenario open = asked_for_documents();
    open.control.weights.fill(0.0);  // controls at random: the scorer's online_user feature would spare the unequipped
    open.behaviour.borrow_device = 0.0;
    open.behaviour.helper_capacity = 0;  // no relative or friend has time to answer with them
    set_channel(open, Channel::phone, true, 50.0);  // enough agents that answers are not held up in queues
    set_channel(open, Channel::counter, true, 50.0);
    // No renewals: the same recipients in both runs, whose only procedures
    // are their answers (online only, the unequipped would lose their
    // rights at renewal before any control).
    for (auto& s : open.services) s.renewal_days = 0;
    Scenario online_only = open;
    set_channel(online_only, Channel::phone, false);
    set_channel(online_only, Channel::counter, false);
    set_channel(online_only, Channel::mediation, false);
    const Results a = run(open), b = run(online_only);
    // The answer goes through the channels open: none but online here.
    CHECK(total_answer(b, "answered_phone") == 0);
    CHECK(total_answer(b, "answered_counter") == 0);
    CHECK(total_answer(a, "answered_counter") + total_answer(a, "answered_phone") > 100);
    // Lacking a device ends answers where online is all there is (elsewhere
    // the unequipped choose a staffed channel, 6.3; a smartphone's limits
    // remain a cause of failed online attempts, 6.10).
    INFO("unanswered: open " << total_unanswered(a) << ", online only " << total_unanswered(b) << "; equipment "
                              << total_answer(a, "unanswered_equipment") << ", " << total_answer(b, "unanswered_equipment")
                              << "; deadline " << total_answer(a, "unanswered_deadline") << ", "
                              << total_answer(b, "unanswered_deadline"));
    CHECK(total_answer(b, "unanswered_equipment") > 2 * total_answer(a, "unanswered_equipment") + 20);
    // Nobody is in error and everyone means to answer: every suspension is an answer not sent.
    REQUIRE(total_event(a, ControlEvent::suspensions) == total_unanswered(a));
    REQUIRE(total_event(b, ControlEvent::suspensions) == total_unanswered(b));
    CHECK(static_cast<double>(total_event(b, ControlEvent::suspensions)) >
          1.5 * static_cast<double>(total_event(a, ControlEvent::suspensions)) + 20);
    // The stock of suspended rights rises most among the unequipped (equipment group 0).
    const double rise_none = mean_suspended(b, "equipment", 0) - mean_suspended(a, "equipment", 0);
    CHECK(rise_none > 5);
    const double none_a = mean_suspended(a, "equipment", 0), computer_a = mean_suspended(a, "equipment", 2);
    const double none_b = mean_suspended(b, "equipment", 0), computer_b = mean_suspended(b, "equipment", 2);
    CHECK(none_b / std::max(1.0, computer_b) > none_a / std::max(1.0, computer_a));
}

TEST_CASE("document requests: a longer deadline raises the share answered", "[control]") {
    Scenario short_deadline = asked_for_documents();
    set_channel(short_deadline, Channel::counter, true, 0.5);  // queues that take time
    set_channel(short_deadline, Channel::phone, true, 0.5);
    short_deadline.control.document_deadline_days = 5;
    Scenario long_deadline = short_deadline;
    long_deadline.control.document_deadline_days = 60;
    const Results a = run(short_deadline), b = run(long_deadline);
    auto share = [](const Results& r) {
        const double answered = static_cast<double>(total_answered(r)), unanswered = static_cast<double>(total_unanswered(r));
        REQUIRE(answered + unanswered > 1000);
        return answered / (answered + unanswered);
    };
    INFO("answered share: 5 days " << share(a) << ", 60 days " << share(b));
    // Over 1,000 requests each, a difference of 0.1 is more than 6 standard errors.
    CHECK(share(b) > share(a) + 0.1);
    CHECK(total_answer(a, "unanswered_deadline") > total_answer(b, "unanswered_deadline"));
}

TEST_CASE("document requests: the stock of suspended rights by segment adds up to /control/suspended", "[control]") {
    Scenario sc = controlled(12000, 120);
    sc.control.type_share = {0.0, 1.0, 0.0};
    sc.control.adhesion_intercept = -1.0;
    const Results r = run(sc);
    const Array& all = r.array("control/suspended");
    std::int64_t peak = 0;
    for (int di = 0; di < dimension_count; ++di) {
        const auto& info = dimensions()[static_cast<std::size_t>(di)];
        INFO(info.name);
        // agency_contact is written only when a service names an agency (test_agencies.cpp).
        if (!dimension_in_output(di, false)) {
            REQUIRE_FALSE(r.has_array("control/segments/" + info.name + "/suspended"));
            continue;
        }
        const Array& a = r.array("control/segments/" + info.name + "/suspended");
        REQUIRE(a.shape[0] * a.shape[1] == all.size());
        for (std::size_t t = 0; t < all.size(); ++t) {
            std::int64_t sum = 0;
            for (std::size_t g = 0; g < a.shape[2]; ++g) sum += a.integers()[t * a.shape[2] + g];
            REQUIRE(sum == all.integers()[t]);
            peak = std::max(peak, sum);
        }
    }
    CHECK(peak > 20);
}

TEST_CASE("document requests: identical with 1 and 2 threads, answers through queues, mediation and help", "[control]") {
    Scenario sc = asked_for_documents(12000, 120);
    sc.control.adhesion_intercept = 0.0;  // every intent: answers, circumventions, withdrawals, disputes
    sc.control.circumvention_intercept = sc.control.contestation_intercept = 0.0;
    sc.control.document_deadline_days = 20;
    set_channel(sc, Channel::mediation, true, 2.0);
    set_channel(sc, Channel::counter, true, 1.0);
    const Results one = run(sc, 1);
    REQUIRE(total_answer(one, "answered_mediation") > 0);
    REQUIRE(total_unanswered(one) > 0);
    require_identical(one, run(sc, 2));
}

TEST_CASE("document requests: answers are counted apart, and the summary's autonomy leaves them out", "[control]") {
    Scenario sc = asked_for_documents(12000, 150);
    const Results on = run(sc);
    const Array& answers = on.array("control/answer_completions");
    const auto& alone = on.array("metrics/autonomous_completions").integers();
    const auto& helped = on.array("metrics/assisted_completions").integers();
    const std::size_t days = answers.shape[0], services = answers.shape[1];
    REQUIRE(answers.shape[2] == 2);
    REQUIRE(on.coordinate("control/help").labels == std::vector<std::string>{"autonomous", "assisted"});
    // A subset of the completions, day by day.
    std::int64_t completed = 0;
    for (std::size_t i = 0; i < days * services; ++i) {
        REQUIRE(answers.integers()[2 * i] <= alone[i]);
        REQUIRE(answers.integers()[2 * i + 1] <= helped[i]);
        completed += answers.integers()[2 * i] + answers.integers()[2 * i + 1];
    }
    // As many as the answers settled: they differ only by the requests of
    // the warm-up answered in the recorded days and by the answers of the
    // last day, settled the morning after the run (renewals, which are far
    // more numerous, are not among them).
    const std::int64_t answered = total_answered(on);
    INFO("answers completed " << completed << ", settled as answered " << answered);
    REQUIRE(answered > 500);
    CHECK(std::abs(static_cast<double>(completed - answered)) < 0.05 * static_cast<double>(answered));
    // The summary's autonomy is that of the other procedures; the answers have their own.
    const RunSummary summary = summarise(on);
    bool differs = false;
    for (std::size_t s = 0; s < services; ++s) {
        std::int64_t a = 0, h = 0, answer_a = 0, answer_h = 0;
        for (std::size_t d = 0; d < days; ++d) {
            a += alone[d * services + s];
            h += helped[d * services + s];
            answer_a += answers.integers()[(d * services + s) * 2];
            answer_h += answers.integers()[(d * services + s) * 2 + 1];
        }
        const ServiceSummary& ss = summary.services[s];
        INFO(ss.service << ": alone " << a << ", helped " << h << ", answers alone " << answer_a << ", helped " << answer_h);
        if (a + h - answer_a - answer_h > 0)
            REQUIRE(ss.autonomy_share == static_cast<double>(a - answer_a) / static_cast<double>(a + h - answer_a - answer_h));
        if (answer_a + answer_h > 0) {
            REQUIRE(ss.answer_autonomy_share == static_cast<double>(answer_a) / static_cast<double>(answer_a + answer_h));
            differs = differs || ss.autonomy_share != static_cast<double>(a) / static_cast<double>(a + h);
        } else {
            REQUIRE(std::isnan(ss.answer_autonomy_share));
        }
    }
    CHECK(differs);
    // Without control, the share is that of every completion, as before.
    sc.control.enabled = false;
    const Results off = run(sc);
    const RunSummary plain = summarise(off);
    const auto& off_alone = off.array("metrics/autonomous_completions").integers();
    const auto& off_helped = off.array("metrics/assisted_completions").integers();
    for (std::size_t s = 0; s < services; ++s) {
        std::int64_t a = 0, h = 0;
        for (std::size_t d = 0; d < days; ++d) {
            a += off_alone[d * services + s];
            h += off_helped[d * services + s];
        }
        if (a + h > 0) REQUIRE(plain.services[s].autonomy_share == static_cast<double>(a) / static_cast<double>(a + h));
        REQUIRE(std::isnan(plain.services[s].answer_autonomy_share));
    }
}

TEST_CASE("control: the round's bound of the logistic is above it everywhere and low enough to skip most draws", "[control]") {
    // The round skips the innocent error's exponential when the draw is
    // above this bound: a bound below the function would change results.
    for (double a = -800.0; a <= 5.0; a += 0.001) {
        INFO(a);
        REQUIRE(control_logistic_bound(a) > logistic(a));
    }
    CHECK(control_logistic_bound(-0.5) == 1.0);  // near 0 nothing is skipped
    CHECK(control_logistic_bound(std::nan("")) == 1.0);
    // At a typical innocent error's odds (the defaults: -5.5 + 2 x 0.5 + 2 x 0.4)
    // it leaves more than 95% of the draws above it.
    CHECK(control_logistic_bound(-3.7) < 0.05);
    CHECK(control_logistic_bound(-8.0) < 0.004);
}

TEST_CASE("control: the round watches every unit received or carrying a trace of a control", "[control]") {
    // The round visits only the watched units (control_round.cpp): a unit
    // received, or with an error or a suspension, left unwatched would be
    // skipped. The daily recount (check_counts) checks every unit against
    // the claims, through suspensions, terminations and claims again.
    Scenario sc = controlled(12000, 240);
    sc.control.type_share = {0.3, 0.6, 0.1};
    sc.control.adhesion_intercept = -1.0;  // many suspensions
    sc.control.suspension_days = 30;       // terminated soon: units leave the watch, and come back if claimed again
    sc.control.fraud_rate = 0.01;
    const Results r = run(sc, 2, /*check_counts=*/true);
    CHECK(total_event(r, ControlEvent::terminations) > 50);
    CHECK(total_event(r, ControlEvent::in_error_innocent) > 0);
    CHECK(total_event(r, ControlEvent::in_error_deliberate) > 0);
    // The same run without the recount: identical (the check only reads).
    require_identical(r, run(sc, 1));
}
