// Reading a results file that demat did not just write.
//
// libhdf5 (1.10 on Debian 12) is not safe on damaged or crafted files: it can
// crash (invalid free in H5Literate) or spin for minutes (H5HG_read). Checking
// harder in our code cannot prevent that, so the read itself runs in a child
// process with a time limit, and only a fully read, layout-checked copy of
// the results comes back to the caller (docs/hardening.md).
#pragma once

#include "core/error.hpp"
#include "core/results.hpp"

#include <stdexcept>
#include <string>

namespace demat {


// Reads `path` as written by `demat run`, `demat sweep` or Results.save, in a
// child process that is killed past the time limit, and checks the layout
// (check_results_layout). Throws ResultsFileError for anything wrong with the
// file, whatever libhdf5 does with it.
Results read_results_file(const std::string& path);

// The arrays and coordinates `demat compare`, the summary and the Python
// readers rely on, with consistent shapes, and counts that are non-negative
// and add up (eligible = the sum of the six other states). Throws
// ResultsFileError naming `path` and the first thing missing or wrong.
void check_results_layout(const Results& results, const std::string& path);

// Seconds the reader of `path` may stay silent (no dataset read, no chunk of
// its answer sent) before it is killed: DEMAT_READ_TIMEOUT if set, else 10 s
// plus 1 s per 20 MB of file.
double read_time_limit(const std::string& path);

}  // namespace demat
