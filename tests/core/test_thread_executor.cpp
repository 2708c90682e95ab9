// ThreadExecutor (the std::thread pool used by ThreadSanitizer builds): each
// block exactly once, exceptions reach the caller, and the engine gives the
// same results as with the serial executor. Built and run in every build.
#include "core/engine.hpp"
#include "parallel/thread_executor.hpp"
#include "engine_fixtures.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

using namespace demat;
using namespace demat::test;

TEST_CASE("ThreadExecutor calls every block exactly once, call after call", "[executor]") {
    ThreadExecutor ex(4);
    REQUIRE(ex.threads() == 4);
    for (std::size_t blocks : {0u, 1u, 3u, 4u, 1000u}) {
        std::vector<std::atomic<int>> calls(blocks);
        for (int round = 0; round < 3; ++round) ex.for_each_block(blocks, [&](std::size_t b) { ++calls[b]; });
        for (std::size_t b = 0; b < blocks; ++b) REQUIRE(calls[b].load() == 3);
    }
}

TEST_CASE("ThreadExecutor rethrows a block's exception in the caller and stays usable", "[executor]") {
    ThreadExecutor ex(3);
    REQUIRE_THROWS_AS(ex.for_each_block(100, [](std::size_t b) {
        if (b == 37) throw std::runtime_error("block 37");
    }), std::runtime_error);
    std::atomic<std::size_t> sum{0};
    ex.for_each_block(100, [&](std::size_t b) { sum += b; });
    REQUIRE(sum.load() == 4950);
}

TEST_CASE("the engine gives the same results with ThreadExecutor(3) as with the serial executor", "[executor]") {
    Scenario sc = small_scenario(20000, 30);
    set_channel(sc, Channel::mediation, true);
    SerialExecutor serial;
    Engine a(sc, serial);
    a.run();
    ThreadExecutor threads(3);
    Engine b(sc, threads);
    b.run();
    require_identical(a.results(), b.results());
}
