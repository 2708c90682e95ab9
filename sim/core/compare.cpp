#include "core/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace demat {

const std::vector<std::string>& compared_segments() {
    static const std::vector<std::string> names{"household_type", "tenure"};
    return names;
}

RunFigures run_figures(const Results& r, std::size_t s, int window_days, const std::vector<ComparedSegment>& segments) {
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
    for (const ComparedSegment& seg : segments) {
        const Array& by = r.array("segments/" + seg.dimension + "/counts");
        const std::size_t G = seg.groups.size();
        for (std::size_t g = 0; g < G; ++g) {
            double eligible = 0, receiving = 0;
            for (std::size_t d = D - window; d < D; ++d) {
                eligible += static_cast<double>(by.integers()[((d * S + s) * G + g) * K]);
                receiving += static_cast<double>(by.integers()[((d * S + s) * G + g) * K + 1]);
            }
            f.take_up_by_segment.push_back(eligible > 0 ? receiving / eligible : nan);
        }
    }
    return f;
}

std::vector<Results> split_runs(const Results& r) {
    const Array& counts = r.array("counts");
    if (counts.dims.empty() || counts.dims[0] != "run") return {r};
    const std::size_t runs = counts.shape[0];
    std::vector<Results> out(runs);
    for (std::size_t i = 0; i < runs; ++i) {
        Results& one = out[i];
        one.attributes = r.attributes;
        for (const auto& c : r.coordinates)
            if (c.path != "run") one.coordinates.push_back(c);
        for (const auto& a : r.arrays) {
            if (a.dims.empty() || a.dims[0] != "run" || a.shape.size() < 2) continue;  // per-run scalars (run_seed...)
            Array slice;
            slice.path = a.path;
            slice.dims.assign(a.dims.begin() + 1, a.dims.end());
            slice.shape.assign(a.shape.begin() + 1, a.shape.end());
            slice.description = a.description;
            slice.unit = a.unit;
            const std::size_t n = slice.size();
            const auto first = static_cast<std::ptrdiff_t>(i * n), last = static_cast<std::ptrdiff_t>((i + 1) * n);
            if (a.is_integer()) slice.data = std::vector<std::int64_t>(a.integers().begin() + first, a.integers().begin() + last);
            else slice.data = std::vector<double>(a.reals().begin() + first, a.reals().begin() + last);
            one.arrays.push_back(std::move(slice));
        }
    }
    return out;
}

std::vector<std::int64_t> sweep_points(const Results& r) {
    if (!r.has_array("run_point")) return {};
    const Array& a = r.array("run_point");
    if (!a.is_integer()) return {};
    std::vector<std::int64_t> points;
    for (const auto p : a.integers())
        if (std::find(points.begin(), points.end(), p) == points.end()) points.push_back(p);
    return points;
}

Results runs_of_point(const Results& r, std::int64_t point) {
    const auto& which = r.array("run_point").integers();
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < which.size(); ++i)
        if (which[i] == point) keep.push_back(i);
    Results out;
    out.attributes = r.attributes;
    for (const auto& c : r.coordinates) {
        Coordinate copy = c;
        if (c.path == "run" && !c.values.empty()) {
            copy.values.clear();
            for (const auto i : keep) copy.values.push_back(c.values[i]);
        }
        out.coordinates.push_back(std::move(copy));
    }
    for (const auto& a : r.arrays) {
        if (a.dims.empty() || a.dims[0] != "run" || a.shape.empty() || a.shape[0] != which.size()) {
            out.arrays.push_back(a);
            continue;
        }
        Array slice = a;
        slice.shape[0] = keep.size();
        const std::size_t n = a.shape[0] ? a.size() / a.shape[0] : 0;
        const auto cut = [&](const auto& values) {
            std::remove_cvref_t<decltype(values)> kept;
            for (const auto i : keep) kept.insert(kept.end(), values.begin() + static_cast<std::ptrdiff_t>(i * n),
                                                   values.begin() + static_cast<std::ptrdiff_t>((i + 1) * n));
            return kept;
        };
        if (a.is_integer()) slice.data = cut(a.integers());
        else slice.data = cut(a.reals());
        out.arrays.push_back(std::move(slice));
    }
    return out;
}

