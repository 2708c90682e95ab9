// One citizen's path to one service (docs/model.md, section 6): the state machine's state.
#pragma once

#include "core/scenario.hpp"

#include <cstdint>
#include <limits>

namespace demat {

enum class ClaimState : std::uint8_t {
    not_eligible = 0,
    unaware,       // eligible, does not know the service
    aware,         // knows, about to decide whether to claim
    declined,      // decided not to claim; reconsiders later
    attempting,    // trying a channel (first claim or re-claim)
    waiting_help,  // in a queue: phone, counter, mediation
    submitted,     // claim filed, being processed
    receiving,     // receiving the benefit / compliant with the obligation
    rejected,      // wrongfully rejected (every claimant is eligible)
    abandoned,     // gave up after too many failures or too long waits
    interrupted,   // right suspended after a missed renewal
};
inline constexpr int claim_state_count = 11;

// The seven reported states of docs/model.md section 7 (index into state_names()).
enum class ReportedState : std::uint8_t {
    eligible = 0,
    receiving = 1,
    non_knowledge = 2,
    non_demand = 3,
    in_progress = 4,
    non_receipt = 5,
    interrupted = 6,
};
inline constexpr int reported_state_count = 7;

namespace claim_flag {
inline constexpr std::uint8_t knows = 1;          // has known the service at some point
inline constexpr std::uint8_t renewing = 2;       // a periodic declaration is under way (state stays receiving)
inline constexpr std::uint8_t queued = 4;         // waiting in a queue (channel says which)
inline constexpr std::uint8_t reclaiming = 8;     // claiming again after an interruption
inline constexpr std::uint8_t assisted = 16;      // the current procedure is done with help
inline constexpr std::uint8_t appealing = 32;     // the current processing is an appeal
inline constexpr std::uint8_t ever_received = 64; // has received in the current eligibility spell
inline constexpr std::uint8_t control = 128;      // interrupted by a control (suspended or terminated), until received again
}  // namespace claim_flag

inline constexpr std::uint16_t never = std::numeric_limits<std::uint16_t>::max();

// 9 bytes: six services cost 54 bytes per citizen (claims are the largest
// per-citizen array). State (11 values), channel (4) and the belief of
// eligibility share one byte as 4-, 3- and 1-bit fields; packed, so that the 16-bit days do not round the size up to
// 10 (unaligned 16-bit loads cost nothing measurable on x86-64). Same values
// as with whole bytes: the fields are wide enough for every enumerator.
struct __attribute__((packed)) Claim {
    std::uint16_t next_day = never;     // absolute day of the next thing to do
    std::uint16_t eligible_since = 0;   // first day of the current eligibility spell
    std::uint16_t episode_start = 0;    // day the current procedure (or queue wait) began
    ClaimState state : 4 = ClaimState::not_eligible;
    Channel channel : 3 = Channel::online;  // channel of the current or last attempt
    // Aware of the service but believing not to be entitled (docs/model.md
    // 6.16): true only while aware or declined. The byte's top bit, 0 when
    // the mechanism is off, so the byte is what it was without it.
    bool doubts : 1 = false;
    std::uint8_t failures = 0;          // failed attempts in the current procedure
    std::uint8_t flags = 0;

    bool has(std::uint8_t f) const { return (flags & f) != 0; }
};
static_assert(sizeof(Claim) == 9, "claims are 9 bytes (see above)");
static_assert(claim_state_count <= 16 && channel_count <= 8, "state and channel fit their 4-bit fields");

// Which reported non-take-up type a claim counts in (eligible claims only).
inline ReportedState reported_state(const Claim& claim) {
    switch (claim.state) {
        case ClaimState::unaware: return ReportedState::non_knowledge;
        case ClaimState::aware:
        // Not knowing one is entitled is non-knowledge (ODENORE; docs/model.md 6.16).
        case ClaimState::declined: return claim.doubts ? ReportedState::non_knowledge : ReportedState::non_demand;
        case ClaimState::attempting:
        case ClaimState::waiting_help:
        case ClaimState::submitted:
            return claim.has(claim_flag::reclaiming) ? ReportedState::interrupted : ReportedState::in_progress;
        case ClaimState::receiving: return ReportedState::receiving;
        case ClaimState::rejected:
        case ClaimState::abandoned: return ReportedState::non_receipt;
        case ClaimState::interrupted: return ReportedState::interrupted;
        case ClaimState::not_eligible: break;
    }
    return ReportedState::eligible;  // unreachable for eligible claims
}

}  // namespace demat
