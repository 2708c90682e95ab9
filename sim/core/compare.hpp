// Two runs side by side: what changes in take-up, in each type of
// non-take-up and in the divide, per service and capital quintile.
//
// Either file may hold replicates (the sweep layout of docs/output.md: every
// array has a leading `run` axis). Figures are then means over its runs, and
// the difference gets an interval: the 5th and 95th percentiles of the
// per-replicate differences B_i - A_i (runs paired by index: `demat sweep`
// gives replicate i the same seed in every file, common random numbers).
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
    // Take-up by group of each of compared_segments() that both files hold
    // (Comparison::segments), groups of one dimension after the other.
    std::vector<double> take_up_by_segment;
};

// The segment dimensions `demat compare` shows take-up by, besides capital:
// each only when both files have it (files of earlier versions do not).
const std::vector<std::string>& compared_segments();

// A compared dimension and its groups.
struct ComparedSegment {
    std::string dimension;
    std::vector<std::string> groups;
};

struct ServiceComparison {
    std::string service;
    RunFigures a, b;  // one run's figures, or the mean over a file's runs
    // With replicates: the 5th and 95th percentiles, field by field, of
    // the per-replicate differences B_i - A_i.
    bool has_interval = false;
    RunFigures difference_low, difference_high;
};

struct Comparison {
    int window_days = 0;
    std::size_t runs_a = 1, runs_b = 1;  // runs held by each file
    std::size_t pairs = 1;               // replicate differences behind the intervals
    std::vector<ServiceComparison> services;   // services present in both runs, in a's order
    std::vector<ComparedSegment> segments;     // of compared_segments(), those both files hold
    std::vector<std::string> only_in_a, only_in_b;
};

// Figures over the last `window_days` recorded days of each run (all days if
// a run is shorter). A file with a `run` axis is split into its runs; with
// n_a and n_b runs, differences pair run i of A with run i of B when
// n_a == n_b, else every run of the larger file with the only run of the
// other (n = 1), else the first min(n_a, n_b) runs of each.
Comparison compare_runs(const Results& a, const Results& b, int window_days);

RunFigures run_figures(const Results& r, std::size_t service, int window_days,
                       const std::vector<ComparedSegment>& segments = {});

// The runs of a sweep/ensemble file, each as a one-run Results (arrays and
// coordinates without the `run` axis); a one-run file is returned as is.
std::vector<Results> split_runs(const Results& r);

// The sweep points of a file (the distinct values of /run_point, in order);
// empty for a file without them (a single run, an ensemble of replicates).
std::vector<std::int64_t> sweep_points(const Results& r);

// The runs of one sweep point, with every array's `run` axis cut to them:
// a sweep file reduced to the replicates of that point.
Results runs_of_point(const Results& r, std::int64_t point);

// The q-quantile (0..1) of values, linear between order statistics (NaNs dropped).
double quantile(std::vector<double> values, double q);

}  // namespace demat
