// Two runs side by side: what changes in take-up, in each type of
// non-take-up and in the divide, per service and capital quintile.
#pragma once

#include "core/results.hpp"

#include <array>
#include <string>
#include <vector>

namespace demat {

// Shares of the eligible averaged over a window of recorded days
// (eligible-weighted: the ratio of summed counts).
struct RunFigures {
    std::array<double, 7> shares{};              // [0] = eligible citizens per day, then shares of eligible
    std::array<double, 5> take_up_by_capital{};  // Q1..Q5
    double divide_index = 0;                     // Q5 - Q1
    double unclaimed_euros_per_year = 0;
};

struct ServiceComparison {
    std::string service;
    RunFigures a, b;
};

struct Comparison {
    int window_days = 0;
    std::vector<ServiceComparison> services;   // services present in both runs, in a's order
    std::vector<std::string> only_in_a, only_in_b;
};

// Figures over the last `window_days` recorded days of each run (all days if
// a run is shorter).
Comparison compare_runs(const Results& a, const Results& b, int window_days);

RunFigures run_figures(const Results& r, std::size_t service, int window_days);

}  // namespace demat
