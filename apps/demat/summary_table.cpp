#include "summary_table.hpp"

#include <cmath>
#include <cstdio>

namespace demat {

namespace {
std::string percent(double x) {
    if (std::isnan(x)) return "   -  ";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%5.1f%%", 100.0 * x);
    return buf;
}
std::string share(std::int64_t part, std::int64_t whole) {
    return whole > 0 ? percent(static_cast<double>(part) / static_cast<double>(whole)) : percent(NAN);
}
}  // namespace

void print_summary(std::ostream& out, const Scenario& sc, const RunSummary& summary, const EngineStats& stats,
                   const std::string& output_path) {
    char line[256];
    out << "\nScenario " << sc.name << ": " << sc.population.size << " citizens, " << summary.recorded_days
        << " days recorded after " << sc.warmup_days << " days of warm-up, seed " << sc.seed << "\n";
    out << "State on the last day (shares of the eligible):\n";
    std::snprintf(line, sizeof line, "  %-22s %9s %8s %8s %8s %8s %8s %8s\n", "service", "eligible", "take-up",
                  "unaware", "no-claim", "in-prog", "no-recpt", "interr.");
    out << line;
    for (const auto& s : summary.services) {
        const auto& c = s.counts;
        std::snprintf(line, sizeof line, "  %-22s %9lld %8s %8s %8s %8s %8s %8s\n", s.service.c_str(),
                      static_cast<long long>(c[0]), percent(s.take_up_rate).c_str(), share(c[2], c[0]).c_str(),
                      share(c[3], c[0]).c_str(), share(c[4], c[0]).c_str(), share(c[5], c[0]).c_str(),
                      share(c[6], c[0]).c_str());
        out << line;
    }
    out << "Take-up by capital quintile (Q1 lowest) and the administrative divide:\n";
    std::snprintf(line, sizeof line, "  %-22s %7s %7s %7s %7s %7s %8s %8s\n", "service", "Q1", "Q2", "Q3", "Q4", "Q5",
                  "Q5-Q1", "conc.idx");
    out << line;
    for (const auto& s : summary.services) {
        const auto& q = s.take_up_by_capital;
        std::snprintf(line, sizeof line, "  %-22s %7s %7s %7s %7s %7s %+7.1fpt %+8.3f\n", s.service.c_str(),
                      percent(q[0]).c_str(), percent(q[1]).c_str(), percent(q[2]).c_str(), percent(q[3]).c_str(),
                      percent(q[4]).c_str(), 100.0 * s.divide_index, s.concentration_index);
        out << line;
    }
    out << "Money and effort:\n";
    std::snprintf(line, sizeof line, "  %-22s %16s %14s %10s\n", "service", "unclaimed €/year", "days to right",
                  "autonomy");
    out << line;
    for (const auto& s : summary.services) {
        std::snprintf(line, sizeof line, "  %-22s %16.0f %14.0f %10s\n", s.service.c_str(), s.unclaimed_euros_per_year,
                      s.mean_time_to_right_days, percent(s.autonomy_share).c_str());
        out << line;
    }
    const double agent_days = static_cast<double>(sc.population.size) * (sc.days + sc.warmup_days);
    std::snprintf(line, sizeof line,
                  "Timing: population %.2fs, network %.2fs, setup %.2fs, simulation %.2fs (%.1fM agent-days/s, warm-up included)\n",
                  stats.population_seconds, stats.network_seconds, stats.setup_seconds, stats.simulation_seconds,
                  stats.simulation_seconds > 0 ? agent_days / stats.simulation_seconds / 1e6 : 0.0);
    out << line;
    std::snprintf(line, sizeof line, "Simulation by phase: observe %.2fs, act %.2fs, serve %.2fs (partly serial)\n",
                  stats.observe_seconds, stats.act_seconds, stats.serve_seconds);
    out << line;
    out << "Results written to " << output_path << "\n";
}

}  // namespace demat
