// The executor the programs use for parallel runs, chosen at configure time
// by DEMAT_THREADING: "tbb" (default, oneTBB work stealing) or "std"
// (std::thread pool, for ThreadSanitizer builds: docs/hardening.md).
#pragma once

#include "parallel/thread_executor.hpp"

#if defined(DEMAT_THREADING_STD)
namespace demat {
using ParallelExecutor = ThreadExecutor;
}
#else
#include "parallel/tbb_executor.hpp"
namespace demat {
using ParallelExecutor = TbbExecutor;
}
#endif
