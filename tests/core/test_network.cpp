// Structural and statistical checks of the social network (docs/population.md section 2,
// docs/population.md). Fixed seeds, tolerances stated with each assertion.
#include "core/network.hpp"
#include "core/population.hpp"
#include "parallel/parallel_executor.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "reverse_executor.hpp"

using namespace demat;

namespace {


Scenario network_scenario(std::int64_t size = 100000, std::uint64_t seed = 5) {
    Scenario s;
    s.population.size = size;
    s.seed = seed;
    return s;
}

struct Built {
    Population population;
    Network network;
};

Built build(const Scenario& s) {
    SerialExecutor serial;
    Built b{generate_population(s, serial), {}};
    b.network = build_network(s, b.population, serial);
    return b;
}

const Built& default_built() {
    static const Built b = build(network_scenario());
    return b;
}

bool linked(const Network& net, std::uint32_t a, std::uint32_t z) {
    const auto [first, last] = net.neighbours(a);
    return std::binary_search(first, last, z);
}

// Ties of c outside its household.
std::uint32_t extra_degree(const Built& b, std::uint32_t c) {
    std::uint32_t k = 0;
    const auto [first, last] = b.network.neighbours(c);
    for (auto it = first; it != last; ++it) k += b.population.household_id[*it] != b.population.household_id[c];
    return k;
}

}  // namespace

TEST_CASE("the network is a simple undirected graph stored both ways", "[network]") {
    const auto& b = default_built();
    const auto n = static_cast<std::uint32_t>(b.population.size());
    REQUIRE(b.network.citizens() == n);
    for (std::uint32_t c = 0; c < n; ++c) {
        const auto [first, last] = b.network.neighbours(c);
        REQUIRE(std::is_sorted(first, last));
        REQUIRE(std::adjacent_find(first, last) == last);  // no duplicate tie
        for (auto it = first; it != last; ++it) {
            REQUIRE(*it != c);  // no self loop
            REQUIRE(*it < n);
            REQUIRE(linked(b.network, *it, c));  // symmetric
        }
    }
    // 4 bytes per directed tie plus 4 per citizen (and the final row start).
    CHECK(b.network.memory_bytes() == 4 * (boost::num_edges(b.network.graph()) + n + 1));
}

TEST_CASE("household members are linked", "[network]") {
    const auto& b = default_built();
    const auto& p = b.population;
    for (std::uint32_t c = 1; c < p.size(); ++c)
        if (p.household_id[c] != c) REQUIRE(linked(b.network, p.household_id[c], c));
}

TEST_CASE("isolation: the isolated share has no tie outside the household", "[network]") {
    const auto& b = default_built();
    const auto citizens = static_cast<std::uint32_t>(b.population.size());
    const double n = citizens;
    double without = 0, low_degree = 0, sum_extra = 0, sum_sq = 0;
    for (std::uint32_t c = 0; c < citizens; ++c) {
        const double k = extra_degree(b, c);
        without += k == 0;
        low_degree += b.network.degree(c) <= 1;
        sum_extra += k;
        sum_sq += k * k;
    }
    const NetworkParams params;
    // The isolated (12%) plus non-isolated citizens who drew no tie and
    // received none (~1%): between 12% and 15%.
    CHECK(without / n >= params.isolated_share - 0.005);
    CHECK(without / n < params.isolated_share + 0.03);
    // Degree 0-1 (isolation as the metrics segment it) exists in a realistic share.
    CHECK(low_degree / n > 0.10);
    CHECK(low_degree / n < 0.25);
    // Mean non-household degree of the non-isolated is mean_extra_degree
    // (duplicates and failed searches cost a few percent): within 5%.
    const double mean = sum_extra / n;
    CHECK(std::abs(mean / ((1.0 - params.isolated_share) * params.mean_extra_degree) - 1.0) < 0.05);
    // Dispersed: variance well above the mean (geometric draws).
    CHECK(sum_sq / n - mean * mean > 1.5 * mean);

    // Without isolation almost nobody is without ties; with 30%, about 30%.
    Scenario s = network_scenario(40000, 6);
    s.network.isolated_share = 0.0;
    const Built none = build(s);
    double without_none = 0;
    for (std::uint32_t c = 0; c < none.population.size(); ++c) without_none += extra_degree(none, c) == 0;
    CHECK(without_none / 40000.0 < 0.03);
    s.network.isolated_share = 0.30;
    const Built many = build(s);
    double without_many = 0;
    for (std::uint32_t c = 0; c < many.population.size(); ++c) without_many += extra_degree(many, c) == 0;
    CHECK(std::abs(without_many / 40000.0 - 0.31) < 0.02);
}

