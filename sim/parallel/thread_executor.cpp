#include "parallel/thread_executor.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace demat {

// One job at a time: the caller publishes it under the mutex with a new
// generation number, workers and caller take blocks from `next` until none
// is left, and the caller waits until every worker has reported the
// generation done. The mutex orders the job's writes before the workers'
// reads, and the workers' writes before the caller's return.
struct ThreadExecutor::Pool {
    std::mutex mutex;
    std::condition_variable start, finished;
    std::uint64_t generation = 0;
    int busy = 0;  // workers still on the current generation
    bool stopping = false;
    const std::function<void(std::size_t)>* fn = nullptr;
    std::size_t blocks = 0;
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::vector<std::thread> workers;

    void run_blocks() {
        for (std::size_t b = next.fetch_add(1); b < blocks; b = next.fetch_add(1)) {
            try {
                (*fn)(b);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure) failure = std::current_exception();
                next.store(blocks);  // no new blocks once one has failed
            }
        }
    }

    void work() {
        std::uint64_t seen = 0;
        for (;;) {
            {
                std::unique_lock lock(mutex);
                start.wait(lock, [&] { return stopping || generation != seen; });
                if (stopping) return;
                seen = generation;
            }
            run_blocks();
            std::lock_guard lock(mutex);
            if (--busy == 0) finished.notify_one();
        }
    }
};

ThreadExecutor::ThreadExecutor(int threads)
    : threads_(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
      pool_(std::make_unique<Pool>()) {
    for (int t = 1; t < threads_; ++t) pool_->workers.emplace_back([p = pool_.get()] { p->work(); });
}

ThreadExecutor::~ThreadExecutor() {
    {
        std::lock_guard lock(pool_->mutex);
        pool_->stopping = true;
    }
    pool_->start.notify_all();
    for (auto& w : pool_->workers) w.join();
}

void ThreadExecutor::for_each_block(std::size_t blocks, const std::function<void(std::size_t)>& fn) {
    Pool& p = *pool_;
    if (p.workers.empty() || blocks <= 1) {
        for (std::size_t b = 0; b < blocks; ++b) fn(b);
        return;
    }
    {
        std::lock_guard lock(p.mutex);
        p.fn = &fn;
        p.blocks = blocks;
        p.next.store(0);
        p.failure = nullptr;
        p.busy = static_cast<int>(p.workers.size());
        ++p.generation;
    }
    p.start.notify_all();
    p.run_blocks();
    std::exception_ptr failure;
    {
        std::unique_lock lock(p.mutex);
        p.finished.wait(lock, [&] { return p.busy == 0; });
        p.fn = nullptr;
        failure = p.failure;
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace demat
