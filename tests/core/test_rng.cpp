// Counter-based random streams: reproducible, independent by purpose, uniform.
#include "core/rng.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>

using namespace demat;

TEST_CASE("a draw is a pure function of (seed, subject, day, purpose, index)") {
    Stream a(42, 1000, 7, Purpose::decision), b(42, 1000, 7, Purpose::decision);
    for (int i = 0; i < 20; ++i) REQUIRE(a.next_word() == b.next_word());
    Stream other_purpose(42, 1000, 7, Purpose::attempt), other_day(42, 1000, 8, Purpose::decision),
        other_seed(43, 1000, 7, Purpose::decision), other_subject(42, 1001, 7, Purpose::decision);
    Stream ref(42, 1000, 7, Purpose::decision);
    const auto w = ref.next_word();
    REQUIRE(other_purpose.next_word() != w);
    REQUIRE(other_day.next_word() != w);
    REQUIRE(other_seed.next_word() != w);
    REQUIRE(other_subject.next_word() != w);
    // Claims of one citizen to different services draw from different streams.
    REQUIRE(Rng::claim_subject(5, 0) != Rng::claim_subject(5, 1));
    REQUIRE(Rng::claim_subject(5, 0) != 5u);
}

TEST_CASE("uniform draws pass a chi-square test and normals have mean 0 and variance 1") {
    std::array<int, 20> bins{};
    const int n = 200000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
        Stream s(1, static_cast<std::uint64_t>(i), 3, Purpose::attempt);
        const double u = s.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        ++bins[static_cast<std::size_t>(u * 20)];
        const double z = s.normal();
        sum += z;
        sum2 += z * z;
    }
    double chi2 = 0;
    for (int b : bins) chi2 += (b - n / 20.0) * (b - n / 20.0) / (n / 20.0);
    REQUIRE(chi2 < 43.8);  // 99.9th percentile of chi-square with 19 degrees of freedom
    REQUIRE(std::abs(sum / n) < 0.01);
    REQUIRE(std::abs(sum2 / n - 1.0) < 0.02);
}

TEST_CASE("below(n) stays in range and covers it evenly") {
    Stream s(9, 9, 9, Purpose::help);
    std::array<int, 7> hits{};
    for (int i = 0; i < 70000; ++i) {
        const auto k = s.below(7);
        REQUIRE(k < 7u);
        ++hits[k];
    }
    for (int h : hits) REQUIRE(std::abs(h - 10000) < 500);
}
