#include "core/compare.hpp"

#include <algorithm>
#include <limits>

namespace demat {

RunFigures run_figures(const Results& r, std::size_t s, int window_days) {
    RunFigures f;
    const Array& counts = r.array("counts");
    const Array& capital = r.array("segments/capital_quintile/counts");
    const std::size_t D = counts.shape[0], S = counts.shape[1], K = counts.shape[2];
    const std::size_t window = std::min<std::size_t>(D, static_cast<std::size_t>(std::max(1, window_days)));
    std::array<double, 7> sum{};
    std::array<double, 5> eligible_q{}, receiving_q{};
    for (std::size_t d = D - window; d < D; ++d) {
        for (std::size_t k = 0; k < K; ++k) sum[k] += static_cast<double>(counts.integers()[(d * S + s) * K + k]);
        for (std::size_t q = 0; q < 5; ++q) {
            eligible_q[q] += static_cast<double>(capital.integers()[((d * S + s) * 5 + q) * K]);
            receiving_q[q] += static_cast<double>(capital.integers()[((d * S + s) * 5 + q) * K + 1]);
        }
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    f.shares[0] = sum[0] / static_cast<double>(window);
    for (std::size_t k = 1; k < 7; ++k) f.shares[k] = sum[0] > 0 ? sum[k] / sum[0] : nan;
    for (std::size_t q = 0; q < 5; ++q) f.take_up_by_capital[q] = eligible_q[q] > 0 ? receiving_q[q] / eligible_q[q] : nan;
    f.divide_index = f.take_up_by_capital[4] - f.take_up_by_capital[0];
    const auto& unclaimed = r.array("metrics/unclaimed_euros").reals();
    double money = 0;
    for (std::size_t d = D - window; d < D; ++d) money += unclaimed[d * S + s];
    f.unclaimed_euros_per_year = money * 365.0 / static_cast<double>(window);
    return f;
}

Comparison compare_runs(const Results& a, const Results& b, int window_days) {
    Comparison c;
    const auto days = [](const Results& r) { return static_cast<int>(r.array("counts").shape[0]); };
    c.window_days = std::min({window_days, days(a), days(b)});
    const auto& sa = a.coordinate("service").labels;
    const auto& sb = b.coordinate("service").labels;
    for (std::size_t i = 0; i < sa.size(); ++i) {
        const auto j = std::find(sb.begin(), sb.end(), sa[i]);
        if (j == sb.end()) {
            c.only_in_a.push_back(sa[i]);
            continue;
        }
        c.services.push_back({sa[i], run_figures(a, i, window_days),
                              run_figures(b, static_cast<std::size_t>(j - sb.begin()), window_days)});
    }
    for (const auto& name : sb)
        if (std::find(sa.begin(), sa.end(), name) == sa.end()) c.only_in_b.push_back(name);
    return c;
}

}  // namespace demat
