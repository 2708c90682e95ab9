#include "summary_table.hpp"

#include <cmath>
#include <cstdio>

namespace demat {

namespace {
constexpr std::size_t label_width = 36;

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
    if (const auto& c = summary.control) {
        std::snprintf(line, sizeof line,
                      "Digital control over the recorded days: %lld controls, %lld errors found, %lld suspensions "
                      "(%lld wrongful)\n",
                      static_cast<long long>(c->controls), static_cast<long long>(c->errors_found),
                      static_cast<long long>(c->suspensions), static_cast<long long>(c->wrongful_suspensions));
        out << line;
        std::snprintf(line, sizeof line, "  %-36s %7s %7s %7s %7s %7s\n", "by capital quintile", "Q1", "Q2", "Q3",
                      "Q4", "Q5");
        out << line;
        const auto row = [&](const char* label, const std::array<double, 5>& v, const char* format) {
            std::string cells;
            for (double x : v) {
                char cell[32];
                if (std::isnan(x)) std::snprintf(cell, sizeof cell, " %7s", "-");
                else std::snprintf(cell, sizeof cell, format, x);
                cells += cell;
            }
            out << "  " << label << std::string(label_width - std::string(label).size(), ' ') << cells << "\n";
        };
        row("controls per 1,000 recipient-months", c->control_rate_per_1000, " %7.1f");
        row("over-control index", c->over_control_index, " %7.2f");
        row("wrongful suspensions per 1,000", c->wrongful_suspension_per_1000, " %7.2f");
        std::snprintf(line, sizeof line,
                      "  controls finding an error: %s with the scorer, %s with random selection at the same budget\n",
                      percent(c->precision).c_str(), percent(c->random_precision).c_str());
        out << line;
        // Answers are procedures too, left out of the autonomy column above
        // so that it compares with a run without control.
        std::string answers;
        for (const auto& s : summary.services)
            if (!std::isnan(s.answer_autonomy_share)) {
                const std::string value = percent(s.answer_autonomy_share);
                answers += " " + s.service + " " + value.substr(value.find_first_not_of(' ')) + ",";
            }
        if (!answers.empty()) {
            answers.pop_back();
            out << "  answers to document requests done alone (not in the autonomy column):" << answers << "\n";
        }
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
