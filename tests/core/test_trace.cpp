// The trace of chosen citizens (core/trace.hpp, /trace of docs/output.md):
// its events are the very events the metrics count, it does not depend on
// the threads, and recording it changes nothing else.
#include "core/engine.hpp"
#include "core/error.hpp"
#include "core/trace.hpp"
#include "parallel/parallel_executor.hpp"
#include "engine_fixtures.hpp"
#include "reverse_executor.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>
#include <numeric>
#include <vector>

using namespace demat;
using namespace demat::test;

namespace {

Scenario traced_scenario() {
    Scenario sc = small_scenario(6000, 150);
    set_channel(sc, Channel::mediation, true, 3.0);  // every staffed channel has a queue
    return sc;
}

std::vector<std::uint32_t> everyone(const Scenario& sc) {
    std::vector<std::uint32_t> ids(static_cast<std::size_t>(sc.population.size));
    std::iota(ids.begin(), ids.end(), 0u);
    return ids;
}

struct Run {
    Results results;
    std::vector<TraceEvent> trace;
};

Run run(const Scenario& sc, const std::vector<std::uint32_t>& traced, Executor& ex) {
    Engine engine(sc, ex);
    engine.set_trace(traced);
    engine.run();
    return {engine.results(), engine.trace()};
}

// Trace events on recorded days, by (service, kind, channel).
std::map<std::tuple<int, int, int>, std::int64_t> tally(const std::vector<TraceEvent>& trace, int warmup) {
    std::map<std::tuple<int, int, int>, std::int64_t> n;
    for (const auto& e : trace)
        if (e.day >= warmup) ++n[{e.service, e.kind, e.channel}];
    return n;
}

std::int64_t of(const std::map<std::tuple<int, int, int>, std::int64_t>& n, int s, TraceKind k,
                int channel = trace_no_channel) {
    const auto it = n.find({s, static_cast<int>(k), channel});
    return it == n.end() ? 0 : it->second;
}

std::int64_t channel_total(const Results& r, const std::string& path, std::size_t s, Channel c) {
    const auto& a = r.array(path);
    std::int64_t t = 0;
    for (std::size_t d = 0; d < a.shape[0]; ++d)
        t += a.integers()[(d * a.shape[1] + s) * a.shape[2] + static_cast<std::size_t>(c)];
    return t;
}

}  // namespace

