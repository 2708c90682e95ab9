// core/detmath.hpp: the project's own exp, log, expm1, log1p, pow and cos,
// which give the same bits natively and in WebAssembly. Accuracy against
// glibc (the functions the engine used before), and a checksum of their
// bits over fixed arguments that the WebAssembly build must reproduce
// (tests/web/check_engine.mjs pins the same value).
#include "core/detmath.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace {

std::int64_t ordered(double x) {
    std::int64_t i;
    std::memcpy(&i, &x, sizeof i);
    return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
}
// Distance in units in the last place.
std::int64_t ulps(double a, double b) {
    const std::int64_t d = ordered(a) - ordered(b);
    return d < 0 ? -d : d;
}

std::uint64_t state = 88172645463325252ULL;
double uniform01() {  // xorshift64: reproducible arguments
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace

namespace dm = demat::dmath;

TEST_CASE("detmath: exp, log and cos within 1 ulp of glibc over their engine ranges", "[detmath]") {
    std::int64_t worst_exp = 0, worst_log = 0, worst_cos = 0;
    for (int i = 0; i < 2000000; ++i) {
        const double x = -745.0 + 1454.0 * uniform01();
        worst_exp = std::max(worst_exp, ulps(dm::exp(x), std::exp(x)));
        const double small = -2.0 + 4.0 * uniform01();
        worst_exp = std::max(worst_exp, ulps(dm::exp(small), std::exp(small)));
        const double y = std::ldexp(0.5 + uniform01(), static_cast<int>(uniform01() * 200) - 100);
        worst_log = std::max(worst_log, ulps(dm::log(y), std::log(y)));
        const double u = uniform01();
        worst_log = std::max(worst_log, ulps(dm::log(u), std::log(u)));
        const double a = 6.283185307179586 * uniform01();
        // cos near its zeros: compare absolutely, in ulps of 1
        const double dc = std::fabs(dm::cos(a) - std::cos(a));
        worst_cos = std::max(worst_cos, std::fabs(std::cos(a)) > 1e-3 ? ulps(dm::cos(a), std::cos(a))
                                                                         : static_cast<std::int64_t>(dc / 1.1102230246251565e-16));
    }
    CHECK(worst_exp <= 1);
    CHECK(worst_log <= 1);
    CHECK(worst_cos <= 1);
}

TEST_CASE("detmath: expm1, log1p within 4 ulps and pow within 2 + 3 abs(y log x) ulps", "[detmath]") {
    std::int64_t worst_expm1 = 0, worst_log1p = 0;
    double worst_pow = 0;
    for (int i = 0; i < 1000000; ++i) {
        const double h = std::ldexp(uniform01(), -static_cast<int>(uniform01() * 40));  // hazards
        worst_expm1 = std::max(worst_expm1, ulps(dm::expm1(-h), std::expm1(-h)));
        const double x = -30.0 + 60.0 * uniform01();
        worst_expm1 = std::max(worst_expm1, ulps(dm::expm1(x), std::expm1(x)));
        const double q = uniform01();
        worst_log1p = std::max(worst_log1p, ulps(dm::log1p(-q), std::log1p(-q)));
        worst_log1p = std::max(worst_log1p, ulps(dm::log1p(h), std::log1p(h)));
        const double p = uniform01(), n = std::floor(uniform01() * 400);
        const double want = std::pow(p, n);
        if (want > 1e-300) {
            const double allowed = 2 + 3 * std::fabs(n * std::log(p));
            worst_pow = std::max(worst_pow, static_cast<double>(ulps(dm::pow(p, n), want)) / allowed);
        }
    }
    CHECK(worst_expm1 <= 4);
    CHECK(worst_log1p <= 4);
    CHECK(worst_pow <= 1.0);
}

TEST_CASE("detmath: special values", "[detmath]") {
    CHECK(dm::exp(0.0) == 1.0);
    CHECK(ulps(dm::exp(1.0), std::exp(1.0)) <= 1);
    CHECK(dm::exp(710.0) == HUGE_VAL);
    CHECK(dm::exp(-746.0) == 0.0);
    CHECK(dm::exp(-740.0) > 0.0);  // subnormal results
    CHECK(dm::log(1.0) == 0.0);
    CHECK(dm::log(0.0) == -HUGE_VAL);
    CHECK(std::isnan(dm::log(-1.0)));
    CHECK(ulps(dm::log(5e-324), std::log(5e-324)) <= 1);
    CHECK(dm::log1p(0.0) == 0.0);
    CHECK(dm::log1p(-1.0) == -HUGE_VAL);
    CHECK(dm::expm1(0.0) == 0.0);
    CHECK(dm::expm1(-50.0) == -1.0);
    CHECK(dm::expm1(1e-300) == 1e-300);
    CHECK(dm::pow(0.3, 0.0) == 1.0);
    CHECK(dm::pow(0.0, 2.0) == 0.0);
    CHECK(ulps(dm::pow(2.0, 10.0), 1024.0) <= 2);
    CHECK(ulps(dm::pow(-2.0, 3.0), -8.0) <= 2);
    CHECK(ulps(dm::pow(-2.0, 2.0), 4.0) <= 2);
    CHECK(std::isnan(dm::pow(-2.0, 0.5)));
    CHECK(dm::cos(0.0) == 1.0);
    CHECK(std::fabs(dm::cos(3.141592653589793) + 1.0) < 1e-16);
    CHECK(dm::cos(-1.0) == dm::cos(1.0));
}

TEST_CASE("detmath: checksum of the bits, the value the WebAssembly build must give", "[detmath]") {
    // The WebAssembly build must give the same (tests/web/check_engine.mjs
    // pins this very value): any change to detmath.hpp, or a compiler that
    // fuses or reorders its operations, changes it.
    CHECK(demat::dmath::checksum() == 0x718610144cd842cbULL);
}
