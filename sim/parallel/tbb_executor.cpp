#include "parallel/tbb_executor.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <thread>

namespace demat {

struct TbbExecutor::Arena {
    explicit Arena(int threads) : arena(threads) {}
    tbb::task_arena arena;
};

TbbExecutor::TbbExecutor(int threads)
    : threads_(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
      arena_(std::make_unique<Arena>(threads_)) {}

TbbExecutor::~TbbExecutor() = default;

void TbbExecutor::for_each_block(std::size_t blocks, const std::function<void(std::size_t)>& fn) {
    if (threads_ == 1) {
        for (std::size_t b = 0; b < blocks; ++b) fn(b);
        return;
    }
    arena_->arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks, 1), [&](const tbb::blocked_range<std::size_t>& r) {
            for (std::size_t b = r.begin(); b != r.end(); ++b) fn(b);
        });
    });
}

}  // namespace demat
