// The headline figures of a run, read from its Results (what `demat run`
// prints at the end, and what tests and Python summaries compare).
#pragma once

#include "core/results.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace demat {

struct ServiceSummary {
    std::string service;
    // At the last recorded day: citizens per reported state (eligible first).
    std::array<std::int64_t, 7> counts{};
    double take_up_rate = 0;                     // receiving / eligible
    std::array<double, 5> take_up_by_capital{};  // Q1..Q5
    double divide_index = 0;                     // Q5 - Q1
    double concentration_index = 0;
    double unclaimed_euros_per_year = 0;         // over the last 365 recorded days, scaled if fewer
    double mean_time_to_right_days = 0;          // over the whole recorded period
    // Procedures completed alone / all completed. With control on, answers
    // to document requests (docs/model.md 11.3) are left out, so that the
    // share compares like with like with a run without control; they
    // have their own share below (NaN without control or answers).
    double autonomy_share = 0;
    double answer_autonomy_share = 0;            // answers completed alone / all answers completed
};

// Digital control over the recorded run (docs/model.md 11.6), all services:
// who is controlled and who loses their right, by capital quintile, and the
// scorer against random selection at the same budget.
struct ControlSummary {
    std::int64_t controls = 0;              // automated cross-checks, document requests and home visits
    std::int64_t errors_found = 0;          // innocent and deliberate
    std::int64_t suspensions = 0;
    std::int64_t wrongful_suspensions = 0;  // of units with no error
    std::array<double, 5> control_rate_per_1000{};  // Q1..Q5, per 1,000 recipient-months
    std::array<double, 5> over_control_index{};     // a group's rate / the population's
    std::array<double, 5> wrongful_suspension_per_1000{};
    double precision = 0, random_precision = 0;  // share of controls that found a unit in error
};

struct RunSummary {
    int recorded_days = 0;
    std::vector<ServiceSummary> services;
    std::optional<ControlSummary> control;  // when the run has /control
};

RunSummary summarise(const Results& results);

}  // namespace demat
