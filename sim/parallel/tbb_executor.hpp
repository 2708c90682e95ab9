// The oneTBB executor: blocks spread over a fixed number of worker threads.
#pragma once

#include "core/executor.hpp"

#include <memory>

namespace demat {

class TbbExecutor final : public Executor {
public:
    // threads <= 0: as many as the machine has.
    explicit TbbExecutor(int threads);
    ~TbbExecutor() override;
    void for_each_block(std::size_t blocks, const std::function<void(std::size_t)>& fn) override;
    int threads() const override { return threads_; }

private:
    struct Arena;
    int threads_;
    std::unique_ptr<Arena> arena_;
};

}  // namespace demat
