// The trace of chosen citizens: what happened to them, day by day, for the
// classroom's "follow one citizen" timeline and for researchers
// (`demat run --trace ID,...` writes /trace; docs/output.md). Recording is
// off unless citizens are chosen; when off it costs one predictable branch
// per event and draws nothing, so outputs are bit-identical with or without
// the feature (tests/core/test_trace.cpp, tests/cli).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace demat {

// Values are written to /trace: append, never renumber.
enum class TraceKind : std::uint8_t {
    became_eligible = 0,   // eligibility starts (a life event or the initial draw)
    lost_eligibility,      // eligibility ends
    learned_of_right,      // became aware of the service
    decided_to_claim,      // decided to claim (first claim, re-claim after an interruption or a give-up)
    decided_not_to_claim,  // non-demand
    tried,                 // started a procedure on `channel` (online: alone)
    failed,                // an attempt failed (online, or a staffed channel that could not complete it)
    asked_for_help,        // asked a relative or a mediator for help
    helped_by_relative,    // a relative did the procedure online with or for them
    helper_unavailable,    // the relative asked had no capacity left this month
    queued,                // joined the queue of `channel` (phone, counter, mediation)
    served,                // served by `channel` after waiting
    left_queue,            // left the queue after waiting longer than their patience
    completed_procedure,   // procedure done on `channel`; the claim is filed (or the renewal done)
    got_right,             // first payment: the right is obtained
    rejected,              // wrongful rejection
    appealed,              // contested a rejection
    gave_up,               // abandoned after too many failures
    renewed,               // periodic declaration done in time
    interrupted,           // right interrupted after a missed declaration
};
inline constexpr int trace_kind_count = 20;

// No channel for the event.
inline constexpr std::uint8_t trace_no_channel = 255;

struct TraceEvent {
    std::int32_t day;        // absolute day (warm-up included)
    std::uint32_t citizen;
    std::uint8_t service;
    std::uint8_t kind;       // TraceKind
    std::uint8_t channel;    // Channel, or trace_no_channel
};

inline const std::vector<std::string>& trace_event_names() {
    static const std::vector<std::string> names{
        "became_eligible", "lost_eligibility", "learned_of_right", "decided_to_claim", "decided_not_to_claim",
        "tried",           "failed",           "asked_for_help",   "helped_by_relative", "helper_unavailable",
        "queued",          "served",           "left_queue",       "completed_procedure", "got_right",
        "rejected",        "appealed",         "gave_up",          "renewed",           "interrupted"};
    return names;
}

}  // namespace demat
