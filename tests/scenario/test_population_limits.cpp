// The population bounds of the schema fit the engine's index types: every
// citizen index is a uint32 (network, queues, requests), and random-stream
// subjects keep citizens below 2^40 (Rng::claim_subject). The runs at those
// bounds are in tests/core/test_limits.cpp.
#include "core/population.hpp"
#include "core/rng.hpp"
#include "scenario/reader.hpp"
#include "scenario/schema_internal.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

using namespace demat;

TEST_CASE("limits: population.size bounds fit 32-bit citizen indices and the stream subjects", "[limits]") {
    const schema::Spec* size = nullptr;
    for (const auto& e : schema::global_entries())
        if (e.key == "population.size") size = &e;
    REQUIRE(size != nullptr);
    CHECK(size->int_min == 100);
    CHECK(size->int_max == 100000000);
    CHECK(size->int_max < std::numeric_limits<std::uint32_t>::max());
    CHECK(static_cast<std::uint64_t>(size->int_max) < (std::uint64_t{1} << 40));
    // Distinct (citizen, service) subjects at the largest index.
    const auto last = static_cast<std::uint64_t>(size->int_max - 1);
    CHECK(Rng::claim_subject(last, 0) != Rng::claim_subject(last, 1));
    CHECK(Rng::claim_subject(last, 7) != Rng::claim_subject(last - 1, 7));

    // The reader accepts both bounds and refuses one past them.
    const std::string head = "[services.rsa]\n";
    CHECK(parse_scenario("[population]\nsize = 100\n" + head, "t.toml").population.size == 100);
    CHECK(parse_scenario("[population]\nsize = 100000000\n" + head, "t.toml").population.size == 100000000);
    CHECK_THROWS_AS(parse_scenario("[population]\nsize = 99\n" + head, "t.toml"), ScenarioError);
    CHECK_THROWS_AS(parse_scenario("[population]\nsize = 100000001\n" + head, "t.toml"), ScenarioError);
}