double quantile(std::vector<double> values, double q) {
    std::erase_if(values, [](double x) { return std::isnan(x); });
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(values.begin(), values.end());
    const double at = q * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(at));
    const std::size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (at - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

namespace {

// Every figure of a RunFigures as one flat list, to average and take
// quantiles field by field.
constexpr std::size_t fixed_figures = 7 + 5 + 2;
std::vector<double> flatten(const RunFigures& f) {
    std::vector<double> x(fixed_figures);
    std::copy(f.shares.begin(), f.shares.end(), x.begin());
    std::copy(f.take_up_by_capital.begin(), f.take_up_by_capital.end(), x.begin() + 7);
    x[12] = f.divide_index;
    x[13] = f.unclaimed_euros_per_year;
    x.insert(x.end(), f.take_up_by_segment.begin(), f.take_up_by_segment.end());
    return x;
}
RunFigures unflatten(const std::vector<double>& x) {
    RunFigures f;
    std::copy(x.begin(), x.begin() + 7, f.shares.begin());
    std::copy(x.begin() + 7, x.begin() + 12, f.take_up_by_capital.begin());
    f.divide_index = x[12];
    f.unclaimed_euros_per_year = x[13];
    f.take_up_by_segment.assign(x.begin() + static_cast<std::ptrdiff_t>(fixed_figures), x.end());
    return f;
}

RunFigures mean_of(const std::vector<RunFigures>& runs) {
    if (runs.size() == 1) return runs[0];  // bit-for-bit the single run's figures
    const std::size_t figure_count = flatten(runs[0]).size();
    std::vector<double> sum(figure_count, 0.0);
    for (const auto& f : runs) {
        const auto x = flatten(f);
        for (std::size_t i = 0; i < figure_count; ++i) sum[i] += x[i];
    }
    for (auto& v : sum) v /= static_cast<double>(runs.size());
    return unflatten(sum);
}

}  // namespace

Comparison compare_runs(const Results& a, const Results& b, int window_days) {
    Comparison c;
    const std::vector<Results> runs_a = split_runs(a), runs_b = split_runs(b);
    c.runs_a = runs_a.size();
    c.runs_b = runs_b.size();
    const auto days = [](const Results& r) { return static_cast<int>(r.array("counts").shape[0]); };
    c.window_days = std::min({window_days, days(runs_a[0]), days(runs_b[0])});
    // Which run of A goes with which run of B for the differences.
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    if (c.runs_a == c.runs_b || c.runs_a == 1 || c.runs_b == 1) {
        const std::size_t n = std::max(c.runs_a, c.runs_b);
        for (std::size_t i = 0; i < n; ++i) pairs.emplace_back(c.runs_a == 1 ? 0 : i, c.runs_b == 1 ? 0 : i);
    } else {
        for (std::size_t i = 0; i < std::min(c.runs_a, c.runs_b); ++i) pairs.emplace_back(i, i);
    }
    c.pairs = pairs.size();
    for (const std::string& dimension : compared_segments()) {
        const std::string path = "segments/" + dimension + "/counts";
        if (!runs_a[0].has_array(path) || !runs_b[0].has_array(path)) continue;
        const auto& groups = runs_a[0].coordinate("segments/" + dimension + "/group").labels;
        if (groups != runs_b[0].coordinate("segments/" + dimension + "/group").labels) continue;
        c.segments.push_back({dimension, groups});
    }
    const auto& sa = runs_a[0].coordinate("service").labels;
    const auto& sb = runs_b[0].coordinate("service").labels;
    for (std::size_t i = 0; i < sa.size(); ++i) {
        const auto j = std::find(sb.begin(), sb.end(), sa[i]);
        if (j == sb.end()) {
            c.only_in_a.push_back(sa[i]);
            continue;
        }
        const auto sj = static_cast<std::size_t>(j - sb.begin());
        std::vector<RunFigures> fa, fb;
        for (const auto& r : runs_a) fa.push_back(run_figures(r, i, window_days, c.segments));
        for (const auto& r : runs_b) fb.push_back(run_figures(r, sj, window_days, c.segments));
        ServiceComparison sc{sa[i], mean_of(fa), mean_of(fb), false, {}, {}};
        if (pairs.size() > 1) {
            const std::size_t figure_count = flatten(fa[0]).size();
            std::vector<std::vector<double>> differences(figure_count);
            for (const auto& [ia, ib] : pairs) {
                const auto xa = flatten(fa[ia]), xb = flatten(fb[ib]);
                for (std::size_t k = 0; k < figure_count; ++k) differences[k].push_back(xb[k] - xa[k]);
            }
            std::vector<double> low(figure_count), high(figure_count);
            for (std::size_t k = 0; k < figure_count; ++k) {
                low[k] = quantile(differences[k], 0.05);
                high[k] = quantile(differences[k], 0.95);
            }
            sc.has_interval = true;
            sc.difference_low = unflatten(low);
            sc.difference_high = unflatten(high);
        }
        c.services.push_back(std::move(sc));
    }
    for (const auto& name : sb)
        if (std::find(sa.begin(), sa.end(), name) == sa.end()) c.only_in_b.push_back(name);
    return c;
}

}  // namespace demat
