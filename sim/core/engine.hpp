// Execution: the day-by-day simulation of a population under a scenario.
//
// The engine owns the population, the network and every claim; it knows
// nothing of files or threads (an Executor spreads its per-block kernels).
// Each day runs three phases:
//   A. observe (parallel): count states per segment; snapshot what each
//      citizen knows and whether they can help, for neighbours to read;
//   B. act (parallel): every citizen whose claim has something due today acts
//      (awareness, decision, attempt, processing, renewal), reading neighbours
//      only through the snapshot; requests for capacity-limited help are
//      collected per block;
//   C. serve (partly parallel, zone by zone, in an order that does not
//      depend on threads): informal helpers and queues (phone, counters,
//      mediation) serve requests by waiting time then random key.
#pragma once

#include "core/claim.hpp"
#include "core/engine/citizen_store.hpp"
#include "core/executor.hpp"
#include "core/households.hpp"
#include "core/metrics.hpp"
#include "core/network.hpp"
#include "core/population.hpp"
#include "core/results.hpp"
#include "core/scenario.hpp"
#include "core/state_visitor.hpp"
#include "core/trace.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace demat {

struct EngineStats {
    double population_seconds = 0;
    double network_seconds = 0;
    double setup_seconds = 0;       // capital ranking and initial claims, after the network
    double simulation_seconds = 0;
    // simulation_seconds by phase (the rest: timeline, merging the counts, recording)
    double observe_seconds = 0;     // phase A (parallel)
    double act_seconds = 0;         // phase B (parallel)
    double serve_seconds = 0;       // phase C (phone and informal help serial, counters and mediation by zone)
    std::size_t memory_bytes = 0;  // population + network + claims + engine arrays
};

class Engine {
public:
    // Generates the population and network; claims start at day 0 of the warm-up.
    Engine(const Scenario& scenario, Executor& executor);
    // Continues a run from a saved state (sim/checkpoint): `restore` fills
    // every section visit_state names, in its order; nothing is generated.
    // `scenario` must be the one the state was saved with.
    Engine(const Scenario& scenario, Executor& executor, StateVisitor& restore);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Advances one day. Returns false once the run is complete.
    bool step();
    // Runs to the end; `on_day(recorded_day, recorded_days)` is called after
    // each recorded day and may return false to stop early (the run is then
    // incomplete: completed() stays false).
    void run(const std::function<bool(int, int)>& on_day = {});

    bool completed() const;
    int current_day() const { return day_; }              // absolute day, warm-up included
    int total_days() const;                               // warm-up + recorded
    Results results() const;
    // The day arrays of recorded day `recorded_day` alone (a one-day slice of
    // results(), without the indicators over citizens): for streaming a run.
    Results day_results(int recorded_day) const { return metrics_.to_results(scenario_, recorded_day, recorded_day + 1); }
    int recorded_days() const { return metrics_.recorded_days(); }
    // The /control arrays alone, as results() has them so far (empty when
    // control is off): the classroom page follows the fairness indicators
    // while the run goes.
    Results control_results() const;

    const Scenario& scenario() const { return scenario_; }
    const Population& population() const { return population_; }
    const Network& network() const { return network_; }
    // Benefit units (docs/model.md 5.1): empty unless a service is claimed
    // per couple or household or has a differential amount.
    const Households& households() const { return households_; }
    // 1 for a citizen who died (life course, docs/model.md 2.1); empty when life_course is off.
    const std::vector<std::uint8_t>& gone() const { return store_.gone; }
    // The monthly amount at stake for citizen c's claim to service s: the
    // service's monthly_amount (flat), or its unit's differential amount
    // (docs/model.md 5.2; 0 when none is due).
    double amount_at_stake(std::size_t citizen, int service) const;
    const Claim& claim(std::size_t citizen, int service) const {
        return store_.claim(citizen, service);
    }
    // The quintile is the centile's fifth: floor(floor(100 r / n) / 20) equals
    // floor(5 r / n) for the rank r (integer floors nest), so it is derived
    // rather than stored (1 byte per citizen).
    std::uint8_t capital_quintile(std::size_t citizen) const {
        static_assert(capital_centiles == 100, "a quintile is 20 centiles");
        return static_cast<std::uint8_t>(capital_centile_[citizen] / 20);
    }
    std::uint8_t capital_centile(std::size_t citizen) const { return capital_centile_[citizen]; }
    float capital_score(std::size_t citizen) const { return capital_score_[citizen]; }
    std::uint16_t helps_given(std::size_t citizen) const { return store_.helps_total[citizen]; }
    // The citizen's procedure_flag bits over the procedures window (core/tracking.hpp).
    std::uint8_t procedure_flags(std::size_t citizen) const;
    const EngineStats& stats() const { return stats_; }
    // Counters by zone (docs/model.md 6.13): the zone whose counter serves
    // `zone` for `service` (the zone itself while its counter is open, the
    // nearest open one otherwise, -1 if none is open) and the km to it.
    long counter_zone(int service, std::size_t zone) const;
    double km_to_counter(int service, std::size_t zone) const;
    // The zone's fifth (0..4) of the closing order of counters: its rank
    // group in /counter_closure (docs/output.md).
    int closure_rank(std::size_t zone) const;
    // Entries in the queue of a staffed channel (the phone line: zone 0).
    std::size_t queue_entries(int service, Channel channel, std::size_t zone) const;
    // Records the events of these citizens (core/trace.hpp) from the next
    // day on; before the first step, to have their whole story. An empty
    // list turns tracing off. Throws UsageError for an unknown citizen.
    void set_trace(const std::vector<std::uint32_t>& citizens);
    // The events recorded so far, by day, then citizen, then as they happened.
    const std::vector<TraceEvent>& trace() const;
    // Debugging the touch rule (docs/architecture.md): after phase A of
    // every recorded day, recount every citizen from scratch and compare
    // with the incremental counts; a difference throws std::logic_error
    // naming the day. Costs a full recount a day. Always on in builds with
    // -DDEMAT_CHECK_COUNTS=ON (the debug preset).
    void check_counts_every_day(bool on) { check_counts_ = on; }

    // Names every piece of the engine's state between two days, for
    // checkpoints: what a resumed run needs to continue bit for bit as if
    // never stopped. RULE: any new mutable member of Engine, Engine::Impl,
    // Population or Metrics must be listed in its visit_state (one line per
    // member); a forgotten one shows as a resumed run that differs from an
    // uninterrupted one (tests/checkpoint).
    void visit_state(StateVisitor& visit);

    struct Impl;  // the kernels (engine.cpp)

private:
    friend struct Impl;
    void visit_own_state(StateVisitor& visit);
    void add_trace(Results& r) const;
    void check_restored() const;
    template <class Sum>
    void sum_over_blocks(Sum&& sum);
    Scenario scenario_;
    Executor& executor_;
    int services_;
    int day_ = 0;
    Population population_;
    Network network_;
    // Every per-citizen array that changes from day to day, the claims and
    // the dirty and due sets (engine/citizen_store.hpp).
    CitizenStore store_;
    std::vector<float> capital_score_;
    std::vector<std::uint8_t> capital_centile_;    // 0..99
    Households households_;
    std::unique_ptr<Impl> impl_;
    Metrics metrics_;
    EngineStats stats_;
#ifdef DEMAT_CHECK_COUNTS
    bool check_counts_ = true;
#else
    bool check_counts_ = false;
#endif
};

}  // namespace demat
