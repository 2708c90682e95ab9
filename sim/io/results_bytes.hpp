// A Results as one flat byte string and back: how a sweep's run travels from
// the worker that ran it to the process that gathers the sweep, and how it
// waits in the sweep's journal.
//
// Not a file format for users (runs are read from HDF5 files): it exists
// because making and reading the HDF5 file of a run costs about 0.1 s each
// way whatever the run's size, which on a cluster of many cores makes the
// gathering process, not the cluster, set the pace. Packing is a copy,
// compressed.
//
// Layout: the magic "demat-results-2\n", the u64 size of the raw packing,
// then the raw packing compressed by zlib: a byte-order mark, then
// attributes, coordinates and arrays, each a u64 count followed by its items;
// strings and vectors are a u64 length followed by their bytes (numbers in the
// machine's byte order, which the mark checks).
#pragma once

#include "core/results.hpp"

#include <string>
#include <string_view>

namespace demat {

std::string pack_results(const Results& results);

// Throws std::runtime_error for bytes that are not a packed Results (another
// magic, another byte order, truncated, or trailing bytes).
Results unpack_results(std::string_view bytes);

}  // namespace demat
