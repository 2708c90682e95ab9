// Elementary functions owned by the project: the same bits on every target.
//
// glibc (the native build) and emscripten's musl (the WebAssembly build,
// docs/classroom.md) implement exp, log, cos... differently, and a result
// one unit in the last place apart can, once in a long while, flip a draw
// and then the whole run. These use only IEEE-754 +, -, *, / and exact
// operations (floor, scaling by powers of two), which give the same bits
// everywhere as long as no multiply-add is fused: sim/core is compiled with
// -ffp-contract=off (sim/core/CMakeLists.txt, bindings/wasm/CMakeLists.txt).
//
// Algorithms: Cody and Waite's argument reduction with Taylor polynomials of
// a degree that makes the truncation error negligible (< 1e-20 relative),
// arranged as in Sun's fdlibm (exp: e^r = 1 + r + r c / (2 - c); log:
// log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f)); Kahan's
// formulas for log1p and expm1. Accuracy (tests/core/test_detmath.cpp,
// against glibc over millions of arguments): exp, log and cos within 1 ulp
// of glibc's, expm1 and log1p within 4 ulps, pow within 2 + 3 |y log x| ulps
// (the error of y log x, magnified by exp).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace demat::dmath {

namespace detail {

inline std::uint64_t bits(double x) {
    std::uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}
inline double from_bits(std::uint64_t u) {
    double x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}
// 2^k for k in [-1022, 1023], exactly.
inline double pow2(int k) { return from_bits(static_cast<std::uint64_t>(k + 1023) << 52); }
// y 2^k, exactly unless the result is subnormal (then rounded once, the same way everywhere).
inline double scale(double y, int k) {
    if (k > 1023) return y * pow2(1023) * pow2(k - 1023);
    if (k < -1022) return y * pow2(k + 1000) * pow2(-1000);
    return y * pow2(k);
}

// ln 2 split so that k * ln2_hi is exact for |k| < 2^11 (fdlibm's split).
inline constexpr double ln2_hi = 6.93147180369123816490e-01;
inline constexpr double ln2_lo = 1.90821492927058770002e-10;
inline constexpr double inv_ln2 = 1.44269504088896338700e+00;

// Taylor coefficients 1/n!, computed once by the compiler from exact integers.
constexpr double inv_factorial(int n) {
    double f = 1;
    for (int i = 2; i <= n; ++i) f *= i;  // exact up to 18! < 2^63
    return 1.0 / f;
}

// c[0] + z (c[1] + z (c[2] + ...)): Horner's scheme, in this order.
template <std::size_t N>
inline double horner(const double (&c)[N], double z) {
    double p = c[N - 1];
    for (std::size_t i = N - 1; i-- > 0;) p = c[i] + z * p;
    return p;
}

inline constexpr double exp_R[] = {1.0 / 6, -1.0 / 360, 1.0 / 15120, -1.0 / 604800, 1.0 / 23950080,
                                   -691.0 / 653837184000.0, 1.0 / 37362124800.0};
inline constexpr double log_R[] = {2.0 / 3,  2.0 / 5,  2.0 / 7,  2.0 / 9,  2.0 / 11, 2.0 / 13,
                                   2.0 / 15, 2.0 / 17, 2.0 / 19, 2.0 / 21, 2.0 / 23};
// cos r = 1 - r^2/2 + r^4 (1/4! - r^2/6! + ...), sin r = r + r^3 (-1/3! + r^2/5! - ...).
inline constexpr double cos_C[] = {inv_factorial(4),   -inv_factorial(6),  inv_factorial(8),
                                   -inv_factorial(10), inv_factorial(12),  -inv_factorial(14),
                                   inv_factorial(16),  -inv_factorial(18), 1.0 / 2432902008176640000.0};
inline constexpr double sin_S[] = {-inv_factorial(3),  inv_factorial(5),   -inv_factorial(7),
                                   inv_factorial(9),   -inv_factorial(11), inv_factorial(13),
                                   -inv_factorial(15), inv_factorial(17),  -1.0 / 121645100408832000.0};

}  // namespace detail

inline double exp(double x) {
    using namespace detail;
    if (x != x) return x;
    if (x > 709.782712893383973096) return std::numeric_limits<double>::infinity();
    if (x < -745.133219101941108420) return 0.0;
    const double kd = std::floor(x * inv_ln2 + 0.5);
    const int k = static_cast<int>(kd);
    const double hi = x - kd * ln2_hi;  // exact (Sterbenz)
    const double lo = kd * ln2_lo;
    const double r = hi - lo;           // |r| <= 0.35
    // c = r - r^2 R(r^2), where e^r = 1 + r + r c / (2 - c) and R is the
    // Taylor series of (r/2) coth(r/2) - 1 over r^2 (Bernoulli numbers):
    // 2 B_{2n} / (2n)! for n >= 2: 1/6, -1/360, 1/15120, -1/604800, 1/23950080,
    // -691/653837184000, 1/37362124800 (|r| < 0.35: the next is < 1e-22).
    const double z = r * r;
    const double R = z * horner(exp_R, z);
    const double c = r - R;
    const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    return k == 0 ? y : scale(y, k);
}

