// Digital control of recipients: the state the control module keeps
// (docs/model.md, section 11). Internal to the engine (included by impl.hpp).
//
// The module is off unless the scenario says `[control] enabled = true`:
// then none of this is allocated, no draw is made and no other mechanism
// reads it, so results are those of a model without it.
#pragma once

#include "core/claim.hpp"
#include "core/metrics.hpp"
#include "core/segments.hpp"
#include "core/scenario.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace demat {

// The recipient unit a claim belongs to. Until benefit units exist
// (households), a unit is one citizen's claim to one benefit: every
// "which unit is this claim" question goes through unit_of(), so that a
// merge with households changes this function and ControlCounts' unit
// index only.
struct RecipientUnit {
    std::uint32_t citizen;  // the claimant who answers controls
    std::uint8_t service;
};
inline RecipientUnit unit_of(std::size_t citizen, int service) {
    return {static_cast<std::uint32_t>(citizen), static_cast<std::uint8_t>(service)};
}

namespace control_error {
inline constexpr std::uint8_t none = 0;
inline constexpr std::uint8_t innocent = 1;
inline constexpr std::uint8_t deliberate = 2;
}  // namespace control_error

enum class ControlType : std::uint8_t { automated = 0, documents = 1, visit = 2 };
enum class ControlResponse : std::uint8_t { adhesion = 0, circumvention = 1, contestation = 2, withdrawal = 3 };

// A document request's course (docs/model.md section 11.3): open from the
// round that asks until the morning after it is settled
// (resolve_document_requests), then none again.
namespace control_request {
inline constexpr std::uint8_t none = 0;
inline constexpr std::uint8_t answering = 1;   // the answer is a procedure under way (section 6) on the received right
inline constexpr std::uint8_t ignored = 2;     // withdrawal: nothing will be sent
inline constexpr std::uint8_t answered = 3;    // sent in time; `detail` is the channel
inline constexpr std::uint8_t unanswered = 4;  // given up, failed too late or overtaken by the deadline; `detail` is the cause
}  // namespace control_request

// Why a document request went unanswered: a Reason (section 6.10) when the
// answer procedure failed or was given up; else one of these.
inline constexpr int unanswered_deadline = reason_count;        // still under way (queue, help, retry) on the deadline
inline constexpr int unanswered_withdrawal = reason_count + 1;  // the citizen never tried (withdrawal)
// The labels of /control/answers: answered by channel, then unanswered by cause.
inline constexpr int control_answer_count = channel_count + reason_count + 2;
const std::vector<std::string>& control_answer_names();

// What the administration knows of a unit beyond its features, and the truth
// it does not see. 15 bytes per unit.
struct __attribute__((packed)) ControlUnit {
    std::uint16_t error_since = never;      // absolute day an undetected error began (never: none)
    std::uint16_t last_control = never;     // absolute day of the last control (never: none); a document request's day
    std::uint16_t suspended_since = never;  // absolute day of a suspension awaiting termination
    // While a document request is answered: the claim's next day to come
    // back to once the answer is sent (its renewal date).
    std::uint16_t renewal_due = never;
    std::uint8_t error = control_error::none;
    std::uint8_t controls = 0;  // controls so far (saturates at 255)
    std::uint8_t request : 3 = control_request::none;
    std::uint8_t circumvention : 1 = 0;  // the answer is sent by someone else in the citizen's name
    std::uint8_t detail : 4 = 0;         // answered: the Channel; unanswered: the cause (above)
    float debt = 0.0f;                   // overpayments and penalties still to recover, euros
};
static_assert(sizeof(ControlUnit) == 15);
static_assert(channel_count <= 16 && unanswered_withdrawal < 16, "a channel or a cause fits `detail`");

// The events of /control/events, in the order of the `control/event` coordinate.
enum class ControlEvent : std::uint8_t {
    scored = 0,             // recipient units scored this month
    in_error_innocent,      // of them, with an undetected innocent error (the truth)
    in_error_deliberate,    // of them, with an undetected deliberate error
    automated,              // controls by type
    documents,
    visit,
    selected_in_error,      // controlled units that had an error (innocent or deliberate)
    random_in_error,        // units in error that random selection at the same budget would have controlled
    found_innocent,         // errors found
    found_deliberate,       // frauds found
    nothing_found,
    adhesion,               // responses (document requests and visits)
    circumvention,
    contestation,
    withdrawal,
    appeals_won,
    suspensions,
    wrongful_suspensions,   // suspensions of units without error
    terminations,
    // The systematic cross-checks (docs/model.md 11.3), apart from the
    // budget's controls above so that the selection's precision, recall and
    // fairness indicators stay those of the targeted controls.
    cross_checks,            // recipient units cross-checked with other administrations' files
    cross_found_innocent,    // errors they found
    cross_found_deliberate,  // frauds they found
};
inline constexpr int control_event_count = 22;
const std::vector<std::string>& control_event_names();

inline constexpr int control_amount_count = 3;  // overpayment_found, penalties, recovered
const std::vector<std::string>& control_amount_names();

// Control counts go to the round of the control (every event of a document
// request too, settled later): the index among the recorded rounds of the
// round on `day`, a round day on or after the warm-up.
inline std::size_t control_round_index(int day, int warmup_days) {
    const int first = (warmup_days + 29) / 30 * 30;  // the first round day on or after the warm-up
    return static_cast<std::size_t>((day - first) / 30);
}

