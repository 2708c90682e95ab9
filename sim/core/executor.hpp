// How the engine's per-block kernels are spread over threads.
//
// The core never names a threading library: it cuts the population into
// blocks of a fixed size and hands the blocks to an Executor. Results are
// merged in block order, so they are the same whatever executes the blocks.
// The serial executor lives here; the oneTBB one in sim/parallel.
#pragma once

#include <cstddef>
#include <functional>

namespace demat {

// Citizens per block. Part of the determinism contract: block-local outputs
// (request lists, event counters) are concatenated in block order, so the
// block size must not depend on the thread count.
inline constexpr std::size_t block_size = 4096;

inline std::size_t block_count(std::size_t items) { return (items + block_size - 1) / block_size; }

class Executor {
public:
    virtual ~Executor() = default;
    // Calls fn(block) once for every block in [0, blocks), in any order and
    // possibly concurrently; returns when all calls have returned.
    virtual void for_each_block(std::size_t blocks, const std::function<void(std::size_t)>& fn) = 0;
    virtual int threads() const = 0;
};

class SerialExecutor final : public Executor {
public:
    void for_each_block(std::size_t blocks, const std::function<void(std::size_t)>& fn) override {
        for (std::size_t b = 0; b < blocks; ++b) fn(b);
    }
    int threads() const override { return 1; }
};

}  // namespace demat
