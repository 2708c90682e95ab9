// The headline figures of a run, read from its Results (what `demat run`
// prints at the end, and what tests and Python summaries compare).
#pragma once

#include "core/results.hpp"

#include <array>
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
    double autonomy_share = 0;                   // procedures completed alone / all completed
};

struct RunSummary {
    int recorded_days = 0;
    std::vector<ServiceSummary> services;
};

RunSummary summarise(const Results& results);

}  // namespace demat
