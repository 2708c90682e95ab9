// Observation: what the engine counts every day, and how it becomes Results.
//
// Counting is split in per-block accumulators (integers only, so that their
// sum does not depend on the order in which blocks finish), merged once a day.
#pragma once

#include "core/claim.hpp"
#include "core/results.hpp"
#include "core/scenario.hpp"
#include "core/state_visitor.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace demat {

// Events counted per service and day.
enum class Event : std::uint8_t {
    awareness_gained = 0,
    claims_started,
    claims_declined,
    claims_submitted,
    first_payments,
    time_to_right_days,
    rejections,
    appeals,
    appeals_won,
    abandonments,
    interruptions,
    renewals_completed,
    help_requested,
    help_informal,
    help_informal_unavailable,
    autonomous_completions,
    assisted_completions,
    procedures_completed_low_capital,  // completions by citizens of capital quintile Q1
    autonomous_completions_low_capital,
    online_unequipped,  // an unequipped citizen sent online who could not borrow a device nor find help
    identity_in_person,  // sent to an in-person identity check after a failed strong identity step
    first_claims,  // claims filed by a unit not yet paid in its eligibility spell (no re-claim after a receipt)
};
inline constexpr int event_count = 22;

// Why an online attempt failed or a procedure was given up (docs/model.md,
// section 6.10): one cause each.
enum class Reason : std::uint8_t { connection = 0, equipment, skill, complexity, identity, wait, distance };
inline constexpr int reason_count = 7;
const std::vector<std::string>& reason_names();

// Sources and outcomes of a request for help (docs/model.md, section 6.12).
enum class HelpSource : std::uint8_t { household = 0, relative_or_friend, mediator, counter_agent, phone_agent };
inline constexpr int help_source_count = 5;
enum class HelpOutcome : std::uint8_t { obtained = 0, refused, none_available };
inline constexpr int help_outcome_count = 3;
const std::vector<std::string>& help_source_names();
const std::vector<std::string>& help_outcome_names();

// Events counted per service and segment group as well: one index space,
// [failures by reason | abandonments by reason | identity | help by source and outcome |
// decisions not to claim, and those discouraged by self-efficacy].
namespace tally_index {
inline constexpr int failures = 0;
inline constexpr int abandonments = failures + reason_count;
inline constexpr int identity = abandonments + reason_count;  // attempts, successes, first attempts, first successes
inline constexpr int identity_count = 4;
inline constexpr int help = identity + identity_count;        // + source * help_outcome_count + outcome
inline constexpr int efficacy = help + help_source_count * help_outcome_count;  // declined, discouraged
inline constexpr int efficacy_count = 2;
inline constexpr int count = efficacy + efficacy_count;
inline int failure(Reason r) { return failures + static_cast<int>(r); }
inline int abandonment(Reason r) { return abandonments + static_cast<int>(r); }
inline int help_record(HelpSource s, HelpOutcome o) {
    return help + static_cast<int>(s) * help_outcome_count + static_cast<int>(o);
}
}  // namespace tally_index

// One tallied event of one citizen, kept as a record during the day (they
// are rare) and counted by segment group once, at the day's end (count_tallies).
struct TallyRecord {
    std::uint32_t citizen;
    std::uint8_t service;
    std::uint8_t what;  // tally index; tally_index::count + ClosureMeasure for a /counter_closure record
};

// Events counted per service, channel and day.
enum class ChannelEvent : std::uint8_t {
    attempts = 0,
    successes,
    queue_joined,
    queue_served,
    queue_gave_up,
    queue_wait_days,
};
inline constexpr int channel_event_count = 6;

inline constexpr int capital_centiles = 100;

// Claims filed, first payments and first claims by the claimant's zone's place in the
// order in which close_counters closes counters (fifths of that order) and
// by education (docs/output.md, /counter_closure): the same zones in a run
// with and in a run without the closure, for the closure response
// (docs/validation.md, Responses).
inline constexpr int closure_rank_groups = 5;
inline constexpr int closure_education_groups = 3;
enum class ClosureMeasure : std::uint8_t { claims_submitted = 0, first_payments, first_claims };
inline constexpr int closure_measure_count = 3;

