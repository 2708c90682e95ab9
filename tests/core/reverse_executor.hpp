// An executor that runs the blocks backwards: any dependence of results on
// block order shows up as a difference with the SerialExecutor.
#pragma once

#include "core/executor.hpp"

namespace demat::test {

class ReverseExecutor final : public Executor {
public:
    void for_each_block(std::size_t blocks, const std::function<void(std::size_t)>& fn) override {
        for (std::size_t b = blocks; b > 0; --b) fn(b - 1);
    }
    int threads() const override { return 1; }
};

}  // namespace demat::test
