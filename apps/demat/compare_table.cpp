#include "compare_table.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace demat {

namespace {
std::string points(double a, double b) {
    char buf[64];
    if (std::isnan(a) || std::isnan(b)) return "      -                ";
    std::snprintf(buf, sizeof buf, "%5.1f%% -> %5.1f%% %+6.1fpt", 100 * a, 100 * b, 100 * (b - a));
    return buf;
}

// "  [-1.2, +0.4]": the 5-95% interval of the per-replicate differences, in points.
std::string interval(bool shown, double low, double high) {
    if (!shown) return "";
    char buf[64];
    if (std::isnan(low) || std::isnan(high)) return "  [   -,    -]";
    std::snprintf(buf, sizeof buf, "  [%+5.1f, %+5.1f]", 100 * low, 100 * high);
    return buf;
}

// "results/a.h5 (5 runs; 50000 citizens, 730 recorded days)": which runs a figure is a measure of.
std::string describe(const ComparedFile& f, std::size_t runs) {
    std::string what;
    if (runs > 1) what = std::to_string(runs) + " runs";
    if (f.citizens >= 0) what += (what.empty() ? "" : "; ") + std::to_string(f.citizens) + " citizens";
    if (f.recorded_days >= 0) what += (what.empty() ? "" : ", ") + std::to_string(f.recorded_days) + " recorded days";
    return f.name + (what.empty() ? "" : " (" + what + ")");
}
}  // namespace

void print_comparison(std::ostream& out, const Comparison& c, const ComparedFile& a, const ComparedFile& b) {
    out << "A = " << describe(a, c.runs_a) << "\nB = " << describe(b, c.runs_b) << "\n";
    out << "Shares of the eligible, averaged over the last " << c.window_days << " recorded days (A -> B, difference).\n"
        << "Each service on its own, never pooled: its divide index is the take-up of capital Q5 minus that of Q1 "
           "among its eligible, over the same days.\n";
    const bool intervals = c.pairs > 1;
    if (c.runs_a > 1 || c.runs_b > 1)
        out << "Figures are means over each file's runs. ";
    if (intervals)
        out << "[low, high] = 5th and 95th percentiles of the " << c.pairs
            << " per-replicate differences B_i - A_i (a 90% interval across replicates, runs paired by index), in points.\n";
    else if (c.runs_a > 1 || c.runs_b > 1)
        out << "\n";
    static const char* rows[] = {"take-up", "non_knowledge", "non_demand", "in_progress", "non_receipt", "interrupted"};
    char line[256];
    for (const auto& s : c.services) {
        const bool show = intervals && s.has_interval;
        std::snprintf(line, sizeof line, "\n%s (eligible per day: %.0f -> %.0f)\n", s.service.c_str(), s.a.shares[0],
                      s.b.shares[0]);
        out << line;
        for (std::size_t k = 1; k < 7; ++k) {
            std::snprintf(line, sizeof line, "  %-24s %s%s\n", rows[k - 1], points(s.a.shares[k], s.b.shares[k]).c_str(),
                          interval(show, s.difference_low.shares[k], s.difference_high.shares[k]).c_str());
            out << line;
        }
        for (std::size_t q = 0; q < 5; ++q) {
            std::snprintf(line, sizeof line, "  take-up, capital Q%zu     %s%s\n", q + 1,
                          points(s.a.take_up_by_capital[q], s.b.take_up_by_capital[q]).c_str(),
                          interval(show, s.difference_low.take_up_by_capital[q], s.difference_high.take_up_by_capital[q]).c_str());
            out << line;
        }
        std::size_t at = 0;
        for (const ComparedSegment& seg : c.segments) {
            for (const std::string& group : seg.groups) {
                const std::string label = "take-up, " + group;
                std::snprintf(line, sizeof line, "  %-24s %s%s\n", label.c_str(),
                              points(s.a.take_up_by_segment[at], s.b.take_up_by_segment[at]).c_str(),
                              interval(show, s.difference_low.take_up_by_segment.empty() ? 0 : s.difference_low.take_up_by_segment[at],
                                       s.difference_high.take_up_by_segment.empty() ? 0 : s.difference_high.take_up_by_segment[at]).c_str());
                out << line;
                ++at;
            }
        }
        std::snprintf(line, sizeof line, "  divide index (Q5 - Q1)   %+5.1fpt -> %+5.1fpt %+6.1fpt%s\n",
                      100 * s.a.divide_index, 100 * s.b.divide_index, 100 * (s.b.divide_index - s.a.divide_index),
                      interval(show, s.difference_low.divide_index, s.difference_high.divide_index).c_str());
        out << line;
        std::snprintf(line, sizeof line, "  unclaimed €/year         %.0f -> %.0f (%+.0f)\n", s.a.unclaimed_euros_per_year,
                      s.b.unclaimed_euros_per_year, s.b.unclaimed_euros_per_year - s.a.unclaimed_euros_per_year);
        out << line;
    }
    for (const auto& name : c.only_in_a) out << "only in A: " << name << "\n";
    for (const auto& name : c.only_in_b) out << "only in B: " << name << "\n";
}

}  // namespace demat
