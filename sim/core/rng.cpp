#include "core/rng.hpp"
#include "core/detmath.hpp"

#include <array>
#include <cmath>

namespace demat {

namespace {

// Inverse of the standard normal CDF (Acklam's rational approximation,
// relative error below 1.2e-9), used once to fill the quantile table.
double normal_quantile(double p) {
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double low = 0.02425, high = 1 - low;
    if (p < low) {
        const double q = std::sqrt(-2 * dmath::log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > high) {
        const double q = std::sqrt(-2 * dmath::log(1 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

constexpr int quantiles = static_cast<int>(lasting_quantile_count);

const std::array<double, quantiles>& quantile_table() {
    static const std::array<double, quantiles> table = [] {
        std::array<double, quantiles> t{};
        for (int i = 0; i < quantiles; ++i) t[static_cast<std::size_t>(i)] = normal_quantile((i + 0.5) / quantiles);
        return t;
    }();
    return table;
}

std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

}  // namespace

std::size_t lasting_index(std::uint64_t seed, std::uint64_t subject, Purpose purpose) {
    const std::uint64_t h = mix(mix(seed ^ 0x9e3779b97f4a7c15ULL) ^ mix(subject + (static_cast<std::uint64_t>(purpose) << 56)));
    return static_cast<std::size_t>(h >> 52);
}

const std::array<double, lasting_quantile_count>& lasting_quantiles() { return quantile_table(); }

double lasting_normal(std::uint64_t seed, std::uint64_t subject, Purpose purpose) {
    return quantile_table()[lasting_index(seed, subject, purpose)];
}

}  // namespace demat