// The features of docs/model.md section 11.1, in the order of ControlParams::weights.
const std::vector<std::string>& control_feature_names();

// The module's state (allocated only when control is enabled).
struct ControlState {
    std::vector<ControlUnit> units;          // [citizen][service], as the claims
    std::vector<float> fear;                 // per citizen, [0, 1]
    std::vector<std::uint16_t> last_change;  // per citizen, absolute day of the last employment change (never: none)
    // Recorded counts. Every control event happens in a monthly round, so
    // they are kept by round (the recorded days in `round_days`):
    // [round][service][event], [round][service][group][event],
    // [round][service][amount]; and the stock of claims interrupted by a
    // control, every day: [day][service].
    std::vector<std::int64_t> round_days;  // recorded days of the rounds (derived from the scenario)
    // The units the round visits: CitizenStore::watched.
    // Units with an open document request, in unit order: settled, serially,
    // each morning (resolve_document_requests).
    std::vector<std::uint32_t> requests;
    // Per citizen, bit s: unit (c, s)'s request is `answering`. Every
    // procedure of a renewal asks it (Impl::complexity, docs/model.md
    // 11.3): a byte per citizen stays in cache where the 15-byte units,
    // reached at random, did not. Derived from the units (set_request
    // keeps it; rebuilt on a restore).
    std::vector<std::uint8_t> answering;
    // Also [round][service][answer] (the round of the request), and the
    // daily stock by segment group, [day][service][group].
    std::vector<std::int64_t> events, segment_events, suspended, answers, segment_suspended;
    // Answers to document requests completed, by the day they were completed
    // (as /metrics/autonomous_completions and assisted_completions, which
    // include them): [day][service][0 alone, 1 with help]. Counted from the
    // threads of phases B and C by atomic increments (integers: the order
    // does not change the sum).
    std::vector<std::int64_t> answer_completions;
    std::vector<double> amounts;

    // The one way a unit's request changes, so that `answering` follows.
    void set_request(std::size_t unit, int services, std::uint8_t request) {
        units[unit].request = request & 0x7u;  // a 3-bit field: every control_request fits
        const std::size_t c = unit / static_cast<std::size_t>(services);
        const auto bit = static_cast<std::uint8_t>(1u << (unit % static_cast<std::size_t>(services)));
        answering[c] = request == control_request::answering ? answering[c] | bit : answering[c] & ~bit;
    }
    // `answering` from the units, from scratch.
    void derive_answering(std::size_t citizens, int services) {
        answering.assign(citizens, 0);
        for (std::size_t unit = 0; unit < units.size(); ++unit)
            if (units[unit].request == control_request::answering)
                answering[unit / static_cast<std::size_t>(services)] |=
                    static_cast<std::uint8_t>(1u << (unit % static_cast<std::size_t>(services)));
    }

    std::size_t memory_bytes() const {
        return units.capacity() * sizeof(ControlUnit) + fear.capacity() * sizeof(float) + answering.capacity() +
               last_change.capacity() * sizeof(std::uint16_t) + requests.capacity() * sizeof(std::uint32_t);
    }
};

// The probabilities of adhesion, circumvention, contestation and
// withdrawal (docs/model.md section 11.4), for a citizen of this trust and
// capital score, with or without a capable helper among their neighbours,
// whose unit was controlled `past_controls` times before.
std::array<double, 4> control_response_probabilities(const ControlParams& cp, double trust, double capital,
                                                     bool helper, int past_controls);

// An upper bound of logistic(a) computed without an exponential (1 above
// -1): the round skips the exact value of a probability when its draw is
// above the bound (control_round.cpp).
double control_logistic_bound(double a);

// A unit competing for this month's budget.
struct ControlCandidate {
    double key;         // selection key: score x intensity, or u^(1/intensity) at random
    double random_key;  // the random counterfactual's key at the same budget
    std::uint32_t tie;  // a uniform draw: equal keys are ordered at random
    std::uint32_t unit; // citizen * services + service
    std::array<std::uint8_t, dimension_count> groups;  // the citizen's flat segment groups (groups_of), found in parallel
};

// What the round's parallel pass leaves for the serial part, per block of
// citizens, in unit order: the serial part only adds these up, in block
// order, so that results do not depend on the threads.
struct ControlBlock {
    std::vector<ControlCandidate> candidates;  // every recipient unit
    std::vector<std::uint32_t> terminations;   // suspensions past their term
    std::vector<std::uint32_t> cross_found;    // units whose error a cross-check found this month
    // On recorded days, the events `scored`, `in_error_innocent`,
    // `in_error_deliberate` and `cross_checks`: [service][group, then the
    // whole population][4].
    std::vector<std::int64_t> counts;
    // Debts repaid from this month's payment: (service, euros withheld).
    std::vector<std::pair<std::uint8_t, double>> recovered;
    // Candidates of the block's last round: room reserved for as many next
    // month (their memory is given back between rounds).
    std::size_t last_candidates = 0;
    std::size_t eligible = 0;  // candidates with a key >= 0 (that may be controlled)
};

}  // namespace demat