// One block's (or the serial phase's) counts for one day.
struct DayCounts {
    int services = 0;
    int groups = 0;
    // [service][group][reported state 1..6] (eligible is their sum).
    std::vector<std::int64_t> segment_states;
    // [service][reported state 1..6] for the whole population.
    std::vector<std::int64_t> states;
    // [service][capital centile][0 = eligible, 1 = receiving], for the concentration index.
    std::vector<std::int64_t> centiles;
    // [service][event]
    std::vector<std::int64_t> events;
    // [service][channel][channel event]
    std::vector<std::int64_t> channel_events;
    // [service][channel]: claims waiting in a queue at the start of the day.
    std::vector<std::int64_t> queue_length;
    // [service]: in-progress claims older than grace_days.
    std::vector<std::int64_t> overdue;
    // [service]: cents left unclaimed today by the eligible units of
    // differential services (docs/model.md 5.2); 0 for flat services.
    std::vector<std::int64_t> unclaimed_cents;
    // informal helps given today (all services)
    std::int64_t helps_given = 0;
    // The day's tallied events (reasons, identity, help), as records.
    std::vector<TallyRecord> tallies;
    // Their counts, in the day's total only: [service][tally] and [service][group][tally].
    std::vector<std::int64_t> tally_counts, segment_tally_counts;
    // [service][closure rank group][education][closure measure]
    std::vector<std::int64_t> closure;

    DayCounts() = default;
    DayCounts(int services, int groups);
    void clear();
    void add(const DayCounts& other);

    void count(int service, Event e, std::int64_t n = 1) {
        events[static_cast<std::size_t>(service * event_count + static_cast<int>(e))] += n;
    }
    void count_closure(int service, int rank_group, int education, ClosureMeasure m) {
        closure[static_cast<std::size_t>(((service * closure_rank_groups + rank_group) * closure_education_groups + education) *
                                             closure_measure_count + static_cast<int>(m))] += 1;
    }
    void tally(std::size_t citizen, int service, int what) {
        tallies.push_back({static_cast<std::uint32_t>(citizen), static_cast<std::uint8_t>(service), static_cast<std::uint8_t>(what)});
    }
    void count(int service, Channel c, ChannelEvent e, std::int64_t n = 1) {
        channel_events[static_cast<std::size_t>((service * channel_count + static_cast<int>(c)) * channel_event_count +
                                                static_cast<int>(e))] += n;
    }
};

// The whole recorded history, turned into Results at the end.
class Metrics {
public:
    Metrics(const Scenario& scenario, int recorded_days);

    // Stores one recorded day (index in [0, recorded_days)).
    void record(int day, const DayCounts& counts);
    // Adds the final helpers' burden: number of helps given by each citizen over the run.
    void set_helps_given(const std::vector<std::uint16_t>& helps_per_citizen);

    int recorded_days() const { return recorded_; }
    // Every member that changes, for checkpoints (a new one must be listed).
    void visit_state(StateVisitor& visit);
    Results to_results(const Scenario& scenario) const;
    // The recorded days [first, end) only (the day coordinate keeps their
    // indices): what the WebAssembly engine streams day by day without
    // copying the whole history every day (bindings/wasm).
    Results to_results(const Scenario& scenario, int first, int end) const;

private:
    int days_;
    int recorded_ = 0;
    int services_;
    int groups_;
    bool agencies_;  // a service names an agency: the agency_contact segment is written (docs/model.md 6.15)
    std::vector<std::int64_t> segment_states_;  // [day][service][group][6]
    std::vector<std::int64_t> states_;          // [day][service][6]
    std::vector<double> concentration_;         // [day][service]
    std::vector<std::int64_t> events_;          // [day][service][event]
    std::vector<std::int64_t> channel_events_;  // [day][service][channel][channel event]
    std::vector<std::int64_t> queue_length_;    // [day][service][channel]
    std::vector<std::int64_t> overdue_;         // [day][service]
    std::vector<std::int64_t> unclaimed_cents_; // [day][service], only with a differential service
    std::vector<std::int64_t> helps_given_;     // [day]
    std::vector<std::int64_t> burden_histogram_;  // [helps 1..]
    std::vector<std::int64_t> tallies_;           // [day][service][tally]
    std::vector<std::int64_t> segment_tallies_;   // [day][service][group][tally]
    std::vector<std::int64_t> closure_;           // [day][service][closure rank group][education][measure]
    void add_tally_results(Results& r, int first, int end, bool identity_metrics) const;
    void add_closure_results(Results& r, int first, int end) const;
};

// Concentration index of a 0/1 outcome over a ranking given by groups of
// equal rank (here capital centiles, lowest first): C = 2/mu * sum f_g mu_g R_g - 1.
double concentration_index(const std::int64_t* eligible, const std::int64_t* receiving, int groups);

}  // namespace demat
