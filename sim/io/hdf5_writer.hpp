// Writes a Results to an HDF5 file with the layout of docs/output.md.
//
// The file is written to a temporary name beside the target and renamed only
// once complete and closed, so a failed or interrupted run never leaves a
// file that looks complete at `path`.
#pragma once

#include "core/error.hpp"
#include "core/results.hpp"
#include "core/snapshot.hpp"

#include <functional>
#include <stdexcept>
#include <string>

namespace demat {


// Throws std::invalid_argument for results that cannot be written as
// promised (an array whose data does not fill its shape, an axis without a
// coordinate of the same length, a path used twice, text that is not UTF-8,
// ...), Hdf5Error when HDF5 fails, std::runtime_error when the folder is
// missing or the rename fails. In every case nothing is left at `path`
// (or the file that was there is untouched) and the temporary file is removed.
void write_hdf5(const Results& results, const std::string& path);
// The same, with the per-citizen snapshot under /snapshot (docs/output.md),
// written chunk by chunk from the engine's arrays (nullptr: no snapshot).
// The results must hold the root `service` coordinate.
void write_hdf5(const Results& results, const std::string& path, const Snapshot* snapshot);

// Reads a file written by write_hdf5 back into an equal Results (the
// /snapshot group, if any, is not part of a Results and is skipped: read it
// with h5py or the HDF5 API): the same
// attributes, coordinates and arrays (dims taken from the attached scales),
// values bit for bit. Coordinates and arrays are listed group by group, each
// group's own datasets first, which is the order they were given in when
// each list is ordered that way (as the engine's are).
// Throws std::runtime_error if the file is missing or not laid out as
// write_hdf5 writes, Hdf5Error if HDF5 fails. `progress`, if given, is
// called after each dataset read (the forked reader of results_file.cpp
// tells its parent it is not stuck).
Results read_hdf5(const std::string& path, const std::function<void()>& progress = {});

// Checks before a run that `path` can be created (its folder exists and is
// writable, by creating and removing a probe file beside it); throws
// std::runtime_error naming the path otherwise.
void check_output_writable(const std::string& path);

}  // namespace demat