TEST_CASE("trace: tracing everyone gives, on recorded days, exactly the events the metrics count", "[trace]") {
    const Scenario sc = traced_scenario();
    ParallelExecutor ex(2);
    const Run r = run(sc, everyone(sc), ex);
    const auto n = tally(r.trace, sc.warmup_days);
    std::int64_t events = 0;
    for (std::size_t s = 0; s < sc.services.size(); ++s) {
        const int si = static_cast<int>(s);
        INFO("service " << sc.services[s].name);
        CHECK(of(n, si, TraceKind::learned_of_right) == total(r.results, "metrics/awareness_gained", s));
        CHECK(of(n, si, TraceKind::decided_to_claim) == total(r.results, "metrics/claims_started", s));
        CHECK(of(n, si, TraceKind::decided_not_to_claim) == total(r.results, "metrics/claims_declined", s));
        CHECK(of(n, si, TraceKind::asked_for_help) == total(r.results, "metrics/help_requested", s));
        CHECK(of(n, si, TraceKind::helped_by_relative, 0) == total(r.results, "metrics/help_informal", s));
        CHECK(of(n, si, TraceKind::helper_unavailable) == total(r.results, "metrics/help_informal_unavailable", s));
        CHECK(of(n, si, TraceKind::gave_up) == total(r.results, "metrics/abandonments", s));
        CHECK(of(n, si, TraceKind::interrupted) == total(r.results, "metrics/interruptions", s));
        CHECK(of(n, si, TraceKind::renewed) == total(r.results, "metrics/renewals_completed", s));
        CHECK(of(n, si, TraceKind::rejected) == total(r.results, "metrics/rejections", s));
        CHECK(of(n, si, TraceKind::appealed) == total(r.results, "metrics/appeals", s));
        CHECK(of(n, si, TraceKind::got_right) >= total(r.results, "metrics/first_payments", s));
        for (int c = 0; c < channel_count; ++c) {
            const auto ch = static_cast<Channel>(c);
            INFO("channel " << c);
            // An informal help is an online attempt too (metrics/attempts counts it).
            CHECK(of(n, si, TraceKind::tried, c) + (c == 0 ? of(n, si, TraceKind::helped_by_relative, 0) : 0) ==
                  channel_total(r.results, "metrics/attempts", s, ch));
            CHECK(of(n, si, TraceKind::completed_procedure, c) == channel_total(r.results, "metrics/successes", s, ch));
            CHECK(of(n, si, TraceKind::queued, c) == channel_total(r.results, "metrics/queue_joined", s, ch));
            CHECK(of(n, si, TraceKind::served, c) == channel_total(r.results, "metrics/queue_served", s, ch));
            CHECK(of(n, si, TraceKind::left_queue, c) == channel_total(r.results, "metrics/queue_gave_up", s, ch));
        }
        events += of(n, si, TraceKind::queued, 2) + of(n, si, TraceKind::queued, 3) + of(n, si, TraceKind::gave_up);
    }
    CHECK(events > 0);  // the queues and give-ups above were exercised, not all zero
    // Events about an attempt name its channel; the others have none.
    std::int64_t failed = 0;
    for (const auto& e : r.trace) {
        const auto k = static_cast<TraceKind>(e.kind);
        const bool has_channel = k == TraceKind::tried || k == TraceKind::failed || k == TraceKind::helped_by_relative ||
                                 k == TraceKind::queued || k == TraceKind::served || k == TraceKind::left_queue ||
                                 k == TraceKind::completed_procedure;
        INFO("event " << trace_event_names()[e.kind]);
        REQUIRE((has_channel ? e.channel < channel_count : e.channel == trace_no_channel));
        failed += k == TraceKind::failed;
    }
    CHECK(failed > 0);
    // In order: by day, then citizen.
    for (std::size_t i = 1; i < r.trace.size(); ++i) {
        const auto& a = r.trace[i - 1];
        const auto& b = r.trace[i];
        REQUIRE((a.day < b.day || (a.day == b.day && a.citizen <= b.citizen)));
    }
}

TEST_CASE("trace: the same events whatever the threads and the block order", "[trace]") {
    const Scenario sc = traced_scenario();
    const std::vector<std::uint32_t> some{0, 17, 123, 999, 2500, 5999};
    ParallelExecutor one(1), two(2);
    ReverseExecutor reverse;
    const Run a = run(sc, some, one), b = run(sc, some, two), c = run(sc, some, reverse);
    REQUIRE(a.trace.size() > 20);
    for (const auto* other : {&b, &c}) {
        REQUIRE(other->trace.size() == a.trace.size());
        for (std::size_t i = 0; i < a.trace.size(); ++i) {
            const auto &x = a.trace[i], &y = other->trace[i];
            REQUIRE(std::tie(x.day, x.citizen, x.service, x.kind, x.channel) ==
                    std::tie(y.day, y.citizen, y.service, y.kind, y.channel));
        }
    }
    for (const auto& e : a.trace) {
        const bool chosen = std::find(some.begin(), some.end(), e.citizen) != some.end();
        REQUIRE(chosen);
    }
}

TEST_CASE("trace: recording changes no other result", "[trace]") {
    const Scenario sc = traced_scenario();
    ParallelExecutor ex(2);
    const Run plain = run(sc, {}, ex), traced = run(sc, everyone(sc), ex);
    CHECK(plain.trace.empty());
    CHECK_FALSE(plain.results.has_array("trace/day"));
    REQUIRE(traced.results.has_array("trace/day"));
    for (const auto& a : plain.results.arrays) {
        INFO(a.path);
        const auto& b = traced.results.array(a.path);
        CHECK(a.shape == b.shape);
        if (a.is_integer()) CHECK(a.integers() == b.integers());
        else CHECK(std::memcmp(a.reals().data(), b.reals().data(), a.reals().size() * sizeof(double)) == 0);
    }
}

TEST_CASE("trace: an unknown citizen is refused", "[trace]") {
    Scenario sc = small_scenario(1000, 30);
    ParallelExecutor ex(1);
    Engine engine(sc, ex);
    CHECK_THROWS_AS(engine.set_trace({5, 1000}), UsageError);
}