inline double log(double x) {
    using namespace detail;
    if (x != x) return x;
    if (x < 0) return std::numeric_limits<double>::quiet_NaN();
    if (x == 0) return -std::numeric_limits<double>::infinity();
    if (x == std::numeric_limits<double>::infinity()) return x;
    int k = 0;
    std::uint64_t u = bits(x);
    if ((u >> 52) == 0) {  // subnormal: scale into the normal range first
        x *= 18014398509481984.0;  // 2^54
        k -= 54;
        u = bits(x);
    }
    k += static_cast<int>(u >> 52) - 1023;
    // Mantissa m in [sqrt(2)/2, sqrt(2)): x = m 2^k.
    std::uint64_t m_bits = (u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    if (m_bits > 0x3ff6a09e667f3bccULL) {  // m >= sqrt(2): halve it
        m_bits -= 0x0010000000000000ULL;
        k += 1;
    }
    const double f = from_bits(m_bits) - 1.0;  // exact
    const double s = f / (2.0 + f);
    const double z = s * s;
    // R = 2 z / 3 + 2 z^2 / 5 + ... (2 atanh(s) = 2 s + s R), |s| < 0.172:
    // terms after z^11 are < 1e-20 relative.
    const double R = z * horner(log_R, z);
    const double hfsq = 0.5 * f * f;
    const double kd = k;
    return kd * ln2_hi - ((hfsq - (s * (hfsq + R) + kd * ln2_lo)) - f);
}

// log(1 + x), accurate for small x (Kahan: the rounding of 1 + x is undone
// by the factor x / ((1 + x) - 1)).
inline double log1p(double x) {
    const double u = 1.0 + x;
    if (u == 1.0) return x;
    if (u == std::numeric_limits<double>::infinity()) return u;
    return log(u) * (x / (u - 1.0));
}

// e^x - 1, accurate for small x (Kahan's companion formula).
inline double expm1(double x) {
    if (x != x) return x;
    if (x > 709.0) return exp(x);
    if (x < -40.0) return -1.0;  // e^x < 2^-57: -1 exactly after rounding
    const double u = exp(x);
    if (u == 1.0) return x;
    const double um1 = u - 1.0;
    if (um1 == -1.0) return -1.0;
    return um1 * x / log(u);
}

// x^y for x >= 0 (all the engine needs: powers of probabilities); a
// negative x gives NaN unless y is an integer.
inline double pow(double x, double y) {
    if (y == 0 || x == 1) return 1.0;
    if (x != x || y != y) return std::numeric_limits<double>::quiet_NaN();
    if (x == 0) return y > 0 ? 0.0 : std::numeric_limits<double>::infinity();
    if (x < 0) {
        if (std::floor(y) != y) return std::numeric_limits<double>::quiet_NaN();
        const double m = exp(y * log(-x));
        return std::fmod(y, 2.0) != 0 ? -m : m;
    }
    return exp(y * log(x));
}

inline double cos(double x) {
    using namespace detail;
    if (x != x || x == std::numeric_limits<double>::infinity() || x == -std::numeric_limits<double>::infinity())
        return std::numeric_limits<double>::quiet_NaN();
    x = x < 0 ? -x : x;
    // x = n pi/2 + r, |r| <= pi/4, with pi/2 in three parts (fdlibm's
    // pio2_1, pio2_2, pio2_3: 33 bits each, so n * part is exact for n < 2^20).
    constexpr double pio2_1 = 1.57079632673412561417e+00;
    constexpr double pio2_2 = 6.07710050630396597660e-11;
    constexpr double pio2_3 = 2.02226624871116645580e-21;
    constexpr double two_over_pi = 6.36619772367581382433e-01;
    if (x > 1e6) return std::numeric_limits<double>::quiet_NaN();  // outside what the engine needs
    const double nd = std::floor(x * two_over_pi + 0.5);
    const double r = ((x - nd * pio2_1) - nd * pio2_2) - nd * pio2_3;
    const double z = r * r;
    const auto n = static_cast<long>(nd) & 3;
    // Taylor series on |r| <= pi/4 up to r^20 (cos) and r^21 (sin): the
    // truncation error is below 1e-20.
    auto c = [&] {
        const double p = z * z * horner(cos_C, z);
        const double hz = 0.5 * z;
        const double w = 1.0 - hz;
        return w + (((1.0 - w) - hz) + p);
    };
    auto s = [&] {
        const double p = z * r * horner(sin_S, z);
        return r + p;
    };
    switch (n) {
        case 0: return c();
        case 1: return -s();
        case 2: return -c();
        default: return s();
    }
}

inline double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

// FNV-1a of the bits of every function above over fixed arguments: equal in
// every build that computes them alike (tests/core/test_detmath.cpp and the
// WebAssembly test pin the same value).
std::uint64_t checksum();

}  // namespace demat::dmath
