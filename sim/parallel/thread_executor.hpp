// A fork-join executor on plain std::threads: a fixed pool of workers that
// take blocks from a shared counter, the calling thread working too.
//
// It exists for ThreadSanitizer: Debian's oneTBB is not built with TSan, so
// TSan reports races inside TBB's own synchronisation that are not real
// (docs/hardening.md). With DEMAT_THREADING=std (the tsan preset) every
// synchronisation the engine relies on is instrumented. TBB stays the default.
// Which block runs on which thread does not matter: the engine merges block
// outputs in block order (core/executor.hpp).
#pragma once

#include "core/executor.hpp"

#include <memory>

namespace demat {

class ThreadExecutor final : public Executor {
public:
    // threads <= 0: as many as the machine has. threads - 1 workers are started.
    explicit ThreadExecutor(int threads);
    ~ThreadExecutor() override;
    ThreadExecutor(const ThreadExecutor&) = delete;
    ThreadExecutor& operator=(const ThreadExecutor&) = delete;
    // Rethrows (in the caller) the first exception a block threw, once every
    // started block has finished.
    void for_each_block(std::size_t blocks, const std::function<void(std::size_t)>& fn) override;
    int threads() const override { return threads_; }

private:
    struct Pool;
    int threads_;
    std::unique_ptr<Pool> pool_;
};

}  // namespace demat
