// Writes a Results to an HDF5 file with the layout of DESIGN 4 and docs/output.md.
//
// The file is written to a temporary name beside the target and renamed only
// once complete and closed, so a failed or interrupted run never leaves a
// file that looks complete at `path`.
#pragma once

#include "core/results.hpp"

#include <stdexcept>
#include <string>

namespace demat {

// An HDF5 call failed; the message carries HDF5's own error stack.
class Hdf5Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

void write_hdf5(const Results& results, const std::string& path);

// Reads a file written by write_hdf5 back into a Results (round trips exactly).
Results read_hdf5(const std::string& path);

// Checks before a run that `path` can be created (its folder exists and is
// writable); throws std::runtime_error naming the path otherwise.
void check_output_writable(const std::string& path);

}  // namespace demat
