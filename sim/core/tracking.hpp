// Indicators that follow citizens rather than days: persistent non-take-up,
// online procedures over a year, and the outreach cohort. The published
// figures they are compared with (docs/validation.md) are about people
// ("eligible three quarters in a row and never receiving", "gave up an
// online procedure in the year"), which daily counts cannot give.
//
// Kept compact (7 bytes per citizen): bits per citizen and service, updated
// in phase A for the citizens whose state changed (the others keep their
// state, hence their bits) and for everyone on the first day of a window.
// Definitions: docs/output.md, section "Indicators over citizens".
#pragma once

#include "core/claim.hpp"
#include "core/metrics.hpp"
#include "core/results.hpp"
#include "core/scenario.hpp"

#include <cstdint>
#include <vector>

namespace demat {

// Citizen flags over the procedures window (the last 365 recorded days).
namespace procedure_flag {
inline constexpr std::uint8_t did_online = 1;        // completed a procedure online, alone or with a neighbour
inline constexpr std::uint8_t gave_up_online = 2;     // an online attempt failed: the procedure was not done online that time
inline constexpr std::uint8_t gave_up_for_good = 4;   // a procedure ended by giving up (max_failures reached)
// Sought help from a source (HelpSource, core/metrics.hpp: 0..4), whatever came of it: bits 3-7.
inline constexpr int sought_help_shift = 3;
inline constexpr std::uint8_t sought_help_any = 0xF8;
inline constexpr std::uint8_t sought_help(HelpSource source) {
    return static_cast<std::uint8_t>(1u << (sought_help_shift + static_cast<int>(source)));
}
}  // namespace procedure_flag

class CitizenTracking {
public:
    // Windows in recorded days, ending with the run: three quarters of 91
    // days for persistent non-take-up, one quarter for quarterly non-take-up,
    // a year for procedures; the cohort is taken on recorded day 0.
    static constexpr int quarter_days = 91;
    static constexpr int persistent_days = 3 * quarter_days;
    static constexpr int procedures_days = 365;

    CitizenTracking(std::size_t citizens, int warmup_days, int recorded_days);

    // True on the absolute days when every citizen must be observed.
    bool full_pass(int day) const { return day == persistent_start_ || day == cohort_day_; }
    // Phase A: citizen c's claims (services of them) as counted on absolute `day`.
    void observe(std::size_t c, const Claim* claims, int services, int day);
    // Phases B and C: a procedure event of citizen c on absolute `day`.
    void mark(std::size_t c, std::uint8_t flag, int day) {
        if (day >= procedures_start_ && day < end_) procedures_[c] |= flag;
    }
    // Adds the indicators to results that already hold "counts".
    void add_results(Results& r, const Scenario& scenario) const;

    std::size_t memory_bytes() const {
        return persistent_.capacity() * sizeof(std::uint16_t) + procedures_.capacity() + cohort_.capacity() * sizeof(std::uint32_t);
    }

    // Mutable state, for checkpoints: the three per-citizen arrays.
    std::vector<std::uint16_t>& persistent() { return persistent_; }
    std::vector<std::uint8_t>& procedures() { return procedures_; }
    std::vector<std::uint32_t>& cohort() { return cohort_; }
    std::uint8_t procedure_flags(std::size_t c) const { return procedures_[c]; }

private:
    int persistent_start_, procedures_start_, cohort_day_, end_, recorded_days_;
    // bit s: eligible on every day since persistent_start; bit 8+s: receiving on some day.
    std::vector<std::uint16_t> persistent_;
    std::vector<std::uint8_t> procedures_;  // procedure_flag bits
    // bits 0-7: eligible and not receiving on the cohort day; 8-15: unaware
    // on that day; 16-23: receiving on some day since.
    std::vector<std::uint32_t> cohort_;
};

}  // namespace demat
