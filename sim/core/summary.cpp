#include "core/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace demat {

namespace {

bool has_array(const Results& r, const std::string& path) {
    return std::any_of(r.arrays.begin(), r.arrays.end(), [&](const Array& a) { return a.path == path; });
}

std::optional<ControlSummary> summarise_control(const Results& r) {
    if (!has_array(r, "control/events")) return std::nullopt;
    ControlSummary out;
    const auto& events = r.array("control/events").integers();
    const auto& names = r.coordinate("control/event").labels;
    const auto index = [&](const char* name) {
        return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
    };
    const std::size_t E = names.size();
    for (std::size_t i = 0; i + E <= events.size(); i += E) {
        out.controls += events[i + index("automated")] + events[i + index("documents")] + events[i + index("visit")];
        out.errors_found += events[i + index("found_innocent")] + events[i + index("found_deliberate")];
        out.suspensions += events[i + index("suspensions")];
        out.wrongful_suspensions += events[i + index("wrongful_suspensions")];
    }
    const auto& fair = r.array("control/segments/capital_quintile/fairness");
    const auto& indicators = r.coordinate("control/indicator").labels;
    const std::size_t I = indicators.size();
    const auto column = [&](const char* name, std::array<double, 5>& to) {
        const auto i = static_cast<std::size_t>(std::find(indicators.begin(), indicators.end(), name) - indicators.begin());
        for (std::size_t q = 0; q < 5 && i < I; ++q) to[q] = fair.reals()[q * I + i];
    };
    column("control_rate_per_1000", out.control_rate_per_1000);
    column("over_control_index", out.over_control_index);
    column("wrongful_suspension_per_1000", out.wrongful_suspension_per_1000);
    // [selection: selected, random_same_budget][measure: precision, recall]
    const auto& pr = r.array("control/precision_recall").reals();
    out.precision = pr[0];
    out.random_precision = pr[2];
    return out;
}

}  // namespace

RunSummary summarise(const Results& r) {
    RunSummary out;
    const auto& counts = r.array("counts");
    const std::size_t days = counts.shape[0], services = counts.shape[1], states = counts.shape[2];
    out.recorded_days = static_cast<int>(days);
    if (days == 0) return out;
    const auto& c = counts.integers();
    const auto& capital = r.array("segments/capital_quintile/counts").integers();
    const auto& unclaimed = r.array("metrics/unclaimed_euros").reals();
    const auto& concentration = r.array("metrics/concentration_index").reals();
    const auto& first_payments = r.array("metrics/first_payments").integers();
    const auto& time_to_right = r.array("metrics/time_to_right_days").integers();
    const auto& autonomous = r.array("metrics/autonomous_completions").integers();
    const auto& assisted = r.array("metrics/assisted_completions").integers();
    const auto& names = r.coordinate("service").labels;
    // Answers to document requests, counted in the completions above too.
    const std::vector<std::int64_t> none;
    const auto& answers = has_array(r, "control/answer_completions") ? r.array("control/answer_completions").integers() : none;
    const std::size_t last = days - 1;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t s = 0; s < services; ++s) {
        ServiceSummary ss;
        ss.service = names[s];
        for (std::size_t k = 0; k < states; ++k) ss.counts[k] = c[(last * services + s) * states + k];
        ss.take_up_rate = ss.counts[0] ? static_cast<double>(ss.counts[1]) / static_cast<double>(ss.counts[0]) : nan;
        for (std::size_t q = 0; q < 5; ++q) {
            const std::size_t j = ((last * services + s) * 5 + q) * states;
            ss.take_up_by_capital[q] =
                capital[j] ? static_cast<double>(capital[j + 1]) / static_cast<double>(capital[j]) : nan;
        }
        ss.divide_index = ss.take_up_by_capital[4] - ss.take_up_by_capital[0];
        ss.concentration_index = concentration[last * services + s];
        const std::size_t window = std::min<std::size_t>(days, 365);
        double money = 0;
        for (std::size_t d = days - window; d < days; ++d) money += unclaimed[d * services + s];
        ss.unclaimed_euros_per_year = money * 365.0 / static_cast<double>(window);
        std::int64_t payments = 0, waited = 0, alone = 0, helped = 0, answered_alone = 0, answered_helped = 0;
        for (std::size_t d = 0; d < days; ++d) {
            payments += first_payments[d * services + s];
            waited += time_to_right[d * services + s];
            alone += autonomous[d * services + s];
            helped += assisted[d * services + s];
            if (!answers.empty()) {
                answered_alone += answers[(d * services + s) * 2];
                answered_helped += answers[(d * services + s) * 2 + 1];
            }
        }
        ss.mean_time_to_right_days = payments ? static_cast<double>(waited) / static_cast<double>(payments) : nan;
        alone -= answered_alone;
        helped -= answered_helped;
        ss.autonomy_share = alone + helped ? static_cast<double>(alone) / static_cast<double>(alone + helped) : nan;
        ss.answer_autonomy_share = answered_alone + answered_helped
                                       ? static_cast<double>(answered_alone) / static_cast<double>(answered_alone + answered_helped)
                                       : nan;
        out.services.push_back(ss);
    }
    out.control = summarise_control(r);
    return out;
}

}  // namespace demat