TEST_CASE("ties are homophilous on age and education", "[network]") {
    auto gaps = [](const Built& b) {
        const auto& p = b.population;
        double tie_gap = 0, ties = 0, tie_edu = 0, random_gap = 0, random_edu = 0, pairs = 0;
        for (std::uint32_t c = 0; c < p.size(); ++c) {
            const auto [first, last] = b.network.neighbours(c);
            for (auto it = first; it != last; ++it) {
                if (p.household_id[*it] == p.household_id[c] || p.zone_of(*it) != p.zone_of(c)) continue;
                tie_gap += std::abs(p.age[c] - p.age[*it]);
                tie_edu += std::abs(static_cast<int>(p.education[c]) - static_cast<int>(p.education[*it]));
                ++ties;
            }
            // A deterministic pseudo-random partner in the same zone.
            const Zone& zone = p.zones[p.zone_of(c)];
            const std::uint32_t other = zone.first_citizen + (c * 2654435761u) % zone.residents;
            random_gap += std::abs(p.age[c] - p.age[other]);
            random_edu += std::abs(static_cast<int>(p.education[c]) - static_cast<int>(p.education[other]));
            ++pairs;
        }
        return std::array<double, 4>{tie_gap / ties, random_gap / pairs, tie_edu / ties, random_edu / pairs};
    };
    const auto g = gaps(default_built());
    CHECK(g[0] < 0.6 * g[1]);  // age gap of ties far below that of random pairs
    CHECK(g[2] < 0.7 * g[3]);  // education likewise
    // Without homophily, ties look like random pairs (within 5%).
    Scenario s = network_scenario(40000, 8);
    s.network.homophily_age = 0.0;
    s.network.homophily_education = 0.0;
    const auto flat = gaps(build(s));
    CHECK(std::abs(flat[0] / flat[1] - 1.0) < 0.05);
}

TEST_CASE("long-range ties cross zones in the share asked", "[network]") {
    auto crossing = [](const Built& b) {
        const auto& p = b.population;
        double across = 0, extra = 0;
        for (std::uint32_t c = 0; c < p.size(); ++c) {
            const auto [first, last] = b.network.neighbours(c);
            for (auto it = first; it != last; ++it) {
                if (p.household_id[*it] == p.household_id[c]) continue;
                ++extra;
                across += p.zone_of(*it) != p.zone_of(c);
            }
        }
        return across / extra;
    };
    // 20 zones: a long-range tie stays in its zone 5% of the time.
    CHECK(std::abs(crossing(default_built()) - 0.05 * 0.95) < 0.01);
    Scenario s = network_scenario(40000, 9);
    s.network.long_range_share = 0.0;
    CHECK(crossing(build(s)) == 0.0);
    s.network.long_range_share = 0.5;
    // a long-range tie lands in the citizen's own zone with probability zone_size / size
    const double own_zone = static_cast<double>(s.population.zone_size) / 40000.0;
    CHECK(std::abs(crossing(build(s)) - 0.5 * (1.0 - own_zone)) < 0.03);
}

TEST_CASE("the network is deterministic whatever the block order", "[network][determinism]") {
    const Scenario s = network_scenario(30000, 12);
    SerialExecutor serial;
    test::ReverseExecutor reverse;
    const Population p = generate_population(s, serial);
    const Network a = build_network(s, p, serial);
    const Network b = build_network(s, p, reverse);
    CHECK(a.graph().m_forward.m_rowstart == b.graph().m_forward.m_rowstart);
    CHECK(a.graph().m_forward.m_column == b.graph().m_forward.m_column);
    ParallelExecutor threads(2);
    const Network t = build_network(s, p, threads);
    CHECK(a.graph().m_forward.m_column == t.graph().m_forward.m_column);
    Scenario other = s;
    other.seed = 13;
    const Network c = build_network(other, p, serial);
    CHECK(a.graph().m_forward.m_column != c.graph().m_forward.m_column);
}

TEST_CASE("a population not laid out by households is rejected", "[network]") {
    Scenario s = network_scenario(1000, 1);
    SerialExecutor serial;
    Population p = generate_population(s, serial);
    p.household_id[10] = 500;  // a household split across the population
    CHECK_THROWS_WITH(build_network(s, p, serial), Catch::Contains("household"));
}
